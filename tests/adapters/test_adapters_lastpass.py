"""LastPass: the CSV (current layout with ``totp``, the older one without), secure notes of
every mapped ``NoteType``, the web vault's HTML page, ``lpass show --json`` output, and the CSV
writer (checked by pass-import's LastPass reader and by reading it back).

The synthetic fixtures follow ``../shared/formats/other-managers.md`` §4 (columns, ``http://sn``,
``NoteType:`` lines, ``\\`` folders, ``fav``); the note field names are LastPass's own.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import contract
from cxkit.adapters.detection import make_sample
from cxkit.adapters.lastpass import (
    LASTPASS_COLUMNS,
    parse_lastpass_date,
    parse_secure_note,
)
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_path


def _ssh_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()


def _note(kind: str, *lines: str, notes: str = "") -> str:
    return "\n".join((f"NoteType:{kind}", *lines, f"Notes:{notes}"))


NOTES: dict[str, str] = {
    "card": _note("Credit Card", "Language:en-US", "Name on Card:Ann Smith", "Type:Visa",
                  "Number:4111111111111111", "Security Code:123", "Start Date:January,2020",
                  "Expiration Date:June,2029", notes="card note\nsecond line"),
    "address": _note("Address", "Title:Dr", "First Name:Ann", "Middle Name:B", "Last Name:Smith",
                     "Username:ann", "Gender:F", "Birthday:March,3,1980", "Company:ACME",
                     "Address 1:1 Main St", "Address 2:Flat 2", "Address 3:", "City / Town:Cork",
                     "County:Cork", "State:Munster", "Zip / Postal Code:T12", "Country:IE",
                     "Timezone:+00:00", "Email Address:ann@example.com", "Phone:+353 1 2345",
                     "Evening Phone:", "Mobile Phone:+353 87 1", "Fax:"),
    "bank": _note("Bank Account", "Bank Name:AIB", "Account Type:Checking",
                  "Routing Number:933001", "Account Number:12345678", "SWIFT Code:AIBKIE2D",
                  "IBAN Number:IE29AIBK93115212345678", "Pin:4321", "Branch Address:Dublin",
                  "Branch Phone:+353 1"),
    "ssh": _note("SSH Key", "Bit Strength:256", "Format:OpenSSH", "Passphrase:",
                 "Private Key:" + _ssh_key(), "Public Key:ssh-ed25519 AAAA ann@laptop",
                 "Hostname:git.example.com", "Date:May,1,2024"),
    "wifi": _note("Wi-Fi Password", "SSID:HomeNet", "Password:wifi-pass-9",
                  "Connection Type:ESS", "Connection Mode:auto", "Authentication:WPA2-Personal",
                  "Encryption:AES", "Use 802.1X:", "FIPS Mode:", "Key Type:", "Protected:",
                  "Key Index:"),
    "passport": _note("Passport", "Type:P", "Name:Ann Smith", "Country:IE", "Number:PA1234567",
                      "Sex:F", "Nationality:Irish", "Issuing Authority:DFA",
                      "Date of Birth:March,3,1980", "Issued Date:May,20,2020",
                      "Expiration Date:May,19,2030"),
    "licence": _note("Driver's License", "Number:DL-99", "Expiration Date:July,1,2031",
                     "License Class:B", "Name:Ann Smith", "Address:1 Main St",
                     "City / Town:Cork", "State:Munster", "ZIP / Postal Code:T12",
                     "Country:IE", "Date of Birth:March,3,1980", "Sex:F", "Height:170"),
    "ssn": _note("Social Security", "Name:Ann Smith", "Number:078-05-1120"),
    "server": _note("Server", "Hostname:db.example.com", "Username:root",
                    "Password:server-pass-7"),
    "custom": _note("Custom_1234", "Colour:blue", "Secret Password:custom-pass-3"),
}  # fmt: skip
SECRETS = ("4111111111111111", "12345678", "wifi-pass-9", "PA1234567", "server-pass-7",
           "JBSWY3DPEHPK3PXP", "login-pass-1", "custom-pass-3")  # fmt: skip


def lastpass_csv() -> bytes:
    """A LastPass CSV of the current layout with every column and every mapped note type."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LASTPASS_COLUMNS)
    writer.writerow(["https://mail.example.com/login", "ann@example.com", "login-pass-1",
                     "JBSWY3DPEHPK3PXP", "a login note", "Mail", "Work\\Mail", "1"])  # fmt: skip
    writer.writerow(["http://", "bob", "bob-pass", "", "", "no url", "(none)", "0"])
    writer.writerow(["http://sn", "", "", "", "just a plain\nsecure note", "Plain", "Notes", "0"])
    for kind, text in NOTES.items():
        writer.writerow(["http://sn", "", "", "", text, kind, "Notes\\Typed", "0"])
    return out.getvalue().encode()


