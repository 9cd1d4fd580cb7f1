"""Base64url and Base32 helpers for CXF values (spec §1.2, §3.3.16).

The standard library's ``base64.urlsafe_b64decode`` silently discards characters outside the
alphabet (``"!!!"`` decodes to ``b""``), so every decoder here checks the alphabet first.

* :func:`decode` is strict: unpadded base64url, canonical trailing bits (re-encoding gives the
  input back). This is what CXF requires of producers.
* :func:`decode_lenient` also accepts ``=`` padding and the standard alphabet (``+`` ``/``), which
  real producers emit (Swift's ``JSONEncoder``), and reports which tolerance it needed.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Final

from cxkit._base64url import b64u_decode, b64u_encode

__all__ = [
    "Base64Error",
    "canonical",
    "canonical_base32",
    "decode",
    "decode_lenient",
    "decoded_length",
    "encode",
    "is_canonical",
    "normalize_base32",
]

_URL_ALPHABET: Final = re.compile(r"[A-Za-z0-9_-]*")
_LENIENT_ALPHABET: Final = re.compile(r"[A-Za-z0-9_\-+/]*={0,2}")
_TO_URL: Final = str.maketrans("+/", "-_")
_BASE32: Final = re.compile(r"[A-Z2-7]*")
_SEPARATORS: Final = re.compile(r"[\s-]")
# Characters whose low bits are zero, for the last symbol of a 2- or 3-symbol tail.
_LAST_OK_AFTER_1: Final = frozenset("AQgw")  # tail of 2 symbols: 4 significant bits
_LAST_OK_AFTER_2: Final = frozenset("AEIMQUYcgkosw048")  # tail of 3 symbols: 2 significant bits


class Base64Error(ValueError):
    """Not valid base64url. The message names the problem, never the value."""


def encode(data: bytes) -> str:
    """Unpadded base64url text of ``data``."""
    return b64u_encode(data)


def is_canonical(text: str) -> bool:
    """True when ``text`` is unpadded base64url with zero trailing bits (fast, no decoding)."""
    if _URL_ALPHABET.fullmatch(text) is None:
        return False
    rest = len(text) % 4
    if rest == 0:
        return True
    if rest == 1:
        return False
    return text[-1] in (_LAST_OK_AFTER_1 if rest == 2 else _LAST_OK_AFTER_2)


def decoded_length(text: str) -> int:
    """Number of bytes ``text`` (canonical base64url) decodes to, without decoding it."""
    return len(text) * 3 // 4


def decode(text: str) -> bytes:
    """Strict decode of unpadded, canonical base64url."""
    try:
        return b64u_decode(text)
    except ValueError as exc:
        raise Base64Error(str(exc)) from None


def decode_lenient(text: str) -> tuple[bytes, tuple[str, ...]]:
    """Decode base64url, tolerating padding and the standard alphabet.

    Returns the bytes and the tolerances used (``"padded"``, ``"standard-alphabet"``,
    ``"trailing-bits"``); raises :class:`Base64Error` for anything else.
    """
    if _URL_ALPHABET.fullmatch(text) is not None and is_canonical(text):
        return decode(text), ()
    if _LENIENT_ALPHABET.fullmatch(text) is None:
        raise Base64Error("not base64: characters outside the base64 alphabets")
    tolerances: list[str] = []
    body = text.rstrip("=")
    if body != text:
        tolerances.append("padded")
    if "+" in body or "/" in body:
        tolerances.append("standard-alphabet")
        body = body.translate(_TO_URL)
    if len(body) % 4 == 1:
        raise Base64Error("not base64: impossible length")
    if "padded" in tolerances and len(text) % 4:
        raise Base64Error("not base64: wrong amount of padding")
    try:
        data = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:  # pragma: no cover - alphabet and length checked above
        raise Base64Error("not base64") from exc
    if encode(data) != body:
        tolerances.append("trailing-bits")
    return data, tuple(tolerances)


def canonical(text: str) -> str:
    """The canonical unpadded base64url spelling of leniently-valid base64 ``text``."""
    data, tolerances = decode_lenient(text)
    return text if not tolerances else encode(data)


def canonical_base32(secret: str) -> str:
    """The canonical form of a TOTP secret (spec §3.3.16: Base32, RFC 4648 §6): upper case,
    unpadded, without the spaces and hyphens real authenticator exports contain — checked to
    decode (the alphabet and a possible length), without decoding it."""
    text = _SEPARATORS.sub("", secret).upper().rstrip("=")
    if not text or _BASE32.fullmatch(text) is None:
        raise Base64Error("not base32: characters outside A-Z 2-7")
    if len(text) % 8 in (1, 3, 6):
        raise Base64Error("not base32: impossible length")
    return text


def normalize_base32(secret: str) -> tuple[str, bytes]:
    """Normalise a TOTP secret (:func:`canonical_base32`) and decode it: the canonical text and
    the bytes."""
    text = canonical_base32(secret)
    try:
        data = base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error as exc:
        raise Base64Error("not base32") from exc
    return text, data
