"""The exporter's side of a live transfer (profile P0 §5.4).

1. :func:`fetch_request` — ``GET u+"request"``; the body must hash (``SHA-256(JCS(body))``) to
   the digest in the pairing string, else :class:`RequestMismatchError` and nothing is sent: the
   listener (or someone who took its port) cannot substitute keys (T1/T2);
2. the caller shows the request and asks for consent;
3. :func:`post_response` — seal with HPKE PSK mode (:func:`cxkit.cxp.p0.seal_response` with
   the pairing's PSK) and ``POST u+"response"`` with ``Expect: 100-continue``, so a refusal
   (too large, already received) comes before the upload; ``204`` is success, an
   ``ErrorResponse`` is :class:`ImporterRefusedError`;
4. or :func:`report_error` — ``POST u+"error"`` (e.g. ``user-canceled``), authenticated with an
   HMAC under the PSK so the receiver can stop waiting.

:func:`send` does all of it. A small blocking HTTP/1.1 client on :mod:`socket` (timeouts on
every step, bounded reads, no redirects, no proxies); nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import json
import socket
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from cxkit import __version__
from cxkit.cxp import p0
from cxkit.cxp.messages import ErrorCode, ErrorResponse, ExportRequest, parse_json
from cxkit.errors import CxkitError, DecodeError
from cxkit.transfer import _wire
from cxkit.transfer.errors import (
    ImporterRefusedError,
    RequestMismatchError,
    TransferCanceledError,
    TransferError,
)
from cxkit.transfer.pairing import Pairing

__all__ = [
    "DEFAULT_ANSWER_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "SendResult",
    "fetch_request",
    "post_response",
    "report_error",
    "send",
]

DEFAULT_TIMEOUT: Final = 15.0
"""Seconds for connecting and for each network read/write."""
DEFAULT_ANSWER_TIMEOUT: Final = 300.0
"""Seconds to wait for the importer's verdict after the upload (it decrypts and checks)."""
_CHUNK: Final = 1 << 20
_BUSY_RETRIES: Final = 20

Progress = Callable[[int, int], None]
"""``progress(bytes_sent, total)`` during an upload."""


@dataclass(frozen=True)
class SendResult:
    """What :func:`send` did: the importer's (self-asserted) name, the request fingerprint,
    the number of bytes uploaded."""

    importer: str | None
    fingerprint: str
    bytes_sent: int


def _as_pairing(pairing: Pairing | str) -> Pairing:
    return pairing if isinstance(pairing, Pairing) else Pairing.parse(pairing)


def _read_head(f: io.BufferedReader) -> tuple[int, dict[str, str]]:
    line = f.readline(_wire.MAX_HEAD_BYTES + 1)
    parts = line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise TransferError("the receiver did not answer in HTTP")
    status = int(parts[1])
    headers: dict[str, str] = {}
    total = len(line)
    while True:
        line = f.readline(_wire.MAX_HEAD_BYTES + 1)
        total += len(line)
        if not line or total > _wire.MAX_HEAD_BYTES or len(headers) > _wire.MAX_HEADERS:
            raise TransferError("the receiver's answer is malformed")
        if line in (b"\r\n", b"\n"):
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


def _exchange(
    pairing: Pairing,
    method: str,
    endpoint: str,
    body: bytes | None = None,
    *,
    extra_headers: Mapping[str, str] | None = None,
    timeout: float,
    answer_timeout: float,
    progress: Progress | None = None,
) -> tuple[int, bytes, int]:
    """One request on a fresh connection: ``(status, body, bytes uploaded)``."""
    parts = urllib.parse.urlsplit(pairing.url)
    host, port = parts.hostname or "", parts.port or 80
    lines = [
        f"{method} {parts.path}{endpoint} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"User-Agent: cxkit/{__version__}",
        "Connection: close",
    ]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        lines.append("Expect: 100-continue")
    lines += [f"{k}: {v}" for k, v in (extra_headers or {}).items()]
    sent = 0
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            with sock.makefile("rb") as f:
                status, headers = _read_head(f)
                if status == 100 and body is not None:
                    view = memoryview(body)
                    for i in range(0, len(body), _CHUNK):
                        sock.sendall(view[i : i + _CHUNK])
                        sent = min(len(body), i + _CHUNK)
                        if progress is not None:
                            progress(sent, len(body))
                    if not body and progress is not None:
                        progress(0, 0)
                    sock.settimeout(answer_timeout)
                    status, headers = _read_head(f)
                    sock.settimeout(timeout)
                length_text = headers.get("content-length", "0")
                if not length_text.isdigit() or int(length_text) > _wire.MAX_REQUEST_BODY:
                    raise TransferError("the receiver's answer is too large or malformed")
                data = f.read(int(length_text))
    except TimeoutError:
        raise TransferError(
            "the receiver did not answer in time",
            hint="check that 'cxkit receive' is still waiting and reachable",
        ) from None
    except ConnectionRefusedError:
        raise TransferError(
            "nothing is listening at the pairing address (finished, expired or canceled?)",
            hint="start a new transfer with 'cxkit receive' and use its new pairing string",
        ) from None
    except OSError as exc:
        raise TransferError(
            f"the connection to the receiver failed: {exc.strerror or type(exc).__name__}"
        ) from None
    return status, data, sent