def _read(data: bytes, name: str = "lastpass.csv", fmt: str | None = None) -> tuple[Any, Any]:
    return adapters.read(data, name, source_format=fmt)


def _by_title(doc: cxf.Document) -> dict[str, m.Item]:
    return {i.title: i for _, i in doc.items()}


def _cred(item: m.Item, cls: type[Any]) -> Any:
    found = [c for c in item.credentials if isinstance(c, cls)]
    assert len(found) == 1, (item.title, [cxf.credential_type(c) for c in item.credentials])
    return found[0]


def _custom(item: m.Item) -> dict[str | None, tuple[str, str]]:
    return {f.label: (f.value, f.field_type) for c in item.credentials
            if isinstance(c, m.CustomFields) for f in c.fields}  # fmt: skip


# ------------------------------------------------------------------ reading


def test_current_layout_is_detected_and_every_note_type_mapped() -> None:
    data = lastpass_csv()
    assert adapters.detect(make_sample(data, "x.csv")).adapter.info.key == "lastpass-csv"
    doc, report = _read(data)
    items = _by_title(doc)
    mail = items["Mail"]
    assert _cred(mail, m.BasicAuth).password.value == "login-pass-1"
    assert _cred(mail, m.Totp).secret == "JBSWY3DPEHPK3PXP"
    assert _cred(mail, m.Note).content.value == "a login note"
    assert mail.favorite is True and mail.scope.urls == ("https://mail.example.com/login",)
    assert items["no url"].scope is None and items["no url"].favorite is False
    assert _cred(items["Plain"], m.Note).content.value == "just a plain\nsecure note"

    card = _cred(items["card"], m.CreditCard)
    assert (card.number.value, card.verification_number.value) == ("4111111111111111", "123")
    assert (card.full_name.value, card.card_type.value) == ("Ann Smith", "Visa")
    assert (card.expiry_date.value, card.expiry_date.field_type) == ("2029-06", "year-month")
    assert card.valid_from.value == "2020-01"
    assert _cred(items["card"], m.Note).content.value == "card note\nsecond line"

    name = _cred(items["address"], m.PersonName)
    assert (name.title.value, name.given.value, name.given2.value, name.surname.value) == (
        "Dr", "Ann", "B", "Smith")  # fmt: skip
    address = _cred(items["address"], m.Address)
    assert address.street_address.value == "1 Main St\nFlat 2"
    assert (address.city.value, address.postal_code.value, address.tel.value) == (
        "Cork", "T12", "+353 1 2345")  # fmt: skip
    assert (address.country.value, address.country.field_type) == ("IE", "country-code")
    extra = _custom(items["address"])
    assert extra["Email Address"] == ("ann@example.com", "string")
    assert {"Username", "Gender", "Birthday", "Company", "County", "Timezone"} <= set(extra)

    bank = _cred(items["bank"], m.CustomFields)
    assert bank.label == "Bank Account"
    fields = {f.label: f for f in bank.fields}
    assert fields["Account Number"].field_type == "concealed-string"
    assert fields["Pin"].field_type == "concealed-string"
    assert fields["Bank Name"].value == "AIB"

    ssh = _cred(items["ssh"], m.SshKey)
    assert ssh.key_type == "ssh-ed25519" and ssh.key_comment == "ann@laptop"
    assert _custom(items["ssh"])["Hostname"] == ("git.example.com", "string")

    wifi = _cred(items["wifi"], m.Wifi)
    assert (wifi.ssid.value, wifi.passphrase.value) == ("HomeNet", "wifi-pass-9")
    assert wifi.network_security_type.value == "wpa2-personal"

    passport = _cred(items["passport"], m.Passport)
    assert passport.passport_number.value == "PA1234567"
    assert (passport.birth_date.value, passport.birth_date.field_type) == ("1980-03-03", "date")
    assert (passport.issue_date.value, passport.expiry_date.value) == ("2020-05-20", "2030-05-19")
    assert passport.issuing_country.value == "IE"

    licence = _cred(items["licence"], m.DriversLicense)
    assert (licence.license_number.value, licence.license_class.value) == ("DL-99", "B")
    assert licence.expiry_date.value == "2031-07-01"
    assert _custom(items["licence"])["Height"] == ("170", "string")

    ssn = _cred(items["ssn"], m.IdentityDocument)
    assert ssn.identification_number.value == "078-05-1120"

    server = _cred(items["server"], m.BasicAuth)
    assert (server.username.value, server.password.value) == ("root", "server-pass-7")
    custom = _custom(items["custom"])
    assert custom["Secret Password"] == ("custom-pass-3", "concealed-string")
    assert custom["Colour"] == ("blue", "string")

    # folders: "\" nests, "(none)" is no folder
    paths = _collections(doc)
    assert paths["Mail"] == ("Work", "Mail") and paths["card"] == ("Notes", "Typed")
    assert "no url" not in paths
    # every field accounted for, no value in the report
    text = report.render() + json.dumps(report.to_json())
    assert not any(secret in text for secret in SECRETS)
    assert not contract.check_accounting(
        adapters.get("lastpass-csv"), contract.Sample("lastpass.csv", data)
    )


