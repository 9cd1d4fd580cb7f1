"""Hypothesis strategies for CXF documents, built from the model by introspection.

* :func:`structs` builds any model struct from its type annotations (EditableFields of every
  fieldType, canonical base64url, integer ranges, optional members sometimes absent);
* :func:`credentials` draws every registered credential type, plus unknown credential types;
* :func:`extensions` draws ``shared`` and vendor extensions;
* :func:`documents` gives a Header-rooted :class:`cxkit.cxf.Document`-to-be as its JSON value,
  optionally with unknown members (random JSON) injected into random objects at any level.

Everything drawn is a *valid* CXF document in the sense of the wire format (it decodes without
raising); the validator may still have things to say (an unknown fieldType, a key that is not
PKCS#8, ...), which is fine: the properties are about the codec.
"""

from __future__ import annotations

import base64
import typing
from typing import Any

import msgspec
from hypothesis import strategies as st

from cxkit.cxf import model as m

__all__ = [
    "b64url",
    "credentials",
    "documents",
    "editable_fields",
    "extensions",
    "inject_unknown",
    "json_values",
    "structs",
    "unknown_credentials",
]

#: A little of everything, including characters that need escaping in JSON.
_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    max_size=12,
)
_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_./", min_size=1, max_size=8)


def b64url(min_size: int = 0, max_size: int = 24) -> st.SearchStrategy[str]:
    """Canonical unpadded base64url text of random bytes."""
    return st.binary(min_size=min_size, max_size=max_size).map(
        lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")
    )


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Random JSON (what unknown members may hold): nulls, bools, int64, finite floats, text."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | _TEXT
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
        max_leaves=max_leaves,
    )


_VALUES = _TEXT | st.sampled_from(["true", "false", "2024-02-29", "2027-08", "DE", "DE-BY"])


def editable_fields(
    field_types: tuple[str, ...] | None = None, *, light: bool = False
) -> st.SearchStrategy[m.EditableField]:
    """EditableFields of every FieldType (and unknown ones) with plausible or random values;
    ``field_types`` restricts the type; ``light`` draws no id, label or extensions (cheap)."""
    if field_types is not None:
        types: st.SearchStrategy[str] = st.sampled_from(field_types)
    else:
        types = st.sampled_from(m.FIELD_TYPES) | st.sampled_from(["totp-secret", "x-vendor-type"])
    if light:
        return st.builds(m.EditableField, field_type=types, value=_VALUES)
    return st.builds(
        m.EditableField,
        field_type=types,
        value=_VALUES,
        id=st.none() | b64url(1, 16),
        label=st.none() | _TEXT,
        extensions=st.just(()) | st.lists(extensions(), min_size=1, max_size=2).map(tuple),
    )


@st.composite
def unknown_extensions(draw: st.DrawFn) -> m.UnknownExtension:
    name = draw(st.from_regex(r"[a-z]{1,8}\.example/[a-z]{1,8}", fullmatch=True))
    members = draw(st.dictionaries(_KEYS.filter(lambda k: k != "name"), json_values(4), max_size=3))
    return m.UnknownExtension(extension_name=name, members=members)


def shared_extensions() -> st.SearchStrategy[m.SharedExtension]:
    accessor = st.builds(
        m.SharingAccessor,
        type=st.sampled_from(["user", "group", "robot"]),
        account_id=b64url(1, 16),
        name=_TEXT,
        permissions=st.lists(
            st.sampled_from(["read", "readSecret", "update", "share", "teleport"]), max_size=3
        ).map(tuple),
    )
    return st.builds(m.SharedExtension, accessors=st.lists(accessor, max_size=3).map(tuple))


def extensions() -> st.SearchStrategy[m.SharedExtension | m.UnknownExtension]:
    return shared_extensions() | unknown_extensions()


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls, include_extras=True)
    return found


