"""Decoding and encoding CXF JSON (spec §2.1), lossless by default.

Decoding takes two paths:

* the **fast path**: each item is decoded by msgspec straight into the frozen model structs,
  which forbid unknown members — valid items (the vast majority) never touch Python code but
  for their extensions, which msgspec decodes and :func:`cxkit.cxf.model.decode_hook` sorts
  (``shared``, or a vendor's kept verbatim);
* the **tolerant path** (:mod:`cxkit.cxf._lenient`): an item the strict decoder rejects, and the
  few containers above items, are rebuilt from decoded JSON; every deviation becomes a finding.

The document keeps a reference to each item's source bytes (``msgspec.Raw``, zero-copy). Because
the model is deeply immutable, an item object that is still in the document is unchanged, and
encoding re-emits its bytes: decoding then encoding keeps every member and every value, including
unknown ones. Edited or new items are encoded from the model together with what the model could
not hold (:class:`~cxkit.cxf.model.Extra`, which travels with each struct).
"""

from __future__ import annotations

import contextlib
import gc
import json
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import msgspec

from cxkit.cxf import b64 as _b64
from cxkit.cxf import model as m
from cxkit.cxf._alphabet import clean, clean_text, ids_clean, items_clean, passkeys_clean
from cxkit.cxf._dupes import duplicate_findings, find_duplicates, has_duplicates, member_name
from cxkit.cxf._lenient import (
    LEGACY_NAMES,
    Context,
    UnusableError,
    build,
    credential_from_json,
    extension_from_json,
    has_json_null,
    json_type,
    max_elements,
    too_many,
)
from cxkit.cxf.findings import Finding
from cxkit.errors import DecodeError, InputTooLargeError, UnsupportedVersionError

__all__ = [
    "DEFAULT_MAX_SIZE",
    "Document",
    "decode",
    "decode_struct",
    "encode",
    "encode_struct",
    "replace",
    "unknown_members",
]

#: Largest document :func:`decode` accepts unless told otherwise (bytes).
DEFAULT_MAX_SIZE: Final = 256 * 1024 * 1024

_TOP: Final = msgspec.json.Decoder(dict[str, msgspec.Raw])
_LIST: Final = msgspec.json.Decoder(list[msgspec.Raw])
_ANY: Final = msgspec.json.Decoder()
_ITEM: Final = msgspec.json.Decoder(m.Item, dec_hook=m.decode_hook)
_CREDENTIAL: Final = msgspec.json.Decoder(m.AnyCredential, dec_hook=m.decode_hook)


def _item_shell_type() -> type[msgspec.Struct]:
    """``Item`` with its credentials and extensions left as raw JSON: the middle tier of item
    decoding, for an item that is fine except for one of its credentials (an unknown type, a
    vendor member) or an extension the strict tier refused (no string ``name``, an unusable
    ``shared`` extension)."""
    hints = typing.get_type_hints(m.Item, include_extras=True)
    raw_list = typing.Annotated[tuple[msgspec.Raw, ...], msgspec.Meta(min_length=1)]
    fields: list[tuple[str, Any, Any] | tuple[str, Any]] = []
    for f in msgspec.structs.fields(m.Item):
        annotation = (
            tuple[msgspec.Raw, ...]
            if f.name == "credentials"
            else raw_list
            if f.name == "extensions"
            else hints[f.name]
        )
        if f.required:
            fields.append((f.name, annotation))
        else:
            fields.append((f.name, annotation, f.default))
    return msgspec.defstruct(
        "ItemShell",
        fields,
        kw_only=True,
        rename="camel",
        forbid_unknown_fields=True,
    )


_ITEM_SHELL: Final = msgspec.json.Decoder(_item_shell_type(), dec_hook=m.decode_hook)
_STRICT_ERRORS: Final = (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError)
_NO_RAW: Final = msgspec.Raw()


def _container_shell(model: type[m.CXFStruct], name: str, **lists: Any) -> type[msgspec.Struct]:
    """A struct with every member of ``model`` as raw JSON (``lists`` overrides some members),
    forbidding unknown members: one scan of the document splits it down to its items."""
    fields: list[tuple[str, Any, Any]] = []
    for f in msgspec.structs.fields(model):
        if f.name == "cx_extra":
            continue
        if f.name in lists:
            fields.append((f.encode_name, lists[f.name], msgspec.field(default_factory=list)))
        else:
            fields.append((f.encode_name, msgspec.Raw, _NO_RAW))
    return msgspec.defstruct(name, fields, forbid_unknown_fields=True)


_ACCOUNT_SHELL: Final = _container_shell(m.Account, "AccountShell", items=list[msgspec.Raw])
_HEADER_SHELL: Final = msgspec.json.Decoder(
    _container_shell(m.Header, "HeaderShell", accounts=list[_ACCOUNT_SHELL])  # type: ignore[valid-type]
)
_ENCODER: Final = msgspec.json.Encoder()
_ACCOUNT_ROOT_KEYS: Final = frozenset({"collections", "username", "email"})

S = TypeVar("S", bound=m.CXFStruct)


@dataclass(frozen=True)
class Screen:
    """What the decoder's one scan of a Header-rooted document saw, for the validator's
    duplicate-member screen (private; issue #20): how many member names the containers (the
    Header and its Accounts) have, the source bytes of their members other than ``accounts``
    and ``items``, and per account (by id) the positions of the items that are not plain strict
    items (they came from the tolerant tiers, or hold an extension kept verbatim: either way
    their model, encoded again, may be longer than their source).

    ``frame``: how long the document would be with its containers written compactly (no space
    between tokens), not counting the items' own bytes: the Header's and Accounts' member names
    as the decoder kept them (a repeated member once), their values' bytes, and the brackets,
    colons and commas of the ``accounts`` and ``items`` arrays, every item counted. When it plus
    the bytes of the items the decoder kept equals the length of the source, the containers hold
    no space and no repeated member (issue #20: the validator then need not count colons)."""

    names: int
    raws: tuple[msgspec.Raw, ...]
    tolerant: Mapping[int, tuple[int, ...]]
    frame: int | None = None


