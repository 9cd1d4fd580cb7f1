"""The base64url alphabet of decoded ``b64url`` members (CDDL ``b64url = tstr``; RFC 4648 §5).

The model's :data:`~cxkit.cxf.model.B64` members carry no msgspec ``pattern`` (one regular
expression call per value made strict decoding twice as slow, issue #20). What the pattern did
is done here, after a strict decode, in bulk: every b64url value of every item is gathered and
the joined text is matched once. A value outside the alphabet makes its item fail the strict
tier, exactly as the pattern made it fail before, so the tolerant path reports and repairs it.

* :func:`clean` — one structure (any model struct), recursively;
* :func:`items_clean` — a sequence of items at once, the hot path of the decoder.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from itertools import chain
from operator import attrgetter
from typing import Any, Final

from cxkit.cxf import model as m

__all__ = [
    "b64_values",
    "clean",
    "clean_text",
    "ids_clean",
    "items_clean",
    "passkey_structs_clean",
    "passkeys_clean",
    "plan",
]

_ALPHABET: Final = re.compile(r"[A-Za-z0-9_-]*")

#: Per class: (b64 attributes, attributes holding b64 tuples, attributes holding structs).
_Plan = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_PLANS: dict[type, _Plan] = {}


def _kind(annotation: Any) -> str | None:
    """``"b64"``, ``"b64s"`` (a tuple of b64), ``"struct"`` (holds model structs) or None."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        if base is str and any(x is m.B64_META for x in meta):
            return "b64"
        return _kind(base)
    if origin is tuple:
        inner = _kind(typing.get_args(annotation)[0])
        return "b64s" if inner == "b64" else inner
    if origin is not None:  # a union (X | None, the credential and extension unions)
        kinds = {_kind(arg) for arg in typing.get_args(annotation)} - {None}
        if len(kinds) > 1:  # pragma: no cover - the model has no such union
            raise TypeError(f"mixed union in the model: {annotation!r}")
        return kinds.pop() if kinds else None
    if annotation is m.EXTENSION_SLOT or (
        isinstance(annotation, type) and issubclass(annotation, m.CXFStruct)
    ):
        return "struct"
    return None


def _plan(cls: type) -> _Plan:
    found = _PLANS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        rows: dict[str, list[str]] = {"b64": [], "b64s": [], "struct": []}
        for name in getattr(cls, "__struct_fields__"):  # noqa: B009 - any struct class
            if name == "cx_extra":
                continue  # what the model could not hold: never a model value
            kind = _kind(hints[name])
            if kind is not None:
                rows[kind].append(name)
        found = _PLANS[cls] = (tuple(rows["b64"]), tuple(rows["b64s"]), tuple(rows["struct"]))
    return found


