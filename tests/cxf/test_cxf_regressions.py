"""Regression tests for bugs found while writing the CXF test suite (no ../shared needed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cxkit import cxf
from cxkit.cxf import model as m
from cxkit.errors import DecodeError


def document(*credentials: Any, **item_members: Any) -> bytes:
    item = {"id": "aXRlbQ", "title": "t", "credentials": list(credentials), **item_members}
    account = {"id": "YWNj", "username": "", "email": "", "collections": [], "items": [item]}
    header = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "cxkit.test",
        "exporterDisplayName": "t",
        "timestamp": 1,
        "accounts": [account],
    }
    return json.dumps(header).encode()


def credentials_after(data: bytes, *, from_model: bool) -> list[Any]:
    doc = cxf.decode(data)
    if from_model:
        doc = cxf.Document(doc.header, doc.account_root)
    out: list[Any] = json.loads(cxf.encode(doc))["accounts"][0]["items"][0]["credentials"]
    return out


@pytest.mark.parametrize(
    "credential",
    [
        {"type": "vendor.example/x", "ty": 1},  # `ty` next to `type` was dropped
        {"a": 1},  # no type: `"type": ""` was invented
        {"ty": 5},  # non-string `ty`: dropped and `"type": ""` invented
        {"type": None, "x": 1},
        {"type": 7},
        {"type": "note"},  # a known type without its required member
    ],
)
def test_unknown_or_unreadable_credentials_encode_verbatim_from_the_model(
    credential: dict[str, Any],
) -> None:
    """codec._to_json(UnknownCredential): verbatim when the item is encoded from the model."""
    data = document(credential)
    assert credentials_after(data, from_model=False) == [credential]
    assert credentials_after(data, from_model=True) == [credential]


def test_legacy_ty_is_upgraded_to_type_when_encoded_from_the_model() -> None:
    """Documented behaviour (not lossless in spelling): Bitwarden's old `ty` becomes `type`."""
    data = document({"ty": "vendor.example/y", "a": 1})
    assert credentials_after(data, from_model=False) == [{"ty": "vendor.example/y", "a": 1}]
    assert credentials_after(data, from_model=True) == [{"type": "vendor.example/y", "a": 1}]


def test_empty_optional_ids_are_reported_on_both_decoder_paths() -> None:
    """validate._Checker.identifier: an empty EditableField / custom-fields id was silent when the
    item took the fast path, reported (id.empty) when it took the tolerant one."""
    field = {"id": "", "fieldType": "string", "value": "v"}
    custom = {"type": "custom-fields", "id": "", "fields": [field]}
    fast = cxf.validate(cxf.decode(document(custom)))
    slow = cxf.validate(cxf.decode(document(custom, xVendor=1)))
    paths = {
        "$.accounts[0].items[0].credentials[0].id",
        "$.accounts[0].items[0].credentials[0].fields[0].id",
    }
    assert {f.path for f in fast if f.code == "id.empty"} == paths
    assert {f.path for f in slow if f.code == "id.empty"} == paths


def test_decode_struct_of_a_tagged_class_does_not_report_its_tag() -> None:
    """codec.decode_struct: `name` of a SharedExtension / `type` of a concrete credential class
    was reported as an unknown member; the base Extension class was built as such."""
    ext, findings = cxf.decode_struct(b'{"name": "shared", "accessors": []}', m.SharedExtension)
    assert ext == m.SharedExtension(accessors=()) and findings == ()
    note = b'{"type": "note", "content": {"fieldType": "string", "value": "x"}}'
    obj, findings = cxf.decode_struct(note, m.Note)
    assert isinstance(obj, m.Note) and findings == ()
    assert json.loads(cxf.encode_struct(obj)) == json.loads(note)
    with pytest.raises(DecodeError, match="not a Note"):
        cxf.decode_struct(b'{"type": "totp"}', m.Note)


def test_decode_struct_dispatches_extensions_on_their_name() -> None:
    vendor = {"name": "cxkit.test/color", "color": "red"}
    obj, findings = cxf.decode_struct(json.dumps(vendor), m.Extension)
    assert isinstance(obj, m.UnknownExtension) and findings == ()
    assert json.loads(cxf.encode_struct(obj)) == vendor
    obj, _ = cxf.decode_struct(b'{"name": "shared", "accessors": []}', m.Extension)
    assert isinstance(obj, m.SharedExtension)
    with pytest.raises(DecodeError):
        cxf.decode_struct(b'{"name": 3}', m.Extension)


def test_decode_struct_deep_nesting_is_a_decode_error() -> None:
    """codec.decode_struct: RecursionError escaped from msgspec for deeply nested input."""
    with pytest.raises(DecodeError, match="nested too deeply"):
        cxf.decode_struct(b"[" * 100_000 + b"]" * 100_000, m.Credential)


@pytest.mark.parametrize("exhaustive", [False, True])
def test_note_content_with_another_field_type_is_reported(exhaustive: bool) -> None:
    """Found in session 7: a required EditableField (``Note.content``) was never checked against
    its prescribed fieldType ("string", spec §3.3.11), by either validation path."""
    from cxkit.cxf.validate import validate

    note = {"type": "note", "content": {"fieldType": "number", "value": "12"}}
    findings = validate(cxf.decode(document(note)), _exhaustive=exhaustive)
    paths = [f.path for f in findings if f.code == "field.type-mismatch"]
    assert paths == ["$.accounts[0].items[0].credentials[0].content.fieldType"]
    good = {"type": "note", "content": {"fieldType": "string", "value": "12"}}
    assert not validate(cxf.decode(document(good)), _exhaustive=exhaustive)
