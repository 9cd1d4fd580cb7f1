"""The tolerant decoder: builds model structs from decoded JSON, recording findings.

Used for every structure the strict msgspec decoder rejects (unknown members, producer quirks,
unknown credential types, ...) and for the few containers above items. Driven by the model's
type annotations, so that adding a member to the model needs no change here.

Nothing is dropped: what the model cannot hold goes into the struct's
:class:`~cxkit.cxf.model.Extra` (unknown members, and the source spelling of known members whose
model value differs: unusable values, padded base64, fractional timestamps, ...), which the
lossless encoder writes back.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Union, get_args, get_origin

import msgspec

from cxkit.cxf import b64 as b64mod
from cxkit.cxf import model as m
from cxkit.cxf._alphabet import b64_values, clean
from cxkit.cxf._alphabet import plan as alphabet_plan
from cxkit.cxf.findings import Finding, make_finding

_UINT64_MAX: Final = 2**64 - 1


#: Largest array the tolerant path reads element by element (credentials of an item, fields of a
#: credential, extensions...): each damaged element costs a finding and a few hundred bytes, so
#: a 3 MB file of a million empty credentials would cost 1.2 GB (issue #17). A longer array is
#: unusable (one finding). ``cxkit ... --max-elements N`` raises it (:func:`set_max_elements`).
DEFAULT_MAX_ELEMENTS: Final = 10_000
_MAX_ELEMENTS: list[int] = [DEFAULT_MAX_ELEMENTS]


def set_max_elements(limit: int) -> None:
    """Set the tolerant path's array limit for this process (the CLI's ``--max-elements``)."""
    if limit < 1:
        raise ValueError("the element limit must be at least 1")
    _MAX_ELEMENTS[0] = limit


def max_elements() -> int:
    return _MAX_ELEMENTS[0]


def too_many(count: int) -> UnusableError:
    limit = _MAX_ELEMENTS[0]
    return UnusableError(
        "member.too-many",
        f"{count:,} elements, over the limit of {limit:,} for damaged arrays "
        "(--max-elements raises it)",
    )


class UnusableError(Exception):
    """A value (or a whole structure) the model cannot hold; carries the finding code."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


class Context:
    """Collects findings during one decode."""

    __slots__ = (
        "alphabet_later",
        "check_duplicates",
        "containers",
        "escapes",
        "findings",
        "ids_clean",
        "may_have_null",
        "null_source",
        "sources",
        "tolerant",
        "tolerant_items",
    )

    def __init__(
        self,
        may_have_null: bool | None = True,
        check_duplicates: bool = False,
        escapes: bool = True,
    ) -> None:
        self.findings: list[Finding] = []
        #: id(account) → (account, source bytes of its items), filled by the decoder
        self.sources: dict[int, Any] = {}
        #: Whether the text may hold a ``null``; None: not known yet — scanned for in
        #: ``null_source`` the first time it matters (:func:`_fast_is_exact`; issue #20: the
        #: strict types refuse a null themselves, model._absent_is_not_null, so most documents
        #: never need the scan). True: :func:`build` goes member by member.
        self.may_have_null: bool | None = may_have_null
        self.null_source: bytes = b""
        #: True while the codec decodes an account's items without the alphabet check per
        #: value: the account's check in bulk covers what is built then (codec._decode_item_raws)
        self.alphabet_later = False
        #: True when an item may hold a passkey (its members' duplicates are refused, #17).
        self.check_duplicates = check_duplicates
        #: False when the document has no ``\\u`` escape (no member name spelled with one).
        self.escapes = escapes
        #: True when every ``"id"`` member of the text has a base64url-alphabet string value
        #: (:func:`cxkit.cxf._alphabet.ids_clean`), so the items' ids need no second look.
        self.ids_clean = False
        #: positions of the items of the account decoded last that did not come from the
        #: strict tier; per account (by id), for the validator's duplicate screen
        self.tolerant: list[int] = []
        self.tolerant_items: dict[int, tuple[int, ...]] = {}
        #: (member names, member bytes, frame) of a Header-rooted document's containers, for
        #: the validator's duplicate screen (:class:`cxkit.cxf.codec.Screen`)
        self.containers: tuple[int, tuple[Any, ...], int] | None = None

    def add(self, code: str, path: str, message: str | None = None) -> None:
        self.findings.append(make_finding(code, path, message))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


Converter = Callable[[Any, str, Context], Any]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    attr: str
    wire: str
    required: bool
    is_array: bool
    convert: Converter


