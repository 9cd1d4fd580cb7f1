"""KeePass-family CSV exports (``formats/keepass.md`` §5).

* ``keepassxc-csv`` — KeePassXC CSV, read and write: ``Group, Title, Username, Password, URL,
  Notes, TOTP, Icon, Last Modified, Created`` (current) and the older KeePassX 2 / KeePassXC
  6-column layout ``Group, Title, Username, Password, URL, Notes`` (read).
* ``keepass-csv`` — KeePass 1.x / 2.x CSV, read: ``Account, Login Name, Password, Web Site,
  Comments``.

Reading is the kit's declarative CSV reader (:mod:`cxkit.adapters.kit.tabular`): a column map
plus a row hook for ``Group`` (a ``/`` path whose first part is the root group) and ``Icon``,
each row mapped directly to the item the KDBX adapter's mapping gives for the entry it stands for
(``TOTP`` is the ``otp`` attribute; ids are the entry UUIDs ``uuid5(file:row)``; items listed in
the database's group order), so a CSV export gives the same CXF as the database. The report
accounts for every non-empty *cell* (``file:row:column``).

Writing maps the document to KeePass entries (the KDBX writer's mapping) and writes one row per
entry. CSV has no place for custom attributes, passkeys, attachments, tags, expiry or further
TOTPs: the report names every credential that was not carried. The output is plaintext.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf, kdbx
from cxkit.adapters.base import AdapterInfo, Capability, ReadOptions, WriteOptions
from cxkit.adapters.keepass.database import (
    EXPORTER_RP_ID,
    EXTENSION,
    NO_PLACE,
    TOTP_SETTINGS,
    document_to_database,
    format_otp,
    iso_time,
    otp_uri,
    timeotp,
    tray_otp,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import (
    CollectionTree,
    ItemBuilder,
    VaultBuilder,
    encode_id,
    uuid5_bytes,
    uuid5_ids,
)
from cxkit.adapters.kit.csvwrite import CsvOut, CsvWriteOptions
from cxkit.adapters.kit.tabular import (
    CREATED,
    HOOK,
    MODIFIED,
    NOTE,
    PASSWORD,
    TITLE,
    TOTP,
    URL,
    USERNAME,
    CsvReader,
    LeanRow,
    lean_row,
)
from cxkit.adapters.kit.values import parse_totp
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import InputTooLargeError

__all__ = ["KEEPASS1_COLUMNS", "KEEPASSXC_COLUMNS", "KeePassCsvAdapter", "KeePassXCCsvAdapter"]

#: Enum members as plain names (a class attribute lookup of an enum member is slow in 3.11)
_EXTENSION: Final = Disposition.EXTENSION
_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED

KEEPASSXC_COLUMNS: Final = ("Group", "Title", "Username", "Password", "URL", "Notes", "TOTP",
                            "Icon", "Last Modified", "Created")  # fmt: skip
KEEPASSX2_COLUMNS: Final = KEEPASSXC_COLUMNS[:6]
KEEPASS1_COLUMNS: Final = ("Account", "Login Name", "Password", "Web Site", "Comments")
MAX_GROUP_DEPTH: Final = 200
"""Deepest ``Group`` path read (as the KDBX reader's limit on nested groups)."""
_NS: Final = uuid.UUID("0b8a3c52-2f4e-4d1e-9a57-3c1d2e7f9b64")

#: CSV column → CXF (the KDBX mapping of the entry attribute the column fills), per layout.
_XC_COLUMNS: Final = {"Title": TITLE, "Username": USERNAME, "Password": PASSWORD, "URL": URL,
                      "Notes": NOTE, "TOTP": TOTP, "Group": HOOK, "Icon": HOOK,
                      "Last Modified": MODIFIED, "Created": CREATED}  # fmt: skip
_KP1_COLUMNS: Final = {"Account": TITLE, "Login Name": USERNAME, "Password": PASSWORD,
                       "Web Site": URL, "Comments": NOTE}  # fmt: skip
_CARRIED_BY_CSV: Final = frozenset({"basic-auth", "totp", "note"})


_ROOT_UUID: Final = uuid.uuid5(_NS, "root")
#: The records of the Group and Icon cells (``(at, disposition, target, note)``)
_ICON_REC: Final = ("Icon", _EXTENSION, "extension.icon", "")
_GROUP_REC: Final = ("Group", _MEMBER, "collection.title", "")
_ROOT_REC: Final = ("Group", _MEMBER, "account", "")
_NS_BYTES: Final = _NS.bytes


class _KeePassCsv(CsvReader):
    """The KeePass-family CSV readers on the kit's declarative base: the entries a database
    would hold, mapped as the KDBX adapter maps them (``Group`` is a ``/`` path whose first part
    is the root group — its other parts are collections; ``TOTP`` is the ``otp`` attribute)."""

    rp_id = EXPORTER_RP_ID
    app = "KeePass"
    android_apps = False  # KeePass URL fields are URLs (apps live in KP2A's AndroidApp keys)
    totp_label = "otp"
    item_extension = EXTENSION
    custom_extension: ClassVar[Mapping[str, Any] | None] = {"role": "strings"}

    def totp_parser(self, text: str) -> tuple[m.Totp | None, str]:
        # KeePassXC's otp: an otpauth URI (encoder=steam for Steam) or Base32
        return otp_uri(text) if "encoder=" in text.lower() else parse_totp(text)

    def item_id(self, name: str, row_number: int) -> str:
        # the UUID the entry gets in KeePass terms (stable: file name and row number)
        return encode_id(uuid5_bytes(_NS_BYTES, f"{name}:{row_number}"))

    def item_ids(self, name: str) -> Callable[[int], str]:
        return uuid5_ids(_NS_BYTES, f"{name}:")  # item_id, the file's part hashed once

    def vault(self, report: MigrationReport, options: ReadOptions) -> VaultBuilder:
        # the root group's name (the first Group part); Icon and Group cells read so far
        state: dict[str, Any] = {"root": "", "icons": {}, "groups": {}}

        def group_id(path: tuple[str, ...]) -> str:
            key = "/".join((state["root"], *path))
            return b64.encode(uuid.uuid5(_NS, "group/" + key).bytes)

        vault = VaultBuilder(report, key=self.info.key, rp_id=self.rp_id, app=self.app,
                             include_trashed=options.include_trashed,
                             collections=CollectionTree(group_id), group_order=True)  # fmt: skip
        vault.state = state
        return vault

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        self._group_icon(b, cells.get("Group"), cells.get("Icon", ""), vault)

    def row_hook(self, header: list[str]) -> Callable[[ItemBuilder, list[str], VaultBuilder], None]:
        # the Group and Icon cells by index, found once per file (no dict per row)
        group_at = header.index("Group") if "Group" in header else None
        icon_at = header.index("Icon") if "Icon" in header else None
        apply = self._group_icon

        def hook(b: ItemBuilder, cells: list[str], vault: VaultBuilder) -> None:
            apply(b, None if group_at is None else cells[group_at],
                  "" if icon_at is None else cells[icon_at], vault)  # fmt: skip

        return hook

    def lean_row(
        self,
        header: list[str],
        plan: tuple[list[Any], list[Any]],
        others: list[tuple[int, str]],
        hook: Callable[[ItemBuilder, list[str], VaultBuilder], None] | None,
        vault: VaultBuilder,
    ) -> LeanRow | None:
        """The kit's lean path (:func:`~cxkit.adapters.kit.tabular.lean_row`) with the
        ``Group`` and ``Icon`` cells as its *extra*, recorded as :meth:`_group_icon` records
        them; a row whose icon is not a number (a warning) or whose group is nested too deep
        (the read stops) goes to the builder."""
        if others or type(self)._map is not CsvReader._map:
            return None
        group_at = header.index("Group") if "Group" in header else None
        icon_at = header.index("Icon") if "Icon" in header else None
        state = vault.state
        icons: dict[str, int | None] = state["icons"]
        groups: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = state["groups"]

        def extra(cells: list[str]) -> tuple[dict[str, Any], list[Any], tuple[str, ...]] | None:
            ext: dict[str, Any] = {}
            recs: list[Any] = []
            if icon_at is not None and (icon := cells[icon_at]):
                number = icons[icon] if icon in icons else icons.setdefault(icon, _icon(icon))
                if number is not None:
                    if number:
                        ext["icon"] = number
                    recs.append(_ICON_REC)
                elif icon.strip():
                    return None
            path: tuple[str, ...] = ()
            if group_at is not None:
                group = cells[group_at]
                found = groups.get(group)
                if found is None:  # read once per distinct cell, as _group_icon reads it
                    parts = tuple(filter(None, group.split("/")))
                    if len(parts) > MAX_GROUP_DEPTH:
                        return None  # (the builder's path stops the read, naming the row)
                    found = groups[group] = (parts, parts[1:])
                parts, path = found
                if parts and not state["root"]:
                    state["root"] = parts[0]
                if path:
                    recs.append(_GROUP_REC)
                elif parts:
                    recs.append(_ROOT_REC)
            return ext, recs, path

        return lean_row(plan, vault, apps=self.android_apps, totp_parser=self.totp_parser,
                        extension=self.item_extension, extra=extra)  # fmt: skip

    def _group_icon(
        self, b: ItemBuilder, group: str | None, icon: str, vault: VaultBuilder
    ) -> None:
        """The ``Group`` cell (None: no such column) and the ``Icon`` cell of a row."""
        state = vault.state
        if icon:
            # for speed: each distinct cell read once (icons and groups repeat on every row)
            icons: dict[str, int | None] = state["icons"]
            number = icons[icon] if icon in icons else icons.setdefault(icon, _icon(icon))
            if number is not None:
                if number:
                    b.ext["icon"] = number
                b.rec("Icon", _EXTENSION, "extension.icon")
            elif icon.strip():
                b.rec("Icon", _NOT_CARRIED, "", "not an icon number")
                vault.report.warnings.append(f"{b.prefix}Icon: not an icon number")
        if group is not None:
            # the cell's names (empty ones left out) and its collection path (below the root)
            groups: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = state["groups"]
            found = groups.get(group)
            if found is None:
                parts = tuple(filter(None, group.split("/")))
                if len(parts) > MAX_GROUP_DEPTH:
                    raise InputTooLargeError(
                        f"a Group path is nested more than {MAX_GROUP_DEPTH} deep",
                        location=b.prefix.rstrip(":"),
                    )
                found = groups[group] = (parts, parts[1:])
            parts, path = found
            if parts and not state["root"]:
                state["root"] = parts[0]
            if path:
                b.collection_path(path, "Group", "collection.title")
            elif parts:  # the root group: no collection (its name is the account's root)
                b.rec("Group", _MEMBER, "account")

    def document(self, vault: VaultBuilder) -> cxf.Document:
        root = {"name": vault.state["root"] or "Root", "uuid": str(_ROOT_UUID)}
        digest = hashlib.sha256(b"cxkit/keepass-account" + _ROOT_UUID.bytes).digest()[:16]
        return vault.build(
            account_id=b64.encode(digest), account_extension=(EXTENSION, {"root": root})
        )


def _icon(cell: str) -> int | None:
    """An ``Icon`` cell's number (KeePass icons are numbered below 1000), or None."""
    icon = cell.strip()
    if icon.isascii() and icon.isdigit() and (number := int(icon)) < 1000:
        return number
    return None


# =========================================================================== writing


def _entries(group: kdbx.Group, path: str) -> Iterator[tuple[str, kdbx.Entry]]:
    for entry in group.entries:
        yield path, entry
    for child in group.groups:
        yield from _entries(child, f"{path}/{child.name}")


def _otp(entry: kdbx.Entry) -> str:
    """The TOTP column: ``otp`` as is, or the otpauth URI of the KeePass 2 / Tray conventions."""
    if (otp := entry.get("otp")) is not None:
        return otp
    if any(k.startswith("TimeOtp-Secret") for k in entry.strings):
        totp, _ = timeotp(entry)
    elif "TOTP Seed" in entry.strings:
        totp, _ = tray_otp(entry)
    else:
        return ""
    return format_otp(totp) if totp is not None else ""


def _time(value: datetime.datetime | None) -> str:
    return iso_time(value) if value is not None else ""


_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_NO_COLUMN: Final = "KeePassXC CSV has no column for it"
_NO_GROUP_COLUMN: Final = "KeePassXC CSV has only the group's name, in the Group column"
XC_WRITTEN: Final = ledger.Declaration(
    "KeePassXC CSV",
    {
        "": ledger.Table(
            {"title": _C, "creationAt": _C, "modifiedAt": _C, "scope.urls[0]": _C,
             "scope": (_N, "KeePassXC CSV has one URL column"),
             "tags": (_N, "KeePassXC CSV has no tags column"),
             "id": (_N, "KeePassXC CSV holds no ids"),
             "subtitle": (_N, "KeePass entries have no subtitle"),
             "favorite": (_N, "KeePass has no favourites"),
             f"extensions[{EXTENSION}].icon": _C,
             f"extensions[{EXTENSION}]": (_N, "KeePass details (expiry, colours, usage) have "
                                               "no CSV column")},
            default=(_N, _NO_COLUMN), unknown=NO_PLACE,
        ),
        "skipped": ledger.Table(default=(_N, "the item could not be written")),
    },
    {
        "basic-auth": ledger.Table(ledger.editable("username", "password")),
        "totp": ledger.Table(default=_C),
        "totp:settings": TOTP_SETTINGS,
        "note": ledger.Table(ledger.editable("content")),
    },
    header=ledger.Table(default=(_N, "KeePassXC CSV has no export header")),
    accounts={
        "": ledger.Table(
            {f"extensions[{EXTENSION}].root.name": (_T, "as the first part of the Group "
                                                          "column")},
            default=(_N, "KeePassXC CSV keeps no account (id, user name, e-mail)"),
        ),
        "many": ledger.Table(
            {"username": (_T, "as a part of the Group column")},
            default=(_N, "KeePassXC CSV keeps no account (id, user name, e-mail)"),
        ),
    },
    collections={
        "": ledger.Table(
            {"title": (_C, "as a part of the Group column"),
             "items[].item": (_T, "as the Group column of the entry's row"),
             "subtitle": (_N, "KeePass groups have no subtitle"),
             "id": (_N, "KeePassXC CSV holds no ids")},
            default=(_N, _NO_GROUP_COLUMN), unknown=NO_PLACE,
        ),
        "empty": ledger.Table(default=(_N, "a group without entries has no row in KeePassXC "
                                           "CSV")),
    },
)  # fmt: skip
"""What the KeePassXC CSV writer carries of each CXF item (:mod:`cxkit.adapters.kit.ledger`):
the KDBX writer's mapping, of which CSV keeps title, user name, password, first URL, notes,
TOTP, icon and the two times. A collection is only a part of its entries' Group column."""


def _group_mode(collection: m.Collection, nested: bool) -> str:
    """The :data:`XC_WRITTEN` collection mode: a group is named by the rows of the entries in
    it or below it."""
    return "" if _holds_items(collection) else "empty"


def _holds_items(collection: m.Collection) -> bool:
    return bool(collection.items) or any(_holds_items(s) for s in collection.sub_collections)


def _csv_mode(cred: object, mode: tuple[str, str] | None) -> tuple[str, str] | None:
    """The KDBX writer's *mode* of *cred* as the CSV keeps it (notes joined stay in Notes)."""
    ctype = cxf.credential_type(cred)
    if ctype not in _CARRIED_BY_CSV or mode is None:
        return (ledger.DROPPED, _NO_COLUMN)
    if mode[0] == ledger.FIELDS and ctype != "note":
        return (ledger.DROPPED, _NO_COLUMN)
    return mode


def write_keepassxc_csv(doc: cxf.Document, report: MigrationReport, *, raw: bool = False) -> bytes:
    """A CXF document as a KeePassXC CSV export (one row per KeePass entry); formula-like cells
    get a leading ``'`` unless *raw* (:mod:`cxkit.adapters.kit.csvwrite`)."""
    scratch = MigrationReport()
    db = document_to_database(doc, scratch)
    report.items_written += scratch.items_written
    report.items_skipped.extend(scratch.items_skipped)
    report.warnings.extend(scratch.warnings)
    for record in scratch.credentials:
        outcome, note = record.outcome, record.note
        if record.credential_type not in _CARRIED_BY_CSV or (
            record.credential_type in ("totp", "basic-auth") and outcome != Outcome.CARRIED
        ):
            outcome = Outcome.NOT_CARRIED
            note = _NO_COLUMN
        report.add_credential(
            record.stage, record.credential_type, record.item, outcome, note, key=record.key
        )
    XC_WRITTEN.record_document(report, doc, "many" if len(doc.accounts) > 1 else "", _group_mode)
    for _, where, item, modes, item_mode in scratch.written_fields.deferred():
        XC_WRITTEN.record(report, where, item, [_csv_mode(cred, mode) for cred, mode in
                                                zip(item.credentials, modes, strict=False)],
                          item_mode)  # fmt: skip
    writer = CsvOut(raw=raw, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.header(KEEPASSXC_COLUMNS)
    for path, entry in _entries(db.root, db.root.name or "Root"):
        writer.row(
            (
                path,
                entry.title,
                entry.get("UserName") or "",
                entry.get("Password") or "",
                entry.get("URL") or "",
                entry.get("Notes") or "",
                _otp(entry),
                str(entry.icon_id),
                _time(entry.times.last_modification),
                _time(entry.times.creation),
            )
        )
    report.plaintext = True
    report.encrypted = False
    return writer.getvalue(report)


# =========================================================================== the adapters


class KeePassXCCsvAdapter(_KeePassCsv):
    info = AdapterInfo(
        key="keepassxc-csv",
        app="KeePassXC, KeePassX 2",
        format="KeePassXC CSV export (read and write; KeePassX 2 6-column layout read)",
        versions="KeePassXC 2.x (10 columns with TOTP, icon, times); KeePassX 2 (6 columns)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=_CARRIED_BY_CSV,
        how_to_import=(
            "KeePassXC: Database → Import → CSV File… (check the column assignment the wizard "
            "shows). Delete the file after importing."
        ),
        how_to_export=(
            "KeePassXC: Database → Export → CSV File. CSV holds title, user name, password, URL, "
            "notes and TOTP only (no custom attributes, passkeys or attachments): prefer the "
            ".kdbx database itself (--from keepass-kdbx)."
        ),
        extensions=(".csv",),
        csv_header=frozenset(KEEPASSXC_COLUMNS),
        csv_headers=(frozenset(KEEPASSX2_COLUMNS),),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )

    columns = _XC_COLUMNS

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        return write_keepassxc_csv(doc, report, raw=options.get(CsvWriteOptions).raw)


class KeePassCsvAdapter(_KeePassCsv):
    info = AdapterInfo(
        key="keepass-csv",
        app="KeePass 1.x / 2.x",
        format="KeePass CSV export (read)",
        versions="KeePass 1.x CSV; KeePass 2.x 'KeePass CSV (1.x)' export",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note"}),
        how_to_export=(
            "KeePass: File → Export → 'KeePass CSV (1.x)'. CSV holds title, user name, password, "
            "URL and notes only (no groups): prefer the .kdbx database (--from keepass-kdbx) or "
            "the 'KeePass XML (2.x)' export (--from keepass-xml)."
        ),
        extensions=(".csv",),
        csv_header=frozenset(KEEPASS1_COLUMNS),
    )

    columns = _KP1_COLUMNS
