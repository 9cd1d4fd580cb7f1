"""The KDBX container: outer header, key schedule, block streams, outer cipher, inner header."""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import struct
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from cxkit.errors import (
    CxkitError,
    InputError,
    InputTooLargeError,
    InvalidKeyError,
    OutputError,
    UnsupportedAlgorithmError,
    UnsupportedVersionError,
)
from cxkit.kdbx._crypto import (
    KDF_AES,
    KDF_ARGON2D,
    KDF_ARGON2ID,
    KDF_NAMES,
    STREAM_CHACHA20,
    STREAM_NAMES,
    InnerStream,
    KdfLimits,
    check_kdf,
    composite_key,
    default_limits,
    transform_key,
)
from cxkit.kdbx._deflate import ParallelGzip
from cxkit.kdbx._scan import read_usual
from cxkit.kdbx._xml import (
    binary_pool,
    gunzip,
    only_values_protected,
    parse_xml_guarded,
    read_document,
    write_document_to,
)
from cxkit.kdbx.errors import (
    KdbxCredentialsError,
    KdbxFormatError,
    KdbxIntegrityError,
    KdbxTruncatedError,
)
from cxkit.kdbx.model import Database, KdbxInfo

SIG1: Final = 0x9AA2D903
SIG2: Final = 0xB54BFB67
SIG2_KDB1: Final = 0xB54BFB65
CIPHER_AES256: Final = bytes.fromhex("31c1f2e6bf714350be5805216afc5aff")
CIPHER_CHACHA20: Final = bytes.fromhex("d6038a2b8b6f4cb5a524339a31dbb59a")
CIPHER_TWOFISH: Final = bytes.fromhex("ad68f29f576f4bb9a36ad47af965346c")
_CIPHER_NAMES: Final = {
    CIPHER_AES256: "aes256",
    CIPHER_CHACHA20: "chacha20",
    CIPHER_TWOFISH: "twofish",
}
_BLOCK_SIZE: Final = 1 << 20
MAX_FILE_BYTES: Final = 1 << 30

Password = str | bytes | None
KeyFile = str | os.PathLike[str] | bytes | None


