"""Keeper (``src/cxkit/adapters/keeper.py``): the headerless CSV sample read with ``--from
keeper-csv`` against pass-import's reference vault, the CSV writer checked by pass-import's
Keeper reader and by reading it back, and a synthetic Keeper JSON export with every record type
the notes and Keeper's import documentation describe (written here: no public sample)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from _main_reference import project, reference
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import contract
from cxkit.adapters.detection import InputRefusedError
from cxkit.adapters.keeper import KeeperCsvAdapter, KeeperJsonAdapter, split_folder
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_path

SECRET = "Kp-secret!pass-42"
SEED = "JBSWY3DPEHPK3PXP"
CARD = "4532123456789010"


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode()


def _items(doc: cxf.Document) -> dict[str, m.Item]:
    return {i.title: i for _, i in doc.items()}


def _types(item: m.Item) -> list[str]:
    return [cxf.credential_type(c) for c in item.credentials]


# --------------------------------------------------------------------------- CSV


def test_csv_sample_reads_to_the_pass_import_reference() -> None:
    data = shared_path("exports", "keeper", "pass-import", "keeper.csv").read_bytes()
    with pytest.raises(InputRefusedError) as info:  # headerless: refused, by design
        adapters.detect(adapters.make_sample(data, "keeper.csv"))
    assert info.value.verdict == "headerless-csv"
    doc, report = adapters.read(data, "keeper.csv", source_format="keeper-csv")
    assert project(doc) == reference()
    # every non-empty cell has a record, at file:row:<cell name>
    paths = set(report.fields.paths())
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert rows
    assert len(paths) >= sum(1 for r in rows for c in r if c)


def test_csv_custom_fields_totp_and_shared_folders() -> None:
    data = _csv([
        ["Personal\\Bank", "Chase", "me", SECRET, "https://chase.example", "note", "", "TFC:Keeper",
         f"otpauth://totp/Chase:me?secret={SEED}&issuer=Chase", "PIN", "1234", "$type", "login",
         "dangling"],
        ["Sub", "Team", "t", "pw-2", "", "", "Team Share#edit#reshare", "$url",
         "https://other.example"],
        ["short", "row"],
    ])  # fmt: skip
    doc, report = adapters.read(data, "k.csv", source_format="keeper-csv")
    items = _items(doc)
    assert _types(items["Chase"]) == ["basic-auth", "note", "totp", "custom-fields"]
    (fields,) = [c for c in items["Chase"].credentials if isinstance(c, m.CustomFields)]
    assert [(f.label, f.value) for f in fields.fields] == [("PIN", "1234")]
    assert report.items_skipped == [("", "row 3 cannot be read: the row has 2 cells; a Keeper "
                                         "row has at least 6")]  # fmt: skip
    cols = doc.accounts[0].collections
    assert [c.title for c in cols] == ["Personal", "Team Share"]
    assert cols[0].sub_collections[0].title == "Bank"
    assert cols[1].sub_collections[0].title == "Sub"
    assert any("sharing permissions" in r.note for r in report.fields)
    assert SECRET not in report.render()


def test_csv_writer_round_trip_and_pass_import_reads_it(tmp_path: Path) -> None:
    data = shared_path("exports", "keeper", "pass-import", "keeper.csv").read_bytes()
    doc, _ = adapters.read(data, "keeper.csv", source_format="keeper-csv")
    out, report = adapters.write(doc, "keeper-csv")
    assert report.items_written == 14
    back, _ = adapters.read(out, "back.csv", source_format="keeper-csv")
    assert project(back) == project(doc)
    keeper = pytest.importorskip("pass_import.managers.keeper")
    path = tmp_path / "written.csv"
    path.write_bytes(out)
    with keeper.KeeperCSV(str(path)) as importer:
        importer.parse()
        rows = importer.data
    got = sorted(
        (r["title"], r["login"] or "", r["password"] or "", r["group"] or "") for r in rows
    )
    want = sorted((i.title, *_login(i), _group(doc, i)) for _, i in doc.items())
    assert got == want


def _login(item: m.Item) -> tuple[str, str]:
    for c in item.credentials:
        if isinstance(c, m.BasicAuth):
            return (c.username.value if c.username else "", c.password.value if c.password else "")
    return ("", "")


def _group(doc: cxf.Document, item: m.Item) -> str:
    def walk(cols: tuple[m.Collection, ...], parent: str) -> str:
        for col in cols:
            path = f"{parent}\\{col.title}" if parent else col.title
            if any(link.item == item.id for link in col.items):
                return path
            found = walk(col.sub_collections, path)
            if found:
                return found
        return ""

    return walk(doc.accounts[0].collections, "")


def test_csv_writer_totp_and_custom_fields_read_back() -> None:
    out, report = adapters.write(contract.reference_document(), "keeper-csv")
    back, _ = adapters.read(out, "back.csv", source_format="keeper-csv")
    forge = _items(back)["Code Forge"]
    (totp,) = [c for c in forge.credentials if isinstance(c, m.Totp)]
    assert totp.secret == SEED
    lost = {r.credential_type for r in report.credentials if r.outcome == "not-carried"}
    assert {"passkey", "credit-card", "ssh-key"} <= lost
    assert b"TFC:Keeper" in out and not out.startswith(b"Folder")


def test_a_foreign_csv_forced_as_keeper_is_refused() -> None:
    data = b"a,b\nc,d\ne,f\n"
    with pytest.raises(CxkitError, match="not Keeper rows"):
        adapters.read(data, "x.csv", source_format="keeper-csv")


def test_csv_mutations_and_secrets() -> None:
    data = shared_path("exports", "keeper", "pass-import", "keeper.csv").read_bytes()
    sample = contract.Sample("keeper.csv", data)
    assert contract.check_mutations(KeeperCsvAdapter(), sample, 40) == []
    assert contract.check_secrets(KeeperCsvAdapter(), sample, 20) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [("A\\B", ("A", "B")), ("A\\\\B", ("A\\B",)), ("\\A\\\\\\B\\", ("A\\", "B")), ("", ())],
)
def test_split_folder(text: str, names: tuple[str, ...]) -> None:
    assert split_folder(text) == names


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab\\ ", max_size=5), min_size=1, max_size=5))
def test_split_folder_inverts_the_writers_join(names: list[str]) -> None:
    from cxkit.adapters.keeper import _join_folder

    clean = tuple(n.strip() for n in names if n.strip())
    if any(n.endswith("\\") or n.startswith("\\") for n in clean):
        return  # (a name ending in a backslash is ambiguous in Keeper's own notation)
    assert split_folder(_join_folder(clean)) == clean


# --------------------------------------------------------------------------- JSON


def _ssh_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                             serialization.NoEncryption()).decode()  # fmt: skip


def _keeper_json() -> dict[str, Any]:
    return {
        "shared_folders": [{"path": "Team", "uid": "sf1", "manage_users": False,
                            "manage_records": True, "can_edit": True, "can_share": False,
                            "permissions": [{"name": "a@example.org", "manage_users": True,
                                             "manage_records": True}]}],
        "records": [
            {"title": "Amazon", "uid": "r1", "$type": "login", "login": "me@example.org",
             "password": SECRET, "login_url": "https://amazon.example", "notes": "shopping",
             "last_modified": 1762428779,
             "custom_fields": {"$oneTimeCode": f"otpauth://totp/A:me?secret={SEED}&issuer=A",
                               "$url": ["https://smile.amazon.example"],
                               "$text:Account id": "12345", "Plain": "plain value",
                               "$securityQuestion": [{"question": "pet?", "answer": "rex"}],
                               "$passkey": {"relyingParty": "amazon.example",
                                            "username": "me@example.org", "credentialId": "x"}},
             "folders": [{"folder": "Shopping\\Online"},
                         {"shared_folder": "Team", "folder": "Sub", "can_edit": True}]},
            {"title": "Chase Visa", "uid": "r2", "$type": "bankCard", "notes": "",
             "custom_fields": {"$paymentCard": {"cardNumber": CARD, "cardExpirationDate": "06/2030",
                                                "cardSecurityCode": "347"},
                               "$text:cardholderName": "SARAH J", "$pinCode": "8426"}},
            {"title": "Passport", "uid": "r3", "$type": "passport",
             "custom_fields": {"$accountNumber:passportNumber": "543826194",
                               "$name": {"first": "Jen", "middle": "L", "last": "Williams"},
                               "$birthDate": 648597600000, "$expirationDate": 2005596000000,
                               "$date:dateIssued": 1692050400000}},
            {"title": "Home", "uid": "r4", "$type": "address",
             "custom_fields": {"$address": {"street1": "742 Evergreen", "street2": "Apt 3B",
                                            "city": "Springfield", "state": "Oregon",
                                            "zip": "97477", "country": "US"}}},
            {"title": "Wi-Fi", "uid": "r5", "$type": "wifiCredentials", "password": "wifi-pass-1",
             "custom_fields": {"$text:SSID": "home-net"}},
            {"title": "Server key", "uid": "r6", "$type": "sshKeys", "login": "deploy",
             "custom_fields": {"$keyPair": {"publicKey": "ssh-ed25519 AAAA x", "privateKey":
                                            _ssh_key()},
                               "$host": {"hostName": "h.example", "port": "22"}},
             "references": {"fileRef": ["f1"]}},
            {"title": "Photo", "uid": "r7", "$type": "photo", "schema": ["$fileRef"],
             "attachments": [{"file_uid": "f1", "name": "a.png", "size": 3}]},
            "not a record",
        ],
    }  # fmt: skip


def test_json_every_record_type() -> None:
    data = json.dumps(_keeper_json()).encode()
    found = adapters.detect(adapters.make_sample(data, "keeper.json"))
    assert found.adapter.info.key == "keeper-json"
    assert all(c < adapters.Confidence.LIKELY for k, c in found.tried if k != "keeper-json")
    doc, report = adapters.read(data, "keeper.json")
    items = _items(doc)
    assert _types(items["Amazon"]) == ["basic-auth", "note", "totp", "custom-fields"]
    amazon = items["Amazon"]
    assert amazon.scope is not None and len(amazon.scope.urls) == 2
    assert report.passkeys_to_recreate[0]["rp_id"] == "amazon.example"
    (card,) = [c for c in items["Chase Visa"].credentials if isinstance(c, m.CreditCard)]
    assert card.number is not None and card.number.value == CARD and card.pin is not None
    assert card.expiry_date is not None and card.expiry_date.value == "2030-06"
    assert card.full_name is not None and card.full_name.value == "SARAH J"
    passport = {cxf.credential_type(c): c for c in items["Passport"].credentials}
    doc_ = passport["passport"]
    assert isinstance(doc_, m.Passport) and doc_.birth_date is not None
    assert doc_.birth_date.field_type == "date" and doc_.passport_number is not None
    assert "person-name" in passport
    assert _types(items["Home"]) == ["address"]
    (wifi,) = items["Wi-Fi"].credentials
    assert isinstance(wifi, m.Wifi) and wifi.passphrase is not None and wifi.ssid is not None
    assert "ssh-key" in _types(items["Server key"])
    assert report.items_skipped == [("", "record $.records[7] is not a JSON object")]
    photo = [r for r in report.fields if r.path.startswith("$.records[6].attachments")]
    assert [r.note for r in photo] == ["attachments: a Keeper export holds no file bytes"]
    titles = [c.title for c in doc.accounts[0].collections]
    assert titles == ["Shopping", "Team"]
    problems = contract.check_accounting(KeeperJsonAdapter(), contract.Sample("k.json", data))
    assert problems == []
    text = report.render() + json.dumps(report.to_json())
    for secret in (SECRET, CARD, SEED, "wifi-pass-1", "8426"):
        assert secret not in text


def test_json_mutations_and_secrets() -> None:
    sample = contract.Sample("keeper.json", json.dumps(_keeper_json()).encode())
    assert contract.check_mutations(KeeperJsonAdapter(), sample, 40) == []
    assert contract.check_secrets(KeeperJsonAdapter(), sample, 20) == []


def test_bitwarden_and_keeper_json_do_not_claim_each_other() -> None:
    bw = {"encrypted": False, "items": [{"id": "x", "type": 1, "name": "n", "login": {}}]}
    sample = adapters.make_sample(json.dumps(bw).encode(), "bw.json")
    assert KeeperJsonAdapter().accepts(sample) == adapters.Confidence.NO
    other = {"records": [{"title": "a"}]}  # a title alone is no evidence
    assert (
        KeeperJsonAdapter().accepts(adapters.make_sample(json.dumps(other).encode(), "x.json"))
        == adapters.Confidence.NO
    )


_LEAF = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
_VALUE = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["$oneTimeCode", "$paymentCard", "$name", "$address",
                                        "$keyPair", "$passkey", "$url", "x", "$text:y:1"]),
                       _VALUE, max_size=5),
       st.sampled_from(["login", "bankCard", "passport", "wifiCredentials", "sshKeys", "x"]))  # fmt: skip
def test_json_custom_fields_of_any_shape(fields: dict[str, Any], rtype: str) -> None:
    """A new parser: any custom_fields shape gives an item or a skipped record, never a crash."""
    rec = {"title": "T", "uid": "u", "$type": rtype, "password": SECRET, "custom_fields": fields}
    data = json.dumps({"records": [rec]}).encode()
    try:
        _, report = adapters.read(data, "k.json", source_format="keeper-json")
    except CxkitError:
        return
    assert SECRET not in report.render()
