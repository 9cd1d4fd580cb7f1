"""Dashlane: the CSV archive (a synthetic ZIP with every column the format notes list, as no
public sample exists), ``credentials.csv`` alone (read and write), the legacy headerless CSV
(``--from`` only) and the legacy JSON (real pass-import samples, compared with pass-import).

Layouts: ``../shared/formats/other-managers.md`` §1.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import contract
from cxkit.adapters.dashlane import CREDENTIALS_COLUMNS, dashlane_date
from cxkit.adapters.detection import make_sample
from cxkit.adapters.report import Disposition
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError
from shared_evidence import shared_path

_PI = ("exports", "dashlane", "pass-import")


def _csv(header: tuple[str, ...], *rows: tuple[str, ...]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


CREDENTIALS = _csv(
    ("username", "username2", "username3", "title", "password", "note", "url", "category",
     "otpSecret"),
    ("ann@example.com", "ann2", "ann3", "Mail", "dl-pass-1", "mail note\nline 2",
     "mail.example.com", "Work", "JBSWY3DPEHPK3PXP"),
    ("bob", "", "", "Shop", "dl-pass-2", "", "https://shop.example", "", ""),
)  # fmt: skip
NOTES = _csv(("title", "note"), ("Wi-Fi at home", "the code is on the router"))
PAYMENTS = _csv(
    ("type", "account_name", "account_holder", "cc_number", "code", "expiration_month",
     "expiration_year", "routing_number", "account_number", "country", "issuing_bank"),
    ("credit_card", "My Visa", "Ann Smith", "4111111111111111", "123", "6", "2029", "", "",
     "IE", "AIB"),
    ("bank", "Current account", "Ann Smith", "", "", "", "", "933001", "12345678", "IE",
     "AIB"),
)  # fmt: skip
IDS = _csv(
    ("type", "number", "name", "issue_date", "expiration_date", "place_of_issue", "state"),
    ("passport", "PA1234567", "Ann Smith", "2020-5-20", "2030-5-19", "DFA", ""),
    ("license", "DL-99", "Ann Smith", "2021-1-2", "2031-7-1", "Cork", "Munster"),
    ("card", "IDC-1", "Ann Smith", "2022-3-4", "2032-3-4", "Garda", ""),
    ("social_security", "078-05-1120", "Ann Smith", "", "", "", ""),
    ("tax_number", "TX-42", "", "", "", "", ""),
)  # fmt: skip
PERSONAL = _csv(
    ("type", "title", "first_name", "middle_name", "last_name", "login", "date_of_birth",
     "place_of_birth", "email", "email_type", "item_name", "phone_number", "address",
     "country", "state", "city", "zip", "address_recipient", "address_building",
     "address_apartment", "address_floor", "address_door_code", "job_title", "url"),
    ("name", "Dr", "Ann", "B", "Smith", "ann", "1980-3-3", "Cork", "", "", "Me", "", "", "",
     "", "", "", "", "", "", "", "", "Engineer", ""),
    ("email", "", "", "", "", "", "", "", "ann@example.com", "PERSO", "Personal mail", "", "",
     "", "", "", "", "", "", "", "", "", "", ""),
    ("number", "", "", "", "", "", "", "", "", "", "Mobile", "+353 87 1", "", "", "", "", "",
     "", "", "", "", "", "", ""),
    ("address", "", "", "", "", "", "", "", "", "", "Home", "", "1 Main St", "IE", "Munster",
     "Cork", "T12", "Ann", "B2", "5", "2", "1234", "", ""),
    ("website", "", "", "", "", "", "", "", "", "", "Blog", "", "", "", "", "", "", "", "", "",
     "", "", "", "https://blog.example"),
)  # fmt: skip
SECRETS = (
    "dl-pass-1",
    "dl-pass-2",
    "4111111111111111",
    "12345678",
    "PA1234567",
    "JBSWY3DPEHPK3PXP",
)


def credentials_csv() -> bytes:
    """``credentials.csv`` alone (the earlier layout, ``otpSecret``)."""
    return CREDENTIALS


def dashlane_zip() -> bytes:
    """A Dashlane CSV archive with the five files and every column of the format notes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("credentials.csv", CREDENTIALS), ("securenotes.csv", NOTES),
                           ("payments.csv", PAYMENTS), ("ids.csv", IDS),
                           ("personalInfo.csv", PERSONAL)):  # fmt: skip
            z.writestr(name, data)
    return out.getvalue()


