"""Two threads for the body of a large JWE token: AES-GCM on one, base64url on both (issue #20).

The body is ``BASE64URL(ciphertext)`` of the compact form (RFC 7516 §7.1, profile P0 §4). AES-GCM
is one sequential stream (GHASH chains every block); base64url is not: cut at multiples of 3 bytes
/ 4 characters, the pieces encode and decode independently and concatenate to the encoding of the
whole (RFC 4648 §4). pybase64 and ``cryptography`` both release the GIL over their buffers, so on
two cores the base64url of one piece runs while AES-GCM runs on another. The calling thread does
all the AES-GCM, in order; one worker thread per process does base64url only, and the calling
thread takes base64url pieces too whenever it would otherwise wait (the two costs differ per CPU,
so the split is not fixed). The bytes written are those of the one-thread path
(``tests/crypto/test_crypto_jwe_pipeline.py``). Figures: ``docs/performance.md`` (CXP profile P0).

Opening decrypts into the caller's buffer and never returns plaintext: the caller verifies the
tag (:meth:`cxkit.crypto.jwe.CompactDecryptor.finish`) before anything is handed out.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
from collections.abc import Callable
from typing import Final

from cxkit._base64url import b64u_decode_span

__all__ = ["MIN_SIZE", "decrypt_into", "encrypt_into", "worth_it"]

MIN_SIZE: Final = 4 << 20
"""Plaintext bytes from which the two-thread path is used (below it, one thread)."""
PLAIN_STEP: Final = 3 << 18  # plaintext bytes per piece: a multiple of 3
TEXT_STEP: Final = PLAIN_STEP // 3 * 4  # base64url characters per piece: a multiple of 4
_RING: Final = 4  # pieces in flight (ciphertext buffers / decoded pieces not yet decrypted)
_SLACK: Final = 15  # ``update_into`` wants room for one AES block less a byte beyond the input

try:
    import pybase64 as _fast
except ImportError:  # pragma: no cover - without it base64url holds the GIL: no gain
    _fast = None  # type: ignore[assignment]

UpdateInto = Callable[[bytes | bytearray | memoryview, bytearray | memoryview], int]

_worker_lock = threading.Lock()
_worker: tuple[int, queue.SimpleQueue[Callable[[], None]]] | None = None


def _reset_after_fork() -> None:
    global _worker_lock, _worker
    _worker_lock, _worker = threading.Lock(), None  # the worker thread did not fork with us


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _serve(tasks: queue.SimpleQueue[Callable[[], None]]) -> None:
    while True:
        task = tasks.get()
        # Tasks report their own errors to their caller; none may end the worker.
        with contextlib.suppress(BaseException):
            task()
        del task


def _submit(task: Callable[[], None]) -> None:
    """Run *task* on the process's one base64url worker thread (started at first use: a thread
    start costs as much CPU as 1 MiB of AES-GCM). A task runs to its end before the next."""
    global _worker
    worker = _worker
    if worker is None or worker[0] != os.getpid():
        with _worker_lock:
            worker = _worker
            if worker is None or worker[0] != os.getpid():
                tasks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
                threading.Thread(
                    target=_serve, args=(tasks,), name="cxkit-base64url", daemon=True
                ).start()
                worker = _worker = (os.getpid(), tasks)
    worker[1].put(task)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def worth_it(size: int) -> bool:
    """Whether a body of *size* plaintext bytes goes through two threads: large enough, more
    than one usable core, and a base64url codec that releases the GIL (pybase64)."""
    return size >= MIN_SIZE and _fast is not None and _cores() > 1


class _Once:
    """The output buffer, made by whichever thread needs it first (the worker usually makes it
    while the calling thread runs AES-GCM on the first pieces: zero-filling a 13 MB buffer
    costs as much as AES-GCM over 2 MB)."""

    def __init__(self, make: Callable[[], memoryview]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._view: memoryview | None = None
        self.closed = False

    def get(self) -> memoryview | None:
        """The buffer (made now if needed), or ``None`` once :meth:`close` ran."""
        view = self._view
        if view is not None:
            return view
        with self._lock:
            if self._view is None and not self.closed:
                self._view = self._make()
            return self._view

    def close(self, *, release: bool) -> None:
        """Wait for a :meth:`get` in progress; later ones return ``None``. With *release*, the
        buffer is released (its owner can be resized again)."""
        with self._lock:
            self.closed = True
            if release and self._view is not None:
                self._view.release()
            self._view = None


def encrypt_into(
    update_into: UpdateInto, plain: memoryview, make_out: Callable[[], memoryview], at: int
) -> tuple[memoryview, int]:
    """Encrypt *plain* with *update_into* (a GCM encryptor's) and write the unpadded base64url
    of the ciphertext into ``out[at:]``, where ``out = make_out()`` (called once, on either
    thread) has room for it; returns *out* and the end offset.

    Nothing touches *out* any more once this returns (or raises)."""
    assert _fast is not None
    encode = _fast.urlsafe_b64encode
    step = PLAIN_STEP
    bufs = [bytearray(step + _SLACK) for _ in range(_RING)]
    free: queue.SimpleQueue[int] = queue.SimpleQueue()  # buffers not waiting for base64url
    for idx in range(_RING):
        free.put(idx)
    jobs: queue.SimpleQueue[tuple[int, int, int] | None] = queue.SimpleQueue()
    errors: list[BaseException] = []
    output = _Once(make_out)

    def run(job: tuple[int, int, int]) -> None:
        idx, n, pos = job
        try:
            out = output.get()
            if not errors and out is not None:
                with memoryview(bufs[idx]) as ct:
                    text = encode(ct[:n])
                m = (n * 4 + 2) // 3  # unpadded
                with memoryview(text) as view:
                    out[pos : pos + m] = view[:m]
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)
        finally:
            free.put(idx)

    def work() -> None:
        try:
            output.get()
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)
        while (job := jobs.get()) is not None:
            run(job)

    _submit(work)
    try:
        for off in range(0, len(plain), step):
            try:
                idx = free.get_nowait()
            except queue.Empty:  # every buffer waits for its base64url: take one here
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    pass
                else:
                    if job is not None:
                        run(job)
                idx = free.get()
            n = update_into(plain[off : off + step], bufs[idx])
            jobs.put((idx, n, at))
            at += (n * 4 + 2) // 3
        out = output.get()
    finally:
        # What is left: here and on the worker. Every buffer back means every piece written
        # (or, after an error, dropped).
        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                run(job)
        for _ in range(_RING):
            free.get()
        jobs.put(None)
        output.close(release=False)  # the caller's now
    if errors:
        raise errors[0]
    assert out is not None
    return out, at


def decrypt_into(
    update_into: UpdateInto,
    text: bytes,
    start: int,
    end: int,
    make_out: Callable[[], memoryview],
) -> int:
    """Decode ``text[start:end]`` (whole base64url groups, strict) and decrypt it with
    *update_into* (a GCM decryptor's) into ``make_out()`` (called once, on either thread), which
    must have room for it plus 15 bytes; returns the bytes written. Text that is not strict
    base64url raises ``ValueError``.

    Only the calling thread writes to the output, and nothing touches it once this returns."""
    step = TEXT_STEP
    count = -(-(end - start) // step)
    raws: list[bytes | BaseException | None] = [None] * count
    ready = [threading.Lock() for _ in range(count)]
    for lock in ready:
        lock.acquire()
    claims = itertools.count()  # pieces are claimed in order, by either thread
    window: queue.SimpleQueue[int] = queue.SimpleQueue()  # pieces that may be decoded ahead
    for _ in range(_RING):
        window.put(0)
    output = _Once(make_out)

    def decode(k: int) -> None:
        i = start + k * step
        try:
            raws[k] = b64u_decode_span(text, i, min(i + step, end))
        except BaseException as exc:  # raised in order by the calling thread
            raws[k] = exc
        finally:
            ready[k].release()

    def work() -> None:
        with contextlib.suppress(BaseException):  # the calling thread makes it again, and raises
            output.get()
        while True:
            window.get()
            if output.closed:
                return
            k = next(claims)
            if k >= count:
                return
            decode(k)

    _submit(work)
    written = 0
    try:
        out: memoryview | None = None
        for i in range(count):
            lock = ready[i]
            while not lock.acquire(blocking=False):
                # Not decoded yet: decode the next unclaimed piece here (within the window),
                # else wait for the worker's.
                try:
                    window.get_nowait()
                except queue.Empty:
                    lock.acquire()
                    break
                k = next(claims)
                if k >= count:
                    lock.acquire()
                    break
                decode(k)
            raw, raws[i] = raws[i], None
            window.put(0)
            if isinstance(raw, BaseException):
                raise raw
            assert raw is not None
            if out is None:
                out = output.get()
                assert out is not None
            written += update_into(raw, out[written:])
    finally:
        output.close(release=True)
        window.put(0)  # a worker waiting for the window returns
    return written
