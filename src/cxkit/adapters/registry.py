"""The adapter registry: explicit built-ins and third-party entry points.

Built-ins are listed below as ``module:Class`` paths (no import side effects, no subclass
walks). Third-party packages register adapters in the ``cxkit.adapters`` entry-point group; each
is loaded inside try/except — a broken plug-in is reported by :func:`plugin_errors`, never fatal,
and never replaces a built-in key.

A built-in's module is imported only when it is needed (issue #18: importing all ~60 adapter
modules took ~0.6 s of every ``detect`` or ``convert``): :func:`get` imports one adapter,
:func:`adapters` all of them. What start-up needs without them — each built-in's
:class:`AdapterInfo` and how its ``accepts`` decides — is the table in
:mod:`cxkit.adapters._builtins`, generated from the classes by :func:`write_table` and compared with them by the tests, so that it
cannot drift. Detection (which reader, or why none) is :mod:`cxkit.adapters.detection`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from typing import Any, Final, NamedTuple

from cxkit.adapters.base import AdapterInfo, Capability, DetectionError, Reader, Writer

__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "Builtin",
    "adapters",
    "builtins",
    "cxf_format",
    "get",
    "plugin_errors",
    "plugins",
    "static_info",
    "table_source",
    "write_table",
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


class Builtin(NamedTuple):
    """One row of the static table (:mod:`cxkit.adapters._builtins`): a built-in adapter as
    start-up sees it, without importing its module."""

    path: str
    """``module:Class`` (an entry of :data:`BUILTINS`)."""
    reader: bool
    """Whether it reads (READ capability and a ``read`` method): detection asks it."""
    accepts: str
    """How its ``accepts`` decides: ``hints`` (:func:`~cxkit.adapters.base.accepts_by_hints` of
    its info: answered from the table), ``records`` (the hints, else ``record_keys`` in the first
    entries of a top-level array: the JSON record readers' rule), ``never`` (a reader that is
    never detected) or ``custom`` (its own code: detection imports it when the input shows the
    evidence it looks for, :data:`cxkit.adapters.detection.EVIDENCE`)."""
    record_keys: frozenset[str]
    info: AdapterInfo
    """Its :class:`AdapterInfo` except ``read_options`` / ``write_options`` (classes of its
    module; ``get(key).info`` has them)."""


_cache: dict[str, Any] | None = None
"""Every adapter by key once :func:`adapters` loaded them all (tests may replace it)."""
_loaded: dict[str, Any] = {}
"""Built-in adapters imported so far, by key (one object per key, whoever asks)."""
_plugins: dict[str, Any] | None = None
_errors: list[str] = []
_table: dict[str, Builtin] | None = None
_lock = threading.RLock()  # one object per key, also when two threads ask at once (cxkit ui)


def builtins() -> dict[str, Builtin]:
    """The static table of the built-in adapters by key, in :data:`BUILTINS` order (no adapter
    module is imported)."""
    global _table
    if _table is None:
        from cxkit.adapters._builtins import TABLE

        _table = {row.info.key: row for row in TABLE}
    return _table


def static_info(key: str) -> AdapterInfo:
    """The :class:`AdapterInfo` of *key* without importing a built-in's module (its
    ``read_options`` / ``write_options`` are left empty: ``get(key).info`` has them); a plug-in's
    own. :class:`DetectionError` for an unknown key."""
    row = builtins().get(key)
    if row is not None:
        return row.info
    info: AdapterInfo = get(key).info
    return info


def _load(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    return cls()


def _builtin(key: str) -> Any:
    adapter = _loaded.get(key)
    if adapter is None:
        with _lock:
            adapter = _loaded.get(key)
            if adapter is None:
                adapter = _loaded[key] = _load(builtins()[key].path)
    return adapter


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
    if not plugins:
        return {key: _builtin(key) for key in builtins()}
    if _cache is None:
        _cache = {key: _builtin(key) for key in builtins()} | _plugin_adapters()
    return dict(_cache)


def plugins() -> dict[str, Any]:
    """The third-party adapters by key (the ``cxkit.adapters`` entry points, loaded once; one
    that fails to load or takes a built-in's key is left out and named by
    :func:`plugin_errors`)."""
    return _plugin_adapters()


def _plugin_adapters() -> dict[str, Any]:
    global _plugins
    if _plugins is None:
        found: dict[str, Any] = {}
        _load_plugins(found, set(builtins()))
        _plugins = found
    return dict(_plugins)


def _entry_points() -> Iterable[Any]:
    try:
        if not _may_have_plugins():
            return []
        from importlib import metadata

        return list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # a broken installation must not stop cxkit
        return []


def _may_have_plugins() -> bool:
    """Whether an installed distribution may declare a ``cxkit.adapters`` entry point: a look
    at the ``*.dist-info`` / ``*.egg-info`` folders on ``sys.path`` for an ``entry_points.txt``
    naming the group, so that a start-up with no plug-in installed does not import
    :mod:`importlib.metadata` (~30 ms of CPU with the modules it imports). What this cannot
    tell — a zip or an egg on the path, another finder of distributions — counts as maybe."""
    import os
    import sys
    from importlib.machinery import PathFinder

    finders = [f for f in sys.meta_path if hasattr(f, "find_distributions")]
    if any(f is not PathFinder for f in finders):
        return True
    needle = ENTRY_POINT_GROUP.encode()
    for entry in sys.path:
        folder = entry or "."
        if folder.lower().endswith(".egg"):
            return True
        try:
            with os.scandir(folder) as found:
                names = [e.name for e in found]
        except NotADirectoryError:  # a zip file on the path: importlib.metadata reads it
            return True
        except OSError:  # missing: importlib.metadata finds nothing there either
            continue
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), "rb") as fh:
                    if needle in fh.read():
                        return True
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError:
                return True
    return False


def _load_plugins(found: dict[str, Any], taken: set[str]) -> None:
    for ep in _entry_points():
        try:
            obj = ep.load()
            adapter = obj() if isinstance(obj, type) else obj
            if not _valid(adapter):
                raise TypeError("not an adapter (needs .info: AdapterInfo)")
            key = adapter.info.key
            if key in found or key in taken:
                raise ValueError(f"key {key!r} is already taken")
            found[key] = adapter
        except Exception as exc:  # plug-ins are untrusted code paths: never fatal
            _errors.append(f"plug-in {getattr(ep, 'name', '?')}: {type(exc).__name__}: {exc}")


def plugin_errors() -> list[str]:
    """Why some third-party adapters could not be loaded."""
    _plugin_adapters()
    return list(_errors)


def _reset_for_tests() -> None:
    global _cache, _plugins
    _cache = None
    _plugins = None
    _errors.clear()


def get(key: str) -> Any:
    """The adapter for *key* (``bitwarden-json``), or an error listing the known keys. A
    built-in's module is imported now if it was not yet; plug-ins are loaded only for a key
    that is not a built-in's."""
    if _cache is not None and key in _cache:
        return _cache[key]
    if key in builtins():
        return _builtin(key)
    found = _plugin_adapters()
    if key not in found:
        known = [*builtins(), *found]
        raise DetectionError(
            f"unknown format {key!r}",
            hint="known formats: " + ", ".join(known) + " (cxkit formats lists them)",
        )
    return found[key]


