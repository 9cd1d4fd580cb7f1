"""KeePass-family CSV exports (``formats/keepass.md`` §5).

* ``keepassxc-csv`` — KeePassXC CSV, read and write: ``Group, Title, Username, Password, URL,
  Notes, TOTP, Icon, Last Modified, Created`` (current) and the older KeePassX 2 / KeePassXC
  6-column layout ``Group, Title, Username, Password, URL, Notes`` (read).
* ``keepass-csv`` — KeePass 1.x / 2.x CSV, read: ``Account, Login Name, Password, Web Site,
  Comments``.

Reading builds the KeePass entries a database would hold (``Group`` is a ``/`` path whose first
part is the root group; ``TOTP`` is the ``otp`` attribute) and maps them with the KDBX adapter's
mapping (:func:`cxkit.adapters.keepass.database_to_document`), so a CSV export gives the same CXF
as the database. The report accounts for every non-empty *cell* (``file:row:column``).

Writing maps the document to KeePass entries (the KDBX writer's mapping) and writes one row per
entry. CSV has no place for custom attributes, passkeys, attachments, tags, expiry or further
TOTPs: the report names every credential that was not carried. The output is plaintext.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from collections.abc import Iterator
from typing import Final

from cxkit import cxf, kdbx
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.keepass.database import (
    database_to_document,
    document_to_database,
    format_otp,
    iso_time,
    parse_iso_time,
    timeotp,
    tray_otp,
)
from cxkit.adapters.kit.input import CsvTable, read_csv
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.errors import AdapterError

__all__ = ["KEEPASS1_COLUMNS", "KEEPASSXC_COLUMNS", "KeePassCsvAdapter", "KeePassXCCsvAdapter"]

KEEPASSXC_COLUMNS: Final = ("Group", "Title", "Username", "Password", "URL", "Notes", "TOTP",
                            "Icon", "Last Modified", "Created")  # fmt: skip
KEEPASSX2_COLUMNS: Final = KEEPASSXC_COLUMNS[:6]
KEEPASS1_COLUMNS: Final = ("Account", "Login Name", "Password", "Web Site", "Comments")
_XC_HEADERS: Final = (frozenset(KEEPASSXC_COLUMNS), frozenset(KEEPASSX2_COLUMNS))
_KP1_HEADERS: Final = (frozenset(KEEPASS1_COLUMNS),)
MAX_GROUP_DEPTH: Final = 200
"""Deepest ``Group`` path read (as the KDBX reader's limit on nested groups)."""
_NS: Final = uuid.UUID("0b8a3c52-2f4e-4d1e-9a57-3c1d2e7f9b64")

#: CSV column → the KeePass entry attribute it fills (per layout).
_XC_STRINGS: Final = {"Title": "Title", "Username": "UserName", "Password": "Password",
                      "URL": "URL", "Notes": "Notes", "TOTP": "otp"}  # fmt: skip
_KP1_STRINGS: Final = {"Account": "Title", "Login Name": "UserName", "Password": "Password",
                       "Web Site": "URL", "Comments": "Notes"}  # fmt: skip
#: Report sub-paths of the KDBX mapping that come from one column (besides the strings).
_XC_OTHER: Final = {"Times.LastModificationTime": "Last Modified", "Times.CreationTime": "Created"}
_CARRIED_BY_CSV: Final = frozenset({"basic-auth", "totp", "note"})


def _protected(key: str) -> bool:
    return key in ("Password", "otp")


def _group(root: kdbx.Group, path: str, cache: dict[str, kdbx.Group]) -> kdbx.Group:
    """The group for a ``Root/A/B`` path (first part: the root group's name)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return root
    if len(parts) > MAX_GROUP_DEPTH:
        raise AdapterError(f"a Group path is nested more than {MAX_GROUP_DEPTH} deep")
    if not root.name:
        root.name = parts[0]
    group = root
    for depth in range(1, len(parts)):
        key = "/".join(parts[: depth + 1])
        if key not in cache:
            child = kdbx.Group(uuid=uuid.uuid5(_NS, "group/" + key), name=parts[depth])
            group.groups.append(child)
            cache[key] = child
        group = cache[key]
    return group


def _table_to_database(
    table: CsvTable, strings: dict[str, str], name: str, *, grouped: bool
) -> tuple[kdbx.Database, dict[str, int], list[str]]:
    """The KeePass entries of a CSV table; the row of each entry (by its UUID's first 8 hex
    digits, as the KDBX mapping names fields) and the warnings."""
    db = kdbx.Database()
    db.root = kdbx.Group(uuid=uuid.uuid5(_NS, "root"), name="")
    cache: dict[str, kdbx.Group] = {}
    rows: dict[str, int] = {}
    warnings: list[str] = []
    for row_number, row in table:
        entry = kdbx.Entry(uuid=uuid.uuid5(_NS, f"{name}:{row_number}"))
        for column, key in strings.items():
            value = row.get(column, "")
            if value:
                entry.strings[key] = kdbx.StringField(value, _protected(key))
        entry.strings.setdefault("Title", kdbx.StringField(""))
        icon = row.get("Icon", "").strip()
        if icon:
            if icon.isascii() and icon.isdigit() and int(icon) < 1000:
                entry.icon_id = int(icon)
            else:
                warnings.append(f"{name}:{row_number}: the Icon column is not an icon number")
        created, modified = (
            parse_iso_time(row.get("Created")),
            parse_iso_time(row.get("Last Modified")),
        )
        entry.times = kdbx.Times(creation=created, last_modification=modified)
        try:
            group = _group(db.root, row.get("Group", ""), cache) if grouped else db.root
        except AdapterError as exc:
            exc.location = f"{name}:{row_number}"
            raise
        group.entries.append(entry)
        rows[entry.uuid.hex[:8]] = row_number
    if not db.root.name:
        db.root.name = "Root"
    return db, rows, warnings


def _read(
    sample: Sample,
    options: ReadOptions,
    report: MigrationReport,
    *,
    headers: tuple[frozenset[str], ...],
    strings: dict[str, str],
    grouped: bool,
) -> cxf.Document:
    table = read_csv(sample.data, name=sample.name, headers=headers)
    db, rows, warnings = _table_to_database(table, strings, sample.name, grouped=grouped)
    scratch = MigrationReport()
    doc = database_to_document(db, scratch, attachments=options.attachments)
    report.items_read += scratch.items_read
    report.items_skipped.extend(scratch.items_skipped)
    report.credentials.extend(scratch.credentials)
    report.warnings.extend([*scratch.warnings, *warnings])
    columns = {v: k for k, v in strings.items()} | (_XC_OTHER if grouped else {})
    # one record per non-empty cell, with the disposition its value got
    by_cell: dict[tuple[int, str], tuple[Disposition, str, str]] = {}
    for record in scratch.fields:
        path = record.path
        cut = path.rfind("].")
        if cut < 8 or path[cut - 9] != "[":
            if path.endswith(".Name"):  # a group: its name came from the Group cells
                named = (record.disposition, record.target, "")
                group_path = path[: -len(".Name")].lstrip("/")
                for number, cells in table:
                    cell = "/".join(p for p in cells.get("Group", "").split("/") if p)
                    if cell == group_path or cell.startswith(group_path + "/"):
                        by_cell.setdefault((number, "Group"), named)
            continue
        entry_row = rows.get(path[cut - 8 : cut])
        column = columns.get(path[cut + 2 :])
        if entry_row is not None and column is not None:
            by_cell[(entry_row, column)] = (record.disposition, record.target, record.item)
    for row_number, row in table:
        for column, value in row.items():
            if not value:
                continue
            if grouped and column == "Group" and (row_number, column) not in by_cell:
                # entries of the root group: the path names only the root (not a collection)
                by_cell[(row_number, column)] = (Disposition.MEMBER, "account", "")
            if column == "Icon" and value.strip().isascii() and value.strip().isdigit():
                by_cell[(row_number, column)] = (Disposition.EXTENSION, "extension.icon", "")
            disposition, target, title = by_cell.get(
                (row_number, column), (Disposition.NOT_CARRIED, "", "")
            )
            note = "" if (row_number, column) in by_cell else "column not understood"
            report.add_field(
                f"{sample.name}:{row_number}:{column}",
                title or row.get("Title", row.get("Account", "")),
                disposition,
                target,
                note,
            )
    return doc


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


def write_keepassxc_csv(doc: cxf.Document, report: MigrationReport) -> bytes:
    """A CXF document as a KeePassXC CSV export (one row per KeePass entry)."""
    scratch = MigrationReport()
    db = document_to_database(doc, scratch)
    report.items_written += scratch.items_written
    report.items_skipped.extend(scratch.items_skipped)
    report.warnings.extend(scratch.warnings)
    for record in scratch.credentials:
        outcome, note = record.outcome, record.note
        if record.credential_type not in _CARRIED_BY_CSV or (
            record.credential_type == "totp" and outcome != Outcome.CARRIED
        ):
            outcome = Outcome.NOT_CARRIED
            note = "KeePassXC CSV has no column for it"
        report.add_credential(
            record.stage, record.credential_type, record.item, outcome, note, key=record.key
        )
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(KEEPASSXC_COLUMNS)
    for path, entry in _entries(db.root, db.root.name or "Root"):
        writer.writerow(
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
    return out.getvalue().encode("utf-8")


# =========================================================================== the adapters


class KeePassXCCsvAdapter:
    info: Final = AdapterInfo(
        key="keepassxc-csv",
        app="KeePassXC, KeePassX 2",
        format="KeePassXC CSV export (read and write; KeePassX 2 6-column layout read)",
        versions="KeePassXC 2.x (10 columns with TOTP, icon, times); KeePassX 2 (6 columns)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=_CARRIED_BY_CSV,
        how_to_export=(
            "KeePassXC: Database → Export → CSV File. CSV holds title, user name, password, URL, "
            "notes and TOTP only (no custom attributes, passkeys or attachments): prefer the "
            ".kdbx database itself (--from keepass-kdbx)."
        ),
        extensions=(".csv",),
        csv_header=frozenset(KEEPASSXC_COLUMNS),
        plaintext=True,
    )

    def accepts(self, sample: Sample) -> Confidence:
        header = sample.csv_header
        if header is None:
            return Confidence.NO
        return Confidence.CERTAIN if frozenset(header) in _XC_HEADERS else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        return _read(sample, options, report, headers=_XC_HEADERS, strings=dict(_XC_STRINGS),
                     grouped=True)  # fmt: skip

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        del options
        return write_keepassxc_csv(doc, report)


class KeePassCsvAdapter:
    info: Final = AdapterInfo(
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

    def accepts(self, sample: Sample) -> Confidence:
        header = sample.csv_header
        if header is None:
            return Confidence.NO
        return Confidence.CERTAIN if frozenset(header) in _KP1_HEADERS else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        if sample.csv_header is not None and frozenset(sample.csv_header) not in _KP1_HEADERS:
            raise AdapterError("not the columns of a KeePass CSV export", location=sample.name)
        return _read(sample, options, report, headers=_KP1_HEADERS, strings=dict(_KP1_STRINGS),
                     grouped=False)  # fmt: skip
