"""JWE compact serialization with ``alg: dir`` and AES-GCM — hazmat layer (profile P0 §3.5).

A token is ``BASE64URL(protected) . "" . BASE64URL(iv) . BASE64URL(ciphertext) . BASE64URL(tag)``
(RFC 7516 §7.1) where the protected header is exactly ``{"alg":"dir","enc":"A256GCM"}`` (or
``"A128GCM"`` with a 16-byte key), the encrypted-key part is empty, the IV is 96 bits, the tag
128 bits, and the AAD is the ASCII of the encoded protected header (RFC 7516 §5.1 step 14).
No ``zip`` member; nothing else in the header.

Parsing is strict (exact header bytes, canonical base64url, exact IV/tag lengths) and every
failure — malformed token or wrong key or tampering — is the one opaque
:class:`~cxkit.errors.DecryptionError`. Plain JOSE: any JOSE library decrypts these tokens given
the key.
"""

from __future__ import annotations

import json
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from cxkit.crypto._b64 import b64u_decode, b64u_encode_bytes
from cxkit.errors import DecryptionError, InvalidKeyError

__all__ = ["ENC_FOR_KEY_LENGTH", "IV_LENGTH", "TAG_LENGTH", "decrypt_compact", "encrypt_compact"]

IV_LENGTH: Final = 12
TAG_LENGTH: Final = 16
ENC_FOR_KEY_LENGTH: Final = {16: "A128GCM", 32: "A256GCM"}


def _protected(enc: str) -> bytes:
    header = json.dumps({"alg": "dir", "enc": enc}, separators=(",", ":")).encode("ascii")
    return b64u_encode_bytes(header)


_PROTECTED: Final = {n: _protected(enc) for n, enc in ENC_FOR_KEY_LENGTH.items()}


def _check_key(cek: bytes) -> bytes:
    if not isinstance(cek, bytes | bytearray) or len(cek) not in _PROTECTED:
        raise InvalidKeyError("the content-encryption key must be 16 or 32 bytes")
    return bytes(cek)


def encrypt_compact(plaintext: bytes, cek: bytes, *, _iv: bytes | None = None) -> bytes:
    """Encrypt *plaintext* under *cek* (16 → A128GCM, 32 → A256GCM); returns the ASCII token.

    A fresh random IV is drawn for every call; ``_iv`` fixes it for test vectors only.
    """
    key = _check_key(cek)
    iv = os.urandom(IV_LENGTH) if _iv is None else _iv
    if len(iv) != IV_LENGTH:
        raise InvalidKeyError("the IV must be 12 bytes")
    protected = _PROTECTED[len(key)]
    encryptor = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(protected)
    ciphertext = encryptor.update(plaintext)
    encryptor.finalize()
    tag = encryptor.tag
    encoded_ct = b64u_encode_bytes(ciphertext)
    del ciphertext
    return b".".join((protected, b"", b64u_encode_bytes(iv), encoded_ct, b64u_encode_bytes(tag)))


def decrypt_compact(token: bytes | str, cek: bytes) -> bytes:
    """Decrypt a token made by :func:`encrypt_compact` (or any JOSE library, same header)."""
    key = _check_key(cek)
    try:
        data = token.encode("ascii") if isinstance(token, str) else bytes(token)
        # Locate the five parts without copying the (possibly large) ciphertext twice.
        dots = []
        start = 0
        for _ in range(4):
            pos = data.index(b".", start)
            dots.append(pos)
            start = pos + 1
        if data.find(b".", start) != -1:
            raise ValueError("too many parts")
        protected = data[: dots[0]]
        if protected != _PROTECTED[len(key)] or dots[1] != dots[0] + 1:
            raise ValueError("unexpected protected header or encrypted key")
        iv = b64u_decode(data[dots[1] + 1 : dots[2]])
        tag = b64u_decode(data[dots[3] + 1 :])
        if len(iv) != IV_LENGTH or len(tag) != TAG_LENGTH:
            raise ValueError("bad IV or tag length")
        ciphertext = b64u_decode(data[dots[2] + 1 : dots[3]])
        del data
        decryptor = Cipher(algorithms.AES(key), modes.GCM(iv, tag)).decryptor()
        decryptor.authenticate_additional_data(protected)
        plaintext = decryptor.update(ciphertext)
        del ciphertext
        decryptor.finalize()
    except (ValueError, TypeError, InvalidTag, UnicodeError) as exc:
        raise DecryptionError() from exc
    return plaintext
