"""The two-thread JWE path (issue #20 item 3): the same token bytes and the same verdicts as the
one-thread path, at every piece boundary, under tampering, from several threads, after a fork."""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_crypto_jwe_golden import GOLDEN

from cxkit.crypto import _pipeline, jwe
from cxkit.errors import DecryptionError

_IV = bytes(range(100, 112))
_KEY = bytes(range(32))
_STEP = 48  # small pieces: many boundaries and a full ring in a few hundred bytes


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_pipeline, "PLAIN_STEP", _STEP)
    monkeypatch.setattr(_pipeline, "TEXT_STEP", _STEP // 3 * 4)
    yield


def _one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pipeline, "worth_it", lambda size: False)


def _two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pipeline, "worth_it", lambda size: True)


def _both(
    monkeypatch: pytest.MonkeyPatch, plaintext: bytes, key: bytes = _KEY
) -> tuple[bytes, bytes]:
    _one_thread(monkeypatch)
    reference = jwe.encrypt_compact(plaintext, key, _iv=_IV)
    _two_threads(monkeypatch)
    return reference, jwe.encrypt_compact(plaintext, key, _iv=_IV)


_SIZES = sorted(
    {0, 1, 2, 3, 4, 5}
    | {k * _STEP + d for k in (1, 2, 3, 4, 5, 8, 9, 17) for d in (-2, -1, 0, 1, 2)}
    | {1000, 4096}
)


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("size", _SIZES)
def test_same_bytes_at_every_boundary(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    plaintext = random.Random(size).randbytes(size)
    reference, token = _both(monkeypatch, plaintext)
    assert token == reference
    assert b"".join(jwe.encrypt_compact_parts(plaintext, _KEY, _iv=_IV)) == reference
    assert jwe.decrypt_compact(token, _KEY) == plaintext  # two threads
    _one_thread(monkeypatch)
    assert jwe.decrypt_compact(token, _KEY) == plaintext


@pytest.mark.parametrize(("size", "key_len", "length", "digest"), GOLDEN)
def test_golden_tokens_through_two_threads(
    monkeypatch: pytest.MonkeyPatch, size: int, key_len: int, length: int, digest: str
) -> None:
    """The pinned tokens, with the real piece size (786,432 bytes) and both threads."""
    _two_threads(monkeypatch)
    plaintext = random.Random(size).randbytes(size)
    key = bytes(range(key_len))
    token = jwe.encrypt_compact(plaintext, key, _iv=_IV)
    assert len(token) == length
    assert hashlib.sha256(token).hexdigest() == digest
    assert jwe.decrypt_compact(token, key) == plaintext


@pytest.mark.usefixtures("small_pieces")
@settings(max_examples=60, deadline=None)
@given(size=st.integers(0, 2000), key_len=st.sampled_from([16, 32]), seed=st.integers(0, 9))
def test_property_same_token(size: int, key_len: int, seed: int) -> None:
    with pytest.MonkeyPatch.context() as mp:
        plaintext = random.Random(seed).randbytes(size)
        key = random.Random(~seed).randbytes(key_len)
        reference, token = _both(mp, plaintext, key)
        assert token == reference
        assert jwe.decrypt_compact(token, key) == plaintext


@pytest.mark.usefixtures("small_pieces")
def test_tampering_refused_in_every_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    _two_threads(monkeypatch)
    plaintext = random.Random(5).randbytes(9 * _STEP + 7)
    token = jwe.encrypt_compact(plaintext, _KEY)
    body = token.index(b".", token.index(b"..") + 2) + 1
    tag = token.rindex(b".")
    rnd = random.Random(11)
    spots = [body, body + 1, tag - 1, tag + 1, len(token) - 1]
    spots += rnd.sample(range(body, tag), 40)
    for i in spots:
        for repl in (b"+", b"/", b"=", b".", b" ", b"\xff", b"A", b"-"):
            if token[i : i + 1] == repl:
                continue
            bad = token[:i] + repl + token[i + 1 :]
            with pytest.raises(DecryptionError):
                jwe.decrypt_compact(bad, _KEY)
            decryptor = jwe.CompactDecryptor(_KEY, size_hint=len(bad))
            decryptor.feed(bad)
            with pytest.raises(DecryptionError):
                decryptor.finish()
    with pytest.raises(DecryptionError):
        jwe.decrypt_compact(token, bytes(32))  # wrong key: the tag fails, nothing returned
    assert jwe.decrypt_compact(token, _KEY) == plaintext


@pytest.mark.usefixtures("small_pieces")
def test_many_threads_share_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    _two_threads(monkeypatch)
    failures: list[BaseException] = []

    def job(seed: int) -> None:
        try:
            rnd = random.Random(seed)
            for _ in range(15):
                plaintext = rnd.randbytes(rnd.randrange(0, 3000))
                key = rnd.randbytes(32)
                token = jwe.encrypt_compact(plaintext, key)
                assert jwe.decrypt_compact(token, key) == plaintext
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=job, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert not failures


@pytest.mark.usefixtures("small_pieces")
def test_a_failing_encoder_raises_and_the_next_call_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _two_threads(monkeypatch)
    real = _pipeline._fast
    calls = [0]

    class Broken:
        @staticmethod
        def urlsafe_b64encode(data: memoryview) -> bytes:
            calls[0] += 1
            if calls[0] == 5:
                raise MemoryError("simulated")
            return real.urlsafe_b64encode(data)

    monkeypatch.setattr(_pipeline, "_fast", Broken)
    with pytest.raises(MemoryError):
        jwe.encrypt_compact(os.urandom(20 * _STEP), _KEY)
    monkeypatch.setattr(_pipeline, "_fast", real)
    plaintext = os.urandom(20 * _STEP + 1)
    assert jwe.decrypt_compact(jwe.encrypt_compact(plaintext, _KEY), _KEY) == plaintext


def test_one_core_or_small_stays_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not _pipeline.worth_it(_pipeline.MIN_SIZE - 1)
    monkeypatch.setattr(_pipeline, "_cores", lambda: 1)
    assert not _pipeline.worth_it(1 << 30)
    monkeypatch.setattr(_pipeline, "_cores", lambda: 2)
    assert _pipeline.worth_it(_pipeline.MIN_SIZE)
    monkeypatch.setattr(_pipeline, "_fast", None)
    assert not _pipeline.worth_it(1 << 30)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.usefixtures("small_pieces")
def test_a_forked_child_gets_its_own_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    _two_threads(monkeypatch)
    plaintext = os.urandom(10 * _STEP)
    token = jwe.encrypt_compact(plaintext, _KEY)  # the parent's worker exists now
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit status
        try:
            ok = jwe.decrypt_compact(jwe.encrypt_compact(plaintext, _KEY), _KEY) == plaintext
            os._exit(0 if ok and jwe.decrypt_compact(token, _KEY) == plaintext else 1)
        finally:
            os._exit(2)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("size", [30 * _STEP, 30 * _STEP + 1, 30 * _STEP + 2])
def test_any_size_hint_gives_the_same_plaintext(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """A wrong hint costs speed, never correctness: also when the worker allocates the output."""
    _two_threads(monkeypatch)
    plaintext = random.Random(size).randbytes(size)
    token = jwe.encrypt_compact(plaintext, _KEY)
    for hint in (None, len(token), len(token) - 400, len(token) // 2, len(token) * 2, 0, -5):
        for pieces in (1, 3, 7):
            decryptor = jwe.CompactDecryptor(_KEY, size_hint=hint)
            step = max(1, len(token) // pieces)
            for i in range(0, len(token), step):
                decryptor.feed(token[i : i + step])
            assert decryptor.finish() == plaintext, (hint, pieces)