@dataclass(frozen=True)
class Document:
    """A decoded CXF document: the Header, whether the JSON root was an Account, and the
    findings the decoder made (tolerated deviations). Run :func:`cxkit.cxf.validate` for the
    semantic checks."""

    header: m.Header
    account_root: bool = False
    findings: tuple[Finding, ...] = field(default=(), compare=False)
    sources: Mapping[int, tuple[m.Account, list[msgspec.Raw]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """id(account) → (account as decoded, the source bytes of its items), for the lossless
    encoder (private)."""
    source: bytes | None = field(default=None, compare=False, repr=False)
    """The JSON text decoded (private: the validator's duplicate-member check; the item bytes
    above are views of it, so keeping it costs no memory)."""
    screen: Screen | None = field(default=None, compare=False, repr=False)
    """What the decoder saw of the containers (private: the validator's duplicate screen)."""

    @property
    def accounts(self) -> tuple[m.Account, ...]:
        return self.header.accounts

    def items(self) -> Iterator[tuple[m.Account, m.Item]]:
        """Every (account, item) pair, in document order."""
        for account in self.header.accounts:
            for item in account.items:
                yield account, item

    def encode(self, *, normalize: bool = False) -> bytes:
        """See :func:`encode`."""
        return encode(self, normalize=normalize)


def decode(data: bytes | str, *, max_size: int = DEFAULT_MAX_SIZE) -> Document:
    """Decode a CXF document: a Header root, or a bare Account root (spec §1.9 of the notes).

    Tolerated producer quirks become findings on the returned document; only input that is not
    a CXF document at all raises (:class:`~cxkit.errors.DecodeError`,
    :class:`~cxkit.errors.UnsupportedVersionError`, :class:`~cxkit.errors.InputTooLargeError`).
    The collector is paused during the decode (measured: 2–4× faster on large documents).
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:  # RFC 8259 §8.1: parsers MAY ignore it; Windows tools write it
        data = data[3:]
    if len(data) > max_size:
        raise InputTooLargeError(
            f"document is {len(data):,} bytes, over the limit of {max_size:,} bytes",
            hint="raise the limit (--max-size) if the file is really this large",
        )
    escapes = _has_unicode_escape(data)
    # no scan for `null` up front: the strict types refuse it themselves
    # (model._absent_is_not_null); the tolerant builder scans only if it matters
    ctx = Context(None, check_duplicates=escapes or b'"passkey"' in data, escapes=escapes)
    ctx.null_source = data
    ctx.ids_clean = not escapes and ids_clean(data)
    if bom:
        ctx.add("json.bom", "$")
    sources: dict[int, tuple[m.Account, list[msgspec.Raw]]] = {}
    ctx.sources = sources
    with paused_gc():
        try:
            header, account_root = _decode_root(data, ctx)
        except RecursionError:
            raise DecodeError("JSON nested too deeply to be a CXF document") from None
        except UnicodeDecodeError:  # msgspec.Raw parts are checked only when decoded
            raise DecodeError("invalid UTF-8 in a string") from None
        screen = None
        if ctx.containers is not None:
            names, raws, frame = ctx.containers
            screen = Screen(names, raws, ctx.tolerant_items, frame)
        return Document(header, account_root, tuple(ctx.findings), sources, data, screen)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk operation (measured: 2–4× faster on large
    documents). Everything the operation returns is built before the collector resumes, so the
    collection of the new objects happens later, once, at the caller's pace."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def encode(doc: Document, *, normalize: bool = False) -> bytes:
    """Encode a document as CXF JSON (UTF-8).

    By default the encoding is *lossless*: unchanged items are re-emitted from their source
    bytes, and unknown members, unknown credential types and unusable values of edited items are
    written back. With ``normalize=True`` everything is written from the model in the strict
    canonical form of spec §7.6 (unpadded base64url, no nulls, required arrays present, empty
    optional arrays omitted, known enumeration values in lower case); what cxkit does not
    understand (unknown members, credential types, extensions) is still kept, unusable values of
    known members are dropped.
    """
    sources = _Sources({} if normalize else doc.sources)
    if doc.account_root and len(doc.header.accounts) == 1:
        tree: Any = _account_json(doc.header.accounts[0], normalize, sources)
    else:
        tree = _to_json(doc.header, normalize, skip=("accounts",))
        tree["accounts"] = [_account_json(a, normalize, sources) for a in doc.header.accounts]
    return _ENCODER.encode(tree)


def decode_struct(data: bytes | str, cls: type[S]) -> tuple[S, tuple[Finding, ...]]:
    """Decode one structure of the model (a credential, an EditableField, a Collection, ...)
    from JSON, tolerantly. For a credential pass :class:`~cxkit.cxf.model.Credential` to dispatch
    on its ``type``. Raises :class:`~cxkit.errors.DecodeError` when it is not that structure."""
    try:
        value = _ANY.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:
        raise DecodeError(f"not valid JSON: {_clean(exc)}") from None
    except RecursionError:
        raise DecodeError("JSON nested too deeply", location="$") from None
    ctx = Context()
    try:
        if cls is m.Credential:
            obj: Any = credential_from_json(value, "$", ctx)
        elif cls is m.Extension:
            obj = extension_from_json(value, "$", ctx)
        else:
            obj = build(cls, value, "$", ctx, skip=_tag_skip(cls, value))
    except UnusableError as exc:
        raise DecodeError(
            f"not a {cls.__name__}: {exc.message or exc.code}", location="$"
        ) from None
    except RecursionError:
        raise DecodeError("JSON nested too deeply", location="$") from None
    return obj, tuple(ctx.findings)


def _tag_skip(cls: type[m.CXFStruct], value: Any) -> tuple[str, ...]:
    """The tag member (``type`` / ``name``) of a tagged struct: checked, not an unknown member."""
    config = cls.__struct_config__
    if config.tag_field is None:
        return ()
    if isinstance(value, dict) and value.get(config.tag_field, config.tag) != config.tag:
        raise UnusableError("member.wrong-type", f"`{config.tag_field}` is not {config.tag!r}")
    return (config.tag_field,)


def encode_struct(obj: m.CXFStruct, *, normalize: bool = False) -> bytes:
    """Encode one structure of the model as JSON (see :func:`encode`)."""
    return _ENCODER.encode(_to_json(obj, normalize))


def replace(obj: S, /, **changes: Any) -> S:
    """A copy of ``obj`` with ``changes`` (Python attribute names), like
    :func:`dataclasses.replace`. What the model could not hold travels with the copy; source
    spellings of the changed members are no longer written, so an edit never brings old data
    back. (:func:`msgspec.structs.replace` behaves the same.)"""
    return msgspec.structs.replace(obj, **changes)


def unknown_members(obj: m.CXFStruct) -> dict[str, Any]:
    """Members of ``obj``'s JSON object that CXF 1.0 does not define (kept for the round trip)."""
    return {} if obj.cx_extra is None else dict(obj.cx_extra.unknown)


# --------------------------------------------------------------------------- decoding


def _decode_root(data: bytes, ctx: Context) -> tuple[m.Header, bool]:
    # Fast: a Header whose containers hold only known members splits in one scan.
    try:
        shell = _HEADER_SHELL.decode(data)
    except _STRICT_ERRORS:
        shell = None
    shell_accounts: list[Any] | None = getattr(shell, "accounts", None)
    if shell is not None and shell_accounts:
        top = {k: v for k, v in msgspec.structs.asdict(shell).items() if k != "accounts" and v}
        return _decode_header(top, ctx, shell_accounts=shell_accounts)
    try:
        top = _TOP.decode(data)
    except msgspec.ValidationError:
        kind = _root_kind(data)
        raise DecodeError(
            f"not a CXF document: the JSON root is {kind}, expected an object", location="$"
        ) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise DecodeError(f"not valid JSON: {_clean(exc)}") from None

    if "accounts" not in top:
        if "payload" in top:
            return _decode_android_payload(top, ctx)
        _refuse_draft(top)
        if "id" in top and _ACCOUNT_ROOT_KEYS & top.keys():
            ctx.add("document.account-root", "$")
            account = _decode_account(top, "$", ctx)
            header = m.Header(
                version=m.CXF_VERSION,
                exporter_rp_id="",
                exporter_display_name="",
                timestamp=0,
                accounts=(account,),
            )
            return header, True
        names = ", ".join(sorted(top)[:8]) or "none"
        raise DecodeError(
            f"JSON, but not a CXF document: expected a Header (with `accounts`) or an Account "
            f"(with `id` and `items`); its members are: {_clean_text(names)}",
            location="$",
        )
    return _decode_header(top, ctx)


def _decode_header(
    top: dict[str, msgspec.Raw], ctx: Context, shell_accounts: list[Any] | None = None
) -> tuple[m.Header, bool]:
    _refuse_draft(top)
    members = {k: _decode_any(v, f"$.{k}") for k, v in top.items() if k != "accounts"}
    version = members.get("version")
    if isinstance(version, dict):
        major, minor = version.get("major"), version.get("minor")
        if isinstance(major, int) and not isinstance(major, bool) and major != 1:
            raise UnsupportedVersionError(
                f"CXF version {major}.{minor} is not supported: cxkit reads CXF 1.x",
                location="$.version",
            )
        if isinstance(minor, int) and not isinstance(minor, bool) and minor > 0:
            ctx.add(
                "version.newer-minor",
                "$.version.minor",
                f"CXF 1.{minor}: newer than 1.0, read as 1.0",
            )
    if shell_accounts is not None:
        accounts = tuple(
            _decode_account_shell(a, f"$.accounts[{i}]", ctx) for i, a in enumerate(shell_accounts)
        )
        ctx.containers = _container_parts(top, shell_accounts)
    else:
        accounts = _decode_accounts(top["accounts"], ctx)
    header = build(m.Header, members, "$", ctx, preset={"accounts": accounts})
    return header, False


def _container_parts(
    top: dict[str, msgspec.Raw], shell_accounts: list[Any]
) -> tuple[int, tuple[msgspec.Raw, ...], int] | None:
    """The member-name count, member bytes and frame of the containers (see :class:`Screen`);
    None when an account's ``items`` is absent or empty (then whether the name is there is not
    known)."""
    names = 1 + len(top)  # `accounts` and the Header's other members
    raws = list(top.values())
    frame = _object_frame(top, "accounts") + len(shell_accounts) + 1  # `[`, commas, `]`
    for account in shell_accounts:
        if not account.items:
            return None
        members = {k: v for k, v in msgspec.structs.asdict(account).items() if k != "items" and v}
        names += 1 + len(members)  # `items` and the others
        raws += members.values()
        frame += _object_frame(members, "items") + len(account.items) + 1
    return names, tuple(raws), frame


def _object_frame(members: dict[str, msgspec.Raw], list_name: str) -> int:
    """Length of ``{"name":value,...,"list_name":}`` written compactly: an object with
    ``members`` (wire names: nothing to escape) and the array member ``list_name`` last, its
    value not counted."""
    body = sum(len(name) + len(value) for name, value in members.items())
    # per member two quotes, a colon and a comma (one fewer comma than members, plus the list's)
    return 2 + body + 4 * len(members) + len(list_name) + 3


def _decode_account_shell(shell: Any, path: str, ctx: Context) -> m.Account:
    members = {
        k: _decode_any(v, f"{path}.{k}")
        for k, v in msgspec.structs.asdict(shell).items()
        if k != "items" and v
    }
    items, raws = _decode_item_raws(shell.items, f"{path}.items", ctx)
    account: m.Account = build(m.Account, members, path, ctx, preset={"items": items})
    if raws:
        ctx.sources[id(account)] = (account, raws)
        ctx.tolerant_items[id(account)] = tuple(ctx.tolerant)
    return account


def _decode_accounts(raw: msgspec.Raw, ctx: Context) -> tuple[m.Account, ...]:
    try:
        raws = _LIST.decode(raw)
    except msgspec.ValidationError:
        raise DecodeError("`accounts` must be an array", location="$.accounts") from None
    accounts = []
    for index, account_raw in enumerate(raws):
        path = f"$.accounts[{index}]"
        try:
            members = _TOP.decode(account_raw)
        except msgspec.ValidationError:
            ctx.add("member.invalid-element", path, "an account must be an object; skipped")
            continue
        accounts.append(_decode_account(members, path, ctx))
    return tuple(accounts)


def _decode_account(top: dict[str, msgspec.Raw], path: str, ctx: Context) -> m.Account:
    preset: dict[str, Any] = {}
    raws: list[msgspec.Raw] = []
    if "items" in top:
        decoded = _decode_items(top["items"], f"{path}.items", ctx)
        if decoded is not None:
            preset["items"], raws = decoded
    members = {
        k: _decode_any(v, f"{path}.{k}") for k, v in top.items() if k not in preset or k != "items"
    }
    if "items" in preset:
        members.pop("items", None)
    account: m.Account = build(m.Account, members, path, ctx, preset=preset)
    if raws:
        ctx.sources[id(account)] = (account, raws)
    return account


def _decode_items(
    raw: msgspec.Raw, path: str, ctx: Context
) -> tuple[tuple[m.Item, ...], list[msgspec.Raw]] | None:
    try:
        raws = _LIST.decode(raw)
    except msgspec.ValidationError:
        return None  # not an array: the tolerant builder reports it
    return _decode_item_raws(raws, path, ctx)


def _decode_item_raws(
    raws: list[msgspec.Raw], path: str, ctx: Context
) -> tuple[tuple[m.Item, ...], list[msgspec.Raw]]:
    """The items of an account and, aligned with them, their source bytes. The hot loop.

    The strict tier does not check the base64url alphabet per value (:mod:`cxkit.cxf._alphabet`);
    one check in bulk follows: when the document's ``"id"`` members were cleared in its text
    (``ctx.ids_clean``), only the passkeys and the items during whose decoding a struct with
    another b64url member was made (``model.b64_members_made``) are looked at; otherwise every
    b64url value of the items. In the rare account where a value is outside the alphabet, the
    items are decoded again with the check per item, so that such an item takes the tolerant
    path in its place (findings in document order)."""
    mark = len(ctx.findings)
    ctx.alphabet_later = True  # the tolerant tiers too leave it to the check in bulk below
    try:
        items, kept, passkey_items, b64_items, tolerant = _decode_item_loop(raws, path, ctx)
    finally:
        ctx.alphabet_later = False
    if ctx.ids_clean:
        clean_alphabet = passkeys_clean(passkey_items) and items_clean(b64_items)
    else:
        clean_alphabet = items_clean(items)
    if not clean_alphabet:
        del ctx.findings[mark:]
        items, kept, tolerant = _decode_item_loop_checked(raws, path, ctx)
    ctx.tolerant = tolerant
    return tuple(items), kept


class _Loop:
    """What :func:`_decode_item_loop` collects besides the items: the items holding a passkey,
    the items during whose decoding a struct with a b64url member (not ``id``) was made, the
    positions of the items that are not plain strict items (from the tolerant tiers, or holding
    an extension kept verbatim), and the skipped ones."""

    __slots__ = ("b64_items", "passkey_items", "skipped", "tolerant")

    def __init__(self) -> None:
        self.passkey_items: list[m.Item] = []
        self.b64_items: list[m.Item] = []
        self.tolerant: list[int] = []
        self.skipped: list[int] = []


def _decode_item_loop(
    raws: list[msgspec.Raw], path: str, ctx: Context
) -> tuple[list[m.Item], list[msgspec.Raw], list[m.Item], list[m.Item], list[int]]:
    """Items, their source bytes, the items that hold a passkey, the items that made a struct
    with a b64url member other than ``id``, and the positions of the items that are not plain
    strict items; the alphabet is left to the caller's check in bulk.

    A plain strict item is one the strict decoder made with nothing kept verbatim: encoded
    again, it is never longer than its source, which the duplicate-member screens rely on
    (:func:`_may_repeat_passkey_member`, ``validate._proven_unique``). An extension kept
    verbatim (:class:`~cxkit.cxf.model.UnknownExtension`) encodes longer than its source, so
    its item counts with the tolerant ones there (as before the strict tier read extensions).

    The usual item (strict, no passkey) costs its decode, a few counter reads and one append
    (issue #20); the others go through :func:`_decode_other_item`, which does what
    :func:`_decode_item_loop_checked` does for them. A ``null`` makes the strict decode fail
    (model._absent_is_not_null), so the item takes the tolerant path, which reports it."""
    decode = _ITEM.decode
    passkeys_made = m.PASSKEYS_MADE
    counts = m.decode_counters()
    items: list[m.Item] = []
    append = items.append
    loop = _Loop()
    for index, item_raw in enumerate(raws):
        made = passkeys_made[0]
        made_b64 = counts[0]
        made_verbatim = counts[1]
        try:
            strict: m.Item = decode(item_raw)
        except _STRICT_ERRORS:
            item: m.Item | None = None
        else:
            if passkeys_made[0] == made:
                append(strict)
                if counts[0] != made_b64:
                    loop.b64_items.append(strict)
                if counts[1] != made_verbatim:
                    loop.tolerant.append(len(items) - 1)
                continue
            item = strict
        made_at = (made, made_b64, made_verbatim)
        _decode_other_item(item_raw, item, made_at, index, items, loop, path, ctx)
    if not loop.skipped:
        return items, raws, loop.passkey_items, loop.b64_items, loop.tolerant
    gone = set(loop.skipped)
    kept = [r for i, r in enumerate(raws) if i not in gone]
    return items, kept, loop.passkey_items, loop.b64_items, loop.tolerant


def _decode_other_item(
    item_raw: msgspec.Raw,
    item: m.Item | None,
    made_at: tuple[int, int, int],
    index: int,
    items: list[m.Item],
    loop: _Loop,
    path: str,
    ctx: Context,
) -> None:
    """One item of :func:`_decode_item_loop` that the strict decoder refused (``item`` None) or
    that holds a passkey; ``made_at``: the passkey count and :func:`~cxkit.cxf.model.decode_counters`
    before its decode."""
    plain = item is not None and m.decode_counters()[1] == made_at[2]
    if ctx.check_duplicates:
        if plain and not ctx.escapes and len(_ENCODER.encode(item)) == len(item_raw):
            pass  # the length screen of _may_repeat_passkey_member, without copying the bytes
        else:
            text = bytes(item_raw)
            if _may_repeat_passkey_member(text, item if plain else None, ctx.escapes) and (
                has_duplicates(text)
            ):
                item = _decode_item_duplicates(text, f"{path}[{index}]", ctx)
                if item is None:
                    loop.skipped.append(index)
                    return
                _collect(item, made_at, items, loop, plain=False)
                return
    if item is None:
        item = _decode_item_slow(item_raw, path, index, ctx, checked=False)
        if item is None:
            loop.skipped.append(index)
            return
    _collect(item, made_at, items, loop, plain=plain)


def _collect(
    item: m.Item, made_at: tuple[int, int, int], items: list[m.Item], loop: _Loop, *, plain: bool
) -> None:
    """Keep an item of :func:`_decode_other_item` and note what its decoding made (an item
    read past a repeated member counts too: the passkeys it keeps are checked in bulk)."""
    if not plain:
        loop.tolerant.append(len(items))
    items.append(item)
    if m.PASSKEYS_MADE[0] != made_at[0]:
        loop.passkey_items.append(item)
    if m.b64_members_made() != made_at[1]:
        loop.b64_items.append(item)


def _decode_item_loop_checked(
    raws: list[msgspec.Raw], path: str, ctx: Context
) -> tuple[list[m.Item], list[msgspec.Raw], list[int]]:
    """:func:`_decode_item_loop` with the alphabet of each item checked as it is decoded (an
    item with a value outside it takes the tolerant path, which reports it): items, their
    source bytes and the positions of the items that are not plain strict items."""
    decode = _ITEM.decode
    check_duplicates = ctx.check_duplicates
    passkeys_made = m.PASSKEYS_MADE
    counts = m.decode_counters()
    escapes = ctx.escapes
    items: list[m.Item] = []
    kept: list[msgspec.Raw] = []
    tolerant: list[int] = []
    for index, item_raw in enumerate(raws):
        item: m.Item | None = None
        made = passkeys_made[0]
        made_verbatim = counts[1]
        try:
            item = decode(item_raw)
        except _STRICT_ERRORS:
            item = None
        if item is not None and not clean(item):
            item = None
        plain = item is not None and counts[1] == made_verbatim
        if check_duplicates and (item is None or passkeys_made[0] != made):
            text = bytes(item_raw)
            screened = item if plain else None
            if _may_repeat_passkey_member(text, screened, escapes) and has_duplicates(text):
                item = _decode_item_duplicates(text, f"{path}[{index}]", ctx)
                if item is not None:
                    tolerant.append(len(items))
                    items.append(item)
                    kept.append(item_raw)
                continue
        if item is None:
            item = _decode_item_slow(item_raw, path, index, ctx)
            if item is None:
                continue
        if not plain:
            tolerant.append(len(items))
        items.append(item)
        kept.append(item_raw)
    return items, kept, tolerant


def _may_repeat_passkey_member(text: bytes, item: m.Item | None, escapes: bool) -> bool:
    """Whether an item may hold a passkey with a repeated member: the cheap screen before the
    exact check (:func:`~cxkit.cxf._dupes.has_duplicates`). ``item`` is the strict decoder's
    result if it is a plain strict item (see :func:`_decode_item_loop`), else None: then any
    item that names a passkey is checked;
    ``escapes``: the document has a ``\\u`` escape (then every passkey item is checked).

    The screen (issue #20; it replaced a count of member names, 3-4 times as slow): the strict
    item encoded again is never longer than its source text — the same members minus any left
    at their default, each value written in its shortest form (strings without ``\\u``
    escapes come out byte for byte) — and a repeated member in the source makes the source
    longer than that. Equal lengths therefore prove no member repeats anywhere in the item;
    any difference (a repeat, whitespace, a member at its default) sends the item to the exact
    check, where a false alarm costs time only."""
    if item is None or escapes:
        return item is not None or b'"passkey"' in text or b"\\u" in text
    return len(_ENCODER.encode(item)) != len(text)


def _decode_item_slow(
    raw: msgspec.Raw, items_path: str, index: int, ctx: Context, *, checked: bool = True
) -> m.Item | None:
    """An item the strict decoder rejected: the item shell, else the tolerant builder
    (``checked``: as for :func:`_decode_item_shell`)."""
    path = f"{items_path}[{index}]"
    if not has_json_null(bytes(raw)) or _nulls_only_in_extensions(raw):
        try:
            item = _decode_item_shell(raw, path, ctx, checked=checked)
        except _SkipItemError:
            return None
        if item is not None:
            return item
    try:
        value = _decode_any(raw, path)
    except DecodeError:
        # JSON that msgspec cannot hold (a number beyond 64-bit or float range): the standard
        # library can; what still fails costs this item only, not the document. Invalid UTF-8
        # means a damaged file: that refuses the document.
        text = bytes(raw)
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            raise DecodeError("invalid UTF-8 in a string", location=path) from None
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            ctx.add(
                "member.invalid-element",
                path,
                "item skipped: it holds a value that cannot be represented",
            )
            return None
    try:
        built: m.Item = build(m.Item, value, path, ctx)
    except UnusableError as exc:
        ctx.add("member.invalid-element", path, f"item skipped: {exc.message or exc.code}")
        return None
    return built


def _decode_item_duplicates(text: bytes, path: str, ctx: Context) -> m.Item | None:
    """An item that may hold a passkey and has a repeated member name (issue #17): each repeat is
    an error finding; a passkey with one anywhere inside it is refused (kept verbatim as an
    ignored credential, never used), the rest of the item is read (the last value counting)."""
    value, duplicates = find_duplicates(text, path)
    for where, name in duplicates:
        ctx.add(
            "json.duplicate-member",
            where,
            f"member '{member_name(name)}' appears more than once (cxkit reads the last)",
        )
    if not isinstance(value, dict):
        return None
    raw_credentials = value.get("credentials")
    refused: dict[int, str] = {}
    if isinstance(raw_credentials, list):
        for i, credential in enumerate(raw_credentials):
            if not isinstance(credential, dict) or credential.get("type") != "passkey":
                continue
            prefix = f"{path}.credentials[{i}]"
            for where, name in duplicates:
                if where == prefix or where.startswith((prefix + ".", prefix + "[")):
                    refused.setdefault(i, name)
    try:
        item: m.Item = build(m.Item, value, path, ctx)
    except UnusableError as exc:
        ctx.add("member.invalid-element", path, f"item skipped: {exc.message or exc.code}")
        return None
    if not refused:
        return item
    assert isinstance(raw_credentials, list)
    aligned = len(item.credentials) == len(raw_credentials)
    credentials = list(item.credentials)
    for i, credential in enumerate(credentials):
        if not isinstance(credential, m.Passkey):
            continue
        if aligned and i not in refused:
            continue
        name = refused.get(i) or next(iter(refused.values()))
        source = raw_credentials[i] if aligned else {}
        ctx.add(
            "credential.invalid",
            f"{path}.credentials[{i}]",
            f"passkey credential refused: member '{member_name(name)}' appears more than once",
        )
        credentials[i] = m.UnknownCredential(
            credential_type="passkey",
            members={k: v for k, v in source.items() if k != "type"},
            reason="invalid",
        )
    return msgspec.structs.replace(item, credentials=tuple(credentials))


def _nulls_only_in_extensions(raw: msgspec.Raw) -> bool:
    """Whether every ``null`` of an item is inside its ``extensions`` (which the item shell
    decodes tolerantly, so a null there is seen as it is)."""
    try:
        top = _TOP.decode(raw)
    except _STRICT_ERRORS:
        return False
    for key, value in top.items():
        if key == "extensions":
            continue
        text = bytes(value)
        if text.strip() == b"null" or has_json_null(text):  # (a bare null has no ":" before it)
            return False
    return "extensions" in top


def _has_unicode_escape(data: bytes) -> bool:
    """Whether the JSON text ``data`` holds a ``\\u`` escape: a search for the backslash alone
    (memchr; on a 5 MB text without one, over 100 times faster than a search for the two bytes,
    issue #20), then a look at each escape from there; many backslashes: the plain search."""
    position = data.find(b"\\")
    for _ in range(64):
        if position == -1:
            return False
        if data[position + 1 : position + 2] == b"u":
            return True
        position = data.find(b"\\", position + 2)  # past this escape (``\\\\`` included)
    return b"\\u" in data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _SkipItemError(Exception):
    """The item is skipped; its finding is already made."""


def _decode_item_shell(
    raw: msgspec.Raw, path: str, ctx: Context, *, checked: bool = True
) -> m.Item | None:
    """Item-level members strictly, each credential strictly or else tolerantly.

    ``checked``: the base64url alphabet of what is decoded strictly is checked here; without
    it, by the account's check in bulk after the item loop (:func:`_decode_item_raws`), which
    sees this item too and decodes the account again with ``checked`` if a value is outside."""
    try:
        shell = _ITEM_SHELL.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError):
        return None
    scope = getattr(shell, "scope")  # noqa: B009 - dynamic struct
    if checked and not (
        clean_text(getattr(shell, "id"))  # noqa: B009
        and (scope is None or clean(scope))
    ):
        return None
    credentials = []
    raws: tuple[msgspec.Raw, ...] = getattr(shell, "credentials")  # noqa: B009 - dynamic struct
    if len(raws) > max_elements():  # a million damaged credentials: one finding, not a million
        exc = too_many(len(raws))
        ctx.add("member.invalid-element", path, f"item skipped: credentials: {exc.message}")
        raise _SkipItemError
    mark = len(ctx.findings)
    for index, credential_raw in enumerate(raws):
        try:
            strict = _CREDENTIAL.decode(credential_raw)
            if checked and not clean(strict):
                raise msgspec.ValidationError("a b64url value outside the alphabet")
            credentials.append(strict)
        except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError):
            value = _decode_any(credential_raw, f"{path}.credentials[{index}]")
            try:
                credential = credential_from_json(value, f"{path}.credentials[{index}]", ctx)
            except UnusableError:  # not an object: the tolerant builder reports and skips it
                del ctx.findings[mark:]
                return None
            credentials.append(credential)
    extensions = []
    for index, extension_raw in enumerate(getattr(shell, "extensions")):  # noqa: B009
        # as the tolerant builder does it: each by its name, unknown ones kept verbatim
        value = _decode_any(extension_raw, f"{path}.extensions[{index}]")
        try:
            extensions.append(extension_from_json(value, f"{path}.extensions[{index}]", ctx))
        except UnusableError:  # not an extension object: the tolerant builder reports it
            del ctx.findings[mark:]
            return None
    members = msgspec.structs.asdict(shell)  # the shell's fields are the Item's
    members["credentials"] = tuple(credentials)
    members["extensions"] = tuple(extensions)
    return m.Item(**members)


