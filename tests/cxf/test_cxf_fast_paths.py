"""The decode / validate fast paths of issue #20 are sound: each shortcut gives what the slow,
exact way gives, on drawn documents with bad base64url, repeated members, nulls, whitespace and
unknown members.

* the base64url alphabet, checked in bulk after the strict decode (``cxf._alphabet``), instead of
  a msgspec pattern per value: same document and findings as the check per item;
* ``ids_clean``: when it clears a text, every ``"id"`` member there holds alphabet text;
* the validator's duplicate screen (``_proven_unique``): when it proves a source free of repeated
  members, the exact scan finds none; and the findings are those of the exact scan;
* the decoder's passkey screen (a strict item re-encoded is as long as its source).
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import typing
from typing import Any

import msgspec
import pytest
import strategies as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.cxf import _alphabet, codec
from cxkit.cxf import model as m
from cxkit.cxf._dupes import has_duplicates
from cxkit.errors import CxkitError

validate_module = importlib.import_module("cxkit.cxf.validate")

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def _b64_wire_names() -> set[str]:
    names = set()
    for cls in _all_structs():
        hints = typing.get_type_hints(cls, include_extras=True)
        for f in msgspec.structs.fields(cls):
            if _mentions_b64(hints[f.name]):
                names.add(f.encode_name)
    return names


def _mentions_b64(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        return (base is str and any(x is m.B64_META for x in meta)) or _mentions_b64(base)
    return any(_mentions_b64(a) for a in typing.get_args(annotation))


def _all_structs() -> list[type[m.CXFStruct]]:
    out: list[type[m.CXFStruct]] = []
    todo: list[type] = [m.CXFStruct]
    while todo:
        cls = todo.pop()
        out.append(cls)  # type: ignore[arg-type]
        todo.extend(cls.__subclasses__())
    return out


B64_NAMES = _b64_wire_names()


def _model_b64_values(obj: Any, out: list[str]) -> None:
    """Every b64url value of a model value, found independently of ``cxf._alphabet``."""
    if isinstance(obj, tuple):
        for element in obj:
            _model_b64_values(element, out)
        return
    if not isinstance(obj, m.CXFStruct):
        return
    hints = typing.get_type_hints(type(obj), include_extras=True)
    for f in msgspec.structs.fields(obj):
        if f.name == "cx_extra":
            continue
        value = getattr(obj, f.name)
        if isinstance(value, str) and _mentions_b64(hints[f.name]):
            out.append(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], str):
            if _mentions_b64(hints[f.name]):
                out.extend(value)
        else:
            _model_b64_values(value, out)


_objects = cst.json_objects


@st.composite
def damaged_b64(draw: st.DrawFn) -> Any:
    """A drawn document where some b64url members hold a character outside the alphabet."""
    value = draw(cst.documents())
    targets = [
        (obj, key)
        for obj in _objects(value, [])
        for key, member in obj.items()
        if key in B64_NAMES and isinstance(member, str)
    ]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        if not targets:
            break
        obj, key = draw(st.sampled_from(targets))
        bad = draw(st.sampled_from(["+", "/", "=", " ", ".", "é", "\\", '"']))
        at = draw(st.integers(min_value=0, max_value=len(obj[key])))
        obj[key] = obj[key][:at] + bad + obj[key][at:]
    return value


def _forced_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the decoder take its slow, exact way: the alphabet checked item by item."""
    monkeypatch.setattr(codec, "ids_clean", lambda data: False)
    monkeypatch.setattr(codec, "items_clean", lambda items: False)


@SETTINGS
@given(damaged_b64(), st.booleans())
def test_alphabet_bulk_check_equals_the_check_per_item(value: Any, ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":")).encode()
    doc = cxf.decode(data)
    values: list[str] = []
    _model_b64_values(doc.header, values)
    assert all(_ALPHABET.fullmatch(v) for v in values)  # what the msgspec pattern guaranteed
    with pytest.MonkeyPatch.context() as patch:
        _forced_checked(patch)
        exact = cxf.decode(data)
    assert exact.header == doc.header
    assert exact.findings == doc.findings
    assert cxf.encode(exact) == cxf.encode(doc)


