"""Bitwarden CSV exports, personal and organisation (read and write; ``formats/bitwarden.md`` §2).

Reading: each row becomes a Bitwarden JSON item and goes through the JSON mapping
(:mod:`cxkit.adapters.bitwarden.mapping`), so CSV and JSON exports give the same CXF. The report accounts
for every non-empty *cell* (``file:row:column``), with the disposition its value got. A
``login_uri`` cell holding several comma-separated URIs (as Bitwarden writes them) is split when
every piece has a scheme.

Writing: every CXF item goes through the Bitwarden JSON writer, and logins and secure notes are
flattened into Bitwarden's columns (personal, or organisation when the source was one). What CSV
cannot hold — passkeys, cards, identities, SSH keys, attachments, password history, field kinds —
is reported as not carried (or transformed, for custom fields that become ``name: value`` text).
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.bitwarden.mapping import EXTENSION, document_to_bitwarden, read_export
from cxkit.adapters.kit.input import read_csv
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import model as m
from cxkit.errors import AdapterError

__all__ = ["BitwardenCsvAdapter"]

_LOGIN: Final = ("login_uri", "login_username", "login_password", "login_totp")
_COMMON: Final = ("type", "name", "notes", "fields", *_LOGIN)
PERSONAL: Final = frozenset(("folder", "favorite", *_COMMON))
ORGANISATION: Final = frozenset(("collections", *_COMMON))
HEADERS: Final = (PERSONAL, PERSONAL | {"reprompt"}, ORGANISATION, ORGANISATION | {"reprompt"})
#: Bitwarden's column order (``formats/bitwarden.md`` §2), as its exporter writes it.
PERSONAL_COLUMNS: Final = ("folder", "favorite", "type", "name", "notes", "fields", "reprompt", *_LOGIN)  # fmt: skip
ORGANISATION_COLUMNS: Final = ("collections", "type", "name", "notes", "fields", "reprompt", *_LOGIN)  # fmt: skip
_NS: Final = uuid.UUID("6f1c0b0e-54d5-4a43-9f31-6a7c8d1e2b3a")
_TYPES: Final = {"login": 1, "note": 2, "1": 1, "2": 2}


def _subset_ok(columns: frozenset[str]) -> bool:
    """Bitwarden-shaped CSV from other apps (Bitwarden Authenticator, Aegis fixtures) carry a
    subset of the columns."""
    every = PERSONAL | ORGANISATION | {"reprompt"}
    return columns <= every and {"type", "name"} <= columns and bool(columns & set(_LOGIN))


def _group_id(name: str) -> str:
    return str(uuid.uuid5(_NS, name))


def _split_uris(cell: str) -> list[str]:
    """One ``login_uri`` cell → its URIs: Bitwarden joins several with commas; a single URI may
    hold commas itself, so the cell is split only when every piece has a scheme."""
    pieces = [p.strip() for p in cell.split(",")]
    if len(pieces) > 1 and all("://" in p for p in pieces):
        return pieces
    return [cell]


class BitwardenCsvAdapter:
    info: Final = AdapterInfo(
        key="bitwarden-csv",
        app="Bitwarden",
        format="CSV export (logins and secure notes; personal or organisation)",
        versions="all (reprompt column since 2022)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "totp", "note", "custom-fields"}),
        how_to_export=(
            "Bitwarden: Tools → Export vault → file format '.csv'. CSV holds logins and secure "
            "notes only (no cards, identities, SSH keys or passkeys): prefer '.json'."
        ),
        extensions=(".csv",),
        csv_header=PERSONAL,
    )

    def accepts(self, sample: Sample) -> Confidence:
        header = sample.csv_header
        if header is None:
            return Confidence.NO
        columns = frozenset(header)
        if columns in HEADERS:
            return Confidence.CERTAIN
        if _subset_ok(columns):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        table = read_csv(sample.data, name=sample.name, allow_extra=True)
        if frozenset(table.header) not in HEADERS and not _subset_ok(frozenset(table.header)):
            raise AdapterError(
                "not the columns of a Bitwarden CSV export",
                location=f"{sample.name}:1",
                hint="expected: " + ",".join(sorted(PERSONAL)),
            )
        organisation = "collections" in table.header
        groups: dict[str, dict[str, Any]] = {}
        items: list[dict[str, Any]] = []
        origin: list[tuple[str, int, str]] = []  # JSON path prefix → (row, column)
        for row_number, row in table:
            i = len(items)
            base = f"$.items[{i}]"
            kind = row.get("type", "").strip()
            item: dict[str, Any] = {"type": _TYPES.get(kind, kind or None), "name": row["name"]}
            row = {c: row.get(c, "") for c in ("notes", "fields", *_LOGIN)} | row
            origin.append((f"{base}.type", row_number, "type"))
            origin.append((f"{base}.name", row_number, "name"))
            if row["notes"]:
                item["notes"] = row["notes"]
                origin.append((f"{base}.notes", row_number, "notes"))
            if row.get("favorite"):
                item["favorite"] = row["favorite"].strip() in ("1", "true")
                origin.append((f"{base}.favorite", row_number, "favorite"))
            if row.get("reprompt"):
                item["reprompt"] = (
                    int(row["reprompt"]) if row["reprompt"].isdigit() else row["reprompt"]
                )
                origin.append((f"{base}.reprompt", row_number, "reprompt"))
            names = [row["folder"]] if row.get("folder") else []
            if organisation and row.get("collections"):
                names = [n for n in row["collections"].split(",") if n]
            for n in names:
                groups.setdefault(n, {"id": _group_id(n), "name": n})
            if names:
                if organisation:
                    item["collectionIds"] = [_group_id(n) for n in names]
                    origin.append((f"{base}.collectionIds", row_number, "collections"))
                else:
                    item["folderId"] = _group_id(names[0])
                    origin.append((f"{base}.folderId", row_number, "folder"))
            fields: list[dict[str, Any]] = []
            for column, value in row.items():
                if column.startswith("column ") and value:
                    origin.append((f"{base}.fields[{len(fields)}]", row_number, column))
                    fields.append({"name": column, "value": value, "type": 0})
            if row["fields"]:
                origin.append((f"{base}.fields", row_number, "fields"))
                for line in row["fields"].splitlines():
                    label, sep, value = line.partition(": ")
                    fields.append(
                        {"name": label if sep else None, "value": value if sep else line, "type": 0}
                    )
            if fields:
                item["fields"] = fields
            if item["type"] == 1 or any(row[c] for c in _LOGIN):
                login: dict[str, Any] = {}
                for column, key in zip(
                    _LOGIN, ("uris", "username", "password", "totp"), strict=True
                ):
                    if row[column]:
                        login[key] = (
                            [{"uri": u, "match": None} for u in _split_uris(row[column])]
                            if key == "uris"
                            else row[column]
                        )
                        origin.append((f"{base}.login.{key}", row_number, column))
                item["login"] = login
            if item["type"] == 2:
                item["secureNote"] = {"type": 0}
            items.append(item)
        obj = {
            "encrypted": False,
            ("collections" if organisation else "folders"): list(groups.values()),
            "items": items,
        }
        scratch = MigrationReport()
        doc = read_export(obj, scratch, name=sample.name)
        report.items_read += scratch.items_read
        report.items_skipped.extend(scratch.items_skipped)
        report.credentials.extend(scratch.credentials)
        report.warnings.extend(scratch.warnings)
        # one record per non-empty cell, with the disposition its value got
        by_cell: dict[tuple[int, str], tuple[Disposition, str, str]] = {}
        for record in scratch.fields:
            for prefix, row_number, column in origin:
                if record.path == prefix or record.path.startswith((prefix + ".", prefix + "[")):
                    by_cell.setdefault(
                        (row_number, column), (record.disposition, record.target, record.item)
                    )
                    break
        for row_number, row in table:
            for column, value in row.items():
                if not value:
                    continue
                disposition, target, title = by_cell.get(
                    (row_number, column), (Disposition.NOT_CARRIED, "", row.get("name", ""))
                )
                note = "" if (row_number, column) in by_cell else "column not understood"
                report.add_field(
                    f"{sample.name}:{row_number}:{column}", title, disposition, target, note
                )
        return doc

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        report.plaintext = True
        return write_csv(doc, report)


_NO_CSV: Final = "Bitwarden CSV holds logins and secure notes only"
_WHY_NOT: Final = {
    "passkey": "Bitwarden CSV holds no passkeys (write bitwarden-json to keep them)",
    "file": "Bitwarden CSV holds no attachments",
    "item-reference": "Bitwarden has no item references",
}
_KIND_NAMES: Final = {3: "a card", 4: "an identity", 5: "an SSH key"}
_CSV_MEMBERS: Final = frozenset(
    {"name", "notes", "favorite", "reprompt", "login.username", "login.password", "login.totp"}
)


def _field_line(name: Any, value: Any) -> str:
    text = "" if value is None else str(value)
    return f"{name}: {text}" if name is not None else text


def write_csv(doc: cxf.Document, report: MigrationReport) -> bytes:
    """Any CXF document → a Bitwarden CSV export (bytes, UTF-8, ``\\r\\n`` rows)."""
    scratch = MigrationReport()
    obj = document_to_bitwarden(doc, scratch)
    report.warnings.extend(scratch.warnings)
    organisation = "collections" in obj
    names = {g["id"]: g["name"] for g in obj.get("collections" if organisation else "folders", [])}
    outcomes: dict[tuple[str, int], tuple[Outcome, str]] = {
        c.key: (c.outcome, c.note) for c in scratch.credentials if c.key is not None
    }
    columns = ORGANISATION_COLUMNS if organisation else PERSONAL_COLUMNS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for (_, item), bw in zip(doc.items(), obj["items"], strict=True):
        kind = bw.get("type")
        if kind not in (1, 2):
            for index, cred in enumerate(item.credentials):
                report.add_credential("write", cxf.credential_type(cred), item.title,
                                      Outcome.NOT_CARRIED, f"{_NO_CSV} ({_KIND_NAMES.get(kind, 'an other')} item)",
                                      key=(item.id, index))  # fmt: skip
            report.warnings.append(
                f"{item.title}: {_KIND_NAMES.get(kind, 'an other')} item, not written ({_NO_CSV})"
            )
            continue
        fields = [_field_line(f.get("name"), f.get("value")) for f in bw.get("fields") or ()]
        for index, cred in enumerate(item.credentials):
            ctype = cxf.credential_type(cred)
            outcome, note = outcomes.get((item.id, index), (Outcome.CARRIED, ""))
            if ctype in _WHY_NOT:
                outcome, note = Outcome.NOT_CARRIED, _WHY_NOT[ctype]
            elif isinstance(cred, m.CustomFields):
                role = next((e.members.get("role") for e in cred.extensions
                             if isinstance(e, m.UnknownExtension) and e.extension_name == EXTENSION), None)  # fmt: skip
                if role == "passwordHistory":
                    outcome, note = Outcome.NOT_CARRIED, "Bitwarden CSV holds no password history"
                elif role == "members":
                    moved = [f for f in cred.fields if _member(f) not in _CSV_MEMBERS]
                    fields.extend(_field_line(f.label or _member(f), f.value) for f in moved)
                    if moved:
                        outcome, note = Outcome.TRANSFORMED, "written as 'name: value' lines in the fields column"  # fmt: skip
                elif any(f.field_type != "string" for f in cred.fields):
                    outcome, note = Outcome.TRANSFORMED, "hidden/boolean fields become plain 'name: value' text in CSV"  # fmt: skip
            elif outcome == Outcome.TRANSFORMED and "custom field" in note:
                note += " (plain 'name: value' text in CSV)"
            report.add_credential("write", ctype, item.title, outcome, note, key=(item.id, index))
        login = bw.get("login") or {}
        if organisation:
            place = ",".join(names.get(c, "") for c in bw.get("collectionIds") or () if c in names)
        else:
            place = names.get(bw.get("folderId") or "", "")
        row = {
            "folder": place,
            "collections": place,
            "favorite": "1" if bw.get("favorite") else "",
            "type": "login" if kind == 1 else "note",
            "name": bw.get("name") or "",
            "notes": bw.get("notes") or "",
            "fields": "\n".join(fields),
            "reprompt": str(bw.get("reprompt") or 0),
            "login_uri": ",".join(str(u.get("uri") or "") for u in login.get("uris") or ()),
            "login_username": login.get("username") or "",
            "login_password": login.get("password") or "",
            "login_totp": login.get("totp") or "",
        }
        writer.writerow([row[c] for c in columns])
        report.items_written += 1
    return buffer.getvalue().encode("utf-8")


def _member(f: m.EditableField) -> str:
    for e in f.extensions:
        if isinstance(e, m.UnknownExtension) and e.extension_name == EXTENSION:
            return str(e.members.get("member", ""))
    return ""
