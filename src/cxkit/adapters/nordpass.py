"""NordPass CSV export, read and write (``formats/other-managers.md`` §2).

* Current layout: ``name,url,additional_urls,username,password,note,cardholdername,cardnumber,
  cvc,expirydate,zipcode,folder,full_name,phone_number,email,address1,address2,city,country,
  state,type,custom_fields`` — ``additional_urls`` a JSON array of URLs, ``type`` one of
  ``password``, ``credit_card``, ``note``, ``identity`` (and ``folder`` for a folder's own row),
  ``custom_fields`` a JSON array ``[{label, type: "text" | "hidden", value}]``.
* Older 19-column layout without ``additional_urls``, ``type`` and ``custom_fields``
  (``exports/nordpass/pass-import/nordpass.csv``): a folder is a row with only ``name`` filled.

Reading is the kit's declarative CSV reader: the login columns, the note and the folder by the
column map; the card columns become a CXF ``credit-card``, ``full_name`` a ``person-name``
(given name: NordPass keeps one text), the address columns and the phone an ``address``
(:mod:`cxkit.adapters.kit.typed`); ``email`` and unknown columns become custom fields. A row is
read by what it holds, whatever its ``type`` says (a card row with a note keeps both). Folder
rows make (possibly empty) collections, not items; ``/`` in a folder name nests it.
A ``custom_fields`` entry labelled ``TOTP`` holding an ``otpauth://totp/`` URI (how the writer
keeps a TOTP) is read as a TOTP; every other entry is a custom field.

Writing gives the current layout, one row per item (the first login, card, name and address;
further URLs in ``additional_urls``; custom fields and TOTPs in ``custom_fields``) and one
``folder`` row per collection. NordPass has no passkeys, attachments, SSH keys or documents: the
report names what was not carried. Nothing here is encrypted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, WriteOptions
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.csvwrite import CsvOut, CsvWriteOptions
from cxkit.adapters.kit.tabular import (
    FOLDER,
    HOOK,
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.kit.typed import Parts
from cxkit.adapters.kit.values import format_totp, parse_totp
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import model as m

__all__ = ["COLUMNS", "OLD_COLUMNS", "NordPassCsvAdapter"]

COLUMNS: Final = ("name", "url", "additional_urls", "username", "password", "note",
                  "cardholdername", "cardnumber", "cvc", "expirydate", "zipcode", "folder",
                  "full_name", "phone_number", "email", "address1", "address2", "city",
                  "country", "state", "type", "custom_fields")  # fmt: skip
"""The current layout, in NordPass's order (what the writer writes)."""
OLD_COLUMNS: Final = tuple(c for c in COLUMNS if c not in ("additional_urls", "type",
                                                           "custom_fields"))  # fmt: skip

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
#: column → (credential type, member) for the typed columns
_TYPED: Final = {
    "cardholdername": ("credit-card", "full_name"),
    "cardnumber": ("credit-card", "number"),
    "cvc": ("credit-card", "verification_number"),
    "expirydate": ("credit-card", "expiry_date"),
    "full_name": ("person-name", "given"),
    "city": ("address", "city"),
    "state": ("address", "territory"),
    "country": ("address", "country"),
    "phone_number": ("address", "tel"),
}
_KINDS: Final = frozenset({"password", "credit_card", "note", "identity"})
_IDENTITY_OR_CARD: Final = frozenset({*_TYPED, "address1", "address2", "zipcode", "email"})
_FOLDER_ROW: Final = "folder"
_CARRIES: Final = frozenset(
    {"basic-auth", "note", "credit-card", "person-name", "address", "custom-fields"}
)
_HOW_TO: Final = (
    "NordPass (desktop app): Settings → Export Items → CSV, confirm with the master password. "
    "The file holds passwords, cards, notes and identities in plain text; NordPass exports no "
    "TOTP secrets, passkeys or attachments."
)


