"""The pieces-on-threads gzip writer (``cxkit.kdbx._deflate``) makes one ordinary gzip member:
the standard library reads back exactly what was written, whatever the piece boundaries."""

from __future__ import annotations

import gzip
import random
import zlib

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
