"""LastPass exports (``formats/other-managers.md`` §4).

* ``lastpass-csv`` — the CSV export, read and write: ``url,username,password,totp,extra,name,
  grouping,fav`` (the older layout has no ``totp``); also the web vault's HTML page with the CSV
  inside ``<pre>`` (HTML entities decoded), detected by that wrapping plus the header.
  ``lpass export`` (the CLI) writes the same CSV.
* ``lastpass-cli-json`` — ``lpass show --json`` output: an array of ``{id, name, fullname,
  username, password, last_modified_gmt, last_touch, group, url, note}``.
* ``lastpass-cli-text`` — ``lpass show --format='%fn|%fv'`` output (how pass-import reads a
  vault; the samples' ``lpass-cli/show-*``): ``<group>/<name> [id: N]`` then ``Field|value``
  lines. Both CLI readers derive item ids from LastPass's entry ids.

Rows with ``url`` = ``http://sn`` are *secure notes*: ``extra`` (``note`` in the CLI JSON) is
either free text or ``NoteType:<type>`` followed by ``Key:Value`` lines, the ``Notes:`` line last
(its value runs to the end). Each note type goes to its CXF credential (``../shared/spec/cxf.md``
§3.3): Credit Card → ``credit-card``, Address → ``person-name`` + ``address``, SSH Key →
``ssh-key``, Wi-Fi Password → ``wifi``, Passport → ``passport``, Driver's License →
``drivers-license``, Social Security → ``identity-document``, Server/Database/Email Account/
Instant Messenger → ``basic-auth``; Bank Account has no CXF 1.0 type (kept as a custom-fields
credential labelled "Bank Account"); every other line becomes a custom field. LastPass writes
dates as ``June,20,2020`` and month-years as ``June,2020``. ``grouping`` is the folder path with
``\\`` between levels (``(none)``: no folder); ``fav`` is ``0``/``1``.
"""

from __future__ import annotations

import csv
import hashlib
import html
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
    accepts_by_hints,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.kit.input import decode_text
from cxkit.adapters.kit.records import JsonRecordReader
from cxkit.adapters.kit.tabular import (
    FAVORITE,
    HOOK,
    PASSWORD,
    TITLE,
    TOTP,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.kit.targets import IGNORE, MODIFIED
from cxkit.adapters.kit.values import (
    format_totp,
    scalar_text,
    ssh_from_pkcs8,
    ssh_private_to_pkcs8,
)
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, DecodeError

__all__ = [
    "LASTPASS_COLUMNS",
    "LastPassCliJsonAdapter",
    "LastPassCliTextAdapter",
    "LastPassCsvAdapter",
    "parse_lastpass_date",
    "parse_secure_note",
    "read_secure_note",
]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_RP_ID: Final = "lastpass.com"
_APP: Final = "LastPass"

LASTPASS_COLUMNS: Final = ("url", "username", "password", "totp", "extra", "name", "grouping",
                           "fav")  # fmt: skip
"""The current CSV layout (what the writer writes)."""
_OLD_COLUMNS: Final = tuple(c for c in LASTPASS_COLUMNS if c != "totp")
SECURE_NOTE_URL: Final = "http://sn"
_EMPTY_URL: Final = "http://"
_NO_FOLDER: Final = "(none)"

_HOW_TO: Final = (
    "LastPass web vault: Advanced options → Export (the CSV downloads, or opens as a page: save "
    "that page as HTML, or copy its text into a .csv file); or 'lpass export > lastpass.csv' "
    "with the LastPass CLI. Form-fill profiles are a separate export cxkit does not read; "
    "attachments are not exported; LastPass has no passkeys in its exports."
)

# ====================================================================== secure notes

_MONTHS: Final = {
    name: n
    for n, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")),
        start=1,
    )
    for name in names
}  # fmt: skip
_ISO_DATE: Final = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\Z")