@SETTINGS
@given(damaged_b64(), st.sampled_from([(",", ":"), (", ", ": "), (",", " : ")]))
def test_ids_clean_is_sound(value: Any, separators: tuple[str, str]) -> None:
    data = json.dumps(value, separators=separators).encode()
    pairs: list[tuple[str, Any]] = []
    json.loads(data, object_pairs_hook=lambda p: pairs.extend(p) or dict(p))
    if _alphabet.ids_clean(data):
        assert all(isinstance(v, str) and _ALPHABET.fullmatch(v) for k, v in pairs if k == "id")


def test_alphabet_helpers_agree() -> None:
    item = m.Item(
        id="AAAA",
        title="t",
        credentials=(
            m.Passkey(
                credential_id="AQ",
                rp_id="example.com",
                username="u",
                user_display_name="u",
                user_handle="AQ",
                key="AAAA",
            ),
            m.BasicAuth(username=m.EditableField(field_type="string", value="x", id="AQ")),
        ),
    )
    assert _alphabet.items_clean([item]) and _alphabet.clean(item)
    assert _alphabet.passkeys_clean([item])
    for bad in (
        msgspec.structs.replace(item, id="AA=A"),
        msgspec.structs.replace(
            item,
            credentials=(
                msgspec.structs.replace(item.credentials[0], key="AA+A"),
                item.credentials[1],
            ),
        ),
        msgspec.structs.replace(
            item,
            credentials=(
                item.credentials[0],
                m.BasicAuth(username=m.EditableField(field_type="string", value="x", id="A/")),
            ),
        ),
    ):
        assert not _alphabet.items_clean([bad])
        assert not _alphabet.clean(bad)
    assert not _alphabet.passkeys_clean(
        [
            msgspec.structs.replace(
                item, credentials=(msgspec.structs.replace(item.credentials[0], key="A A"),)
            )
        ]
    )


def test_every_holder_of_a_b64_member_other_than_id_is_counted() -> None:
    """The decoder skips walking items for b64url members other than ``id`` unless a struct
    holding one was made (``model.b64_members_made``) — true for every such class but the
    passkey family, which ``passkeys_clean`` covers."""
    passkey_family = {m.Passkey, m.Fido2Extensions, m.Fido2HmacCredentials, m.Fido2LargeBlob}
    for cls in _all_structs():
        hints = typing.get_type_hints(cls, include_extras=True)
        others = [
            f.name
            for f in msgspec.structs.fields(cls)
            if f.name != "id" and f.name != "cx_extra" and _holds_b64_directly(hints[f.name])
        ]
        if not others or cls in passkey_family:
            continue
        before = m.b64_members_made()
        msgspec.convert(_minimal(cls), cls)
        assert m.b64_members_made() == before + 1, cls.__name__


