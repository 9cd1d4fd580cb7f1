"""The validator's screen in C (issue #20): the items of an account, encoded once by msgspec
(their canonical JSON, which the duplicate-member screen needs anyway), are decoded again into
*screen structs* that accept an item only when every precise check of :mod:`cxkit.cxf.validate`
is known to pass for it.

What msgspec checks while it decodes (no Python per value): the prescribed ``fieldType`` of each
EditableField and the values of the closed kinds (boolean, Wi-Fi security type, country code) as
``Literal`` sets, TOTP algorithm / period / digits, timestamps up to the year 3000, a non-empty
``credentials`` array, no item extensions, no Android apps, no ``fido2Extensions``; a credential
type the screen does not know fails the union. The rest runs in small ``__post_init__`` hooks
on the few structs that need it (scope URLs, date-like field values, TOTP secrets, passkeys) and,
per item, the checks that look at the whole item (a TOTP issuer named by the item, a passkey-only
item with a scope). A hook raises ``ValueError``: msgspec stops at that item, which becomes a
suspect for the precise pass. Every identifier goes to a list (a ``dec_hook``) for the bulk
checks of the account (empty, length, canonical tail, unique).

Sound by construction: the structs read the model's own encoding, so each accepted item has no
finding the precise pass would make; anything unusual fails and goes to the precise pass.
"""

from __future__ import annotations

import binascii
import functools
import re
import threading
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Final, Literal, NamedTuple, Union

import msgspec
from msgspec import UNSET, Meta, UnsetType

from cxkit.cxf import b64 as b64mod
from cxkit.cxf import model as m
from cxkit.cxf._keys import is_common_webauthn_key, pkcs8_info
from cxkit.cxf.rpid import is_valid_rp_id

__all__ = ["ID_MEMBER", "Scan", "scan_items", "screen_items"]

_YEAR_3000: Final = 32503680000
_MAX_ID_CHARS: Final = 86  # unpadded base64url length of 64 bytes
_MAX_CREDENTIAL_ID_CHARS: Final = 1364  # unpadded base64url length of 1023 bytes
_CHUNK: Final = 16  # items decoded after a failure, doubled after each chunk that passes
_MAX_CHUNK: Final = 4096


#: What the hooks of the item being decoded have seen: a TOTP issuer, or None for a passkey.
#: Module-level for speed (a thread-local costs about a third of the decode); the lock below
#: gives one thread at a time the decode that fills it.
_PENDING: Final[list[str | None]] = []
_LOCK: Final = threading.Lock()


class _S(msgspec.Struct, gc=False, kw_only=True):
    """Base of the screen structs: members not declared are skipped (the input is the model's
    encoding, so every member is a known one)."""


_TYPING: Final[Any] = typing  # the special forms below are built from run-time values


def _one_of(*options: Any) -> Any:
    """``Union[options]`` built at run time (msgspec reads it; a static checker cannot)."""
    return _TYPING.Union[options]


def _literal(values: tuple[str, ...]) -> Any:
    """``Literal[values]`` built at run time."""
    return _TYPING.Literal[values]


def _tuple_of(item: Any) -> Any:
    """``tuple[item, ...]`` built at run time."""
    return tuple.__class_getitem__((item, ...))


_NONE: Final = ()
_Empty = Annotated[tuple[msgspec.Raw, ...], Meta(max_length=0)]
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_COMMON_SCHEMES: Final = ("https:", "http:", "android:", "ios:")  # each matches _SCHEME
_TAIL_2: Final = frozenset("AQgw")
_TAIL_3: Final = frozenset("AEIMQUYcgkosw048")


def _tail_ok(value: str) -> bool:
    rest = len(value) & 3
    if rest == 0:
        return True
    if rest == 1:
        return False
    return value[-1] in (_TAIL_2 if rest == 2 else _TAIL_3)


# --------------------------------------------------------------------------- EditableFields

_COUNTRIES: Final = tuple(chr(a) + chr(b) for a in range(65, 91) for b in range(65, 91))
_CLOSED: Final[dict[str, Any]] = {
    "boolean": Literal["true", "false"],
    "country-code": Literal[_COUNTRIES],  # [A-Z]{2}: 676 values, a set lookup in C
    "wifi-network-security-type": Literal[tuple(sorted(m.Wifi.KNOWN_SECURITY_TYPES))],
}


