"""CXP profile P0: request digest, HPKE binding, per-file keys, JWE files, zip layout,
importer checks, the passphrase-sealed archive and the importer key file.

This module implements ``docs/profile-p0.md`` (the project's own profile for the gaps of CXP WD
2024-10-03). The recipes:

* importer: :func:`make_request` → send ``request.to_json()`` → :func:`open_response`;
* exporter: :func:`seal_response` (the CXF document stays opaque JSON bytes here; attachments are
  ``{File.id: bytes}``);
* backup / file hand-over: :func:`seal_archive` / :func:`open_archive` (Argon2id-derived key);
* :func:`request_digest`, :func:`request_fingerprint` for humans to compare;
* :func:`serialize_importer_key` / :func:`parse_importer_key` (optionally passphrase-sealed).

Time (``now=``) and randomness (``_ephemeral=``, ``_iv=``, ``_keys=``) are injectable for
deterministic vectors; the underscore parameters are for tests only.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec
import rfc8785

from cxkit.crypto import jwe
from cxkit.crypto._b64 import b64u_decode, b64u_encode, b64u_encode_bytes
from cxkit.crypto.hpke import KEM, PrivateKey, PublicKey, RecipientContext, Suite, kem_id
from cxkit.crypto.jwk import jwk_to_public_key, public_key_to_jwk
from cxkit.crypto.passphrase import (
    DEFAULT_PARAMS,
    Argon2Params,
    WrongSecretError,
    derive_ikm,
    open_with_secret,
    seal_with_secret,
)
from cxkit.crypto.safezip import DEFAULT_LIMITS, ZipLimits, read_zip, write_zip
from cxkit.cxp.messages import (
    MAX_MESSAGE_SIZE,
    ExportRequest,
    ExportResponse,
    HPKEParameters,
    check_version,
    parse_json,
    select_archive,
    select_hpke,
)
from cxkit.errors import (
    CxkitError,
    DecodeError,
    DecryptionError,
    InputError,
    InvalidKeyError,
    ProtocolError,
)

__all__ = [
    "ARCHIVE_PROFILE",
    "DEFAULT_SUITES",
    "DOCUMENTS_PREFIX",
    "FILE_KEY_LABEL",
    "INDEX_PATH",
    "INFO_LABEL",
    "KEY_LIFETIME",
    "PSK_ID",
    "SUPPORTED_SUITES",
    "TIMESTAMP_SKEW",
    "AttachmentMismatchError",
    "ImporterKey",
    "OpenedExport",
    "P0Error",
    "file_key_context",
    "hpke_info",
    "make_request",
    "open_archive",
    "open_response",
    "parse_importer_key",
    "request_digest",
    "request_fingerprint",
    "seal_archive",
    "seal_response",
    "serialize_importer_key",
]

PROFILE: Final = "cxp-profile-p0"
INFO_LABEL: Final = b"cxp-profile-p0 request-sha256\x00"
FILE_KEY_LABEL: Final = b"cxp-profile-p0 file-key\x00"
PSK_ID: Final = b"cxp-profile-p0 lan"
ARCHIVE_PROFILE: Final = "cxp-profile-p0-file"
KEY_FILE_PROFILE: Final = "cxp-profile-p0-importer-key"
ARCHIVE_IMPORTER: Final = "cxkit.archive"
INDEX_PATH: Final = "CXP-Export/index.jwe"
DOCUMENTS_PREFIX: Final = "CXP-Export/documents/"
FILE_ID_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,86}\Z")
TIMESTAMP_SKEW: Final = 300
KEY_LIFETIME: Final = 600

DEFAULT_SUITES: Final = ((32, 1, 2), (16, 1, 1))
"""What an importer offers, in order: X25519/HKDF-SHA256/AES-256-GCM, P-256/…/AES-128-GCM."""
SUPPORTED_SUITES: Final = frozenset(
    (kem, 1, aead) for kem in (0x0010, 0x0020) for aead in (0x0001, 0x0002, 0xFFFF)
)
"""What cxkit accepts as exporter/importer: KEM 16/32, HKDF-SHA256, AEAD 1, 2, 65535."""
_CEK_LENGTH: Final = {0x0001: 16, 0x0002: 32, 0xFFFF: 32}
_PAYLOAD_CHUNK: Final = 3 << 18  # multiple of 3: base64 chunks concatenate cleanly
_PAYLOAD_TEXT_CHUNK: Final = 1 << 20  # multiple of 4: whole base64 groups


class P0Error(ProtocolError):
    """A P0 importer check failed (names, references, exporter, timestamp, key state)."""


class AttachmentMismatchError(P0Error):
    """An attachment's size or SHA-256 differs from its CXF ``file`` credential."""


