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

Large plaintexts are processed in pieces of about 1 MiB of text (768 KiB of plaintext): each
piece is encrypted into one reused buffer and base64url-encoded from there into a token buffer
allocated once at the token's exact length, and a token of known length is decrypted in place
into a plaintext buffer allocated once (a growing output is reallocated ~20 times and, depending
on the allocator's state, lands on fresh pages each time: issue #20 measured 32,570 page faults
and 3x the CPU time per 100 MB). :func:`encrypt_compact_parts` yields the token piece by piece,
:class:`CompactDecryptor` takes it piece by piece (e.g. straight from inflate) without joining a
piece to the previous one's remainder. Both produce exactly the bytes of the one-shot functions
(``tests/crypto/test_crypto_jwe_golden.py`` pins them). Where the time goes is measured in
``docs/performance.md`` (CXP profile P0): base64url, not AES-GCM, is most of it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import (
    AEADDecryptionContext,
    Cipher,
    algorithms,
    modes,
)

from cxkit.crypto._b64 import b64u_decode, b64u_decode_span, b64u_encode_bytes
from cxkit.errors import DecryptionError, InvalidKeyError

__all__ = [
    "ENC_FOR_KEY_LENGTH",
    "IV_LENGTH",
    "TAG_LENGTH",
    "CompactDecryptor",
    "decrypt_compact",
    "encrypt_compact",
    "encrypt_compact_parts",
]

IV_LENGTH: Final = 12
TAG_LENGTH: Final = 16
ENC_FOR_KEY_LENGTH: Final = {16: "A128GCM", 32: "A256GCM"}
_PLAIN_STEP: Final = 3 << 18  # plaintext bytes per piece: a multiple of 3 (1 MiB of base64url)
_TEXT_STEP: Final = 1 << 20  # base64url characters per piece: a multiple of 4
_SLACK: Final = 15  # ``update_into`` wants room for one AES block less a byte beyond the input
_IV_CHARS: Final = 16  # unpadded base64url of 12 bytes
_TAG_PART: Final = 1 + 22  # "." and the unpadded base64url of 16 bytes


def _b64_length(data: memoryview) -> int:
    """Characters of the unpadded base64url of *data*."""
    return (data.nbytes * 4 + 2) // 3


def _protected(enc: str) -> bytes:
    header = json.dumps({"alg": "dir", "enc": enc}, separators=(",", ":")).encode("ascii")
    return b64u_encode_bytes(header)


_PROTECTED: Final = {n: _protected(enc) for n, enc in ENC_FOR_KEY_LENGTH.items()}


def _check_key(cek: bytes) -> bytes:
    if not isinstance(cek, bytes | bytearray) or len(cek) not in _PROTECTED:
        raise InvalidKeyError("the content-encryption key must be 16 or 32 bytes")
    return bytes(cek)


def encrypt_compact_parts(
    plaintext: bytes | bytearray | memoryview, cek: bytes, *, _iv: bytes | None = None
) -> Iterator[bytes]:
    """The token of :func:`encrypt_compact`, as consecutive pieces (joined: the same bytes).

    Key and IV are checked (and the IV drawn) when this is called, not when iterated.
    """
    key = _check_key(cek)
    iv = os.urandom(IV_LENGTH) if _iv is None else _iv
    if len(iv) != IV_LENGTH:
        raise InvalidKeyError("the IV must be 12 bytes")
    protected = _PROTECTED[len(key)]
    encryptor = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(protected)
    view = memoryview(plaintext).cast("B")

    def parts() -> Iterator[bytes]:
        yield b"".join((protected, b"..", b64u_encode_bytes(iv), b"."))
        size = len(view)
        if size:
            # One buffer for every piece's ciphertext (each yielded piece is a new bytes
            # object, so reusing it is safe).
            buf = bytearray(min(size, _PLAIN_STEP) + _SLACK)
            out = memoryview(buf)
            update_into = encryptor.update_into
            for i in range(0, size, _PLAIN_STEP):
                n = update_into(view[i : i + _PLAIN_STEP], buf)
                yield b64u_encode_bytes(out[:n])
            out.release()
        encryptor.finalize()
        yield b"." + b64u_encode_bytes(encryptor.tag)

    return parts()


def encrypt_compact(
    plaintext: bytes | bytearray | memoryview, cek: bytes, *, _iv: bytes | None = None
) -> bytes:
    """Encrypt *plaintext* under *cek* (16 → A128GCM, 32 → A256GCM); returns the ASCII token.

    A fresh random IV is drawn for every call; ``_iv`` fixes it for test vectors only.
    """
    parts = encrypt_compact_parts(plaintext, cek, _iv=_iv)  # checks the key
    out = io.BytesIO()
    # One allocation of the token's exact length, as for the plaintext: a growing buffer is
    # reallocated ~20 times and, depending on the allocator's state, lands on fresh pages each
    # time (measured: 32,570 page faults per 100 MB, 3x the CPU time).
    size = len(_PROTECTED[len(cek)]) + 3 + _IV_CHARS + _b64_length(memoryview(plaintext))
    out.seek(size + _TAG_PART - 1)
    out.write(b"\0")
    out.seek(0)
    for part in parts:
        out.write(part)
    out.truncate()  # a no-op: the length above is exact
    return out.getvalue()  # CPython hands over its buffer: no final copy


