"""Small helpers for what commands print: tables fitted to the terminal, colour, counts,
masked secrets. Cheap to import (no cxkit layer below the CLI)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxkit.cxf.findings import Finding

MASK = "••••••••"

#: False after ``--no-color``; colour also needs a terminal and no ``NO_COLOR`` variable.
COLOR = True

#: True after ``-q/--quiet``: :func:`err` (status lines, notes, warnings, progress) prints
#: nothing; errors (printed by ``cli.main``) and :func:`must` (what the user needs to go on)
#: still appear.
QUIET = False

#: The progress lines being drawn (``cli._progress.Progress``): a message erases them first, so
#: that it never lands on the end of a bar (the bar is drawn again at its next tick).
ACTIVE: list[Any] = []

_STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def use_color(stream: IO[str] | None = None) -> bool:
    """Colour only on a terminal, not after ``--no-color``, not when ``NO_COLOR`` is set
    (https://no-color.org: any non-empty value), not for ``TERM=dumb``."""
    s = sys.stdout if stream is None else stream
    if not COLOR or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(s, "isatty", None)
    return bool(isatty and isatty())


def style(text: str, *names: str, stream: IO[str] | None = None) -> str:
    """*text* in the named styles (bold, dim, red, green, yellow, cyan) when colour is on."""
    if not names or not use_color(stream):
        return text
    codes = ";".join(_STYLES[n] for n in names)
    return f"\x1b[{codes}m{text}\x1b[0m"


def width() -> int:
    """Columns of the terminal (``COLUMNS`` when set; 80 when not a terminal)."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def table(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] | None = None,
    *,
    max_width: int | None = None,
    keep: Sequence[int] = (),
) -> str:
    """Left-aligned columns separated by two spaces. With *max_width* the widest columns are cut
    (with …) so that every line fits; the columns in *keep* (indexes) are never cut."""
    all_rows = [list(header)] if header else []
    all_rows.extend([list(r) for r in rows])
    if not all_rows:
        return ""
    widths = [max(len(r[i]) for r in all_rows) for i in range(len(all_rows[0]))]
    if max_width is not None and len(widths) > 1:
        # narrow the widest column (never the first) until the lines fit, down to 8 each
        while sum(widths) + 2 * (len(widths) - 1) > max_width:
            cuttable = [
                k for k in range(1, len(widths)) if k not in keep and k - len(widths) not in keep
            ]
            if not cuttable:
                break
            i = max(cuttable, key=lambda k: widths[k])
            if widths[i] <= 8:
                break
            widths[i] -= 1
        for r in all_rows:
            for i, w in enumerate(widths):
                if len(r[i]) > w:
                    r[i] = r[i][: w - 1] + "…"
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in all_rows
    ]
    if header:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def term_width(stream: IO[str] | None = None) -> int | None:
    """The terminal's columns when *stream* (standard output by default) is a terminal; None
    for a pipe or a file (scripts get every value whole)."""
    s = sys.stdout if stream is None else stream
    isatty = getattr(s, "isatty", None)
    return width() if isatty and isatty() else None


def fit(text: str, columns: int | None = None, *, stream: IO[str] | None = None) -> str:
    """*text* with every line longer than *columns* (default: the terminal's, when *stream* —
    standard output by default — is a terminal; else unchanged, for pipes and scripts) wrapped
    at a space, its continuation indented 4 more than the line."""
    import textwrap

    if columns is None:
        s = sys.stdout if stream is None else stream
        isatty = getattr(s, "isatty", None)
        if not (isatty and isatty()):
            return text
    cols = columns or width()
    lines = []
    for line in text.split("\n"):
        if len(line) <= cols:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")))
        lines.extend(
            textwrap.wrap(
                line.lstrip(" "),
                cols,
                initial_indent=indent,
                subsequent_indent=indent + "    ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return "\n".join(lines)


def mask(secret: str | None, reveal: bool) -> str:
    if secret is None:
        return ""
    return secret if reveal else MASK


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    from cxkit.cxf.findings import Severity

    counts = {str(s): 0 for s in Severity}
    for f in findings:
        counts[str(f.severity)] += 1
    return counts


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"


def err(text: str) -> None:
    """A status line on standard error (nothing under ``--quiet``)."""
    if not QUIET:
        _print_err(text)


def _print_err(text: str) -> None:
    """*text* on standard error, with the progress lines erased while it prints."""
    with contextlib.ExitStack() as stack:
        for progress in list(ACTIVE):
            stack.enter_context(progress.printing())
        print(text, file=sys.stderr)


@contextlib.contextmanager
def loud(when: bool = True) -> Iterator[None]:
    """Status lines shown even under ``--quiet`` while the body runs, *when* true: the summary
    a confirmation question asks about is part of the question."""
    global QUIET
    was = QUIET
    if when:
        QUIET = False
    try:
        yield
    finally:
        QUIET = was


def must(text: str) -> None:
    """What the user must see to go on, even under ``--quiet``: a recovery code shown once, a
    pairing string and its QR code, the summary a confirmation asks about."""
    _print_err(text)