def _field_struct(
    name: str, field_type: Any, value_check: Callable[[str], bool] | None, closed: Any, **tag: Any
) -> Any:
    """An EditableField screen struct; ``value_check`` (a hook) or ``closed`` (a Literal).
    Without either, ``value`` is not declared: the model holds a string there, which is all the
    precise pass asks of it, and skipping it costs no string per field (issue #20)."""
    fields: list[Any] = []
    if field_type is not None:
        fields.append(("fieldType", field_type))
    if closed is not None or value_check is not None:
        fields.append(("value", closed if closed is not None else str))
    namespace: dict[str, Any] = {}
    if value_check is not None:
        check = functools.lru_cache(maxsize=4096)(value_check)  # card expiries, countries: few

        def post_init(self: Any) -> None:
            if not check(self.value):
                raise ValueError("value")

        namespace["__post_init__"] = post_init
    return msgspec.defstruct(name, fields, bases=(_S,), kw_only=True, namespace=namespace, **tag)


def _field_types(value_checks: dict[str, Callable[[str], bool]]) -> tuple[Any, ...]:
    """The custom-fields member: any FieldType, tagged on ``fieldType``."""
    out = []
    for field_type in m.FIELD_TYPES:
        closed = _CLOSED.get(field_type)
        check = None if closed is not None else value_checks.get(field_type)
        out.append(
            _field_struct(
                f"ScreenField_{field_type}",
                None,
                check,
                closed,
                tag_field="fieldType",
                tag=field_type,
            )
        )
    return tuple(out)


def _prescribed_field(
    prescribed: tuple[str, ...], value_checks: dict[str, Callable[[str], bool]]
) -> Any:
    """The struct of an EditableField member whose fieldType the spec prescribes."""
    closed = [_CLOSED[t] for t in prescribed if t in _CLOSED]
    checks = [value_checks[t] for t in prescribed if t in value_checks and t not in _CLOSED]
    if set(prescribed) == {"wifi-network-security-type", "string"}:
        # either type: the value must be a known security type (the precise check_wifi)
        closed, checks = [_CLOSED["wifi-network-security-type"]], []
    elif len(prescribed) != 1:
        raise AssertionError(f"no screen for prescribed types {prescribed}")
    return _field_struct(
        "ScreenField_" + "_".join(prescribed),
        Literal[prescribed],
        checks[0] if checks else None,
        closed[0] if closed else None,
    )


# --------------------------------------------------------------------------- credentials


_BASE32_SYMBOLS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B64URL_SYMBOLS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _totp_post_init(self: Any) -> None:
    secret = self.secret
    # all symbols Base32 (nothing left after stripping them), a possible length (RFC 4648 §6)
    if not secret or secret.strip(_BASE32_SYMBOLS) or len(secret) % 8 in (1, 3, 6):
        raise ValueError("secret")
    if self.issuer:
        _PENDING.append(self.issuer)


_rp_id_ok: Final = functools.lru_cache(maxsize=4096)(is_valid_rp_id)


def _passkey_post_init(self: Any) -> None:
    cid, handle = self.credentialId, self.userHandle
    if (
        not 0 < len(cid) <= _MAX_CREDENTIAL_ID_CHARS
        or not 0 < len(handle) <= _MAX_ID_CHARS
        or not _tail_ok(cid)
        or not _tail_ok(handle)
        or cid.strip(_B64URL_SYMBOLS)  # a symbol outside the alphabet (b64.is_canonical)
        or handle.strip(_B64URL_SYMBOLS)
        or not _rp_id_ok(self.rpId)
        or not _key_ok(self.key)
    ):
        raise ValueError("passkey")
    _PENDING.append(None)


#: base64url → the standard alphabet for binascii; ``+ / =`` become an invalid symbol
_TO_STANDARD: Final = bytes.maketrans(b"-_+/=", b"+/***")


def _key_ok(key: str) -> bool:
    """A passkey ``key`` is canonical base64url of a PKCS#8 key of a WebAuthn algorithm."""
    if len(key) & 3 == 0:  # the common keys (184 and 64 symbols): decoded and checked in C
        try:
            der = binascii.a2b_base64(key.encode().translate(_TO_STANDARD), strict_mode=True)
        except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
            return False
        if is_common_webauthn_key(der):
            return True
    elif not _tail_ok(key):
        return False
    else:
        try:
            der = b64mod.decode(key)
        except ValueError:
            return False
    try:
        return pkcs8_info(der).webauthn is not None
    except ValueError:
        return False