def _by_title(doc: cxf.Document) -> dict[str, m.Item]:
    return {i.title: i for _, i in doc.items()}


def _cred(item: m.Item, cls: type[Any]) -> Any:
    found = [c for c in item.credentials if isinstance(c, cls)]
    assert len(found) == 1, (item.title, [cxf.credential_type(c) for c in item.credentials])
    return found[0]


def _custom(item: m.Item) -> dict[str | None, tuple[str, str]]:
    return {f.label: (f.value, f.field_type) for c in item.credentials
            if isinstance(c, m.CustomFields) for f in c.fields}  # fmt: skip


def test_zip_archive_is_detected_and_every_file_read() -> None:
    data = dashlane_zip()
    assert adapters.detect(make_sample(data, "dashlane.zip")).adapter.info.key == "dashlane-zip"
    doc, report = adapters.read(data, "dashlane.zip")
    items = _by_title(doc)
    assert len(items) == 2 + 1 + 2 + 5 + 5 and not report.items_skipped

    mail = items["Mail"]
    assert _cred(mail, m.BasicAuth).password.value == "dl-pass-1"
    assert _cred(mail, m.Totp).secret == "JBSWY3DPEHPK3PXP"
    assert _cred(mail, m.Note).content.value == "mail note\nline 2"
    assert mail.scope.urls == ("mail.example.com",)
    assert _custom(mail) == {"username2": ("ann2", "string"), "username3": ("ann3", "string")}
    assert _cred(items["Wi-Fi at home"], m.Note).content.value == "the code is on the router"

    card = _cred(items["My Visa"], m.CreditCard)
    assert (card.number.value, card.verification_number.value, card.full_name.value) == (
        "4111111111111111", "123", "Ann Smith")  # fmt: skip
    assert (card.expiry_date.value, card.expiry_date.field_type) == ("2029-06", "year-month")
    assert _custom(items["My Visa"])["issuing bank"] == ("AIB", "string")
    (bank,) = [c for c in items["Current account"].credentials
               if isinstance(c, m.CustomFields) and c.label == "Bank account"]  # fmt: skip
    assert {f.label: f.field_type for f in bank.fields}["account_number"] == "concealed-string"

    passport = _cred(items["Passport: Ann Smith"], m.Passport)
    assert (passport.passport_number.value, passport.issue_date.value) == (
        "PA1234567", "2020-05-20")  # fmt: skip
    assert passport.issuing_authority.value == "DFA"
    licence = _cred(items["Driver's licence: Ann Smith"], m.DriversLicense)
    assert (licence.license_number.value, licence.territory.value) == ("DL-99", "Munster")
    assert licence.expiry_date.value == "2031-07-01"
    assert _cred(items["ID card: Ann Smith"], m.IdentityDocument).document_number.value == "IDC-1"
    ssn = _cred(items["Social security number: Ann Smith"], m.IdentityDocument)
    assert ssn.identification_number.value == "078-05-1120"
    assert _cred(items["Tax number"], m.IdentityDocument).identification_number.value == "TX-42"

    me = items["Me"]
    name = _cred(me, m.PersonName)
    assert (name.title.value, name.given.value, name.given2.value, name.surname.value) == (
        "Dr", "Ann", "B", "Smith")  # fmt: skip
    assert {"login", "date_of_birth", "place_of_birth", "job_title"} <= set(_custom(me))
    assert _custom(items["Personal mail"])["email"] == ("ann@example.com", "email")
    assert _custom(items["Mobile"])["phone_number"] == ("+353 87 1", "string")
    home = _cred(items["Home"], m.Address)
    assert (home.street_address.value, home.city.value, home.postal_code.value) == (
        "1 Main St", "Cork", "T12")  # fmt: skip
    assert (home.country.value, home.country.field_type) == ("IE", "country-code")
    assert {"address_building", "address_door_code"} <= set(_custom(items["Home"]))
    assert items["Blog"].scope.urls == ("https://blog.example",)

    collections = doc.accounts[0].collections
    assert [c.title for c in collections] == ["Work"]
    text = report.render() + json.dumps(report.to_json())
    assert not any(secret in text for secret in SECRETS)