def _holds_b64_directly(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        return base is str and any(x is m.B64_META for x in meta)
    if typing.get_origin(annotation) is tuple:
        return _holds_b64_directly(typing.get_args(annotation)[0])
    return any(_holds_b64_directly(a) for a in typing.get_args(annotation) if a is not type(None))


def _minimal(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tag = cls.__struct_config__.tag_field  # type: ignore[attr-defined]
    if tag is not None:
        out[tag] = cls.__struct_config__.tag  # type: ignore[attr-defined]
    hints = typing.get_type_hints(cls, include_extras=True)
    for f in msgspec.structs.fields(cls):
        if f.required:
            out[f.encode_name] = _sample_for(hints[f.name])
    return out


def _sample_for(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _sample_for(typing.get_args(annotation)[0])
    if origin is tuple:
        return []
    if annotation is str:
        return "AQ"
    if annotation is int:
        return 1
    if annotation is bool:
        return True
    if isinstance(annotation, type) and issubclass(annotation, m.CXFStruct):
        return _minimal(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return _sample_for(args[0])


# --------------------------------------------------------------------------- duplicates


def _dump(value: Any, target: int, name: str, extra: Any, sep: tuple[str, str]) -> str:
    """JSON text of ``value`` where the object ``id(target)`` has ``name`` twice (``extra``
    first, its own value last: readers keep the last)."""
    comma, colon = sep
    if isinstance(value, dict):
        parts = []
        if id(value) == target:
            parts.append(json.dumps(name) + colon + _dump(extra, target, name, extra, sep))
        for key, member in value.items():
            parts.append(json.dumps(key) + colon + _dump(member, target, name, extra, sep))
        return "{" + comma.join(parts) + "}"
    if isinstance(value, list):
        return "[" + comma.join(_dump(v, target, name, extra, sep) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


@st.composite
def documents_with_repeats(draw: st.DrawFn) -> bytes:
    value = draw(cst.documents())
    objects = [o for o in _objects(value, []) if o]
    if draw(st.booleans()) and objects:  # a null somewhere
        obj = draw(st.sampled_from(objects))
        obj[draw(st.sampled_from(sorted(obj)))] = None
    sep = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    if not objects or not draw(st.integers(min_value=0, max_value=3)):
        return _dump(value, 0, "", None, sep).encode()
    target = draw(st.sampled_from(objects))
    name = draw(st.sampled_from(sorted(target)))
    extra = draw(st.sampled_from([target[name], "", 0, None, {"a": 1}, [], "x:y"]))
    return _dump(value, id(target), name, extra, sep).encode()


@SETTINGS
@given(documents_with_repeats())
def test_duplicate_screen_is_sound(data: bytes) -> None:
    try:
        doc = cxf.decode(data)
    except CxkitError:  # a null where the document cannot do without the member
        return
    if validate_module._proven_unique(doc):
        assert not has_duplicates(data)
    findings = cxf.validate(doc)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate_module, "_proven_unique", lambda doc: False)
        assert cxf.validate(doc) == findings
    # the decoder's passkey screen: a strict item it clears has no repeated member
    for _, raws in doc.sources.values():
        for raw in raws:
            text = bytes(raw)
            try:
                item = codec._ITEM.decode(text)
            except (msgspec.ValidationError, msgspec.DecodeError):
                continue
            if not codec._may_repeat_passkey_member(text, item, escapes=b"\\u" in data):
                assert not has_duplicates(text)


def test_duplicate_screen_proves_a_compact_document() -> None:
    """The screen is not vacuous: a compact document without repeats is proven, and a repeat
    at each level (header, account, collection, item, credential, field) is not."""
    from importlib import resources

    sample = resources.files("cxkit.samples").joinpath("sample-vault.cxf.json").read_bytes()
    data = msgspec.json.encode(msgspec.json.decode(sample))
    assert validate_module._proven_unique(cxf.decode(data))
    value = json.loads(data)
    account = value["accounts"][0]
    item = account["items"][0]
    credential = item["credentials"][0]
    field = next(v for v in credential.values() if isinstance(v, dict))
    places: list[dict[str, Any]] = [value, account, item, credential, field]
    if account.get("collections"):
        places.append(account["collections"][0])
    for obj in places:
        name = next(iter(obj))
        text = _dump(value, id(obj), name, obj[name], (",", ":")).encode()
        doc = cxf.decode(text)
        assert not validate_module._proven_unique(doc)
        assert any(f.code == "json.duplicate-member" for f in cxf.validate(doc))


def _frame_holds(doc: cxf.Document) -> bool:
    """The container part of the duplicate screen by length (codec.Screen.frame)."""
    assert doc.screen is not None and doc.source is not None
    if doc.screen.frame is None:
        return False
    kept = sum(len(raw) for _, raws in doc.sources.values() for raw in raws)
    return doc.screen.frame + kept == validate_module._root_length(doc.source)


def test_container_frame_proves_compact_containers_only() -> None:
    """The frame (issue #20) replaces counting colons for a compact document: it holds for one
    (also with white space around the root), fails with a space between container tokens (the
    colon count then decides, and still proves it) and with a repeated Header or Account member
    (then nothing proves it, and the exact scan reports the repeat)."""
    from importlib import resources

    sample = resources.files("cxkit.samples").joinpath("sample-vault.cxf.json").read_bytes()
    value = json.loads(sample)
    value["accounts"].append(copy.deepcopy(value["accounts"][0]))
    value["accounts"][1]["id"] = "QUJD"
    for item in value["accounts"][1]["items"]:
        item["id"] = item["id"][:-2] + ("QQ" if item["id"][-2:] != "QQ" else "Zw")
    compact = msgspec.json.encode(value)
    for data in (compact, b"\n " + compact + b"\r\n"):
        doc = cxf.decode(data)
        assert _frame_holds(doc)
        assert validate_module._proven_unique(doc)
    accounts = b",".join(msgspec.json.encode(a) for a in value["accounts"])
    header = {k: v for k, v in value.items() if k != "accounts"}
    spaced = msgspec.json.encode(header)[:-1] + b', "accounts": [' + accounts + b"]}"
    doc = cxf.decode(spaced)
    assert not _frame_holds(doc)
    assert validate_module._proven_unique(doc)  # by colons
    assert not has_duplicates(spaced)
    for obj in (value, value["accounts"][0], value["accounts"][1]):
        for name in list(obj)[:3]:
            text = _dump(value, id(obj), name, obj[name], (",", ":")).encode()
            doc = cxf.decode(text)
            assert not _frame_holds(doc), name
            assert not validate_module._proven_unique(doc)
            assert any(f.code == "json.duplicate-member" for f in cxf.validate(doc))


def test_container_frame_counts_skipped_items() -> None:
    """An item the decoder skipped is not among the kept bytes: the frame counts its place, so
    it never holds then (a repeat elsewhere could otherwise make up the difference)."""
    from importlib import resources

    sample = resources.files("cxkit.samples").joinpath("sample-vault.cxf.json").read_bytes()
    value = json.loads(sample)
    value["accounts"][0]["items"].append(7)  # not an object: skipped with a finding
    doc = cxf.decode(msgspec.json.encode(value))
    assert any(f.path.startswith("$.accounts[0].items[") for f in doc.findings)
    assert not _frame_holds(doc)


def test_linked_item_with_unusable_id_is_kept_on_the_round_trip() -> None:
    """Found by the property test while making #20: an unusable collection member was dropped
    from the lossless output (the source array is now written back while unchanged)."""
    value = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "",
        "exporterDisplayName": "",
        "timestamp": 0,
        "accounts": [
            {
                "id": "AQ",
                "username": "",
                "email": "",
                "collections": [{"id": "Ag", "title": "", "items": [{"item": ":"}]}],
                "items": [],
            }
        ],
    }
    data = json.dumps(value).encode()
    doc = cxf.decode(data)
    assert [f.code for f in doc.findings] == ["member.invalid-element"]
    assert json.loads(cxf.encode(doc)) == value


@st.composite
def items_with_a_repeat(draw: st.DrawFn) -> bytes:
    item = draw(cst.items())
    value = json.loads(cxf.encode_struct(item))
    objects = [o for o in _objects(value, []) if o]
    target = draw(st.sampled_from(objects))
    name = draw(st.sampled_from(sorted(target)))
    extra = draw(st.sampled_from([target[name], "", 0, {"a": 1}, []]))
    return _dump(value, id(target), name, extra, (",", ":")).encode()


@SETTINGS
@given(items_with_a_repeat())
def test_passkey_screen_flags_every_strict_item_with_a_repeat(text: bytes) -> None:
    assert has_duplicates(text)
    try:
        item = codec._ITEM.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return  # not a strict item: the decoder checks it exactly
    assert codec._may_repeat_passkey_member(text, item, escapes=b"\\u" in text)


def _escape_u_reference(text: bytes) -> bool:
    i = 0
    while i < len(text):
        if text[i : i + 1] == b"\\":
            if text[i + 1 : i + 2] == b"u":
                return True
            i += 2
        else:
            i += 1
    return False


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('ab\\"u\n\x01é/')), max_size=80), st.booleans())
def test_unicode_escape_search(texts: list[str], ascii_only: bool) -> None:
    data = json.dumps(texts, ensure_ascii=ascii_only).encode()
    assert codec._has_unicode_escape(data) == _escape_u_reference(data)


