"""Issue #17 item 2: repeated JSON member names are found wherever cxkit parses JSON.

A passkey with two ``rpId`` (or two keys) is refused; elsewhere in a CXF document a repeat is an
error finding of ``validate``; CXP/P0 messages refuse them; exports read through the kit refuse
them in passkeys and encrypted headers and report them otherwise.
"""

from __future__ import annotations

import json

import pytest
from _docs import document, dumps, passkey
from hypothesis import example, given
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.adapters.kit.input import duplicate_warnings, parse_json
from cxkit.cxf import model as m
from cxkit.cxf._dupes import find_duplicates, has_duplicates
from cxkit.cxp.messages import parse_json as parse_message
from cxkit.errors import CxkitError, DecodeError

PASSKEY_MEMBERS = ("credentialId", "rpId", "username", "userDisplayName", "userHandle", "key")
BASIC = {"type": "basic-auth", "username": {"fieldType": "string", "value": "sam"}}


def _repeat(text: bytes, member: str, value: str = '"evil.example"') -> bytes:
    """``text`` with a second passkey ``member`` right before the first one."""
    start = text.index(b'"type": "passkey"') if member != "type" else 0
    at = text.index(f'"{member}": '.encode(), start)
    return text[:at] + f'"{member}": {value}, '.encode() + text[at:]


@pytest.mark.parametrize("member", [*PASSKEY_MEMBERS, "type"])
@pytest.mark.parametrize("with_basic", [False, True])
def test_passkey_with_a_repeated_member_is_refused(member: str, with_basic: bool) -> None:
    creds = (passkey(), BASIC) if with_basic else (passkey(),)
    text = dumps(document(*creds))
    value = '"passkey"' if member == "type" else '"QUJD"'
    doc = cxf.decode(_repeat(text, member, value))
    item = doc.accounts[0].items[0]
    assert not any(isinstance(c, m.Passkey) for c in item.credentials)
    assert len(item.credentials) == len(creds)  # the rest of the item is read
    codes = [f.code for f in cxf.validate(doc)]
    assert "json.duplicate-member" in codes and "credential.invalid" in codes
    assert not any("QUJD" in f.message for f in cxf.validate(doc))


def test_clean_passkey_is_read() -> None:
    doc = cxf.decode(dumps(document(passkey(), BASIC)))
    assert isinstance(doc.accounts[0].items[0].credentials[0], m.Passkey)
    assert not [f for f in cxf.validate(doc) if f.code == "json.duplicate-member"]


def test_passkey_member_spelled_with_an_escape() -> None:
    text = _repeat(dumps(document(passkey())), "rpId").replace(
        b'"rpId": "evil', b'"rp\\u0049d": "evil'
    )
    doc = cxf.decode(text)
    assert not any(isinstance(c, m.Passkey) for c in doc.accounts[0].items[0].credentials)


def test_passkey_value_that_looks_like_a_name_is_still_read() -> None:
    """A false alarm of the cheap screen (a value spelled like a member name) costs time only."""
    doc = cxf.decode(dumps(document(passkey(userDisplayName="rpId"))))
    assert isinstance(doc.accounts[0].items[0].credentials[0], m.Passkey)


@pytest.mark.parametrize(
    ("before", "after", "path"),
    [
        ('"title": ', '"title": "x", "title": ', "$.accounts[0].items[0]"),
        ('"exporterRpId": ', '"exporterRpId": "x", "exporterRpId": ', "$"),
        ('"email": ', '"email": "x", "email": ', "$.accounts[0]"),
        ('"value": ', '"value": "x", "value": ', "$.accounts[0].items[0].credentials[0].username"),
    ],
)
def test_validate_reports_every_repeat(before: str, after: str, path: str) -> None:
    text = dumps(document()).replace(before.encode(), after.encode(), 1)
    found = [f for f in cxf.validate(cxf.decode(text)) if f.code == "json.duplicate-member"]
    assert [(f.path, f.severity) for f in found] == [(path, cxf.Severity.ERROR)]
    assert '"x"' not in found[0].message


def _android(inner: bytes) -> bytes:
    """``inner`` wrapped as Android's credential-manager payload (a base64 ``payload``)."""
    import base64

    return json.dumps({"version": 1, "payload": base64.b64encode(inner).decode()}).encode()


@pytest.mark.parametrize("member", ["rpId", "key"])
def test_passkey_repeat_inside_an_android_payload_is_refused(member: str) -> None:
    """Found in session 7: the wrapped document was decoded without the passkey check."""
    doc = cxf.decode(_android(_repeat(dumps(document(passkey(), BASIC)), member, '"QUJD"')))
    assert not any(isinstance(c, m.Passkey) for c in doc.accounts[0].items[0].credentials)
    found = [f for f in cxf.validate(doc) if f.code == "json.duplicate-member"]
    assert found and all(f.path.startswith("$.payload.accounts[0].items[0]") for f in found)