def test_zip_with_other_members_is_not_claimed_and_extras_are_reported() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("credentials.csv", CREDENTIALS)
        z.writestr("data.json", b"{}")
    with pytest.raises(CxkitError):
        adapters.detect(make_sample(out.getvalue(), "other.zip"))
    doc, report = adapters.read(out.getvalue(), "other.zip", source_format="dashlane-zip")
    assert len(list(doc.items())) == 2
    assert any(r.path.endswith("data.json")
               for r in report.fields.of(Disposition.NOT_CARRIED))  # fmt: skip
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.txt", b"hello")
    with pytest.raises(CxkitError, match="no Dashlane CSV file"):
        adapters.read(empty.getvalue(), "e.zip", source_format="dashlane-zip")


def test_damaged_zip_and_members_raise_only_cxkit_errors() -> None:
    adapter = adapters.get("dashlane-zip")
    sample = contract.Sample("dashlane.zip", dashlane_zip())
    assert not contract.check_mutations(adapter, sample, rounds=30)
    assert not contract.check_secrets(adapter, sample, rounds=15)
    # a member whose rows are damaged: the row is skipped, the rest read
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("credentials.csv", CREDENTIALS)
        z.writestr("ids.csv", IDS.replace(b"2030-5-19", b"someday"))
    doc, _ = adapters.read(out.getvalue(), "d.zip")
    passport = _by_title(doc)["Passport: Ann Smith"]
    assert _custom(passport)["expiration_date"] == ("someday", "string")


def test_credentials_csv_alone_both_layouts() -> None:
    assert adapters.detect(make_sample(CREDENTIALS, "credentials.csv")).adapter.info.key == (
        "dashlane-csv"
    )
    newer = CREDENTIALS.replace(b"otpSecret", b"otpUrl").replace(
        b"JBSWY3DPEHPK3PXP", b"otpauth://totp/Mail:ann?secret=JBSWY3DPEHPK3PXP&digits=8"
    )
    doc, _ = adapters.read(newer, "credentials.csv")
    totp = _cred(_by_title(doc)["Mail"], m.Totp)
    assert (totp.secret, totp.digits, totp.issuer) == ("JBSWY3DPEHPK3PXP", 8, "Mail")


def test_writer_round_trip_and_layout() -> None:
    doc, _ = adapters.read(CREDENTIALS, "credentials.csv")
    data, report = adapters.write(doc, "dashlane-csv")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert tuple(rows[0]) == CREDENTIALS_COLUMNS
    assert rows[0]["otpUrl"].startswith("otpauth://totp/") and rows[0]["category"] == "Work"
    back, _ = adapters.read(data, "credentials.csv")
    keep = (m.BasicAuth, m.Totp, m.Note)
    for (_, mine), (_, theirs) in zip(doc.items(), back.items(), strict=True):
        assert mine.title == theirs.title and mine.scope == theirs.scope
        assert [c for c in mine.credentials if isinstance(c, keep)] == [
            c for c in theirs.credentials if isinstance(c, keep)
        ]
    assert [c.title for c in back.accounts[0].collections] == ["Work"]
    # username2/3 (custom fields) are named not carried: the writer leaves those columns empty
    assert any(r.credential_type == "custom-fields" and r.outcome.value == "not-carried"
               for r in report.credentials)  # fmt: skip


def test_legacy_csv_needs_from_and_matches_pass_import() -> None:
    from pass_import.managers.dashlane import DashlaneCSV

    path = shared_path(*_PI, "dashlane.csv")
    with pytest.raises(CxkitError):
        adapters.detect(make_sample(path.read_bytes(), path.name))
    doc, report = adapters.read(path.read_bytes(), path.name, source_format="dashlane-legacy-csv")
    assert report.items_read == 14 and not report.items_skipped
    with DashlaneCSV(str(path)) as importer:
        importer.parse()
        theirs = importer.data
    ours = [_project(i) for _, i in doc.items()]
    assert len(ours) == len(theirs)
    for mine, entry in zip(ours, theirs, strict=True):
        for key in ("title", "login", "password", "url", "comments"):
            assert mine.get(key, "") == (entry.get(key) or ""), key
    adapter = adapters.get("dashlane-legacy-csv")
    sample = contract.Sample(path.name, path.read_bytes())
    assert not contract.check_mutations(adapter, sample, rounds=30)
    assert not contract.check_secrets(adapter, sample, rounds=15)


