"""Strict unpadded base64url (RFC 4648 §5): the one implementation every layer uses.

:mod:`cxkit.cxf.b64` adds the tolerant decoding of CXF importers on top of it; the crypto
layer uses it as is (JWE, JWK, P0 messages), also for large payloads (bytes in, bytes out).

``base64.urlsafe_b64decode`` silently drops invalid characters and accepts ``+``, ``/`` and
padding; these helpers do not: only the 64 URL-safe characters, no padding, and a canonical
encoding (unused trailing bits must be zero, so one byte string has one text form).
"""

from __future__ import annotations

import base64
import binascii

__all__ = ["b64u_decode", "b64u_encode"]

_URL_TO_STD = bytes.maketrans(b"-_", b"+/")
_STD_TO_URL = bytes.maketrans(b"+/", b"-_")
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


def b64u_encode(data: bytes | bytearray | memoryview) -> str:
    """Unpadded base64url text of *data*."""
    return b64u_encode_bytes(data).decode("ascii")


def b64u_encode_bytes(data: bytes | bytearray | memoryview) -> bytes:
    """Unpadded base64url of *data*, as ASCII bytes."""
    out = binascii.b2a_base64(data, newline=False).translate(_STD_TO_URL)
    pad = (-memoryview(data).nbytes) % 3
    return out[: len(out) - pad] if pad else out


def b64u_decode(text: str | bytes) -> bytes:
    """Decode strict, canonical, unpadded base64url; raise ``ValueError`` otherwise.

    The error message never includes the input.
    """
    if isinstance(text, str):
        try:
            raw = text.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("not unpadded base64url") from None
    else:
        raw = text
    if not isinstance(raw, bytes):
        raise ValueError("not a base64url string")
    if b"+" in raw or b"/" in raw or b"=" in raw:
        raise ValueError("not unpadded base64url")
    rem = len(raw) % 4
    if rem == 1:
        raise ValueError("base64url text has an impossible length")
    if rem:
        last = _INDEX.get(raw[-1])
        if last is None:
            raise ValueError("not unpadded base64url")
        if (rem == 2 and last & 0x0F) or (rem == 3 and last & 0x03):
            raise ValueError("non-canonical base64url (unused bits set)")
    try:
        return base64.b64decode(raw.translate(_URL_TO_STD) + b"=" * ((4 - rem) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError("not unpadded base64url") from exc