# --------------------------------------------------------------------------- scalar converters


def _str(value: Any, path: str, ctx: Context) -> str:
    if isinstance(value, str):
        return value
    raise UnusableError("member.wrong-type", f"expected a string, found {json_type(value)}")


def _bool(value: Any, path: str, ctx: Context) -> bool:
    if isinstance(value, bool):
        return value
    raise UnusableError("member.wrong-type", f"expected a boolean, found {json_type(value)}")


def _int_converter(low: int, high: int) -> Converter:
    def convert(value: Any, path: str, ctx: Context) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise UnusableError(
                "member.wrong-type", f"expected an integer, found {json_type(value)}"
            )
        if not low <= value <= high:
            raise UnusableError("member.out-of-range", f"integer outside {low}..{high}")
        return value

    return convert


def _timestamp(value: Any, path: str, ctx: Context) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnusableError(
            "member.wrong-type", f"expected an integer timestamp, found {json_type(value)}"
        )
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnusableError("timestamp.out-of-range")
        if value < 0:
            raise UnusableError("timestamp.negative")
        if value != int(value):
            ctx.add("timestamp.fractional", path)
        value = int(value)
    if value < 0:
        raise UnusableError("timestamp.negative")
    if value > _UINT64_MAX:
        raise UnusableError("timestamp.out-of-range")
    return int(value)


def _base64url(value: Any, path: str, ctx: Context) -> str:
    if not isinstance(value, str):
        raise UnusableError(
            "member.wrong-type", f"expected base64url text, found {json_type(value)}"
        )
    if value == "" or b64mod.is_canonical(value):
        return value  # empty: kept, the validator reports empty ids and handles
    try:
        data, tolerances = b64mod.decode_lenient(value)
    except b64mod.Base64Error as exc:
        raise UnusableError("b64.invalid", str(exc)) from None
    if not tolerances:
        return value
    for tolerance in tolerances:
        ctx.add(f"b64.{tolerance}", path)
    return b64mod.encode(data)


def _optional_b64(value: Any, path: str, ctx: Context) -> str | None:
    if value == "":
        ctx.add("id.empty" if path.endswith(".id") else "b64.empty", path)
        return None
    return _base64url(value, path, ctx)


# --------------------------------------------------------------------------- structured converters


def _struct_converter(cls: type[m.CXFStruct]) -> Converter:
    def convert(value: Any, path: str, ctx: Context) -> Any:
        return build(cls, value, path, ctx)

    return convert


def _tuple_converter(element: Converter, what: str) -> Converter:
    def convert(value: Any, path: str, ctx: Context) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise UnusableError("member.wrong-type", f"expected an array, found {json_type(value)}")
        if len(value) > _MAX_ELEMENTS[0]:
            raise too_many(len(value))
        out = []
        for index, element_value in enumerate(value):
            element_path = f"{path}[{index}]"
            try:
                out.append(element(element_value, element_path, ctx))
            except UnusableError as exc:
                ctx.add(
                    "member.invalid-element",
                    element_path,
                    f"{what} skipped: {exc.message or exc.code}",
                )
        return tuple(out)

    return convert


def _editable_field(value: Any, path: str, ctx: Context) -> m.EditableField:
    if isinstance(value, dict) and "value" in value and not isinstance(value["value"], str | None):
        raw = value["value"]
        if isinstance(raw, bool):
            text = "true" if raw else "false"
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            text = str(raw)
        else:
            raise UnusableError(
                "member.wrong-type",
                f"field value is a{'n' if json_type(raw)[0] in 'ao' else ''} {json_type(raw)}",
            )
        ctx.add("field.value-not-string", f"{path}.value")
        field: m.EditableField = build(
            m.EditableField,
            {**value, "value": text},
            path,
            ctx,
            source={"value": ("value", text, raw)},
        )
        return field
    result: m.EditableField = build(m.EditableField, value, path, ctx)
    return result


def credential_from_json(value: Any, path: str, ctx: Context) -> m.Credential:
    """Dispatch a credential object on its ``type`` (unknown → :class:`UnknownCredential`)."""
    return _credential(value, path, ctx)


