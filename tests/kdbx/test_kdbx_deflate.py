"""The pieces-on-threads gzip writer (``cxkit.kdbx._deflate``) makes one ordinary gzip member:
the standard library reads back exactly what was written, whatever the piece boundaries."""

from __future__ import annotations

import gzip
import os
import random
import signal
import threading
import time
import warnings
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.kdbx._deflate import ParallelGzip


def _text(rnd: random.Random, n: int) -> bytes:
    words = [b"<Entry>", b"<String><Key>", b"Title", b"</Value>", b"\n\t", b"abc", b"\x00\xff"]
    out = bytearray()
    while len(out) < n:
        out += rnd.choice(words) if rnd.random() < 0.8 else rnd.randbytes(rnd.randint(1, 40))
    return bytes(out[:n])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(0, 150_000),
    piece=st.integers(1, 70_000),
    write=st.integers(1, 50_000),
    level=st.sampled_from([0, 1, 6, 9]),
)
def test_the_member_reads_back_as_written(
    seed: int, size: int, piece: int, write: int, level: int
) -> None:
    data = _text(random.Random(seed), size)
    gz = ParallelGzip(level, piece_size=piece, workers=2)
    for i in range(0, len(data), write):
        gz.write(data[i : i + write])
    member = gz.finish()
    assert gzip.decompress(member) == data
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert d.decompress(member) == data and d.eof and not d.unused_data


def test_pieces_reach_back_into_the_previous_piece() -> None:
    data = _text(random.Random(1), 2_000_000)
    gz = ParallelGzip(6, piece_size=64 * 1024)
    gz.write(data)
    member = gz.finish()
    whole = zlib.compress(data, 6)
    assert len(member) < len(whole) * 1.02  # the preset dictionaries keep the ratio


def test_close_after_an_error_stops_the_workers() -> None:
    gz = ParallelGzip(6, piece_size=10)
    gz.write(b"x" * 100)
    gz.close()
    gz.close()  # idempotent


def test_zlib_ng_deflates_each_piece_in_one_call() -> None:
    """zlib-ng is a declared dependency; if an upgrade drops ``_ParallelCompress`` the
    slower path still works, but this test says so."""
    from cxkit._zlib import IMPLEMENTATION
    from cxkit.kdbx import _deflate

    if IMPLEMENTATION != "zlib-ng":
        pytest.skip("zlib-ng is not installed")
    assert _deflate.ONE_CALL_DEFLATE


@pytest.mark.parametrize("one_call", [True, False], ids=["one-call", "compressobj"])
@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_both_paths_make_the_same_stream_even_for_incompressible_data(
    one_call: bool, level: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxkit.kdbx import _deflate

    if one_call and not _deflate.ONE_CALL_DEFLATE:
        pytest.skip("zlib-ng's one-call deflate is not available")
    monkeypatch.setattr(_deflate, "ONE_CALL_DEFLATE", one_call)
    rnd = random.Random(level)
    data = rnd.randbytes(300_000) + _text(rnd, 300_000) + bytes(100_000)
    gz = ParallelGzip(level, piece_size=128 * 1024, workers=2)
    for i in range(0, len(data), 50_000):
        gz.write(data[i : i + 50_000])
    assert gzip.decompress(gz.finish()) == data


def test_a_write_larger_than_the_largest_piece_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxkit.kdbx import _deflate

    monkeypatch.setattr(_deflate, "_MAX_PIECE", 1000)
    sizes: list[int] = []
    real = _deflate._deflate

    def spy(data: bytes, window: bytes, level: int) -> tuple[bytes, int | None]:
        sizes.append(len(data))
        return real(data, window, level)

    monkeypatch.setattr(_deflate, "_deflate", spy)
    data = _text(random.Random(3), 10_500)
    gz = ParallelGzip(6, piece_size=500, workers=2)
    gz.write(data)
    assert gzip.decompress(gz.finish()) == data
    assert max(sizes) <= 1000 and sum(sizes) == len(data)


def _gzip_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("cxkit-gzip")}


def _member(seed: int) -> tuple[bytes, bytes]:
    data = _text(random.Random(seed), 50_000)
    gz = ParallelGzip(6, piece_size=4096, workers=2)
    gz.write(data)
    return data, gz.finish()


def test_the_workers_are_kept_for_the_next_member() -> None:
    """Issue #13: a small file paid for starting and joining its threads; they are started
    once and kept (idle) for the next member."""
    data, member = _member(1)
    assert gzip.decompress(member) == data
    first = _gzip_threads()
    assert 0 < len(first) <= 2
    for seed in range(2, 6):
        data, member = _member(seed)
        assert gzip.decompress(member) == data
    assert _gzip_threads() == first


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_deflates_on_threads_of_its_own() -> None:
    """The parent's workers do not exist in a forked child: the child starts its own (else
    its pieces would wait, undeflated, for :meth:`ParallelGzip.finish` to deflate them one
    after the other)."""
    _member(1)  # the parent's workers are running
    with warnings.catch_warnings():  # Python 3.12+ warns of a fork while threads run (the
        warnings.simplefilter("ignore", DeprecationWarning)  # point of this test)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            data, member = _member(2)
            ok = gzip.decompress(member) == data and len(_gzip_threads()) > 0
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    deadline = time.monotonic() + 60
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung writing a member")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(done[1]) == 0


def test_close_cancels_what_no_worker_has_started() -> None:
    gz = ParallelGzip(6, piece_size=1000, workers=1)
    gz.write(_text(random.Random(4), 200_000))  # 200 pieces for one worker
    gz.close()
    data, member = _member(5)  # the worker is free for the next member
    assert gzip.decompress(member) == data