class NordPassCsvAdapter(CsvReader):
    info = AdapterInfo(
        key="nordpass-csv",
        app="NordPass",
        format="CSV export (read and write)",
        versions="current layout with type/additional_urls/custom_fields; older 19-column one",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=_CARRIES,
        how_to_import=(
            "NordPass desktop app: Settings → Import Items → 'NordPass' (CSV) → choose the file. "
            "Delete the file after importing."
        ),
        how_to_export=_HOW_TO,
        extensions=(".csv",),
        csv_header=frozenset(COLUMNS),
        csv_headers=(frozenset(OLD_COLUMNS),),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE, "url": URL, "username": USERNAME, "password": PASSWORD, "note": NOTE,
        "folder": FOLDER, **{c: HOOK for c in COLUMNS if c not in
                             ("name", "url", "username", "password", "note", "folder")},
    }  # fmt: skip
    rp_id = "nordpass.com"
    app = "NordPass"

    # ------------------------------------------------------------------ reading

    def vault(self, report: MigrationReport, options: Any) -> VaultBuilder:
        vault = _Vault(report, key=self.info.key, rp_id=self.rp_id, app=self.app,
                       include_trashed=options.include_trashed)  # fmt: skip
        vault.state.update(folders=set(), pending=[], folder_row=None)
        return vault

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        folder = cells.get("folder", "")
        if folder:
            folders: set[tuple[str, ...]] = vault.state["folders"]
            path = tuple(p for p in folder.split("/") if p)
            folders.update(path[:n] for n in range(1, len(path) + 1))
        kind = cells.get("type", "").strip()
        filled = [c for c, text in cells.items() if text and c != "type"]
        if filled == ["name"] and kind in ("", _FOLDER_ROW):
            vault.state["folder_row"] = (b, kind == _FOLDER_ROW)
            return
        if kind:
            if kind in _KINDS:
                b.rec("type", _MEMBER, "item", "the item's kind (read from the columns it fills)")
            else:
                b.custom("type", Val(kind, "type"), note="not a NordPass item type cxkit knows")
        if _IDENTITY_OR_CARD.isdisjoint(filled):  # (most rows: logins) nothing more to map
            self._additional_urls(b, cells.get("additional_urls", ""))
            self._custom_fields(b, cells.get("custom_fields", ""))
            return
        parts = Parts(b)
        for column, (ctype, member) in _TYPED.items():
            if text := cells.get(column, ""):
                parts.put(ctype, member, Val(text, column), label=column)
        street = [Val(t, c) for c in ("address1", "address2") if (t := cells.get(c, ""))]
        if street:
            parts.put("address", "street_address", Val("\n".join(v.text for v in street),
                                                        street[0].at))  # fmt: skip
            for v in street[1:]:
                b.rec(v.at, _MEMBER, "address.streetAddress", "its second line")
        if zipcode := cells.get("zipcode", ""):
            if "credit-card" in parts and "address" not in parts:
                b.custom("zipcode", Val(zipcode, "zipcode"), note="the card's billing ZIP code")
            else:
                parts.put("address", "postal_code", Val(zipcode, "zipcode"), label="zipcode")
        parts.finish()
        if email := cells.get("email", ""):
            b.custom("email", Val(email, "email"))
        self._additional_urls(b, cells.get("additional_urls", ""))
        self._custom_fields(b, cells.get("custom_fields", ""))

    def _additional_urls(self, b: ItemBuilder, cell: str) -> None:
        if not cell.strip():
            return
        urls = _json_cell(cell)
        if isinstance(urls, list) and all(isinstance(u, str) for u in urls):
            if not urls:
                b.rec("additional_urls", _NOT_CARRIED, "", "empty")
                return
            b.urls([Val(u, "additional_urls") for u in urls if u], apps=self.android_apps)
        else:
            b.custom("additional_urls", Val(cell, "additional_urls"),
                     note="not a JSON list of URLs; kept as text")  # fmt: skip

    def _custom_fields(self, b: ItemBuilder, cell: str) -> None:
        if not cell.strip():
            return
        fields = _json_cell(cell)
        if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
            b.custom("custom_fields", Val(cell, "custom_fields"), hidden=True,
                     note="not a JSON list of fields; kept as one hidden text")  # fmt: skip
            return
        if not fields:
            b.rec("custom_fields", _NOT_CARRIED, "", "empty")
            return
        recorded = False
        for index, field in enumerate(fields):
            value = field.get("value")
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                continue
            label = field.get("label")
            label = label if isinstance(label, str) and label else f"field {index + 1}"
            totp = _totp_field(label, value)
            if totp is not None:  # what the writer makes of a TOTP: a TOTP again
                b.add(totp)
                if not recorded:
                    b.rec("custom_fields", _MEMBER, "totp")
            else:
                b.custom(label, Val(str(value), "custom_fields"),
                         hidden=field.get("type") == "hidden", record=not recorded)  # fmt: skip
            recorded = True
        if not recorded:
            b.rec("custom_fields", _NOT_CARRIED, "", "no field with a value")

    def document(self, vault: VaultBuilder) -> cxf.Document:
        assert isinstance(vault, _Vault)
        vault.settle()
        return super().document(vault)

    # ------------------------------------------------------------------ writing

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        return write_nordpass_csv(doc, report, raw=options.get(CsvWriteOptions).raw)


