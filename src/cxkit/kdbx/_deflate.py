"""gzip (RFC 1952) in pieces deflated on worker threads, the way ``pigz`` does it.

zlib (zlib-ng, see :mod:`cxkit._zlib`) releases the GIL while it deflates, so while the writer builds the next piece of XML in
Python, earlier pieces are compressed on other cores. Each piece is a raw deflate stream that
ends with a sync flush (byte-aligned, not final) and is primed with the 32 KiB before it as a
preset dictionary, so matches reach back across pieces as in one stream; a final empty block,
the CRC-32 and the length close the member. Any gzip reader (KeePass, KeePassXC, zlib) reads
it as one ordinary stream.
"""

from __future__ import annotations

import os
import struct
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final

from cxkit._zlib import zlib

__all__ = ["ParallelGzip"]

_WINDOW: Final = 32 * 1024
_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime, OS unknown
_FINAL_BLOCK: Final = b"\x03\x00"  # a final, empty fixed-Huffman block


def _deflate(data: bytes, window: bytes, level: int) -> tuple[Any, bytes]:
    """Deflate a piece, all but its last few bytes: the compressor and what it gave. The sync
    flush is left to the caller, so a worker needs the GIL back once per piece, not twice."""
    if window:
        c = zlib.compressobj(level, zlib.DEFLATED, -15, zlib.DEF_MEM_LEVEL, 0, window)
    else:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c, c.compress(data)


def _finish_piece(c: Any, head: bytes) -> bytes:
    tail: bytes = c.flush(zlib.Z_SYNC_FLUSH)  # a few bytes of work, on the caller's thread
    return head + tail


class ParallelGzip:
    """Collects bytes with :meth:`write`; :meth:`finish` returns the gzip member."""

    def __init__(self, level: int, *, piece_size: int = 256 * 1024, workers: int = 0) -> None:
        self.level = level
        self.piece_size = piece_size
        self.workers = workers or min(4, os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None
        self._pieces: list[
            tuple[Future[tuple[Any, bytes]], bytes, bytes]
        ] = []  # future, data, window
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._window = b""
        self._crc = 0
        self._size = 0

    def write(self, data: bytes) -> None:
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= self.piece_size:
            self._submit()

    def _submit(self) -> None:
        data = b"".join(self._buffer)
        self._buffer = []
        self._buffered = 0
        if not data:
            return
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="cxkit-gzip")
        future = self._pool.submit(_deflate, data, self._window, self.level)
        self._pieces.append((future, data, self._window))
        self._window = data[-_WINDOW:] if len(data) >= _WINDOW else (self._window + data)[-_WINDOW:]

    def finish(self) -> bytes:
        self._submit()
        try:  # pieces no worker has started yet are deflated here rather than waited for
            body = b"".join(
                _finish_piece(
                    *(_deflate(data, window, self.level) if future.cancel() else future.result())
                )
                for future, data, window in self._pieces
            )
        finally:
            self.close()
        trailer = struct.pack("<II", self._crc & 0xFFFFFFFF, self._size & 0xFFFFFFFF)
        return b"".join([_HEADER, body, _FINAL_BLOCK, trailer])

    def close(self) -> None:
        """Stop the worker threads (also after an error; :meth:`finish` calls it)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pieces = []