def fetch_request(pairing: Pairing | str, *, timeout: float = DEFAULT_TIMEOUT) -> ExportRequest:
    """The listener's ExportRequest, verified against the pairing's digest."""
    pairing = _as_pairing(pairing)
    status, body, _ = _exchange(pairing, "GET", "request", timeout=timeout, answer_timeout=timeout)
    if status != 200:
        raise TransferError(f"the receiver refused to hand out its request (HTTP {status})")
    try:
        obj = parse_json(body, max_size=_wire.MAX_REQUEST_BODY, what="export request")
        digest = p0.request_digest(obj)
    except DecodeError:
        raise RequestMismatchError(
            "the receiver's request is not valid JSON; nothing was sent"
        ) from None
    if not hmac.compare_digest(digest, pairing.request_sha256):
        raise RequestMismatchError(
            "the request served at the pairing address does not match the pairing string's "
            "digest: it may have been substituted. Nothing was sent.",
            hint="check that the pairing string comes from the receiving screen, then retry",
        )
    request = ExportRequest.from_json(obj)
    if not any(e.mode == "psk" for e in request.hpke):
        raise TransferError("the receiver's request offers no PSK-mode key (P0 §5.2)")
    return request


def post_response(
    pairing: Pairing | str,
    request: ExportRequest,
    cxf_json: bytes,
    attachments: Mapping[str, bytes] | None = None,
    *,
    exporter: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    answer_timeout: float = DEFAULT_ANSWER_TIMEOUT,
    progress: Progress | None = None,
) -> int:
    """Seal *cxf_json* (+ *attachments*) for *request* with the pairing's PSK and post it.

    Returns the bytes uploaded; raises :class:`ImporterRefusedError` with the importer's code.
    *request* must be the one :func:`fetch_request` returned for this pairing.
    """
    pairing = _as_pairing(pairing)
    if not hmac.compare_digest(p0.request_digest(request), pairing.request_sha256):
        raise RequestMismatchError("this request does not belong to the pairing string")
    body = p0.seal_response(request, cxf_json, attachments, exporter=exporter, psk=pairing.psk)
    deadline = time.monotonic() + answer_timeout
    for _ in range(_BUSY_RETRIES):
        status, answer, sent = _exchange(
            pairing,
            "POST",
            "response",
            body,
            timeout=timeout,
            answer_timeout=answer_timeout,
            progress=progress,
        )
        if status != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.5)  # another upload holds the receiver's buffer; try again
    if status in (200, 204):
        return sent
    raise _refusal(status, answer)


def _refusal(status: int, answer: bytes) -> ImporterRefusedError:
    code: ErrorCode | str = "unknown"
    with contextlib.suppress(CxkitError):
        code = ErrorResponse.parse(answer).error
    text = "".join(c if c.isprintable() else "?" for c in str(code)[:60])
    why = {
        409: "it already received a response (a transfer takes exactly one)",
        413: "the response is larger than the receiver accepts",
        403: "the response did not decrypt with its keys",
        503: "it is busy with another upload",
    }.get(status, "")
    message = f"the receiver refused the response ({text}, HTTP {status})"
    return ImporterRefusedError(message + (f": {why}" if why else ""), code, status)


def report_error(
    pairing: Pairing | str, code: ErrorCode | str, *, timeout: float = DEFAULT_TIMEOUT
) -> bool:
    """Tell the receiver the export will not come (e.g. ``user-canceled``); ``True`` when it
    acknowledged. Never raises for network problems (best effort)."""
    pairing = _as_pairing(pairing)
    body = json.dumps(ErrorResponse(0, code).to_json(), separators=(",", ":")).encode()
    mac = _wire.error_mac(pairing.psk, pairing.request_sha256, body)
    try:
        status, _, _ = _exchange(
            pairing,
            "POST",
            "error",
            body,
            extra_headers={"X-Cxkit-Error-Mac": mac},
            timeout=timeout,
            answer_timeout=timeout,
        )
    except TransferError:
        return False
    return status in (200, 204)


def send(
    cxf_json: bytes,
    attachments: Mapping[str, bytes] | None,
    pairing: Pairing | str,
    *,
    exporter: str | None = None,
    confirm: Callable[[ExportRequest], bool] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    answer_timeout: float = DEFAULT_ANSWER_TIMEOUT,
    progress: Progress | None = None,
) -> SendResult:
    """The whole exporter side: fetch and verify the request, ask *confirm* (``None``: yes),
    seal with HPKE PSK mode and post. A ``False`` from *confirm* reports ``user-canceled``
    to the receiver and raises :class:`TransferCanceledError`.

    *cxf_json* is sent as it is: its ``timestamp`` must be current (the importer accepts
    ±5 minutes around its request) and it is not filtered by the request's
    ``credentialTypes`` — the CLI (``cxkit send``) does both.
    """
    pairing = _as_pairing(pairing)
    request = fetch_request(pairing, timeout=timeout)
    if confirm is not None and not confirm(request):
        report_error(pairing, ErrorCode.USER_CANCELED, timeout=timeout)
        raise TransferCanceledError("the export was declined; nothing was sent")
    sent = post_response(
        pairing,
        request,
        cxf_json,
        attachments,
        exporter=exporter,
        timeout=timeout,
        answer_timeout=answer_timeout,
        progress=progress,
    )
    return SendResult(request.importer, p0.request_fingerprint(request), sent)