def _decode_any(raw: msgspec.Raw, path: str) -> Any:
    try:
        return _ANY.decode(raw)
    except UnicodeDecodeError:
        raise DecodeError("invalid UTF-8 in a string", location=path) from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise DecodeError(_clean(exc), location=path) from None


def _decode_android_payload(top: dict[str, msgspec.Raw], ctx: Context) -> tuple[m.Header, bool]:
    payload = _decode_any(top["payload"], "$.payload")
    if not isinstance(payload, str):
        raise DecodeError("`payload` must be base64 text", location="$.payload")
    try:
        inner, _ = _b64.decode_lenient(payload)
    except _b64.Base64Error as exc:
        raise DecodeError(f"`payload` is not base64: {exc}", location="$.payload") from None
    ctx.add("document.android-payload", "$.payload")
    # the inner document is decoded as decode() does a document: repeated members of a passkey
    # refused while decoding, every other repeat found here (the validator scans only the
    # outer text, where the inner one is a base64 string; issue #17)
    escapes = _has_unicode_escape(inner)
    inner_ctx = Context(None, check_duplicates=escapes or b'"passkey"' in inner, escapes=escapes)
    inner_ctx.null_source = inner
    inner_ctx.ids_clean = not escapes and ids_clean(inner)
    inner_ctx.sources = ctx.sources
    header, account_root = _decode_root(inner, inner_ctx)
    known = {(f.path, f.message) for f in inner_ctx.findings if f.code == "json.duplicate-member"}
    inner_ctx.findings.extend(duplicate_findings(inner, known))
    ctx.findings.extend(
        Finding(f.severity, f.code, "$.payload" + f.path[1:], f.message) for f in inner_ctx.findings
    )
    return header, account_root