# --------------------------------------------------------------------------- primitives


def request_digest(request: ExportRequest | Mapping[str, Any]) -> bytes:
    """``SHA-256(JCS(request))`` over the request exactly as sent/received (unknown members too)."""
    wire = request.wire() if isinstance(request, ExportRequest) else request
    try:
        canonical = rfc8785.dumps(wire)
    except Exception as exc:
        raise DecodeError("the request cannot be canonicalised (RFC 8785)") from exc
    return hashlib.sha256(canonical).digest()


def request_fingerprint(request: ExportRequest | Mapping[str, Any]) -> str:
    """First 128 bits of the request digest as 8 groups of 4 hex digits, for humans."""
    h = request_digest(request)[:16].hex()
    return " ".join(h[i : i + 4] for i in range(0, 32, 4))


def hpke_info(digest: bytes) -> bytes:
    """``"cxp-profile-p0 request-sha256" ‖ 0x00 ‖ digest`` (62 bytes)."""
    return INFO_LABEL + digest


def file_key_context(path: str) -> bytes:
    """HPKE exporter context for one zip entry: ``"cxp-profile-p0 file-key" ‖ 0x00 ‖ path``."""
    return FILE_KEY_LABEL + path.encode("utf-8")


def _now(now: float | None) -> int:
    return int(time.time() if now is None else now)


# --------------------------------------------------------------------------- importer key


class ImporterKey:
    """The importer's private side of one request: one private key per offered KEM, the request
    digest it belongs to, its lifetime and (LAN mode) the PSK. Single use: :meth:`destroy`.

    The ``repr`` never shows key material.
    """

    def __init__(
        self,
        keys: Mapping[KEM, PrivateKey],
        request_sha256: bytes,
        *,
        created_at: int | None,
        expires_at: int | None,
        psk: bytes | None = None,
    ) -> None:
        self._keys: dict[KEM, PrivateKey] = dict(keys)
        self.request_sha256 = request_sha256
        self.created_at = created_at
        self.expires_at = expires_at
        self._psk = psk
        self.destroyed = False

    def destroy(self) -> None:
        """Drop the private keys (Python cannot wipe memory; the references go)."""
        self._keys.clear()
        self._psk = None
        self.destroyed = True

    @property
    def psk(self) -> bytes | None:
        return self._psk

    def private_key(self, kem: KEM | int, *, now: float | None = None) -> PrivateKey:
        if self.destroyed:
            raise P0Error(
                "the importer key was already used or destroyed (single use)",
                hint="make a new request",
            )
        if self.expires_at is not None and _now(now) > self.expires_at:
            raise P0Error("the importer key has expired", hint="make a new request")
        key = self._keys.get(kem_id(kem))
        if key is None:
            raise P0Error("the importer holds no key for the KEM the exporter chose")
        return key

    def __repr__(self) -> str:
        kems = ",".join(k.name for k in self._keys)
        state = "destroyed" if self.destroyed else f"keys={kems}"
        return f"ImporterKey({state}, request={self.request_sha256[:8].hex()}…, secret=<redacted>)"