def _credential(value: Any, path: str, ctx: Context) -> m.Credential:
    if not isinstance(value, dict):
        raise UnusableError(
            "member.wrong-type", f"a credential must be an object, found {json_type(value)}"
        )
    type_name = value.get("type")
    members = {k: v for k, v in value.items() if k != "type"}
    if type_name is None and isinstance(value.get("ty"), str):
        ctx.add("credential.legacy-ty", f"{path}.ty")
        type_name = value["ty"]
        members.pop("ty")
    if not isinstance(type_name, str):
        ctx.add("credential.missing-type", path)
        return m.UnknownCredential(credential_type="", members=value, reason="invalid")
    cls = m.CREDENTIAL_TYPES.get(type_name)
    if cls is None:
        ctx.add(
            "credential.unknown-type",
            f"{path}.type",
            f"credential type '{_printable(type_name)}' is not defined by CXF 1.0; kept",
        )
        return m.UnknownCredential(credential_type=type_name, members=members)
    mark = len(ctx.findings)
    try:
        credential: m.Credential = build(cls, value, path, ctx, skip=("type",))
    except UnusableError as exc:
        del ctx.findings[mark:]  # the credential is kept whole; one finding says why
        ctx.add(
            "credential.invalid", path, f"{type_name} credential ignored: {exc.message or exc.code}"
        )
        return m.UnknownCredential(credential_type=type_name, members=members, reason="invalid")
    return credential


def extension_from_json(value: Any, path: str, ctx: Context) -> m.Extension:
    """Dispatch an extension object on its ``name`` (unknown → :class:`UnknownExtension`)."""
    return _extension(value, path, ctx)


def _extension(value: Any, path: str, ctx: Context) -> m.Extension:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise UnusableError("extension.invalid")
    name = value["name"]
    if name == "shared":
        try:
            shared: m.SharedExtension = build(m.SharedExtension, value, path, ctx, skip=("name",))
            return shared
        except UnusableError:
            pass  # kept verbatim as an unknown extension below; the validator reports it
    members = {k: v for k, v in value.items() if k != "name"}
    return m.UnknownExtension(extension_name=name, members=members)


def _printable(text: str, limit: int = 60) -> str:
    if len(text) <= limit and text.isprintable():
        return text  # the usual name: no copy character by character
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


# --------------------------------------------------------------------------- annotation → converter


