"""Piecewise JWE and zip processing: the same bytes and the same verdicts as the one-shot forms."""

from __future__ import annotations

import os
import random
import zlib
from collections.abc import Iterator

import pytest

from cxkit._base64url import b64u_decode_span, b64u_encode_bytes
from cxkit.crypto import jwe
from cxkit.crypto.safezip import ZipFormatError, read_zip, write_zip
from cxkit.errors import DecryptionError, InputTooLargeError


def _split(data: bytes, rnd: random.Random, sizes: tuple[int, ...]) -> Iterator[bytes]:
    i = 0
    while i < len(data):
        j = i + rnd.choice(sizes)
        yield data[i:j]
        i = j


def _feed(token: bytes, key: bytes, rnd: random.Random) -> bytes:
    d = jwe.CompactDecryptor(key)
    for piece in _split(token, rnd, (1, 2, 3, 5, 23, 24, 1000, 1 << 20)):
        d.feed(piece)
    return d.finish()


def test_b64u_decode_span() -> None:
    data = b"xx" + b64u_encode_bytes(b"abcdefghi") + b"yy"
    assert b64u_decode_span(data, 2, 14) == b"abcdefghi"
    assert b64u_decode_span(data, 2, 2) == b""
    for bad in (b"ab+d", b"ab/d", b"abc=", b"ab.d", b"ab d"):
        with pytest.raises(ValueError):
            b64u_decode_span(bad, 0, 4)
    with pytest.raises(ValueError):
        b64u_decode_span(data, 2, 5)
    with pytest.raises(ValueError):
        b64u_decode_span(data, 2, 100)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 786_431, 786_432, 786_433, 2_500_001])
def test_jwe_pieces_and_one_shot_agree(size: int) -> None:
    rnd = random.Random(size)
    key = os.urandom(32)
    plaintext = os.urandom(size)
    token = jwe.encrypt_compact(plaintext, key, _iv=b"\x01" * 12)
    assert b"".join(jwe.encrypt_compact_parts(plaintext, key, _iv=b"\x01" * 12)) == token
    assert jwe.encrypt_compact(memoryview(plaintext), key, _iv=b"\x01" * 12) == token
    assert jwe.decrypt_compact(token, key) == plaintext
    assert _feed(token, key, rnd) == plaintext


def test_jwe_pieces_refuse_every_tampering() -> None:
    rnd = random.Random(7)
    key = os.urandom(16)
    token = jwe.encrypt_compact(b"secret payload, 29 bytes long", key)
    for i in range(len(token)):
        for repl in (b".", b"=", b"+", b"/", b"A", b"-"):
            if token[i : i + 1] == repl:
                continue
            bad = token[:i] + repl + token[i + 1 :]
            with pytest.raises(DecryptionError):
                _feed(bad, key, rnd)
            with pytest.raises(DecryptionError):
                jwe.decrypt_compact(bad, key)
        for bad in (token[:i], token[:i] + token[i + 1 :], token + b"."):
            with pytest.raises(DecryptionError):
                _feed(bad, key, rnd)


def test_decryptor_defers_its_failure_to_finish() -> None:
    key = os.urandom(32)
    token = jwe.encrypt_compact(os.urandom(3000), key)
    d = jwe.CompactDecryptor(key)
    d.feed(b"garbage." + token[8:100])  # refused, but quietly
    d.feed(token[100:])
    with pytest.raises(DecryptionError) as info:
        d.finish()
    assert info.value.__cause__ is not None
    with pytest.raises(DecryptionError):
        d.finish()
    d = jwe.CompactDecryptor(key)
    with pytest.raises(DecryptionError):
        d.finish()  # nothing fed


def test_write_zip_pieces_give_the_same_bytes() -> None:
    rnd = random.Random(3)
    members = [
        ("a.jwe", b64u_encode_bytes(os.urandom(300_000))),
        ("b.jwe", b""),
        ("c.jwe", b"abcd" * 50_000),
    ]
    for huffman_only in (True, False):
        reference = write_zip(members, huffman_only=huffman_only)
        pieces = [(n, _split(d, rnd, (1, 7, 4096, 65_536))) for n, d in members]
        assert write_zip(pieces, huffman_only=huffman_only) == reference


def test_read_pieces_check_before_the_end() -> None:
    payload = os.urandom(1_500_000) + b"z" * 2_000_000
    data = write_zip([("x", payload)])
    z = read_zip(data, canonical=True)
    pieces = list(z.read_pieces("x"))
    assert len(pieces) > 1 and all(len(p) <= 1 << 20 for p in pieces)
    assert b"".join(pieces) == payload == z.read("x")
    # a wrong CRC only shows at the end of the iteration
    crc_at = 14
    bad = bytearray(data)
    bad[crc_at : crc_at + 4] = (zlib.crc32(payload) ^ 1).to_bytes(4, "little")
    cd = data.rfind(b"PK\x01\x02")
    bad[cd + 16 : cd + 20] = bad[crc_at : crc_at + 4]
    it = read_zip(bytes(bad), canonical=True).read_pieces("x")
    next(it)
    with pytest.raises(ZipFormatError):
        list(it)
    small = read_zip(data, canonical=True)
    small._limits = type(small._limits)(max_total_size=1_000_000)
    with pytest.raises(InputTooLargeError):
        list(small.read_pieces("x"))