def _credential_structs(
    value_checks: dict[str, Callable[[str], bool]],
) -> tuple[Any, ...]:
    """One tagged struct per credential type the screen clears; the others fail the union."""
    cache: dict[tuple[str, ...], Any] = {}
    out: list[Any] = []
    for tag, cls in m.CREDENTIAL_TYPES.items():
        if cls in (m.File, m.ItemReference, m.Passport, m.SshKey, m.Totp, m.Passkey):
            continue  # rare types (precise only), and the two below
        if cls is m.CustomFields:
            fields: list[Any] = [
                ("fields", _tuple_of(_one_of(*_field_types(value_checks)))),
            ]
        else:
            fields = []
            for _, wire, prescribed in m.prescribed_fields(cls):
                struct = cache.get(prescribed)
                if struct is None:
                    struct = cache[prescribed] = _prescribed_field(prescribed, value_checks)
                fields.append((wire, Union[struct, UnsetType], UNSET))  # noqa: UP007
        out.append(
            msgspec.defstruct(
                f"Screen_{cls.__name__}",
                fields,
                bases=(_S,),
                kw_only=True,
                tag_field="type",
                tag=tag,
            )
        )
    algorithms = _literal(tuple(sorted(m.Totp.KNOWN_ALGORITHMS)))
    out.append(
        msgspec.defstruct(
            "ScreenTotp",
            [
                ("secret", str),
                ("period", Annotated[int, Meta(ge=1)]),
                ("digits", Annotated[int, Meta(ge=4, le=10)]),
                ("algorithm", algorithms),
                ("issuer", Union[str, None], None),  # noqa: UP007
            ],
            bases=(_S,),
            kw_only=True,
            tag_field="type",
            tag="totp",
            namespace={"__post_init__": _totp_post_init},
        )
    )
    out.append(
        msgspec.defstruct(
            "ScreenPasskey",
            [
                ("credentialId", str),
                ("rpId", str),
                ("userHandle", str),
                ("key", str),
                ("fido2Extensions", None, None),  # present (an object) fails
            ],
            bases=(_S,),
            kw_only=True,
            tag_field="type",
            tag="passkey",
            namespace={"__post_init__": _passkey_post_init},
        )
    )
    out.append(  # kept verbatim, never checked by the precise pass
        msgspec.defstruct(
            "ScreenUnknownCredential",
            [],
            bases=(_S,),
            kw_only=True,
            tag_field="type",
            tag=m.UnknownCredential.__struct_config__.tag,
        )
    )
    return tuple(out)


# --------------------------------------------------------------------------- items


class _Scope(_S):
    urls: tuple[str, ...]
    androidApps: _Empty = _NONE  # noqa: N815 (wire name)

    def __post_init__(self) -> None:
        for url in self.urls:  # the usual schemes without the regular expression
            if not url.startswith(_COMMON_SCHEMES) and _SCHEME.match(url) is None:
                raise ValueError("url")


_Timestamp = Annotated[int, Meta(le=_YEAR_3000)]


def _item_post_init(self: Any) -> None:
    if _PENDING:
        try:
            _item_checks(self, _PENDING)
        finally:
            _PENDING.clear()


def _item_checks(item: Any, pending: list[str | None]) -> None:
    """The checks that look at the whole item: a scope on a passkey-only item, and each TOTP
    issuer named by the title, a URL or a passkey's rpId (validate._mentions)."""
    credentials = item.credentials
    scope = item.scope
    passkey_type = _PASSKEY_STRUCT
    if scope is not UNSET:
        for credential in credentials:
            if type(credential) is not passkey_type:
                break
        else:
            raise ValueError("passkey scope")
    urls: Sequence[str] = () if scope is UNSET else scope.urls
    title = None
    for issuer in pending:
        if issuer is None:
            continue
        needle = issuer.lower()
        if title is None:
            title = item.title.lower()
        if needle in title:
            continue
        for url in urls:
            if needle in url.lower():
                break
        else:
            rp_ids = [c.rpId for c in credentials if type(c) is passkey_type]
            if not _MENTIONS(issuer, item.title, urls, rp_ids):
                raise ValueError("issuer")


_MENTIONS: Callable[[str, str, Sequence[str], list[str]], bool]
_VALUE_CHECKS: dict[str, Callable[[str], bool]] = {}
_PASSKEY_STRUCT: Any = None
_DECODER: msgspec.json.Decoder[Any] | None = None
_ENCODER: Final = msgspec.json.Encoder()


def configure(
    value_checks: dict[str, Callable[[str], bool]],
    mentions: Callable[[str, str, Sequence[str], list[str]], bool],
) -> None:
    """Take the validator's own value checks and issuer test (called once by
    :mod:`cxkit.cxf.validate`, so both passes share one definition of each check); the structs
    are built on first use (about 40 ms: not paid by a program that never validates)."""
    global _MENTIONS, _VALUE_CHECKS, _DECODER
    _MENTIONS = mentions
    _VALUE_CHECKS = value_checks
    _DECODER = None


def _decoder() -> msgspec.json.Decoder[Any]:
    global _PASSKEY_STRUCT, _DECODER
    if _DECODER is not None:
        return _DECODER
    value_checks = _VALUE_CHECKS
    credentials = _credential_structs(value_checks)
    _PASSKEY_STRUCT = next(c for c in credentials if c.__name__ == "ScreenPasskey")
    item = msgspec.defstruct(
        "ScreenItem",
        [
            ("title", str),
            ("credentials", Annotated[_tuple_of(_one_of(*credentials)), Meta(min_length=1)]),
            ("creationAt", Union[_Timestamp, UnsetType], UNSET),  # noqa: UP007
            ("modifiedAt", Union[_Timestamp, UnsetType], UNSET),  # noqa: UP007
            ("scope", Union[_Scope, UnsetType], UNSET),  # noqa: UP007
            ("extensions", _Empty, _NONE),
        ],
        bases=(_S,),
        kw_only=True,
        namespace={"__post_init__": _item_post_init},
    )
    _DECODER = decoder = msgspec.json.Decoder(list[item])  # type: ignore[valid-type]
    return decoder


