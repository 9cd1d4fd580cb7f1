"""The in-place JWE decryption (issue #20): a size hint changes where the plaintext is written,
never what is returned or refused; the strict base64url span check with one look for padding."""

from __future__ import annotations

import base64
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import _base64url
from cxkit.crypto import jwe
from cxkit.errors import DecryptionError

_KEY = bytes(range(32))


def _token(size: int) -> tuple[bytes, bytes]:
    plaintext = random.Random(size).randbytes(size)
    return plaintext, jwe.encrypt_compact(plaintext, _KEY)


def _feed(token: bytes, hint: int | None, pieces: int) -> bytes:
    d = jwe.CompactDecryptor(_KEY, size_hint=hint)
    step = max(1, len(token) // pieces)
    for i in range(0, len(token), step):
        d.feed(token[i : i + step])
    return d.finish()


@pytest.mark.parametrize("size", [3_000_000, 3_000_001, 3_000_002])
def test_any_hint_gives_the_same_plaintext(size: int) -> None:
    plaintext, token = _token(size)
    assert jwe.decrypt_compact(token, _KEY) == plaintext
    for hint in (None, len(token), len(token) - 4_000, len(token) // 2, len(token) * 2, 0, -5):
        for pieces in (1, 3, 7):
            assert _feed(token, hint, pieces) == plaintext, (hint, pieces)


def test_presized_decryption_refuses_tampering() -> None:
    _, token = _token(2_500_000)
    rnd = random.Random(3)
    positions = [60, 1 << 20, len(token) // 2, len(token) - 30, len(token) - 23, len(token) - 1]
    positions += [rnd.randrange(len(token)) for _ in range(10)]
    for pos in positions:
        for repl in (b"A", b"-", b"+", b"/", b"=", b"."):
            if token[pos : pos + 1] == repl:
                continue
            bad = token[:pos] + repl + token[pos + 1 :]
            with pytest.raises(DecryptionError):
                jwe.decrypt_compact(bad, _KEY)
            with pytest.raises(DecryptionError):
                _feed(bad, len(bad), 5)
    for bad in (token[:-1], token[: len(token) // 2], token + b"A", token[:100] + token[101:]):
        with pytest.raises(DecryptionError):
            jwe.decrypt_compact(bad, _KEY)
        with pytest.raises(DecryptionError):
            _feed(bad, len(token), 4)


def test_wrong_key_refused_presized() -> None:
    _, token = _token(1_500_000)
    with pytest.raises(DecryptionError):
        jwe.decrypt_compact(token, os.urandom(32))


_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.mark.parametrize("decoder", ["default", "stdlib"])
@settings(max_examples=300, deadline=None)
@given(
    body=st.text(alphabet=_URL, min_size=0, max_size=64).map(lambda t: t[: len(t) // 4 * 4]),
    bad=st.sampled_from("=+/.~ "),
    where=st.integers(min_value=0, max_value=63),
)
def test_span_refuses_every_foreign_character(
    decoder: str, body: str, bad: str, where: int
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if decoder == "stdlib":
            mp.setattr(_base64url, "_decode", _base64url._decode_std)
        _check_span(body, bad, where)


def _check_span(body: str, bad: str, where: int) -> None:
    data = b"xx" + body.encode() + b"yy"
    good = _base64url.b64u_decode_span(data, 2, 2 + len(body))
    assert good == base64.urlsafe_b64decode(body.encode())
    if not body:
        return
    i = 2 + where % len(body)
    spoilt = data[:i] + bad.encode() + data[i + 1 :]
    with pytest.raises(ValueError):
        _base64url.b64u_decode_span(spoilt, 2, 2 + len(body))
    # padding-shaped tails too: "=" or "==" at the end of the span
    for tail in (b"=", b"=="):
        padded = data[:2] + body.encode()[: len(body) - len(tail)] + tail
        with pytest.raises(ValueError):
            _base64url.b64u_decode_span(padded, 2, 2 + len(body))