def _refuse_draft(top: dict[str, msgspec.Raw]) -> None:
    version = bytes(top["version"]).strip() if "version" in top else b""
    if "exporter" in top or (version[:1].isdigit()):
        raise UnsupportedVersionError(
            "this is a pre-1.0 CXF working-draft document (integer `version`, `exporter`, "
            "item `type`: the shape of WD 2024-10-03), which CXF 1.0 replaced",
            location="$",
            hint="export again from an app that writes CXF 1.0",
        )


def _root_kind(data: bytes) -> str:
    try:
        value = _ANY.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
        return "not an object"
    kind = json_type(value)
    return f"a{'n' if kind[0] in 'ao' else ''} {kind}"


def _clean(exc: Exception) -> str:
    """msgspec's message without any value it may quote."""
    text = str(exc)
    return _clean_text(text.replace("JSON is malformed: ", "malformed JSON: "))


def _clean_text(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:200]


# --------------------------------------------------------------------------- encoding


class _Sources:
    """Finds the source bytes of unchanged items: a whole unchanged account at once, or item by
    item (by identity) in an account that was rebuilt around some of its old items."""

    def __init__(self, sources: Mapping[int, tuple[m.Account, list[msgspec.Raw]]]) -> None:
        self._accounts = sources
        self._items: dict[int, tuple[m.Item, msgspec.Raw]] | None = None

    def for_account(self, account: m.Account) -> list[msgspec.Raw] | None:
        found = self._accounts.get(id(account))
        return found[1] if found is not None and found[0] is account else None

    def for_item(self, item: m.Item) -> msgspec.Raw | None:
        if self._items is None:
            self._items = {
                id(it): (it, raw)
                for account, raws in self._accounts.values()
                for it, raw in zip(account.items, raws, strict=True)
            }
        found = self._items.get(id(item))
        return found[1] if found is not None and found[0] is item else None


