"""The decoder's hot item loop and its null handling (issue #20) give what the exact way gives.

* ``null``: the model's optional members are typed without ``None`` at run time
  (``model._absent_is_not_null``), so the strict decoder refuses a ``null`` itself and the
  decoder no longer scans the text for one. The reference below is the way before: every item
  whose text holds a ``null`` goes to the tolerant tiers, the others to the strict decoder.
* the item loop: the usual item (strict, no passkey) is appended and nothing else;
  everything else goes through the same per-item steps as the general loop.

Both are compared on drawn documents with nulls, unknown members, unknown credential types,
passkeys with repeated members, and base64url values outside the alphabet: same Header, same
findings in the same order, same lossless bytes, same screen for the validator.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import msgspec
import pytest
import strategies as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.cxf import codec
from cxkit.cxf import model as m
from cxkit.cxf._dupes import has_duplicates
from cxkit.cxf._lenient import has_json_null
from cxkit.errors import CxkitError

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _reference(patch: pytest.MonkeyPatch) -> None:
    """Decode with the reference loop below in place of both of the codec's item loops; the
    alphabet check in bulk then looks at every item."""

    def loop(
        raws: list[msgspec.Raw], path: str, ctx: Any
    ) -> tuple[list[m.Item], list[msgspec.Raw], list[m.Item], list[m.Item], list[int]]:
        items, kept, passkey_items, tolerant = _reference_loop(raws, path, ctx, checked=False)
        return items, kept, passkey_items, items, tolerant

    def loop_checked(
        raws: list[msgspec.Raw], path: str, ctx: Any
    ) -> tuple[list[m.Item], list[msgspec.Raw], list[int]]:
        items, kept, _, tolerant = _reference_loop(raws, path, ctx, checked=True)
        return items, kept, tolerant

    patch.setattr(codec, "_decode_item_loop", loop)
    patch.setattr(codec, "_decode_item_loop_checked", loop_checked)


def _reference_loop(
    raws: list[msgspec.Raw], path: str, ctx: Any, *, checked: bool
) -> tuple[list[m.Item], list[msgspec.Raw], list[m.Item], list[int]]:
    """The item loop as it was before issue #20's last changes: a per-item ``null`` check in
    front of the strict decoder, every step in one loop."""
    items: list[m.Item] = []
    kept: list[msgspec.Raw] = []
    passkey_items: list[m.Item] = []
    tolerant: list[int] = []
    for index, item_raw in enumerate(raws):
        item: m.Item | None = None
        made = m.PASSKEYS_MADE[0]
        if not has_json_null(bytes(item_raw)):
            try:
                item = codec._ITEM.decode(item_raw)
            except codec._STRICT_ERRORS:
                item = None
            if checked and item is not None and not codec.clean(item):
                item = None
        if ctx.check_duplicates and (item is None or m.PASSKEYS_MADE[0] != made):
            text = bytes(item_raw)
            if codec._may_repeat_passkey_member(text, item, ctx.escapes) and has_duplicates(text):
                item = codec._decode_item_duplicates(text, f"{path}[{index}]", ctx)
                if item is not None:
                    tolerant.append(len(items))
                    items.append(item)
                    kept.append(item_raw)
                continue
        if item is None:
            item = codec._decode_item_slow(item_raw, path, index, ctx)
            if item is None:
                continue
            tolerant.append(len(items))
        items.append(item)
        kept.append(item_raw)
        if m.PASSKEYS_MADE[0] != made:
            passkey_items.append(item)
    return items, kept, passkey_items, tolerant


def _same_as_reference(data: bytes) -> None:
    try:
        doc = cxf.decode(data)
    except CxkitError as exc:
        with pytest.MonkeyPatch.context() as patch:
            _reference(patch)
            with pytest.raises(type(exc)):
                cxf.decode(data)
        return
    with pytest.MonkeyPatch.context() as patch:
        _reference(patch)
        exact = cxf.decode(data)
    assert exact.header == doc.header
    assert [(f.severity, f.code, f.path, f.message) for f in exact.findings] == [
        (f.severity, f.code, f.path, f.message) for f in doc.findings
    ]
    assert cxf.encode(exact) == cxf.encode(doc)
    assert (exact.screen is None) == (doc.screen is None)
    if exact.screen is not None and doc.screen is not None:  # (keyed by id(account))
        assert exact.screen.names == doc.screen.names
        assert [bytes(r) for r in exact.screen.raws] == [bytes(r) for r in doc.screen.raws]
        assert list(exact.screen.tolerant.values()) == list(doc.screen.tolerant.values())
    assert list(cxf.validate(exact)) == list(cxf.validate(doc))


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A drawn document with some members set to ``null``, some nulls added, a base64url value
    or two outside the alphabet, and maybe a repeated member in a passkey."""
    value = draw(cst.documents())
    objects = cst.json_objects(value, [])
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if not objects:
            break
        target = draw(st.sampled_from(objects))
        keys = sorted(target)
        if keys and draw(st.booleans()):
            target[draw(st.sampled_from(keys))] = None
        else:
            name = draw(st.sampled_from(["subtitle", "label", "id", "scope", "issuer", "xNull"]))
            target.setdefault(name, None)
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        holders = [o for o in objects if isinstance(o.get("id"), str)]
        if holders:
            target = draw(st.sampled_from(holders))
            target["id"] = target["id"] + draw(st.sampled_from(["+", "=", " ", "é"]))
    text = json.dumps(value, separators=(",", ":"))
    if draw(st.booleans()):  # a repeated member in the first passkey, if there is one
        text = text.replace('{"type":"passkey",', '{"type":"passkey","rpId":"a.example",', 1)
    return text.encode()


