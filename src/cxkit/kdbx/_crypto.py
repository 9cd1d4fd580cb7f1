"""KDBX key material: composite keys, key files, KDFs (with cost limits), inner random streams.

Salsa20 (used only by KDBX 3.1 for protected values) is not in ``cryptography``; it is
implemented here from D. J. Bernstein's specification (20 rounds, 64-bit nonce and counter).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2d, Argon2id

from cxkit import _kdfcost
from cxkit.errors import InvalidKeyError, UnsupportedAlgorithmError
from cxkit.kdbx.errors import KdbxFormatError, KdfCostError

__all__ = ["KdfLimits", "composite_key", "keyfile_key"]

KDF_AES: Final = bytes.fromhex("c9d9f39a628a4460bf740d08c18a4fea")
KDF_ARGON2D: Final = bytes.fromhex("ef636ddf8c29444b91f7a9a403e30a0c")
KDF_ARGON2ID: Final = bytes.fromhex("9e298b1956db4773b23dfc3ec6f0a1e6")
KDF_NAMES: Final = {KDF_AES: "aes-kdf", KDF_ARGON2D: "argon2d", KDF_ARGON2ID: "argon2id"}


@dataclass(frozen=True, slots=True)
class KdfLimits:
    """Ceilings on the key-derivation work a file may ask for, checked before any work is done.

    The defaults admit every database made with KeePass/KeePassXC defaults (even "1 second"
    calibrations on fast machines) and refuse files that would take minutes or exhaust memory.
    Raise them for databases made with unusually heavy settings.
    """

    max_argon2_memory_kib: int = 1024 * 1024  # 1 GiB
    max_argon2_iterations: int = 1000
    max_argon2_parallelism: int = 64
    max_argon2_work_kib: int = 16 * 1024 * 1024  # memory x iterations: 16 GiB-passes
    max_aes_rounds: int = 200_000_000
    max_payload_bytes: int = 512 * 1024 * 1024  # decrypted / decompressed payload
    max_inflate_ratio: int = 100
    """Decompressed/compressed size above which a gzip payload is refused while inflating (past
    a 32 MiB floor): KeePass XML compresses 5-20x; a 1 GiB gzip bomb stops at ~100 MB (#17)."""


DEFAULT_LIMITS: Final = KdfLimits()
#: The ceilings of ``cxkit ... --raise-limits`` (a file the user trusts): 16x the KDF work,
#: 4 GiB of payload, no inflation ratio.
RAISED_LIMITS: Final = KdfLimits(
    max_argon2_memory_kib=4 * 1024 * 1024,
    max_argon2_iterations=16_000,
    max_argon2_parallelism=256,
    max_argon2_work_kib=256 * 1024 * 1024,
    max_aes_rounds=3_200_000_000,
    max_payload_bytes=4 << 30,
    max_inflate_ratio=0,
)
_DEFAULT: list[KdfLimits] = [DEFAULT_LIMITS]
_HINT: Final = "if you trust this file, run the command again with --raise-limits"


def default_limits() -> KdfLimits:
    """The ceilings used when a caller passes none (:data:`DEFAULT_LIMITS` unless raised)."""
    return _DEFAULT[0]


def set_default_limits(limits: KdfLimits) -> None:
    """Set the process-wide default ceilings (the CLI's ``--raise-limits``)."""
    _DEFAULT[0] = limits


# --------------------------------------------------------------------------- composite key

_HEX64 = re.compile(rb"\A[0-9A-Fa-f]{64}\Z")


def keyfile_key(content: bytes) -> bytes:
    """The 32-byte key a key file contributes (XML v1/v2, 32 raw bytes, 64 hex, else SHA-256)."""
    if len(content) == 32:
        return content
    stripped = content.strip()
    if len(content) == 64 and _HEX64.match(content):
        return bytes.fromhex(content.decode("ascii"))
    head = stripped[:256].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"<?xml", b"<KeyFile")):
        xml_key = _xml_keyfile_key(stripped)
        if xml_key is not None:
            return xml_key
    return hashlib.sha256(content).digest()


def _xml_keyfile_key(content: bytes) -> bytes | None:
    from cxkit.kdbx._xml import parse_xml_guarded

    try:
        root = parse_xml_guarded(content)
    except KdbxFormatError:
        return None
    if root.tag != "KeyFile":
        return None
    version = (root.findtext("Meta/Version") or "").strip()
    data_el = root.find("Key/Data")
    if data_el is None:
        raise InvalidKeyError("the XML key file has no Key/Data element")
    text = "".join((data_el.text or "").split())
    if version.startswith("1."):
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidKeyError("the XML key file (version 1.0) holds invalid base64") from None
    if version.startswith("2."):
        try:
            key = bytes.fromhex(text)
        except ValueError:
            raise InvalidKeyError("the XML key file (version 2.0) holds invalid hex") from None
        expected = "".join((data_el.get("Hash") or "").split()).lower()
        if expected and hashlib.sha256(key).hexdigest()[:8] != expected:
            raise InvalidKeyError(
                "the XML key file (version 2.0) fails its hash check: the file is damaged"
            )
        return key
    raise InvalidKeyError(
        "unsupported XML key file version (cxkit reads versions 1.0 and 2.0)",
        hint="check that this is the key file of the database",
    )