def _infos() -> list[AdapterInfo]:
    """Every adapter's info, in registry order: built-ins from the table, then plug-ins."""
    if _cache is not None:
        return [a.info for a in _cache.values()]
    extra = [a.info for a in _plugin_adapters().values()]
    return [row.info for row in builtins().values()] + extra


def cxf_format() -> str:
    """The key of the adapter for CXF JSON itself (the default destination)."""
    for info in _infos():
        if info.can(Capability.CXF):
            return info.key
    raise DetectionError("no CXF adapter is registered")  # pragma: no cover - a built-in


def writer_for_name(name: str) -> str | None:
    """The one writer whose file-name extension is the longest match of *name*
    (``vault.cxf.json`` → CXF JSON, ``x.kdbx`` → KDBX), or None when none or several match."""
    lowered = name.lower()
    best: list[str] = []
    longest = 0
    for info in _infos():
        if not info.can(Capability.WRITE):
            continue
        length = max((len(e) for e in info.extensions if lowered.endswith(e)), default=0)
        if length > longest:
            best, longest = [info.key], length
        elif length == longest and length:
            best.append(info.key)
    return best[0] if len(best) == 1 else None


def readers() -> list[Reader]:
    return [a for a in adapters().values() if a.info.can(Capability.READ) and hasattr(a, "read")]


