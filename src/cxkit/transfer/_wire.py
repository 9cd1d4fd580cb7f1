"""Constants and small helpers shared by the listener and the sender (HTTP/1.1 subset)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Final

PATH_PREFIX: Final = "/cxp/p0/"
ENDPOINTS: Final = ("request", "response", "error")
ERROR_MAC_HEADER: Final = "x-cxkit-error-mac"
ERROR_MAC_LABEL: Final = b"cxkit-p0 error-mac\x00"
MAX_REQUEST_BODY: Final = 1 << 20
"""Cap on the ExportRequest the sender fetches (and on any non-response body it reads)."""
MAX_ERROR_BODY: Final = 4096
MAX_HEAD_BYTES: Final = 16 << 10
MAX_HEADERS: Final = 32

REASONS: Final = {
    100: "Continue",
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    413: "Content Too Large",
    417: "Expectation Failed",
    422: "Unprocessable Content",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


def error_mac(psk: bytes, request_sha256: bytes, body: bytes) -> str:
    """Tag of an exporter error report: base64url HMAC-SHA256(psk, label ‖ d ‖ body)."""
    tag = hmac.new(psk, ERROR_MAC_LABEL + request_sha256 + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(tag).rstrip(b"=").decode("ascii")


def head(status: int, headers: dict[str, str] | None = None, length: int | None = 0) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
