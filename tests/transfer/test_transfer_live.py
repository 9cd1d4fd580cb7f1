"""Live transfer library (cxkit.transfer) on loopback only: happy path, refusals, attackers,
timeouts, expiry and cancellation. Every test is bounded to seconds; every listener is closed
by its ``with`` block (the thread is joined)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cxkit.crypto._b64 import b64u_encode
from cxkit.cxp import p0
from cxkit.cxp.messages import ErrorCode, ErrorResponse, ExportRequest
from cxkit.errors import CxkitError, DecodeError
from cxkit.transfer import (
    ImporterRefusedError,
    Pairing,
    Receiver,
    RequestMismatchError,
    TransferCanceledError,
    TransferDeclinedError,
    TransferError,
    TransferEvent,
    TransferExpiredError,
    _wire,
    fetch_request,
    post_response,
    report_error,
    send,
)

CANARY_PW = "canary-live-pw-Q8v2Lm"
CANARY_FILE = b"live canary attachment \x00\xff"
FILE_ID = "ZmlsZS0x"
FAST = 1.0  # io_timeout for tests: slow clients are dropped after a second (half a second was
# tight for a legitimate sender on a loaded 2-core machine)


def make_doc(*, with_file: bool = False, password: str = CANARY_PW) -> bytes:
    creds: list[dict[str, Any]] = [
        {"type": "basic-auth", "password": {"fieldType": "concealed-string", "value": password}}
    ]
    if with_file:
        creds.append(
            {
                "type": "file",
                "id": FILE_ID,
                "name": "notes.txt",
                "decryptedSize": len(CANARY_FILE),
                "integrityHash": b64u_encode(hashlib.sha256(CANARY_FILE).digest()),
            }
        )
    doc = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "vault.example.org",
        "exporterDisplayName": "Example Vault",
        "timestamp": int(time.time()),
        "accounts": [
            {
                "id": "YWNjb3VudC0x",
                "username": "alice",
                "email": "alice@example.org",
                "items": [{"id": "aXRlbS0x", "title": "Mail", "credentials": creds}],
            }
        ],
    }
    return json.dumps(doc).encode()


class Background:
    """Runs *fn* in a thread; ``result()`` joins (bounded) and re-raises its exception."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def target() -> None:
            try:
                self._value = fn()
            except BaseException as exc:
                self._error = exc

        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def result(self, timeout: float = 10.0) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "background call did not finish in time"
        if self._error is not None:
            raise self._error
        return self._value


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect garbage after each test, so that a connection left open is reported (as an
    "unclosed transport" warning, an error here) by the test that left it, not a later one."""
    yield
    gc.collect()


@pytest.fixture
def events() -> list[TransferEvent]:
    return []


@pytest.fixture
def rx(events: list[TransferEvent]) -> Iterator[Receiver]:
    with Receiver(
        importer="importer.example", lifetime=20, io_timeout=FAST, on_event=events.append
    ) as r:
        yield r
    assert r.poll(0)  # closed: the transfer has ended


def address(r: Receiver) -> tuple[str, int]:
    host, _, port = r.pairing.url.split("/")[2].rpartition(":")
    assert host == "127.0.0.1"
    return host, int(port)


def path(r: Receiver, endpoint: str) -> str:
    return "/" + r.pairing.url.split("/", 3)[3] + endpoint


def raw_http(r: Receiver, data: bytes, *, read_timeout: float = 3.0) -> bytes:
    """Send *data* on a fresh loopback connection and read until the server closes."""
    with socket.create_connection(address(r), timeout=read_timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def body_of(answer: bytes) -> bytes:
    return answer.split(b"\r\n\r\n", 1)[1]


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the peer closes *sock* (EOF or reset) within *seconds*."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


# --------------------------------------------------------------------------- pairing string


def test_pairing_round_trip_and_no_secret_in_repr() -> None:
    psk = os.urandom(32)
    pairing = Pairing("http://127.0.0.1:4711/cxp/p0/abcDEF_-/", bytes(range(32)), psk)
    text = pairing.to_string()
    assert text.startswith("cxp-p0:")
    assert Pairing.parse(text) == pairing
    wrapped = "  " + "\n".join(text[i : i + 40] for i in range(0, len(text), 40)) + "\n"
    assert Pairing.parse(wrapped) == pairing  # copy/paste line breaks are tolerated
    assert b64u_encode(psk) not in repr(pairing)
    assert psk.hex() not in repr(pairing)


@pytest.mark.parametrize(
    "body",
    [
        {"u": "http://127.0.0.1:1/cxp/p0/x/", "d": "A" * 43},
        {"u": "http://127.0.0.1:1/cxp/p0/x/", "d": "A" * 43, "k": "A" * 43, "x": "1"},
        {"u": "https://127.0.0.1:1/cxp/p0/x/", "d": "A" * 43, "k": "A" * 43},
        {"u": "http://127.0.0.1/cxp/p0/x/", "d": "A" * 43, "k": "A" * 43},
        {"u": "http://u:p@127.0.0.1:1/cxp/p0/x/", "d": "A" * 43, "k": "A" * 43},
        {"u": "http://127.0.0.1:1/cxp/p0/x/?q", "d": "A" * 43, "k": "A" * 43},
        {"u": "http://127.0.0.1:1/cxp/p0/x/", "d": "A" * 42, "k": "A" * 43},
        {"u": "http://127.0.0.1:1/cxp/p0/x/", "d": "A" * 43, "k": "A" * 22},
        {"u": "http://127.0.0.1:1/cxp/p0/x/", "d": "A" * 43, "k": "A" * 43, "c": "A" * 43},
        {"u": "http://127.0.0.1:1/cxp/p0/x/", "d": 1, "k": "A" * 43},
    ],
)
def test_pairing_refuses_malformed(body: dict[str, Any]) -> None:
    text = "cxp-p0:" + b64u_encode(json.dumps(body).encode())
    with pytest.raises(DecodeError) as info:
        Pairing.parse(text)
    assert "A" * 22 not in str(info.value)  # never echoes key material


@pytest.mark.parametrize("text", ["", "hello", "cxp-p0:", "cxp-p0:!!!", "cxp-p0:" + "A" * 5000])
def test_pairing_refuses_garbage(text: str) -> None:
    with pytest.raises(DecodeError):
        Pairing.parse(text)


# --------------------------------------------------------------------------- happy path


def test_happy_path_with_attachment(rx: Receiver, events: list[TransferEvent]) -> None:
    doc = make_doc(with_file=True)
    sender = Background(
        lambda: send(doc, {FILE_ID: CANARY_FILE}, rx.pairing.to_string(), confirm=lambda r: True)
    )
    opened = rx.wait()
    result = sender.result()
    assert opened.cxf_json == doc
    assert opened.attachments == {FILE_ID: CANARY_FILE}
    assert opened.exporter == "vault.example.org"
    assert opened.request_fingerprint == rx.fingerprint == result.fingerprint
    assert result.importer == "importer.example"
    assert result.bytes_sent > len(doc)
    kinds = [e.kind for e in events]
    assert kinds == ["request-served", "received"]
    for e in events:
        assert CANARY_PW not in repr(e)


def test_listener_is_gone_after_close() -> None:
    with Receiver(lifetime=20, io_timeout=FAST) as r:
        addr = address(r)
        text = r.pairing.to_string()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(addr, timeout=2):
        pass
    with pytest.raises(TransferError, match="nothing is listening"):
        send(make_doc(), None, text)


def test_request_is_served_and_matches_digest(rx: Receiver) -> None:
    request = fetch_request(rx.pairing)
    assert p0.request_digest(request) == rx.pairing.request_sha256
    assert all(e.mode == "psk" and e.key is not None for e in request.hpke)
    assert request.mode == ("direct",)
    assert request.importer == "importer.example"


def test_unknown_paths_and_methods(rx: Receiver) -> None:
    guess = b"GET /cxp/p0/AAAAAAAAAAAAAAAAAAAAAA/request HTTP/1.1\r\nHost: x\r\n\r\n"
    assert status_of(raw_http(rx, guess)) == 404
    assert status_of(raw_http(rx, b"GET / HTTP/1.1\r\n\r\n")) == 404
    req = f"POST {path(rx, 'request')} HTTP/1.1\r\nContent-Length: 0\r\n\r\n".encode()
    assert status_of(raw_http(rx, req)) == 405
    chunked = f"POST {path(rx, 'response')} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert status_of(raw_http(rx, chunked.encode())) == 411
    assert not rx.poll(0)


# --------------------------------------------------------------------------- refusals


def test_substituted_request_is_refused_by_sender(events: list[TransferEvent]) -> None:
    """T1/T2: whoever serves another request (other keys) at the address gets nothing."""
    with (
        Receiver(lifetime=20, io_timeout=FAST) as real,
        Receiver(lifetime=20, io_timeout=FAST, on_event=events.append) as impostor,
    ):
        forged = Pairing(impostor.pairing.url, real.pairing.request_sha256, real.pairing.psk)
        with pytest.raises(RequestMismatchError, match="substituted"):
            send(make_doc(), None, forged, confirm=lambda r: pytest.fail("asked"))
        assert [e.kind for e in events] == ["request-served"]  # nothing was posted
        with pytest.raises(RequestMismatchError):
            post_response(forged, impostor.request, make_doc())
        assert not impostor.poll(0) and not real.poll(0)


def test_wrong_psk_is_refused_and_transfer_goes_on(
    rx: Receiver, events: list[TransferEvent]
) -> None:
    wrong = Pairing(rx.pairing.url, rx.pairing.request_sha256, os.urandom(32))
    with pytest.raises(ImporterRefusedError) as info:
        send(make_doc(password="injected"), None, wrong)
    assert info.value.status == 403
    assert info.value.code == ErrorCode.FORBIDDEN_ACTION
    assert not rx.poll(0.1)  # still waiting
    assert any(e.kind == "refused" and e.status == 403 for e in events)
    sender = Background(lambda: send(make_doc(), None, rx.pairing))
    opened = rx.wait()
    sender.result()
    assert CANARY_PW.encode() in opened.cxf_json


def test_second_post_is_refused(rx: Receiver) -> None:
    request = fetch_request(rx.pairing)
    body = p0.seal_response(request, make_doc(), None, psk=rx.pairing.psk)
    head = (
        f"POST {path(rx, 'response')} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    first = raw_http(rx, head + body)
    assert status_of(first) == 204
    opened = rx.wait()
    assert opened.exporter == "vault.example.org"
    again = raw_http(rx, head + body)  # replay of the accepted response
    assert status_of(again) == 409
    assert ErrorResponse.parse(body_of(again)).error == ErrorCode.FORBIDDEN_ACTION
    other = p0.seal_response(request, make_doc(password="second"), None, psk=rx.pairing.psk)
    with pytest.raises(ImporterRefusedError) as info:
        post_response(rx.pairing, request, make_doc(password="second"))
    assert info.value.status == 409 and other
    assert rx.wait() is opened  # the first one stays


def test_oversized_body_is_refused_before_it_is_read(events: list[TransferEvent]) -> None:
    with Receiver(lifetime=20, io_timeout=FAST, max_body=4096, on_event=events.append) as r:
        # Content-Length announces 1 GB; no body byte is sent, yet the answer comes at once.
        head = f"POST {path(r, 'response')} HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n"
        with socket.create_connection(address(r), timeout=3) as s:
            t0 = time.monotonic()
            s.sendall(head.encode())
            answer = s.recv(65536)
            assert time.monotonic() - t0 < FAST  # not a timeout: refused from the header
        assert status_of(answer) == 413
        assert ErrorResponse.parse(body_of(answer)).error == ErrorCode.FORBIDDEN_ACTION
        # the sender gets the refusal before uploading (Expect: 100-continue)
        big = make_doc(password="x" * 10_000)
        with pytest.raises(ImporterRefusedError) as info:
            send(big, None, r.pairing)
        assert info.value.status == 413 and info.value.code == ErrorCode.FORBIDDEN_ACTION
        assert not r.poll(0)
        assert sum(e.status == 413 for e in events) == 2
        sender = Background(lambda: send(make_doc(), None, r.pairing))
        r.wait()
        sender.result()


def test_bad_headers_are_refused(rx: Receiver) -> None:
    dup = f"POST {path(rx, 'response')} HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
    assert status_of(raw_http(rx, dup.encode())) == 400
    many = "".join(f"X-{i}: y\r\n" for i in range(40))
    assert status_of(raw_http(rx, f"GET / HTTP/1.1\r\n{many}\r\n".encode())) == 431
    long_line = b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\n\r\n"
    assert status_of(raw_http(rx, long_line)) == 431
    neg = f"POST {path(rx, 'response')} HTTP/1.1\r\nContent-Length: -1\r\n\r\n"
    assert status_of(raw_http(rx, neg.encode())) == 411
    junk = f"POST {path(rx, 'response')} HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
    answer = raw_http(rx, junk.encode())
    assert status_of(answer) == 400
    assert ErrorResponse.parse(body_of(answer)).error == ErrorCode.INVALID_JSON
    assert not rx.poll(0)


# --------------------------------------------------------------------------- slow clients


def test_half_open_connection_times_out(rx: Receiver, events: list[TransferEvent]) -> None:
    with socket.create_connection(address(rx), timeout=3) as idle:
        assert closed_within(idle, FAST + 2)
    with socket.create_connection(address(rx), timeout=3) as partial:
        partial.sendall(f"POST {path(rx, 'response')} HTTP/1.1\r\nContent-".encode())
        assert closed_within(partial, FAST + 2)
    assert sum(e.kind == "timeout" for e in events) == 2
    assert not rx.poll(0)


def test_slow_body_times_out(rx: Receiver, events: list[TransferEvent]) -> None:
    head = f"POST {path(rx, 'response')} HTTP/1.1\r\nContent-Length: 100\r\n\r\n".encode()
    with socket.create_connection(address(rx), timeout=3) as stalled:
        stalled.sendall(head + b"{" * 10)  # then nothing
        assert closed_within(stalled, FAST + 2)
    with socket.create_connection(address(rx), timeout=3) as trickle:
        trickle.sendall(head)
        t0 = time.monotonic()
        closed = False
        while time.monotonic() - t0 < 4:  # one byte every 0.2 s: each read is in time...
            try:
                trickle.sendall(b" ")
            except OSError:
                closed = True
                break
            trickle.settimeout(0.2)
            try:
                if trickle.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
            except ConnectionResetError:
                closed = True
                break
        assert closed  # ...but the whole body has a deadline
        assert time.monotonic() - t0 < FAST + 2
    assert sum(e.kind == "timeout" for e in events) == 2
    sender = Background(lambda: send(make_doc(), None, rx.pairing))
    rx.wait()
    sender.result()


def test_connection_cap() -> None:
    with Receiver(lifetime=20, io_timeout=2, max_connections=2) as r:
        hogs = [socket.create_connection(address(r), timeout=3) for _ in range(2)]
        try:
            time.sleep(0.1)
            with socket.create_connection(address(r), timeout=3) as extra:
                assert closed_within(extra, 1.0)  # dropped at once, not after io_timeout
        finally:
            for h in hogs:
                h.close()


# --------------------------------------------------------------------------- end of a transfer


def test_expiry() -> None:
    t0 = time.monotonic()
    with Receiver(lifetime=0.5, io_timeout=FAST) as r:
        with pytest.raises(TransferExpiredError):
            r.wait()
        assert 0.4 < time.monotonic() - t0 < 3
        time.sleep(0.1)
        with pytest.raises(TransferError, match="nothing is listening"):
            fetch_request(r.pairing, timeout=2)


def test_cancellation_from_another_thread() -> None:
    with Receiver(lifetime=20, io_timeout=FAST) as r:
        timer = threading.Timer(0.2, r.cancel)
        timer.start()
        t0 = time.monotonic()
        with pytest.raises(TransferCanceledError):
            r.wait()
        assert time.monotonic() - t0 < 3
        timer.join()
        with pytest.raises(TransferError):
            send(make_doc(), None, r.pairing, timeout=2)


def test_sender_declines_and_receiver_stops(rx: Receiver) -> None:
    with pytest.raises(TransferCanceledError):
        send(make_doc(), None, rx.pairing, confirm=lambda r: False)
    with pytest.raises(TransferDeclinedError) as info:
        rx.wait()
    assert info.value.code == ErrorCode.USER_CANCELED


def test_unauthenticated_error_report_is_ignored(rx: Receiver) -> None:
    attacker = Pairing(rx.pairing.url, rx.pairing.request_sha256, os.urandom(32))
    assert report_error(attacker, ErrorCode.USER_CANCELED) is False
    body = json.dumps({"version": 0, "error": "user-canceled"}).encode()
    req = (f"POST {path(rx, 'error')} HTTP/1.1\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    assert status_of(raw_http(rx, req + body)) == 403
    assert not rx.poll(0.1)
    sender = Background(lambda: send(make_doc(), None, rx.pairing))
    assert CANARY_PW.encode() in rx.wait().cxf_json
    sender.result()


# --------------------------------------------------------------------------- attacker


def test_attacker_knowing_only_the_url_cannot_inject(
    rx: Receiver, events: list[TransferEvent]
) -> None:
    """T3: the URL (seen on the network, or guessed) and the public request are not enough."""
    url = rx.pairing.url
    # The attacker can fetch the request (it holds only public keys)...
    status_req = raw_http(rx, f"GET {path(rx, 'request')} HTTP/1.1\r\n\r\n".encode())
    request = ExportRequest.parse(body_of(status_req))
    evil = make_doc(password="injected-by-attacker")
    attempts = []
    # ...(1) guesses a PSK,
    attempts.append(p0.seal_response(request, evil, None, psk=os.urandom(32)))
    # (2) downgrades to base mode (no PSK) with the request's own public key,
    base_req = ExportRequest.from_json(
        {**request.to_json(), "hpke": [{**e.to_json(), "mode": "base"} for e in request.hpke]}
    )
    attempts.append(p0.seal_response(base_req, evil, None))
    # (3) answers a request of its own making.
    own, _ = p0.make_request(importer="evil", psk=os.urandom(32))
    attempts.append(p0.seal_response(own, evil, None, psk=os.urandom(32)))
    for body in attempts:
        head = f"POST {path(rx, 'response')} HTTP/1.1\r\nContent-Length: {len(body)}\r\n\r\n"
        answer = raw_http(rx, head.encode() + body)
        assert 400 <= status_of(answer) < 500
        ErrorResponse.parse(body_of(answer))
        assert not rx.poll(0)
    assert sum(e.kind == "refused" for e in events) == 3
    # the real sender still gets through, and only its credentials arrive
    sender = Background(lambda: send(make_doc(), None, rx.pairing))
    opened = rx.wait()
    sender.result()
    assert b"injected-by-attacker" not in opened.cxf_json
    assert CANARY_PW.encode() in opened.cxf_json
    assert url == rx.pairing.url


def test_no_secret_in_errors_or_reprs(rx: Receiver) -> None:
    psk_b64 = b64u_encode(rx.pairing.psk)
    texts = [repr(rx), repr(rx.pairing), repr(rx.request)]
    wrong = Pairing(rx.pairing.url, rx.pairing.request_sha256, os.urandom(32))
    for call in (
        lambda: send(make_doc(), None, wrong),
        lambda: Pairing.parse(rx.pairing.to_string()[:-5]),
        lambda: send(make_doc(), None, Pairing(rx.pairing.url, bytes(32), rx.pairing.psk)),
    ):
        with pytest.raises(CxkitError) as info:
            call()
        texts.append(info.value.diagnostics())
    for text in texts:
        assert psk_b64 not in text and rx.pairing.psk.hex() not in text
        assert CANARY_PW not in text


def test_wire_mac_depends_on_psk_digest_and_body() -> None:
    a = _wire.error_mac(b"k" * 32, b"d" * 32, b"body")
    assert a != _wire.error_mac(b"K" * 32, b"d" * 32, b"body")
    assert a != _wire.error_mac(b"k" * 32, b"D" * 32, b"body")
    assert a != _wire.error_mac(b"k" * 32, b"d" * 32, b"Body")


def test_a_connection_whose_handler_never_ran_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cause of a flaky test: a handler task cancelled before its first step never reaches
    its ``finally``, so the connection it was given stayed open until garbage collection
    ("unclosed transport", an error under ``-W error``). Here every handler ignores its
    connection; closing the receiver must still close them all."""

    async def ignore(self: Receiver, reader: Any, writer: Any) -> None:
        await asyncio.Event().wait()  # never closes *writer*: cancelled at the end

    monkeypatch.setattr(Receiver, "_on_connection", ignore)
    with Receiver(importer="importer.example", lifetime=20, io_timeout=FAST) as r:
        clients = [socket.create_connection(address(r), timeout=2) for _ in range(3)]
        time.sleep(0.2)  # the listener accepts them
    try:
        for client in clients:  # the receiver closed its end: each client reads EOF or reset
            client.settimeout(2)
            with contextlib.suppress(ConnectionResetError):
                assert client.recv(1) == b""
    finally:
        for client in clients:
            client.close()
    gc.collect()  # an unclosed transport would warn here (warnings are errors)