def _for_annotation(annotation: Any, depth: int) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        prescribed = next((x for x in meta if isinstance(x, m.Prescribed)), None)
        if prescribed is not None:
            # mostly the prescribed type, cheaply; sometimes anything (a mismatch is valid JSON)
            return st.one_of(
                editable_fields(prescribed.field_types, light=True),
                editable_fields(prescribed.field_types, light=True),
                editable_fields(),
            )
        bounds = next((x for x in meta if isinstance(x, msgspec.Meta)), None)
        if base is str and any(x is m.B64_META for x in meta):
            return b64url(min_size=1)  # "" is a producer quirk (id.empty / b64.empty)
        if base is int and bounds is not None:
            return st.integers(min_value=bounds.ge or 0, max_value=bounds.le)
        if typing.get_origin(base) is tuple and bounds is not None and bounds.min_length:
            return st.just(()) | _tuples(typing.get_args(base)[0], depth, min_size=1)
        return _for_annotation(base, depth)
    if origin in (typing.Union, __import__("types").UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if all(isinstance(a, type) and issubclass(a, m.Credential) for a in args):
            return credentials()
        assert len(args) == 1, annotation
        return _for_annotation(args[0], depth)
    if origin is tuple:
        return _tuples(typing.get_args(annotation)[0], depth)
    if annotation is m.EXTENSION_SLOT:
        return extensions()
    if annotation is str:
        return _TEXT
    if annotation is bool:
        return st.booleans()
    if annotation is m.EditableField:
        return editable_fields()
    if isinstance(annotation, type) and issubclass(annotation, m.CXFStruct):
        return structs(annotation, depth + 1)
    raise TypeError(f"no strategy for {annotation!r}")


def _tuples(element: Any, depth: int, min_size: int = 0) -> st.SearchStrategy[Any]:
    if element is m.Collection and depth >= 2:
        return st.just(())
    return st.lists(_for_annotation(element, depth + 1), min_size=min_size, max_size=2).map(tuple)


def structs(cls: type[m.CXFStruct], depth: int = 0) -> st.SearchStrategy[Any]:
    """Any model struct, from its annotations; optional members are absent half of the time."""
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    hints = _hints(cls)
    for f in msgspec.structs.fields(cls):
        if f.name == "cx_extra":
            continue
        strategy = _for_annotation(hints[f.name], depth)
        if not f.required:
            strategy = st.just(f.default) | strategy
        kwargs[f.name] = strategy
    return st.builds(cls, **kwargs)


_UNKNOWN_TYPE = st.from_regex(r"[a-z]{1,8}(\.example/[a-z]{1,8})?", fullmatch=True).filter(
    lambda t: t not in m.CREDENTIAL_TYPES
)


def unknown_credentials() -> st.SearchStrategy[m.UnknownCredential]:
    return st.builds(
        m.UnknownCredential,
        credential_type=_UNKNOWN_TYPE,
        members=st.dictionaries(_KEYS.filter(lambda k: k != "type"), json_values(4), max_size=3),
    )


def credentials() -> st.SearchStrategy[Any]:
    """Every registered credential type (uniformly), or an unknown one."""
    return st.one_of(
        *[st.deferred(lambda c=cls: structs(c)) for cls in m.CREDENTIAL_TYPES.values()],
        unknown_credentials(),
    )


def items() -> st.SearchStrategy[m.Item]:
    return structs(m.Item)


_ACCOUNTS = st.deferred(lambda: structs(m.Account))


@st.composite
def documents(draw: st.DrawFn, *, unknown_members: bool = True) -> Any:
    """The JSON value of a Header-rooted document drawn from the model."""
    from cxkit import cxf

    accounts = draw(st.lists(_ACCOUNTS, max_size=2))
    header = m.Header(
        version=m.CXF_VERSION,
        exporter_rp_id=draw(_TEXT),
        exporter_display_name=draw(_TEXT),
        timestamp=draw(st.integers(min_value=0, max_value=2**63 - 1)),
        accounts=tuple(accounts),
    )
    value = msgspec.json.decode(cxf.encode(cxf.Document(header)))
    if unknown_members:
        value = draw(inject_unknown(value))
    return value


def json_objects(value: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every JSON object in *value* (depth first), appended to *out*, which is returned."""
    if isinstance(value, dict):
        out.append(value)
        for member in value.values():
            json_objects(member, out)
    elif isinstance(value, list):
        for element in value:
            json_objects(element, out)
    return out


@st.composite
def inject_unknown(draw: st.DrawFn, value: Any) -> Any:
    """Add members named ``xVendor…`` (no CXF member starts with ``x``) holding random JSON to
    random objects of ``value``, at any level (Header down to EditableField and into unknown
    members themselves)."""
    objects: list[dict[str, Any]] = []
    json_objects(value, objects)
    if not objects:
        return value
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        target = draw(st.sampled_from(objects))
        name = draw(st.from_regex(r"xVendor[A-Z][a-z]{0,5}", fullmatch=True))
        target.setdefault(name, draw(json_values(6)))
    return value
