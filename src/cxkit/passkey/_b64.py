"""Strict base64 helpers private to :mod:`cxkit.passkey`.

``base64.urlsafe_b64decode`` silently drops characters outside the alphabet, so a corrupted
key or credential id could decode to *something*. These helpers reject every character outside
the alphabet, impossible lengths and non-canonical trailing bits, so that decoding and
re-encoding always round-trips. The CXF layer has its own (more tolerant) decoder.
"""

from __future__ import annotations

import base64
import binascii
import re

__all__ = ["b64_std_decode", "b64_std_encode", "b64url_decode", "b64url_encode"]

_URL_RE = re.compile(r"[A-Za-z0-9_-]*")
_STD_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url (RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, what: str) -> bytes:
    """Decode unpadded base64url strictly; raises :class:`ValueError` naming *what* (no data).

    Correct ``=`` padding is tolerated; anything else outside ``[A-Za-z0-9_-]`` is rejected.
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    body = text.rstrip("=")
    if len(text) - len(body) > 2 or (len(text) != len(body) and len(text) % 4):
        raise ValueError(f"{what} has wrong base64 padding")
    if not _URL_RE.fullmatch(body):
        raise ValueError(f"{what} contains characters outside the base64url alphabet")
    if len(body) % 4 == 1:
        raise ValueError(f"{what} has an impossible base64url length")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if b64url_encode(raw) != body:
        raise ValueError(f"{what} is not canonical base64url (non-zero trailing bits)")
    return raw


def b64_std_encode(data: bytes) -> str:
    """Padded standard base64 (RFC 4648 §4), as inside PEM."""
    return base64.b64encode(data).decode("ascii")


def b64_std_decode(text: str, *, what: str) -> bytes:
    """Decode padded standard base64 strictly (whitespace must be removed by the caller)."""
    if not _STD_RE.fullmatch(text) or len(text) % 4:
        raise ValueError(f"{what} is not valid base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64 (non-zero trailing bits)")
    return raw