_AT: Final = re.compile(r" - at `\$\[(\d+)\][^`]*`$")
#: An identifier member in msgspec's encoding of the model (compact, no space): the value's JSON
#: text up to the next quote, equal to the value itself when it is base64url (an escape there
#: leaves a backslash, which fails the alphabet test of the validator's ``_ids_ok``).
ID_MEMBER: Final = re.compile(rb'"id":"([^"]*)"')
_SCAN_CHUNK: Final = 1024  # items encoded at a time by scan_items (about 0.5 MB: cache-sized)


class Scan(NamedTuple):
    """What :func:`scan_items` learnt of a sequence of items from their encoding."""

    length: int
    """Bytes of the items' encoding, each item's own bytes only (no brackets, no commas)."""
    ids: list[bytes]
    """Every identifier member of the encoding (:data:`ID_MEMBER`), in order."""
    failed: list[int] | None
    """As :func:`screen_items` returns it: the positions the screen cannot clear, or None."""


def scan_items(items: Sequence[m.Item]) -> Scan | None:
    """Encode ``items`` a chunk at a time into one reused buffer and, per chunk while it is in
    the cache, take its length and identifiers and decode it into the screen structs (issue
    #20: the whole encoding is never held, and each byte is read from the cache, not memory).
    A chunk the screen refuses hands the rest of the screen to :func:`screen_items`' loop from
    that chunk on; the length and identifiers are still taken for every chunk. None when the
    items cannot be encoded (something no strict item holds)."""
    length = 0
    ids: list[bytes] = []
    buffer = bytearray()
    encode_into = _ENCODER.encode_into
    findall = ID_MEMBER.findall
    refused: int | None = None
    with _LOCK:
        decode = _decoder().decode
        try:
            for start in range(0, len(items), _SCAN_CHUNK):
                part = items[start : start + _SCAN_CHUNK]
                encode_into(part, buffer)
                length += len(buffer) - len(part) - 1
                ids += findall(buffer)
                if refused is None:
                    _PENDING.clear()
                    try:
                        decode(buffer)
                    except msgspec.ValidationError:
                        refused = start
            failed: list[int] | None = []
            if refused is not None:
                stop = min(refused + _SCAN_CHUNK, len(items))
                text = _ENCODER.encode(items[refused:stop])
                failed = _screen_from(items, refused, stop, text, decode)
        except (TypeError, ValueError, msgspec.EncodeError):
            return None
        finally:
            _PENDING.clear()
    return Scan(length, ids, failed)


def screen_items(items: Sequence[m.Item], encoded: bytes | None = None) -> list[int] | None:
    """Positions (in ``items``) of the items the screen cannot clear; None when the items cannot
    be encoded or a failure is not inside an item (then nothing is known). ``encoded``:
    ``items`` as msgspec encodes them, if already made."""
    with _LOCK:
        decode = _decoder().decode
        try:
            text = encoded if encoded is not None else _ENCODER.encode(items)
            return _screen_from(items, 0, len(items), text, decode)
        except (TypeError, ValueError, msgspec.EncodeError):
            return None
        finally:
            _PENDING.clear()


def _screen_from(
    items: Sequence[m.Item],
    start: int,
    stop: int,
    text: bytes,
    decode: Callable[[bytes], Any],
) -> list[int] | None:
    """The screen of ``items[start:]``, ``text`` holding ``items[start:stop]`` encoded: after a
    failure the rest is encoded again in chunks of 16 items, doubled after each chunk that
    passes (the caller holds the lock; may raise what encoding raises)."""
    failed: list[int] = []
    limit = max(32, len(items) // 32)  # more failures: the rest goes to the screen over the model
    chunk = _CHUNK
    _PENDING.clear()
    while True:
        try:
            decode(text)
        except msgspec.ValidationError as exc:
            found = _AT.search(str(exc))
            if found is None:
                return None
            bad = start + int(found[1])
            failed.append(bad)
            _PENDING.clear()
            start, chunk = bad + 1, _CHUNK
            if len(failed) > limit:
                failed.extend(range(start, len(items)))
                return failed
        else:
            start = stop
            chunk = min(chunk * 2, _MAX_CHUNK)
        if start >= len(items):
            return failed
        stop = min(start + chunk, len(items))
        text = _ENCODER.encode(items[start:stop])