def test_the_count_of_b64_holders_is_per_thread() -> None:
    """Another thread making such structs neither changes this thread's count nor, through a
    lost update, hides one this thread made."""
    import threading

    before = m.b64_members_made()
    done = threading.Event()

    def other() -> None:
        for _ in range(1000):
            m.LinkedItem(item="AQ")
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert done.is_set()
    assert m.b64_members_made() == before
    m.LinkedItem(item="AQ")
    assert m.b64_members_made() == before + 1


def _masked_repeat(member: str, value: str, extension: dict[str, Any]) -> str:
    """A repeated ``member`` (first copy, then the real one) whose first copy is exactly as long
    as the extra bytes an extension kept verbatim gets when the model is encoded again: a
    length screen that took such an item for a plain strict item would see equal lengths."""
    verbatim = m.UnknownExtension(
        extension_name=extension["name"],
        members={k: v for k, v in extension.items() if k != "name"},
    )
    extra = len(msgspec.json.encode(verbatim)) - len(msgspec.json.encode(extension))
    padding = extra - len(f'"{member}":"",')
    assert padding > 0
    return f'"{member}":"{"x" * padding}","{member}":"{value}"'


_VENDOR = {"name": "vendor/example", "k": 1}
_HEADER = (
    '{"version":{"major":1,"minor":0},"exporterRpId":"example.com","exporterDisplayName":"x",'
    '"timestamp":1,"accounts":[{"id":"AQ","username":"u","email":"e@example.com",'
    '"collections":[],"items":[%s]}]}'
)


