"""Bitwarden CSV exports, personal and organisation (read only; ``formats/bitwarden.md`` §2).

Each row becomes a Bitwarden JSON item and goes through the JSON mapping
(:mod:`cxkit.adapters._bwmap`), so CSV and JSON exports give the same CXF. The report accounts
for every non-empty *cell* (``file:row:column``), with the disposition its value got.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters._bwmap import read_export
from cxkit.adapters._input import read_csv
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError

__all__ = ["BitwardenCsvAdapter"]

_LOGIN: Final = ("login_uri", "login_username", "login_password", "login_totp")
_COMMON: Final = ("type", "name", "notes", "fields", *_LOGIN)
PERSONAL: Final = frozenset(("folder", "favorite", *_COMMON))
ORGANISATION: Final = frozenset(("collections", *_COMMON))
HEADERS: Final = (PERSONAL, PERSONAL | {"reprompt"}, ORGANISATION, ORGANISATION | {"reprompt"})
_NS: Final = uuid.UUID("6f1c0b0e-54d5-4a43-9f31-6a7c8d1e2b3a")
_TYPES: Final = {"login": 1, "note": 2, "1": 1, "2": 2}


def _subset_ok(columns: frozenset[str]) -> bool:
    """Bitwarden-shaped CSV from other apps (Bitwarden Authenticator, Aegis fixtures) carry a
    subset of the columns."""
    every = PERSONAL | ORGANISATION | {"reprompt"}
    return columns <= every and {"type", "name"} <= columns and bool(columns & set(_LOGIN))


def _group_id(name: str) -> str:
    return str(uuid.uuid5(_NS, name))


class BitwardenCsvAdapter:
    info: Final = AdapterInfo(
        key="bitwarden-csv",
        app="Bitwarden",
        format="CSV export (logins and secure notes; personal or organisation)",
        versions="all (reprompt column since 2022)",
        capabilities=Capability.READ,
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
                            [{"uri": row[column], "match": None}] if key == "uris" else row[column]
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
