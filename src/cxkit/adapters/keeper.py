"""Keeper: the CSV export (read and write) and the JSON export (read)
(``formats/other-managers.md`` §5; Keeper's import documentation for the CSV layout).

* ``keeper-csv`` — headerless rows ``folder, title, login, password, website address, notes,
  shared folder, custom field name, value, name, value, …``
  (``exports/keeper/pass-import/keeper.csv``). A folder path separates names with ``\\``; a
  shared folder cell may end in ``#edit`` / ``#reshare`` (permissions). The custom field
  ``TFC:Keeper`` (Keeper's own export) or ``$oneTimeCode`` holds the TOTP as an otpauth URI.
  A headerless CSV carries no evidence of its app, so detection never names it (by design):
  read it with ``--from keeper-csv``. A first row ``Folder,Title,Login,Password,Website
  Address,Notes`` (a hand-made file) is taken as evidence and skipped.
* ``keeper-json`` — ``{shared_folders: [{path, permissions, …}], records: [{uid, title,
  login, password, login_url, notes, $type, last_modified, custom_fields: {KEY: value},
  folders: [{folder} | {shared_folder, folder, can_edit, can_share}], references}]}`` (or a
  top-level array of records, from old Commander versions: not read). A custom field key is ``$type:label:n``, ``$type`` or a plain
  label; typed values are objects (``$paymentCard``, ``$name``, ``$address``, ``$host``,
  ``$keyPair``, ``$phone``, ``$bankAccount``, ``$securityQuestion``) mapped to CXF
  credentials (:mod:`cxkit.adapters.kit.typed`) or custom fields; ``$oneTimeCode`` is TOTP;
  ``$passkey`` names a passkey whose key Keeper does not export (listed to re-create).

Writing (``keeper-csv``) gives the layout Keeper imports: one row per item, the first login,
URL and note in their columns, the folder path, ``TFC:Keeper`` for the TOTP and the custom
fields as name/value pairs; no header row (Keeper would import it as a record).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_ids
from cxkit.adapters.kit.csvwrite import CsvOut, CsvWriteOptions
from cxkit.adapters.kit.rawcsv import read_rows
from cxkit.adapters.kit.records import JsonRecordReader, Records
from cxkit.adapters.kit.targets import (
    HOOK,
    IGNORE,
    MODIFIED,
    TITLE,
    Column,
    RecordError,
    Target,
    skip_reason,
)
from cxkit.adapters.kit.typed import Parts
from cxkit.adapters.kit.values import format_totp, scalar_text, ssh_private_to_pkcs8
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError

__all__ = ["CSV_COLUMNS", "KeeperCsvAdapter", "KeeperJsonAdapter", "split_folder"]

EXTENSION: Final = "cxkit/keeper"
RP_ID: Final = "keepersecurity.com"
CSV_COLUMNS: Final = ("Folder", "Title", "Login", "Password", "Website Address", "Notes",
                      "Shared Folder")  # fmt: skip
"""The names cxkit gives the positional cells of a Keeper CSV row (Keeper's import
documentation); cells after them are custom field name/value pairs."""
_HEADER: Final = tuple(c.lower() for c in CSV_COLUMNS[:6])
_TOTP_NAMES: Final = frozenset({"TFC:Keeper", "$oneTimeCode"})
_MEMBER: Final = Disposition.MEMBER
_CUSTOM: Final = Disposition.CUSTOM_FIELD
_EXT: Final = Disposition.EXTENSION
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_PERMISSIONS: Final = "Keeper sharing permissions are not carried (CXF sharing names accounts)"
MAX_FOLDER_DEPTH: Final = 200
_HOW_TO: Final = (
    "Keeper web vault or desktop app: Settings → Export → 'Export to .json' (records, folders, "
    "custom fields, TOTP, cards and identities) or '.csv' (logins and custom fields). "
    "Attachments and passkeys are not in either file. A Keeper CSV has no header row: read it "
    "with --from keeper-csv."
)


def split_folder(path: str) -> tuple[str, ...]:
    """A Keeper folder path → its names: ``\\`` separates, ``\\\\`` is a backslash in a name."""
    names: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\":
            if path[i + 1 : i + 2] == "\\":
                current.append("\\")
                i += 2
                continue
            names.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    names.append("".join(current).strip())
    found = tuple(n for n in names if n)
    if len(found) > MAX_FOLDER_DEPTH:
        raise InputTooLargeError(f"a folder path is nested more than {MAX_FOLDER_DEPTH} deep")
    return found


def _join_folder(names: tuple[str, ...]) -> str:
    return "\\".join(n.replace("\\", "\\\\") for n in names)


def _shared_folder(cell: str) -> tuple[str, list[str]]:
    """A shared folder cell → (its path, the permission flags at its end)."""
    flags: list[str] = []
    text = cell.strip()
    while True:
        for flag in ("edit", "reshare"):
            if text.endswith("#" + flag):
                flags.append(flag)
                text = text[: -len(flag) - 1]
                break
        else:
            return text, flags


# =========================================================================== CSV


def _cell_name(index: int) -> str:
    if index < len(CSV_COLUMNS):
        return CSV_COLUMNS[index]
    pair, value = divmod(index - len(CSV_COLUMNS), 2)
    return f"Custom Field {pair + 1} {'Value' if value else 'Name'}"


class KeeperCsvAdapter:
    info = AdapterInfo(
        key="keeper-csv",
        app="Keeper",
        format="CSV export (headerless; read and write)",
        versions="Keeper web vault / desktop / Commander CSV",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "note", "totp", "custom-fields"}),
        how_to_import=(
            "Keeper web vault or desktop app: Settings → Import → 'Keeper' CSV → choose the file "
            "(map the columns if asked). Delete the file after importing."
        ),
        how_to_export=_HOW_TO,
        extensions=(".csv",),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    headerless: ClassVar[bool] = True
    """The format has no header row: its files (and this writer's output) are read with
    ``--from keeper-csv``, never detected (``adapters/contract.py`` skips that check)."""

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN only on a header row naming Keeper's columns (a hand-made file); Keeper's
        own export has none, and a headerless CSV is no evidence."""
        header = sample.csv_header
        if header is not None and tuple(c.lower() for c in header[:6]) == _HEADER:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        rows = read_rows(sample.data, name=name)
        if tuple(c.strip().lower() for c in rows[0][1][:6]) == _HEADER:
            report.add_field(f"{name}:{rows[0][0]}:", "", _NOT_CARRIED, "", "the header row")
            rows = rows[1:]
        vault = VaultBuilder(report, key=self.info.key, rp_id=RP_ID, app="Keeper",
                             include_trashed=options.include_trashed)  # fmt: skip
        ids = stable_ids(self.info.key, name)
        failed = 0
        for number, cells in rows:
            b = vault.item(f"{name}:{number}:", item_id=ids(number), extension=EXTENSION)
            try:
                self._row(b, cells)
            except InputTooLargeError:
                raise
            except (CxkitError, ValueError) as exc:  # one row never sinks the rest
                failed += 1
                b.fail(f"row {number} cannot be read: {skip_reason(exc)}",
                       [Val(c, _cell_name(i)) for i, c in enumerate(cells)])  # fmt: skip
                continue
            vault.add(b)
        if rows and failed * 2 > len(rows):
            raise AdapterError(
                f"{failed} of {len(rows)} rows are not Keeper rows (at least 6 cells: folder, "
                "title, login, password, website address, notes)",
                location=name or None,
                hint="is this a Keeper CSV export? (cxkit formats lists the others)",
            )
        digest = hashlib.sha256(b"cxkit/keeper-csv-account").digest()[:16]
        return vault.build(account_id=b64.encode(digest))

    def _row(self, b: ItemBuilder, cells: list[str]) -> None:
        if len(cells) < 6:
            raise RecordError(f"the row has {len(cells)} cells; a Keeper row has at least 6")
        get = [Val(c, _cell_name(i)) for i, c in enumerate(cells)]
        b.set_title(get[1])
        b.login(get[2], get[3], [get[4]] if get[4].text.strip() else ())
        b.note(get[5])
        shared_path: tuple[str, ...] = ()
        if len(cells) > 6 and cells[6].strip():
            text, flags = _shared_folder(cells[6])
            shared_path = split_folder(text)
            note = f"a shared folder; {_PERMISSIONS}" if flags else "a shared folder"
            b.collection(shared_path + split_folder(cells[0]), None)
            b.rec(get[6].at, _MEMBER, "collection.title", note)
            if cells[0].strip():
                b.rec(get[0].at, _MEMBER, "collection.title", "a folder in the shared folder")
        elif cells[0].strip():
            b.collection(split_folder(cells[0]), get[0].at, "collection.title")
        totp_seen = False
        for i in range(len(CSV_COLUMNS), len(cells), 2):
            label, value = get[i], get[i + 1] if i + 1 < len(cells) else Val("", _cell_name(i + 1))
            if not value.text:
                if label.text:
                    b.rec(label.at, _NOT_CARRIED, "", "a custom field name without a value")
                continue
            if label.text.strip() in _TOTP_NAMES and not totp_seen:
                totp_seen = b.totp(value, label="TOTP") is not None
                b.rec(label.at, _MEMBER, "totp", "its name (the TOTP field)")
                continue
            if label.text.strip() == "$type":
                b.ext["type"] = value.text
                b.rec(value.at, _EXT, "extension.type", "the Keeper record type")
                b.rec(label.at, _EXT, "extension.type", "its name")
                continue
            shown = label.text.strip().lstrip("$") or f"field {(i - 7) // 2 + 1}"
            b.custom(shown, value, hidden=shown in ("secret", "pinCode", "password"))
            if label.text:
                b.rec(label.at, _CUSTOM, f"custom-fields.{shown}", "its name")

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        return write_keeper_csv(doc, report, raw=options.get(CsvWriteOptions).raw)


_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_NO_COLUMN: Final = "Keeper CSV has no column for it"
_AS_PAIR: Final[ledger.Rule] = (_T, "as a Keeper custom field (name, value)")
CSV_WRITTEN: Final = ledger.Declaration(
    "Keeper CSV",
    ledger.Table(
        {"title": _C, "scope.urls[0]": _C,
         "scope.urls": (_T, "further URLs as custom fields 'URL'"),
         "id": (_N, "Keeper CSV holds no ids"),
         "creationAt": (_N, "Keeper CSV holds no dates"),
         "modifiedAt": (_N, "Keeper CSV holds no dates"),
         f"extensions[{EXTENSION}].type": (_T, "as the custom field $type")},
        default=(_N, _NO_COLUMN),
    ),
    {
        "basic-auth": ledger.Table(ledger.editable("username", "password")),
        "note": ledger.Table(ledger.editable("content")),
        "note:joined": ledger.Table(ledger.editable("content", outcome=(
            _T, "joined to the item's notes"))),
        "totp": ledger.Table(default=_C),
        "totp:field": ledger.Table(default=(_T, "a further TOTP as a custom field 'TOTP'")),
        "custom-fields": ledger.Table(
            {"fields[].value": _AS_PAIR, "fields[].label": _AS_PAIR,
             "fields[].fieldType": (_N, "Keeper CSV custom fields are plain text")},
            default=(_N, "Keeper CSV custom fields have a name and a value"),
        ),
    },
    header=ledger.Table(default=(_N, "Keeper CSV has no export header")),
    accounts=ledger.Table(default=(_N, "Keeper CSV names no account")),
    collections=ledger.Table(
        {"title": (_C, "as a part of the Folder column"),
         "items[].item": (_C, "as the Folder column of the item's row")},
        default=(_N, "Keeper folders have a name only"),
    ),
)  # fmt: skip
"""What the Keeper CSV writer carries of each CXF item (:mod:`cxkit.adapters.kit.ledger`)."""


def _homes(doc: cxf.Document) -> dict[str, tuple[str, ...]]:
    """Item id → the names of its first collection's path."""
    homes: dict[str, tuple[str, ...]] = {}

    def walk(col: m.Collection, parent: tuple[str, ...]) -> None:
        path = (*parent, col.title) if col.title else parent
        for link in col.items:
            homes.setdefault(link.item, path)
        for sub in col.sub_collections:
            walk(sub, path)

    for account in doc.accounts:
        for col in account.collections:
            walk(col, ())
    return homes


def write_keeper_csv(doc: cxf.Document, report: MigrationReport, *, raw: bool = False) -> bytes:
    """*doc* as a Keeper CSV import file (headerless; see the module docstring)."""
    out = CsvOut(raw=raw)
    homes = _homes(doc)
    CSV_WRITTEN.record_document(report, doc)
    for a, account in enumerate(doc.accounts):
        for i, item in enumerate(account.items):
            out.row(_keeper_row(report, item, f"$.accounts[{a}].items[{i}]", homes))
    report.plaintext = True
    report.encrypted = False
    return out.getvalue(report)


def _keeper_row(
    report: MigrationReport, item: m.Item, where: str, homes: Mapping[str, tuple[str, ...]]
) -> list[str]:
    user = password = ""
    notes: list[str] = []
    pairs: list[str] = []
    modes: list[tuple[str, str] | None] = []
    seen: set[str] = set()
    records: list[tuple[str, Outcome, str]] = []
    for cred in item.credentials:
        ctype = cxf.credential_type(cred)
        mode, outcome, why = ctype, _C, ""
        if isinstance(cred, m.BasicAuth) and ctype not in seen:
            user = cred.username.value if cred.username is not None else ""
            password = cred.password.value if cred.password is not None else ""
        elif isinstance(cred, m.Note):
            notes.append(cred.content.value)
            if ctype in seen:
                mode, outcome, why = "note:joined", _T, "joined to the item's notes"
        elif isinstance(cred, m.Totp):
            pairs += ["TFC:Keeper" if ctype not in seen else "TOTP", format_totp(cred)]
            if ctype in seen:
                mode, outcome, why = "totp:field", _T, "a further TOTP as a custom field"
        elif isinstance(cred, m.CustomFields):
            for field in cred.fields:
                pairs += [field.label or "field", field.value]
            outcome, why = _T, "as Keeper custom fields (name, value)"
        else:
            mode, outcome, why = (
                ledger.DROPPED,
                _N,
                ("Keeper CSV has one login per row" if ctype == "basic-auth" else _NO_COLUMN),
            )
        seen.add(ctype)
        modes.append((mode, why))
        records.append((ctype, outcome, why))
    report.add_credentials("write", item.title, item.id, records)
    urls = list(item.scope.urls) if item.scope is not None else []
    for url in urls[1:]:
        pairs += ["URL", url]
    for ext in item.extensions:
        if isinstance(ext, m.UnknownExtension) and ext.extension_name == EXTENSION:
            kind = ext.members.get("type")
            if isinstance(kind, str) and kind:
                pairs += ["$type", kind]
    CSV_WRITTEN.record(report, where, item, modes)
    report.items_written += 1
    folder = _join_folder(homes.get(item.id, ()))
    return [folder, item.title, user, password, urls[0] if urls else "", "\n\n".join(notes), "",
            *pairs]  # fmt: skip


# =========================================================================== JSON

_NAME_PARTS: Final = (("first", "given"), ("middle", "given2"), ("last", "surname"))
_ADDRESS_PARTS: Final = (("city", "city"), ("state", "territory"), ("zip", "postal_code"),
                         ("country", "country"))  # fmt: skip
_CARD_PARTS: Final = (("cardNumber", "number"), ("cardExpirationDate", "expiry_date"),
                      ("cardSecurityCode", "verification_number"))  # fmt: skip
#: record type → (CXF credential of its accountNumber, member)
_DOCUMENTS: Final = {
    "passport": ("passport", "passport_number"),
    "driverLicense": ("drivers-license", "license_number"),
    "ssnCard": ("identity-document", "identification_number"),
}
_HIDDEN: Final = frozenset({"secret", "pinCode", "password", "securityCode", "privateKey"})


def _field_key(key: str) -> tuple[str, str]:
    """A custom field key → (type, label): ``$text:SSID:1`` → ``("text", "SSID")``,
    ``$host`` → ``("host", "")``, ``Name`` → ``("", "Name")``."""
    if key.startswith("$"):
        kind, _, label = key[1:].partition(":")
    else:
        kind, label = "", key
    if len(label) >= 2 and label[-2] == ":" and label[-1].isdigit():
        label = label[:-2]
    return kind.strip(), label.strip()


class KeeperJsonAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="keeper-json",
        app="Keeper",
        format="JSON export (read)",
        versions="Keeper web vault / desktop / Commander JSON (record types v3)",
        capabilities=Capability.READ,
        credential_types=frozenset(
            {
                "basic-auth",
                "note",
                "totp",
                "credit-card",
                "person-name",
                "address",
                "passport",
                "drivers-license",
                "identity-document",
                "ssh-key",
                "wifi",
                "custom-fields",
            }
        ),
        how_to_export=_HOW_TO,
        extensions=(".json",),
    )
    records = (Records(("records",), "record"),)
    id_member = "uid"  # the item id derives from it (stable across exports)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE,
        "notes": HOOK,
        "last_modified": MODIFIED,
        "login": HOOK,
        "password": HOOK,
        "login_url": HOOK,
        "uid": HOOK,
        "$type": HOOK,
        "custom_fields": HOOK,
        "folders": HOOK,
        "references": HOOK,
        "schema": Column(IGNORE, why="Keeper's list of the record type's fields"),
        "attachments": Column(IGNORE, why="attachments: a Keeper export holds no file bytes"),
    }
    rp_id = RP_ID
    app = "Keeper"
    item_extension = EXTENSION

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY on a top-level ``records`` list whose first entries have a ``title`` and
        Keeper's ``uid`` or ``$type`` (or ``login_url``)."""
        if "records" not in sample.json_keys:
            return Confidence.NO
        entries = sample.json_entries("records", 3)
        if not entries or not all(isinstance(e, dict) for e in entries):
            return Confidence.NO
        if all("title" in e and ({"uid", "$type", "login_url"} & e.keys()) for e in entries):
            return Confidence.LIKELY
        return Confidence.NO

    def outside(self, top: Any, report: MigrationReport, name: str) -> None:
        if isinstance(top, dict) and isinstance(top.get("shared_folders"), list):
            for index, folder in enumerate(top["shared_folders"]):
                at = f"$.shared_folders[{index}]"
                if not isinstance(folder, dict):
                    report.add_field(at, "", _NOT_CARRIED, "", "not a shared folder object")
                    continue
                for key, value in folder.items():
                    if key == "path" and isinstance(value, str):
                        report.add_field(f"{at}.path", "", _MEMBER, "collection.title",
                                         "a shared folder (the collection of its records)")  # fmt: skip
                    elif key == "uid":
                        report.add_field(f"{at}.uid", "", _NOT_CARRIED, "", "Keeper's id")
                    else:
                        report.add_field(f"{at}.{key}", "", _NOT_CARRIED, "", _PERMISSIONS)
            top = {k: v for k, v in top.items() if k != "shared_folders"}
        super().outside(top, report, name)

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        rtype = scalar_text(rec.get("$type")) or ""
        if rec.get("uid") is not None:
            b.rec(".uid", _MEMBER, "item.id", "the item id derives from it")
        if rtype:
            b.ext["type"] = rtype
            b.rec(".$type", _EXT, "extension.type", "the Keeper record type")
        parts = Parts(b)
        self._login(b, rec, rtype, parts)
        notes = rec.get("notes")
        if notes is not None:
            text = scalar_text(notes)
            if text is None:
                raise RecordError("member notes is not a text value")
            if text:
                b.note(Val(text, ".notes"))
            else:
                b.rec(".notes", _NOT_CARRIED, "", "empty")
        self._folders(b, rec.get("folders"))
        fields = rec.get("custom_fields")
        if fields is not None:
            if not isinstance(fields, dict):
                raise RecordError("member custom_fields is not an object")
            for key, value in fields.items():
                self._field(b, parts, rtype, key, value, f".custom_fields.{key}")
        parts.finish()
        refs = rec.get("references")
        if refs is not None:
            b.rec(".references", _NOT_CARRIED, "", "links to other records (Keeper's "
                  "file and address references) are not carried")  # fmt: skip

    def _login(self, b: ItemBuilder, rec: dict[str, Any], rtype: str, parts: Parts) -> None:
        vals = {}
        for member in ("login", "password", "login_url"):
            value = rec.get(member)
            text = scalar_text(value)
            if value is not None and text is None:
                raise RecordError(f"member {member} is not a text value")
            vals[member] = Val(text or "", f".{member}")
            if value is not None and not text:
                b.rec(f".{member}", _NOT_CARRIED, "", "empty")
        password = vals["password"]
        if rtype == "wifiCredentials" and password.text:
            parts.put("wifi", "passphrase", password)
            password = Val("", ".password")
        elif rtype == "sshKeys" and password.text:
            b.custom("Passphrase", password, hidden=True, note="the SSH key's passphrase")
            password = Val("", ".password")
        url = vals["login_url"]
        b.login(vals["login"], password, [url] if url.text.strip() else (), apps=True)

    def _folders(self, b: ItemBuilder, folders: Any) -> None:
        if folders is None:
            return
        if not isinstance(folders, list):
            raise RecordError("member folders is not a list")
        for index, entry in enumerate(folders):
            at = f".folders[{index}]"
            if not isinstance(entry, dict):
                b.rec(at, _NOT_CARRIED, "", "not a folder object")
                continue
            shared = scalar_text(entry.get("shared_folder")) or ""
            folder = scalar_text(entry.get("folder")) or ""
            path = split_folder(shared) + split_folder(folder)
            b.collection(path, None)
            for key in entry:
                if key in ("shared_folder", "folder"):
                    b.rec(f"{at}.{key}", _MEMBER, "collection.title")
                else:
                    b.rec(f"{at}.{key}", _NOT_CARRIED, "", _PERMISSIONS)

    def _field(
        self, b: ItemBuilder, parts: Parts, rtype: str, key: str, value: Any, at: str
    ) -> None:
        ftype, label = _field_key(key)
        values = value if isinstance(value, list) else [value]
        for n, one in enumerate(values):
            where = f"{at}[{n}]" if isinstance(value, list) else at
            self._value(b, parts, rtype, ftype, label or ftype or key, one, where)

    def _value(
        self, b: ItemBuilder, parts: Parts, rtype: str, ftype: str, label: str, value: Any,
        at: str,
    ) -> None:  # fmt: skip
        if value is None or value == "" or value == {} or value == []:
            b.rec(at, _NOT_CARRIED, "", "empty")
            return
        if isinstance(value, dict):
            self._object(b, parts, rtype, ftype, label, value, at)
            return
        text = scalar_text(value)
        if text is None:
            b.rec(at, _NOT_CARRIED, "", "a nested list Keeper does not write")
            return
        v = Val(text, at)
        if ftype == "oneTimeCode" or (not ftype and label == "TFC:Keeper"):
            b.totp(v, label="TOTP")
        elif ftype == "url":
            b.urls([v], apps=True)
        elif ftype == "text" and label == "cardholderName" and rtype == "bankCard":
            parts.put("credit-card", "full_name", v, label=label)
        elif ftype == "pinCode" and rtype == "bankCard":
            parts.put("credit-card", "pin", v, label=label)
        elif ftype == "text" and label == "SSID" and rtype == "wifiCredentials":
            parts.put("wifi", "ssid", v, label=label)
        elif ftype == "accountNumber" and rtype in _DOCUMENTS:
            parts.put(*_DOCUMENTS[rtype], v, label=label)
        elif ftype in ("birthDate", "expirationDate") and rtype in _DOCUMENTS:
            member = "birth_date" if ftype == "birthDate" else "expiry_date"
            parts.put(_DOCUMENTS[rtype][0], member, v, label=label)
        elif ftype == "date" and label == "dateIssued" and rtype in _DOCUMENTS:
            parts.put(_DOCUMENTS[rtype][0], "issue_date", v, label=label)
        else:
            b.custom(label, v, hidden=ftype in _HIDDEN)

    def _object(
        self, b: ItemBuilder, parts: Parts, rtype: str, ftype: str, label: str,
        value: dict[str, Any], at: str,
    ) -> None:  # fmt: skip
        if ftype == "passkey":
            rp_id = scalar_text(value.get("relyingParty")) or ""
            user = scalar_text(value.get("username")) or ""
            b.lost_passkey(Val("", at), rp_id=rp_id, username=user)
            return
        if ftype == "paymentCard":
            mapping: tuple[tuple[str, str], ...] = _CARD_PARTS
            ctype = "credit-card"
        elif ftype == "name" and "person-name" not in parts:
            mapping, ctype = _NAME_PARTS, "person-name"
        elif ftype == "address" and "address" not in parts:
            mapping, ctype = _ADDRESS_PARTS, "address"
            street = [Val(t, f"{at}.{k}") for k in ("street1", "street2")
                      if (t := scalar_text(value.get(k)))]  # fmt: skip
            if street:
                parts.put("address", "street_address",
                          Val("\n".join(v.text for v in street), street[0].at))  # fmt: skip
                for v in street[1:]:
                    b.rec(v.at, _MEMBER, "address.streetAddress", "its second line")
        elif ftype == "keyPair" and self._ssh(b, value, at):
            return
        else:
            mapping, ctype = (), ""
        used = {k for k, _ in mapping} | ({"street1", "street2"} if ctype == "address" else set())
        for key, member in mapping:
            text = scalar_text(value.get(key))
            if text:
                parts.put(ctype, member, Val(text, f"{at}.{key}"), label=f"{label} {key}")
        for key, sub in value.items():
            if key in used:
                if not scalar_text(sub):
                    b.rec(f"{at}.{key}", _NOT_CARRIED, "", "empty" if sub in ("", None) else
                          "not a text value")  # fmt: skip
                continue
            text = scalar_text(sub)
            if not text:
                b.rec(f"{at}.{key}", _NOT_CARRIED, "", "empty" if sub in ("", None) else
                      "a nested value Keeper does not write")  # fmt: skip
                continue
            b.custom(f"{label} {key}", Val(text, f"{at}.{key}"),
                     hidden=key in _HIDDEN or ftype in _HIDDEN or key == "answer")  # fmt: skip

    def _ssh(self, b: ItemBuilder, value: dict[str, Any], at: str) -> bool:
        private = scalar_text(value.get("privateKey"))
        if not private:
            return False
        try:
            der, key_type = ssh_private_to_pkcs8(private)
        except AdapterError:
            return False  # (kept as hidden custom fields, by the caller)
        public = scalar_text(value.get("publicKey")) or ""
        pieces = public.split(None, 2)
        comment = pieces[2] if len(pieces) == 3 else None
        b.add(m.SshKey(key_type=key_type, private_key=der, key_comment=comment))
        b.rec(f"{at}.privateKey", _MEMBER, "ssh-key.privateKey")
        for key in value:
            if key == "publicKey":
                b.rec(f"{at}.publicKey", _MEMBER, "ssh-key (public key)", "derived from the key")
            elif key != "privateKey":
                b.rec(f"{at}.{key}", _NOT_CARRIED, "", "not a member of a Keeper key pair")
        return True