def _converter_for(annotation: Any, attr: str) -> tuple[Converter, bool]:
    """Converter for a model annotation, and whether the annotation is an array."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = get_args(annotation)
        if base is str and any(x is m.B64_META for x in meta):
            return _base64url, False
        if base is int:
            bounds = next(x for x in meta if isinstance(x, msgspec.Meta))
            if attr in ("creation_at", "modified_at", "timestamp"):
                return _timestamp, False
            high = bounds.le if bounds.le is not None else _UINT64_MAX
            return _int_converter(0, _UINT64_MAX if high >= 2**63 - 1 else int(high)), False
        if base is m.EditableField:
            return _editable_field, False
        return _converter_for(base, attr)
    if origin in (Union, __import__("types").UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            conv, is_array = _converter_for(args[0], attr)
            if conv is _base64url:
                return _optional_b64, is_array
            return conv, is_array
        if all(isinstance(a, type) and issubclass(a, m.Credential) for a in args):
            return _credential, False
        raise TypeError(f"unsupported union in model: {annotation!r}")  # pragma: no cover
    if origin is tuple:
        element, _ = _converter_for(get_args(annotation)[0], attr)
        what = "credential" if element is _credential else "element"
        return _tuple_converter(element, what), True
    if annotation is m.EXTENSION_SLOT:
        return _extension, False
    if annotation is str:
        return _str, False
    if annotation is bool:
        return _bool, False
    if isinstance(annotation, type) and issubclass(annotation, m.CXFStruct):
        return _struct_converter(annotation), False
    raise TypeError(f"unsupported annotation in model: {annotation!r}")  # pragma: no cover


_SPECS: dict[type, dict[str, FieldSpec]] = {}


def specs(cls: type[m.CXFStruct]) -> dict[str, FieldSpec]:
    """Wire name → FieldSpec for a model class (computed once)."""
    found = _SPECS.get(cls)
    if found is not None:
        return found
    hints = typing.get_type_hints(cls, include_extras=True)
    info = msgspec.structs.fields(cls)
    table: dict[str, FieldSpec] = {}
    _SPECS[cls] = table  # registered first: Collection refers to itself
    optional = m.optional_members(cls)
    for f in info:
        if f.name == "cx_extra":
            continue
        convert, is_array = _converter_for(hints[f.name], f.name)
        if convert is _base64url and f.name in optional:
            convert = _optional_b64  # `B64 | None` in the source (model.optional_members)
        table[f.encode_name] = FieldSpec(f.name, f.encode_name, f.required, is_array, convert)
    return table


# --------------------------------------------------------------------------- building structs

#: Structures that are never dropped: a missing required scalar gets a default instead.
_CONTAINERS: Final = (m.Header, m.Account, m.Collection, m.Item)
#: Old spellings accepted on input: class → {old wire name: (new wire name, finding code)}.
LEGACY_NAMES: Final[dict[type, dict[str, tuple[str, str]]]] = {
    m.File: {"integrationHash": ("integrityHash", "file.legacy-integration-hash")},
}
#: Unknown members with a more specific explanation than ``member.unknown``.
_KNOWN_STRANGERS: Final[dict[type, dict[str, str]]] = {
    m.Fido2Extensions: {"hmacSecret": "passkey.legacy-hmac-secret"},
}
#: TOTP defaults from RFC 6238 / Google's key-URI format (spec §3.17).
_TOTP_DEFAULTS: Final[dict[str, Any]] = {"period": 30, "digits": 6, "algorithm": "sha1"}


def build(
    cls: type[m.CXFStruct],
    value: Any,
    path: str,
    ctx: Context,
    *,
    skip: tuple[str, ...] = (),
    preset: dict[str, Any] | None = None,
    source: dict[str, tuple[str, Any, Any]] | None = None,
) -> Any:
    """Build ``cls`` from a decoded JSON object; raise :class:`UnusableError` if it cannot be."""
    if not isinstance(value, dict):
        raise UnusableError("member.wrong-type", f"expected an object, found {json_type(value)}")
    table = specs(cls)
    if not (preset or source or ctx.may_have_null):
        # The strict conversion in C, for the parts of a rejected item that are fine: "converts
        # strictly" means "nothing to report" (a null does not convert: the model's optional
        # members are typed without None at run time, model._absent_is_not_null).
        try:
            converted = msgspec.convert(value, cls, dec_hook=m.decode_hook)
        except (msgspec.ValidationError, TypeError, ValueError):
            if KNOWN_ONLY[0]:
                with_unknown = _convert_with_unknown(cls, value, path, ctx, skip, table)
                if with_unknown is not None:
                    return with_unknown
        else:
            # the b64url alphabet (no msgspec pattern: cxf._alphabet), here or in bulk later
            if (ctx.alphabet_later or clean(converted)) and _fast_is_exact(converted, ctx):
                return converted
    legacy = LEGACY_NAMES.get(cls, {})
    kwargs: dict[str, Any] = dict(preset or {})
    unknown: dict[str, Any] = {}
    source = dict(source or {})
    for key, member in value.items():
        if key in skip:
            continue
        member_path = f"{path}.{key}"
        spec = table.get(key)
        if spec is None and key in legacy:
            new_name, code = legacy[key]
            if new_name not in value:
                ctx.add(code, member_path)
                spec = table[new_name]
        if spec is None:
            unknown[key] = member
            code = _KNOWN_STRANGERS.get(cls, {}).get(key, "member.unknown")
            ctx.add(
                code,
                member_path,
                None if code != "member.unknown" else f"unknown member '{_printable(key)}' kept",
            )
            continue
        if spec.attr in kwargs:
            continue  # preset by the caller
        if member is None:
            ctx.add("json.null", member_path)
            source[key] = (spec.attr, None, member)
            continue
        if spec.is_array and member == [] and not spec.required:
            ctx.add("array.empty-optional", member_path)
            source[key] = (spec.attr, (), member)
            continue
        try:
            converted = spec.convert(member, member_path, ctx)
        except UnusableError as exc:
            source[key] = (spec.attr, None, member)
            if spec.required and not spec.is_array and cls not in _CONTAINERS:
                if cls is m.Totp and spec.wire in _TOTP_DEFAULTS:
                    ctx.add(exc.code, member_path, exc.message)
                    continue
                raise UnusableError(exc.code, f"`{key}`: {exc.message or exc.code}") from None
            ctx.add(exc.code, member_path, exc.message)
            continue
        kwargs[spec.attr] = converted
        if (
            key != spec.wire
            or (not isinstance(converted, m.CXFStruct | tuple) and converted != member)
            or (converted.__class__ is tuple and len(converted) != len(member))
        ):  # (an array that lost unusable elements: the source array is written back)
            source[key] = (spec.attr, converted, member)  # a legacy name or a normalised spelling
    for spec in table.values():
        if not spec.required or spec.attr in kwargs:
            continue
        if spec.is_array:
            kwargs[spec.attr] = ()
            ctx.add("array.missing", f"{path}.{spec.wire}")
        elif cls is m.Totp and spec.wire in _TOTP_DEFAULTS:
            kwargs[spec.attr] = _TOTP_DEFAULTS[spec.wire]
            ctx.add(
                "totp.default-applied",
                f"{path}.{spec.wire}",
                f"`{spec.wire}` missing; {_TOTP_DEFAULTS[spec.wire]} assumed",
            )
        elif cls in _CONTAINERS:
            default = _container_default(spec)
            kwargs[spec.attr] = default
            if spec.wire in source:
                wire_attr, _, original = source[spec.wire]
                source[spec.wire] = (wire_attr, default, original)
            code = "header.missing-member" if cls is m.Header else "member.missing"
            ctx.add(
                code, f"{path}.{spec.wire}", f"required member `{spec.wire}` missing or unusable"
            )
        else:
            raise UnusableError("member.missing", f"required member `{spec.wire}` missing")
    if unknown or source:
        kwargs["cx_extra"] = m.Extra(unknown, source)
    return cls(**kwargs)


def _fast_is_exact(converted: m.CXFStruct, ctx: Context) -> bool:
    """Whether :func:`build` may return what ``msgspec.convert`` made (``ctx.may_have_null`` is
    False or None) exactly as before issue #20: in a text without ``null`` always; otherwise
    only when going member by member would give the same, i.e. every base64url value inside is
    non-empty and canonical (else the converters report it). The text is scanned for ``null``
    only then, once (before, every document was scanned)."""
    if ctx.may_have_null is False:
        return True
    if all(value and b64mod.is_canonical(value) for value in b64_values(converted)):
        return True
    if ctx.may_have_null is None:
        ctx.may_have_null = has_json_null(ctx.null_source)
    return not ctx.may_have_null


def has_json_null(data: bytes) -> bool:
    """Whether ``data`` may hold a JSON ``null`` value (a ``null`` after ``:``, ``,`` or ``[``);
    one fast scan, with a look at the few places where the letters occur."""
    position = data.find(b"null")
    while position != -1:
        before = data[max(0, position - 64) : position].rstrip(b" \t\r\n")
        if before[-1:] in (b":", b",", b"["):
            return True
        position = data.find(b"null", position + 4)
    return False


#: Whether :func:`build` tries :func:`_convert_with_unknown` (tests turn it off to compare).
KNOWN_ONLY: Final[list[bool]] = [True]


def _convert_with_unknown(
    cls: type[m.CXFStruct],
    value: dict[str, Any],
    path: str,
    ctx: Context,
    skip: tuple[str, ...],
    table: dict[str, FieldSpec],
) -> Any:
    """What :func:`build` makes of an object with unknown members (a vendor's member on an item
    or a credential, issue #20) whose other members convert strictly, made in C: the struct of
    the known members, the unknown ones kept (:class:`~cxkit.cxf.model.Extra`) and reported in
    their order. None — :func:`build` then goes member by member — whenever that way could say
    more: a legacy or specially reported member name, or a direct base64url member that is
    empty or not canonical (its converter would report it)."""
    unknown = {k: v for k, v in value.items() if k not in table and k not in skip}
    if not unknown or cls in LEGACY_NAMES or cls in _KNOWN_STRANGERS:
        return None
    try:
        converted = msgspec.convert(
            {k: v for k, v in value.items() if k not in unknown}, cls, dec_hook=m.decode_hook
        )
    except (msgspec.ValidationError, TypeError, ValueError):
        return None
    if not (ctx.alphabet_later or clean(converted)) or not _fast_is_exact(converted, ctx):
        return None
    b64, b64s, _ = alphabet_plan(cls)
    if any(getattr(converted, name) for name in b64s):
        return None
    for name in b64:
        text = getattr(converted, name)
        if text is None:
            continue
        if text == "":
            if name in m.optional_members(cls):
                return None  # `_optional_b64` reports it
        elif not b64mod.is_canonical(text):
            return None
    for key in unknown:
        ctx.add("member.unknown", f"{path}.{key}", f"unknown member '{_printable(key)}' kept")
    return msgspec.structs.replace(converted, cx_extra=m.Extra(unknown, {}))


def _container_default(spec: FieldSpec) -> Any:
    if spec.attr == "version":
        return m.CXF_VERSION
    if spec.convert is _timestamp:
        return 0
    return ""
