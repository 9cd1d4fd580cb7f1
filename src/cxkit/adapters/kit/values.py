"""Value parsers shared by every adapter: TOTP (``otpauth://``, ``steam://``, bare Base32), SSH
keys, ISO dates, JSON leaves and scalar text.

Each parser returns a CXF value or says why it cannot (never a secret in the reason); formats
that store a value in one of these common shapes use these parsers instead of their own.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator
from typing import Any, Final, NamedTuple

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from cxkit import cxf
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.cxf.query import utc_datetime
from cxkit.errors import AdapterError

__all__ = [
    "SECRET_MEMBERS",
    "Member",
    "credential_members",
    "format_iso_date",
    "format_totp",
    "json_leaves",
    "normalize_text",
    "parse_android_url",
    "parse_card_expiry",
    "parse_iso_date",
    "parse_iso_datetime",
    "parse_time",
    "parse_totp",
    "same_ssh_key",
    "scalar_text",
    "ssh_from_pkcs8",
    "ssh_private_to_pkcs8",
    "struct_fields",
]


def parse_iso_datetime(text: object) -> datetime.datetime | None:
    """An ISO 8601 time (``Z`` or an offset; none means UTC) → an aware datetime, or None."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def parse_iso_date(text: object) -> int | None:
    """An ISO 8601 time → epoch seconds (None when unreadable or before 1970)."""
    value = parse_iso_datetime(text)
    if value is None:
        return None
    seconds = int(value.timestamp())
    return seconds if seconds >= 0 else None


_EPOCH: Final = datetime.datetime(1970, 1, 1)  # naive: the fast path of parse_time


def parse_time(text: object) -> int | None:
    """A timestamp as apps write them → Unix seconds, or None: an ISO 8601 date
    (:func:`parse_iso_date`), or Unix epoch digits — up to 11 digits are seconds, 12 to 14
    milliseconds (Firefox, ``formats/browsers-and-apple.md`` §2), 15 to 17 microseconds.
    Negative and out-of-range values are None (CXF times are unsigned, ``spec/cxf.md`` §1.3)."""
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    # for speed (two per KeePassXC CSV row): the exact shape apps write, YYYY-MM-DDTHH:MM:SS
    # with or without Z, read without the general path's aware datetime; same result
    length = len(stripped)  # (the separators are every third character from the fifth)
    if 19 <= length <= 20 and stripped[4::3] == "--T::Z"[: length - 14]:
        try:
            since = datetime.datetime.fromisoformat(stripped[:19]) - _EPOCH
        except ValueError:
            pass  # the general path decides
        else:
            seconds = since.days * 86400 + since.seconds
            return seconds if seconds >= 0 else None
    return _parse_time_general(stripped)


def _parse_time_general(stripped: str) -> int | None:
    """:func:`parse_time` of a stripped text without its fast path: epoch digits, else ISO."""
    if stripped.isascii() and stripped.isdigit():
        digits = len(stripped.lstrip("0")) or 1
        if digits > 17:
            return None
        value = int(stripped)
        return value if digits <= 11 else value // 1000 if digits <= 14 else value // 1_000_000
    return parse_iso_date(stripped) if stripped else None


def parse_android_url(text: str) -> m.AndroidAppId | None:
    """An Android app credential's URL as browsers export it, ``android://<hash>@<package>/``
    (``formats/browsers-and-apple.md`` §1) → a CXF ``AndroidAppId``; None when *text* is not
    one. ``<hash>`` is the base64 of the signing certificate's SHA-256 (or SHA-512) digest; it
    becomes the CXF fingerprint (raw digest, base64url, ``spec/cxf.md`` §2.9). A hash that does
    not decode to 32 or 64 bytes cannot be a fingerprint: the text is then no app (None), so
    that the caller keeps it whole as a URL — never an app with its hash silently dropped
    (#13 audit). No hash at all (``android://<package>/``) is an app without a fingerprint."""
    stripped = text.strip()
    if stripped[:10].lower() != "android://":
        return None
    rest = stripped[10:].split("/", 1)[0]
    cert, at, package = rest.rpartition("@")
    if not at:
        cert, package = "", rest
    if not package or not all(c.isalnum() or c in "._" for c in package):
        return None
    certificate = None
    if cert:
        try:
            raw = base64.b64decode(cert.replace("-", "+").replace("_", "/") + "==", validate=False)
        except ValueError:
            raw = b""
        algorithm = {32: "sha256", 64: "sha512"}.get(len(raw))
        if algorithm is None:
            return None  # kept as the URL it is (see above)
        certificate = m.AndroidAppCertificateFingerprint(
            fingerprint=b64.encode(raw), hash_alg=algorithm
        )
    return m.AndroidAppId(bundle_id=package, certificate=certificate)