# --------------------------------------------------------------------------- options


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How :func:`write_kdbx` stores a database (always KDBX 4.x).

    Defaults: ChaCha20, Argon2id with 64 MiB, 3 iterations, 2 lanes, gzip level 6.
    """

    cipher: Literal["chacha20", "aes256"] = "chacha20"
    kdf: Literal["argon2id", "argon2d", "aes-kdf"] = "argon2id"
    argon2_memory_kib: int = 64 * 1024
    argon2_iterations: int = 3
    argon2_parallelism: int = 2
    aes_rounds: int = 600_000
    compress: bool = True
    compression_level: int = 6
    minor_version: Literal[0, 1] = 0


DEFAULT_WRITE_OPTIONS: Final = WriteOptions()


# --------------------------------------------------------------------------- helpers


def _password_bytes(password: Password) -> bytes | None:
    if password is None or isinstance(password, bytes):
        return password
    if isinstance(password, str):
        return password.encode("utf-8")
    raise InvalidKeyError("the password must be str or bytes")


def _keyfile_bytes(keyfile: KeyFile) -> bytes | None:
    if keyfile is None or isinstance(keyfile, bytes):
        return keyfile
    try:
        path = Path(keyfile)
        if path.stat().st_size > 64 * 1024 * 1024:
            raise InputTooLargeError("the key file is larger than 64 MiB", location=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the key file ({exc.strerror or type(exc).__name__})",
            location=str(keyfile),
        ) from None
    except TypeError:
        raise InvalidKeyError("the key file must be a path or bytes") from None


def _source_bytes(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), None
    try:
        path = Path(source)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputTooLargeError("the KDBX file is larger than 1 GiB", location=str(path))
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise InputError(
            f"cannot read the file ({exc.strerror or type(exc).__name__})", location=str(source)
        ) from None
    except TypeError:
        raise InputError("the KDBX source must be a path or bytes") from None


def _parse_variant_dict(data: bytes) -> dict[str, object]:
    if len(data) < 2:
        raise KdbxFormatError("the KDF parameters are truncated")
    (ver,) = struct.unpack_from("<H", data, 0)
    if ver >> 8 != 1:
        raise UnsupportedVersionError(f"KDF parameter dictionary version {ver:#06x} is unknown")
    pos = 2
    out: dict[str, object] = {}
    n = len(data)
    while True:
        if pos >= n:
            raise KdbxFormatError("the KDF parameters are truncated")
        vtype = data[pos]
        pos += 1
        if vtype == 0:
            return out
        if pos + 4 > n:
            raise KdbxFormatError("the KDF parameters are truncated")
        (klen,) = struct.unpack_from("<i", data, pos)
        pos += 4
        if klen < 0 or pos + klen + 4 > n:
            raise KdbxFormatError("the KDF parameters are truncated")
        try:
            name = data[pos : pos + klen].decode("utf-8")
        except UnicodeDecodeError:
            raise KdbxFormatError("a KDF parameter name is not UTF-8") from None
        pos += klen
        (vlen,) = struct.unpack_from("<i", data, pos)
        pos += 4
        if vlen < 0 or pos + vlen > n:
            raise KdbxFormatError("the KDF parameters are truncated")
        raw = data[pos : pos + vlen]
        pos += vlen
        value: object
        if vtype in (0x04, 0x05, 0x0C, 0x0D):  # uint32, uint64, int32, int64
            fmt = {0x04: "<I", 0x05: "<Q", 0x0C: "<i", 0x0D: "<q"}[vtype]
            if len(raw) != struct.calcsize(fmt):
                raise KdbxFormatError(f"KDF parameter {name!r} has the wrong size")
            (value,) = struct.unpack(fmt, raw)
        elif vtype == 0x08:
            if len(raw) != 1:
                raise KdbxFormatError(f"KDF parameter {name!r} has the wrong size")
            value = raw != b"\0"
        elif vtype == 0x18:
            value = raw.decode("utf-8", "replace")
        elif vtype == 0x42:
            value = raw
        else:
            raise KdbxFormatError(f"KDF parameter {name!r} has an unknown type {vtype:#x}")
        out[name] = value


def _variant_dict(items: list[tuple[str, int, bytes]]) -> bytes:
    parts = [struct.pack("<H", 0x0100)]
    for name, vtype, raw in items:
        key = name.encode("utf-8")
        parts.append(struct.pack("<Bi", vtype, len(key)) + key + struct.pack("<i", len(raw)) + raw)
    parts.append(b"\0")
    return b"".join(parts)


@dataclass(slots=True)
class _Header:
    major: int
    minor: int
    fields: dict[int, bytes]
    end: int  # offset just after the header


def _parse_header(data: bytes) -> _Header:
    if len(data) < 12:
        raise (
            KdbxTruncatedError()
            if data[:4] == struct.pack("<I", SIG1)
            else KdbxFormatError("not a KDBX file (too short)")
        )
    sig1, sig2, minor, major = struct.unpack_from("<IIHH", data, 0)
    if sig1 != SIG1 or sig2 not in (SIG2, SIG2_KDB1):
        raise KdbxFormatError("not a KDBX file (bad signature)")
    if sig2 == SIG2_KDB1:
        raise UnsupportedVersionError("KeePass 1.x (.kdb) databases are not supported")
    if major not in (3, 4) or (major == 3 and minor > 1) or (major == 4 and minor > 1):
        if major in (1, 2) or major == 3:
            raise UnsupportedVersionError(
                f"KDBX {major}.{minor} is not supported (3.1, 4.0, 4.1 are)"
            )
        raise UnsupportedVersionError(f"KDBX {major}.{minor} is newer than cxkit supports")
    pos = 12
    size_fmt, size_len = ("<I", 4) if major >= 4 else ("<H", 2)
    fields: dict[int, bytes] = {}
    n = len(data)
    while True:
        if pos + 1 + size_len > n:
            raise KdbxTruncatedError()
        fid = data[pos]
        (flen,) = struct.unpack_from(size_fmt, data, pos + 1)
        pos += 1 + size_len
        if pos + flen > n:
            raise KdbxTruncatedError()
        value = data[pos : pos + flen]
        pos += flen
        if fid == 0:
            return _Header(major, minor, fields, pos)
        if fid > 12 or (major >= 4 and fid in (5, 6, 8, 9, 10)):
            raise KdbxFormatError(f"unknown header field {fid}: the header is corrupted")
        fields[fid] = value


def _require(fields: dict[int, bytes], fid: int, name: str, size: int | None = None) -> bytes:
    v = fields.get(fid)
    if v is None:
        raise KdbxFormatError(f"the header has no {name}: the header is corrupted")
    if size is not None and len(v) != size:
        raise KdbxFormatError(f"the header {name} has the wrong size: the header is corrupted")
    return v


def _cipher_of(fields: dict[int, bytes]) -> bytes:
    cipher = _require(fields, 2, "cipher id", 16)
    if cipher not in _CIPHER_NAMES:
        raise UnsupportedAlgorithmError("unsupported cipher: unknown cipher id in the header")
    return cipher


def _decrypt(cipher: bytes, key: bytes, iv: bytes, data: bytes) -> bytes:
    if cipher == CIPHER_CHACHA20:
        if len(iv) != 12:
            raise KdbxFormatError("the ChaCha20 nonce in the header has the wrong size")
        ctx = Cipher(algorithms.ChaCha20(key, b"\0\0\0\0" + iv), mode=None).decryptor()
        return ctx.update(data) + ctx.finalize()
    if len(iv) != 16:
        raise KdbxFormatError("the CBC IV in the header has the wrong size")
    if len(data) % 16:
        raise KdbxTruncatedError()
    if cipher == CIPHER_TWOFISH:
        return _twofish_cbc_decrypt(key, iv, data)
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def _twofish_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Twofish-256-CBC (KeePass's Twofish plugin, KeePassXC; ``../shared/formats/keepass.md``)
    through oxifish, RustCrypto's Twofish (imported here only: few databases use it). Checked
    against the Twofish paper's known-answer vectors in the tests. Padding stays for
    :func:`_unpad`, as with AES."""
    try:
        from oxifish import Mode, Padding, TwofishKey
    except ImportError:  # pragma: no cover - a dependency of cxkit
        raise UnsupportedAlgorithmError(
            "this database is encrypted with Twofish and the oxifish package is not installed",
            hint="pip install oxifish (or re-save the database with AES-256 or ChaCha20)",
        ) from None
    return TwofishKey(key).decrypt(data, Mode.CBC, iv=iv, padding=Padding.NONE)


