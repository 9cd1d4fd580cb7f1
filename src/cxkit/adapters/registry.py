"""The adapter registry: explicit built-ins and third-party entry points.

Built-ins are listed below as ``module:Class`` paths (no import side effects, no subclass
walks). Third-party packages register adapters in the ``cxkit.adapters`` entry-point group; each
is loaded inside try/except — a broken plug-in is reported by :func:`plugin_errors`, never fatal,
and never replaces a built-in key.

Detection (which reader, or why none) is :mod:`cxkit.adapters.detection`, built on this.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib import metadata
from typing import Any, Final

from cxkit.adapters.base import AdapterInfo, Capability, DetectionError, Reader, Writer

__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "adapters",
    "cxf_format",
    "get",
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
    "cxkit.adapters.chrome:ChromeSqliteCsvAdapter",
    "cxkit.adapters.firefox:FirefoxCsvAdapter",
    "cxkit.adapters.firefox:FirefoxPasswordExporterAdapter",
    "cxkit.adapters.apple:ApplePasswordsCsvAdapter",
    "cxkit.adapters.apple:AppleKeychainAdapter",
    "cxkit.adapters.lastpass:LastPassCsvAdapter",
    "cxkit.adapters.lastpass:LastPassCliJsonAdapter",
    "cxkit.adapters.lastpass:LastPassCliTextAdapter",
    "cxkit.adapters.dashlane:DashlaneZipAdapter",
    "cxkit.adapters.dashlane:DashlaneCsvAdapter",
    "cxkit.adapters.dashlane:DashlaneJsonAdapter",
    "cxkit.adapters.dashlane:DashlaneLegacyCsvAdapter",
    "cxkit.adapters.passman:PassmanJsonAdapter",
    "cxkit.adapters.passman:PassmanCsvAdapter",
    "cxkit.adapters.pwsafe:PwsafeXmlAdapter",
    "cxkit.adapters.longtail.csvapps:BlurCsvAdapter",
    "cxkit.adapters.longtail.buttercup:ButtercupCsvAdapter",
    "cxkit.adapters.longtail.csvapps:EncryptrCsvAdapter",
    "cxkit.adapters.longtail.csvapps:GorillaCsvAdapter",
    "cxkit.adapters.longtail.csvapps:MykiCsvAdapter",
    "cxkit.adapters.longtail.csvapps:PadlockCsvAdapter",
    "cxkit.adapters.longtail.padlock_json:PadlockJsonAdapter",
    "cxkit.adapters.longtail.csvapps:PasspackCsvAdapter",
    "cxkit.adapters.longtail.csvapps:SafeInCloudCsvAdapter",
    "cxkit.adapters.longtail.csvapps:SaferPassCsvAdapter",
    "cxkit.adapters.longtail.csvapps:SynologyCsvAdapter",
    "cxkit.adapters.longtail.upm:UpmCsvAdapter",
    "cxkit.adapters.longtail.zoho:ZohoCsvAdapter",
    "cxkit.adapters.longtail.zoho:ZohoVaultCsvAdapter",
    "cxkit.adapters.longtail.blur:BlurJsonAdapter",
    "cxkit.adapters.longtail.clipperz:ClipperzHtmlAdapter",
    "cxkit.adapters.longtail.figaro:FigaroXmlAdapter",
    "cxkit.adapters.longtail.gnome_keyring:GnomeKeyringAdapter",
    "cxkit.adapters.longtail.gnome_keyring:GnomeKeyringEncryptedAdapter",
    "cxkit.adapters.longtail.networkmanager:NetworkManagerAdapter",
    "cxkit.adapters.longtail.passpie:PasspieYamlAdapter",
    "cxkit.adapters.longtail.revelation:RevelationXmlAdapter",
    "cxkit.adapters.protonpass:ProtonPassAdapter",
    "cxkit.adapters.protonpass:ProtonPassPgpAdapter",
    "cxkit.adapters.protonpass_csv:ProtonPassCsvAdapter",
    "cxkit.adapters.onepassword.onepux:OnePuxAdapter",
    "cxkit.adapters.onepassword.onepif:OnePifAdapter",
    "cxkit.adapters.onepassword.opvault:OpVaultAdapter",
    "cxkit.adapters.onepassword.csv_export:OnePassword8CsvAdapter",
    "cxkit.adapters.onepassword.csv_export:OnePassword6CsvAdapter",
    "cxkit.adapters.onepassword.csv_export:OnePassword4CsvAdapter",
    "cxkit.adapters.keepass.passkey_file:KeePassXCPasskeyAdapter",
    "cxkit.adapters.passstore:PassStoreAdapter",
    "cxkit.adapters.genericcsv:GenericCsvAdapter",
    "cxkit.adapters.otp.protonauth:ProtonAuthenticatorAdapter",
    "cxkit.adapters.otp.aegis:AegisJsonAdapter",
    "cxkit.adapters.otp.aegis:AegisEncryptedAdapter",
    "cxkit.adapters.otp.twofas:TwoFasAdapter",
    "cxkit.adapters.otp.twofas:TwoFasEncryptedAdapter",
    "cxkit.adapters.otp.uris:OtpauthUrisAdapter",
    "cxkit.adapters.otp.gaqr:GoogleMigrationQrAdapter",
    "cxkit.adapters.otp.andotp:AndOtpAdapter",
    "cxkit.adapters.otp.stratum:StratumAdapter",
    "cxkit.adapters.otp.google:GoogleAuthenticatorAdapter",
    "cxkit.adapters.otp.freeotp:FreeOtpAdapter",
    "cxkit.adapters.otp.freeotp:FreeOtpPlusAdapter",
    "cxkit.adapters.otp.authy:AuthyAdapter",
    "cxkit.adapters.otp.ente:EnteAdapter",
    "cxkit.adapters.otp.battlenet:BattleNetAdapter",
    "cxkit.adapters.otp.duo:DuoAdapter",
    "cxkit.adapters.otp.lpauth:LastPassAuthenticatorAdapter",
    "cxkit.adapters.otp.msauth:MicrosoftAuthenticatorAdapter",
    "cxkit.adapters.otp.steam:SteamGuardAdapter",
    "cxkit.adapters.otp.totpauth:TotpAuthenticatorAdapter",
    "cxkit.adapters.otp.authplus:AuthenticatorPlusAdapter",
    "cxkit.adapters.nordpass:NordPassCsvAdapter",
    "cxkit.adapters.keeper:KeeperCsvAdapter",
    "cxkit.adapters.keeper:KeeperJsonAdapter",
    "cxkit.adapters.enpass:EnpassJsonAdapter",
    "cxkit.adapters.enpass:EnpassCsvAdapter",
    "cxkit.adapters.roboform:RoboFormCsvAdapter",
)

_cache: dict[str, Any] | None = None
_errors: list[str] = []


def _load(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    return cls()


def _valid(adapter: object) -> bool:
    info = getattr(adapter, "info", None)
    if not isinstance(info, AdapterInfo):
        return False
    # no ``accepts``: detection uses the hints of ``info`` (base.accepts_by_hints)
    accepts = getattr(adapter, "accepts", None)
    return accepts is None or callable(accepts)


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
                raise TypeError("not an adapter (needs .info: AdapterInfo)")
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