def make_request(
    *,
    importer: str,
    suites: Iterable[tuple[int, int, int]] = DEFAULT_SUITES,
    mode: str = "direct",
    credential_types: Iterable[str] | None = None,
    known_extensions: Iterable[str] | None = None,
    psk: bytes | None = None,
    lifetime: int | None = KEY_LIFETIME,
    now: float | None = None,
    _keys: Mapping[int, PrivateKey] | None = None,
) -> tuple[ExportRequest, ImporterKey]:
    """A fresh ExportRequest (WD shape, ``version: 0``) and its :class:`ImporterKey`.

    One fresh key pair per KEM; with *psk* (LAN mode, ≥ 32 bytes) the entries use ``"psk"``.
    ``lifetime`` in seconds (``None``: no expiry, e.g. for the two-file hand-over).
    """
    keys: dict[KEM, PrivateKey] = {}
    entries = []
    for kem, kdf, aead in suites:
        if (kem, kdf, aead) not in SUPPORTED_SUITES:
            raise ProtocolError(f"suite {kem}/{kdf}/{aead} is not part of profile P0")
        k = kem_id(kem)
        if k not in keys:
            given = (_keys or {}).get(int(k))
            keys[k] = given if given is not None else PrivateKey.generate(k)
        entries.append(
            HPKEParameters(
                "psk" if psk is not None else "base",
                kem,
                kdf,
                aead,
                public_key_to_jwk(keys[k].public_key),
            )
        )
    if not entries:
        raise ProtocolError("a request needs at least one HPKE suite")
    if psk is not None and len(psk) < 32:
        raise InvalidKeyError("the PSK must be at least 32 bytes")
    request = ExportRequest(
        hpke=tuple(entries),
        importer=importer,
        archive=("deflate",),
        mode=(mode,),
        credential_types=None if credential_types is None else tuple(credential_types),
        known_extensions=None if known_extensions is None else tuple(known_extensions),
    )
    created = _now(now)
    key = ImporterKey(
        keys,
        request_digest(request),
        created_at=created,
        expires_at=None if lifetime is None else created + lifetime,
        psk=psk,
    )
    return request, key


def serialize_importer_key(
    key: ImporterKey,
    secret: str | None = None,
    *,
    params: Argon2Params = DEFAULT_PARAMS,
) -> bytes:
    """The key file (UTF-8 JSON; the caller writes it with mode 0600).

    ``{"profile": "cxp-profile-p0-importer-key", "request_sha256", "created", "expires",
    "keys": [{"kem", "sk"}], "psk"?}``; with *secret*, that JSON sealed by
    :func:`~cxkit.crypto.passphrase.seal_with_secret`.
    """
    if key.destroyed:
        raise P0Error("the importer key was destroyed")
    doc: dict[str, Any] = {
        "profile": KEY_FILE_PROFILE,
        "request_sha256": b64u_encode(key.request_sha256),
        "created": key.created_at,
        "expires": key.expires_at,
        "keys": [{"kem": int(k), "sk": b64u_encode(sk.to_bytes())} for k, sk in key._keys.items()],
    }
    if key.psk is not None:
        doc["psk"] = b64u_encode(key.psk)
    data = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    if secret is None:
        return data
    sealed = seal_with_secret(data, secret, params=params)
    return json.dumps(sealed, separators=(",", ":")).encode("utf-8")


def parse_importer_key(data: bytes | str, secret: str | None = None) -> ImporterKey:
    """Read a key file written by :func:`serialize_importer_key`."""
    obj = parse_json(data, max_size=1 << 20, what="importer key file")
    if isinstance(obj, Mapping) and obj.get("profile") == "cxp-profile-p0-secret":
        if secret is None:
            raise InputError("the importer key file is passphrase-protected")
        obj = parse_json(open_with_secret(obj, secret), max_size=1 << 20, what="key file")
    try:
        if not isinstance(obj, Mapping) or obj.get("profile") != KEY_FILE_PROFILE:
            raise ValueError("profile")
        keys = {}
        for entry in obj["keys"]:
            sk = PrivateKey.from_bytes(entry["kem"], b64u_decode(entry["sk"]))
            keys[sk.kem] = sk
        psk = b64u_decode(obj["psk"]) if "psk" in obj else None
        digest = b64u_decode(obj["request_sha256"])
        created, expires = obj["created"], obj["expires"]
        if len(digest) != 32 or not all(
            v is None or (isinstance(v, int) and not isinstance(v, bool))
            for v in (created, expires)
        ):
            raise ValueError("fields")
    except CxkitError as exc:
        raise DecodeError("not a valid importer key file") from exc
    except (KeyError, TypeError, ValueError):
        raise DecodeError("not a valid importer key file") from None
    return ImporterKey(keys, digest, created_at=created, expires_at=expires, psk=psk)


# --------------------------------------------------------------------------- minimal CXF view


class _FileCred(msgspec.Struct, gc=False):
    type: Any = None
    id: Any = None
    decryptedSize: Any = None  # noqa: N815 - CXF member name
    integrityHash: Any = None  # noqa: N815


class _Item(msgspec.Struct, gc=False):
    credentials: list[_FileCred] = []


class _Account(msgspec.Struct, gc=False):
    items: list[_Item] = []


