"""CSV rows without a fixed header (issue 13): for exports whose rows are positional or of
varying width — Keeper's headerless CSV (``formats/other-managers.md`` §5), Enpass's
``Title,Field,Value,…,Note`` rows (§3), RoboForm's form-field cells beyond its header (§6),
Dashlane's legacy headerless CSV. (A reader with a header and a column map, even one whose
rows run past it, is :class:`~cxkit.adapters.kit.tabular.CsvReader` or the long tail's
``LooseCsvReader`` on :func:`~cxkit.adapters.kit.input.read_csv`.) The same guarded input as
:func:`~cxkit.adapters.kit.input.read_csv` (UTF-8 with or without BOM, UTF-16 with BOM, bounded
cell size, malformed quoting reported with the file, never a traceback); the caller names the
cells and maps them.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from cxkit.adapters.kit.input import MAX_CSV_CELL, decode_text
from cxkit.errors import AdapterError, InputTooLargeError

__all__ = ["MAX_ROW_CELLS", "read_rows"]

MAX_ROW_CELLS: Final = 10_000
"""A row with more cells than this is refused (a runaway file, never a real record)."""


def read_rows(
    data: bytes, *, name: str = "", max_cell: int = MAX_CSV_CELL
) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV file as ``(line number the row starts on, cells)``."""
    text = decode_text(data, name=name)
    limit = csv.field_size_limit()
    csv.field_size_limit(max_cell)
    rows: list[tuple[int, list[str]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        start = 1
        for raw in reader:
            row_start, start = start, reader.line_num + 1
            if not any(map(str.strip, raw)):
                continue
            if len(raw) > MAX_ROW_CELLS:
                raise InputTooLargeError(
                    f"a CSV row has more than {MAX_ROW_CELLS:,} cells",
                    location=f"{name}:{row_start}",
                )
            rows.append((row_start, raw))
    except csv.Error as exc:
        text_exc = str(exc)
        if "larger than field limit" in text_exc:
            raise InputTooLargeError(
                f"a CSV cell is larger than {max_cell:,} bytes (runaway quote?)",
                location=name or None,
            ) from None
        raise AdapterError(f"malformed CSV: {text_exc[:120]}", location=name or None) from None
    finally:
        csv.field_size_limit(limit)
    if not rows:
        raise AdapterError("empty CSV file", location=name or None)
    return rows
