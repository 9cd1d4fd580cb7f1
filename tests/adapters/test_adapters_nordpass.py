"""NordPass CSV (``src/cxkit/adapters/nordpass.py``): the pass-import sample (old 19-column
layout) against pass-import's reference vault, a synthetic current-layout file with every column
(written here from ``formats/other-managers.md`` §2), the writer checked by pass-import's own
NordPass reader and by reading it back, and mutation/property tests of the JSON cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from _main_reference import project, reference
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import contract
from cxkit.adapters.detection import InputRefusedError
from cxkit.adapters.nordpass import COLUMNS, NordPassCsvAdapter
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_path

CARD_NUMBER = "4111111111111111"
HIDDEN = "hidden-Val_9931"
PASSWORD = "Np-pass!word-77"


def _current(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return buf.getvalue().encode()


def _fixture() -> bytes:
    fields = [{"label": "Recovery", "type": "hidden", "value": HIDDEN},
              {"label": "Team", "type": "text", "value": "blue"}]  # fmt: skip
    return _current([
        {"name": "Work", "type": "folder"},
        {"name": "Archive", "type": "folder"},
        {"name": "Mail", "url": "https://mail.example", "username": "sam", "password": PASSWORD,
         "additional_urls": json.dumps(["https://webmail.example", "https://m.example"]),
         "note": "login note", "folder": "Work", "type": "password",
         "custom_fields": json.dumps(fields), "email": "sam@mail.example"},
        {"name": "Visa", "cardholdername": "SAM SAMPLE", "cardnumber": CARD_NUMBER,
         "cvc": "123", "expirydate": "08/30", "zipcode": "12345", "type": "credit_card",
         "folder": "Work"},
        {"name": "Me", "full_name": "Sam Sample", "phone_number": "+1 555 0100",
         "email": "sam@example.org", "address1": "1 Example Street", "address2": "Flat 2",
         "city": "Exampleton", "country": "US", "state": "CA", "zipcode": "99999",
         "type": "identity"},
        {"name": "Door codes", "note": "front: 4711", "type": "note"},
        {"name": "Broken", "username": "u", "custom_fields": "{not json", "type": "password"},
    ])  # fmt: skip


def _read(data: bytes, name: str = "np.csv") -> tuple[cxf.Document, adapters.MigrationReport]:
    return adapters.read(data, name, source_format="nordpass-csv")


def _items(doc: cxf.Document) -> dict[str, m.Item]:
    return {i.title: i for _, i in doc.items()}


def test_sample_reads_to_the_pass_import_reference() -> None:
    data = shared_path("exports", "nordpass", "pass-import", "nordpass.csv").read_bytes()
    doc, report = adapters.read(data, "nordpass.csv")
    assert adapters.detect(adapters.make_sample(data, "nordpass.csv")).adapter.info.key == (
        "nordpass-csv"
    )
    assert project(doc) == reference()
    # the six folder rows are collections, not items
    assert report.items_read == 14 and not report.items_skipped
    folders = {r.path for r in report.fields if r.target == "collection.title"}
    assert len(folders) == 6
    assert (
        contract.check_accounting(NordPassCsvAdapter(), contract.Sample("nordpass.csv", data)) == []
    )


def test_current_layout_every_column() -> None:
    doc, report = _read(_fixture())
    items = _items(doc)
    assert sorted(items) == ["Broken", "Door codes", "Mail", "Me", "Visa"]
    mail = items["Mail"]
    assert mail.scope is not None and mail.scope.urls == (
        "https://mail.example", "https://webmail.example", "https://m.example")  # fmt: skip
    (fields,) = [c for c in mail.credentials if isinstance(c, m.CustomFields)]
    got = {f.label: (f.value, f.field_type) for f in fields.fields}
    assert got["Recovery"] == (HIDDEN, "concealed-string")
    assert got["Team"] == ("blue", "string") and got["email"][0] == "sam@mail.example"
    (card,) = [c for c in items["Visa"].credentials if isinstance(c, m.CreditCard)]
    assert card.number is not None and card.number.value == CARD_NUMBER
    assert card.expiry_date is not None and card.expiry_date.value == "2030-08"
    assert card.verification_number is not None and card.full_name is not None
    me = {cxf.credential_type(c): c for c in items["Me"].credentials}
    address = me["address"]
    assert isinstance(address, m.Address) and address.country is not None
    assert address.country.field_type == "country-code" and address.postal_code is not None
    assert address.street_address is not None and address.street_address.value == (
        "1 Example Street\nFlat 2")  # fmt: skip
    assert isinstance(me["person-name"], m.PersonName)
    assert [cxf.credential_type(c) for c in items["Door codes"].credentials] == ["note"]
    # malformed JSON in a cell: kept hidden, the row is read
    (broken,) = [c for c in items["Broken"].credentials if isinstance(c, m.CustomFields)]
    assert broken.fields[0].field_type == "concealed-string"
    # folders: Archive has no items but is a collection
    titles = {c.title for c in doc.accounts[0].collections}
    assert titles == {"Work", "Archive"}
    assert (
        contract.check_accounting(NordPassCsvAdapter(), contract.Sample("np.csv", _fixture())) == []
    )
    text = report.render() + json.dumps(report.to_json())
    for secret in (HIDDEN, CARD_NUMBER, PASSWORD):
        assert secret not in text


def test_fixture_passes_mutation_and_secret_checks() -> None:
    sample = contract.Sample("np.csv", _fixture())
    adapter = NordPassCsvAdapter()
    assert contract.check_mutations(adapter, sample, 40) == []
    assert contract.check_secrets(adapter, sample, 20) == []


def test_an_old_layout_name_only_row_is_an_item_unless_it_names_a_folder() -> None:
    header = "name,url,username,password,note,cardholdername,cardnumber,cvc,expirydate,zipcode,"
    header += "folder,full_name,phone_number,email,address1,address2,city,country,state"
    empty = "," * 18
    data = f"{header}\nLonely{empty}\nBank{empty}\naib,,u,p{',' * 7}Bank{',' * 8}\n".encode()
    doc, _ = _read(data)
    assert sorted(i.title for _, i in doc.items()) == ["Lonely", "aib"]
    assert [c.title for c in doc.accounts[0].collections] == ["Bank"]


def test_writer_round_trip_and_pass_import_reads_it(tmp_path: Path) -> None:
    doc, _ = _read(_fixture())
    out, report = adapters.write(doc, "nordpass-csv")
    assert report.plaintext and PASSWORD not in report.render()
    back, _ = _read(out, "back.csv")
    before, after = _items(doc), _items(back)
    assert sorted(before) == sorted(after)
    for title, item in before.items():
        types = sorted(cxf.credential_type(c) for c in item.credentials)
        assert types == sorted(cxf.credential_type(c) for c in after[title].credentials), title
    assert {c.title for c in back.accounts[0].collections} == {"Work", "Archive"}
    nordpass = pytest.importorskip("pass_import.managers.nordpass")
    path = tmp_path / "written.csv"
    path.write_bytes(out)
    with nordpass.NordPassCSV(str(path)) as importer:
        importer.parse()
        rows = importer.data
    by_title = {r["title"]: r for r in rows}
    assert "Work" not in by_title  # pass-import drops folder rows as NordPass writes them
    assert by_title["Mail"]["password"] == PASSWORD and by_title["Mail"]["login"] == "sam"
    assert by_title["Mail"]["group"] == "Work" and by_title["Mail"]["url"] == "https://mail.example"
    assert by_title["Visa"]["cardnumber"] == CARD_NUMBER
    assert by_title["Door codes"]["comments"] == "front: 4711"


def test_writer_reports_what_nordpass_cannot_hold() -> None:
    out, report = adapters.write(contract.reference_document(), "nordpass-csv")
    lost = {r.credential_type for r in report.credentials if r.outcome == "not-carried"}
    assert {"passkey", "ssh-key", "file"} <= lost
    totp = [r for r in report.credentials if r.credential_type == "totp"]
    assert totp and all(r.outcome == "transformed" for r in totp)
    assert b"otpauth://" in out


_CELL = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(_CELL, _CELL, st.sampled_from(["", "password", "note", "folder", "identity", "x"]))
def test_any_json_cells_only_give_cxkit_errors(urls: str, fields: str, kind: str) -> None:
    """A new parser of JSON-in-a-cell: whatever the cells hold, the row is read or skipped."""
    data = _current([{"name": "T", "username": "u", "password": PASSWORD,
                      "additional_urls": urls, "custom_fields": fields, "type": kind}])  # fmt: skip
    try:
        doc, report = _read(data)
    except CxkitError:
        return
    assert PASSWORD not in report.render()
    assert len(list(doc.items())) <= 1


def test_a_draft_era_nordpass_cxf_file_is_named_and_refused() -> None:
    draft = {"version": 1, "exporter": "Nordpass", "timestamp": 1700000000,
             "accounts": [{"id": "1,2,3", "items": [{"id": "4,5", "type": "login", "title": "x",
                          "credentials": [{"type": "basic-auth", "password": {
                              "fieldType": "concealed-string", "value": PASSWORD}}]}]}]}  # fmt: skip
    sample = adapters.make_sample(json.dumps(draft).encode(), "nordpass.json")
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(sample)
    assert info.value.verdict == "known:nordpass-cxf-draft"
    assert "draft" in str(info.value) and "nordpass-csv" in (info.value.hint or "")
    assert PASSWORD not in info.value.diagnostics()


def test_a_totp_written_as_the_custom_field_totp_reads_back_as_a_totp() -> None:
    """NordPass has no TOTP column: the writer keeps a TOTP as a hidden custom field ``TOTP``
    (an otpauth URI), and reading that file gives the TOTP again — the round trip is exact and
    convert's TOTP proof can compare codes. Other fields stay custom fields."""
    source = contract.reference_document()
    out, _ = adapters.write(source, "nordpass-csv")
    back, _ = _read(out, "back.csv")
    before = {i.title: i for _, i in source.items()}
    after = _items(back)
    for title, item in before.items():
        totps = [c for c in item.credentials if isinstance(c, m.Totp)]
        if totps:
            assert [c for c in after[title].credentials if isinstance(c, m.Totp)] == totps
            customs = [f.label for c in after[title].credentials
                       if isinstance(c, m.CustomFields) for f in c.fields]  # fmt: skip
            assert "TOTP" not in customs
    assert not contract.check_accounting(NordPassCsvAdapter(), contract.Sample("back.csv", out))
    uri = "otpauth://totp/Mail:sam?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&digits=8"
    cases = [
        ({"label": "TOTP", "type": "hidden", "value": uri}, True),
        ({"label": "totp", "type": "text", "value": uri}, True),
        ({"label": "TOTP", "type": "hidden", "value": "JBSWY3DPEHPK3PXP"}, False),  # no URI
        ({"label": "Backup", "type": "hidden", "value": uri}, False),  # another label
        ({"label": "TOTP", "type": "hidden", "value": "otpauth://hotp/x?secret=AA&counter=1"},
         False),
    ]  # fmt: skip
    for field, is_totp in cases:
        data = _current([{"name": "Mail", "username": "sam", "password": PASSWORD,
                          "type": "password", "custom_fields": json.dumps([field])}])  # fmt: skip
        (item,) = _items(_read(data)[0]).values()
        found = [c for c in item.credentials if isinstance(c, m.Totp)]
        customs = [f for c in item.credentials if isinstance(c, m.CustomFields) for f in c.fields]
        assert (len(found), len(customs)) == ((1, 0) if is_totp else (0, 1)), field
        if is_totp:
            assert found[0].digits == 8 and found[0].secret.startswith("JBSWY3DP")