def parse_lastpass_date(text: str, *, day: bool) -> str | None:
    """A LastPass note date → CXF text: ``June,20,2020`` → ``2020-06-20`` (*day*), ``June,2020``
    → ``2020-06`` (not *day*); ISO ``2020-06(-20)`` is taken too. None when it is not a date of
    that shape (or it is empty: LastPass writes ``,`` for an empty month-year)."""
    cleaned = text.strip()
    iso = _ISO_DATE.match(cleaned)
    if iso is not None:
        year, month, dom = int(iso.group(1)), int(iso.group(2)), iso.group(3)
        if dom is None and not day:
            return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
        if dom is not None and day and 1 <= month <= 12 and 1 <= int(dom) <= 31:
            return f"{year:04d}-{month:02d}-{int(dom):02d}"
        return None
    parts = [p.strip() for p in cleaned.split(",")]
    if len(parts) != (3 if day else 2):
        return None
    named = _MONTHS.get(parts[0].lower())
    year_text = parts[-1]
    if named is None or not (year_text.isdigit() and len(year_text) == 4):
        return None
    if not day:
        return f"{year_text}-{named:02d}"
    if not (parts[1].isdigit() and 1 <= int(parts[1]) <= 31):
        return None
    return f"{year_text}-{named:02d}-{int(parts[1]):02d}"


#: A slot of a note type: (credential type, member, kind); kind is the field type or one of
#: ``date``, ``year-month``, ``country``, ``wifi-security``, ``ssh`` (converted on the way in).
_Slot = tuple[str, str, str]
_S, _C = "string", "concealed-string"
_LOGIN: Final[dict[str, _Slot]] = {
    "Username": ("basic-auth", "username", _S),
    "Password": ("basic-auth", "password", _C),
}
NOTE_TYPES: Final[dict[str, dict[str, _Slot]]] = {
    "Credit Card": {
        "Name on Card": ("credit-card", "full_name", _S),
        "Type": ("credit-card", "card_type", _S),
        "Number": ("credit-card", "number", _C),
        "Security Code": ("credit-card", "verification_number", _C),
        "Start Date": ("credit-card", "valid_from", "year-month"),
        "Expiration Date": ("credit-card", "expiry_date", "year-month"),
    },
    "Address": {
        "Title": ("person-name", "title", _S),
        "First Name": ("person-name", "given", _S),
        "Middle Name": ("person-name", "given2", _S),
        "Last Name": ("person-name", "surname", _S),
        "Address 1": ("address", "street_address", _S),
        "Address 2": ("address", "street_address", _S),
        "Address 3": ("address", "street_address", _S),
        "City / Town": ("address", "city", _S),
        "State": ("address", "territory", _S),
        "Zip / Postal Code": ("address", "postal_code", _S),
        "Country": ("address", "country", "country"),
        "Phone": ("address", "tel", _S),
    },
    "SSH Key": {"Private Key": ("ssh-key", "private_key", "ssh")},
    "Wi-Fi Password": {
        "SSID": ("wifi", "ssid", _S),
        "Password": ("wifi", "passphrase", _C),
        "Authentication": ("wifi", "network_security_type", "wifi-security"),
    },
    "Passport": {
        "Type": ("passport", "passport_type", _S),
        "Name": ("passport", "full_name", _S),
        "Country": ("passport", "issuing_country", "country"),
        "Number": ("passport", "passport_number", _S),
        "Sex": ("passport", "sex", _S),
        "Nationality": ("passport", "nationality", _S),
        "Issuing Authority": ("passport", "issuing_authority", _S),
        "Date of Birth": ("passport", "birth_date", "date"),
        "Issued Date": ("passport", "issue_date", "date"),
        "Expiration Date": ("passport", "expiry_date", "date"),
    },
    "Driver's License": {
        "Number": ("drivers-license", "license_number", _S),
        "Expiration Date": ("drivers-license", "expiry_date", "date"),
        "License Class": ("drivers-license", "license_class", _S),
        "Name": ("drivers-license", "full_name", _S),
        "State": ("drivers-license", "territory", _S),
        "Country": ("drivers-license", "country", "country"),
        "Date of Birth": ("drivers-license", "birth_date", "date"),
    },
    "Social Security": {
        "Name": ("identity-document", "full_name", _S),
        "Number": ("identity-document", "identification_number", _S),
    },
    "Server": {**_LOGIN},
    "Database": {**_LOGIN},
    "Email Account": {**_LOGIN},
    "Instant Messenger": {**_LOGIN},
    "Bank Account": {},
}
"""The LastPass note types cxkit maps (field names as LastPass writes them); the other lines of
a note — and every line of a note type not listed — become custom fields."""
_CREDENTIALS: Final[dict[str, type[Any]]] = {
    "credit-card": m.CreditCard, "person-name": m.PersonName, "address": m.Address,
    "wifi": m.Wifi, "passport": m.Passport, "drivers-license": m.DriversLicense,
    "identity-document": m.IdentityDocument, "basic-auth": m.BasicAuth,
}  # fmt: skip
_WIFI_SECURITY: Final = {
    "open": "unsecured", "none": "unsecured", "wep": "wep", "wpa": "wpa-personal",
    "wpa-personal": "wpa-personal", "wpa-psk": "wpa-personal", "wpa2": "wpa2-personal",
    "wpa2-personal": "wpa2-personal", "wpa2-psk": "wpa2-personal", "wpa3": "wpa3-personal",
    "wpa3-personal": "wpa3-personal", "wpa3-sae": "wpa3-personal",
}  # fmt: skip
_COUNTRY: Final = re.compile(r"[A-Z]{2}\Z")
_SECRET_WORDS: Final = ("password", "pin", "passphrase", "security code", "private key",
                        "account number", "iban", "cvv")  # fmt: skip
