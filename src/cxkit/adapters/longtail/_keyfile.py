"""GLib key files (the ``.ini``-like text of NetworkManager connection files and GNOME Keyring's
plain keyring files): ``[group]`` lines, ``key=value`` lines, ``#`` comments. Values unescape
``\\s \\n \\t \\r \\\\`` as ``g_key_file_get_string`` does (an unknown escape is kept as
written, where GLib would refuse the value: hand-made files have them). Errors name the line, never its text.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from cxkit.adapters.kit.input import decode_text
from cxkit.errors import DecodeError, InputTooLargeError

__all__ = ["MAX_KEYFILE", "Entry", "parse_keyfile"]

MAX_KEYFILE: Final = 16 << 20
"""A key file larger than this (16 MiB) is refused."""
_BLANK: Final = " \t"
_ESCAPES: Final = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


class Entry(NamedTuple):
    """One ``key=value`` line: its group, key, unescaped value and line number."""

    group: str
    key: str
    value: str
    line: int

    def __repr__(self) -> str:  # the value may be a secret
        return f"Entry(group={self.group!r}, key={self.key!r}, line={self.line})"


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        code = next(chars, "")
        out.append(_ESCAPES.get(code, "\\" + code))  # an unknown escape kept as written
    return "".join(out)


def parse_keyfile(data: bytes, *, name: str = "") -> list[Entry]:
    """The ``key=value`` entries of a key file, in order, with their groups."""
    if len(data) > MAX_KEYFILE:
        raise InputTooLargeError(f"the file is larger than {MAX_KEYFILE >> 20} MiB",
                                 location=name or None)  # fmt: skip
    text = decode_text(data, name=name)
    entries: list[Entry] = []
    group = ""
    for number, raw in enumerate(text.split("\n"), start=1):  # GLib splits at \n only
        raw = raw.removesuffix("\r")
        line = raw.strip(_BLANK)
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise DecodeError("a malformed [group] line", location=f"{name}:{number}")
            group = line[1:-1]
            continue
        key, sep, value = raw.lstrip(_BLANK).partition("=")
        if not sep or not key.strip(_BLANK):
            raise DecodeError("a line that is neither [group] nor key=value",
                              location=f"{name}:{number}")  # fmt: skip
        if not group:
            raise DecodeError("a key=value line before the first [group]",
                              location=f"{name}:{number}")  # fmt: skip
        value = _unescape(value.lstrip(_BLANK))
        entries.append(Entry(group, key.strip(_BLANK), value, number))
    return entries
