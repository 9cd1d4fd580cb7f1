"""Google Password Manager CSV — Chrome, Edge, Brave, Opera, Vivaldi and Arc write the same file
(``formats/browsers-and-apple.md`` §1): ``name,url,username,password,note`` (``note`` since 2023;
older files stop at ``password``, and rows of the current one may stop there too). Android app
logins have ``url`` = ``android://<cert hash>@<package>/`` and become CXF ``scope.androidApps``.

The kit's example reader: a metadata block and a column map (:mod:`cxkit.adapters.kit.tabular`).
It also writes the file (:mod:`cxkit.adapters.kit.tabular_write`): one row per login that has a
URL and a password (Chrome's importer refuses rows without them), Android apps written back as
``android://<hash>@<package>/``; further URLs, TOTP, passkeys, cards ... are reported not carried.

``chrome-sqlite-csv`` reads the other shape of §1: the ``logins`` table of Chrome's "Login Data"
SQLite file dumped to CSV (``origin_url,action_url,username_element,username_value,...``) —
``display_name`` (else the site's host) is the title, ``date_created`` is WebKit time
(microseconds since 1601), the form's field names and the browser's bookkeeping are not carried,
``action_url``, ``signon_realm`` and ``federation_url`` become custom fields; a ``never save``
row (``blacklisted_by_user``) is skipped, and a ``password_value`` still encrypted by the browser
(``v10``/``v11``/``v20`` prefix) is reported not carried.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability, Confidence, Sample
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.builder import ItemBuilder, VaultBuilder
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.kit.tabular import (
    CREATED,
    CUSTOM,
    HOOK,
    IGNORE,
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.kit.targets import RecordError
from cxkit.adapters.report import Disposition

__all__ = ["ChromeCsvAdapter", "ChromeSqliteCsvAdapter", "webkit_seconds"]

_COLUMNS: Final = ("name", "url", "username", "password", "note")


class ChromeCsvAdapter(CsvReader, w.CsvWriter):
    info = AdapterInfo(
        key="chrome-csv",
        app="Google Password Manager (Chrome, Edge, Brave, Opera, Vivaldi, Arc)",
        format="CSV password export",
        versions="all (note column since 2023)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "note"}),
        how_to_import=(
            "Chrome: Settings → Google Password Manager → Settings → Import passwords (Edge: "
            "Settings → Passwords → Import; Brave, Opera, Vivaldi and Arc likewise); most "
            "password managers import this file as 'Chrome CSV' too. Rows need a URL and a "
            "password. Delete the file after importing."
        ),
        how_to_export=(
            "Chrome: Settings → Google Password Manager → Settings → Export passwords (Edge, "
            "Brave, Opera, Vivaldi and Arc: the same under their password settings). Passwords "
            "and notes only: passkeys never leave the browser as a file."
        ),
        extensions=(".csv",),
        csv_header=frozenset(_COLUMNS),
        csv_headers=(frozenset(_COLUMNS[:4]),),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE, "url": URL, "username": USERNAME, "password": PASSWORD, "note": NOTE
    }  # fmt: skip
    rp_id = "google.com"
    app = "Google Password Manager"
    short_rows = True

    write_columns = (("name", w.TITLE), ("url", w.URL), ("username", w.USERNAME),
                     ("password", w.PASSWORD), ("note", w.NOTE))  # fmt: skip
    written_name = "Google Password Manager CSV"
    android_urls = True
    row_needs = frozenset({w.URL, w.PASSWORD})  # Chrome refuses rows without them


# =========================================================================== Login Data dump

#: Columns of the "Login Data" ``logins`` table that are the browser's bookkeeping.
_BOOKKEEPING: Final = ("preferred", "scheme", "password_type", "times_used", "form_data",
                       "date_synced", "icon_url", "skip_zero_click", "generation_upload_status",
                       "possible_username_pairs", "date_last_used", "date_password_modified",
                       "moving_blocked_for", "keychain_identifier", "sender_email",
                       "sender_name", "date_received", "sharing_notification_displayed",
                       "sender_profile_image_url", "id")  # fmt: skip
_ELEMENTS: Final = ("username_element", "password_element", "submit_element")
#: The columns that together are evidence of a dump of the ``logins`` table.
_SQLITE_EVIDENCE: Final = frozenset(
    {"origin_url", "action_url", "username_element", "username_value", "password_element",
     "password_value", "signon_realm"}
)  # fmt: skip
_WEBKIT_EPOCH: Final = 11_644_473_600
"""Seconds from 1601-01-01 (WebKit/Windows FILETIME epoch) to 1970-01-01."""
_ENCRYPTED: Final = ("v10", "v11", "v20")


def webkit_seconds(text: str) -> str:
    """WebKit time (microseconds since 1601-01-01, Chrome's ``date_created``) → Unix seconds as
    text; any other text is returned as it is (the builder then keeps it as a custom field)."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit() and len(stripped) <= 20:
        seconds = int(stripped) // 1_000_000 - _WEBKIT_EPOCH
        if seconds >= 0:
            return str(seconds)
    return text


def _encrypted_password(text: str) -> str:
    """A ``password_value`` cell: empty when it is still encrypted by the browser."""
    return "" if text.startswith(_ENCRYPTED) else text


class ChromeSqliteCsvAdapter(CsvReader):
    info = AdapterInfo(
        key="chrome-sqlite-csv",
        app="Chrome, Chromium ('Login Data' database)",
        format="CSV dump of the 'logins' table of Chrome's Login Data SQLite file (read)",
        versions="the logins table with origin_url, action_url, ..., password_value in plain text",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth"}),
        how_to_export=(
            "Not something Chrome exports: prefer Chrome's own export (Settings → Google "
            "Password Manager → Settings → Export passwords; --from chrome-csv). A dump of the "
            "Login Data 'logins' table holds passwords encrypted by the browser unless a tool "
            "decrypted them; encrypted ones are reported, not read."
        ),
        extensions=(".csv",),
        plaintext=True,
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "display_name": TITLE,
        "origin_url": URL,
        "username_value": USERNAME,
        "password_value": Column(PASSWORD, parse=_encrypted_password),
        "date_created": Column(CREATED, parse=webkit_seconds),
        "action_url": Column(CUSTOM, label="action_url"),
        "signon_realm": Column(CUSTOM, label="signon_realm"),
        "federation_url": Column(CUSTOM, label="federation_url"),
        "blacklisted_by_user": HOOK,
        **{c: Column(IGNORE, why="the form's field name, not the user's data") for c in _ELEMENTS},
        **{c: Column(IGNORE, why="the browser's bookkeeping") for c in _BOOKKEEPING},
    }
    rp_id = "google.com"
    app = "Chrome"

    @property
    def headers(self) -> tuple[frozenset[str], ...]:
        return ()  # any layout of the table (columns come and go between Chrome versions)

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN when the header holds the ``logins`` table's own column names."""
        header = sample.csv_header
        if header is not None and frozenset(header) >= _SQLITE_EVIDENCE:
            return Confidence.CERTAIN
        return Confidence.NO

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        flag = cells.get("blacklisted_by_user", "")
        if flag.strip() not in ("", "0"):
            raise RecordError("a site Chrome was told never to save a password for")
        if flag:
            b.rec("blacklisted_by_user", Disposition.NOT_CARRIED, "", "not a 'never save' site")
        if cells.get("password_value", "").startswith(_ENCRYPTED):
            b.rec("password_value", Disposition.NOT_CARRIED, "basic-auth.password",
                  "encrypted by the browser (os_crypt); cxkit cannot decrypt it: use Chrome's "
                  "own export")  # fmt: skip
        if not b.title and (origin := cells.get("origin_url", "").strip()):
            b.title = urllib.parse.urlsplit(origin).hostname or origin
