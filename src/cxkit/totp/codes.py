"""One-time codes: HOTP (RFC 4226 §5.3: HMAC, dynamic truncation), TOTP (RFC 6238 §4: HOTP of
``floor((t - T0) / period)``, T0 = 0) with SHA-1, SHA-256 or SHA-512, and Steam Guard (HOTP-SHA-1
truncation, five characters of Steam's 26-letter alphabet, 30 s; ``formats/totp-apps.md`` §1)."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Final

from cxkit.cxf import b64
from cxkit.cxf import model as m

if TYPE_CHECKING:
    from cxkit.cxf.codec import Document

__all__ = [
    "INSTANTS",
    "STEAM_ALPHABET",
    "checked_key",
    "credential_codes",
    "hotp",
    "key_codes",
    "totp",
    "totp_problem",
]

STEAM_ALPHABET: Final = "23456789BCDFGHJKMNPQRTVWXY"
INSTANTS: Final = (59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000)
"""The fixed instants (Unix seconds) at which codes are compared: those of RFC 6238 appendix B."""
MAX_DIGITS: Final = 10
"""Codes longer than this are not computed (a 31-bit truncated value has at most 10 digits)."""
_DIGESTS: Final = {"sha1": "sha1", "sha256": "sha256", "sha512": "sha512", "steam": "sha1"}


def _truncated(key: bytes, counter: int, algorithm: str) -> int:
    # the one-shot form: OpenSSL's HMAC without a Python hmac object (~3x faster a code)
    digest = hmac.digest(key, counter.to_bytes(8, "big"), _DIGESTS[algorithm])
    offset = digest[-1] & 0x0F
    return int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF


def hotp(key: bytes, counter: int, digits: int = 6, algorithm: str = "sha1") -> str:
    """The HOTP value of *key* at *counter* (RFC 4226): *digits* decimal digits, zero-padded;
    *algorithm* ``sha1``/``sha256``/``sha512`` or ``steam`` (then 5 Steam characters)."""
    if algorithm not in _DIGESTS:
        raise ValueError("the algorithm is not sha1, sha256, sha512 or steam")
    if not 0 <= counter < 1 << 64:
        raise ValueError("the counter is outside 0 … 2^64-1")
    value = _truncated(key, counter, algorithm)
    if algorithm == "steam":
        out = []
        for _ in range(5):
            value, index = divmod(value, len(STEAM_ALPHABET))
            out.append(STEAM_ALPHABET[index])
        return "".join(out)
    if not 0 < digits <= MAX_DIGITS:
        raise ValueError(f"the digit count is outside 1 … {MAX_DIGITS}")
    return str(value % 10**digits).zfill(digits)


def totp(key: bytes, at: int, *, period: int = 30, digits: int = 6, algorithm: str = "sha1") -> str:
    """The TOTP value of *key* at Unix time *at* (RFC 6238, T0 = 0)."""
    if period <= 0:
        raise ValueError("the period must be positive")
    return hotp(key, int(at) // period, digits, algorithm)


def totp_problem(cred: m.Totp) -> str:
    """Why codes cannot be computed for *cred* ('' when they can); never a value of it."""
    return checked_key(cred)[0]


def checked_key(cred: m.Totp) -> tuple[str, bytes]:
    """(:func:`totp_problem`, the secret's bytes — empty when there is a problem), the secret
    decoded once."""
    algorithm = cred.algorithm.lower()
    if algorithm not in _DIGESTS:
        return "its algorithm is not sha1, sha256, sha512 or steam", b""
    if algorithm != "steam" and not 0 < cred.digits <= MAX_DIGITS:
        return f"its digit count is outside 1 … {MAX_DIGITS}", b""
    if cred.period <= 0:
        return "its period is not positive", b""
    try:
        return "", b64.normalize_base32(cred.secret)[1]
    except b64.Base64Error:
        return "its secret is not Base32", b""


def credential_codes(cred: m.Totp, instants: tuple[int, ...] = INSTANTS) -> tuple[str, ...] | None:
    """The codes of a CXF ``totp`` credential at *instants* (None when :func:`totp_problem`)."""
    problem, key = checked_key(cred)
    if problem:
        return None
    return key_codes(key, cred, instants)


def key_codes(key: bytes, cred: m.Totp, instants: tuple[int, ...]) -> tuple[str, ...]:
    """The codes of *cred*'s parameters with secret bytes *key* (checked by :func:`checked_key`)."""
    algorithm = cred.algorithm.lower()
    period = 30 if algorithm == "steam" else cred.period
    return tuple(
        totp(key, at, period=period, digits=cred.digits, algorithm=algorithm) for at in instants
    )


#: Fewest secret bits an authenticator app expects (RFC 4226 §4 R6 asks for 128; 80-bit
#: secrets, 16 Base32 characters, are common): fewer is a sign of a secret cut short.
SHORT_SECRET_BITS: Final = 80


def short_secret_warnings(doc: Document) -> list[str]:
    """A warning for each TOTP of *doc* whose secret is shorter
    than :data:`SHORT_SECRET_BITS` — an export cut inside a secret still reads as a TOTP, and
    its codes are wrong. Names the item and the length, never the secret."""
    out: list[str] = []
    enough = -(-SHORT_SECRET_BITS // 5)  # Base32 letters that hold that many bits
    totp_class = m.Totp
    for account in doc.header.accounts:
        for item in account.items:
            for cred in item.credentials:
                if not isinstance(cred, totp_class):
                    continue
                secret = cred.secret  # canonical Base32 is letters and digits only
                letters = len(secret) if secret.isalnum() else sum(map(str.isalnum, secret))
                if letters >= enough or cred.algorithm.lower() == "steam":
                    continue
                bits = letters * 5 // 8 * 8
                title = item.title.strip() or "(untitled)"
                out.append(
                    f"{title}: its TOTP secret is only {bits} bits long (authenticator apps "
                    f"use {SHORT_SECRET_BITS} or more): if the export was cut short, its "
                    "codes are wrong — compare one with the site before relying on it"
                )
    return out