def composite_key(password: bytes | None, keyfile: bytes | None) -> bytes:
    """SHA-256 over SHA-256(password) (when given) followed by the key-file key (when given)."""
    if password is None and keyfile is None:
        raise InvalidKeyError("a password and/or a key file is needed to open a KDBX database")
    parts = b""
    if password is not None:
        parts += hashlib.sha256(password).digest()
    if keyfile is not None:
        parts += keyfile_key(keyfile)
    return hashlib.sha256(parts).digest()


# --------------------------------------------------------------------------- KDFs


def check_kdf(kdf: bytes, params: dict[str, object], limits: KdfLimits) -> dict[str, int]:
    """Validate KDF parameters against the format and the limits; return the integers used."""
    if kdf == KDF_AES:
        rounds = params.get("R")
        seed = params.get("S")
        if not isinstance(rounds, int) or not isinstance(seed, bytes) or len(seed) != 32:
            raise KdbxFormatError("the AES-KDF parameters are missing or malformed")
        if rounds > limits.max_aes_rounds:
            raise KdfCostError(
                f"AES-KDF asks for {rounds} rounds, above the limit of {limits.max_aes_rounds}",
                hint=_HINT,
            )
        return {"rounds": rounds}
    if kdf in (KDF_ARGON2D, KDF_ARGON2ID):
        salt, mem, it, par, ver = (params.get(k) for k in ("S", "M", "I", "P", "V"))
        if not (
            isinstance(salt, bytes)
            and isinstance(mem, int)
            and isinstance(it, int)
            and isinstance(par, int)
            and isinstance(ver, int)
        ):
            raise KdbxFormatError("the Argon2 parameters are missing or malformed")
        if ver != 0x13:
            raise UnsupportedAlgorithmError(
                f"Argon2 version {ver:#x} is not supported (only 1.3, 0x13)"
            )
        mem_kib = mem // 1024
        if not (8 <= len(salt) <= 1024) or it < 1 or par < 1 or par > 0xFFFFFF:
            raise KdbxFormatError("the Argon2 parameters are out of range")
        if mem_kib < 8 * par or mem % 1024:
            raise KdbxFormatError("the Argon2 memory parameter is out of range")
        for value, cap, what in (
            (mem_kib, limits.max_argon2_memory_kib, "memory (KiB)"),
            (it, limits.max_argon2_iterations, "iterations"),
            (par, limits.max_argon2_parallelism, "parallelism"),
            (mem_kib * it, limits.max_argon2_work_kib, "memory x iterations (KiB)"),
        ):
            if value > cap:
                raise KdfCostError(
                    f"Argon2 {what} = {value} is above the limit of {cap}; refusing the work",
                    hint=_HINT,
                )
        return {"memory_kib": mem_kib, "iterations": it, "parallelism": par}
    raise UnsupportedAlgorithmError("unknown key derivation function in the KDBX header")


def transform_key(
    kdf: bytes, params: dict[str, object], composite: bytes, limits: KdfLimits
) -> bytes:
    """Run the KDF over the composite key (after :func:`check_kdf`)."""
    p = check_kdf(kdf, params, limits)
    if kdf == KDF_AES:
        seed = params["S"]
        assert isinstance(seed, bytes)
        _kdfcost.announce("AES-KDF", iterations=p["rounds"])
        return aes_kdf(composite, seed, p["rounds"])
    salt = params["S"]
    assert isinstance(salt, bytes)
    secret = params.get("K")
    ad = params.get("A")
    cls = Argon2d if kdf == KDF_ARGON2D else Argon2id
    _kdfcost.announce(
        "Argon2d" if kdf == KDF_ARGON2D else "Argon2id",
        memory_kib=p["memory_kib"],
        iterations=p["iterations"],
        lanes=p["parallelism"],
    )
    kdf_obj = cls(
        salt=salt,
        length=32,
        iterations=p["iterations"],
        lanes=p["parallelism"],
        memory_cost=p["memory_kib"],
        ad=ad if isinstance(ad, bytes) and ad else None,
        secret=secret if isinstance(secret, bytes) and secret else None,
    )
    return kdf_obj.derive(composite)