def _collections(doc: cxf.Document) -> dict[str, tuple[str, ...]]:
    titles = {i.id: i.title for _, i in doc.items()}
    out: dict[str, tuple[str, ...]] = {}

    def walk(col: m.Collection, path: tuple[str, ...]) -> None:
        here = (*path, col.title)
        for linked in col.items:
            out[titles[linked.item]] = here
        for sub in col.sub_collections:
            walk(sub, here)

    for account in doc.accounts:
        for col in account.collections:
            walk(col, ())
    return out


def test_html_page_is_detected_and_read_like_the_csv() -> None:
    data = lastpass_csv()
    page = (b"<!DOCTYPE html><html><head><title>LastPass</title></head><body><pre>"
            + html.escape(data.decode(), quote=True).encode() + b"</pre></body></html>")  # fmt: skip
    assert b"&amp;" in page or b"&quot;" in page
    assert adapters.detect(make_sample(page, "export.html")).adapter.info.key == "lastpass-csv"
    plain, _ = _read(data)
    wrapped, _ = _read(page, "export.html")
    assert [(i.title, i.credentials) for _, i in plain.items()] == [
        (i.title, i.credentials) for _, i in wrapped.items()
    ]
    # an HTML page whose <pre> holds something else is not claimed
    other = b"<html><body><pre>name,url\nx,y\n</pre></body></html>"
    with pytest.raises(CxkitError):
        adapters.detect(make_sample(other, "page.html"))


def test_old_layout_sample_matches_pass_import() -> None:
    """The real (older, no ``totp``) sample, compared with pass-import's LastpassCSV reader."""
    from pass_import.managers.lastpass import LastpassCSV

    path = shared_path("exports", "lastpass", "pass-import", "lastpass.csv")
    doc, report = _read(path.read_bytes())
    assert report.items_read == 14 and not report.items_skipped
    with LastpassCSV(str(path)) as importer:
        importer.parse()
        theirs = importer.data
    ours = [_project(i) for _, i in doc.items()]
    assert len(ours) == len(theirs)
    for mine, entry in zip(ours, theirs, strict=True):
        for key in ("title", "login", "password", "url", "comments"):
            assert mine.get(key, "") == (entry.get(key) or "").replace("\r\n", "\n"), key
    assert _collections(doc)["dpbx@fner.ws"] == ("Emails", "WS")