def _unpad(padded: bytes) -> bytes:
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise KdbxIntegrityError() from None


def _kdf_of(header: _Header) -> tuple[bytes, dict[str, object]]:
    f = header.fields
    if header.major >= 4:
        params = _parse_variant_dict(_require(f, 11, "KDF parameters"))
        uuid = params.get("$UUID")
        if not isinstance(uuid, bytes) or len(uuid) != 16:
            raise KdbxFormatError("the KDF parameters have no valid $UUID")
        return uuid, params
    seed = _require(f, 5, "transform seed", 32)
    (rounds,) = struct.unpack("<Q", _require(f, 6, "transform rounds", 8))
    return KDF_AES, {"S": seed, "R": rounds}


def _kdf_summary(kdf: bytes, params: dict[str, object]) -> tuple[tuple[str, int], ...]:
    keys = ("R",) if kdf == KDF_AES else ("M", "I", "P")
    names = {"R": "rounds", "M": "memory_bytes", "I": "iterations", "P": "parallelism"}
    return tuple((names[k], v) for k in keys if isinstance(v := params.get(k), int))


# --------------------------------------------------------------------------- reading


def read_kdbx(
    source: str | os.PathLike[str] | bytes,
    *,
    password: Password = None,
    keyfile: KeyFile = None,
    limits: KdfLimits | None = None,
) -> Database:
    """Open a KDBX 3.1 / 4.0 / 4.1 database (from a path or bytes) into the model.

    Raises only :class:`cxkit.errors.CxkitError` subclasses: :class:`KdbxCredentialsError` for
    a wrong password or key file, :class:`KdbxIntegrityError` for modified content,
    :class:`KdbxFormatError` / :class:`KdbxTruncatedError` for a corrupted or cut file,
    :class:`KdfCostError` when the KDF parameters exceed *limits*,
    :class:`UnsupportedAlgorithmError` for Twofish and other unknown algorithms.
    """
    location: str | None = None
    try:
        data, location = _source_bytes(source)
        return _read(data, password, keyfile, limits or default_limits())
    except CxkitError as exc:
        if location and exc.location is None:
            exc.location = location
        raise
    except (MemoryError, RecursionError):
        raise KdbxFormatError("the database is too large or too deeply nested") from None
    except Exception as exc:  # the API promises cxkit errors only
        raise KdbxFormatError(
            f"the database cannot be read ({type(exc).__name__})", location=location
        ) from None