_BANK: Final = "bank"


def parse_secure_note(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A LastPass structured note → (note type, ``[(key, value), …]`` in order), the ``Notes``
    value running to the end of the text; None when *text* does not start ``NoteType:``.
    A line without ``:`` continues the value before it."""
    if not text.startswith("NoteType:"):
        return None
    lines = text.split("\n")
    note_type = lines[0][len("NoteType:") :].strip()
    fields: list[tuple[str, str]] = []
    for index, line in enumerate(lines[1:], start=1):
        key, colon, value = line.partition(":")
        if colon and key == "Notes":
            fields.append(("Notes", "\n".join([value, *lines[index + 1 :]])))
            break
        if colon and key.strip() and "\n" not in key:
            fields.append((key.strip(), value))
        elif fields:
            key, value = fields[-1]
            fields[-1] = (key, f"{value}\n{line}")
        elif line.strip():
            fields.append(("", line))
    return note_type, fields


def _hidden(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _converted(kind: str, value: str) -> tuple[str, str] | None:
    """(field type, value) of a slot's value, or None when it cannot be converted."""
    if kind == "date":
        found = parse_lastpass_date(value, day=True)
        return None if found is None else ("date", found)
    if kind == "year-month":
        found = parse_lastpass_date(value, day=False)
        return None if found is None else ("year-month", found)
    if kind == "country":
        stripped = value.strip()
        return ("country-code", stripped) if _COUNTRY.match(stripped) else (_S, value)
    if kind == "wifi-security":
        security = _WIFI_SECURITY.get(value.strip().lower())
        return None if security is None else ("wifi-network-security-type", security)
    return kind, value


def read_secure_note(b: ItemBuilder, text: str, at: str) -> bool:
    """Read a structured note (``NoteType:…``) at *at* into *b*: True when it was one (else the
    caller keeps *text* as a plain note). Each line is recorded at ``{at}.{key}``."""
    parsed = parse_secure_note(text)
    if parsed is None:
        return False
    note_type, fields = parsed
    slots = NOTE_TYPES.get(note_type)
    b.rec(at, _MEMBER, "item kind", f"LastPass secure note of type '{note_type[:40]}'")
    members: dict[str, dict[str, m.EditableField]] = {}
    ssh: tuple[str, str] | None = None
    if note_type == "Bank Account":
        b.define_group(_BANK, label="Bank Account", outcome=Outcome.TRANSFORMED,
                       note="CXF 1.0 has no bank-account type; kept as custom fields")  # fmt: skip
    seen: dict[str, int] = {}
    for key, value in fields:
        count = seen[key] = seen.get(key, 0) + 1
        where = f"{at}.{key or 'line'}" + (f"[{count}]" if count > 1 else "")
        if not value.strip():
            continue
        if key == "Notes":
            b.note(Val(value, where))
            continue
        if key == "Language":
            b.rec(where, _NOT_CARRIED, "", "the language of LastPass's form for the note")
            continue
        slot = slots.get(key) if slots else None
        if slot is not None:
            ctype, attr, kind = slot
            if kind == "ssh":
                try:
                    ssh = ssh_private_to_pkcs8(value)
                except AdapterError as exc:
                    b.custom(key, Val(value, where), hidden=True, note=exc.message)
                    continue
                b.rec(where, _MEMBER, "ssh-key.privateKey")
                continue
            converted = _converted(kind, value)
            if converted is not None:
                field_type, text_value = converted
                found = members.setdefault(ctype, {})
                if attr in found:  # Address 1, 2, 3: one street address, a line each
                    text_value = f"{found[attr].value}\n{text_value}"
                found[attr] = m.EditableField(field_type=field_type, value=text_value)
                b.rec(where, _MEMBER, f"{ctype}.{attr}")
                continue
            b.custom(key, Val(value, where), hidden=_hidden(key),
                     note=f"not a {kind} cxkit can read; kept as text")  # fmt: skip
            continue
        group = _BANK if note_type == "Bank Account" else ""
        b.custom(key or "Text", Val(value, where), hidden=_hidden(key), group=group)
    if ssh is not None:
        der, key_type = ssh
        comment = None
        public = next((v for k, v in fields if k == "Public Key"), "")
        parts = public.split(None, 2)
        if len(parts) == 3:
            comment = parts[2].strip() or None
        ssh_from_pkcs8(der, comment)  # the key reads back (raises AdapterError otherwise)
        b.add(m.SshKey(key_type=key_type, private_key=der, key_comment=comment))
    for ctype, values in members.items():
        b.add(_CREDENTIALS[ctype](**values))
    return True


# ====================================================================== CSV

_HTML_PRE: Final = re.compile(rb"<pre[^>]*>(.*?)(?:</pre\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_HTML_START: Final = (b"<!doctype html", b"<html", b"<head", b"<body", b"<pre")


def _html_csv(data: bytes) -> bytes | None:
    """The CSV inside the ``<pre>`` of LastPass's HTML export page (entities decoded), or None
    when *data* is not an HTML page with a ``<pre>``."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if not head.startswith(_HTML_START):
        return None
    found = _HTML_PRE.search(data)
    if found is None:
        return None
    text = found.group(1).decode("utf-8", errors="replace")
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    return html.unescape(text).lstrip("\r\n").encode("utf-8")


def _header_of(data: bytes) -> frozenset[str] | None:
    text = data[: 64 << 10].decode("utf-8", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        row = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return None
    return frozenset(c.strip() for c in row)


_CARRIES: Final = frozenset(
    {"basic-auth", "totp", "note", "credit-card", "person-name", "address", "ssh-key", "wifi",
     "passport", "drivers-license", "identity-document", "custom-fields"}
)  # fmt: skip


class LastPassCsvAdapter(CsvReader, w.CsvWriter):
    info = AdapterInfo(
        key="lastpass-csv",
        app="LastPass",
        format="CSV export (read and write; also the web vault's HTML page and 'lpass export')",
        versions="current (with totp) and older (without totp)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=_CARRIES,
        how_to_import=(
            "LastPass web vault: Advanced options → Import → source 'LastPass' (or 'Generic CSV "
            "file') → choose the file. Delete the file after importing."
        ),
        how_to_export=_HOW_TO,
        extensions=(".csv",),
        csv_header=frozenset(LASTPASS_COLUMNS),
        csv_headers=(frozenset(_OLD_COLUMNS), frozenset(_OLD_COLUMNS[:-1])),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "url": HOOK, "username": USERNAME, "password": PASSWORD, "totp": TOTP, "extra": HOOK,
        "name": TITLE, "grouping": HOOK, "fav": FAVORITE,
    }  # fmt: skip
    rp_id = _RP_ID
    app = _APP
    folder_separator = "\\"

    write_columns = (("url", w.HOOK), ("username", w.USERNAME), ("password", w.PASSWORD),
                     ("totp", w.HOOK), ("extra", w.NOTE), ("name", w.TITLE),
                     ("grouping", w.FOLDER), ("fav", w.Out(w.FAVORITE, yes="1", no="0")))  # fmt: skip
    written_name = "LastPass CSV"
    lineterminator = "\n"
    hook_types = frozenset({"totp"})
    item_rules: ClassVar[Mapping[str, ledger.Rule]] = {
        "scope.urls[0]": ledger.CARRIED,
        "scope": (ledger.NOT_CARRIED, "LastPass CSV has one URL column"),
    }
    credential_rules: ClassVar[Mapping[str, Mapping[str, ledger.Rule]]] = {
        "totp": dict.fromkeys(
            ("secret", "period", "digits", "algorithm", "issuer", "username"), ledger.CARRIED
        ),
    }

    def accepts(self, sample: Sample) -> Confidence:
        """The header (CERTAIN), or LastPass's HTML export page: an HTML page whose ``<pre>``
        starts with a LastPass header (CERTAIN)."""
        found = accepts_by_hints(self.info, sample)
        if found is not Confidence.NO:
            return found
        inner = _html_csv(sample.data[: 1 << 20])
        if inner is not None and _header_of(inner) in self.headers:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        inner = _html_csv(sample.data)
        if inner is not None:
            sample = Sample(sample.name, inner)
        return super().read(sample, options, report)

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        _url_and_note(b, Val(cells.get("url", ""), "url"), Val(cells.get("extra", ""), "extra"))
        folder(b, cells.get("grouping", ""), "grouping")

    def cell(self, column: str, row: w.Row) -> str:
        """``url``: the first URL, or ``http://sn`` for a row without login, URL or TOTP (a
        secure note); ``totp``: the secret alone when the code is LastPass's kind (6 digits,
        30 s, SHA-1, no issuer), else the ``otpauth://`` URI."""
        if column == "totp":
            return format_totp(row.totp, "bare") if row.totp is not None else ""
        scope = row.item.scope
        if scope is not None and scope.urls:
            return scope.urls[0]
        return SECURE_NOTE_URL if row.login is None and row.totp is None else ""