def _project(item: m.Item) -> dict[str, str]:
    out = {"title": item.title}
    for c in item.credentials:
        if isinstance(c, m.BasicAuth):
            out["login"] = c.username.value if c.username else ""
            out["password"] = c.password.value if c.password else ""
        elif isinstance(c, m.Note):
            out["comments"] = c.content.value
    if item.scope is not None and item.scope.urls:
        out["url"] = item.scope.urls[0]
    return out


def test_lpass_show_json_samples_agree_with_the_csv() -> None:
    """Every ``lpass show --json`` sample reads as the same entry as the CSV sample has."""
    folder = shared_path("exports", "lastpass", "pass-import", "lpass-cli")
    csv_doc, _ = _read(shared_path("exports", "lastpass", "pass-import", "lastpass.csv")
                       .read_bytes())  # fmt: skip
    expected = [_project(i) for _, i in csv_doc.items()]
    files = sorted(folder.glob("show-*.json"))
    assert len(files) == 14
    for path in files:
        assert adapters.detect(make_sample(path.read_bytes(), path.name)).adapter.info.key == (
            "lastpass-cli-json"
        )
        doc, _ = _read(path.read_bytes(), path.name)
        (item,) = [i for _, i in doc.items()]
        assert _project(item) in expected, path.name
        assert item.modified_at == 1483228800
        assert not contract.check_accounting(
            adapters.get("lastpass-cli-json"), contract.Sample(path.name, path.read_bytes())
        )
    # ids come from LastPass's: the same entry gives the same item id
    one = folder / "show-8273029964772952977.json"
    assert _read(one.read_bytes(), "a.json")[0].accounts[0].items[0].id == (
        _read(one.read_bytes(), "b.json")[0].accounts[0].items[0].id
    )


def test_lpass_json_secure_note_is_structured() -> None:
    rec = [{"id": "1", "name": "card", "fullname": "Cards/card", "username": "", "password": "",
            "last_modified_gmt": "1483228800", "last_touch": "0", "group": "Cards",
            "url": "http://sn", "note": NOTES["card"]}]  # fmt: skip
    doc, _ = _read(json.dumps(rec).encode(), "show.json")
    item = doc.accounts[0].items[0]
    assert _cred(item, m.CreditCard).number.value == "4111111111111111"


def test_bad_rows_are_skipped_alone_without_values() -> None:
    data = lastpass_csv().replace(b"June,2029", b"Junk,2029")
    doc, _ = _read(data)
    card = _by_title(doc)["card"]
    assert _custom(card)["Expiration Date"] == ("Junk,2029", "string")
    damaged = lastpass_csv() + b'"https://x.example",u,"unterminated-secret-5\n'
    with pytest.raises(CxkitError) as info:
        _read(damaged)
    assert "unterminated-secret-5" not in info.value.diagnostics()


# ------------------------------------------------------------------ parsers (properties)

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=__import__("datetime").date(1000, 1, 1)))
def test_lastpass_dates_round_trip(day: Any) -> None:
    text = f"{_MONTH_NAMES[day.month - 1]},{day.day},{day.year}"
    assert parse_lastpass_date(text, day=True) == day.isoformat()
    assert (
        parse_lastpass_date(f"{_MONTH_NAMES[day.month - 1]},{day.year}", day=False)
        == (day.isoformat()[:7])
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_lastpass_date_parser_never_raises(text: str) -> None:
    for day in (True, False):
        found = parse_lastpass_date(text, day=day)
        assert found is None or len(found) == (10 if day else 7)


_KEY = st.text(st.characters(blacklist_characters=":\n\r", blacklist_categories=("Cs",)),
               min_size=1, max_size=12).filter(lambda k: k.strip() == k and k != "Notes")  # fmt: skip
_VALUE = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)),
                 max_size=20)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_KEY, _VALUE), max_size=8), st.text(max_size=40))
def test_secure_note_text_round_trips(fields: list[tuple[str, str]], notes: str) -> None:
    notes = notes.replace("\r", "")
    text = "\n".join(["NoteType:Custom", *(f"{k}:{v}" for k, v in fields), f"Notes:{notes}"])
    assert parse_secure_note(text) == ("Custom", [*fields, ("Notes", notes)])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_secure_note_parser_takes_any_text(text: str) -> None:
    found = parse_secure_note("NoteType:" + text)
    assert found is not None
    assert parse_secure_note("x" + text) is None