class CompactDecryptor:
    """Decrypt one token fed in pieces (:meth:`feed`), then :meth:`finish` for the plaintext.

    Same checks as :func:`decrypt_compact`. A malformed piece does not raise at once: the
    remaining pieces are ignored and :meth:`finish` raises the one opaque
    :class:`~cxkit.errors.DecryptionError`, so a caller that validates the container while
    feeding (size, CRC) reports container problems first. Nothing is returned unless the tag
    verifies.
    """

    def __init__(self, cek: bytes, *, size_hint: int | None = None) -> None:
        """*size_hint*: the token's length in characters, when known (a zip entry's size):
        the plaintext is then allocated once and decrypted into in place. A wrong hint costs
        speed, never correctness."""
        self._key = _check_key(cek)
        self._protected = _PROTECTED[len(self._key)]
        self._prefix = len(self._protected) + 2 + _IV_CHARS + 1
        self._pending = b""
        self._decryptor: AEADDecryptionContext | None = None
        self._out: io.BytesIO | None = io.BytesIO()
        self._error: BaseException | None = None
        self._buf = bytearray()  # AES-GCM output of one piece, reused
        self._view: memoryview | None = None  # the presized output, written in place
        self._pos = 0
        body = (size_hint or 0) - self._prefix - _TAG_PART
        if body > _TEXT_STEP:
            self._out.seek(body * 3 // 4 + _SLACK - 1)
            self._out.write(b"\0")
            self._view = self._out.getbuffer()

    def feed(self, data: bytes) -> None:
        if self._error is not None:
            return
        try:
            self._feed(data)
        except (ValueError, TypeError, UnicodeError) as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        self._error = exc
        if self._view is not None:
            self._view.release()
        self._view = self._out = None
        self._pending = b""

    def _unsize(self, out: io.BytesIO) -> None:
        """Leave the presized output: keep what was written, append from now on."""
        if self._view is not None:
            self._view.release()
            self._view = None
            out.truncate(self._pos)
            out.seek(self._pos)

    def _feed(self, data: bytes) -> None:
        if not isinstance(data, bytes):
            raise TypeError("token pieces must be bytes")
        buf, pos = data, 0
        pending = self._pending
        if pending:
            self._pending = b""
            head = -len(pending) % 4  # characters of data that complete pending's last group
            if self._decryptor is None or len(data) - head < _TAG_PART:
                buf = pending + data  # small: the header, or the last characters
            else:
                # Followed by at least a tag part, these groups are body characters: decode
                # them alone instead of copying the whole piece behind them.
                group = pending + data[:head]
                self._decode(group, 0, len(group))
                pos = head
        if self._decryptor is None:
            if len(buf) - pos < self._prefix:
                self._pending = buf[pos:]
                return
            p = len(self._protected)
            if (
                buf[pos : pos + p + 2] != self._protected + b".."
                or buf[pos + self._prefix - 1] != 0x2E
            ):
                raise ValueError("unexpected protected header, encrypted key or IV")
            iv = b64u_decode(buf[pos + p + 2 : pos + p + 2 + _IV_CHARS])
            if len(iv) != IV_LENGTH:
                raise ValueError("bad IV length")
            decryptor = Cipher(algorithms.AES(self._key), modes.GCM(iv)).decryptor()
            decryptor.authenticate_additional_data(self._protected)
            self._decryptor = decryptor
            pos += self._prefix
        # Keep the tag part and the last partial group back; decode whole groups now.
        end = pos + max(0, len(buf) - _TAG_PART - pos) // 4 * 4
        for i in range(pos, end, _TEXT_STEP):
            self._decode(buf, i, min(i + _TEXT_STEP, end))
        self._pending = buf[end:]

    def _decode(self, buf: bytes, start: int, end: int) -> None:
        """Decrypt the base64url groups ``buf[start:end]`` into the output: in place when it
        was presized, else through one reused buffer."""
        decryptor, out = self._decryptor, self._out
        assert decryptor is not None and out is not None
        raw = b64u_decode_span(buf, start, end)
        n = len(raw)
        view = self._view
        if view is not None:
            if self._pos + n + _SLACK <= len(view):
                self._pos += decryptor.update_into(raw, view[self._pos :])
                return
            self._unsize(out)  # more than the hint said
        if n > len(self._buf) - _SLACK:
            self._buf = bytearray(n + _SLACK)
        k = decryptor.update_into(raw, self._buf)
        with memoryview(self._buf) as view:
            out.write(view[:k])

    def finish(self) -> bytes:
        """The plaintext, once the whole token was fed and the tag verifies."""
        try:
            if self._error is not None:
                raise self._error
            decryptor, out, rest = self._decryptor, self._out, self._pending
            self._out, self._pending = None, b""
            if out is not None:
                self._unsize(out)
            if decryptor is None or out is None or len(rest) < _TAG_PART:
                raise ValueError("truncated token")
            if rest[-_TAG_PART] != 0x2E:
                raise ValueError("bad tag part")
            tail = b64u_decode(rest[:-_TAG_PART])
            tag = b64u_decode(rest[1 - _TAG_PART :])
            if len(tag) != TAG_LENGTH:
                raise ValueError("bad tag length")
            out.write(decryptor.update(tail))
            decryptor.finalize_with_tag(tag)
        except (ValueError, TypeError, InvalidTag, UnicodeError) as exc:
            self._error = exc
            raise DecryptionError() from exc
        return out.getvalue()  # CPython hands over its buffer: no final copy


def decrypt_compact(token: bytes | str, cek: bytes) -> bytes:
    """Decrypt a token made by :func:`encrypt_compact` (or any JOSE library, same header)."""
    try:
        data = token.encode("ascii") if isinstance(token, str) else bytes(token)
    except (TypeError, UnicodeError) as exc:
        raise DecryptionError() from exc
    decryptor = CompactDecryptor(cek, size_hint=len(data))
    decryptor.feed(data)
    del data
    return decryptor.finish()