def _url_and_note(b: ItemBuilder, url: Val | None, note: Val | None) -> None:
    """An entry's URL — LastPass's mark of a secure note (``http://sn``), its empty URL
    (``http://``) or a URL — and its note: a secure note's typed fields when the URL marks one
    (:func:`read_secure_note`), else the text. The same for the CSV and both ``lpass`` forms."""
    text = url.text.strip() if url is not None else ""
    secure_note = text == SECURE_NOTE_URL
    if url is not None and secure_note:
        b.rec(url.at, _MEMBER, "item kind", "LastPass's mark of a secure note")
    elif url is not None and text == _EMPTY_URL:
        b.rec(url.at, _NOT_CARRIED, "", "LastPass's empty URL")
    elif url is not None and url.text:
        b.urls([url], apps=True)
    if (
        note is not None
        and note.text
        and not (secure_note and read_secure_note(b, note.text, note.at))
    ):
        b.note(note)


def folder(b: ItemBuilder, text: str, at: str) -> None:
    """A LastPass folder path (``Emails\\WS``; ``(none)`` or empty: no folder)."""
    if not text:
        return
    if text.strip() == _NO_FOLDER:
        b.rec(at, _MEMBER, "collection", "LastPass's 'no folder'")
        return
    b.collection([part.strip() for part in text.split("\\")], at)


