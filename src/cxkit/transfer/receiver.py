"""The importer's side of a live transfer: a one-shot HTTP/1.1 listener (profile P0 §5).

Why ``asyncio`` and a small hand-written HTTP subset rather than ``http.server``: the listener
faces whoever can reach its port, so it needs *total* deadlines per connection (``http.server``
only has a per-``recv`` socket timeout, which a client sending one byte every few seconds
defeats), a cap on the request head and body checked before anything is buffered, a bound on
concurrent connections and on buffered body bytes, and a clean stop from another thread (expiry,
cancellation, success) that also ends connections still open. ``asyncio.timeout`` gives each
phase a deadline, one event loop in one background thread serves all connections without a
thread per connection, and stopping is one ``call_soon_threadsafe``. The HTTP subset is
deliberately small: one request per connection (``Connection: close``), ``Content-Length``
bodies only (no chunked encoding), ``Expect: 100-continue`` honoured, so a sender learns of a
refusal (too large, already received) before it uploads.

Endpoints under ``/cxp/p0/<128-bit random id>/`` (anything else: 404):

* ``GET request`` → the ExportRequest JSON (PSK mode entries; public keys only);
* ``POST response`` → ``204`` once a response passed every P0 check (it is decrypted with the
  PSK, so only a holder of the pairing string can produce it); otherwise an ``ErrorResponse``
  with a 4xx status, and the transfer goes on. After the first valid response :meth:`wait`
  returns and every further POST gets ``409`` ``forbidden-action`` until the receiver is
  closed (the CLI closes it at once). Bodies over ``max_body`` get ``413`` before they are read;
* ``POST error`` → an exporter's ``ErrorResponse`` (e.g. ``user-canceled``). It ends the
  transfer only when its ``X-Cxkit-Error-Mac`` header is HMAC-SHA256 under the PSK (see
  ``docs/transfer.md``); an unauthenticated report is answered ``403`` and ignored.

The private keys and the PSK stay in memory; nothing is written to disk. The key is destroyed
when the transfer ends (success, expiry, cancellation).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import math
import secrets
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from cxkit.crypto.safezip import DEFAULT_LIMITS, ZipLimits
from cxkit.cxp import p0
from cxkit.cxp.messages import (
    MAX_MESSAGE_SIZE,
    ErrorCode,
    ErrorResponse,
    ExportRequest,
    NegotiationError,
)
from cxkit.errors import (
    CxkitError,
    DecodeError,
    DecryptionError,
    InputError,
    InputTooLargeError,
    OutputError,
)
from cxkit.transfer import _wire
from cxkit.transfer.errors import (
    TransferCanceledError,
    TransferDeclinedError,
    TransferError,
    TransferExpiredError,
)
from cxkit.transfer.pairing import Pairing

__all__ = [
    "DEFAULT_IO_TIMEOUT",
    "DEFAULT_LIFETIME",
    "MIN_UPLOAD_RATE",
    "Receiver",
    "TransferEvent",
]

DEFAULT_LIFETIME: Final = float(p0.KEY_LIFETIME)
DEFAULT_IO_TIMEOUT: Final = 10.0
MIN_UPLOAD_RATE: Final = 256 << 10
"""Bytes per second a body upload may not fall below (its total deadline derives from it)."""
DEFAULT_MAX_CONNECTIONS: Final = 16
_CHUNK: Final = 1 << 20
_STREAM_LIMIT: Final = 1 << 20
"""StreamReader buffer (reads pause at twice this); head lines are capped separately."""


@dataclass(frozen=True)
class TransferEvent:
    """Something the user may want to see while waiting. ``kind``: ``request-served``,
    ``refused`` (a response or report was answered with an error; ``code``/``status`` say
    which), ``timeout`` (a connection was dropped for being too slow), ``received``.
    ``message`` is plain text without secrets; ``peer`` is the client address."""

    kind: str
    message: str
    peer: str = ""
    code: str | None = None
    status: int | None = None


class _Reply(Exception):  # noqa: N818 - control flow inside the listener, never escapes it
    def __init__(self, status: int, code: ErrorCode | None = None, message: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, reuse_port=False)
    except OSError as exc:
        raise OutputError(
            f"cannot listen on {host} port {port}: {exc.strerror or exc}",
            hint="choose another address or port",
        ) from None
    sock.setblocking(False)
    return sock


class Receiver:
    """One live transfer, importer side.

    ::

        with Receiver(importer="example.org") as rx:
            show(rx.pairing.to_string())          # QR code / text for the exporter
            opened = rx.wait()                     # OpenedExport, or a TransferError

    The listener starts on entering (or :meth:`start`), binds *host* (default ``127.0.0.1``)
    on *port* (default: a free one). The transfer ends on the first valid response (then
    :meth:`wait` returns it; the listener answers later POSTs with 409 until closed), on expiry
    (*lifetime* seconds), on :meth:`cancel`, on an authenticated error report from the
    exporter, or on :meth:`close`; the listener stops at :meth:`close` (context exit), on
    expiry and on cancellation. *on_event* is called from the listener thread with
    :class:`TransferEvent` values (keep it quick). *io_timeout* bounds the idle time between
    reads and the time to send a request head; a body must also arrive at ≥ ``MIN_UPLOAD_RATE``
    on average. *max_body* caps a response (checked from ``Content-Length`` before reading).
    """

    def __init__(
        self,
        *,
        importer: str = "cxkit",
        host: str = "127.0.0.1",
        port: int = 0,
        lifetime: float = DEFAULT_LIFETIME,
        credential_types: Iterable[str] | None = None,
        suites: Iterable[tuple[int, int, int]] = p0.DEFAULT_SUITES,
        max_body: int = MAX_MESSAGE_SIZE,
        io_timeout: float = DEFAULT_IO_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        limits: ZipLimits = DEFAULT_LIMITS,
        on_event: Callable[[TransferEvent], None] | None = None,
    ) -> None:
        if lifetime <= 0 or io_timeout <= 0 or max_body <= 0 or max_connections <= 0:
            raise InputError("lifetime, io_timeout, max_body and max_connections must be > 0")
        self._host = host
        self._port = port
        self._lifetime = float(lifetime)
        self._max_body = max_body
        self._io_timeout = float(io_timeout)
        self._max_connections = max_connections
        self._limits = limits
        self._on_event = on_event
        psk = secrets.token_bytes(32)
        self._request, self._key = p0.make_request(
            importer=importer,
            suites=suites,
            mode="direct",
            credential_types=credential_types,
            psk=psk,
            lifetime=max(1, math.ceil(self._lifetime)),
        )
        self._request_body = json.dumps(self._request.to_json(), separators=(",", ":")).encode()
        self._prefix = f"{_wire.PATH_PREFIX}{secrets.token_urlsafe(16)}/"
        self._psk = psk
        self._pairing: Pairing | None = None
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop = asyncio.Event()
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._transports: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()
        self._reserved = 0
        self._accepted = False
        self._done = threading.Event()
        self._outcome_lock = threading.Lock()
        self._closing_reply: asyncio.Task[None] | None = None
        self._result: p0.OpenedExport | None = None
        self._error: TransferError | None = None
        self._deadline = 0.0
        self._expires_at = 0.0

    # ----------------------------------------------------------------- public API

    @property
    def pairing(self) -> Pairing:
        """URL + request digest + PSK for the exporter (started receivers only)."""
        if self._pairing is None:
            raise TransferError("the receiver is not started")
        return self._pairing

    @property
    def request(self) -> ExportRequest:
        return self._request

    @property
    def fingerprint(self) -> str:
        return p0.request_fingerprint(self._request)

    @property
    def expires_at(self) -> float:
        """Unix time at which the listener stops waiting."""
        return self._expires_at

    def remaining(self) -> float:
        """Seconds left before expiry (0 when finished or expired)."""
        if self._done.is_set():
            return 0.0
        return max(0.0, self._deadline - time.monotonic())

    def start(self) -> Receiver:
        if self._thread is not None:
            raise TransferError("the receiver was already started")
        sock = _bind(self._host, self._port)
        try:
            host, port = sock.getsockname()[:2]
            netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            self._pairing = Pairing(
                f"http://{netloc}{self._prefix}", p0.request_digest(self._request), self._psk
            )
            self._deadline = time.monotonic() + self._lifetime
            self._expires_at = time.time() + self._lifetime
            self._loop = asyncio.new_event_loop()
            self._sock = sock
            self._thread = threading.Thread(
                target=self._run, name="cxkit-transfer-receiver", daemon=True
            )
            self._thread.start()
        except BaseException:
            sock.close()
            if self._loop is not None:
                self._loop.close()
            raise
        return self

    def poll(self, timeout: float = 0.0) -> bool:
        """Wait up to *timeout* seconds; ``True`` once the transfer has ended (any outcome)."""
        return self._done.wait(max(0.0, timeout))

    def wait(self) -> p0.OpenedExport:
        """Block until the transfer ends (at the latest at expiry) and return the export.

        Raises :class:`TransferExpiredError`, :class:`TransferCanceledError` or
        :class:`TransferDeclinedError`.
        """
        if self._thread is None:
            raise TransferError("the receiver is not started")
        while not self._done.wait(0.25):
            pass
        if self._result is not None:
            return self._result
        assert self._error is not None
        raise self._error

    def cancel(self) -> None:
        """End the transfer now (thread-safe); :meth:`wait` raises TransferCanceledError."""
        self._finish(None, TransferCanceledError("the transfer was canceled"))

    def close(self) -> None:
        """Cancel if still running, stop the listener and release everything (idempotent)."""
        self.cancel()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._key.destroy()
        self._psk = b""

    def __enter__(self) -> Receiver:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "done" if self._done.is_set() else ("running" if self._thread else "new")
        url = self._pairing.url if self._pairing else None
        return f"Receiver({state}, url={url!r}, psk=<redacted>)"

    # ----------------------------------------------------------------- internals

    def _emit(self, event: TransferEvent) -> None:
        if self._on_event is not None:
            with contextlib.suppress(Exception):
                self._on_event(event)

    def _finish(self, result: p0.OpenedExport | None, error: TransferError | None) -> bool:
        """Record the first outcome and stop the loop (callable from any thread); ``True``
        when this call decided the outcome."""
        with self._outcome_lock:
            decided = not self._done.is_set()
            if decided:
                self._result, self._error = result, error
                self._key.destroy()
                self._done.set()
        with contextlib.suppress(RuntimeError):  # loop already closed
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self._stop.set)
        return decided

    def _run(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
            loop.run_until_complete(_drain_tasks(0.0))
            self._close_transports(loop)
        except BaseException:  # pragma: no cover - a bug; never leave wait() hanging
            self._finish(None, TransferError("the receiver stopped unexpectedly"))
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
            if self._sock is not None:
                self._sock.close()
            if not self._done.is_set():
                self._finish(None, TransferCanceledError("the transfer was canceled"))

    async def _serve(self) -> None:
        assert self._sock is not None
        server = await asyncio.get_running_loop().create_server(self._protocol, sock=self._sock)
        try:
            if self._done.is_set():
                return
            try:
                async with asyncio.timeout(max(0.0, self._deadline - time.monotonic())):
                    await self._stop.wait()
            except TimeoutError:
                self._finish(
                    None,
                    TransferExpiredError(
                        "no valid response arrived in time; the transfer expired",
                        hint="start a new transfer",
                    ),
                )
        finally:
            self._stop.set()  # connections not started yet see it and close at once
            await self._stop_accepting()
            server.close()
            keep = self._closing_reply  # the 204 to the accepted sender is let through
            if keep is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    async with asyncio.timeout(self._io_timeout):
                        await asyncio.shield(keep)
            for writer in list(self._writers):
                writer.transport.abort()  # pending reads end; every task closes its writer
            await _drain_tasks(2.0)
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await server.wait_closed()

    async def _stop_accepting(self) -> None:
        """Stop accepting, then let the connections accepted already get their transports
        before the server closes.

        asyncio (3.11) accepts a connection in one loop turn and builds its transport in a task
        that runs in the next; a transport built after ``Server.close()`` fails in its
        constructor (the server's ``_attach`` asserts it is open), the error is swallowed and
        the half-built transport keeps the socket open until garbage collection ("unclosed
        transport"): the cause of a flaky live test. Removing the listening socket's reader
        first and yielding twice lets those tasks run while the server is still open; their
        handlers see ``_stop`` and close at once."""
        assert self._sock is not None
        with contextlib.suppress(Exception):  # (the socket may be closed already)
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
        for _ in range(2):
            await asyncio.sleep(0)

    def _protocol(self) -> asyncio.StreamReaderProtocol:
        """The stream protocol of one accepted connection, its transport remembered so that
        :meth:`_close_transports` closes it whatever happened to its handler."""
        return _TrackedProtocol(
            asyncio.StreamReader(limit=_STREAM_LIMIT), self._on_connection, self._transports
        )

    def _close_transports(self, loop: asyncio.AbstractEventLoop) -> None:
        """Abort every connection still open and let the loop run their close callbacks.

        A handler task cancelled before its first step never reaches its ``finally`` (the
        coroutine is thrown into before its first line), so the connection it was given would
        stay open until garbage collection ("unclosed transport"). Aborting schedules the socket's close with ``call_soon``; one more loop turn runs it.
        """
        for transport in list(self._transports):
            if not transport.is_closing():
                transport.abort()  # type: ignore[attr-defined]
        loop.run_until_complete(asyncio.sleep(0))

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        peer_info = writer.get_extra_info("peername")
        peer = f"{peer_info[0]}:{peer_info[1]}" if isinstance(peer_info, tuple) else "?"
        try:
            if len(self._tasks) > self._max_connections or self._stop.is_set():
                return
            await self._handle(reader, writer, peer)
        except _Reply as reply:
            with contextlib.suppress(Exception):
                await self._reply(writer, reply.status, reply.code)
        except TimeoutError:
            self._emit(TransferEvent("timeout", "a connection was too slow and was dropped", peer))
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug must not take the listener down
            self._emit(TransferEvent("refused", "internal error while handling a connection", peer))
        finally:
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                async with asyncio.timeout(1):
                    await writer.wait_closed()
            self._tasks.discard(task)
            self._writers.discard(writer)

    async def _reply(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        code: ErrorCode | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        if body is None and code is not None:
            body = json.dumps(ErrorResponse(0, code).to_json()).encode()
        headers = {"Connection": "close", "Cache-Control": "no-store"}
        if body:
            headers["Content-Type"] = content_type
        writer.write(_wire.head(status, headers, len(body or b"")) + (body or b""))
        async with asyncio.timeout(self._io_timeout):
            await writer.drain()

    async def _read_head(self, reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
        async with asyncio.timeout(self._io_timeout):
            total = 0
            line = await reader.readuntil(b"\r\n")
            total += len(line)
            if total > _wire.MAX_HEAD_BYTES:
                raise _Reply(431)
            try:
                method, target, version = line.decode("ascii").rstrip("\r\n").split(" ")
            except (UnicodeDecodeError, ValueError):
                raise _Reply(400) from None
            if version not in ("HTTP/1.1", "HTTP/1.0"):
                raise _Reply(400)
            headers: dict[str, str] = {}
            while True:
                line = await reader.readuntil(b"\r\n")
                total += len(line)
                if total > _wire.MAX_HEAD_BYTES or len(headers) > _wire.MAX_HEADERS:
                    raise _Reply(431)
                if line == b"\r\n":
                    break
                try:
                    name, value = line.decode("latin-1").rstrip("\r\n").split(":", 1)
                except ValueError:
                    raise _Reply(400) from None
                key = name.strip().lower()
                if key in headers or not key or name != name.strip():
                    raise _Reply(400)  # duplicates (e.g. two Content-Length) are refused
                headers[key] = value.strip()
        return method, target, headers

    def _route(self, target: str) -> str | None:
        prefix = self._prefix
        head, rest = target[: len(prefix)], target[len(prefix) :]
        if len(head) != len(prefix) or not hmac.compare_digest(
            head.encode("latin-1", "replace"), prefix.encode("ascii")
        ):
            return None
        return rest if rest in _wire.ENDPOINTS else None

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: str
    ) -> None:
        method, target, headers = await self._read_head(reader)
        endpoint = self._route(target)
        if endpoint is None:
            raise _Reply(404)
        if endpoint == "request":
            if method != "GET":
                raise _Reply(405)
            self._emit(TransferEvent("request-served", "the exporter fetched the request", peer))
            await self._reply(writer, 200, body=self._request_body)
            return
        if method != "POST":
            raise _Reply(405)
        if "transfer-encoding" in headers:
            raise _Reply(411)
        raw_length = headers.get("content-length", "")
        if not raw_length.isdigit() or len(raw_length) > 15:
            raise _Reply(411)
        length = int(raw_length)
        expect = headers.get("expect", "").lower()
        if expect and expect != "100-continue":
            raise _Reply(417)
        if endpoint == "error":
            await self._handle_error(reader, writer, peer, length, headers, bool(expect))
        else:
            await self._handle_response(reader, writer, peer, length, bool(expect))

    async def _read_body(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, length: int, expect: bool
    ) -> bytes:
        if expect:
            writer.write(_wire.head(100, length=None))
            async with asyncio.timeout(self._io_timeout):
                await writer.drain()
        body = bytearray()
        async with asyncio.timeout(self._io_timeout + length / MIN_UPLOAD_RATE):
            while len(body) < length:
                async with asyncio.timeout(self._io_timeout):
                    chunk = await reader.read(min(_CHUNK, length - len(body)))
                if not chunk:
                    raise asyncio.IncompleteReadError(bytes(body), length)
                body += chunk
        return bytes(body)

    def _refuse(self, peer: str, status: int, code: ErrorCode, message: str) -> _Reply:
        self._emit(TransferEvent("refused", message, peer, str(code), status))
        return _Reply(status, code, message)

    async def _handle_response(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
        length: int,
        expect: bool,
    ) -> None:
        if self._accepted:
            raise self._refuse(
                peer, 409, ErrorCode.FORBIDDEN_ACTION, "a second response was refused"
            )
        if length > self._max_body:
            raise self._refuse(
                peer,
                413,
                ErrorCode.FORBIDDEN_ACTION,
                f"a response of {length:,} bytes was refused unread (limit {self._max_body:,})",
            )
        if self._reserved + length > self._max_body:
            raise _Reply(503)  # another upload holds the buffer budget; the sender retries
        self._reserved += length
        try:
            body = await self._read_body(reader, writer, length, expect)
        finally:
            self._reserved -= length
        async with self._lock:
            if self._accepted:
                raise self._refuse(
                    peer, 409, ErrorCode.FORBIDDEN_ACTION, "a second response was refused"
                )
            try:
                opened = await asyncio.to_thread(self._open, body)
            except CxkitError as exc:
                status, code, what = _classify(exc)
                raise self._refuse(peer, status, code, what) from None
            self._accepted = True
            if not self._finish_quietly(opened):
                return  # canceled or expired a moment before: the response is not taken
        self._emit(TransferEvent("received", "a valid response was received", peer))
        self._closing_reply = asyncio.current_task()
        await self._reply(writer, 204)

    def _finish_quietly(self, opened: p0.OpenedExport) -> bool:
        """Record success without stopping the loop yet (the 204 is still to be sent)."""
        with self._outcome_lock:
            if self._done.is_set():
                return False
            self._result, self._error = opened, None
            self._key.destroy()
            self._done.set()
            return True

    def _open(self, body: bytes) -> p0.OpenedExport:
        return p0.open_response(
            body,
            self._request,
            self._key,
            max_size=self._max_body,
            limits=self._limits,
            consume=False,  # a wrong response must not end the transfer (P0 §5, issue 6)
        )

    async def _handle_error(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
        length: int,
        headers: dict[str, str],
        expect: bool,
    ) -> None:
        if length > _wire.MAX_ERROR_BODY:
            raise _Reply(413)
        if self._accepted:
            raise _Reply(409, ErrorCode.FORBIDDEN_ACTION)
        body = await self._read_body(reader, writer, length, expect)
        tag = headers.get(_wire.ERROR_MAC_HEADER, "")
        expected = _wire.error_mac(self._psk, self._key.request_sha256, body)
        if not hmac.compare_digest(tag.encode("latin-1", "replace"), expected.encode("ascii")):
            raise self._refuse(
                peer, 403, ErrorCode.FORBIDDEN_ACTION, "an unauthenticated error report was ignored"
            )
        try:
            report = ErrorResponse.parse(body)
        except CxkitError:
            raise self._refuse(
                peer, 400, ErrorCode.INVALID_JSON, "an unreadable error report was ignored"
            ) from None
        code = str(report.error)
        safe = "".join(c if c.isprintable() else "?" for c in code[:60])
        with contextlib.suppress(Exception):
            await self._reply(writer, 204)
        self._finish(
            None,
            TransferDeclinedError(
                f"the exporter ended the transfer: {safe}", report.error, hint=None
            ),
        )


class _TrackedProtocol(asyncio.StreamReaderProtocol):
    """:class:`asyncio.StreamReaderProtocol` that adds its transport to *transports*."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        handler: Any,
        transports: weakref.WeakSet[asyncio.BaseTransport],
    ) -> None:
        super().__init__(reader, handler)
        self._tracked = transports

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._tracked.add(transport)
        super().connection_made(transport)


async def _drain_tasks(grace: float) -> None:
    """Let the loop's other tasks end within *grace* seconds, then cancel what is left and
    wait for it (as ``asyncio.run`` does), so no transport is left open."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    if not others:
        return
    if grace > 0:
        _, pending = await asyncio.wait(others, timeout=grace)
    else:
        pending = set(others)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=2.0)


def _classify(exc: CxkitError) -> tuple[int, ErrorCode, str]:
    """HTTP status, CXP error code and a user-facing line for a refused response."""
    if isinstance(exc, NegotiationError):
        return 400, exc.code, f"a response was refused: {exc.message}"
    if isinstance(exc, InputTooLargeError):
        return 413, ErrorCode.FORBIDDEN_ACTION, "a response was refused: too large"
    if isinstance(exc, DecodeError):
        return 400, ErrorCode.INVALID_JSON, "a response was refused: not a valid response"
    if isinstance(exc, DecryptionError):
        return (
            403,
            ErrorCode.FORBIDDEN_ACTION,
            "a response was refused: it does not decrypt with this transfer's keys "
            "(made without the pairing string?)",
        )
    return 422, ErrorCode.FORBIDDEN_ACTION, f"a response was refused: {exc.message}"