def _read(data: bytes, password: Password, keyfile: KeyFile, limits: KdfLimits) -> Database:
    header = _parse_header(data)
    if header.major >= 4:
        stored = data[header.end : header.end + 32]
        if len(stored) < 32:
            raise KdbxTruncatedError()
        if not hmac.compare_digest(hashlib.sha256(data[: header.end]).digest(), stored):
            raise KdbxFormatError("the header checksum does not match: the header is corrupted")
    f = header.fields
    cipher = _cipher_of(f)
    compression = struct.unpack("<I", _require(f, 3, "compression flags", 4))[0]
    if compression > 1:
        raise UnsupportedAlgorithmError(f"unknown payload compression {compression}")
    master_seed = _require(f, 4, "master seed", 32)
    iv = _require(f, 7, "encryption IV")
    kdf, params = _kdf_of(header)
    check_kdf(kdf, params, limits)  # refuse absurd costs before touching the credentials
    composite = composite_key(_password_bytes(password), _keyfile_bytes(keyfile))
    transformed = transform_key(kdf, params, composite, limits)
    enc_key = hashlib.sha256(master_seed + transformed).digest()
    if header.major >= 4:
        payload, inner_id, inner_key, binaries = _read_v4_payload(
            data, header, cipher, enc_key, master_seed + transformed, iv, compression, limits
        )
        header_hash = None
    else:
        payload, inner_id, inner_key = _read_v3_payload(
            data, header, cipher, enc_key, iv, compression, limits
        )
        binaries = []
        header_hash = hashlib.sha256(data[: header.end]).digest()
    end = payload.rfind(b"</KeePassFile>")
    if end >= 0:
        payload = payload[: end + len(b"</KeePassFile>")]
    stream = InnerStream(inner_id, inner_key)
    usual = read_usual(payload, binaries, limits.max_payload_bytes, stream.update)
    if usual is not None:
        db, stored_hash = usual
    else:  # not in the usual shape: the whole tree, which also reports malformed XML precisely
        db, stored_hash = _read_tree(payload, binaries, limits, stream)
    if header_hash is not None and stored_hash and stored_hash != header_hash:
        raise KdbxFormatError("the header does not match the hash stored in the database")
    db.info = KdbxInfo(
        version=(header.major, header.minor),
        cipher=_CIPHER_NAMES[cipher],
        kdf=KDF_NAMES[kdf],
        compressed=compression == 1,
        inner_stream=STREAM_NAMES.get(inner_id, str(inner_id)),
        kdf_parameters=_kdf_summary(kdf, params),
    )
    return db


def _read_tree(
    payload: bytes, binaries: list[tuple[bytes, bool]], limits: KdfLimits, stream: InnerStream
) -> tuple[Database, bytes | None]:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a large tree of acyclic elements: the cyclic GC would only re-scan it
    try:
        root = parse_xml_guarded(payload)
    finally:
        if gc_was_enabled:
            gc.enable()
    return read_document(
        root,
        binaries,
        limits.max_payload_bytes,
        stream.update,
        values_only=only_values_protected(payload),
        consume=True,
    )


