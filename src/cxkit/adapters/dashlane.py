"""Dashlane exports (``formats/other-managers.md`` §1).

* ``dashlane-zip`` — the current "unsecured archive", a ZIP of CSV files: ``credentials.csv``
  (``username,username2,username3,title,password,note,url,category,otpSecret``; newer files have
  ``otpUrl`` instead of ``otpSecret``), ``securenotes.csv`` (``title,note``), ``payments.csv``
  (``type`` = ``credit_card`` → CXF ``credit-card``; ``bank`` → a "Bank account" custom-fields
  credential: CXF 1.0 has no bank-account type), ``ids.csv`` (``type`` = ``passport``,
  ``license``, ``card``, ``social_security``, ``tax_number`` → ``passport``, ``drivers-license``,
  ``identity-document``) and ``personalInfo.csv`` (rows of ``type`` ``name`` → ``person-name``,
  ``address`` → ``address``; e-mail, phone and the rest as custom fields). Dashlane writes dates
  ``YYYY-M-D``. Columns cxkit does not map become custom fields; other members are reported.
* ``dashlane-csv`` — ``credentials.csv`` on its own: read, and written (the layout Dashlane
  imports, with ``otpUrl``).
* ``dashlane-legacy-csv`` — the legacy headerless CSV (``title,url,login,password,note``; a row
  with only a title is one cell). Without a header there is no positive evidence of the format,
  so detection never names it: read it with ``--from dashlane-legacy-csv``.
* ``dashlane-json`` — the legacy JSON: ``AUTHENTIFIANT`` records ``{domain, email, login, note,
  password, secondaryLogin, title}``; any other top-level array (the notes name no others) gives
  items of its own, their members as custom fields.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    converted_document,
)
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.kit.input import zip_archive
from cxkit.adapters.kit.rawcsv import read_rows
from cxkit.adapters.kit.records import JsonRecordReader, Records
from cxkit.adapters.kit.tabular import (
    CUSTOM,
    FOLDER,
    HOOK,
    NOTE,
    PASSWORD,
    TITLE,
    TOTP,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError

__all__ = [
    "CREDENTIALS_COLUMNS",
    "DashlaneCsvAdapter",
    "DashlaneJsonAdapter",
    "DashlaneLegacyCsvAdapter",
    "DashlaneZipAdapter",
    "dashlane_date",
]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_RP_ID: Final = "dashlane.com"
_APP: Final = "Dashlane"

CREDENTIALS_COLUMNS: Final = ("username", "username2", "username3", "title", "password", "note",
                              "url", "category", "otpUrl")  # fmt: skip
"""``credentials.csv`` as the writer writes it (the newer layout, ``otpUrl``)."""
_OLD_CREDENTIALS: Final = (*CREDENTIALS_COLUMNS[:-1], "otpSecret")
_MEMBERS: Final = ("credentials.csv", "securenotes.csv", "payments.csv", "ids.csv",
                   "personalInfo.csv")  # fmt: skip
_HOW_TO: Final = (
    "Dashlane web app: My account → Settings → Export data → 'Unsecured archive (readable) in "
    "CSV format' (a ZIP of CSV files: read it whole with --from dashlane-zip, or "
    "credentials.csv alone). The encrypted .dash archive cannot be read; passkeys leave "
    "Dashlane only through its CXF export."
)
_DATE: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})\Z")
_COUNTRY: Final = re.compile(r"[A-Z]{2}\Z")
_S: Final = "string"


def dashlane_date(text: str) -> str | None:
    """A Dashlane date (``YYYY-M-D``, month and day without leading zeros) → ``YYYY-MM-DD``, or
    None when it is not one."""
    found = _DATE.match(text.strip())
    if found is None:
        return None
    year, month, day = (int(g) for g in found.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _ef(value: str, field_type: str = _S) -> m.EditableField:
    return m.EditableField(field_type=field_type, value=value)


def _country(value: str) -> m.EditableField:
    stripped = value.strip()
    return _ef(stripped, "country-code") if _COUNTRY.match(stripped) else _ef(value)


# ====================================================================== credentials.csv


class _CredentialsColumns(CsvReader):
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "username": USERNAME,
        "username2": Column(CUSTOM, label="username2"),
        "username3": Column(CUSTOM, label="username3"),
        "title": TITLE,
        "password": PASSWORD,
        "note": NOTE,
        "url": URL,
        "category": FOLDER,
        "otpSecret": TOTP,
        "otpUrl": TOTP,
    }
    rp_id = _RP_ID
    app = _APP
    folder_separator: ClassVar[str | None] = None
    """Dashlane categories are flat: a category is one collection, whatever it holds."""


class DashlaneCsvAdapter(_CredentialsColumns, w.CsvWriter):
    info = AdapterInfo(
        key="dashlane-csv",
        app="Dashlane",
        format="credentials.csv of the CSV archive (read and write)",
        versions="current (otpUrl) and earlier (otpSecret)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "totp", "note", "custom-fields"}),
        how_to_import=(
            "Dashlane web app: Settings → Import data → CSV → choose this credentials.csv. Delete "
            "the file after importing."
        ),
        how_to_export=_HOW_TO,
        extensions=(".csv",),
        csv_header=frozenset(CREDENTIALS_COLUMNS),
        csv_headers=(frozenset(_OLD_CREDENTIALS),),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )

    write_columns = (("username", w.USERNAME), ("username2", w.BLANK), ("username3", w.BLANK),
                     ("title", w.TITLE), ("password", w.PASSWORD), ("note", w.NOTE),
                     ("url", w.URL), ("category", w.FOLDER), ("otpUrl", w.TOTP))  # fmt: skip
    written_name = "Dashlane credentials CSV"
    lineterminator = "\n"


# ====================================================================== the other CSV files


class _AnyHeader(CsvReader):
    """A member of the archive: whatever columns it has (unmapped ones become custom fields)."""

    rp_id = _RP_ID
    app = _APP
    folder_separator = None
    short_rows = True

    @property
    def headers(self) -> tuple[frozenset[str], ...]:
        return ()


class _SecureNotes(_AnyHeader):
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE, "note": NOTE, "category": FOLDER
    }  # fmt: skip


class _Payments(_AnyHeader):
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "type": HOOK, "account_name": TITLE, "account_holder": HOOK, "cc_number": HOOK,
        "code": HOOK, "expiration_month": HOOK, "expiration_year": HOOK,
        "routing_number": HOOK, "account_number": HOOK,
        "issuing_bank": Column(CUSTOM, label="issuing bank"),
        "country": Column(CUSTOM, label="country"),
    }  # fmt: skip

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        kind = cells.get("type", "").strip()
        if cells.get("type"):
            b.rec("type", _MEMBER, "item kind", f"Dashlane payment of type '{kind[:30]}'")
        if kind == "credit_card":
            card: dict[str, m.EditableField] = {}
            for column, attr, ftype in (("cc_number", "number", "concealed-string"),
                                        ("code", "verification_number", "concealed-string"),
                                        ("account_holder", "full_name", _S)):  # fmt: skip
                if text := cells.get(column, ""):
                    card[attr] = _ef(text, ftype)
                    b.rec(column, _MEMBER, f"credit-card.{attr}")
            month, year = cells.get("expiration_month", ""), cells.get("expiration_year", "")
            if month.strip().isdigit() and year.strip().isdigit() and 1 <= int(month) <= 12:
                card["expiry_date"] = _ef(f"{int(year):04d}-{int(month):02d}", "year-month")
                b.rec("expiration_month", _MEMBER, "credit-card.expiryDate")
                b.rec("expiration_year", _MEMBER, "credit-card.expiryDate")
            else:
                _customs(b, cells, ("expiration_month", "expiration_year"))
            _customs(b, cells, ("routing_number", "account_number"), hidden=True)
            b.add(m.CreditCard(**card))  # type: ignore[arg-type]
            return
        group = ""  # a payment of another type (PayPal...): its cells as custom fields
        if kind == "bank":
            group = "bank"
            b.define_group(group, label="Bank account", outcome=Outcome.TRANSFORMED,
                           note="CXF 1.0 has no bank-account type; kept as custom fields")  # fmt: skip
        for column in ("account_holder", "routing_number", "account_number", "cc_number",
                       "code", "expiration_month", "expiration_year"):  # fmt: skip
            if text := cells.get(column, ""):
                hidden = column in ("account_number", "cc_number", "code")
                b.custom(column, Val(text, column), hidden=hidden, group=group)


def _customs(
    b: ItemBuilder, cells: Mapping[str, str], columns: tuple[str, ...], *, hidden: bool = False
) -> None:
    for column in columns:
        if text := cells.get(column, ""):
            b.custom(column, Val(text, column), hidden=hidden)


_ID_KINDS: Final = {
    "passport": ("Passport", m.Passport, "passport_number"),
    "license": ("Driver's licence", m.DriversLicense, "license_number"),
    "card": ("ID card", m.IdentityDocument, "document_number"),
    "social_security": ("Social security number", m.IdentityDocument, "identification_number"),
    "tax_number": ("Tax number", m.IdentityDocument, "identification_number"),
}


class _Ids(_AnyHeader):
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "type": HOOK, "number": HOOK, "name": HOOK, "issue_date": HOOK,
        "expiration_date": HOOK, "place_of_issue": HOOK, "state": HOOK,
    }  # fmt: skip

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        kind = cells.get("type", "").strip()
        label, cls, number_attr = _ID_KINDS.get(kind, ("Identity document", m.IdentityDocument,
                                                       "document_number"))  # fmt: skip
        name = cells.get("name", "")
        b.title = f"{label}: {name}" if name.strip() else label
        if cells.get("type"):
            b.rec("type", _MEMBER, "item kind", f"Dashlane ID of type '{kind[:30]}'")
        ctype = cxf.credential_type(cls())
        values: dict[str, m.EditableField] = {}
        slots = [("number", number_attr, None), ("name", "full_name", None),
                 ("issue_date", "issue_date", "date"), ("expiration_date", "expiry_date", "date"),
                 ("place_of_issue", "issuing_authority", None)]  # fmt: skip
        if cls is m.DriversLicense:
            slots.append(("state", "territory", None))
        for column, attr, kind_of in slots:
            text = cells.get(column, "")
            if not text:
                continue
            if kind_of == "date":
                date = dashlane_date(text)
                if date is None:
                    b.custom(column, Val(text, column), note="not a date cxkit can read")
                    continue
                values[attr] = _ef(date, "date")
            else:
                values[attr] = _ef(text)
            b.rec(column, _MEMBER, f"{ctype}.{attr}")
        if cls is not m.DriversLicense:
            _customs(b, cells, ("state",))
        b.add(cls(**values))


_NAME: Final = {"title": "title", "first_name": "given", "middle_name": "given2",
                "last_name": "surname"}  # fmt: skip
_ADDRESS: Final = {"address": "street_address", "city": "city", "state": "territory",
                   "zip": "postal_code", "country": "country"}  # fmt: skip


class _PersonalInfo(_AnyHeader):
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "type": HOOK, "item_name": TITLE, "url": URL, "email": HOOK,
        **dict.fromkeys(_NAME, HOOK), **dict.fromkeys(_ADDRESS, HOOK),
    }  # fmt: skip

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        kind = cells.get("type", "").strip()
        if cells.get("type"):
            b.rec("type", _MEMBER, "item kind", f"Dashlane personal info of type '{kind[:30]}'")
        name = {a: _ef(cells[c]) for c, a in _NAME.items() if cells.get(c)}
        if name:
            for column, attr in _NAME.items():
                if cells.get(column):
                    b.rec(column, _MEMBER, f"person-name.{attr}")
            b.add(m.PersonName(**name))  # type: ignore[arg-type]
            if not b.title:
                b.title = " ".join(cells[c] for c in ("first_name", "last_name") if cells.get(c))
        address = {
            a: (_country(cells[c]) if c == "country" else _ef(cells[c]))
            for c, a in _ADDRESS.items()
            if cells.get(c)
        }
        if address:
            for column, attr in _ADDRESS.items():
                if cells.get(column):
                    b.rec(column, _MEMBER, f"address.{attr}")
            b.add(m.Address(**address))  # type: ignore[arg-type]
        if email := cells.get("email", ""):
            b.custom("email", Val(email, "email"),
                     field=m.EditableField(field_type="email", value=email, label="email"))  # fmt: skip


_READERS: Final[dict[str, type[CsvReader]]] = {
    "credentials.csv": _CredentialsColumns,
    "securenotes.csv": _SecureNotes,
    "payments.csv": _Payments,
    "ids.csv": _Ids,
    "personalInfo.csv": _PersonalInfo,
}


_CARRIES: Final = frozenset(
    {"basic-auth", "totp", "note", "credit-card", "person-name", "address", "passport",
     "drivers-license", "identity-document", "custom-fields"}
)  # fmt: skip


class DashlaneZipAdapter:
    """The CSV archive: each member read by its reader (one vault, one account)."""

    info = AdapterInfo(
        key="dashlane-zip",
        app="Dashlane",
        format="CSV archive (ZIP of credentials.csv, securenotes.csv, payments.csv, ids.csv, "
        "personalInfo.csv)",
        versions="current (2022 on)",
        capabilities=Capability.READ,
        credential_types=_CARRIES,
        how_to_export=_HOW_TO,
        extensions=(".zip",),
        zip_members=("credentials.csv",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a ZIP holding ``credentials.csv`` whose members are all Dashlane's CSV
        files (nothing else)."""
        names = sample.zip_names
        if names is None:
            return Confidence.NO
        files = {n.rsplit("/", 1)[-1] for n in names if not n.endswith("/")}
        if "credentials.csv" in files and files <= set(_MEMBERS):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        archive = zip_archive(sample.data, name=sample.name)
        items: list[m.Item] = []
        collections: list[m.Collection] = []
        found = False
        for member in archive.names():
            if member.endswith("/"):
                continue
            base = member.rsplit("/", 1)[-1]
            reader_class = _READERS.get(base)
            where = f"{sample.name}/{member}" if sample.name else member
            if reader_class is None:
                report.add_field(where, "", _NOT_CARRIED, "", "not a file of Dashlane's archive")
                continue
            found = True
            reader = _member_reader(reader_class)
            data = archive.read(member)
            if not data.strip(b"\xef\xbb\xbf \t\r\n"):
                continue
            doc = reader.read(Sample(where, data), options, report)
            for account in doc.accounts:
                items.extend(account.items)
                collections.extend(account.collections)
        if not found:
            raise AdapterError("no Dashlane CSV file in the archive", location=sample.name or None,
                               hint="expected: " + ", ".join(_MEMBERS))  # fmt: skip
        digest = hashlib.sha256(f"cxkit/{self.info.key}-account".encode()).digest()[:16]
        account = m.Account(id=b64.encode(digest), username="", email="",
                            collections=_merged(collections), items=tuple(items))  # fmt: skip
        return converted_document(account, rp_id=_RP_ID, app=_APP)