_AES_CHUNK_BLOCKS: Final = 1 << 16


def aes_kdf(composite: bytes, seed: bytes, rounds: int) -> bytes:
    """KeePass AES-KDF: AES-256-ECB(seed) applied *rounds* times to each half, then SHA-256.

    Iterated ECB encryption of a block equals the last block of a CBC encryption of zero
    blocks with that block as IV, which lets OpenSSL do the rounds in bulk.
    """
    out = b""
    for half in (composite[:16], composite[16:]):
        block = half
        left = rounds
        while left > 0:
            n = min(left, _AES_CHUNK_BLOCKS)
            enc = Cipher(algorithms.AES(seed), modes.CBC(block)).encryptor()
            block = enc.update(bytes(16 * n))[-16:]
            left -= n
        out += block
    return hashlib.sha256(out).digest()


# --------------------------------------------------------------------------- inner streams

STREAM_NONE: Final = 0
STREAM_SALSA20: Final = 2
STREAM_CHACHA20: Final = 3
STREAM_NAMES: Final = {STREAM_NONE: "none", STREAM_SALSA20: "salsa20", STREAM_CHACHA20: "chacha20"}
_SALSA_IV: Final = bytes.fromhex("e830094b97205d2a")
_MASK: Final = 0xFFFFFFFF


def _salsa20_block(state: list[int]) -> bytes:
    x = list(state)
    for _ in range(10):
        for a, b, c, d in (
            (0, 4, 8, 12),
            (5, 9, 13, 1),
            (10, 14, 2, 6),
            (15, 3, 7, 11),
            (0, 1, 2, 3),
            (5, 6, 7, 4),
            (10, 11, 8, 9),
            (15, 12, 13, 14),
        ):
            t = (x[a] + x[d]) & _MASK
            x[b] ^= ((t << 7) | (t >> 25)) & _MASK
            t = (x[b] + x[a]) & _MASK
            x[c] ^= ((t << 9) | (t >> 23)) & _MASK
            t = (x[c] + x[b]) & _MASK
            x[d] ^= ((t << 13) | (t >> 19)) & _MASK
            t = (x[d] + x[c]) & _MASK
            x[a] ^= ((t << 18) | (t >> 14)) & _MASK
    return struct.pack("<16I", *((x[i] + state[i]) & _MASK for i in range(16)))


class Salsa20:
    """Salsa20/20 keystream with a 32-byte key and 8-byte nonce (XOR on :meth:`update`)."""

    def __init__(self, key: bytes, nonce: bytes) -> None:
        if len(key) != 32 or len(nonce) != 8:
            raise InvalidKeyError("Salsa20 needs a 32-byte key and an 8-byte nonce")
        k = struct.unpack("<8I", key)
        n = struct.unpack("<2I", nonce)
        self._state = [
            0x61707865, *k[:4], 0x3320646E, *n, 0, 0, 0x79622D32, *k[4:], 0x6B206574,
        ]  # fmt: skip
        self._counter = 0
        self._buffer = b""

    def _keystream(self, n: int) -> bytes:
        chunks = [self._buffer]
        have = len(self._buffer)
        while have < n:
            st = self._state
            st[8] = self._counter & _MASK
            st[9] = (self._counter >> 32) & _MASK
            self._counter += 1
            block = _salsa20_block(st)
            chunks.append(block)
            have += 64
        ks = b"".join(chunks)
        self._buffer = ks[n:]
        return ks[:n]

    def update(self, data: bytes) -> bytes:
        if not data:
            return b""
        ks = self._keystream(len(data))
        n = int.from_bytes(data, "little") ^ int.from_bytes(ks, "little")
        return n.to_bytes(len(data), "little")


class InnerStream:
    """The protected-value stream: one keystream consumed in document order."""

    def __init__(self, stream_id: int, key: bytes) -> None:
        self._ctx: object
        if stream_id == STREAM_CHACHA20:
            h = hashlib.sha512(key).digest()
            self._ctx = Cipher(
                algorithms.ChaCha20(h[:32], b"\0\0\0\0" + h[32:44]), mode=None
            ).encryptor()
        elif stream_id == STREAM_SALSA20:
            self._ctx = Salsa20(hashlib.sha256(key).digest(), _SALSA_IV)
        elif stream_id == STREAM_NONE:
            self._ctx = None
        else:
            raise UnsupportedAlgorithmError(
                f"inner random stream {stream_id} is not supported (Salsa20 and ChaCha20 are)"
            )
        self.update: Callable[[bytes], bytes] = (
            self._ctx.update if self._ctx is not None else _identity
        )


def _identity(data: bytes) -> bytes:
    return data