class _Header(msgspec.Struct, gc=False):
    exporterRpId: Any = None  # noqa: N815
    timestamp: Any = None
    accounts: list[_Account] = []


class _AnyCred(msgspec.Struct, gc=False):
    """A credential known not to be a ``file`` one: only its shape (an object) is checked."""


class _ItemShape(msgspec.Struct, gc=False):
    credentials: list[_AnyCred] = []


class _AccountShape(msgspec.Struct, gc=False):
    items: list[_ItemShape] = []


class _HeaderShape(msgspec.Struct, gc=False):
    exporterRpId: Any = None  # noqa: N815
    timestamp: Any = None
    accounts: list[_AccountShape] = []


_HEADER_DECODER: Final = msgspec.json.Decoder(_Header)
_SHAPE_DECODER: Final = msgspec.json.Decoder(_HeaderShape)


@dataclass(frozen=True)
class _FileRef:
    id: str
    size: int
    sha256: bytes


def _cxf_view(cxf_json: bytes) -> tuple[str | None, int | None, dict[str, _FileRef]]:
    """exporterRpId, timestamp and the ``file`` credentials of a CXF Header (nothing else is
    materialised, so a 45 MB document costs little memory)."""
    # Without the text "file" (JSON spells a letter only literally or as a \u escape), no
    # credential can be a file one: the same shape is checked, credentials are not materialised.
    maybe_files = b'"file"' in cxf_json or b"\\u" in cxf_json
    try:
        if maybe_files:
            header = _HEADER_DECODER.decode(cxf_json)
        else:
            shape = _SHAPE_DECODER.decode(cxf_json)
            header = _Header(shape.exporterRpId, shape.timestamp)
            del shape
    except msgspec.DecodeError as exc:
        raise DecodeError("the CXF document is not a JSON CXF Header") from exc
    except RecursionError:  # msgspec's depth guard (a CXF nested 100,000 deep: issue #17)
        raise DecodeError("the CXF document is nested too deeply to be a CXF Header") from None
    files: dict[str, _FileRef] = {}
    for a, account in enumerate(header.accounts):
        for i, item in enumerate(account.items):
            for c, cred in enumerate(item.credentials):
                if cred.type != "file":
                    continue
                where = f"$.accounts[{a}].items[{i}].credentials[{c}]"
                fid, size, digest = cred.id, cred.decryptedSize, cred.integrityHash
                if not isinstance(fid, str) or not FILE_ID_RE.match(fid):
                    raise P0Error(
                        "a file credential id is not 1-86 base64url characters", location=where
                    )
                if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                    raise P0Error("a file credential has no valid decryptedSize", location=where)
                try:
                    raw = b64u_decode(digest.rstrip("=")) if isinstance(digest, str) else b""
                except ValueError:
                    raw = b""
                if len(raw) != 32:
                    raise P0Error("a file credential has no valid integrityHash", location=where)
                ref = _FileRef(fid, size, raw)
                if files.setdefault(fid, ref) != ref:
                    raise P0Error(
                        "two file credentials share an id but not content", location=where
                    )
    rp = header.exporterRpId if isinstance(header.exporterRpId, str) else None
    ts = header.timestamp
    ts = ts if isinstance(ts, int) and not isinstance(ts, bool) else None
    return rp, ts, files


# --------------------------------------------------------------------------- exporter


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def seal_response(
    request: ExportRequest | bytes | str,
    cxf_json: bytes,
    attachments: Mapping[str, bytes] | None = None,
    *,
    exporter: str | None = None,
    psk: bytes | None = None,
    huffman_only: bool = True,
    _ephemeral: PrivateKey | None = None,
    _iv: Callable[[str], bytes] | None = None,
) -> bytes:
    """Build the P0 ExportResponse (compact UTF-8 JSON bytes) for *request*.

    *cxf_json* is the complete CXF Header; *attachments* maps each ``file`` credential id to its
    raw bytes (every file credential needs one, and every attachment a credential).
    *exporter* defaults to the Header's ``exporterRpId`` and must equal it.
    """
    return _seal(
        request,
        cxf_json,
        attachments,
        exporter=exporter,
        psk=psk,
        huffman_only=huffman_only,
        _ephemeral=_ephemeral,
        _iv=_iv,
    )


