"""Passphrase key derivation (Argon2id) and recovery codes — hazmat layer (profile P0 §4.2).

The KDF header stored next to passphrase-sealed data is::

    {"alg": "argon2id", "v": 19, "m": <KiB>, "t": <passes>, "p": <lanes>, "salt": <b64url>}

``ikm = Argon2id(secret, salt, m, t, p, 32 bytes)`` where *secret* is the NFC-normalised UTF-8
passphrase, or the canonical form of a recovery code (upper case, no separators).

On read, :meth:`Argon2Params.from_json` enforces **minimums** (so nobody weakens a file by editing
its header) and **ceilings** (so a hostile file cannot make the reader allocate gigabytes or spin
for minutes) before any work is done:

==========  =================  ==================  ============
parameter   minimum            default (writing)   ceiling
==========  =================  ==================  ============
``m``       19 456 KiB (19 MiB) 65 536 KiB (64 MiB) 1 048 576 KiB (1 GiB)
``t``       2                  3                   16
``p``       1                  1                   8
salt        16 bytes           16 bytes            64 bytes
==========  =================  ==================  ============

A **recovery code** (:func:`generate_recovery_code`) is the default secret: 26 symbols of
Crockford base32 (130 random bits) plus 2 check symbols (10 bits of SHA-256), written as seven
groups of four, e.g. ``7GQ4-…``. The alphabet has no ``I L O U``; on input ``I``/``L`` read as
``1`` and ``O`` as ``0``, case, spaces and hyphens are ignored, and a typo is reported as such
(before the slow KDF) by :func:`normalize_secret`.

Also :func:`seal_with_secret` / :func:`open_with_secret`: a small symmetric envelope (KDF header +
JWE ``dir``/A256GCM under the Argon2id output) for key files.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from cxkit import _kdfcost
from cxkit.crypto import jwe
from cxkit.crypto._b64 import b64u_decode, b64u_encode
from cxkit.errors import DecodeError, DecryptionError, InputError, ProtocolError

__all__ = [
    "ARGON2_VERSION",
    "DEFAULT_PARAMS",
    "MAX_ITERATIONS",
    "MAX_LANES",
    "MAX_MEMORY_KIB",
    "MIN_ITERATIONS",
    "MIN_MEMORY_KIB",
    "RECOVERY_ALPHABET",
    "Argon2Params",
    "InvalidRecoveryCodeError",
    "WeakKdfParametersError",
    "WrongSecretError",
    "derive_ikm",
    "generate_recovery_code",
    "is_recovery_code",
    "normalize_secret",
    "open_with_secret",
    "seal_with_secret",
]

ARGON2_VERSION: Final = 19  # 0x13, the only version RFC 9106 defines
MIN_MEMORY_KIB: Final = 19 * 1024
MIN_ITERATIONS: Final = 2
MIN_LANES: Final = 1
MAX_MEMORY_KIB: Final = 1024 * 1024
MAX_ITERATIONS: Final = 16
MAX_LANES: Final = 8
SALT_LENGTH: Final = 16
MAX_SALT_LENGTH: Final = 64
IKM_LENGTH: Final = 32

RECOVERY_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_RECOVERY_DATA: Final = 26  # 130 bits
_RECOVERY_CHECK: Final = 2  # 10 bits
_RECOVERY_ALIASES: Final = str.maketrans({"I": "1", "L": "1", "O": "0"})

SEALED_SECRET_PROFILE: Final = "cxp-profile-p0-secret"  # noqa: S105 - a label


class WeakKdfParametersError(ProtocolError):
    """KDF parameters below the minimums or above the ceilings (refused before any work)."""


class WrongSecretError(DecryptionError):
    """The passphrase or recovery code does not open this file."""

    def __init__(self, message: str = "wrong passphrase or recovery code", **kw: str | None):
        super().__init__(message, **kw)


class InvalidRecoveryCodeError(InputError):
    """A recovery code with a typo (its check symbols do not match)."""


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id parameters; ``memory_kib`` in KiB as in RFC 9106."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 1
    salt: bytes = field(default=b"", repr=False)

    def with_fresh_salt(self) -> Argon2Params:
        return Argon2Params(self.memory_kib, self.iterations, self.lanes, os.urandom(SALT_LENGTH))

    def check(self, *, enforce_minimums: bool = True) -> None:
        """Refuse parameters outside [minimum, ceiling] (minimums skipped only for tests)."""
        for value, lo, hi, name in (
            (self.memory_kib, MIN_MEMORY_KIB, MAX_MEMORY_KIB, "m (memory, KiB)"),
            (self.iterations, MIN_ITERATIONS, MAX_ITERATIONS, "t (iterations)"),
            (self.lanes, MIN_LANES, MAX_LANES, "p (lanes)"),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise WeakKdfParametersError(f"Argon2id parameter {name} must be an integer")
            if value > hi:
                raise WeakKdfParametersError(
                    f"Argon2id parameter {name} is above the ceiling {hi}; refusing the work"
                )
            if value < (lo if enforce_minimums else 1):
                raise WeakKdfParametersError(
                    f"Argon2id parameter {name} is below the minimum {lo}; the file may have "
                    "been weakened"
                )
        if self.memory_kib < 8 * self.lanes:
            raise WeakKdfParametersError("Argon2id memory must be at least 8 KiB per lane")
        if not SALT_LENGTH <= len(self.salt) <= MAX_SALT_LENGTH:
            raise WeakKdfParametersError(
                f"Argon2id salt must be {SALT_LENGTH} to {MAX_SALT_LENGTH} bytes"
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "alg": "argon2id",
            "v": ARGON2_VERSION,
            "m": self.memory_kib,
            "t": self.iterations,
            "p": self.lanes,
            "salt": b64u_encode(self.salt),
        }

    @classmethod
    def from_json(cls, obj: object, *, enforce_minimums: bool = True) -> Argon2Params:
        """Parse and check a KDF header (exact member set)."""
        if not isinstance(obj, Mapping):
            raise DecodeError("the KDF header must be a JSON object", location="$.kdf")
        if set(obj) != {"alg", "v", "m", "t", "p", "salt"}:
            raise DecodeError(
                "the KDF header must have exactly alg, v, m, t, p, salt", location="$.kdf"
            )
        if obj["alg"] != "argon2id":
            raise WeakKdfParametersError("only the argon2id KDF is supported")
        if obj["v"] != ARGON2_VERSION or isinstance(obj["v"], bool):
            raise WeakKdfParametersError("only Argon2 version 19 (0x13) is supported")
        salt = obj["salt"]
        if not isinstance(salt, str):
            raise DecodeError("the KDF salt must be a base64url string", location="$.kdf.salt")
        try:
            salt_b = b64u_decode(salt)
        except ValueError:
            raise DecodeError(
                "the KDF salt is not canonical base64url", location="$.kdf.salt"
            ) from None
        params = cls(obj["m"], obj["t"], obj["p"], salt_b)
        params.check(enforce_minimums=enforce_minimums)
        return params


DEFAULT_PARAMS: Final = Argon2Params()
"""Parameters for writing: m = 64 MiB, t = 3, p = 1 (salt drawn per file)."""


def _checksum(data: str) -> str:
    h = int.from_bytes(hashlib.sha256(data.encode("ascii")).digest()[:2], "big") >> 6
    return RECOVERY_ALPHABET[h >> 5] + RECOVERY_ALPHABET[h & 31]


def generate_recovery_code() -> str:
    """A fresh recovery code: 130 random bits + 10 check bits, as ``XXXX-XXXX-…`` (7 groups)."""
    data = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(_RECOVERY_DATA))
    code = data + _checksum(data)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _canonical_code(text: str) -> str | None:
    compact = "".join(text.split()).replace("-", "").upper().translate(_RECOVERY_ALIASES)
    if len(compact) != _RECOVERY_DATA + _RECOVERY_CHECK:
        return None
    if any(c not in RECOVERY_ALPHABET for c in compact):
        return None
    return compact


def is_recovery_code(text: str) -> bool:
    """Whether *text* is a well-formed recovery code with matching check symbols."""
    code = _canonical_code(text)
    return code is not None and _checksum(code[:_RECOVERY_DATA]) == code[_RECOVERY_DATA:]


def normalize_secret(secret: str) -> bytes:
    """The bytes fed to Argon2id.

    A string shaped like a recovery code (28 symbols of the alphabet after removing case,
    spaces and hyphens) is canonicalised, and its check symbols must match
    (:class:`InvalidRecoveryCodeError` otherwise). Anything else is a passphrase: NFC, UTF-8.
    """
    if not isinstance(secret, str):
        raise InputError("the passphrase must be a string")
    code = _canonical_code(secret)
    if code is not None:
        if _checksum(code[:_RECOVERY_DATA]) != code[_RECOVERY_DATA:]:
            raise InvalidRecoveryCodeError(
                "the recovery code has a typo (its check symbols do not match)",
                hint="compare it again with the printed code; O/0 and I/1 are interchangeable",
            )
        return code.encode("ascii")
    if not secret:
        raise InputError("the passphrase is empty")
    return unicodedata.normalize("NFC", secret).encode("utf-8")


def _argon2id(secret: bytes, params: Argon2Params) -> bytes:
    _kdfcost.announce(
        "Argon2id", memory_kib=params.memory_kib, iterations=params.iterations, lanes=params.lanes
    )
    return Argon2id(
        salt=params.salt,
        length=IKM_LENGTH,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(secret)


def derive_ikm(secret: str, params: Argon2Params, *, enforce_minimums: bool = True) -> bytes:
    """``Argon2id(normalize_secret(secret), params)`` → 32 bytes (parameters checked first)."""
    params.check(enforce_minimums=enforce_minimums)
    try:
        return _argon2id(normalize_secret(secret), params)
    except (ValueError, TypeError) as exc:  # pragma: no cover - parameters were checked
        raise WeakKdfParametersError("Argon2id rejected the parameters") from exc


def seal_with_secret(
    data: bytes, secret: str, *, params: Argon2Params = DEFAULT_PARAMS, _iv: bytes | None = None
) -> dict[str, Any]:
    """``{"profile": "cxp-profile-p0-secret", "kdf": {...}, "jwe": <A256GCM, key = ikm>}``."""
    if not params.salt:
        params = params.with_fresh_salt()
    key = derive_ikm(secret, params, enforce_minimums=False)
    token = jwe.encrypt_compact(data, key, _iv=_iv).decode("ascii")
    return {"profile": SEALED_SECRET_PROFILE, "kdf": params.to_json(), "jwe": token}


def open_with_secret(
    obj: Mapping[str, Any], secret: str, *, enforce_minimums: bool = True
) -> bytes:
    """Open :func:`seal_with_secret` output; wrong secret → :class:`WrongSecretError`."""
    if not isinstance(obj, Mapping) or obj.get("profile") != SEALED_SECRET_PROFILE:
        raise DecodeError("not a passphrase-sealed cxkit file")
    if set(obj) != {"profile", "kdf", "jwe"} or not isinstance(obj["jwe"], str):
        raise DecodeError("a passphrase-sealed file has exactly profile, kdf and jwe")
    params = Argon2Params.from_json(obj["kdf"], enforce_minimums=enforce_minimums)
    key = derive_ikm(secret, params, enforce_minimums=enforce_minimums)
    try:
        return jwe.decrypt_compact(obj["jwe"], key)
    except DecryptionError:
        raise WrongSecretError() from None