def _block_key(base: bytes, index: int) -> bytes:
    return hashlib.sha512(struct.pack("<Q", index) + base).digest()


def _read_v4_payload(
    data: bytes,
    header: _Header,
    cipher: bytes,
    enc_key: bytes,
    seed_and_key: bytes,
    iv: bytes,
    compression: int,
    limits: KdfLimits,
) -> tuple[bytes, int, bytes, list[tuple[bytes, bool]]]:
    pos = header.end
    if pos + 64 > len(data):
        raise KdbxTruncatedError()
    header_bytes = data[: header.end]
    hmac_base = hashlib.sha512(seed_and_key + b"\x01").digest()
    expected = hmac.new(_block_key(hmac_base, 0xFFFFFFFFFFFFFFFF), header_bytes, "sha256").digest()
    if not hmac.compare_digest(expected, data[pos + 32 : pos + 64]):
        raise KdbxCredentialsError()
    pos += 64
    blocks: list[bytes] = []
    total = 0
    index = 0
    n = len(data)
    while True:
        if pos + 36 > n:
            raise KdbxTruncatedError()
        mac = data[pos : pos + 32]
        (size,) = struct.unpack_from("<i", data, pos + 32)
        if size < 0:
            raise KdbxIntegrityError()
        if pos + 36 + size > n:
            raise KdbxTruncatedError()
        block = data[pos + 36 : pos + 36 + size]
        want = hmac.new(
            _block_key(hmac_base, index),
            struct.pack("<Qi", index, size) + block,
            "sha256",
        ).digest()
        if not hmac.compare_digest(want, mac):
            raise KdbxIntegrityError(f"block {index} fails its HMAC check: the file was modified")
        pos += 36 + size
        if size == 0:
            break
        total += size
        if total > limits.max_payload_bytes:
            raise InputTooLargeError("the encrypted payload is larger than the configured limit")
        blocks.append(block)
        index += 1
    plain = _decrypt(cipher, enc_key, iv, b"".join(blocks))
    if cipher != CIPHER_CHACHA20:
        plain = _unpad(plain)
    if compression == 1:
        plain = gunzip(plain, limits.max_payload_bytes, limits.max_inflate_ratio)
    # inner header
    pos = 0
    inner_id = -1
    inner_key = b""
    binaries: list[tuple[bytes, bool]] = []
    n = len(plain)
    while True:
        if pos + 5 > n:
            raise KdbxFormatError("the inner header is truncated")
        fid = plain[pos]
        (flen,) = struct.unpack_from("<i", plain, pos + 1)
        pos += 5
        if flen < 0 or pos + flen > n:
            raise KdbxFormatError("the inner header is truncated")
        value = plain[pos : pos + flen]
        pos += flen
        if fid == 0:
            break
        if fid == 1:
            if len(value) != 4:
                raise KdbxFormatError("the inner stream id has the wrong size")
            (inner_id,) = struct.unpack("<I", value)
        elif fid == 2:
            inner_key = value
        elif fid == 3:
            if not value:
                raise KdbxFormatError("an inner-header binary has no flags byte")
            binaries.append((value[1:], bool(value[0] & 1)))
    if inner_id < 0 or not inner_key:
        raise KdbxFormatError("the inner header has no random stream")
    return plain[pos:], inner_id, inner_key, binaries


