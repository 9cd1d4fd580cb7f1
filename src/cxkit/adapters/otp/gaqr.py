"""Google Authenticator "Transfer accounts" payloads: ``otpauth-migration://offline?data=`` and
its protobuf ``MigrationPayload``, encoded and decoded with a minimal protobuf wire codec of our
own (``../shared/formats/totp-apps.md`` §5; no protobuf dependency).

``MigrationPayload``: ``otp_parameters`` (1, repeated message), ``version`` (2), ``batch_size``
(3), ``batch_index`` (4), ``batch_id`` (5, int32: negative values are 10-byte varints).
``OtpParameters``: ``secret`` (1, raw bytes), ``name`` (2), ``issuer`` (3), ``algorithm`` (4: 0
unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5), ``digits`` (5: 0 unspecified, 1 six, 2 eight),
``type`` (6: 0 unspecified, 1 HOTP, 2 TOTP), ``counter`` (7). There is no period: always 30 s.
Unknown fields are skipped (newer apps add field 8, an id) and listed in :attr:`Payload.unknown`.
"""

from __future__ import annotations

import base64
import binascii
import os
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, Sample, WriteOptions
from cxkit.adapters.otp._write import collect, declaration
from cxkit.adapters.otp.entry import Entry, normalize_algorithm, secret_bytes
from cxkit.adapters.report import MigrationReport, Outcome
from cxkit.errors import AdapterError, DecodeError

__all__ = [
    "MAX_PER_QR",
    "GoogleMigrationQrAdapter",
    "Payload",
    "decode_migration",
    "decode_payload",
    "encode_migration",
    "migration_problem",
    "migration_uri",
    "migration_uris",
    "parse_migration_uri",
    "png_sheet",
    "qr_image",
    "qr_modules",
]

MAX_PER_QR: Final = 10
"""Entries per QR code in a batch (Google Authenticator's own exports hold about ten)."""
_MAX_PAYLOAD: Final = 1 << 20

_ALGORITHMS: Final = {0: "sha1", 1: "sha1", 2: "sha256", 3: "sha512", 4: "md5"}
_ALGORITHM_CODES: Final = {"sha1": 1, "sha256": 2, "sha512": 3, "md5": 4}
_DIGITS: Final = {0: 6, 1: 6, 2: 8}
_TYPES: Final = {0: "totp", 1: "hotp", 2: "totp"}


@dataclass
class Payload:
    """A decoded ``MigrationPayload``: its entries (secrets as bytes; ``at`` names the
    protobuf fields present: ``otp_parameters[0].secret`` ...) and batch information."""

    entries: list[Entry] = field(default_factory=list)
    version: int = 0
    batch_size: int = 0
    batch_index: int = 0
    batch_id: int = 0
    unknown: list[str] = field(default_factory=list)
    """Paths of protobuf fields cxkit does not know (``otp_parameters[0].#8``)."""


# =========================================================================== wire format


def _bad(why: str) -> DecodeError:
    return DecodeError(f"not a Google Authenticator migration payload: {why}")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    for i in range(10):
        if pos + i >= len(data):
            raise _bad("a number is cut off")
        byte = data[pos + i]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos + i + 1
    raise _bad("a number is longer than 10 bytes")


