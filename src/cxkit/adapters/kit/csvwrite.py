"""Writing CSV exports, with formula cells neutralised (issue 12).

A CSV export is often opened in a spreadsheet, and a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is taken there as a formula (``=HYPERLINK(...)`` in a password
field of a shared vault becomes a link that sends data away: "CSV injection"). Following the
OWASP advice, :class:`CsvOut` writes such a cell with a leading apostrophe ``'``: spreadsheet
apps (Excel, LibreOffice Calc, Google Sheets) read a leading apostrophe as "this cell is text"
and show the value without it, which is what they expect. A password manager importing the file
reads the apostrophe as part of the value, though — so the writer counts the cells it changed
(never their values) and the report says so; ``cxkit convert --csv-raw``
(:class:`CsvWriteOptions` ``raw=True``) writes every cell exactly as it is, for a file that goes
straight into another password manager.

Reading never strips an apostrophe: a cell that begins with ``'`` may be the user's own text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from cxkit.adapters.report import MigrationReport

__all__ = ["FORMULA_START", "CsvOut", "CsvWriteOptions", "neutralise"]

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""


@dataclass(frozen=True)
class CsvWriteOptions:
    """Options of the CSV writers (declared in their ``AdapterInfo.write_options``)."""

    raw: bool = False
    """Write formula-like cells as they are (``--csv-raw``), not with a leading ``'``."""


def neutralise(cell: str) -> str:
    """*cell* with a leading ``'`` when it begins like a formula (see the module docstring)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


class CsvOut:
    """Rows → CSV bytes (UTF-8) through :func:`csv.writer`, formula cells neutralised unless
    *raw*. ``changed`` counts the cells that got an apostrophe."""

    def __init__(
        self,
        *,
        raw: bool = False,
        quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL,
        lineterminator: str = "\r\n",
    ) -> None:
        self.raw = raw
        self.changed = 0
        self._buffer = io.StringIO(newline="")
        self._writer = csv.writer(self._buffer, quoting=quoting, lineterminator=lineterminator)

    def header(self, columns: Iterable[str]) -> None:
        """The header row (column names are the format's own: written as they are)."""
        self._writer.writerow(columns)

    def row(self, cells: Iterable[str]) -> None:
        if self.raw:
            self._writer.writerow(cells)
            return
        out: list[str] = []
        for cell in cells:
            if cell.startswith(FORMULA_START):
                cell = "'" + cell
                self.changed += 1
            out.append(cell)
        self._writer.writerow(out)

    def getvalue(self, report: MigrationReport | None = None) -> bytes:
        """The CSV bytes; with *report*, a warning naming how many cells were neutralised."""
        if report is not None and self.changed:
            report.warnings.append(
                f"{self.changed} CSV cell(s) began with =, +, -, @, tab or CR and were written "
                "with a leading ' so that spreadsheets do not run them as formulas; a password "
                "manager importing the file keeps the ' (use --csv-raw to write them as they are)"
            )
        return self._buffer.getvalue().encode("utf-8")
