"""The declarative CSV writer (``adapters/kit/tabular_write.py``): columns declared per source,
one row per item the format can hold, the first login / TOTP (as an otpauth URI), notes joined,
folder paths, times, favourites, Android apps as ``android://`` URLs, row needs, hook columns,
formula cells neutralised, and the report naming every credential and leaf not carried."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.base import converted_document
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.values import parse_android_url, parse_totp
from cxkit.adapters.report import MigrationReport, Outcome
from cxkit.cxf import b64, codec
from cxkit.cxf import model as m

SECRET = "Tabular-Secret-9qZ"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def _id(n: int) -> str:
    return b64.encode(n.to_bytes(16, "big"))


def _login(user: str, password: str) -> m.BasicAuth:
    return m.BasicAuth(
        username=m.EditableField(field_type="string", value=user),
        password=m.EditableField(field_type="concealed-string", value=password),
    )


def _note(text: str) -> m.Note:
    return m.Note(content=m.EditableField(field_type="string", value=text))


def _doc(items: list[m.Item], collections: tuple[m.Collection, ...] = ()) -> codec.Document:
    account = m.Account(id=_id(999), username="", email="", collections=collections,
                        items=tuple(items))  # fmt: skip
    return converted_document(account, rp_id="example.com", app="Test")


class _All(w.CsvWriter):
    write_columns: ClassVar = (
        ("Title", w.TITLE), ("URL", w.URL), ("Login", w.USERNAME), ("Secret", w.PASSWORD),
        ("Notes", w.NOTE), ("OTP", w.TOTP), ("Folder", w.FOLDER),
        ("Fav", w.Out(w.FAVORITE, yes="yes", no="no")), ("Made", w.Out(w.CREATED, time=w.epoch_ms)),
        ("Changed", w.MODIFIED), ("Empty", w.BLANK),
    )  # fmt: skip
    written_name = "Test CSV"
    android_urls = True


class _Joined(w.CsvWriter):
    write_columns: ClassVar = (("name", w.TITLE), ("urls", w.Out(w.URLS, separator=" ")),
                               ("password", w.PASSWORD), ("kind", w.HOOK))  # fmt: skip
    written_name = "Joined CSV"
    android_urls = True
    row_needs = frozenset({w.PASSWORD})
    item_rules: ClassVar = {"subtitle": (ledger.TRANSFORMED, "as the kind column")}

    def cell(self, column: str, row: w.Row) -> str:
        return row.item.subtitle or ""


def _fields(report: MigrationReport) -> dict[tuple[str, str], object]:
    """The written-field records by (item or collection title, path below it)."""
    cut = re.compile(
        r"^\$\.accounts\[\d+\]\.(items|collections)\[\d+\]\.(subCollections\[\d+\]\.)*"
    )
    return {(f.item, cut.sub("", f.path)): f for f in report.written_fields}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


CERT = bytes(range(32))
APP = m.AndroidAppId(
    bundle_id="com.example.app",
    certificate=m.AndroidAppCertificateFingerprint(fingerprint=b64.encode(CERT), hash_alg="sha256"),
)


def _items() -> tuple[list[m.Item], tuple[m.Collection, ...]]:
    totp = m.Totp(secret=TOTP_SECRET, period=30, digits=6, algorithm="sha1", issuer="Mail",
                  username="alice")  # fmt: skip
    passkey = m.Passkey(credential_id="AAAA", rp_id="mail.example", username="alice",
                        user_display_name="Alice", user_handle="AAAA", key="AAAA")  # fmt: skip
    items = [
        m.Item(id=_id(1), title="Mail", favorite=True, creation_at=1_700_000_000,
               modified_at=1_700_000_100,
               scope=m.CredentialScope(urls=("https://mail.example", "https://m.example"),
                                       android_apps=()),
               credentials=(_login("alice", SECRET), totp, _note("one"), _note("two"), passkey,
                            _login("second", "other-pw"))),
        m.Item(id=_id(2), title="App", scope=m.CredentialScope(urls=(), android_apps=(APP,)),
               credentials=(_login("bob", "app-pw"),)),
        m.Item(id=_id(3), title="Card only", credentials=(
            m.CreditCard(number=m.EditableField(field_type="concealed-string", value="4111111111111111")),
        )),
        m.Item(id=_id(4), title="Just a note", credentials=(_note("=1+2"),)),
    ]  # fmt: skip
    collections = (
        m.Collection(id=_id(10), title="Work", items=(m.LinkedItem(item=_id(1)),),
                     sub_collections=(m.Collection(id=_id(11), title="Apps",
                                                   items=(m.LinkedItem(item=_id(2)),)),)),
        m.Collection(id=_id(12), title="Empty", items=()),
    )  # fmt: skip
    return items, collections


def test_columns_rows_and_values() -> None:
    items, collections = _items()
    report = MigrationReport()
    data = _All().write_csv(_doc(items, collections), report)
    assert (
        data.decode().splitlines()[0]
        == "Title,URL,Login,Secret,Notes,OTP,Folder,Fav,Made,Changed,Empty"
    )
    rows = _rows(data)
    assert [r["Title"] for r in rows] == ["Mail", "App", "Just a note"]
    mail, app, note = rows
    assert (mail["URL"], mail["Login"], mail["Secret"]) == ("https://mail.example", "alice", SECRET)
    assert mail["Notes"] == "one\n\ntwo"
    totp, form = parse_totp(mail["OTP"])
    assert form == "uri" and totp is not None and totp.secret == TOTP_SECRET
    assert (totp.issuer, totp.username, totp.digits, totp.period) == ("Mail", "alice", 6, 30)
    assert (mail["Folder"], app["Folder"], note["Folder"]) == ("Work", "Work/Apps", "")
    assert (mail["Fav"], app["Fav"]) == ("yes", "no")
    assert mail["Made"] == "1700000000000" and mail["Changed"] == "2023-11-14T22:15:00Z"
    assert mail["Empty"] == ""
    assert parse_android_url(app["URL"]) == APP
    assert note["Notes"] == "'=1+2"  # neutralised
    assert report.items_written == 3 and report.plaintext
    assert any("1 item(s) not written" in x for x in report.warnings)
    assert any("leading '" in x for x in report.warnings)


def test_raw_keeps_formula_cells() -> None:
    items, _ = _items()
    data = _All().write_csv(_doc(items), MigrationReport(), raw=True)
    assert _rows(data)[2]["Notes"] == "=1+2"


def test_credentials_and_leaves_accounted() -> None:
    items, collections = _items()
    report = MigrationReport()
    _All().write_csv(_doc(items, collections), report)
    written = {(r.item, r.credential_type, r.outcome) for r in report.credentials
               if r.stage == "write"}  # fmt: skip
    assert ("Mail", "basic-auth", Outcome.CARRIED) in written
    assert ("Mail", "basic-auth", Outcome.NOT_CARRIED) in written  # the second login
    assert ("Mail", "note", Outcome.TRANSFORMED) in written  # joined
    assert ("Mail", "passkey", Outcome.NOT_CARRIED) in written
    assert ("Card only", "credit-card", Outcome.NOT_CARRIED) in written
    fields: dict = _fields(report)
    assert fields[("Mail", "scope.urls[0]")].outcome is Outcome.CARRIED
    assert fields[("Mail", "scope.urls[1]")].outcome is Outcome.NOT_CARRIED
    assert fields[("Mail", "title")].outcome is Outcome.CARRIED
    assert fields[("Mail", "favorite")].outcome is Outcome.CARRIED
    assert fields[("Mail", "id")].outcome is Outcome.NOT_CARRIED
    assert fields[("App", "scope.androidApps[0].bundleId")].outcome is Outcome.CARRIED
    assert fields[("Card only", "credentials[0].number.value")].outcome is Outcome.NOT_CARRIED
    assert fields[("Work", "title")].outcome is Outcome.CARRIED
    assert fields[("Apps", "title")].outcome is Outcome.TRANSFORMED
    assert fields[("Empty", "title")].outcome is Outcome.NOT_CARRIED
    for f in report.written_fields:
        if f.outcome is Outcome.NOT_CARRIED:
            assert f.note, f.path
    text = report.render() + json.dumps(report.to_json())
    for secret in (SECRET, TOTP_SECRET, "4111111111111111", "other-pw", "app-pw"):
        assert secret not in text


def test_joined_urls_row_needs_and_hook() -> None:
    items, _ = _items()
    items.append(m.Item(id=_id(5), title="Sub", subtitle="kind-x",
                        credentials=(_login("x", "y"),)))  # fmt: skip
    report = MigrationReport()
    rows = _rows(_Joined().write_csv(_doc(items), report))
    assert [r["name"] for r in rows] == ["Mail", "App", "Sub"]
    assert rows[0]["urls"] == "https://mail.example https://m.example"
    assert parse_android_url(rows[1]["urls"]) == APP
    assert rows[2]["kind"] == "kind-x"
    notes = {r.item: r.note for r in report.credentials if r.stage == "write"}
    assert notes["Just a note"] == "Joined CSV has no place for note credentials"
    assert notes["Card only"] == "Joined CSV has no place for credit-card credentials"
    assert any("holds nothing" in f.note for f in report.written_fields if f.item == "Card only")
    fields: dict = _fields(report)
    assert fields[("Sub", "subtitle")].outcome is Outcome.TRANSFORMED
    assert fields[("Mail", "scope.urls[1]")].outcome is Outcome.CARRIED
    assert fields[("App", "scope.androidApps[0].bundleId")].outcome is Outcome.CARRIED


def test_row_needs_skips_and_says_why() -> None:
    login = m.BasicAuth(username=m.EditableField(field_type="string", value="only-user"))
    item = m.Item(id=_id(1), title="No password", credentials=(login,))
    report = MigrationReport()
    rows = _rows(_Joined().write_csv(_doc([item]), report))
    assert rows == [] and report.items_written == 0
    (record,) = [r for r in report.credentials if r.stage == "write"]
    assert record.outcome is Outcome.NOT_CARRIED and "needs a password" in record.note


def test_declaration_is_made_once_per_class() -> None:
    assert _All.declaration() is _All.declaration()
    assert _All.declaration() is not _Joined.declaration()


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT, _TEXT), max_size=6))
def test_property_cells_round_trip(values: list[tuple[str, str, str, str]]) -> None:
    """Whatever the text (quotes, commas, newlines, formula starts), csv.reader gives back the
    cells written with raw, and every item with a password gets its row."""
    items = [
        m.Item(id=_id(n + 1), title=title,
               credentials=(_login(user, password),) + ((_note(note),) if note else ()))
        for n, (title, user, password, note) in enumerate(values)
    ]  # fmt: skip
    report = MigrationReport()
    rows = _rows(_Joined().write_csv(_doc(items), report, raw=True))
    expected = [v for v in values if v[2]]
    assert [(r["name"], r["password"]) for r in rows] == [(v[0], v[2]) for v in expected]
    assert report.items_written == len(expected)
    assert ledger.Declaration  # the ledger is there for every row
    assert len({r.item for r in report.written_fields if r.path == "title"}) <= len(values)
