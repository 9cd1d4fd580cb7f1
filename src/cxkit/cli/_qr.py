"""A QR code drawn on a terminal, as compact as a scanner still reads it.

* the smallest symbol (version) that holds the text, at the highest error correction that
  fits in that version (``segno``'s ``boost_error``);
* two module rows per line with the half blocks ``▀ ▄ █`` and space: the compact pairing
  string of ``cxkit receive`` (``CXP-P0C:`` + base32, QR alphanumeric mode, version 6)
  takes 45 columns × 23 lines, where its 226-character text form (version 9) took 57 × 29;
  an ``otpauth://`` URI of a usual TOTP (version 5–7) fits in 80 × 24;
* *error* asks for at least that error-correction level, and *max_lines* lowers it again
  (down to L) when the code would otherwise be taller than that;
* explicit colours, dark modules black on a white ground (``ESC[30;107m``), so that it scans
  on a dark terminal theme as on a light one; without colour (``NO_COLOR``, ``--no-color``,
  not a terminal) the blocks are the dark modules;
* a quiet zone of 2 modules (ISO/IEC 18004 asks for 4; phone scanners read 2, and it is drawn
  in the white ground, so the terminal's own background never touches the code).
"""

from __future__ import annotations

__all__ = ["QUIET", "draw", "lines_for", "modules", "render"]

QUIET = 2
_ON = "\x1b[30;107m"
_OFF = "\x1b[0m"


def modules(text: str, *, error: str = "l") -> list[list[bool]]:
    """The modules of *text*'s QR code (True = dark), without quiet zone: the smallest version
    at error-correction level *error* (``l m q h``), raised while it fits that version."""
    import segno

    from cxkit.errors import InputError

    try:
        qr = segno.make(text, error=error, boost_error=True, micro=False)
    except segno.DataOverflowError:
        raise InputError("the text is too long for a QR code") from None
    return [[bool(v) for v in row] for row in qr.matrix]


def draw(matrix: list[list[bool]], *, color: bool, quiet: int = QUIET) -> str:
    """*matrix* as lines of half blocks with a quiet zone; *color*: black on white."""
    size = len(matrix[0]) if matrix else 0
    blank = [False] * (size + 2 * quiet)
    rows = [blank] * quiet + [[False] * quiet + r + [False] * quiet for r in matrix]
    rows += [blank] * quiet
    if len(rows) % 2:
        rows.append(blank)
    lines = []
    for y in range(0, len(rows), 2):
        line = "".join(
            "█" if t and b else "▀" if t else "▄" if b else " "
            for t, b in zip(rows[y], rows[y + 1], strict=True)
        )
        lines.append(f"{_ON}{line}{_OFF}" if color else line)
    return "\n".join(lines)


def lines_for(size: int, quiet: int = QUIET) -> int:
    """Terminal lines of a *size*-module code drawn with a *quiet* zone."""
    return (size + 2 * quiet + 1) // 2


def render(text: str, *, color: bool, error: str = "l", max_lines: int | None = None) -> str:
    """*text* as a terminal QR code (see the module's notes)."""
    matrix = modules(text, error=error)
    if max_lines is not None and error != "l" and lines_for(len(matrix)) > max_lines:
        matrix = modules(text, error="l")
    return draw(matrix, color=color)
