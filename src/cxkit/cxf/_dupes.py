"""Duplicate JSON member names (RFC 8259 §4: names SHOULD be unique; issue #17).

msgspec (and orjson) keep the last of two members with one name without a word; two parsers
that read one file differently is how a signature or a migration becomes an attack (a passkey
with two ``rpId`` members). This module finds them:

* :func:`has_duplicates` — one pass of the standard library's C scanner with a tiny hook that
  keeps nothing (measured: 39 ms on a 5 MB, 10k-item CXF; the document is never materialised);
* :func:`find_duplicates` — the JSON paths and names, for the rare document that has them.

Neither raises on input that is not JSON: the callers' own decoders report that.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, Final

from cxkit.cxf.findings import Finding, make_finding

__all__ = [
    "DuplicateMember",
    "duplicate_findings",
    "find_duplicates",
    "has_duplicates",
    "proven_unique",
]


class _FoundError(Exception):
    """Raised by the scan's hook at the first repeat (ends the scan early)."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check(pairs: list[tuple[str, Any]], _dict: type = dict, _len: Any = len) -> None:
    if _len(pairs) > 1 and _len(_dict(pairs)) != _len(pairs):
        raise _FoundError


_SCAN: Final = json.JSONDecoder(object_pairs_hook=_check, parse_constant=_refuse_constant)


def _text(data: bytes | bytearray | memoryview | str) -> str | None:
    if isinstance(data, str):
        return data
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text[1:] if text.startswith("\ufeff") else text


def has_duplicates(data: bytes | bytearray | memoryview | str) -> bool:
    """Whether any JSON object in ``data`` has two members of one name (False for non-JSON)."""
    text = _text(data)
    if text is None:
        return False
    try:
        _SCAN.decode(text)
    except _FoundError:
        return True
    except (ValueError, RecursionError):
        return False
    return False


class DuplicateMember(tuple[str, str]):
    """``(path, name)``: the JSON path of the object and the repeated member name."""

    __slots__ = ()

    @property
    def path(self) -> str:
        return self[0]

    @property
    def name(self) -> str:
        return self[1]


class _Obj(dict[str, Any]):
    __slots__ = ("repeated", "shadowed")
    repeated: list[str]
    shadowed: list[tuple[str, Any]]
    """The values a later repeat replaced: repeats inside them count too."""


def _keep(pairs: list[tuple[str, Any]]) -> _Obj:
    obj = _Obj(pairs)
    obj.repeated = []
    obj.shadowed = []
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, value in pairs:
            if key in seen and key not in obj.repeated:
                obj.repeated.append(key)
            seen.add(key)
            if obj[key] is not value:
                obj.shadowed.append((key, value))
    return obj


_TREE: Final = json.JSONDecoder(object_pairs_hook=_keep, parse_constant=_refuse_constant)


def find_duplicates(
    data: bytes | bytearray | memoryview | str, base: str = "$"
) -> tuple[Any, list[DuplicateMember]]:
    """The decoded value (objects last-wins, as msgspec reads them) and every repeated member,
    in document order; ``(None, [])`` for non-JSON. Paths are built from ``base``."""
    text = _text(data)
    if text is None:
        return None, []
    try:
        value = _TREE.decode(text)
    except (ValueError, RecursionError):
        return None, []
    found: list[DuplicateMember] = []
    stack: list[tuple[Any, str]] = [(value, base)]
    while stack:  # explicit stack: depth costs no recursion
        node, path = stack.pop()
        if isinstance(node, _Obj):
            found.extend(DuplicateMember((path, name)) for name in node.repeated)
            stack.extend((v, f"{path}.{k}") for k, v in reversed(node.items()))
            stack.extend((v, f"{path}.{k}") for k, v in reversed(node.shadowed))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(node))))
    return value, found


def proven_unique(data: bytes | bytearray | memoryview, value: Any) -> bool:
    """Whether ``data`` provably repeats no member name, given ``value``: ``data`` decoded by
    msgspec or orjson (the last of a repeat wins). False means "not proven" (scan exactly).

    Outside strings, a ``:`` follows each member name and appears nowhere else, so the text's
    colons are its member names plus the colons inside its strings. ``value`` encoded again has
    its own members plus its strings' colons: never more — a repeat leaves one member, and its
    shadowed value's strings are gone — and equal only when nothing repeats. A ``\\u`` escape
    could spell a colon the text does not show: then nothing is proven. Two C passes and one
    encode, about a tenth of :func:`has_duplicates` (issue #20)."""
    import msgspec

    text = data if isinstance(data, bytes) else bytes(data)
    if b"\\u" in text:
        return False
    try:
        again = msgspec.json.encode(value)
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
        return False
    return again.count(b":") == text.count(b":")


def duplicate_findings(
    data: bytes | bytearray | memoryview | str, known: Collection[tuple[str, str]] = ()
) -> list[Finding]:
    """One ``json.duplicate-member`` error finding per repeated member name of ``data``, in
    document order, except those in ``known`` (``(path, message)`` of findings already made)."""
    if not has_duplicates(data):
        return []
    out = []
    for where, name in find_duplicates(data)[1]:
        message = f"member '{member_name(name)}' appears more than once (cxkit reads the last)"
        if (where, message) not in known:
            out.append(make_finding("json.duplicate-member", where, message))
    return out


def member_name(name: str) -> str:
    """A member name fit for a message: printable, at most 40 characters (names, never values)."""
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return clean if len(clean) <= 40 else clean[:37] + "..."