def _member_reader(cls: type[CsvReader]) -> CsvReader:
    """An instance of a member's reader under the archive adapter's key (item ids, report)."""
    named = type(cls.__name__, (cls,), {"info": DashlaneZipAdapter.info})
    reader: CsvReader = named()
    return reader


def _merged(collections: list[m.Collection]) -> tuple[m.Collection, ...]:
    """Collections of several members' documents: one per id (same path, same id), items
    joined."""
    by_id: dict[str, m.Collection] = {}
    for col in collections:
        seen = by_id.get(col.id)
        if seen is None:
            by_id[col.id] = col
        else:
            by_id[col.id] = cxf.replace(seen, items=seen.items + col.items)
    return tuple(by_id.values())


# ====================================================================== legacy formats

_LEGACY: Final = ("title", "url", "login", "password", "note")


class DashlaneLegacyCsvAdapter:
    """The legacy headerless CSV (never detected: no header, no evidence)."""

    headerless: ClassVar[bool] = True  # detection names it for a CSV without a header row

    info = AdapterInfo(
        key="dashlane-legacy-csv",
        app="Dashlane (legacy)",
        format="legacy headerless CSV (title,url,login,password,note) — give --from",
        versions="Dashlane 6 and earlier",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export=(
            "Old Dashlane desktop app: File → Export → Unsecured archive (readable) in CSV "
            "format. The file has no header row, so cxkit cannot recognise it: convert it with "
            "--from dashlane-legacy-csv."
        ),
        extensions=(".csv",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """Never: a headerless CSV carries no evidence of its app."""
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        vault = VaultBuilder(report, key=self.info.key, rp_id=_RP_ID, app=_APP,
                             include_trashed=options.include_trashed)  # fmt: skip
        for row, raw in read_rows(sample.data, name=name):
            self._row(vault, name, row, raw)
        digest = hashlib.sha256(f"cxkit/{self.info.key}-account".encode()).digest()[:16]
        return vault.build(account_id=b64.encode(digest))

    def _row(self, vault: VaultBuilder, name: str, row: int, raw: list[str]) -> None:
        b = vault.item(f"{name}:{row}:", item_id=stable_id(self.info.key, name, str(row)))
        cells = raw + [""] * (len(_LEGACY) - len(raw))
        title, url, login, password, note = cells[:5]
        if title:
            b.set_title(Val(title, "title"))
        b.login(Val(login, "login"), Val(password, "password"),
                [Val(url, "url")] if url else [], apps=True)  # fmt: skip
        b.note(Val(note, "note"))
        extra = [Val(text, f"column {n + 1}") for n, text in enumerate(cells) if n >= 5 and text]
        vault.add(b, extra)


class DashlaneJsonAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="dashlane-json",
        app="Dashlane (legacy)",
        format="legacy JSON export (AUTHENTIFIANT records)",
        versions="Dashlane 6 and earlier",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export="Old Dashlane desktop app: File → Export → Unsecured archive in JSON.",
        extensions=(".json",),
        json_keys=frozenset({"AUTHENTIFIANT"}),
    )
    records = (Records(("AUTHENTIFIANT",), "login"),)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE,
        "domain": URL,
        "login": USERNAME,
        "password": PASSWORD,
        "note": NOTE,
        "email": Column(CUSTOM, label="email"),
        "secondaryLogin": Column(CUSTOM, label="secondary login"),
    }
    rp_id = _RP_ID
    app = _APP

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a JSON object with an ``AUTHENTIFIANT`` array."""
        if sample.json_ok and sample.json_member_is("AUTHENTIFIANT", list):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        """The logins, and every other top-level array of objects (the export's other sections,
        e.g. ``EMAIL``) as items of their own: ``title`` (or ``name``) as the title, the other
        members as custom fields — kept, not dropped as export metadata."""
        top = sample.parsed_json()
        sections = (
            tuple(Records((key,), key, fields=_SECTION_FIELDS) for key, value in
                  top.items() if key != "AUTHENTIFIANT" and isinstance(value, list))
            if isinstance(top, dict)
            else ()
        )  # fmt: skip
        if not sections:
            return super().read(sample, options, report)
        reader = type("DashlaneJsonSections", (type(self),), {"records": (*self.records,
                                                                           *sections)})()  # fmt: skip
        return JsonRecordReader.read(reader, sample, options, report)

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        """An entry of another section without a title is named by its section (``EMAIL``)."""
        if kind != "login" and not b.title:
            b.title = kind


_SECTION_FIELDS: Final[Mapping[str, Target | Column]] = {"title": TITLE, "name": TITLE}