class _Vault(VaultBuilder):
    """The vault of one read: a row the hook named a folder row becomes a collection, not an
    item; a name-only row of the old layout waits until every folder of the file is known."""

    def add(self, builder: ItemBuilder, leftovers: Iterable[Val] = ()) -> m.Item | None:
        found = self.state.get("folder_row")
        if found is None or found[0] is not builder:
            return super().add(builder, leftovers)
        self.state["folder_row"] = None
        if found[1]:
            self._folder(builder, "a folder's row (type folder)")
            self.report.add_field(f"{builder.prefix}type", builder.title, _MEMBER, "collection",
                                  "a folder's row")  # fmt: skip
        else:
            self.state["pending"].append((builder, list(leftovers)))
        return None

    def _folder(self, builder: ItemBuilder, note: str) -> None:
        path = tuple(p for p in builder.title.split("/") if p)
        if path:
            self.tree.add(path)
        self.report.add_field(f"{builder.prefix}name", builder.title, _MEMBER, "collection.title",
                              note)  # fmt: skip

    def settle(self) -> None:
        """Resolve the waiting name-only rows: a folder's name (a folder row of the old layout),
        else an item with a title only."""
        folders: set[tuple[str, ...]] = self.state["folders"]
        for builder, leftovers in self.state["pending"]:
            path = tuple(p for p in builder.title.split("/") if p)
            if path in folders:
                self._folder(builder, "a folder's row (a name used as a folder)")
            else:
                super().add(builder, leftovers)
        self.state["pending"] = []


def _totp_field(label: str, value: object) -> m.Totp | None:
    """A custom field ``TOTP`` whose value is an ``otpauth://totp/`` URI (how the writer keeps a
    TOTP, NordPass having no TOTP column) → the TOTP; None for any other field."""
    if label.strip().upper() != "TOTP" or not isinstance(value, str):
        return None
    if not value.strip().lower().startswith("otpauth://totp/"):
        return None
    totp, _ = parse_totp(value)
    return totp if totp is not None and totp.algorithm != "steam" else None


def _json_cell(cell: str) -> Any:
    """A JSON cell's value, or None when it is not JSON (never raises; depth bounded by the
    cell size limit of the CSV reader and Python's recursion guard)."""
    try:
        return json.loads(cell)
    except (ValueError, RecursionError):
        return None


# =========================================================================== writing