def _read_v3_payload(
    data: bytes,
    header: _Header,
    cipher: bytes,
    enc_key: bytes,
    iv: bytes,
    compression: int,
    limits: KdfLimits,
) -> tuple[bytes, int, bytes]:
    f = header.fields
    start_bytes = _require(f, 9, "stream start bytes", 32)
    inner_key = _require(f, 8, "protected stream key")
    (inner_id,) = struct.unpack("<I", _require(f, 10, "inner random stream id", 4))
    body = data[header.end :]
    if len(body) < 32:
        raise KdbxTruncatedError()
    if cipher == CIPHER_CHACHA20:
        plain = _decrypt(cipher, enc_key, iv, body)
    else:
        if len(body) % 16:
            raise KdbxTruncatedError()
        plain = _decrypt(cipher, enc_key, iv, body)
    if not hmac.compare_digest(plain[:32], start_bytes):
        raise KdbxCredentialsError()
    if cipher != CIPHER_CHACHA20:
        plain = _unpad(plain)
    # hashed block stream
    pos = 32
    n = len(plain)
    blocks: list[bytes] = []
    index = 0
    while True:
        if pos + 40 > n:
            raise KdbxIntegrityError("the payload is truncated or damaged")
        bidx, digest, size = struct.unpack_from("<I32sI", plain, pos)
        pos += 40
        if bidx != index or pos + size > n:
            raise KdbxIntegrityError("the payload is truncated or damaged")
        block = plain[pos : pos + size]
        pos += size
        if size == 0:
            if digest != bytes(32):
                raise KdbxIntegrityError()
            break
        if hashlib.sha256(block).digest() != digest:
            raise KdbxIntegrityError(f"block {index} fails its hash check: the file was modified")
        blocks.append(block)
        index += 1
    payload = b"".join(blocks)
    if compression == 1:
        payload = gunzip(payload, limits.max_payload_bytes, limits.max_inflate_ratio)
    return payload, inner_id, inner_key


# --------------------------------------------------------------------------- writing


def write_kdbx(
    db: Database,
    *,
    password: Password = None,
    keyfile: KeyFile = None,
    options: WriteOptions | None = None,
    now: datetime | None = None,
) -> bytes:
    """Serialise *db* as a KDBX 4.x file (bytes); protected values re-encrypted (ChaCha20),
    attachments in the inner header, fresh seeds, IVs and salts on every call."""
    try:
        return _write(db, password, keyfile, options or DEFAULT_WRITE_OPTIONS, now)
    except CxkitError:
        raise
    except Exception as exc:  # the API promises cxkit errors only
        raise OutputError(f"the database cannot be written ({type(exc).__name__})") from None