def _fields(data: bytes) -> list[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of one message: varints as int, length-delimited as
    bytes, fixed 32/64-bit as int."""
    out: list[tuple[int, int, int | bytes]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _bad("field number 0")
        if wire == 0:
            value, pos = _varint(data, pos)
            out.append((number, wire, value))
        elif wire == 2:
            length, pos = _varint(data, pos)
            if length > len(data) - pos:
                raise _bad("a field runs past the end")
            out.append((number, wire, data[pos : pos + length]))
            pos += length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            if pos + size > len(data):
                raise _bad("a field runs past the end")
            out.append((number, wire, int.from_bytes(data[pos : pos + size], "little")))
            pos += size
        else:
            raise _bad(f"wire type {wire} is not used by this format")
    return out


def _put_varint(out: bytearray, value: int) -> None:
    value &= (1 << 64) - 1  # negative int32/int64 as protobuf writes them (10 bytes)
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return


def _put(out: bytearray, number: int, value: int | bytes) -> None:
    if isinstance(value, bytes):
        _put_varint(out, number << 3 | 2)
        _put_varint(out, len(value))
        out += value
    else:
        _put_varint(out, number << 3)
        _put_varint(out, value)


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _text(value: int | bytes, what: str) -> str:
    if not isinstance(value, bytes):
        raise _bad(f"{what} is not text")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(f"{what} is not UTF-8 text") from None


def _number(value: int | bytes, what: str) -> int:
    if isinstance(value, bytes):
        raise _bad(f"{what} is not a number")
    return value


# =========================================================================== decoding


def decode_payload(data: bytes) -> Payload:
    """A ``MigrationPayload`` protobuf → :class:`Payload`; :class:`DecodeError` when it is not
    one (also when it holds no entry)."""
    if len(data) > _MAX_PAYLOAD:
        raise _bad("larger than 1 MiB")
    payload = Payload()
    for number, _wire, value in _fields(data):
        if number == 1:
            if not isinstance(value, bytes):
                raise _bad("an entry is not a message")
            _entry(payload, value, len(payload.entries))
        elif number == 2:
            payload.version = _number(value, "the version")
        elif number == 3:
            payload.batch_size = _number(value, "the batch size")
        elif number == 4:
            payload.batch_index = _number(value, "the batch index")
        elif number == 5:
            payload.batch_id = _int32(_number(value, "the batch id"))
        else:
            payload.unknown.append(f"#{number}")
    if not payload.entries:
        raise _bad("it holds no account")
    return payload


def _entry(payload: Payload, data: bytes, index: int) -> None:
    where = f"otp_parameters[{index}]"
    secret = b""
    name = issuer = ""
    algorithm, digits, kind, counter = 0, 0, 0, None
    at: dict[str, str] = {}
    for number, _wire, value in _fields(data):
        if number == 1:
            if not isinstance(value, bytes):
                raise _bad(f"{where}: the secret is not bytes")
            secret, at["secret"] = value, f"{where}.secret"
        elif number == 2:
            name, at["account"] = _text(value, f"{where}: the name"), f"{where}.name"
        elif number == 3:
            issuer, at["issuer"] = _text(value, f"{where}: the issuer"), f"{where}.issuer"
        elif number == 4:
            algorithm, at["algorithm"] = _number(value, "the algorithm"), f"{where}.algorithm"
        elif number == 5:
            digits, at["digits"] = _number(value, "the digits"), f"{where}.digits"
        elif number == 6:
            kind, at["kind"] = _number(value, "the type"), f"{where}.type"
        elif number == 7:
            counter, at["counter"] = _number(value, "the counter"), f"{where}.counter"
        else:
            payload.unknown.append(f"{where}.#{number}")
    if algorithm not in _ALGORITHMS or digits not in _DIGITS or kind not in _TYPES:
        raise _bad(f"{where}: an algorithm, digit count or type this format does not define")
    # Google writes the label as "issuer:account" or "account"
    account = name
    prefix, colon, rest = name.partition(":")
    if colon and (not issuer or prefix.strip() == issuer.strip()):
        issuer, account = issuer or prefix.strip(), rest.strip()
    type_name = _TYPES[kind]
    payload.entries.append(
        Entry(
            secret=secret,
            kind=type_name,
            issuer=issuer,
            account=account,
            algorithm=_ALGORITHMS[algorithm],
            digits=_DIGITS[digits],
            period=30,
            counter=(counter or 0) if type_name == "hotp" else counter,
            at=at,
        )
    )


def decode_migration(data: bytes) -> list[Entry]:
    """The entries of a ``MigrationPayload`` protobuf (see :func:`decode_payload`)."""
    return decode_payload(data).entries


def parse_migration_uri(text: str) -> Payload:
    """An ``otpauth-migration://offline?data=…`` URI → its :class:`Payload`; a
    :class:`DecodeError` saying what is wrong (never a value of it)."""
    stripped = text.strip()
    if not stripped.lower().startswith("otpauth-migration://"):
        raise DecodeError("not an otpauth-migration:// URI")
    try:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(stripped).query)
    except ValueError:
        raise DecodeError("the otpauth-migration URI cannot be parsed") from None
    values = query.get("data")
    if not values or not values[0]:
        raise DecodeError("the otpauth-migration URI has no data parameter")
    encoded = values[0].replace(" ", "+")  # a '+' left unescaped reads as a space
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError("the otpauth-migration data is not base64") from None
    return decode_payload(data)


# =========================================================================== encoding


def migration_problem(entry: Entry) -> str:
    """Why *entry* cannot be written to a migration payload as it is ('' when it can):
    Google holds TOTP and HOTP, SHA-1/256/512 (and MD5), 6 or 8 digits, and only 30 s."""
    kind = entry.kind.lower()
    if kind not in ("totp", "hotp"):
        return f"a {kind} entry: Google Authenticator holds only TOTP and HOTP"
    if normalize_algorithm(entry.algorithm) not in _ALGORITHM_CODES:
        return "its hash algorithm is not one Google Authenticator holds"
    if entry.digits not in (6, 8):
        return "Google Authenticator holds only 6 or 8 digits"
    if kind == "totp" and entry.period != 30:
        return "Google Authenticator holds only a 30 s period"
    return ""


def encode_migration(
    entries: Sequence[Entry], *, batch_size: int = 1, batch_index: int = 0, batch_id: int = 0
) -> bytes:
    """A ``MigrationPayload`` protobuf of *entries* (each must pass :func:`migration_problem`;
    ``ValueError`` otherwise). The name is written ``issuer:account`` as Google does."""
    out = bytearray()
    for entry in entries:
        problem = migration_problem(entry)
        if problem:
            raise ValueError(problem)
        kind = entry.kind.lower()
        params = bytearray()
        _put(params, 1, secret_bytes(entry.secret))
        name = (
            f"{entry.issuer}:{entry.account}"
            if entry.issuer and entry.account
            else (entry.account or entry.issuer)
        )
        _put(params, 2, name.encode())
        if entry.issuer:
            _put(params, 3, entry.issuer.encode())
        _put(params, 4, _ALGORITHM_CODES[normalize_algorithm(entry.algorithm)])
        _put(params, 5, 2 if entry.digits == 8 else 1)
        _put(params, 6, 1 if kind == "hotp" else 2)
        if kind == "hotp":
            _put(params, 7, entry.counter or 0)
        _put(out, 1, bytes(params))
    _put(out, 2, 1)
    _put(out, 3, batch_size)
    _put(out, 4, batch_index)
    _put(out, 5, batch_id)
    return bytes(out)


def migration_uri(data: bytes) -> str:
    """``otpauth-migration://offline?data=`` with *data* in standard base64, percent-encoded."""
    encoded = base64.b64encode(data).decode("ascii")
    return "otpauth-migration://offline?data=" + urllib.parse.quote(encoded, safe="")


def migration_uris(entries: Sequence[Entry], batch_id: int, per_qr: int = MAX_PER_QR) -> list[str]:
    """*entries* as a batch of migration URIs of at most *per_qr* entries each (one QR code
    each), numbered as Google numbers them (``batch_size``, ``batch_index``, one ``batch_id``)."""
    chunks = [entries[i : i + per_qr] for i in range(0, len(entries), per_qr)]
    return [
        migration_uri(
            encode_migration(chunk, batch_size=len(chunks), batch_index=i, batch_id=batch_id)
        )
        for i, chunk in enumerate(chunks)
    ]


# =========================================================================== QR images


def qr_image(text: str, scale: int = 6) -> Any:
    """A PIL image (mode ``L``) of the QR code of *text* (error correction M, quiet zone)."""
    import PIL.Image
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image: Any = code.to_image(scale=scale, add_quiet_zones=True)
    view = memoryview(image)
    height, width = image.shape[0], image.shape[1]
    return PIL.Image.frombytes("L", (width, height), view.tobytes())


def qr_modules(text: str) -> list[list[bool]]:
    """The dark modules of the QR code of *text*, quiet zone included (rows of booleans), for
    drawing it on a terminal."""
    image = qr_image(text, scale=1)
    width, height = image.size
    data = image.tobytes()
    return [[data[y * width + x] < 128 for x in range(width)] for y in range(height)]


def png_sheet(texts: Sequence[str], scale: int = 6) -> bytes:
    """One PNG holding the QR codes of *texts* one below the other, each captioned ``n / N`` (a
    migration batch is scanned code after code)."""
    import io

    import PIL.Image
    import PIL.ImageDraw

    images = [qr_image(t, scale) for t in texts]
    caption = 24
    width = max(i.size[0] for i in images)
    height = sum(i.size[1] + caption for i in images)
    sheet = PIL.Image.new("L", (width, height), 255)
    draw = PIL.ImageDraw.Draw(sheet)
    top = 0
    for number, image in enumerate(images, start=1):
        draw.text((8, top + 4), f"{number} / {len(images)}", fill=0)
        sheet.paste(image, ((width - image.size[0]) // 2, top + caption))
        top += image.size[1] + caption
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()


# =========================================================================== the writer

WRITTEN: Final = declaration("Google Authenticator", note=False, favorite=False, groups=False,
                             totp={"period": (Outcome.CARRIED, "always 30 s")})  # fmt: skip


def _fits(entry: Entry) -> str:
    return migration_problem(entry)


class GoogleMigrationQrAdapter:
    """Google Authenticator "Transfer accounts" QR codes, written as one PNG (write only)."""

    info: Final = AdapterInfo(
        key="google-authenticator-qr",
        app="Google Authenticator",
        format="'Transfer accounts' QR codes (otpauth-migration://), one PNG image (write)",
        versions="Google Authenticator 5.10+ (Android), 3.x+ (iOS)",
        capabilities=Capability.WRITE,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_import=(
            "Google Authenticator: Transfer accounts → Import accounts → scan each QR code of the "
            "PNG in turn (at most 10 accounts per code). The image holds the secrets: delete it "
            "after importing."
        ),
        how_to_export=(
            "Not an export cxkit reads in this form: Google Authenticator's own export "
            "(Transfer accounts → Export accounts) shows such QR codes; a screenshot of each is "
            "read with --from google-authenticator."
        ),
        extensions=(".png",),
        plaintext=True,
    )

    def accepts(self, sample: Sample) -> Confidence:
        return Confidence.NO  # written only (the reader of QR images is google-authenticator)

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        written = collect(doc, report, WRITTEN, "Google Authenticator", fits=_fits)
        report.plaintext, report.encrypted = True, False
        if not written:
            raise AdapterError(
                "nothing to write: no one-time password Google Authenticator can hold",
                hint="Google Authenticator holds TOTP/HOTP with 6 or 8 digits and 30 s periods",
            )
        if report.dry_run:
            return b""
        batch_id = _int32(int.from_bytes(os.urandom(4), "big"))
        return png_sheet(migration_uris([w.entry for w in written], batch_id))