def test_legacy_json_matches_pass_import() -> None:
    from pass_import.managers.dashlane import DashlaneJSON

    path = shared_path(*_PI, "dashlane.json")
    doc, report = adapters.read(path.read_bytes(), path.name)
    assert report.source_format == "dashlane-json" and not report.items_skipped
    with DashlaneJSON(str(path)) as importer:
        importer.parse()
        theirs = importer.data
    # pass-import reads AUTHENTIFIANT only; cxkit also keeps the EMAIL section's entry
    *logins, email = [i for _, i in doc.items()]
    assert (email.title, _custom(email)) == ("EMAIL", {"email": ("login@example.com", "string")})
    ours = [_project(i) for i in logins]
    assert len(ours) == len(theirs)
    for mine, entry in zip(ours, theirs, strict=True):
        for key in ("title", "login", "password", "url", "comments"):
            assert mine.get(key, "") == (entry.get(key) or ""), key


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


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_dashlane_dates(day: Any) -> None:
    text = f"{day.year}-{day.month}-{day.day}"
    assert dashlane_date(text) == day.isoformat()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_dashlane_date_parser_never_raises(text: str) -> None:
    found = dashlane_date(text)
    assert found is None or len(found) == 10


def test_payment_of_another_type_keeps_its_cells_as_custom_fields() -> None:
    payments = _csv(tuple(PAYMENTS.decode().splitlines()[0].split(",")),
                    ("paypal", "PayPal", "Ann Smith", "", "", "", "", "", "", "IE", ""))  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("credentials.csv", CREDENTIALS)
        z.writestr("payments.csv", payments)
    doc, _ = adapters.read(out.getvalue(), "d.zip")
    paypal = _by_title(doc)["PayPal"]
    assert all(c.label is None for c in paypal.credentials if isinstance(c, m.CustomFields))
    assert _custom(paypal)["account_holder"] == ("Ann Smith", "string")
    assert not any(isinstance(c, m.CreditCard) for c in paypal.credentials)


def test_legacy_json_other_sections_become_items() -> None:
    data = json.dumps({
        "AUTHENTIFIANT": [{"title": "Mail", "domain": "mail.example", "login": "ann",
                           "password": "json-pass-6", "note": "", "email": "", "secondaryLogin": ""}],
        "EMAIL": [{"title": "Personal", "email": "ann@example.com", "type": "PERSO"}],
        "PHONE": [{"name": "Mobile", "number": "+353 87 1"}],
        "VERSION": "1",
    }).encode()  # fmt: skip
    doc, report = adapters.read(data, "dashlane.json")
    items = _by_title(doc)
    assert set(items) == {"Mail", "Personal", "Mobile"}
    untitled, _ = adapters.read(json.dumps({"AUTHENTIFIANT": [], "EMAIL": [{"email": "x"}]})
                                .encode(), "d.json")  # fmt: skip
    assert [i.title for _, i in untitled.items()] == ["EMAIL"]
    assert _custom(items["Personal"]) == {"email": ("ann@example.com", "string"),
                                          "type": ("PERSO", "string")}  # fmt: skip
    assert _custom(items["Mobile"]) == {"number": ("+353 87 1", "string")}
    assert not contract.check_accounting(adapters.get("dashlane-json"),
                                         contract.Sample("dashlane.json", data))  # fmt: skip
    assert "json-pass-6" not in report.render()


def test_legacy_csv_reads_through_the_kit() -> None:
    """The legacy headerless CSV is read by the kit's raw-row reader: an empty file is the kit's
    'empty CSV file' error (it was an empty vault), malformed quoting the kit's error."""
    with pytest.raises(AdapterError, match="empty CSV file"):
        adapters.read(b"\n \n", "old.csv", source_format="dashlane-legacy-csv")
    with pytest.raises(AdapterError, match="malformed CSV"):
        adapters.read(b'a,"b"x,c\n', "old.csv", source_format="dashlane-legacy-csv")
    doc, report = adapters.read(b"\xef\xbb\xbfSite,https://a.example,al,pw,n\n\nB,,bo,pw2\n",
                                "old.csv", source_format="dashlane-legacy-csv")  # fmt: skip
    assert report.items_read == 2 and [i.title for _, i in doc.items()] == ["Site", "B"]