def writers() -> list[Writer]:
    return [a for a in adapters().values() if a.info.can(Capability.WRITE) and hasattr(a, "write")]


# --------------------------------------------------------------------------- the static table


def _accepts_rule(adapter: Any) -> tuple[str, frozenset[str]]:
    """How *adapter*'s ``accepts`` decides (:attr:`Builtin.accepts`), told from which function
    it is: only the kit's declarative readers' own rules are answered from the table."""
    from cxkit.adapters.kit.records import JsonRecordReader
    from cxkit.adapters.kit.tabular import CsvReader
    from cxkit.adapters.kit.xmlrecords import XmlRecordReader
    from cxkit.adapters.longtail._rows import LooseCsvReader

    accepts = getattr(type(adapter), "accepts", None)
    if accepts is None or accepts in (CsvReader.accepts, XmlRecordReader.accepts):
        return "hints", frozenset()
    if accepts is LooseCsvReader.accepts:
        return ("hints" if adapter.headerless is None else "never"), frozenset()
    if accepts is JsonRecordReader.accepts:
        return "records", frozenset(adapter.record_keys)
    return "custom", frozenset()


def _literal(value: Any) -> str:
    """Python source of *value* (sets sorted, so that the table is the same on every run)."""
    if isinstance(value, frozenset):
        if not value:
            return "frozenset()"
        return "frozenset({" + ", ".join(repr(v) for v in sorted(value)) + "})"
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, Capability):
        return " | ".join(f"Capability.{c.name}" for c in Capability if c in value and c.name)
    return repr(value)


def table_source() -> str:
    """The source of :mod:`cxkit.adapters._builtins`, from the built-in classes themselves
    (imports every adapter module)."""
    from dataclasses import fields

    rows = []
    for path in BUILTINS:
        adapter = _load(path)
        info = adapter.info
        rule, record_keys = _accepts_rule(adapter)
        reader = info.can(Capability.READ) and hasattr(adapter, "read")
        args = [
            f"{f.name}={_literal(getattr(info, f.name))}"
            for f in fields(AdapterInfo)
            if f.name not in ("read_options", "write_options")
            and getattr(info, f.name) != f.default
        ]
        rows.append(
            f"    Builtin(\n        {path!r},\n        {reader!r},\n        {rule!r},\n"
            f"        {_literal(record_keys)},\n        AdapterInfo(\n"
            + "".join(f"            {a},\n" for a in args)
            + "        ),\n    ),\n"
        )
    return (
        '"""The built-in adapters as start-up sees them: each one\'s metadata and how its\n'
        "``accepts`` decides, without importing its module (:class:`cxkit.adapters.registry."
        "Builtin`).\n\nGENERATED from the adapter classes by :func:`cxkit.adapters.registry."
        "write_table`: do not edit;\nthe tests fail when it differs from them.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "from typing import Final\n\n"
        "from cxkit.adapters.base import AdapterInfo, Capability\n"
        "from cxkit.adapters.registry import Builtin\n\n"
        "# fmt: off\n"
        "TABLE: Final = (\n" + "".join(rows) + ")\n"
    )


def write_table() -> None:
    """Write :mod:`cxkit.adapters._builtins` from the built-in classes (after adding or changing
    an adapter: ``uv run python -c "from cxkit.adapters import registry;
    registry.write_table()"``)."""
    from pathlib import Path

    target = Path(__file__).with_name("_builtins.py")
    target.write_text(table_source(), encoding="utf-8")
