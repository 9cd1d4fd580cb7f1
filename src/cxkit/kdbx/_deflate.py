"""gzip (RFC 1952) in pieces deflated on worker threads, the way ``pigz`` does it.

zlib releases the GIL while it deflates, so while the writer builds the next piece of XML in
Python, earlier pieces are compressed on other cores. Each piece is a raw deflate stream that
ends with a sync flush (byte-aligned, not final) and is primed with the 32 KiB before it as a
preset dictionary, so matches reach back across pieces as in one stream; a final empty block,
the CRC-32 and the length close the member. Any gzip reader (KeePass, KeePassXC, zlib) reads
it as one ordinary stream.

How often a worker takes the GIL matters more than how fast it deflates: a thread that wants
the GIL back while the writer runs Python waits up to the switch interval (5 ms). A
``compressobj`` takes it back for every output block it grows (three or four times for a
900 KB piece: a piece took 30 ms instead of 5 while the writer ran). zlib-ng's
``_ParallelCompress`` (the engine of its own ``gzip_ng_threaded``) deflates a piece, sync flush
and CRC included, into a buffer sized in advance, in one release of the GIL; it is used when
present (zlib-ng 1.x), the ``compressobj`` path otherwise (same bytes, slower).

The worker threads are started once per process and kept (idle, waiting on a queue) for the
next file: starting and joining them cost ~0.2–0.4 ms of CPU per file, and in wall time a wait
for each new thread to be scheduled (issue #13: the fixed cost of a small write). A forked
child starts its own when it first writes; at interpreter exit they end with the others of
:mod:`concurrent.futures`.
"""

from __future__ import annotations

import os
import struct
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final

from cxkit._zlib import zlib

__all__ = ["ONE_CALL_DEFLATE", "ParallelGzip"]

_WINDOW: Final = 32 * 1024
_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime, OS unknown
_FINAL_BLOCK: Final = b"\x03\x00"  # a final, empty fixed-Huffman block
_MAX_PIECE: Final = 16 * 1024 * 1024  # a bounded buffer per worker (and zlib-ng's 4 GiB limit)

_ParallelCompress: Any = getattr(zlib, "_ParallelCompress", None)  # zlib-ng only
_crc32_combine: Any = getattr(zlib, "crc32_combine", None)
# whether a piece is deflated in one release of the GIL (zlib-ng), with its CRC
ONE_CALL_DEFLATE: Final = _ParallelCompress is not None and _crc32_combine is not None


def _deflate(data: bytes, window: bytes, level: int) -> tuple[bytes, int | None]:
    """A piece as raw deflate ending in a sync flush, and its CRC-32 (``None`` when the
    caller computes it)."""
    if ONE_CALL_DEFLATE:
        # deflate's output is at most an eighth larger than its input (level 1's fixed codes
        # of up to 9 bits; stored blocks add 5 bytes each), plus the flush; should it not
        # fit, zlib-ng raises an error rather than write past the buffer
        c = _ParallelCompress(buffersize=len(data) + len(data) // 8 + 512, level=level)
        out, crc = c.compress_and_crc(data, window)
        return out, crc
    if window:
        co = zlib.compressobj(level, zlib.DEFLATED, -15, zlib.DEF_MEM_LEVEL, 0, window)
    else:
        co = zlib.compressobj(level, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush(zlib.Z_SYNC_FLUSH), None


_WORKERS: Final = min(4, os.cpu_count() or 1)
_pools: dict[int, ThreadPoolExecutor] = {}  # by number of workers: kept for the next file
_pools_lock = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """The process's pool of *workers* deflate threads (started on first use)."""
    pool = _pools.get(workers)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(workers)
            if pool is None:
                pool = _pools[workers] = ThreadPoolExecutor(
                    workers, thread_name_prefix="cxkit-gzip"
                )
    return pool


def _forget_pools() -> None:
    """In a forked child: the parent's worker threads do not exist there."""
    global _pools_lock
    _pools.clear()
    _pools_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def _done(result: tuple[bytes, int | None]) -> Future[tuple[bytes, int | None]]:
    future: Future[tuple[bytes, int | None]] = Future()
    future.set_result(result)
    return future


class ParallelGzip:
    """Collects bytes with :meth:`write`; :meth:`finish` returns the gzip member."""

    def __init__(self, level: int, *, piece_size: int = 256 * 1024, workers: int = 0) -> None:
        self.level = level
        self.piece_size = piece_size
        self.workers = workers or _WORKERS
        # future, data, window
        self._pieces: list[tuple[Future[tuple[bytes, int | None]], bytes, bytes]] = []
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._window = b""
        self._crc = 0  # of the data so far, when the workers do not compute it
        self._size = 0

    def write(self, data: bytes) -> None:
        if len(data) > _MAX_PIECE:  # a large attachment pool: cut, so pieces stay bounded
            for start in range(0, len(data), _MAX_PIECE):
                self.write(data[start : start + _MAX_PIECE])
            return
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
        if not ONE_CALL_DEFLATE:
            self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        try:
            future = _pool(self.workers).submit(_deflate, data, self._window, self.level)
        except RuntimeError:  # the interpreter is exiting: no new threads, deflated here
            future = _done(_deflate(data, self._window, self.level))
        self._pieces.append((future, data, self._window))
        self._window = data[-_WINDOW:] if len(data) >= _WINDOW else (self._window + data)[-_WINDOW:]

    def finish(self) -> bytes:
        self._submit()
        crc = self._crc
        body: list[bytes] = [_HEADER]
        try:  # pieces no worker has started yet are deflated here rather than waited for
            for future, data, window in self._pieces:
                if future.cancel():
                    out, piece_crc = _deflate(data, window, self.level)
                else:
                    out, piece_crc = future.result()
                body.append(out)
                if piece_crc is not None:
                    crc = _crc32_combine(crc, piece_crc, len(data))
        finally:
            self.close()
        body += [_FINAL_BLOCK, struct.pack("<II", crc & 0xFFFFFFFF, self._size & 0xFFFFFFFF)]
        return b"".join(body)

    def close(self) -> None:
        """Drop the pieces: those no worker has started are cancelled, those being deflated
        waited for, so nothing of this member is deflated afterwards (also after an error;
        :meth:`finish` calls it). The workers stay for the next member."""
        pieces, self._pieces = self._pieces, []
        for future, _data, _window in pieces:
            if not future.cancel():
                future.exception()  # waits; a worker's error was raised by finish, if at all