_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_NO_COLUMN: Final = "NordPass CSV has no column for it"
_AS_FIELD: Final[ledger.Rule] = (_T, "as a NordPass custom field")
WRITTEN: Final = ledger.Declaration(
    "NordPass CSV",
    ledger.Table(
        {
            "title": _C,
            "scope.urls": _C,
            "scope.androidApps": (_N, "NordPass CSV holds web addresses only"),
            "id": (_N, "NordPass CSV holds no ids"),
            "creationAt": (_N, "NordPass CSV holds no dates"),
            "modifiedAt": (_N, "NordPass CSV holds no dates"),
        },
        default=(_N, _NO_COLUMN),
    ),
    {
        "basic-auth": ledger.Table(ledger.editable("username", "password")),
        "note": ledger.Table(ledger.editable("content")),
        "note:joined": ledger.Table(
            ledger.editable("content", outcome=(_T, "joined to the item's note"))
        ),
        "credit-card": ledger.Table(
            ledger.editable("number", "fullName", "verificationNumber", "expiryDate"),
            default=(_N, _NO_COLUMN),
        ),
        "person-name": ledger.Table(
            {
                "given": (_T, "as a part of full_name"),
                "given2": (_T, "as a part of full_name"),
                "surname": (_T, "as a part of full_name"),
                "surnamePrefix": (_T, "as a part of full_name"),
                "title": (_T, "as a part of full_name"),
            },
            default=(_N, _NO_COLUMN),
        ),
        "address": ledger.Table(
            {
                "streetAddress": _C,
                "postalCode": _C,
                "city": _C,
                "territory": _C,
                "country": _C,
                "tel": _C,
            },
            default=(_N, _NO_COLUMN),
        ),
        "custom-fields": ledger.Table(
            {
                "fields[].value": _AS_FIELD,
                "fields[].label": _AS_FIELD,
                "fields[].fieldType": (_T, "as text or hidden"),
            },
            default=(_N, "NordPass custom fields have a label, a value and hidden or not"),
        ),
        "totp": ledger.Table(default=(_T, "as a hidden custom field 'TOTP' (otpauth URI)")),
    },
    header=ledger.Table(default=(_N, "NordPass CSV has no export header")),
    accounts=ledger.Table(default=(_N, "NordPass CSV names no account")),
    collections=ledger.Table(
        {
            "title": (_C, "as a folder row and the folder column"),
            "items[].item": (_C, "as the folder column of the item's row"),
        },
        default=(_N, "NordPass folders have a name only"),
    ),
)
"""What the NordPass CSV writer carries of each CXF item (:mod:`cxkit.adapters.kit.ledger`)."""

_ONE_ONLY: Final = "NordPass CSV has one {} per row"


def _text(field: m.EditableField | None) -> str:
    return field.value if field is not None else ""


def _expiry(field: m.EditableField | None) -> str:
    """``YYYY-MM`` → ``MM/YY`` (as NordPass writes a card's expiry)."""
    text = _text(field)
    if len(text) == 7 and text[4] == "-":
        return f"{text[5:]}/{text[2:4]}"
    return text


def _folders(doc: cxf.Document) -> tuple[dict[str, str], list[str]]:
    """Item id → its first collection's ``/`` path, and every collection path (depth first)."""
    homes: dict[str, str] = {}
    paths: list[str] = []

    def walk(col: m.Collection, parent: str) -> None:
        path = f"{parent}/{col.title}" if parent else col.title
        if path:
            paths.append(path)
        for link in col.items:
            homes.setdefault(link.item, path)
        for sub in col.sub_collections:
            walk(sub, path)

    for account in doc.accounts:
        for col in account.collections:
            walk(col, "")
    return homes, paths


def write_nordpass_csv(doc: cxf.Document, report: MigrationReport, *, raw: bool = False) -> bytes:
    """*doc* as a NordPass CSV (current layout): one row per folder, one per item."""
    out = CsvOut(raw=raw)
    out.header(COLUMNS)
    homes, paths = _folders(doc)
    for path in paths:
        out.row(_row({"name": path, "type": _FOLDER_ROW}))
    WRITTEN.record_document(report, doc)
    for a, account in enumerate(doc.accounts):
        for i, item in enumerate(account.items):
            _item(report, out, item, f"$.accounts[{a}].items[{i}]", homes.get(item.id, ""))
    report.plaintext = True
    report.encrypted = False
    return out.getvalue(report)