def format_iso_date(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    value = utc_datetime(seconds)  # None beyond year 9999 (a 2**63 timestamp: issue #17)
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def json_leaves(value: Any, path: str) -> Iterator[str]:
    """JSON paths of every non-null leaf under *value*."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from json_leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from json_leaves(v, f"{path}[{i}]")
    elif value is not None:
        yield path


def scalar_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


#: An otpauth URI urllib reads as it is written: printable ASCII without ``# % + [ ]``.
_PLAIN_URI: Final = re.compile(r"[ !\"$&-*,-Z\\^-~]*")


def _otpauth_split(uri: str) -> tuple[str, str, dict[str, str]]:
    """The host, label (path without leading ``/``, unescaped) and query of an ``otpauth://``
    URI (RFC 3986 parts), as ``urllib.parse`` (``urlsplit``, ``unquote``, ``parse_qsl``; the
    last of a repeated name) reads them."""
    if _PLAIN_URI.fullmatch(uri) is not None:
        # for speed (urllib takes ~3 µs): a URI without escapes, fragment or brackets split by
        # hand, the same parts as urllib (property-tested)
        rest = uri[uri.index("//") + 2 :]
        end = len(rest)
        for delimiter in "/?":
            found = rest.find(delimiter)
            if 0 <= found < end:
                end = found
        path, _, query_text = rest[end:].partition("?")
        query: dict[str, str] = {}
        for pair in query_text.split("&") if query_text else ():
            name, equals, value = pair.partition("=")
            if equals and value:
                query[name] = value
        return rest[:end], path.lstrip("/"), query
    parts = urllib.parse.urlsplit(uri)
    label = urllib.parse.unquote(parts.path.lstrip("/"))
    return parts.netloc, label, dict(urllib.parse.parse_qsl(parts.query))


def parse_totp(text: str) -> tuple[m.Totp | None, str]:
    """A TOTP as apps store it (``otpauth://totp/…`` URI, ``steam://`` secret or bare
    Base32 secret) → (Totp, form) with form ``uri`` / ``bare`` / ``steam``;
    (None, reason) when CXF cannot hold it as a TOTP."""
    stripped = text.strip()
    if stripped.lower().startswith("steam://"):
        try:
            secret = b64.canonical_base32(stripped[8:])
        except b64.Base64Error:
            return None, "the Steam secret is not Base32"
        return m.Totp(secret=secret, period=30, digits=5, algorithm="steam"), "steam"
    if stripped.lower().startswith("otpauth://"):
        netloc, label, query = _otpauth_split(stripped)
        if netloc.lower() != "totp":
            # the type is named only when it is one (the part may be a misplaced secret)
            kind = "hotp" if netloc.lower() == "hotp" else "other"
            return None, f"an otpauth '{kind}' code, not TOTP"
        try:
            secret = b64.canonical_base32(query.get("secret", ""))
            period = int(query.get("period", "30"))
            digits = int(query.get("digits", "6"))
        except (b64.Base64Error, ValueError):
            return None, "the otpauth URI has an unreadable secret, period or digits"
        if not (0 < period <= 65535 and 0 < digits <= 65535):
            return None, "the otpauth URI has an out-of-range period or digits"
        issuer = query.get("issuer")
        username: str | None = label
        if ":" in label:
            label_issuer, username = label.split(":", 1)
            issuer = issuer or label_issuer
        return (
            m.Totp(
                secret=secret,
                period=period,
                digits=digits,
                algorithm=query.get("algorithm", "SHA1").lower(),
                issuer=issuer or None,
                username=(username or "").strip() or None,
            ),
            "uri",
        )
    try:
        secret = b64.canonical_base32(stripped)
    except b64.Base64Error:
        return None, "not an otpauth URI and not a Base32 secret"
    return m.Totp(secret=secret, period=30, digits=6, algorithm="sha1"), "bare"


def format_totp(totp: m.Totp, form: str | None = None) -> str:
    if totp.algorithm == "steam" or form == "steam":
        return f"steam://{totp.secret}"
    plain = totp.algorithm == "sha1" and totp.period == 30 and totp.digits == 6
    if form == "bare" and plain and not totp.issuer and not totp.username:
        return totp.secret
    label = urllib.parse.quote(
        f"{totp.issuer}:{totp.username or ''}" if totp.issuer else (totp.username or "")
    )
    query: dict[str, str] = {"secret": totp.secret}
    if totp.issuer:
        query["issuer"] = totp.issuer
    query.update(algorithm=totp.algorithm.upper(), digits=str(totp.digits), period=str(totp.period))
    return f"otpauth://totp/{label}?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"


def ssh_private_to_pkcs8(text: str) -> tuple[str, str]:
    """OpenSSH (or PEM) private key → (PKCS#8 DER base64url, key type like ``ssh-ed25519``)."""
    data = text.encode("utf-8")
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key: Any = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except Exception:  # any parse failure of untrusted key text is one clear error
        raise AdapterError("the SSH private key cannot be read (encrypted or malformed)") from None
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return b64.encode(der), public.split(b" ", 1)[0].decode("ascii")


def ssh_from_pkcs8(der_b64: str, comment: str | None) -> tuple[str, str, str]:
    """PKCS#8 → (OpenSSH private key text, public key line, SHA256 fingerprint)."""
    try:
        key = serialization.load_der_private_key(b64.decode(der_b64), password=None)
    except Exception:
        raise AdapterError("the SSH private key cannot be read") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey) and not hasattr(
        key, "curve"
    ):
        raise AdapterError("the SSH key type cannot be written in OpenSSH format")
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    blob = base64.b64decode(public.split(b" ")[1])
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    line = public.decode("ascii") + (f" {comment}" if comment else "")
    return private, line, fingerprint


def same_ssh_key(a: str, b: str) -> bool:
    try:
        return ssh_private_to_pkcs8(a)[0] == ssh_private_to_pkcs8(b)[0]
    except AdapterError:
        return False


# =========================================================================== credentials as text

SECRET_MEMBERS: Final = frozenset(
    {"password", "key", "private_key", "secret", "passphrase", "pin", "number",
     "verification_number", "cred_with_uv", "cred_without_uv"}
)  # fmt: skip
"""Python names of credential members that hold secrets (written hidden/protected)."""


class Member(NamedTuple):
    """One member of a credential flattened to text (for formats without the credential type)."""

    name: str
    text: str | None
    hidden: bool
    field: m.EditableField | None
    """The EditableField itself when the member is one (its label and type travel)."""

    def __repr__(self) -> str:  # the name only: the text may be a secret
        return f"Member(name={self.name!r}, hidden={self.hidden})"


_STRUCT_FIELDS: dict[type, tuple[msgspec.structs.FieldInfo, ...]] = {}


def struct_fields(cls: type) -> tuple[msgspec.structs.FieldInfo, ...]:
    """``msgspec.structs.fields`` once per class (it evaluates the annotations on every call)."""
    found = _STRUCT_FIELDS.get(cls)
    if found is None:
        found = _STRUCT_FIELDS[cls] = msgspec.structs.fields(cls)
    return found


def credential_members(cred: Any, prefix: str, skip: Iterable[str] = ()) -> list[Member]:
    """The members of a CXF credential as named text values ``prefix: member`` (an
    EditableField list by each field's label), for a format that has no such credential and
    keeps it as custom fields. Structured members become their CXF JSON text."""
    skipped = set(skip) | {"cx_extra"}
    out: list[Member] = []
    for f in struct_fields(type(cred)):
        if f.name in skipped:
            continue
        value = getattr(cred, f.name)
        if value is None or value == ():
            continue
        name = f"{prefix}: {f.encode_name}"
        if isinstance(value, m.EditableField):
            out.append(Member(name, value.value, value.field_type == "concealed-string", value))
        elif isinstance(value, str | int | bool):
            out.append(Member(name, scalar_text(value), f.name in SECRET_MEMBERS, None))
        elif isinstance(value, tuple) and all(isinstance(v, m.EditableField) for v in value):
            out.extend(
                Member(
                    f"{prefix}: {v.label or f.encode_name}",
                    v.value,
                    v.field_type == "concealed-string",
                    v,
                )
                for v in value
            )
        else:
            text = (
                cxf.encode_struct(value).decode()
                if isinstance(value, m.CXFStruct)
                else msgspec.json.encode([cxf.encode_struct(v).decode() for v in value]).decode()
                if isinstance(value, tuple) and all(isinstance(v, m.CXFStruct) for v in value)
                else str(value)
            )
            out.append(Member(name, text, _holds_secret(value), None))
    return out


def _holds_secret(value: Any) -> bool:
    """A structured member with a secret member inside (a passkey's ``fido2Extensions`` holds
    the hmac-secret seeds ``credWithUV`` / ``credWithoutUV``): its text is written hidden."""
    if isinstance(value, tuple):
        return any(_holds_secret(v) for v in value)
    if not isinstance(value, m.CXFStruct):
        return False
    for f in struct_fields(type(value)):
        inner = getattr(value, f.name)
        if inner is None or inner == ():
            continue
        if f.name in SECRET_MEMBERS or _holds_secret(inner):
            return True
    return False


# =========================================================================== cards and text

_EXPIRY: Final = (
    # (pattern, group of the year, group of the month)
    (re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})"), 1, 2),  # 2027-12, 2027/12
    (re.compile(r"(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})"), 2, 1),  # 12/27, 12/2027, 1-27, 12 / 2027
    (re.compile(r"(\d{2})(\d{2})"), 2, 1),  # 1227 (MMYY, as card forms write it)
    (re.compile(r"(\d{2})(\d{4})"), 2, 1),  # 122027
)


