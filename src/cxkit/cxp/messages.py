"""CXP messages (WD 2024-10-03 shape): parsing, emission, negotiation and filtering.

Parsing is lenient about *shape* and strict about *values*:

* accepted: requests/responses without ``archive``/``mode`` (Bitwarden crate shape), ``mode`` as
  a string or a list, ``version`` as an integer or ``{"major", "minor"}``, the Android-legacy
  names ``importerRpId``/``importerDisplayName``/``exporterRpId``/``exporterDisplayName``, and
  unknown members (kept in ``extra``; the received JSON object is kept in ``raw`` because the
  P0 request digest covers it, unknown members included);
* refused: duplicate JSON members, NaN/Infinity, non-integer or out-of-range ``kem``/``kdf``/
  ``aead``, wrong JSON types — as :class:`~cxkit.errors.DecodeError` with a JSON path.

Emission is strict: :meth:`ExportRequest.to_json` / :meth:`ExportResponse.to_json` write the WD
shape (with ``archive`` and ``mode``) and ``version: 0``.

Negotiation (:func:`select_hpke`, :func:`select_archive`, :func:`check_version`) and filtering
(:func:`credential_type_filter`, :func:`extension_filter`) follow ``cxp.md`` §1.3 and §5; their
failures are :class:`NegotiationError` carrying the :class:`ErrorCode` to send back.

:class:`ErrorResponse` (``{"version": 0, "error": "<code>"}``) is **provisional**: the WD has no
error message; the seven codes come from the Bitwarden crate, the kebab-case spelling from go-cxp.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from cxkit.crypto.hpke import AEAD, KDF, KEM, Mode, PublicKey
from cxkit.crypto.jwk import jwk_to_public_key
from cxkit.errors import (
    CxkitError,
    DecodeError,
    InputTooLargeError,
    ProtocolError,
    UnsupportedAlgorithmError,
)

__all__ = [
    "CXF_CREDENTIAL_TYPES",
    "CXF_EXTENSIONS",
    "MAX_MESSAGE_SIZE",
    "CredentialTypeFilter",
    "ErrorCode",
    "ErrorResponse",
    "ExportRequest",
    "ExportResponse",
    "HPKEParameters",
    "NegotiationError",
    "check_version",
    "credential_type_filter",
    "extension_filter",
    "parse_json",
    "select_archive",
    "select_hpke",
]

MAX_MESSAGE_SIZE: Final = 1 << 30
"""Default cap on a CXP message (1 GiB of JSON: enough for the 512 MiB archive in base64url)."""

CXF_CREDENTIAL_TYPES: Final = frozenset(
    {
        "address",
        "api-key",
        "basic-auth",
        "credit-card",
        "custom-fields",
        "drivers-license",
        "file",
        "generated-password",
        "identity-document",
        "item-reference",
        "note",
        "passkey",
        "passport",
        "person-name",
        "ssh-key",
        "totp",
        "wifi",
    }
)
CXF_EXTENSIONS: Final = frozenset({"shared"})
_TYPE_ALIASES: Final = {"public-key": "passkey", "driver-license": "drivers-license"}
HPKE_MODES: Final = ("base", "psk", "auth", "auth-psk")
_HPKE_KNOWN: Final = frozenset({"mode", "kem", "kdf", "aead", "key"})
_REQUEST_KNOWN: Final = frozenset(
    {
        "version",
        "hpke",
        "archive",
        "mode",
        "importer",
        "importerRpId",
        "importerDisplayName",
        "credentialTypes",
        "knownExtensions",
    }
)
_RESPONSE_KNOWN: Final = frozenset(
    {"version", "hpke", "archive", "exporter", "exporterRpId", "exporterDisplayName", "payload"}
)


class ErrorCode(StrEnum):
    """The seven CXP error codes (wire spelling provisional, see module docstring)."""

    USER_CANCELED = "user-canceled"
    INCOMPATIBLE_HPKE_PARAMETERS = "incompatible-hpke-parameters"
    MISSING_IMPORTER_KEY = "missing-importer-key"
    INCORRECT_IMPORTER_KEY_ENCODING = "incorrect-importer-key-encoding"
    UNSUPPORTED_VERSION = "unsupported-version"
    INVALID_JSON = "invalid-json"
    FORBIDDEN_ACTION = "forbidden-action"


class NegotiationError(ProtocolError):
    """The exporter cannot answer this request; ``code`` is what to send back."""

    def __init__(self, message: str, code: ErrorCode, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.code = code

    def to_error_response(self) -> ErrorResponse:
        return ErrorResponse(0, self.code)


# --------------------------------------------------------------------------- JSON helpers


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DecodeError(f"duplicate JSON member {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise DecodeError(f"JSON constant {name} is not allowed")


def parse_json(
    data: bytes | str, *, max_size: int = MAX_MESSAGE_SIZE, what: str = "message"
) -> Any:
    """Parse strict JSON (UTF-8, no duplicate members, no NaN/Infinity) under a size cap."""
    if not isinstance(data, bytes | bytearray | str):
        raise DecodeError(f"the {what} must be bytes or text")
    if len(data) > max_size:
        raise InputTooLargeError(f"the {what} is larger than {max_size} bytes")
    try:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except DecodeError:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        pos = getattr(exc, "pos", None)
        where = f" at offset {pos}" if isinstance(pos, int) else ""
        raise DecodeError(f"the {what} is not valid UTF-8 JSON{where}") from exc


def _obj(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DecodeError("expected a JSON object", location=path)
    return value


def _str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise DecodeError("expected a string", location=path)
    return value


def _uint16(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
        raise DecodeError("expected an integer 0..65535", location=path)
    return value


def _str_list(value: object, path: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise DecodeError("expected a list of strings", location=path)
    return tuple(_str(v, f"{path}[{i}]") for i, v in enumerate(value))


def _version(value: object, path: str) -> int:
    """``version`` as an integer, or ``{"major": int, "minor": int}`` (the major is used)."""
    if isinstance(value, Mapping):
        major = value.get("major")
        minor = value.get("minor", 0)
        for v, p in ((major, "major"), (minor, "minor")):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise DecodeError("expected a non-negative integer", location=f"{path}.{p}")
        return int(major)  # type: ignore[arg-type]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DecodeError("expected a non-negative integer or {major, minor}", location=path)
    return value


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class HPKEParameters:
    """One ``HPKEParameters`` entry; ``key`` is the JWK as received (validated on use)."""

    mode: str
    kem: int
    kdf: int
    aead: int
    key: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object, path: str = "$.hpke") -> HPKEParameters:
        o = _obj(obj, path)
        for member in ("mode", "kem", "kdf", "aead"):
            if member not in o:
                raise DecodeError(f"missing member {member!r}", location=path)
        key = o.get("key")
        if key is not None and not isinstance(key, Mapping):
            raise DecodeError("expected a JWK object", location=f"{path}.key")
        return cls(
            mode=_str(o["mode"], f"{path}.mode"),
            kem=_uint16(o["kem"], f"{path}.kem"),
            kdf=_uint16(o["kdf"], f"{path}.kdf"),
            aead=_uint16(o["aead"], f"{path}.aead"),
            key=key,
            extra={k: v for k, v in o.items() if k not in _HPKE_KNOWN},
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode, "kem": self.kem, "kdf": self.kdf}
        out["aead"] = self.aead
        if self.key is not None:
            out["key"] = dict(self.key)
        return out

    def same_suite(self, other: HPKEParameters) -> bool:
        """ "Corresponds" (cxp.md §1.4): equal ``mode``, ``kem``, ``kdf``, ``aead``."""
        return (self.mode, self.kem, self.kdf, self.aead) == (
            other.mode,
            other.kem,
            other.kdf,
            other.aead,
        )


@dataclass(frozen=True)
class ExportRequest:
    """An ``ExportRequest``; ``raw`` is the JSON object the digest is computed over."""

    hpke: tuple[HPKEParameters, ...]
    importer: str | None
    version: int = 0
    archive: tuple[str, ...] | None = ("deflate",)
    mode: tuple[str, ...] | None = ("direct",)
    credential_types: tuple[str, ...] | None = None
    known_extensions: tuple[str, ...] | None = None
    importer_display_name: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: object) -> ExportRequest:
        o = _obj(obj, "$")
        hpke_raw = o.get("hpke", [])
        if not isinstance(hpke_raw, list):
            raise DecodeError("expected a list of HPKEParameters", location="$.hpke")
        mode_raw = o.get("mode")
        mode: tuple[str, ...] | None
        if mode_raw is None:
            mode = None
        elif isinstance(mode_raw, str):
            mode = (mode_raw,)
        else:
            mode = _str_list(mode_raw, "$.mode")
        importer = o.get("importer", o.get("importerRpId"))
        display = o.get("importerDisplayName")
        return cls(
            version=_version(o.get("version", 0), "$.version"),
            hpke=tuple(HPKEParameters.from_json(e, f"$.hpke[{i}]") for i, e in enumerate(hpke_raw)),
            archive=None if o.get("archive") is None else _str_list(o["archive"], "$.archive"),
            mode=mode,
            importer=None if importer is None else _str(importer, "$.importer"),
            importer_display_name=None
            if display is None
            else _str(display, "$.importerDisplayName"),
            credential_types=None
            if o.get("credentialTypes") is None
            else _str_list(o["credentialTypes"], "$.credentialTypes"),
            known_extensions=None
            if o.get("knownExtensions") is None
            else _str_list(o["knownExtensions"], "$.knownExtensions"),
            extra={k: v for k, v in o.items() if k not in _REQUEST_KNOWN},
            raw=o,
        )

    @classmethod
    def parse(cls, data: bytes | str, *, max_size: int = MAX_MESSAGE_SIZE) -> ExportRequest:
        """Parse request JSON; a failure is a :class:`NegotiationError` (``invalid-json``)."""
        try:
            return cls.from_json(parse_json(data, max_size=max_size, what="export request"))
        except DecodeError as exc:
            raise NegotiationError(
                exc.message, ErrorCode.INVALID_JSON, location=exc.location
            ) from exc

    def to_json(self) -> dict[str, Any]:
        """The strict WD shape (unknown members of a parsed request are appended)."""
        out: dict[str, Any] = {"version": self.version, "hpke": [e.to_json() for e in self.hpke]}
        out["archive"] = list(self.archive) if self.archive is not None else ["deflate"]
        out["mode"] = self.mode[0] if self.mode else "direct"
        if self.importer is not None:
            out["importer"] = self.importer
        if self.credential_types is not None:
            out["credentialTypes"] = list(self.credential_types)
        if self.known_extensions is not None:
            out["knownExtensions"] = list(self.known_extensions)
        for k, v in self.extra.items():
            out.setdefault(k, v)
        return out

    def wire(self) -> Mapping[str, Any]:
        """The JSON object as sent/received: ``raw`` when parsed, else :meth:`to_json`."""
        return self.raw if self.raw is not None else self.to_json()


@dataclass(frozen=True)
class ExportResponse:
    """An ``ExportResponse``; ``payload`` stays text until the profile decodes it."""

    hpke: HPKEParameters | None
    exporter: str | None
    payload: str
    version: int = 0
    archive: str | None = "deflate"
    exporter_display_name: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: object) -> ExportResponse:
        o = _obj(obj, "$")
        if "payload" not in o:
            raise DecodeError("missing member 'payload'", location="$")
        exporter = o.get("exporter", o.get("exporterRpId"))
        display = o.get("exporterDisplayName")
        return cls(
            version=_version(o.get("version", 0), "$.version"),
            hpke=None if o.get("hpke") is None else HPKEParameters.from_json(o["hpke"], "$.hpke"),
            archive=None if o.get("archive") is None else _str(o["archive"], "$.archive"),
            exporter=None if exporter is None else _str(exporter, "$.exporter"),
            exporter_display_name=None
            if display is None
            else _str(display, "$.exporterDisplayName"),
            payload=_str(o["payload"], "$.payload"),
            extra={k: v for k, v in o.items() if k not in _RESPONSE_KNOWN},
            raw=o,
        )

    @classmethod
    def parse(cls, data: bytes | str, *, max_size: int = MAX_MESSAGE_SIZE) -> ExportResponse:
        return cls.from_json(parse_json(data, max_size=max_size, what="export response"))

    def to_json(self) -> dict[str, Any]:
        """The strict WD shape."""
        if self.hpke is None:
            raise ProtocolError("an ExportResponse needs hpke parameters")
        return {
            "version": self.version,
            "hpke": self.hpke.to_json(),
            "archive": self.archive or "deflate",
            "exporter": self.exporter or "",
            "payload": self.payload,
        }


@dataclass(frozen=True)
class ErrorResponse:
    """``{"version": 0, "error": "<code>"}`` — **provisional** wire form (see module doc)."""

    version: int
    error: ErrorCode | str

    @classmethod
    def from_json(cls, obj: object) -> ErrorResponse:
        o = _obj(obj, "$")
        code = _str(o.get("error"), "$.error")
        try:
            error: ErrorCode | str = ErrorCode(code)
        except ValueError:
            error = code  # unknown codes are kept as text
        return cls(_version(o.get("version", 0), "$.version"), error)

    @classmethod
    def parse(cls, data: bytes | str) -> ErrorResponse:
        return cls.from_json(parse_json(data, max_size=1 << 16, what="error response"))

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "error": str(self.error)}


# --------------------------------------------------------------------------- negotiation

SUPPORTED_VERSIONS: Final = frozenset({0})


def check_version(message: ExportRequest | ExportResponse) -> None:
    """Refuse versions other than 0 (``unsupported-version``)."""
    if message.version not in SUPPORTED_VERSIONS:
        raise NegotiationError(
            f"CXP version {message.version} is not supported (cxkit speaks version 0)",
            ErrorCode.UNSUPPORTED_VERSION,
        )


def select_hpke(
    request: ExportRequest,
    supported: Iterable[tuple[int, int, int]],
    *,
    modes: Sequence[str] = ("base",),
) -> tuple[int, HPKEParameters, PublicKey]:
    """The first request entry whose mode/kem/kdf/aead the exporter supports and whose key
    decodes: ``(index, entry, public key)``.

    Entries with unknown values are skipped. If no entry is usable, the error code says why:
    ``incompatible-hpke-parameters`` (no supported suite), ``missing-importer-key`` or
    ``incorrect-importer-key-encoding`` (the first supported entry's key problem).
    """
    allowed = {tuple(s) for s in supported}
    first_problem: NegotiationError | None = None
    for i, entry in enumerate(request.hpke):
        if entry.mode not in modes or (entry.kem, entry.kdf, entry.aead) not in allowed:
            continue
        if entry.key is None:
            first_problem = first_problem or NegotiationError(
                f"hpke[{i}] has no importer key", ErrorCode.MISSING_IMPORTER_KEY
            )
            continue
        try:
            key = jwk_to_public_key(entry.key, entry.kem)
        except CxkitError as exc:
            first_problem = first_problem or NegotiationError(
                f"hpke[{i}].key: {exc.message}", ErrorCode.INCORRECT_IMPORTER_KEY_ENCODING
            )
            continue
        return i, entry, key
    if first_problem is not None:
        raise first_problem
    raise NegotiationError(
        "none of the requested HPKE parameter sets is supported",
        ErrorCode.INCOMPATIBLE_HPKE_PARAMETERS,
    )


def select_archive(request: ExportRequest, supported: Sequence[str] = ("deflate",)) -> str:
    """The first offered archive algorithm the exporter knows (unknown names are skipped);
    a request without ``archive`` (Bitwarden crate shape) gets ``deflate``."""
    if request.archive is None:
        return supported[0]
    for name in request.archive:
        if name in supported:
            return name
    raise NegotiationError(
        "none of the requested archive algorithms is supported",
        ErrorCode.INCOMPATIBLE_HPKE_PARAMETERS,
    )


@dataclass(frozen=True)
class CredentialTypeFilter:
    """What an exporter may send (``cxp.md`` §1.3, §5.3).

    * ``types is None`` — ``credentialTypes`` absent: every type;
    * ``accounts_only`` — an empty list: Account objects only, no items or collections;
    * ``types == frozenset()`` and not ``accounts_only`` — only unknown names were requested:
      export nothing (not "everything").
    """

    types: frozenset[str] | None
    accounts_only: bool = False
    ignored: tuple[str, ...] = ()

    def allows(self, credential_type: str) -> bool:
        if self.accounts_only:
            return False
        return self.types is None or credential_type in self.types


def _normalize_type(name: str) -> str:
    n = name.strip().lower()
    return _TYPE_ALIASES.get(n, n)


def credential_type_filter(
    request: ExportRequest, known: frozenset[str] = CXF_CREDENTIAL_TYPES
) -> CredentialTypeFilter:
    """Interpret ``credentialTypes`` (case/whitespace normalised, aliases mapped, unknown
    names dropped and listed in ``ignored``)."""
    if request.credential_types is None:
        return CredentialTypeFilter(None)
    if not request.credential_types:
        return CredentialTypeFilter(frozenset(), accounts_only=True)
    types = {_normalize_type(t) for t in request.credential_types}
    ignored = tuple(t for t in request.credential_types if _normalize_type(t) not in known)
    return CredentialTypeFilter(frozenset(types & known), ignored=ignored)


def extension_filter(
    request: ExportRequest, known: frozenset[str] = CXF_EXTENSIONS
) -> frozenset[str] | None:
    """``knownExtensions`` ∩ *known*; ``None`` when absent (the exporter decides)."""
    if request.known_extensions is None:
        return None
    return frozenset(e.strip() for e in request.known_extensions) & known


def suite_triplet(entry: HPKEParameters) -> tuple[KEM, KDF, AEAD, Mode]:
    """Typed ids of an entry (:class:`UnsupportedAlgorithmError` for unknown values)."""
    from cxkit.crypto.hpke import aead_id, kdf_id, kem_id

    if entry.mode not in ("base", "psk"):
        raise UnsupportedAlgorithmError(f"HPKE mode {entry.mode!r} is not supported")
    mode = Mode.BASE if entry.mode == "base" else Mode.PSK
    return kem_id(entry.kem), kdf_id(entry.kdf), aead_id(entry.aead), mode