def _write(
    db: Database,
    password: Password,
    keyfile: KeyFile,
    opts: WriteOptions,
    now: datetime | None,
) -> bytes:
    composite = composite_key(_password_bytes(password), _keyfile_bytes(keyfile))
    cipher = CIPHER_CHACHA20 if opts.cipher == "chacha20" else CIPHER_AES256
    if opts.cipher not in ("chacha20", "aes256"):
        raise UnsupportedAlgorithmError(f"cxkit does not write the cipher {opts.cipher!r}")
    master_seed = os.urandom(32)
    iv = os.urandom(12 if cipher == CIPHER_CHACHA20 else 16)
    if opts.kdf == "aes-kdf":
        kdf = KDF_AES
        params: dict[str, object] = {"S": os.urandom(32), "R": int(opts.aes_rounds)}
        vd = _variant_dict(
            [
                ("$UUID", 0x42, KDF_AES),
                ("R", 0x05, struct.pack("<Q", int(opts.aes_rounds))),
                ("S", 0x42, params["S"]),  # type: ignore[list-item]
            ]
        )
    elif opts.kdf in ("argon2id", "argon2d"):
        kdf = KDF_ARGON2ID if opts.kdf == "argon2id" else KDF_ARGON2D
        salt = os.urandom(32)
        mem = int(opts.argon2_memory_kib) * 1024
        params = {
            "S": salt,
            "M": mem,
            "I": int(opts.argon2_iterations),
            "P": int(opts.argon2_parallelism),
            "V": 0x13,
        }
        vd = _variant_dict(
            [
                ("$UUID", 0x42, kdf),
                ("S", 0x42, salt),
                ("P", 0x04, struct.pack("<I", int(opts.argon2_parallelism))),
                ("M", 0x05, struct.pack("<Q", mem)),
                ("I", 0x05, struct.pack("<Q", int(opts.argon2_iterations))),
                ("V", 0x04, struct.pack("<I", 0x13)),
            ]
        )
    else:
        raise UnsupportedAlgorithmError(f"cxkit does not write the KDF {opts.kdf!r}")
    write_limits = KdfLimits(
        max_argon2_memory_kib=1 << 62,
        max_argon2_iterations=1 << 62,
        max_argon2_parallelism=1 << 24,
        max_argon2_work_kib=1 << 62,
        max_aes_rounds=1 << 62,
    )
    transformed = transform_key(kdf, params, composite, write_limits)

    def field(fid: int, value: bytes) -> bytes:
        return struct.pack("<BI", fid, len(value)) + value

    header = b"".join(
        [
            struct.pack("<IIHH", SIG1, SIG2, opts.minor_version, 4),
            field(2, cipher),
            field(3, struct.pack("<I", 1 if opts.compress else 0)),
            field(4, master_seed),
            field(7, iv),
            field(11, vd),
            field(0, b"\r\n\r\n"),
        ]
    )
    hmac_base = hashlib.sha512(master_seed + transformed + b"\x01").digest()
    header_hmac = hmac.new(_block_key(hmac_base, 0xFFFFFFFFFFFFFFFF), header, "sha256").digest()

    inner_key = os.urandom(64)
    stream = InnerStream(STREAM_CHACHA20, inner_key)
    pool = binary_pool(db)
    inner = [
        struct.pack("<Bi", 1, 4) + struct.pack("<I", STREAM_CHACHA20),
        struct.pack("<Bi", 2, len(inner_key)) + inner_key,
    ]
    for data, protected in pool:
        inner.append(struct.pack("<BiB", 3, len(data) + 1, 1 if protected else 0) + data)
    inner.append(struct.pack("<Bi", 0, 0))
    if opts.compress:  # deflated on other cores while the XML is being written
        gz = ParallelGzip(opts.compression_level)
        try:
            gz.write(b"".join(inner))
            write_document_to(db, stream.update, pool, gz.write, now)
            plain = gz.finish()
        finally:
            gz.close()
    else:
        parts = [b"".join(inner)]
        write_document_to(db, stream.update, pool, parts.append, now)
        plain = b"".join(parts)
    enc_key = hashlib.sha256(master_seed + transformed).digest()
    if cipher == CIPHER_CHACHA20:
        ctx = Cipher(algorithms.ChaCha20(enc_key, b"\0\0\0\0" + iv), mode=None).encryptor()
        ct = ctx.update(plain) + ctx.finalize()
    else:
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plain) + padder.finalize()
        ctx = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
        ct = ctx.update(padded) + ctx.finalize()
    out = [header, hashlib.sha256(header).digest(), header_hmac]
    index = 0
    for start in range(0, len(ct) + 1, _BLOCK_SIZE):
        block = ct[start : start + _BLOCK_SIZE]
        if not block:
            break
        mac = hmac.new(
            _block_key(hmac_base, index), struct.pack("<Qi", index, len(block)) + block, "sha256"
        ).digest()
        out.append(mac + struct.pack("<i", len(block)) + block)
        index += 1
    mac = hmac.new(_block_key(hmac_base, index), struct.pack("<Qi", index, 0), "sha256").digest()
    out.append(mac + struct.pack("<i", 0))
    return b"".join(out)


def save_kdbx(
    db: Database,
    path: str | os.PathLike[str],
    *,
    password: Password = None,
    keyfile: KeyFile = None,
    options: WriteOptions | None = None,
    overwrite: bool = False,
) -> None:
    """Write *db* to *path* atomically (temporary file + rename); refuses to overwrite unless
    ``overwrite=True``."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise OutputError("the output file exists already", location=str(target),
                          hint="pass overwrite=True to replace it")  # fmt: skip
    data = write_kdbx(db, password=password, keyfile=keyfile, options=options)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".cxkit-", suffix=".kdbx.tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(
            f"cannot write the file ({exc.strerror or type(exc).__name__})", location=str(target)
        ) from None