def _item(report: MigrationReport, out: CsvOut, item: m.Item, where: str, folder: str) -> None:
    """One item's row."""
    cells: dict[str, str] = {"name": item.title, "folder": folder}
    modes: list[tuple[str, str] | None] = []
    notes: list[str] = []
    fields: list[dict[str, str]] = []
    seen: set[str] = set()
    records: list[tuple[str, Outcome, str]] = []
    for cred in item.credentials:
        ctype = cxf.credential_type(cred)
        mode, outcome, why = _put(cred, ctype, cells, notes, fields, seen)
        modes.append((mode, why))
        records.append((ctype, outcome, why))
    report.add_credentials("write", item.title, item.id, records)
    urls = list(item.scope.urls) if item.scope is not None else []
    if urls:
        cells["url"] = urls[0]
        if len(urls) > 1:
            cells["additional_urls"] = json.dumps(urls[1:], ensure_ascii=False)
    if notes:
        cells["note"] = "\n\n".join(notes)
    if fields:
        cells["custom_fields"] = json.dumps(fields, ensure_ascii=False)
    cells["type"] = _kind(seen)
    out.row(_row(cells))
    WRITTEN.record(report, where, item, modes)
    report.items_written += 1


def _kind(seen: set[str]) -> str:
    if "basic-auth" in seen:
        return "password"
    if "credit-card" in seen:
        return "credit_card"
    if seen & {"person-name", "address"}:
        return "identity"
    return "note" if "note" in seen else "password"


def _row(cells: Mapping[str, str]) -> list[str]:
    return [cells.get(c, "") for c in COLUMNS]


def _put(
    cred: Any,
    ctype: str,
    cells: dict[str, str],
    notes: list[str],
    fields: list[dict[str, str]],
    seen: set[str],
) -> tuple[str, Outcome, str]:
    """Write one credential into the row: (ledger mode, outcome, note)."""
    first = ctype not in seen
    if ctype == "note":
        notes.append(cred.content.value)
        seen.add(ctype)
        if first:
            return ctype, _C, ""
        return "note:joined", _T, "joined to the item's note"
    if ctype == "custom-fields":
        for field in cred.fields:
            hidden = field.field_type == "concealed-string"
            fields.append({"label": field.label or "", "type": "hidden" if hidden else "text",
                           "value": field.value})  # fmt: skip
        seen.add(ctype)
        return ctype, _T, "as NordPass custom fields"
    if ctype == "totp":
        fields.append({"label": "TOTP", "type": "hidden", "value": format_totp(cred)})
        return ctype, _T, "as a hidden custom field 'TOTP'"
    if ctype not in ("basic-auth", "credit-card", "person-name", "address"):
        return ledger.DROPPED, _N, _NO_COLUMN
    if not first:
        return ledger.DROPPED, _N, _ONE_ONLY.format(ctype)
    seen.add(ctype)
    if ctype == "basic-auth":
        cells["username"], cells["password"] = _text(cred.username), _text(cred.password)
    elif ctype == "credit-card":
        cells.update(cardholdername=_text(cred.full_name), cardnumber=_text(cred.number),
                     cvc=_text(cred.verification_number), expirydate=_expiry(cred.expiry_date))  # fmt: skip
    elif ctype == "person-name":
        parts = (cred.title, cred.given, cred.given2, cred.surname_prefix, cred.surname)
        cells["full_name"] = " ".join(_text(p) for p in parts if p is not None and p.value)
        return ctype, _T, "as full_name"
    else:
        street = _text(cred.street_address).split("\n", 1)
        cells.update(address1=street[0], address2=street[1] if len(street) > 1 else "",
                     city=_text(cred.city), state=_text(cred.territory),
                     country=_text(cred.country), phone_number=_text(cred.tel))  # fmt: skip
        if cred.postal_code is not None:
            cells["zipcode"] = cred.postal_code.value
    return ctype, _C, ""
