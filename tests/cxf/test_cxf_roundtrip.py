"""Lossless encoding and editing semantics on the project's own small documents (tests/cxf/data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cxkit import cxf
from cxkit.cxf import model as m

DATA = Path(__file__).with_name("data")
DOCS = sorted(p.name for p in DATA.glob("*.json"))


def load(name: str) -> tuple[bytes, cxf.Document]:
    data = (DATA / name).read_bytes()
    return data, cxf.decode(data)


def first_item(doc: cxf.Document) -> m.Item:
    return doc.accounts[0].items[0]


def with_item(doc: cxf.Document, item: m.Item) -> cxf.Document:
    """``doc`` with its first item replaced (keeps the other items' sources)."""
    account = doc.accounts[0]
    account = cxf.replace(account, items=(item, *account.items[1:]))
    header = cxf.replace(doc.header, accounts=(account, *doc.accounts[1:]))
    return cxf.Document(header, doc.account_root, doc.findings, doc.sources)


@pytest.mark.parametrize("name", DOCS)
def test_data_round_trip_is_lossless(name: str) -> None:
    data, doc = load(name)
    assert json.loads(cxf.encode(doc)) == json.loads(data)
    assert json.loads(cxf.encode(cxf.Document(doc.header, doc.account_root))) == json.loads(data)


@pytest.mark.parametrize("name", DOCS)
def test_data_normalize_is_canonical_and_idempotent(name: str) -> None:
    _, doc = load(name)
    once = cxf.encode(doc, normalize=True)
    again = cxf.decode(once)
    bad = [f for f in cxf.validate(again) if f.code.startswith(("b64.", "json.null", "timestamp."))]
    assert bad == []
    assert cxf.encode(again, normalize=True) == once


def test_small_valid_document_has_no_findings() -> None:
    _, doc = load("small-valid.json")
    assert cxf.validate(doc) == []


def test_quirks_document_findings() -> None:
    _, doc = load("quirks.json")
    assert {f.code for f in cxf.validate(doc)} == {
        "b64.padded",
        "timestamp.fractional",
        "json.null",
        "member.unknown",
        "field.value-not-string",
        "credential.unknown-type",
        "array.empty-optional",
    }


def test_replace_item_title_keeps_unknown_members() -> None:
    data, doc = load("quirks.json")
    item = first_item(doc)
    edited = cxf.replace(item, title="x")
    assert cxf.unknown_members(edited) == {"vendorItem": {"keep": "me"}}
    out = json.loads(cxf.encode(with_item(doc, edited)))
    expected: Any = json.loads(data)
    expected["accounts"][0]["items"][0]["title"] = "x"
    assert out == expected  # everything else, unknown members and quirky spellings included


def test_edited_member_source_spelling_is_not_written_back() -> None:
    _, doc = load("quirks.json")
    item = first_item(doc)
    edited = cxf.replace(item, id="bmV3LWlk", creation_at=1)
    out = json.loads(cxf.encode(with_item(doc, edited)))["accounts"][0]["items"][0]
    assert out["id"] == "bmV3LWlk"
    assert out["creationAt"] == 1


def test_replacing_a_non_canonical_password_does_not_bring_the_old_value_back() -> None:
    _, doc = load("quirks.json")
    item = first_item(doc)
    basic = item.credentials[0]
    assert isinstance(basic, m.BasicAuth) and basic.password is not None
    assert basic.password.value == "123456789"  # the source said 123456789 (a JSON number)
    # 1. a whole new EditableField
    new_field = m.EditableField(field_type="concealed-string", value="new-secret")
    new_basic = cxf.replace(basic, password=new_field)
    out = cxf.encode(
        with_item(doc, cxf.replace(item, credentials=(new_basic, *item.credentials[1:])))
    )
    assert b"123456789" not in out and b"cGFzcw" not in out
    password = json.loads(out)["accounts"][0]["items"][0]["credentials"][0]["password"]
    assert password == {"fieldType": "concealed-string", "value": "new-secret"}
    # 2. the same field object with a new value: its padded id stays, the old value does not
    edited_field = cxf.replace(basic.password, value="other-secret")
    new_basic = cxf.replace(basic, password=edited_field)
    out = cxf.encode(
        with_item(doc, cxf.replace(item, credentials=(new_basic, *item.credentials[1:])))
    )
    assert b"123456789" not in out
    password = json.loads(out)["accounts"][0]["items"][0]["credentials"][0]["password"]
    assert password == {"id": "cGFzcw==", "fieldType": "concealed-string", "value": "other-secret"}
    # 3. unchanged: the source spelling (a number) is written back
    out = cxf.encode(cxf.Document(doc.header, doc.account_root))
    password = json.loads(out)["accounts"][0]["items"][0]["credentials"][0]["password"]
    assert password["value"] == 123456789


def test_removing_a_null_member_stays_removed_and_setting_it_wins() -> None:
    _, doc = load("quirks.json")
    item = first_item(doc)
    assert item.subtitle is None
    out = json.loads(cxf.encode(with_item(doc, cxf.replace(item, subtitle="sub"))))
    assert out["accounts"][0]["items"][0]["subtitle"] == "sub"


def test_unknown_credential_and_extension_survive_normalize() -> None:
    _, doc = load("quirks.json")
    out = json.loads(cxf.encode(doc, normalize=True))
    item = out["accounts"][0]["items"][0]
    assert item["credentials"][1] == {
        "type": "org.example/loyalty",
        "points": 12,
        "nested": {"deep": [True, None]},
    }
    assert item["extensions"] == [{"name": "cxkit.test/color", "color": "red"}]
    assert item["vendorItem"] == {"keep": "me"}
    assert "tags" not in item and "subtitle" not in item
    assert item["id"] == "aXRlbS0xMg" and item["creationAt"] == 1705142400


def test_new_document_from_the_model_encodes_canonically() -> None:
    item = m.Item(
        id="aXRlbQ",
        title="new",
        credentials=(m.Note(content=m.EditableField(field_type="string", value="hi")),),
    )
    account = m.Account(id="YWNj", username="u", email="e@x", collections=(), items=(item,))
    header = m.Header(
        version=m.CXF_VERSION,
        exporter_rp_id="cxkit.test",
        exporter_display_name="t",
        timestamp=1,
        accounts=(account,),
    )
    doc = cxf.Document(header)
    data = cxf.encode(doc)
    assert data == cxf.encode(doc, normalize=True)
    again = cxf.decode(data)
    assert again.header == header
    assert cxf.validate(again) == []
    assert json.loads(data)["accounts"][0]["collections"] == []  # required arrays are written