def _account_json(account: m.Account, normalize: bool, sources: _Sources) -> dict[str, Any]:
    out: dict[str, Any] = _to_json(account, normalize, skip=("items",))
    unchanged = sources.for_account(account)
    items: list[Any]
    if unchanged is not None:
        items = list(unchanged)
    else:
        items = []
        for item in account.items:
            raw = sources.for_item(item)
            items.append(raw if raw is not None else _to_json(item, normalize))
    # keep the spec's member order: items before extensions
    ext = out.pop("extensions", None)
    out["items"] = items
    if ext is not None:
        out["extensions"] = ext
    stash = [k for k in list(out) if k not in _ACCOUNT_WIRE]
    for key in stash:
        out[key] = out.pop(key)
    return out


_ACCOUNT_WIRE: Final = frozenset(f.encode_name for f in msgspec.structs.fields(m.Account))


def _to_json(obj: Any, normalize: bool, skip: tuple[str, ...] = ()) -> Any:
    """Model value → JSON-ready builtins (with whatever the model could not hold)."""
    if isinstance(obj, tuple):
        return [_to_json(x, normalize) for x in obj]
    if not isinstance(obj, m.CXFStruct):
        return obj
    if (
        obj.__class__ is m.EditableField
        and obj.cx_extra is None
        and not obj.extensions
        and (not normalize or obj.field_type != "boolean")
    ):
        # nothing to add, drop or normalise: msgspec writes it as this function would
        # (declared order, defaults omitted)
        return obj
    if isinstance(obj, m.UnknownCredential):
        if obj.reason == "invalid" and not obj.credential_type:
            return dict(obj.members)  # no usable `type`: the decoder kept the whole object
        return {"type": obj.credential_type, **_clean_members(obj.members, ("type",))}
    if isinstance(obj, m.UnknownExtension):
        return {"name": obj.extension_name, **_clean_members(obj.members, ("name",))}
    out: dict[str, Any] = {}
    tag_field, tag, plan = _plan(type(obj))
    if tag_field is not None:
        out[tag_field] = tag
    for name, wire, required, may_normalize in plan:
        value = getattr(obj, name)
        if value is None:
            continue
        cls = value.__class__
        if cls is tuple and not value and not required:
            continue
        if skip and name in skip:
            continue
        if may_normalize and normalize:
            value = _normalize_value(obj, name, value)
            cls = value.__class__
        if cls is str or cls is int or cls is bool:
            out[wire] = value
        elif cls is tuple:
            out[wire] = [_to_json(x, normalize) for x in value]
        else:
            out[wire] = _to_json(value, normalize)
    extra = obj.cx_extra
    if extra is None:
        return out
    if not normalize:
        legacy = LEGACY_NAMES.get(type(obj), {})
        for key, (attr, decoded, original) in extra.source.items():
            if getattr(obj, attr) != decoded:
                continue  # edited since decoding: the model value stands
            out[key] = original  # the source spelling of an unchanged member
            if key in legacy:
                out.pop(legacy[key][0], None)
    for key, value in extra.unknown.items():
        out.setdefault(key, value)
    return out