def test_mutated_fixture_raises_only_cxkit_errors() -> None:
    adapter = adapters.get("lastpass-csv")
    sample = contract.Sample("lastpass.csv", lastpass_csv())
    assert not contract.check_mutations(adapter, sample, rounds=40)
    assert not contract.check_secrets(adapter, sample, rounds=20)


# ------------------------------------------------------------------ writing


def test_writer_output_reads_back_and_in_pass_import(tmp_path: Path) -> None:
    from pass_import.managers.lastpass import LastpassCSV

    doc, _ = _read(lastpass_csv())
    data, report = adapters.write(doc, "lastpass-csv")
    back, _ = _read(data)
    # exact for what the format holds: logins, TOTP, notes, URLs, folders, favourites
    keep = (m.BasicAuth, m.Totp, m.Note)
    written = _by_title(back)
    for _, mine in doc.items():
        held = [c for c in mine.credentials if isinstance(c, keep)]
        if not held and mine.scope is None:
            assert mine.title not in written  # nothing LastPass CSV holds: no row
            continue
        theirs = written[mine.title]
        assert held == [c for c in theirs.credentials if isinstance(c, keep)]
        assert mine.scope == theirs.scope and bool(mine.favorite) == bool(theirs.favorite)
    assert {t: p for t, p in _collections(doc).items() if t in written} == _collections(back)
    # cards and the other structured notes are named as not carried
    not_carried = {r.item for r in report.credentials if r.outcome.value == "not-carried"}
    assert {"card", "passport", "wifi", "ssh", "address", "bank"} <= not_carried
    text = report.render()
    assert "4111111111111111" not in text
    path = tmp_path / "lp.csv"
    path.write_bytes(data)
    with LastpassCSV(str(path)) as importer:
        importer.parse()
        entries = importer.data
    mail = next(e for e in entries if e["title"] == "Mail")
    assert (mail["login"], mail["password"], mail["url"]) == (
        "ann@example.com", "login-pass-1", "https://mail.example.com/login")  # fmt: skip
    assert mail["group"] == "Work/Mail" and mail["comments"] == "a login note"
    assert mail["totp"] == "JBSWY3DPEHPK3PXP"


def test_writer_keeps_other_totp_as_an_otpauth_uri() -> None:
    """A code that is not LastPass's kind (6 digits, 30 s, SHA-1) is written as its otpauth URI
    (reads back exactly); LastPass's kind as the bare secret."""
    doc, _ = _read(lastpass_csv())
    item = doc.accounts[0].items[0]
    odd = m.Totp(secret="JBSWY3DPEHPK3PXP", period=60, digits=8, algorithm="sha256")
    changed = cxf.replace(item, credentials=tuple(
        odd if isinstance(c, m.Totp) else c for c in item.credentials))  # fmt: skip
    account = cxf.replace(doc.accounts[0], items=(changed, *doc.accounts[0].items[1:]))
    odd_doc = cxf.Document(cxf.replace(doc.header, accounts=(account,)))
    data, _ = adapters.write(odd_doc, "lastpass-csv", report=MigrationReport())
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert rows[0]["totp"].startswith("otpauth://totp/")
    back, _ = _read(data)
    assert _cred(back.accounts[0].items[0], m.Totp) == odd
    plain, _ = adapters.write(doc, "lastpass-csv")
    assert next(csv.DictReader(io.StringIO(plain.decode())))["totp"] == "JBSWY3DPEHPK3PXP"


# ------------------------------------------------------------------ lpass show (text)


