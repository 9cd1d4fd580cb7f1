"""The pairing string of a live transfer (profile P0 §5.3) and its QR code.

Text form, exactly as P0 defines it::

    cxp-p0:<base64url without padding of the compact UTF-8 JSON {"u":URL,"d":DIGEST,"k":PSK}>

* ``u`` — the base URL of the importer's one-shot listener, ``http://HOST:PORT/cxp/p0/<id>/``
  (``<id>``: 128 random bits, base64url); the exporter GETs ``u + "request"`` and POSTs to
  ``u + "response"`` (or ``u + "error"``);
* ``d`` — base64url of the 32-byte request digest ``SHA-256(JCS(request))``; the exporter
  refuses a request that does not hash to it;
* ``k`` — base64url of the 32-byte HPKE PSK (psk_id ``cxp-profile-p0 lan``).

A fourth member ``c`` (TLS certificate hash) is defined by P0 for a TLS listener; cxkit does not
run one and refuses such a pairing string rather than silently dropping TLS.

Parsing tolerates what copying does to text (surrounding and embedded whitespace, line breaks,
``=`` padding) and nothing else: exactly the members ``u``, ``d``, ``k``; 32-byte ``d``; a
32 to 64-byte ``k``; an ``http`` URL with host and port, no user info, query or fragment, and a
path ending in ``/``. The PSK is a secret: the :class:`Pairing` ``repr`` and every error message
leave it out.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Final

import segno

from cxkit.cxp.messages import parse_json
from cxkit.errors import DecodeError

__all__ = ["MAX_PAIRING_LENGTH", "PAIRING_PREFIX", "Pairing", "render_qr"]

PAIRING_PREFIX: Final = "cxp-p0:"
MAX_PAIRING_LENGTH: Final = 2048
_B64U_RE: Final = re.compile(r"[A-Za-z0-9_-]*={0,2}\Z")


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64u(text: str, what: str) -> bytes:
    if not _B64U_RE.match(text):
        raise DecodeError(f"the pairing string's {what} is not base64url")
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise DecodeError(f"the pairing string's {what} is not base64url") from None


def _check_url(url: str) -> None:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise DecodeError("the pairing string's URL is not valid") from None
    if parts.scheme != "http":
        raise DecodeError("the pairing string's URL must use http (P0 §5: HPKE protects it)")
    if not parts.hostname or port is None:
        raise DecodeError("the pairing string's URL has no host and port")
    if parts.username is not None or parts.password is not None:
        raise DecodeError("the pairing string's URL must not carry user information")
    if parts.query or parts.fragment or not parts.path.endswith("/"):
        raise DecodeError("the pairing string's URL must be a base path ending in '/'")
    if any(not c.isprintable() or c.isspace() for c in url):
        raise DecodeError("the pairing string's URL contains control characters")


@dataclass(frozen=True)
class Pairing:
    """What the exporter needs to answer one live transfer: listener URL, request digest, PSK.

    ``repr`` shows the URL and the start of the digest, never the PSK.
    """

    url: str
    request_sha256: bytes
    psk: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_url(self.url)
        if len(self.request_sha256) != 32:
            raise DecodeError("the pairing string's request digest must be 32 bytes")
        if not 32 <= len(self.psk) <= 64:
            raise DecodeError("the pairing string's key must be 32 to 64 bytes")

    def __repr__(self) -> str:
        return (
            f"Pairing(url={self.url!r}, request_sha256={self.request_sha256[:8].hex()}…, "
            "psk=<redacted>)"
        )

    def to_string(self) -> str:
        """The ``cxp-p0:`` text form (contains the PSK: show it only to the user)."""
        body = json.dumps(
            {"u": self.url, "d": _b64u(self.request_sha256), "k": _b64u(self.psk)},
            separators=(",", ":"),
        )
        return PAIRING_PREFIX + _b64u(body.encode("utf-8"))

    @classmethod
    def parse(cls, text: str) -> Pairing:
        """Read the text form (whitespace from copying is ignored)."""
        if not isinstance(text, str):
            raise DecodeError("the pairing string must be text")
        if len(text) > MAX_PAIRING_LENGTH:
            raise DecodeError("the pairing string is too long")
        compact = "".join(text.split())
        if compact[: len(PAIRING_PREFIX)].lower() != PAIRING_PREFIX:
            raise DecodeError(
                f"not a pairing string (it starts with {PAIRING_PREFIX!r})",
                hint="copy the whole text 'cxkit receive' shows, or scan its QR code",
            )
        raw = _unb64u(compact[len(PAIRING_PREFIX) :], "body")
        try:
            obj = parse_json(raw, max_size=MAX_PAIRING_LENGTH, what="pairing string")
        except DecodeError:
            raise DecodeError("the pairing string is damaged (its body is not JSON)") from None
        if not isinstance(obj, dict):
            raise DecodeError("the pairing string is damaged (its body is not a JSON object)")
        if "c" in obj:
            raise DecodeError(
                "this pairing string asks for TLS (member 'c'), which cxkit does not speak",
                hint="start the receiver without TLS; HPKE PSK mode protects the content",
            )
        if set(obj) != {"u", "d", "k"} or not all(isinstance(v, str) for v in obj.values()):
            raise DecodeError("the pairing string must hold exactly the text members u, d, k")
        return cls(obj["u"], _unb64u(obj["d"], "digest"), _unb64u(obj["k"], "key"))

    def endpoint(self, name: str) -> str:
        """``u + name`` (``request``, ``response`` or ``error``)."""
        return self.url + name


def render_qr(text: str, *, border: int = 2) -> str:
    """*text* as a QR code (error correction M, byte mode) drawn with Unicode half blocks
    and ANSI colours for a terminal; raises :class:`~cxkit.errors.DecodeError` when it does
    not fit a QR code."""
    try:
        qr = segno.make(text, error="m", micro=False, boost_error=False)
    except segno.DataOverflowError:
        raise DecodeError("the text does not fit a QR code") from None
    buf = io.StringIO()
    qr.terminal(out=buf, border=border, compact=True)
    return buf.getvalue()