_Plan = tuple[str | None, Any, tuple[tuple[str, str, bool, bool], ...]]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type[Any]) -> _Plan:
    """How :func:`_to_json` writes a class: its tag, and per member (attribute, wire name,
    required, whether :func:`_normalize_value` can change it) — computed once per class."""
    found = _PLANS.get(cls)
    if found is None:
        prescribed = _prescribed(cls) if issubclass(cls, m.Credential) else {}
        rows = []
        for f in _fields(cls):
            if f.name == "cx_extra":
                continue
            may_normalize = bool(
                (issubclass(cls, m.Header) and f.name == "version")
                or prescribed.get(f.name)
                or (issubclass(cls, m.Totp) and f.name in ("algorithm", "secret"))
                or (issubclass(cls, m.EditableField) and f.name == "value")
            )
            rows.append((f.name, f.encode_name, f.required, may_normalize))
        config = cls.__struct_config__
        found = _PLANS[cls] = (config.tag_field, config.tag, tuple(rows))
    return found


_PRESCRIBED_BY_ATTR: dict[type, dict[str, tuple[str, ...]]] = {}


def _prescribed(cls: type[m.CXFStruct]) -> dict[str, tuple[str, ...]]:
    found = _PRESCRIBED_BY_ATTR.get(cls)
    if found is None:
        found = _PRESCRIBED_BY_ATTR[cls] = {a: t for a, _, t in m.prescribed_fields(cls)}
    return found