def plan(cls: type) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The attributes of ``cls`` holding a b64url value, a tuple of them, and structs."""
    return _plan(cls)


def b64_values(obj: Any) -> list[str]:
    """Every b64url value inside ``obj`` (a model struct, or a tuple of them), empty ones too."""
    out: list[str] = []
    _gather(obj, out, empty=True)
    return out


def _gather(obj: Any, out: list[str], *, empty: bool = False) -> None:
    """Append every b64url value inside ``obj`` (a struct, or a tuple of them) to ``out``
    (an empty one only with ``empty``: it is in the alphabet)."""
    if obj.__class__ is tuple:
        for element in obj:
            _gather(element, out, empty=empty)
        return
    if not isinstance(obj, m.CXFStruct):
        return
    b64, b64s, structs = _plan(obj.__class__)
    for name in b64:
        value = getattr(obj, name)
        if value or (empty and value is not None):
            out.append(value)
    for name in b64s:
        out.extend(getattr(obj, name))
    for name in structs:
        value = getattr(obj, name)
        if value is not None:
            _gather(value, out, empty=empty)


def _ok(values: list[str]) -> bool:
    return _ALPHABET.fullmatch("".join(values)) is not None


#: An ``"id"`` name token not followed by a string of the alphabet (or a value that is "id").
#: The compact spelling is tried first (the second test alone gives the same answer, a tenth
#: slower on compact text).
_ID_SUSPECT: Final = re.compile(rb'"id"(?!:"[A-Za-z0-9_-]*")(?!\s*:\s*"[A-Za-z0-9_-]*")')


def ids_clean(data: bytes) -> bool:
    """Whether every ``"id"`` member of the JSON text ``data`` holds a string of the alphabet:
    one scan of the text. Only meaningful when ``data`` has no ``\\u`` escape (a name could be
    spelled with one); a false alarm (``"id"`` as a value) only costs the walk of the items."""
    return _ID_SUSPECT.search(data) is None


def passkeys_clean(items: Sequence[m.Item]) -> bool:
    """:func:`clean` for the passkeys of ``items`` (their ids aside: see :func:`ids_clean`)."""
    passkey = m.Passkey
    return passkey_structs_clean(
        [c for item in items for c in item.credentials if c.__class__ is passkey]
    )


_PASSKEY_VALUES: Final = attrgetter("credential_id", "user_handle", "key")


def passkey_structs_clean(passkeys: Sequence[m.Passkey]) -> bool:
    """:func:`clean` for ``passkeys`` (their ids aside: see :func:`ids_clean`)."""
    values: list[str] = list(chain.from_iterable(map(_PASSKEY_VALUES, passkeys)))
    for passkey in passkeys:
        if passkey.fido2_extensions is not None:
            _gather(passkey.fido2_extensions, values)
    return _ok(values)


def clean_text(value: str | None) -> bool:
    """Whether one b64url value (or None) uses the base64url alphabet."""
    return value is None or _ALPHABET.fullmatch(value) is not None


def clean(obj: Any) -> bool:
    """Whether every b64url value inside ``obj`` (a model struct) uses the base64url alphabet."""
    values: list[str] = []
    _gather(obj, values)
    return _ok(values)


_ID: Final = attrgetter("id")


def items_clean(items: Sequence[m.Item]) -> bool:
    """Whether every b64url value of ``items`` uses the base64url alphabet: :func:`clean` for a
    whole account at once, with the common shapes (item ids, credentials' direct b64 members,
    the ids of EditableField members) gathered by type in bulk; anything else is walked."""
    values: list[str] = list(map(_ID, items))
    groups: dict[type, list[Any]] = {}
    get = groups.get
    for item in items:
        for credential in item.credentials:
            group = get(credential.__class__)
            if group is None:
                group = groups[credential.__class__] = []
            group.append(credential)
        if item.scope is not None and item.scope.android_apps:
            _gather(item.scope, values)
        if item.extensions:
            _gather(item.extensions, values)
    editable = m.EditableField
    for cls, group in groups.items():
        b64, b64s, fields_at, structs = _bulk_plan(cls)
        for name in b64:
            values.extend(filter(None, map(attrgetter(name), group)))
        for name in b64s:
            for value in map(attrgetter(name), group):
                values.extend(value)
        for name in fields_at:
            fields = [f for f in map(attrgetter(name), group) if f is not None]
            values.extend(filter(None, map(_ID, fields)))
            for f in fields:
                if f.extensions or f.__class__ is not editable:
                    _gather(f, values)
        for name in structs:
            for value in map(attrgetter(name), group):
                if value is not None:
                    _gather(value, values)
    return _ok(values)


_BULK: dict[type, tuple[tuple[str, ...], ...]] = {}


def _bulk_plan(cls: type) -> tuple[tuple[str, ...], ...]:
    """:func:`_plan` with the members holding one EditableField (``EF[...] | None``) apart."""
    found = _BULK.get(cls)
    if found is None:
        b64, b64s, structs = _plan(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        fields_at = tuple(name for name in structs if _is_editable(hints[name]))
        others = tuple(name for name in structs if name not in fields_at)
        found = _BULK[cls] = (b64, b64s, fields_at, others)
    return found


def _is_editable(annotation: Any) -> bool:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Annotated:
        args = [annotation]
    return bool(args) and all(
        typing.get_origin(a) is typing.Annotated and typing.get_args(a)[0] is m.EditableField
        for a in args
    )
