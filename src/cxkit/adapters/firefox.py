"""Firefox password exports (``formats/browsers-and-apple.md`` §2).

* ``firefox-csv`` — about:logins → "Export Logins…" (read and write):
  ``url,username,password,httpRealm,formActionOrigin,guid,timeCreated,timeLastUsed,
  timePasswordChanged``, every cell quoted, times in Unix milliseconds, ``guid`` a braced UUID,
  ``httpRealm`` set for HTTP-auth logins. The title is the site's host (Firefox has none);
  ``timeCreated`` / ``timePasswordChanged`` are the item's ``creationAt`` / ``modifiedAt``;
  ``guid``, ``httpRealm``, ``formActionOrigin``, ``timeLastUsed`` and the exact milliseconds go to
  the item's ``cxkit/firefox`` extension, so that writing the file back gives the same rows.
* ``firefox-password-exporter-csv`` — the old "Password Exporter" add-on: ``hostname,username,
  password`` (read).

Passwords only: no notes, TOTP or passkeys. Writing (the kit's declarative writer,
:mod:`cxkit.adapters.kit.tabular_write`) makes one row per login with a URL and a password (Firefox
refuses a login without either); a login without a guid gets a UUID made from its item id.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.kit.tabular import (
    CREATED,
    HOOK,
    MODIFIED,
    PASSWORD,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.report import Disposition
from cxkit.cxf import model as m

__all__ = ["EXTENSION", "FIREFOX_COLUMNS", "FirefoxCsvAdapter", "FirefoxPasswordExporterAdapter"]

EXTENSION: Final = "cxkit/firefox"
FIREFOX_COLUMNS: Final = ("url", "username", "password", "httpRealm", "formActionOrigin", "guid",
                          "timeCreated", "timeLastUsed", "timePasswordChanged")  # fmt: skip
_NS: Final = uuid.UUID("5b0c8e4a-9f3d-4c51-8e7a-2d6f1b3c9a10")
_TEXT_MEMBERS: Final = ("httpRealm", "formActionOrigin", "guid")
_TIMES: Final = ("timeCreated", "timeLastUsed", "timePasswordChanged")
_EXTENSION: Final = Disposition.EXTENSION


def _title(url: str) -> str:
    """The host of *url* as Firefox lists the login (``mastodon.social`` for a bare host)."""
    text = url.strip()
    try:
        host = urllib.parse.urlsplit(text).hostname
    except ValueError:
        host = None
    return host or text


def _ms(text: str) -> int | None:
    stripped = text.strip()
    return (
        int(stripped) if stripped.isascii() and stripped.isdigit() and len(stripped) < 19 else None
    )


class _Titled(CsvReader):
    """A Firefox CSV reader: the item's title is the URL's host."""

    rp_id = "mozilla.org"
    app = "Firefox"
    url_column: ClassVar[str] = "url"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        if not b.title:
            b.title = _title(cells.get(self.url_column, ""))


class FirefoxCsvAdapter(_Titled, w.CsvWriter):
    info = AdapterInfo(
        key="firefox-csv",
        app="Firefox",
        format="about:logins CSV export (read and write)",
        versions="Firefox 79+ (about:logins → Export Logins)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth"}),
        how_to_import=(
            "Firefox: about:logins → ⋯ menu → Import from a File… Rows need a URL and a password. "
            "Delete the file after importing."
        ),
        how_to_export=(
            "Firefox: about:logins → ⋯ menu → Export Logins… Passwords only (no notes, TOTP or "
            "passkeys)."
        ),
        extensions=(".csv",),
        csv_header=frozenset(FIREFOX_COLUMNS),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "url": URL, "username": USERNAME, "password": PASSWORD, "timeCreated": CREATED,
        "timePasswordChanged": MODIFIED, "httpRealm": HOOK, "formActionOrigin": HOOK,
        "guid": HOOK, "timeLastUsed": HOOK,
    }  # fmt: skip
    item_extension = EXTENSION
    android_apps = False

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        super().row(b, cells, vault)
        for name in _TEXT_MEMBERS:
            if text := cells.get(name, ""):
                b.ext[name] = text
                b.rec(name, _EXTENSION, f"extension.{name}")
        if text := cells.get("timeLastUsed", ""):
            ms = _ms(text)
            if ms is None:
                b.custom("timeLastUsed", Val(text, "timeLastUsed"), note="not a time")
            else:
                b.ext["timeLastUsed"] = ms
                b.rec("timeLastUsed", _EXTENSION, "extension.timeLastUsed")
        for name in ("timeCreated", "timePasswordChanged"):  # the milliseconds, for writing back
            if (ms := _ms(cells.get(name, ""))) is not None:
                b.ext[name] = ms

    # ------------------------------------------------------------------ writing

    write_columns = (("url", w.URL), ("username", w.USERNAME), ("password", w.PASSWORD),
                     *((c, w.HOOK) for c in FIREFOX_COLUMNS[3:]))  # fmt: skip
    written_name = "Firefox CSV"
    quoting = 1  # csv.QUOTE_ALL, as Firefox writes it
    row_needs = frozenset({w.URL, w.PASSWORD})
    item_rules: ClassVar[Mapping[str, ledger.Rule]] = {
        "title": (ledger.NOT_CARRIED, "Firefox logins have no title (it shows the site's host)"),
        "creationAt": ledger.CARRIED,
        "modifiedAt": ledger.CARRIED,
        "id": (ledger.NOT_CARRIED, "Firefox CSV holds no ids (a login without a guid gets a "
                                   "UUID made from it)"),
        **{f"extensions[{EXTENSION}].{n}": ledger.CARRIED for n in (*_TEXT_MEMBERS, *_TIMES)},
        "scope.androidApps": (ledger.NOT_CARRIED, "Firefox keeps no Android app logins"),
    }  # fmt: skip

    def cell(self, column: str, row: w.Row) -> str:
        item = row.item
        ext = _extension(item)
        if column in _TEXT_MEMBERS:
            value = ext.get(column)
            if isinstance(value, str) and value:
                return value
            if column == "guid":
                return "{" + str(uuid.uuid5(_NS, item.id)) + "}"
            return ""
        if column == "timeLastUsed":
            value = ext.get(column)
            return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""
        seconds = item.creation_at if column == "timeCreated" else item.modified_at
        if seconds is None:
            return ""
        exact = ext.get(column)
        if isinstance(exact, int) and not isinstance(exact, bool) and exact // 1000 == seconds:
            return str(exact)  # the milliseconds the file was read with
        return str(seconds * 1000)


def _extension(item: m.Item) -> Mapping[str, Any]:
    for ext in item.extensions:
        if isinstance(ext, m.UnknownExtension) and ext.extension_name == EXTENSION:
            return ext.members
    return {}


class FirefoxPasswordExporterAdapter(_Titled):
    info = AdapterInfo(
        key="firefox-password-exporter-csv",
        app="Firefox 'Password Exporter' add-on",
        format="Password Exporter CSV (read)",
        versions="the add-on's CSV (hostname, username, password)",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth"}),
        how_to_export=(
            "The old Password Exporter add-on: its preferences → Export Passwords → CSV. Current "
            "Firefox exports itself: about:logins → ⋯ → Export Logins… (--from firefox-csv)."
        ),
        extensions=(".csv",),
        csv_header=frozenset({"hostname", "username", "password"}),
        plaintext=True,
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "hostname": URL, "username": USERNAME, "password": PASSWORD
    }  # fmt: skip
    url_column = "hostname"
    android_apps = False