# ====================================================================== lpass show --json

_CLI_IDS: Final = "lastpass-cli"
"""The namespace of item ids from LastPass entry ids (both CLI readers: the same entry read from
``lpass show`` text or JSON is the same item)."""


class LastPassCliJsonAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="lastpass-cli-json",
        app="LastPass (lpass command-line client)",
        format="'lpass show --json' output",
        versions="lpass 1.x",
        capabilities=Capability.READ,
        credential_types=LastPassCsvAdapter.info.credential_types - {"totp"},
        how_to_export=(
            "lpass show --json --expand-multi ID… > entries.json (or 'lpass export' for the CSV, "
            "which also holds TOTP secrets: --from lastpass-csv)."
        ),
        extensions=(".json",),
    )
    record_keys = frozenset({"fullname", "last_modified_gmt", "last_touch", "group"})
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "id": HOOK,
        "name": TITLE,
        "fullname": Column(IGNORE, why="the folder and name again ('group/name')"),
        "username": USERNAME,
        "password": PASSWORD,
        "last_modified_gmt": MODIFIED,
        "last_touch": Column(IGNORE, why="when the entry was last used (CXF has no such time)"),
        "group": HOOK,
        "url": HOOK,
        "note": HOOK,
    }
    rp_id = _RP_ID
    app = _APP
    folder_separator = "\\"

    def item_id(self, rec: dict[str, Any], kind: str, name: str, index: int) -> str:
        """From the entry's LastPass id (stable across exports), else its position."""
        found = scalar_text(rec.get("id"))
        if found:
            return stable_id(_CLI_IDS, found)
        return super().item_id(rec, kind, name, index)

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        for member in ("id", "group", "url", "note"):
            if rec.get(member) is not None and scalar_text(rec.get(member)) is None:
                raise DecodeError(f"member {member} is not a text value")
            if rec.get(member) == "":
                b.rec(f".{member}", _NOT_CARRIED, "", "empty")
        if rec.get("id"):
            b.rec(".id", _MEMBER, "item.id", "the item id derives from it")
        _url_and_note(b, Val(scalar_text(rec.get("url")) or "", ".url"),
                     Val(scalar_text(rec.get("note")) or "", ".note"))  # fmt: skip
        folder(b, scalar_text(rec.get("group")) or "", ".group")