@SETTINGS
@given(damaged())
def test_decode_equals_the_reference_loop(data: bytes) -> None:
    _same_as_reference(data)


def test_the_generated_benchmark_document_equals_the_reference() -> None:
    """The benchmark's mix (unknown types, vendor members, passkeys) at a small size."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    try:
        from gen_cxf import generate
    finally:
        sys.path.pop(0)
    data = generate(400)
    _same_as_reference(data)
    value = json.loads(data)
    items = value["accounts"][0]["items"]
    items[3]["subtitle"] = None
    items[7]["credentials"][0]["xVendor"] = None
    items[9]["tags"] = [None]
    damaged = json.dumps(value, separators=(",", ":")).encode()
    _same_as_reference(damaged)
    doc = cxf.decode(damaged)
    codes = {(f.code, f.path) for f in doc.findings}
    assert ("json.null", "$.accounts[0].items[3].subtitle") in codes
    assert cxf.encode(doc) == damaged


def _all_structs() -> list[type[m.CXFStruct]]:
    out: list[type[m.CXFStruct]] = []
    todo: list[type] = [m.CXFStruct]
    while todo:
        cls = todo.pop()
        out.append(cls)  # type: ignore[arg-type]
        todo.extend(cls.__subclasses__())
    return out


def test_optional_members_are_those_that_default_to_none() -> None:
    for cls in _all_structs():
        none_default = {f.name for f in msgspec.structs.fields(cls) if f.default is None}
        assert m.optional_members(cls) == none_default, cls.__name__


def test_the_strict_decoder_refuses_null_in_every_optional_member() -> None:
    """What replaced the scan for ``null``: each optional member of each struct, set to null in
    an object that is otherwise fine, makes the strict decoder refuse the object."""
    checked = 0
    for cls in _all_structs():
        if cls.__struct_config__.tag_field is not None and cls.__struct_config__.tag is None:
            continue  # the untagged bases (Credential, Extension)
        base = _minimal(cls)
        if base is None:
            continue
        msgspec.convert(base, cls)  # fine as it is
        for f in msgspec.structs.fields(cls):
            if f.default is not None or f.name == "cx_extra":
                continue
            with pytest.raises(msgspec.ValidationError):
                msgspec.convert({**base, f.encode_name: None}, cls)
            checked += 1
    assert checked > 80


def _minimal(cls: type) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    config = cls.__struct_config__  # type: ignore[attr-defined]
    if config.tag_field is not None:
        out[config.tag_field] = config.tag
    hints = typing.get_type_hints(cls, include_extras=True)
    for f in msgspec.structs.fields(cls):
        if f.required:
            sample = _sample(hints[f.name])
            if sample is None:
                return None
            out[f.encode_name] = sample
    return out


def _sample(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base = typing.get_args(annotation)[0]
        if base is m.EditableField:
            return {"fieldType": "string", "value": "x"}
        return _sample(base)
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
    return None  # Mapping members of the Unknown* structs


@st.composite
def with_vendor_members(draw: st.DrawFn) -> bytes:
    """A drawn document with unknown members at any level, and some base64url values made empty,
    padded, non-canonical or outside the alphabet (what the member-by-member way reports)."""
    value = draw(cst.documents())
    objects = cst.json_objects(value, [])
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        holders = [(o, k) for o in objects for k, v in o.items() if isinstance(v, str)]
        if holders:
            target, key = draw(st.sampled_from(holders))
            target[key] = draw(st.sampled_from(["", "AB", "A", "AQ==", "A+B", target[key] + "="]))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        if objects:
            target = draw(st.sampled_from(objects))
            target.setdefault(
                draw(st.sampled_from(["vendorX", "integrationHash", "hmacSecret"])), 1
            )
    if objects and draw(st.booleans()):  # a null somewhere: the member-by-member way then
        draw(st.sampled_from(objects)).setdefault("subtitle", None)
    return json.dumps(value, separators=(",", ":")).encode()


@SETTINGS
@given(with_vendor_members())
def test_objects_with_unknown_members_convert_as_member_by_member(data: bytes) -> None:
    """``_lenient._convert_with_unknown`` (an object with a vendor's member, the rest converted
    in C) gives what the member-by-member way gives."""
    from cxkit.cxf import _lenient

    try:
        doc = cxf.decode(data)
    except CxkitError:
        return
    _lenient.KNOWN_ONLY[0] = False
    try:
        exact = cxf.decode(data)
    finally:
        _lenient.KNOWN_ONLY[0] = True
    assert exact.header == doc.header
    assert [(f.severity, f.code, f.path, f.message) for f in exact.findings] == [
        (f.severity, f.code, f.path, f.message) for f in doc.findings
    ]
    assert cxf.encode(exact) == cxf.encode(doc)
    assert cxf.encode(exact, normalize=True) == cxf.encode(doc, normalize=True)
    # as before issue #20: the C fast path of the tolerant builder exactly when the whole text
    # has no null (now the text is scanned only when a value would make a difference)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_lenient, "_fast_is_exact", lambda _, ctx: not has_json_null(ctx.null_source))
        before = cxf.decode(data)
    assert before.header == doc.header
    assert [(f.code, f.path, f.message) for f in before.findings] == [
        (f.code, f.path, f.message) for f in doc.findings
    ]


# --------------------------------------------------------------------------- extensions in C


def _tolerant_item(raw: bytes) -> m.Item | None:
    """The item as the tolerant builder makes it (the way every item with a vendor extension
    went before the extension slot: ``model.decode_hook``)."""
    from cxkit.cxf._lenient import Context, build

    return build(m.Item, json.loads(raw), "$", Context())


@SETTINGS
@given(cst.documents(unknown_members=False))
def test_the_strict_tier_reads_extensions_as_the_tolerant_tiers_do(value: Any) -> None:
    """Every item the strict decoder accepts — vendor extensions included, on items, credentials
    and fields — is the item the item shell and the tolerant builder make of the same bytes."""
    from cxkit.cxf._lenient import Context

    for account in value.get("accounts", []):
        for item in account.get("items", []):
            raw = msgspec.json.encode(item)
            try:
                strict = codec._ITEM.decode(raw)
            except codec._STRICT_ERRORS:
                continue
            assert codec._decode_item_shell(msgspec.Raw(raw), "$", Context()) == strict
            assert _tolerant_item(raw) == strict


@pytest.mark.parametrize(
    ("extension", "strict"),
    [
        ({"name": "vendor/x", "a": 1, "b": [None, {"c": "d"}]}, True),
        ({"name": "vendor/x"}, True),
        ({"name": "\u0000cxkit-unknown-extension", "extensionName": "x", "members": {}}, True),
        ({"name": "shared", "accessors": []}, True),
        ({"name": "shared", "accessors": "everyone"}, False),  # kept verbatim, reported
        ({"name": 3, "a": 1}, False),
        ({"a": 1}, False),
        ("shared", False),
        (None, False),
    ],
)
def test_an_extension_reads_the_same_on_every_tier(extension: Any, strict: bool) -> None:
    """The strict tier takes an extension object with a string ``name`` (a valid ``shared`` one
    as :class:`SharedExtension`, any other kept verbatim); anything else leaves the item to the
    tolerant tiers, as before; the document is read the same either way and encodes to its
    own bytes."""
    item = {
        "id": "AQID",
        "title": "t",
        "credentials": [{"type": "note", "content": {"fieldType": "string", "value": "n"}}],
        "extensions": [extension],
    }
    raw = msgspec.json.encode(item)
    try:
        decoded: m.Item | None = codec._ITEM.decode(raw)
    except codec._STRICT_ERRORS:
        decoded = None
    assert (decoded is not None) == strict
    data = msgspec.json.encode(
        {"version": {"major": 1, "minor": 0}, "exporterRpId": "example.com",
         "exporterDisplayName": "x", "timestamp": 1,
         "accounts": [{"id": "AQ", "username": "u", "email": "e@example.com",
                       "collections": [], "items": [item]}]}
    )  # fmt: skip
    doc = cxf.decode(data)
    (read,) = doc.header.accounts[0].items
    if decoded is not None:
        assert read == decoded == _tolerant_item(raw)
        assert not doc.findings
        (kept,) = read.extensions
        if extension["name"] == "shared":
            assert isinstance(kept, m.SharedExtension)
        else:
            assert isinstance(kept, m.UnknownExtension)
            assert kept.extension_name == extension["name"]
            assert dict(kept.members) == {k: v for k, v in extension.items() if k != "name"}
    else:
        assert doc.findings  # the tolerant tiers read it and said what is wrong, as before
    assert cxf.encode(doc) == data
