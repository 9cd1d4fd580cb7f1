"""The adapter registry: explicit built-ins, third-party entry points, and detection.

Built-ins are listed below as ``module:Class`` paths (no import side effects, no subclass
walks). Third-party packages register adapters in the ``cxkit.adapters`` entry-point group; each
is loaded inside try/except — a broken plug-in is reported by :func:`plugin_errors`, never fatal,
and never replaces a built-in key.

Detection (:func:`detect`) runs the cheap sniffers once (:func:`make_sample`: JSON top level,
zip member names, CSV header), asks each readable adapter's ``accepts``, and picks the single
highest confidence; unknown or ambiguous input raises :class:`DetectionError` naming what was
tried and how to force a format (``--from``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Final

from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    DetectionError,
    Reader,
    Sample,
    Writer,
)
from cxkit.adapters.kit.input import parse_json, sniff_csv_header, zip_archive
from cxkit.errors import CxkitError

__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "Detection",
    "adapters",
    "cxf_format",
    "detect",
    "get",
    "make_sample",
    "plugin_errors",
    "writer_for_name",
]

ENTRY_POINT_GROUP: Final = "cxkit.adapters"

#: Built-in adapters, in the order ``cxkit formats`` lists them.
BUILTINS: Final = (
    "cxkit.adapters.cxfjson:CxfJsonAdapter",
    "cxkit.adapters.p0archive:SealedArchiveAdapter",
    "cxkit.adapters.bitwarden.json_export:BitwardenJsonAdapter",
    "cxkit.adapters.bitwarden.json_export:BitwardenEncryptedJsonAdapter",
    "cxkit.adapters.bitwarden.csv_export:BitwardenCsvAdapter",
    "cxkit.adapters.bitwarden.zip_export:BitwardenZipAdapter",
    "cxkit.adapters.keepass.database:KeePassKdbxAdapter",
    "cxkit.adapters.keepass.xml_export:KeePassXmlAdapter",
    "cxkit.adapters.keepass.xml_export:KeePassXXmlAdapter",
    "cxkit.adapters.keepass.csv_export:KeePassXCCsvAdapter",
    "cxkit.adapters.keepass.csv_export:KeePassCsvAdapter",
    "cxkit.adapters.chrome:ChromeCsvAdapter",
    "cxkit.adapters.protonpass:ProtonPassAdapter",
    "cxkit.adapters.keepass.passkey_file:KeePassXCPasskeyAdapter",
)

_cache: dict[str, Any] | None = None
_errors: list[str] = []


def _load(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    return cls()


def _valid(adapter: object) -> bool:
    info = getattr(adapter, "info", None)
    return isinstance(info, AdapterInfo) and callable(getattr(adapter, "accepts", None))


def adapters(*, plugins: bool = True) -> dict[str, Any]:
    """Every adapter by key: built-ins first, then plug-ins (loaded once, defensively)."""
    global _cache
    if _cache is None:
        found: dict[str, Any] = {}
        for path in BUILTINS:
            adapter = _load(path)
            found[adapter.info.key] = adapter
        _cache = found
        if plugins:
            _load_plugins(found)
    return dict(_cache)


def _entry_points() -> Iterable[Any]:
    try:
        return list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # a broken installation must not stop cxkit
        return []


def _load_plugins(found: dict[str, Any]) -> None:
    for ep in _entry_points():
        try:
            obj = ep.load()
            adapter = obj() if isinstance(obj, type) else obj
            if not _valid(adapter):
                raise TypeError("not an adapter (needs .info: AdapterInfo and .accepts)")
            key = adapter.info.key
            if key in found:
                raise ValueError(f"key {key!r} is already taken")
            found[key] = adapter
        except Exception as exc:  # plug-ins are untrusted code paths: never fatal
            _errors.append(f"plug-in {getattr(ep, 'name', '?')}: {type(exc).__name__}: {exc}")


def plugin_errors() -> list[str]:
    """Why some third-party adapters could not be loaded."""
    adapters()
    return list(_errors)


def _reset_for_tests() -> None:
    global _cache
    _cache = None
    _errors.clear()


def get(key: str) -> Any:
    """The adapter for *key* (``bitwarden-json``), or an error listing the known keys."""
    known = adapters()
    if key not in known:
        raise DetectionError(
            f"unknown format {key!r}",
            hint="known formats: " + ", ".join(known) + " (cxkit formats lists them)",
        )
    return known[key]


def cxf_format() -> str:
    """The key of the adapter for CXF JSON itself (the default destination)."""
    for key, adapter in adapters().items():
        if adapter.info.can(Capability.CXF):
            return key
    raise DetectionError("no CXF adapter is registered")  # pragma: no cover - a built-in


def writer_for_name(name: str) -> str | None:
    """The one writer whose file-name extension is the longest match of *name*
    (``vault.cxf.json`` → CXF JSON, ``x.kdbx`` → KDBX), or None when none or several match."""
    lowered = name.lower()
    best: list[str] = []
    longest = 0
    for key, adapter in adapters().items():
        if not adapter.info.can(Capability.WRITE):
            continue
        length = max((len(e) for e in adapter.info.extensions if lowered.endswith(e)), default=0)
        if length > longest:
            best, longest = [key], length
        elif length == longest and length:
            best.append(key)
    return best[0] if len(best) == 1 else None


def readers() -> list[Reader]:
    return [a for a in adapters().values() if a.info.can(Capability.READ) and hasattr(a, "read")]


def writers() -> list[Writer]:
    return [a for a in adapters().values() if a.info.can(Capability.WRITE) and hasattr(a, "write")]


def make_sample(data: bytes, name: str = "") -> Sample:
    """Run the cheap sniffers once: magic bytes, JSON top level, zip names, CSV header."""
    sample = Sample(name=name, data=data)
    head = data[:4]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            sample.zip_names = tuple(zip_archive(data, name=name).names())
        except CxkitError:
            sample.zip_names = None
        return sample
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        try:
            sample.json = parse_json(data, name=name)
            sample.json_ok = True
        except CxkitError:
            sample.json_ok = False
        return sample
    sample.csv_header = sniff_csv_header(data)
    return sample


@dataclass(frozen=True)
class Detection:
    adapter: Any
    confidence: Confidence
    tried: tuple[tuple[str, Confidence], ...]


def detect(sample: Sample) -> Detection:
    """The reader for *sample*, or :class:`DetectionError` naming what was tried."""
    tried: list[tuple[str, Confidence]] = []
    for adapter in readers():
        try:
            confidence = Confidence(adapter.accepts(sample))
        except Exception:  # a plug-in's accepts must not break detection
            confidence = Confidence.NO
        tried.append((adapter.info.key, confidence))
    best = max((c for _, c in tried), default=Confidence.NO)
    tried_text = ", ".join(f"{k} ({c.name.lower()})" for k, c in tried)
    if best == Confidence.NO:
        what = _describe(sample)
        raise DetectionError(
            f"cannot tell which format this is ({what}); tried: {tried_text}",
            location=sample.name or None,
            hint="name the format with --from FORMAT (cxkit formats lists them)",
        )
    winners = [k for k, c in tried if c == best]
    if len(winners) > 1:
        raise DetectionError(
            f"ambiguous input: {' and '.join(winners)} both accept it",
            location=sample.name or None,
            hint="name the format with --from " + " or --from ".join(winners),
        )
    return Detection(get(winners[0]), best, tuple(tried))


def _describe(sample: Sample) -> str:
    if sample.zip_names is not None:
        return "a zip archive"
    if sample.data.startswith(b"PK"):
        return "a zip archive cxkit refuses to open (unsafe or malformed)"
    if sample.json_ok:
        keys = sorted(sample.json_keys)[:8]
        return "JSON with top-level members " + (", ".join(keys) if keys else "(none)")
    if sample.csv_header is not None:
        return "CSV with columns " + ", ".join(c[:30] for c in sample.csv_header[:12])
    return "not JSON, CSV or zip"