# ====================================================================== lpass show (text)

_SHOW_HEADER: Final = re.compile(r"(?P<full>[^\n]{0,1000}) \[id: (?P<id>\d{1,30})\]")
_SHOW_MEMBERS: Final = {"Username": "username", "Password": "password", "URL": "url",
                        "Notes": "note"}  # fmt: skip


class LastPassCliTextAdapter:
    """``lpass show --format='%fn|%fv'`` output, as pass-import runs it (the samples'
    ``lpass-cli/show-*`` files): per entry a line ``<group>/<name> [id: <n>]``, then
    ``Field|value`` lines — ``Username``, ``Password``, ``URL``, ``Notes`` (last: its value runs
    to the next entry) and the entry's own fields (``pin``), kept as custom fields."""

    info = AdapterInfo(
        key="lastpass-cli-text",
        app="LastPass (lpass command-line client)",
        format="'lpass show --format=%fn|%fv' output",
        versions="lpass 1.x",
        capabilities=Capability.READ,
        credential_types=LastPassCsvAdapter.info.credential_types - {"totp"},
        how_to_export=(
            "lpass show --color=never --format='%fn|%fv' ID… > entries.txt (prefer "
            "'lpass export' for the CSV: --from lastpass-csv)."
        ),
        extensions=(".txt",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY when the first line is an entry line (``… [id: <digits>]``) and the next one,
        if any, a ``Field|value`` line."""
        head = sample.data[:4096].lstrip(b"\xef\xbb\xbf")
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = head[: exc.start].decode("utf-8")
        lines = text.split("\n", 2)
        if not _SHOW_HEADER.fullmatch(lines[0].rstrip("\r")):
            return Confidence.NO
        if len(lines) > 1 and lines[1].strip() and "|" not in lines[1]:
            return Confidence.NO
        return Confidence.LIKELY

    def source_leaves(self, sample: Sample) -> list[str]:
        """The source fields of *sample* for the adapter contract (text, not CSV): per entry
        line its name, id and group (``FILE:LINE:name``), per ``Field|value`` line
        ``FILE:LINE:Field`` (a ``Notes`` value's further lines are part of it)."""
        leaves: list[str] = []
        notes = False
        text = sample.data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
        for number, line in enumerate(text.split("\n"), start=1):
            header = _SHOW_HEADER.fullmatch(line)
            if header is not None:
                group, slash, title = header.group("full").partition("/")
                parts = {"name": title if slash else group, "id": "1", "group": slash and group}
                leaves.extend(f"{sample.name}:{number}:{p}" for p, v in parts.items() if v)
                notes = False
            elif not notes and "|" in line:
                key = line.partition("|")[0]
                notes = key == "Notes"
                leaves.append(f"{sample.name}:{number}:{key}")
        return leaves

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        text = decode_text(sample.data, name=name).replace("\r\n", "\n")
        vault = VaultBuilder(report, key=self.info.key, rp_id=_RP_ID, app=_APP,
                             include_trashed=options.include_trashed)  # fmt: skip
        entries = _show_entries(text, name)
        if not entries:
            raise DecodeError("no 'lpass show' entry line ('NAME [id: N]')", location=name or None)
        for line, full, entry_id, fields in entries:
            self._entry(vault, f"{name}:", line, full, entry_id, fields)
        digest = hashlib.sha256(f"cxkit/{self.info.key}-account".encode()).digest()[:16]
        return vault.build(account_id=b64.encode(digest))

    def _entry(
        self,
        vault: VaultBuilder,
        prefix: str,
        line: int,
        full: str,
        entry_id: str,
        fields: list[tuple[str, str, str]],
    ) -> None:
        b = vault.item(prefix, item_id=stable_id(_CLI_IDS, entry_id))
        group, slash, title = full.partition("/")
        if not slash:
            group, title = "", full
        b.set_title(Val(title, f"{line}:name"))
        b.rec(f"{line}:id", _MEMBER, "item.id", "the item id derives from it")
        folder(b, group, f"{line}:group")
        for _, value, at in fields:
            if not value:
                b.rec(at, _NOT_CARRIED, "", "empty")
        values = {_SHOW_MEMBERS[k]: Val(v, at) for k, v, at in fields if k in _SHOW_MEMBERS}
        b.login(values.get("username"), values.get("password"))
        _url_and_note(b, values.get("url"), values.get("note"))
        for key, value, at in fields:
            if key not in _SHOW_MEMBERS and value:
                b.custom(key, Val(value, at), hidden=_hidden(key))
        vault.add(b)


def _show_entries(text: str, name: str) -> list[tuple[int, str, str, list[tuple[str, str, str]]]]:
    """The entries of ``lpass show`` text: (line number, full name, id, [(field, value, at)]);
    *at* is ``<line>:<field>``, the report path after the file name."""
    entries: list[tuple[int, str, str, list[tuple[str, str, str]]]] = []
    fields: list[tuple[str, str, str]] = []
    in_notes = False
    for number, line in enumerate(text.split("\n"), start=1):
        header = _SHOW_HEADER.fullmatch(line)
        if header is not None:
            fields = []
            entries.append((number, header.group("full"), header.group("id"), fields))
            in_notes = False
            continue
        if not entries:
            if line.strip():
                raise DecodeError("text before the first 'lpass show' entry line",
                                  location=f"{name}:{number}")  # fmt: skip
            continue
        if in_notes:
            key, value, at = fields[-1]
            fields[-1] = (key, f"{value}\n{line}", at)
            continue
        key, bar, value = line.partition("|")
        if not bar:
            if line.strip():
                raise DecodeError("a line that is not 'Field|value'",
                                  location=f"{name}:{number}")  # fmt: skip
            continue
        fields.append((key, value, f"{number}:{key}"))
        in_notes = key == "Notes"
    for _, _, _, found in entries:  # a note's trailing newline is the separator of entries
        if found and found[-1][0] == "Notes":
            key, value, at = found[-1]
            found[-1] = (key, value.rstrip("\n"), at)
    return entries