def jwe_size(plaintext_size: int) -> int:
    """Length of the JWE compact form (P0 §3.5) of a file of *plaintext_size* bytes: the fixed
    header, IV and tag parts plus the base64url of the ciphertext, rounded up."""
    return 1024 + -(-plaintext_size // 3) * 4


def _check_openable(plaintexts: list[bytes]) -> None:
    """Refuse, before any work, a response the importer's zip limits (P0 §3.8 step 7, the
    defaults every P0 reader applies) would refuse: cxkit never writes an archive it cannot open."""
    limits = DEFAULT_LIMITS
    sizes = [jwe_size(len(p)) for p in plaintexts]
    mib = 1 << 20
    if sizes[0] > limits.max_entry_size:
        raise P0Error(
            f"the CXF document is {len(plaintexts[0]) / mib:.1f} MiB; encrypted it would exceed the "
            f"{limits.max_entry_size // mib} MiB a P0 archive member may hold (profile P0 §3.8), "
            "so no importer would open it",
            hint="move the vault in parts (for example one export per folder or collection), "
            "or into a KeePass database, which has no such limit",
        )
    if any(size > limits.max_entry_size for size in sizes[1:]):
        raise P0Error(
            f"an attached file exceeds the {limits.max_entry_size // mib} MiB a P0 archive member "
            "may hold once encrypted (profile P0 §3.8), so no importer would open it",
            hint="leave that file out, and move it separately",
        )
    if len(sizes) > limits.max_entries or sum(sizes) > limits.max_total_size:
        raise P0Error(
            f"the response would hold {len(sizes):,} files of {sum(sizes) / mib:.0f} MiB once "
            f"encrypted, over a P0 archive's {limits.max_entries:,} files / "
            f"{limits.max_total_size // mib} MiB (profile P0 §3.8), so no importer would open it",
            hint="move the vault in parts, or leave the largest attachments out",
        )


def _seal(
    request: ExportRequest | bytes | str,
    cxf_json: bytes,
    attachments: Mapping[str, bytes] | None = None,
    *,
    exporter: str | None = None,
    psk: bytes | None = None,
    huffman_only: bool = True,
    _ephemeral: PrivateKey | None = None,
    _iv: Callable[[str], bytes] | None = None,
    wrap: tuple[bytes, bytes] = (b"", b""),
) -> bytes:
    """:func:`seal_response`, written between ``wrap[0]`` and ``wrap[1]`` (the sealed archive's
    envelope) in one buffer: each file is encrypted, base64url-encoded and compressed piece by
    piece; the zip is the only whole-size intermediate."""
    req = request if isinstance(request, ExportRequest) else ExportRequest.parse(request)
    check_version(req)
    modes = ("psk",) if psk is not None else ("base",)
    _, entry, pkr = select_hpke(req, SUPPORTED_SUITES, modes=modes)
    select_archive(req)
    rp_id, _, files = _cxf_view(cxf_json)
    attachments = dict(attachments or {})
    name = exporter if exporter is not None else rp_id
    if not name:
        raise P0Error("the exporter RP ID is unknown (no exporterRpId in the CXF Header)")
    if rp_id != name:
        raise P0Error("the CXF exporterRpId differs from the exporter name of the response")
    for fid, blob in attachments.items():
        if not isinstance(fid, str) or not FILE_ID_RE.match(fid):
            raise P0Error("an attachment id is not 1-86 base64url characters")
        ref = files.get(fid)
        if ref is None:
            raise P0Error(f"attachment {fid} is not referenced by a file credential")
        if len(blob) != ref.size:
            raise AttachmentMismatchError(f"attachment {fid} differs from its decryptedSize")
    missing = sorted(set(files) - set(attachments))
    if missing:
        raise P0Error(f"no attachment given for file credential {missing[0]}")
    _check_openable([cxf_json, *attachments.values()])

    suite = Suite(entry.kem, entry.kdf, entry.aead)
    info = hpke_info(request_digest(req))
    enc, ctx = suite.setup_sender(
        pkr,
        info,
        psk=psk,
        psk_id=PSK_ID if psk is not None else None,
        _ephemeral=_ephemeral,
    )
    cek_len = _CEK_LENGTH[entry.aead]

    def members() -> Iterable[tuple[str, Iterable[bytes]]]:
        paths = [(INDEX_PATH, cxf_json)]
        paths += [(DOCUMENTS_PREFIX + fid + ".jwe", attachments[fid]) for fid in sorted(files)]
        for path, plaintext in paths:
            cek = ctx.export(file_key_context(path), cek_len)
            iv = None if _iv is None else _iv(path)
            yield path, jwe.encrypt_compact_parts(plaintext, cek, _iv=iv)

    archive = write_zip(members(), huffman_only=huffman_only)
    hpke_json = entry.to_json()
    hpke_json["key"] = public_key_to_jwk(PublicKey(suite.kem, enc))
    out = io.BytesIO()
    out.write(wrap[0])
    out.write(
        b'{"version":0,"hpke":'
        + _dumps(hpke_json)
        + b',"archive":"deflate","exporter":'
        + _dumps(name)
        + b',"payload":"'
    )
    view = memoryview(archive)
    for i in range(0, len(archive), _PAYLOAD_CHUNK):
        out.write(b64u_encode_bytes(view[i : i + _PAYLOAD_CHUNK]))
    del view, archive
    out.write(b'"}')
    out.write(wrap[1])
    return out.getvalue()  # CPython hands over its buffer: no final copy


# --------------------------------------------------------------------------- importer


@dataclass(frozen=True)
class OpenedExport:
    """What a P0 response or archive held, after every check passed."""

    cxf_json: bytes = field(repr=False)
    attachments: dict[str, bytes] = field(repr=False)
    exporter: str
    timestamp: int | None
    request_fingerprint: str
    suite: tuple[int, int, int]

    def __repr__(self) -> str:
        return (
            f"OpenedExport(exporter={self.exporter!r}, cxf_bytes={len(self.cxf_json)}, "
            f"attachments={len(self.attachments)}, suite={self.suite})"
        )


def _decode_payload(payload: str) -> bytes:
    """The zip bytes; decoded 1 MiB of text at a time (no copy of the whole text)."""
    end = len(payload)
    pads = 0
    while pads < min(3, end) and payload[end - 1 - pads] == "=":
        pads += 1
    if pads:  # padding is tolerated (the WD does not say), but must be exact
        if end % 4 or pads > 2:
            raise DecodeError("the payload is not base64url", location="$.payload")
        end -= pads
    out = io.BytesIO()
    try:  # whole 4-character groups, then the last piece with the canonical-tail check
        for i in range(0, end, _PAYLOAD_TEXT_CHUNK):
            out.write(b64u_decode(payload[i : min(i + _PAYLOAD_TEXT_CHUNK, end)]))
    except ValueError:
        raise DecodeError("the payload is not base64url", location="$.payload") from None
    return out.getvalue()  # CPython hands over its buffer: no final copy


def _open(
    box: list[ExportResponse],
    request: ExportRequest,
    importer_key: ImporterKey,
    *,
    now: float | None,
    limits: ZipLimits,
    check_timestamp: bool,
) -> OpenedExport:
    # The response comes in a box so that its payload text can be freed once decoded.
    response = box.pop()
    # 2. versions (P0 responses carry exactly the WD members)
    if response.raw is not None and "version" not in response.raw:
        raise P0Error("the response has no version")
    check_version(response)
    if response.extra or (response.hpke is not None and response.hpke.extra):
        raise P0Error("the response carries members profile P0 does not define")
    # 3. a request entry with the same suite, and a live key for it
    sel = response.hpke
    if sel is None:
        raise P0Error("the response has no hpke parameters")
    entry = next((e for e in request.hpke if e.same_suite(sel)), None)
    if entry is None or (entry.kem, entry.kdf, entry.aead) not in SUPPORTED_SUITES:
        raise P0Error("the response uses HPKE parameters the request did not offer")
    digest = request_digest(request)
    if not hmac.compare_digest(digest, importer_key.request_sha256):
        raise P0Error("this importer key belongs to a different request")
    sk = importer_key.private_key(entry.kem, now=now)
    if entry.key is None or jwk_to_public_key(entry.key, entry.kem) != sk.public_key:
        raise P0Error("the request's public key does not match the importer key")
    psk = importer_key.psk
    if (entry.mode == "psk") != (psk is not None):
        raise P0Error("the response mode does not match the importer's PSK setting")
    # 4. archive offered
    if request.archive is None:
        if response.archive not in (None, "deflate"):
            raise P0Error("the response uses an archive algorithm the request did not offer")
    elif response.archive is None or response.archive not in request.archive:
        raise P0Error("the response uses an archive algorithm the request did not offer")
    if response.exporter is None:
        raise P0Error("the response does not name its exporter")
    # 5.-6. enc and the HPKE context (any failure: one opaque error)
    suite = Suite(entry.kem, entry.kdf, entry.aead)
    try:
        if sel.key is None:
            raise InvalidKeyError("no enc")
        enc = jwk_to_public_key(sel.key, entry.kem).to_bytes()
        ctx: RecipientContext = suite.setup_recipient(
            enc,
            sk,
            hpke_info(digest),
            psk=psk,
            psk_id=PSK_ID if psk is not None else None,
        )
    except CxkitError as exc:
        raise DecryptionError() from exc
    cek_len = _CEK_LENGTH[entry.aead]
    # 7.-8. zip limits, allowed names
    exporter = response.exporter
    payload = response.payload
    del response  # with ``raw``, the last reference to the payload text (unless the caller's)
    archive = read_zip(_decode_payload(payload), limits, canonical=True)
    del payload
    names = archive.names()
    if not names or names[0] != INDEX_PATH:
        raise P0Error("the archive must start with CXP-Export/index.jwe")
    doc_ids: list[str] = []
    for name in names[1:]:
        fid = name[len(DOCUMENTS_PREFIX) : -len(".jwe")]
        if (
            not name.startswith(DOCUMENTS_PREFIX)
            or not name.endswith(".jwe")
            or not FILE_ID_RE.match(fid)
        ):
            raise P0Error("the archive holds an entry P0 does not allow")
        doc_ids.append(fid)

    def decrypt(path: str) -> bytes:
        # Inflate, base64url-decode and decrypt piece by piece; the zip checks (size, CRC-32,
        # total) end the iteration, so they come before any decryption verdict, as before.
        decryptor = jwe.CompactDecryptor(
            ctx.export(file_key_context(path), cek_len), size_hint=archive.size(path)
        )
        for piece in archive.read_pieces(path):
            decryptor.feed(piece)
        return decryptor.finish()

    # 9. the CXF document
    cxf_json = decrypt(INDEX_PATH)
    rp_id, timestamp, files = _cxf_view(cxf_json)
    # 10.-11. attachments: every file credential has its document, every document a credential
    attachments: dict[str, bytes] = {}
    unreferenced = sorted(set(doc_ids) - set(files))
    if unreferenced:
        raise P0Error(f"document {unreferenced[0]} is not referenced by any file credential")
    for fid, ref in files.items():
        if fid not in doc_ids:
            raise P0Error(f"the document of file credential {fid} is missing")
        blob = decrypt(DOCUMENTS_PREFIX + fid + ".jwe")
        if len(blob) != ref.size:
            raise AttachmentMismatchError(f"attachment {fid} differs from its decryptedSize")
        if not hmac.compare_digest(hashlib.sha256(blob).digest(), ref.sha256):
            raise AttachmentMismatchError(f"attachment {fid} differs from its integrityHash")
        attachments[fid] = blob
    # 12. exporter names agree
    if rp_id != exporter:
        raise P0Error("the CXF exporterRpId differs from the response's exporter")
    # 13. timestamp window
    if check_timestamp:
        if timestamp is None:
            raise P0Error("the CXF Header has no timestamp")
        upper = _now(now) + TIMESTAMP_SKEW
        lower = (
            None if importer_key.created_at is None else importer_key.created_at - TIMESTAMP_SKEW
        )
        if timestamp > upper or (lower is not None and timestamp < lower):
            raise P0Error("the CXF timestamp is outside the accepted window (replay?)")
    return OpenedExport(
        cxf_json=cxf_json,
        attachments=attachments,
        exporter=exporter,
        timestamp=timestamp,
        request_fingerprint=request_fingerprint(request),
        suite=(entry.kem, entry.kdf, entry.aead),
    )


def open_response(
    response: bytes | str | ExportResponse,
    request: ExportRequest | bytes | str,
    importer_key: ImporterKey,
    *,
    now: float | None = None,
    max_size: int = MAX_MESSAGE_SIZE,
    limits: ZipLimits = DEFAULT_LIMITS,
    check_timestamp: bool = True,
    consume: bool = True,
) -> OpenedExport:
    """Run the P0 importer checks in the profile's order and return the decrypted export.

    The importer key is destroyed afterwards (success or failure) unless ``consume=False``.
    Cryptographic failures are one :class:`~cxkit.errors.DecryptionError`; everything else is a
    specific :class:`P0Error`/:class:`~cxkit.errors.InputError`.
    """
    try:
        req = request if isinstance(request, ExportRequest) else ExportRequest.parse(request)
        # 1. size cap, then parse
        box = [
            response
            if isinstance(response, ExportResponse)
            else ExportResponse.parse(response, max_size=max_size)
        ]
        return _open(
            box, req, importer_key, now=now, limits=limits, check_timestamp=check_timestamp
        )
    finally:
        if consume:
            importer_key.destroy()


# --------------------------------------------------------------------------- sealed archive


def _archive_key(secret: str, params: Argon2Params, enforce_minimums: bool) -> PrivateKey:
    return PrivateKey.derive(
        KEM.DHKEM_X25519_HKDF_SHA256, derive_ikm(secret, params, enforce_minimums=enforce_minimums)
    )


def seal_archive(
    cxf_json: bytes,
    attachments: Mapping[str, bytes] | None,
    secret: str,
    *,
    params: Argon2Params = DEFAULT_PARAMS,
    enforce_minimums: bool = True,
    _ephemeral: PrivateKey | None = None,
    _iv: Callable[[str], bytes] | None = None,
) -> bytes:
    """The passphrase-sealed archive of P0 §4.2 (compact UTF-8 JSON; write it with mode 0600).

    *secret* is a recovery code (:func:`~cxkit.crypto.passphrase.generate_recovery_code`, the
    recommended default) or a passphrase. A fresh salt is drawn unless *params* carries one.
    """
    if not params.salt:
        params = params.with_fresh_salt()
    sk = _archive_key(secret, params, enforce_minimums)
    request = ExportRequest(
        hpke=(HPKEParameters("base", 32, 1, 2, public_key_to_jwk(sk.public_key)),),
        importer=ARCHIVE_IMPORTER,
        archive=("deflate",),
        mode=("self",),
    )
    head = b"".join(
        (
            b'{"profile":"' + ARCHIVE_PROFILE.encode() + b'","kdf":',
            _dumps(params.to_json()),
            b',"request":',
            _dumps(request.to_json()),
            b',"response":',
        )
    )
    return _seal(request, cxf_json, attachments, _ephemeral=_ephemeral, _iv=_iv, wrap=(head, b"}"))


def open_archive(
    data: bytes | str,
    secret: str,
    *,
    now: float | None = None,
    max_size: int = MAX_MESSAGE_SIZE,
    limits: ZipLimits = DEFAULT_LIMITS,
    enforce_minimums: bool = True,
) -> OpenedExport:
    """Open :func:`seal_archive` output: KDF parameters are checked (minimums, ceilings) before
    any work; a wrong secret is :class:`~cxkit.crypto.passphrase.WrongSecretError`, raised
    before any decryption. The CXF timestamp must not lie in the future (no freshness window:
    an archive may be old)."""
    obj = parse_json(data, max_size=max_size, what="sealed archive")
    if not isinstance(obj, Mapping) or obj.get("profile") != ARCHIVE_PROFILE:
        raise DecodeError("not a cxkit passphrase-sealed archive (profile cxp-profile-p0-file)")
    if set(obj) != {"profile", "kdf", "request", "response"}:
        raise DecodeError("a sealed archive has exactly profile, kdf, request and response")
    params = Argon2Params.from_json(obj["kdf"], enforce_minimums=enforce_minimums)
    request = ExportRequest.from_json(obj["request"])
    box = [ExportResponse.from_json(obj["response"])]
    del obj  # the response (and its payload text) now lives in the box only
    if len(request.hpke) != 1 or (request.hpke[0].mode, request.hpke[0].kem) != ("base", 32):
        raise DecodeError("a sealed archive's request has one base X25519 entry")
    check_version(request)
    sk = _archive_key(secret, params, enforce_minimums)
    key = request.hpke[0].key
    if key is None or jwk_to_public_key(key, 32) != sk.public_key:
        raise WrongSecretError()
    importer_key = ImporterKey(
        {sk.kem: sk}, request_digest(request), created_at=None, expires_at=None
    )
    try:
        return _open(box, request, importer_key, now=now, limits=limits, check_timestamp=True)
    finally:
        importer_key.destroy()