def parse_card_expiry(text: str) -> tuple[int, int] | None:
    """A card's expiry as apps write it (``12/27``, ``12/2027``, ``1/27``, ``12 / 2027``,
    ``2027-12``, ``1227``) → ``(year, month)``, or None. Two-digit years are 2000 + YY. CXF
    writes it as ``YYYY-MM`` (``spec/cxf.md`` §credit-card ``expiryDate``, EF year-month)."""
    cleaned = text.strip()
    if len(cleaned) > 20:
        return None
    for pattern, year_group, month_group in _EXPIRY:
        found = pattern.fullmatch(cleaned)
        if found is None:
            continue
        year_text, month = found.group(year_group), int(found.group(month_group))
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        if 1 <= month <= 12 and 1900 <= year <= 9999:
            return year, month
        return None
    return None


#: Zero-width and BOM characters (format characters that only hide text), and C0/C1 controls
#: except tab and line feed (carriage returns are handled as line ends first).
_INVISIBLE: Final = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def normalize_text(text: str) -> str:
    """Text as cxkit writes it in CXF: line ends as LF (CRLF and lone CR), Unicode NFC, without
    a BOM, zero-width characters, soft hyphens or control characters (tab and newline kept).
    For names and notes — never for secrets, whose exact code points are the secret."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    return text if text.isascii() else unicodedata.normalize("NFC", text)
