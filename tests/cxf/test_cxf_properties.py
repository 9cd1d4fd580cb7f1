"""Properties of the codec on documents drawn from the model (tests/cxf/strategies.py)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import strategies as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.cxf import model as m

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _bytes(value: Any) -> bytes:
    return msgspec.json.encode(value)


@SETTINGS
@given(cst.documents())
def test_lossless_validate_total_normalize_idempotent(value: Any) -> None:
    """decode∘encode keeps the JSON value (also from the model + Extra alone), validate never
    raises and reports registered codes only, normalize is a fixed point."""
    data = _bytes(value)
    doc = cxf.decode(data)
    assert json.loads(cxf.encode(doc)) == json.loads(data)
    rebuilt = cxf.Document(doc.header, doc.account_root)
    assert json.loads(cxf.encode(rebuilt)) == json.loads(data)
    findings = cxf.validate(doc)
    assert all(f.code in cxf.CODES for f in findings)
    once = cxf.encode(doc, normalize=True)
    again = cxf.decode(once)
    cxf.validate(again)
    assert cxf.encode(again, normalize=True) == once


@SETTINGS
@given(cst.documents(unknown_members=False))
def test_documents_from_the_model_decode_to_the_same_model(value: Any) -> None:
    data = _bytes(value)
    doc = cxf.decode(data)
    assert not [f for f in doc.findings if f.code != "credential.unknown-type"]
    assert cxf.encode(doc) == data  # model-encoded JSON is already canonical


@settings(max_examples=80, deadline=None)
@given(cst.credentials())
def test_every_credential_round_trips_as_a_fragment(credential: Any) -> None:
    data = cxf.encode_struct(credential)
    decoded, findings = cxf.decode_struct(data, m.Credential)
    assert type(decoded) is type(credential)
    assert decoded == credential
    assert json.loads(cxf.encode_struct(decoded)) == json.loads(data)
    assert {f.code for f in findings} <= {"credential.unknown-type"}


@settings(max_examples=60, deadline=None)
@given(cst.editable_fields(), st.data())
def test_editable_fields_with_unknown_members_round_trip(
    field: m.EditableField, data: st.DataObject
) -> None:
    value = json.loads(cxf.encode_struct(field))
    value = data.draw(cst.inject_unknown(value))
    decoded, _ = cxf.decode_struct(json.dumps(value), m.EditableField)
    assert json.loads(cxf.encode_struct(decoded)) == value