def test_other_repeats_inside_an_android_payload_are_reported() -> None:
    text = dumps(document()).replace(b'"title": ', b'"title": "x", "title": ', 1)
    doc = cxf.decode(_android(text))
    found = [f for f in cxf.validate(doc) if f.code == "json.duplicate-member"]
    assert [f.path for f in found] == ["$.payload.accounts[0].items[0]"]
    assert cxf.decode(_android(dumps(document()))).accounts  # a clean payload still reads


def test_cxp_messages_refuse_repeats() -> None:
    with pytest.raises(CxkitError):
        parse_message(b'{"version": 0, "version": 1}')


@pytest.mark.parametrize(
    "text",
    [
        b'{"items": [{"login": {"fido2Credentials": [{"rpId": "a", "rpId": "b"}]}}]}',
        b'{"encrypted": true, "encrypted": false, "data": "x"}',
        b'{"header": {"slots": [], "slots": null}, "db": "x"}',
    ],
)
def test_kit_refuses_repeats_that_change_security_meaning(text: bytes) -> None:
    with pytest.raises(DecodeError, match="appears twice") as info:
        parse_json(text, name="export.json")
    assert info.value.location and info.value.location.startswith("export.json: $")
    assert '"b"' not in str(info.value)


def test_kit_reports_other_repeats() -> None:
    with duplicate_warnings() as found:
        value = parse_json(b'{"items": [{"name": "a", "name": "secret-b"}]}', name="e.json")
    assert value == {"items": [{"name": "secret-b"}]}
    assert found == [
        "e.json: $.items[0]: member 'name' appears more than once; the last one was read"
    ]


def test_bitwarden_export_with_repeated_passkey_member_is_refused() -> None:
    from cxkit.adapters import read

    bw = {
        "encrypted": False,
        "items": [{"id": "1", "type": 1, "name": "x", "login": {"fido2Credentials": [
            {"credentialId": "a", "rpId": "a.example", "keyValue": "k"}]}}],
    }  # fmt: skip
    text = json.dumps(bw).replace('"rpId": "a.example"', '"rpId": "a.example", "rpId": "b.example"')
    with pytest.raises(CxkitError, match="appears twice"):
        read(text.encode(), "bw.json", source_format="bitwarden-json")


_keys = st.sampled_from(["a", "b", "c", "rpId"])
_json = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.lists(st.tuples(_keys, inner), max_size=4),
    max_leaves=12,
)


def _render(value: object) -> str:
    """JSON text; a list of (key, value) pairs is an object that may repeat a key."""
    if isinstance(value, list) and value and all(isinstance(p, tuple) for p in value):
        return "{" + ",".join(f"{json.dumps(k)}:{_render(v)}" for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_render(v) for v in value) + "]"
    return json.dumps(value)


def _repeats(value: object) -> int:
    if isinstance(value, list) and value and all(isinstance(p, tuple) for p in value):
        keys = [k for k, _ in value]
        own = len({k for k in keys if keys.count(k) > 1})
        return own + sum(_repeats(v) for _, v in value)
    if isinstance(value, list):
        return sum(_repeats(v) for v in value)
    return 0


@given(_json)
def test_scan_agrees_with_a_model(value: object) -> None:
    """Property: the fast scan and the path finder agree with a direct count on random JSON."""
    text = _render(value).encode()
    expected = _repeats(value)
    assert has_duplicates(text) == (expected > 0)
    assert len(find_duplicates(text)[1]) == expected


def test_scan_ignores_what_is_not_json() -> None:
    for text in (b"", b"{", b'{"a":1,"a":', b"\xff", b"[" * 100_000, b'{"a": NaN, "a": 1}'):
        assert not has_duplicates(text)
        assert find_duplicates(text) == (None, [])


_NAME = st.sampled_from(["a", "b", "a:b", "ü", ""]) | st.text(max_size=4)
_JSON_TEXT = st.recursive(
    st.sampled_from(["null", "true", "1", "-2.5e3", '"x:y"', '"\\\\u003a"', '"\\u003a"', '"é"']),
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
        | st.lists(st.tuples(_NAME, inner), max_size=4).map(
            lambda ms: (
                "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in ms) + "}"
            )
        )
    ),
    max_leaves=16,
)


@example('{"a": null, "a": "\\u003a"}')  # an escaped colon stands in for the lost member
@given(_JSON_TEXT)
def test_proof_of_unique_members_never_clears_a_repeat(text: str) -> None:
    """``_dupes.proven_unique`` (the kit's JSON input, issue #20): True only without repeats; and
    not vacuous — a text without escapes or repeats is proven."""
    import msgspec

    from cxkit.cxf._dupes import proven_unique

    data = text.encode()
    proven = proven_unique(data, msgspec.json.decode(data))
    if has_duplicates(data):
        assert not proven
    elif b"\\u" not in data:
        assert proven
