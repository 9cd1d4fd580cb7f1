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

Compact form, a cxkit extension to P0 §5.3 for the QR code (``docs/profile-p0.md`` §5.3a)::

    CXP-P0C:<RFC 4648 base32, upper case, unpadded, of the binary pairing>

    binary pairing = family (1 byte: 0x04 IPv4 / 0x06 IPv6) ‖ address (4 / 16 bytes)
                     ‖ port (2 bytes, big-endian, 1–65535) ‖ pairing id (16 bytes)
                     ‖ d (32 bytes) ‖ k (32 to 64 bytes: the rest)

It stands for ``u = http://ADDRESS:PORT/cxp/p0/<base64url(pairing id)>/`` (IPv6 in brackets)
and the same ``d`` and ``k``. Every character is in the QR alphanumeric set, so a loopback or
LAN pairing (148 / 167 characters) is a version-6 QR code — 23 terminal lines in half blocks —
where the text form (about 226 bytes) needs version 9 (29 lines). Only a URL of exactly that
shape (an IP-literal host without zone, the canonical path) has a compact form; others keep
the text form. Both forms are accepted by :meth:`Pairing.parse`.
"""

from __future__ import annotations

import base64
import binascii
import io
import ipaddress
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Final

from cxkit.cxp.messages import parse_json
from cxkit.errors import DecodeError

__all__ = ["COMPACT_PREFIX", "MAX_PAIRING_LENGTH", "PAIRING_PREFIX", "Pairing", "render_qr"]

PAIRING_PREFIX: Final = "cxp-p0:"
COMPACT_PREFIX: Final = "CXP-P0C:"
MAX_PAIRING_LENGTH: Final = 2048
_B64U_RE: Final = re.compile(r"[A-Za-z0-9_-]*={0,2}\Z")
_B32_RE: Final = re.compile(r"[A-Z2-7]*\Z")
_PATH_PREFIX: Final = "/cxp/p0/"
_FAMILIES: Final = {4: 0x04, 16: 0x06}  # address length -> family byte
_ID_LEN: Final = 16
_DIGEST_LEN: Final = 32


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


def _compact_url(url: str) -> tuple[bytes, int, bytes] | None:
    """(address, port, pairing id) when *url* is exactly the canonical
    ``http://IP:PORT/cxp/p0/<id>/`` of a compact pairing, else None."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
        port = parts.port
    except ValueError:
        return None
    if port is None or not 0 < port <= 0xFFFF:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        return None  # a zone (fe80::1%eth0) has no meaning on the sending device
    path = parts.path
    if not (path.startswith(_PATH_PREFIX) and path.endswith("/")):
        return None
    token = path[len(_PATH_PREFIX) : -1]
    if not _B64U_RE.match(token) or "=" in token:
        return None
    try:
        pairing_id = _unb64u(token, "pairing id")
    except DecodeError:
        return None
    if len(pairing_id) != _ID_LEN:
        return None
    if url != _url_of(address.packed, port, pairing_id):
        return None  # not canonical (case, zeros, brackets): keep the text form
    return address.packed, port, pairing_id


def _url_of(packed: bytes, port: int, pairing_id: bytes) -> str:
    address = ipaddress.ip_address(packed)
    host = f"[{address}]" if address.version == 6 else str(address)
    return f"http://{host}:{port}{_PATH_PREFIX}{_b64u(pairing_id)}/"


def _parse_compact(body: str) -> tuple[str, bytes, bytes]:
    """(url, digest, psk) of a compact pairing's base32 *body* (docstring of the module)."""
    body = body.upper()
    if not _B32_RE.match(body) or len(body) % 8 not in (0, 2, 4, 5, 7):
        raise DecodeError("the compact pairing string is not base32")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise DecodeError("the compact pairing string is not base32") from None
    if base64.b32encode(raw).decode("ascii").rstrip("=") != body:
        raise DecodeError("the compact pairing string is damaged (stray bits at its end)")
    if not raw:
        raise DecodeError("the compact pairing string is empty")
    families = {v: k for k, v in _FAMILIES.items()}
    size = families.get(raw[0])
    if size is None:
        raise DecodeError(
            "the compact pairing string has an unknown layout (first byte)",
            hint="this cxkit reads IPv4 (0x04) and IPv6 (0x06) pairings; update cxkit",
        )
    fixed = 1 + size + 2 + _ID_LEN + _DIGEST_LEN
    if not 32 <= len(raw) - fixed <= 64:
        raise DecodeError("the compact pairing string has the wrong length")
    port = int.from_bytes(raw[1 + size : 3 + size], "big")
    if port == 0:
        raise DecodeError("the compact pairing string names port 0")
    pairing_id = raw[3 + size : 3 + size + _ID_LEN]
    digest = raw[3 + size + _ID_LEN : fixed]
    return _url_of(raw[1 : 1 + size], port, pairing_id), digest, raw[fixed:]


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

    def to_compact(self) -> str | None:
        """The ``CXP-P0C:`` compact form for a QR code (contains the PSK), or None when the URL
        is not the canonical ``http://IP:PORT/cxp/p0/<16-byte id>/`` (module docstring)."""
        parts = _compact_url(self.url)
        if parts is None:
            return None
        packed, port, pairing_id = parts
        raw = b"".join(
            (
                bytes([_FAMILIES[len(packed)]]),
                packed,
                port.to_bytes(2, "big"),
                pairing_id,
                self.request_sha256,
                self.psk,
            )
        )
        return COMPACT_PREFIX + base64.b32encode(raw).decode("ascii").rstrip("=")

    def qr_text(self) -> str:
        """What the QR code carries: the compact form when there is one, else the text form."""
        return self.to_compact() or self.to_string()

    @classmethod
    def parse(cls, text: str) -> Pairing:
        """Read the text form or the compact form (whitespace from copying is ignored; both
        prefixes in any case)."""
        if not isinstance(text, str):
            raise DecodeError("the pairing string must be text")
        if len(text) > MAX_PAIRING_LENGTH:
            raise DecodeError("the pairing string is too long")
        compact = "".join(text.split())
        if compact[: len(COMPACT_PREFIX)].upper() == COMPACT_PREFIX:
            return cls(*_parse_compact(compact[len(COMPACT_PREFIX) :]))
        if compact[: len(PAIRING_PREFIX)].lower() != PAIRING_PREFIX:
            raise DecodeError(
                f"not a pairing string (it starts with {PAIRING_PREFIX!r} or {COMPACT_PREFIX!r})",
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
    not fit a QR code. For a pairing, pass :meth:`Pairing.qr_text` (the compact form)."""
    import segno

    try:
        qr = segno.make(text, error="m", micro=False, boost_error=False)
    except segno.DataOverflowError:
        raise DecodeError("the text does not fit a QR code") from None
    buf = io.StringIO()
    qr.terminal(out=buf, border=border, compact=True)
    return buf.getvalue()