_FIELDS: dict[type, tuple[msgspec.structs.FieldInfo, ...]] = {}


def _fields(cls: type[Any]) -> tuple[msgspec.structs.FieldInfo, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = msgspec.structs.fields(cls)
    return found


def _clean_members(members: Any, reserved: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in members.items() if k not in reserved}


def _normalize_value(obj: Any, attr: str, value: Any) -> Any:
    """Canonical form of values cxkit understands (spec §7.6): the published version, TOTP
    algorithms and booleans in lower case, canonical Base32 secrets, and every EditableField
    member of a credential with its prescribed fieldType (spec §4.4: the value is kept)."""
    if isinstance(obj, m.Header) and attr == "version":
        return m.CXF_VERSION
    if isinstance(value, m.EditableField) and isinstance(obj, m.Credential):
        field_types = _prescribed(type(obj)).get(attr)
        if field_types and value.field_type not in field_types:
            return msgspec.structs.replace(value, field_type=field_types[0])
        return value
    if isinstance(obj, m.Totp) and attr == "algorithm" and value.lower() in m.Totp.KNOWN_ALGORITHMS:
        return value.lower()
    if isinstance(obj, m.Totp) and attr == "secret":
        try:
            return _b64.canonical_base32(value)
        except _b64.Base64Error:
            return value
    if isinstance(obj, m.EditableField) and attr == "value" and obj.field_type == "boolean":
        lowered = value.strip().lower()
        return lowered if lowered in ("true", "false") else value
    return value