def test_a_repeat_in_a_passkey_is_found_beside_a_vendor_extension() -> None:
    """An extension kept verbatim encodes longer than its source: its item is not screened by
    length (it would have hidden this repeat), and the passkey with the repeat is refused."""
    passkey = (
        '{"type":"passkey","credentialId":"AQID","username":"u","userDisplayName":"u",'
        '"userHandle":"AQID","key":"AQID",' + _masked_repeat("rpId", "example.com", _VENDOR) + "}"
    )
    item = (
        '{"id":"AQID","title":"t","credentials":[' + passkey + '],"extensions":['
        + json.dumps(_VENDOR, separators=(",", ":")) + "]}"
    )  # fmt: skip
    doc = cxf.decode((_HEADER % item).encode())
    codes = {(f.code, f.path) for f in doc.findings}
    assert ("json.duplicate-member", "$.accounts[0].items[0].credentials[0]") in codes
    (read,) = doc.header.accounts[0].items
    assert isinstance(read.credentials[0], m.UnknownCredential)


def test_a_repeat_beside_a_vendor_extension_is_reported_by_the_validator() -> None:
    """The validator's duplicate screen (``_proven_unique``) counts such an item with the
    tolerant ones (scanned exactly), not with the plain strict items it proves by length."""
    note = '{"type":"note","content":{"fieldType":"string","value":"n"}}'
    plain = '{"id":"AQIE","title":"p","credentials":[' + note + "]}"
    item = (
        '{"id":"AQID",' + _masked_repeat("title", "t", _VENDOR) + ',"credentials":[' + note
        + '],"extensions":[' + json.dumps(_VENDOR, separators=(",", ":")) + "]}"
    )  # fmt: skip
    doc = cxf.decode((_HEADER % f"{plain},{item}").encode())
    (read,) = [i for i in doc.header.accounts[0].items if i.id == "AQID"]
    assert isinstance(read.extensions[0], m.UnknownExtension)
    found = [f for f in cxf.validate(doc) if f.code == "json.duplicate-member"]
    assert [f.path for f in found] == ["$.accounts[0].items[1]"]
    assert "'title'" in found[0].message
