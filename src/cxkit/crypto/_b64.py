"""Strict unpadded base64url for the crypto layer (see :mod:`cxkit._base64url`)."""

from cxkit._base64url import b64u_decode, b64u_decode_span, b64u_encode, b64u_encode_bytes

__all__ = ["b64u_decode", "b64u_decode_span", "b64u_encode", "b64u_encode_bytes"]