def test_lpass_show_text_samples_agree_with_the_json() -> None:
    """Every ``lpass show --format='%fn|%fv'`` sample is detected and reads as the entry its
    ``--json`` twin gives (same item id, title, login, URL, note, folder); extra fields such as
    ``pin`` are custom fields."""
    folder = shared_path("exports", "lastpass", "pass-import", "lpass-cli")
    files = sorted(p for p in folder.glob("show-*") if p.suffix != ".json")
    assert len(files) == 14
    for path in files:
        data = path.read_bytes()
        assert adapters.detect(make_sample(data, path.name)).adapter.info.key == (
            "lastpass-cli-text"
        )
        (text_item,) = [i for _, i in _read(data, path.name)[0].items()]
        twin = path.with_name(path.name + ".json")
        json_doc, _ = _read(twin.read_bytes(), twin.name)
        (json_item,) = [i for _, i in json_doc.items()]
        assert text_item.id == json_item.id
        assert _project(text_item) == _project(json_item), path.name
        assert _collections(_read(data, path.name)[0]) == _collections(json_doc)
        assert not contract.check_accounting(
            adapters.get("lastpass-cli-text"), contract.Sample(path.name, data)
        )
    aib, _ = _read((folder / "show-8273029964772952977").read_bytes(), "aib")
    assert _custom(aib.accounts[0].items[0]) == {"pin": ("462916", "concealed-string")}
    (note,) = [i for _, i in _read((folder / "show-2708675046823528822").read_bytes(), "n")[0]
               .items()]  # fmt: skip
    assert _cred(note, m.Note).content.value.endswith("unbeaten sift.")


def test_lpass_show_text_several_entries_and_secure_notes() -> None:
    text = (
        "Cards/visa [id: 11]\nURL|http://sn\nNotes|" + NOTES["card"] + "\n"
        "root/plain [id: 12]\nUsername|u\nPassword|show-pass-4\nURL|https://x.example\n"
        "pin|\n"
    ).encode()
    doc, report = _read(text, "show.txt")
    items = _by_title(doc)
    assert _cred(items["visa"], m.CreditCard).number.value == "4111111111111111"
    assert _cred(items["plain"], m.BasicAuth).password.value == "show-pass-4"
    assert "show-pass-4" not in report.render()
    with pytest.raises(CxkitError) as info:
        _read(
            b"Cards/visa [id: 11]\nnot a field line show-pass-5\n", "bad.txt", "lastpass-cli-text"
        )
    assert "show-pass-5" not in info.value.diagnostics()
    assert info.value.location == "bad.txt:2"
    # evidence: an entry line, then a Field|value line; anything else is not claimed
    for other in (b"hello [id: 1]\nno bar here\n", b"[id: x]\n", b"Username|u\n"):
        with pytest.raises(CxkitError):
            adapters.detect(make_sample(other, "x.txt"))


def test_lpass_show_text_mutations() -> None:
    path = shared_path("exports", "lastpass", "pass-import", "lpass-cli",
                       "show-8273029964772952977")  # fmt: skip
    adapter = adapters.get("lastpass-cli-text")
    sample = contract.Sample(path.name, path.read_bytes())
    assert not contract.check_mutations(adapter, sample, rounds=40)
    assert not contract.check_secrets(adapter, sample, rounds=20)


_FIELD = st.text(st.characters(blacklist_characters="|\n\r", blacklist_categories=("Cs",)),
                 min_size=1, max_size=10).filter(lambda k: k != "Notes")  # fmt: skip
_LINE = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)),
                max_size=20).filter(lambda v: not v.endswith("]"))  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**12), st.lists(st.tuples(_FIELD, _LINE), max_size=4),
                          st.lists(_LINE, max_size=3)), min_size=1, max_size=3))  # fmt: skip
def test_lpass_show_text_round_trips(entries: list[tuple[int, list[Any], list[str]]]) -> None:
    """Entries written as ``lpass show`` text parse back to their fields (a multi-line note
    runs to the next entry line)."""
    from cxkit.adapters.lastpass import _show_entries

    lines: list[str] = []
    for entry_id, fields, notes in entries:
        lines.append(f"Group/title{entry_id} [id: {entry_id}]")
        lines.extend(f"{k}|{v}" for k, v in fields)
        if notes:
            lines.append("Notes|" + "\n".join(notes))
    parsed = _show_entries("\n".join(lines) + "\n", "x")
    assert [(e[1], e[2]) for e in parsed] == [(f"Group/title{i}", str(i)) for i, _, _ in entries]
    for (_, fields, notes), (_, _, _, got) in zip(entries, parsed, strict=True):
        want = [*fields, *([("Notes", "\n".join(notes).rstrip("\n"))] if notes else [])]
        assert [(k, v) for k, v, _ in got] == want
