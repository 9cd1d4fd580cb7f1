"""The item shell (item-level members strict, credentials and extensions one by one) gives the
same items and findings as the tolerant builder, for items with vendor extensions — also when
those extensions hold nulls — and falls back to the builder for everything it cannot hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cxkit import cxf
from cxkit.cxf import codec
from cxkit.cxf import model as m
from cxkit.cxf._lenient import Context, build

BASIC = {
    "type": "basic-auth",
    "username": {"fieldType": "string", "value": "me"},
    "password": {"fieldType": "concealed-string", "value": "pw"},
}
VENDOR = {"name": "example.com/vendor", "a": None, "b": [None, 1], "c": {"d": None}}
SHARED = {
    "name": "shared",
    "accessors": [{"type": "user", "accountId": "YWNj", "name": "x", "permissions": ["read"]}],
}


def _doc(item: dict[str, Any]) -> bytes:
    account = {"id": "YWNj", "username": "", "email": "", "collections": [], "items": [item]}
    header = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "cxkit.test",
        "exporterDisplayName": "t",
        "timestamp": 1,
        "accounts": [account],
    }
    return json.dumps(header).encode()


def _tolerant(item: dict[str, Any]) -> tuple[m.Item, list[Any]]:
    ctx = Context(may_have_null=True)
    built = build(m.Item, item, "$.accounts[0].items[0]", ctx)
    return built, ctx.findings


ITEMS = {
    "vendor extension": {"id": "aXRlbQ", "title": "t", "credentials": [BASIC], "extensions": [VENDOR]},
    "vendor + shared": {"id": "aXRlbQ", "title": "t", "credentials": [BASIC], "extensions": [VENDOR, SHARED]},
    "null outside extensions": {"id": "aXRlbQ", "title": "t", "subtitle": None, "credentials": [BASIC], "extensions": [VENDOR]},
    "null in a credential": {"id": "aXRlbQ", "title": "t", "credentials": [{**BASIC, "username": None}], "extensions": [VENDOR]},
    "extension without name": {"id": "aXRlbQ", "title": "t", "credentials": [BASIC], "extensions": [{"x": 1}]},
    "empty extensions": {"id": "aXRlbQ", "title": "t", "credentials": [BASIC], "extensions": []},
    "unknown credential + vendor": {"id": "aXRlbQ", "title": "t", "credentials": [BASIC, {"type": "x-new", "v": None}], "extensions": [VENDOR]},
}  # fmt: skip


@pytest.mark.parametrize("name", list(ITEMS))
def test_item_shell_matches_the_tolerant_builder(name: str) -> None:
    item = ITEMS[name]
    doc = cxf.decode(_doc(item))
    (decoded,) = doc.header.accounts[0].items
    expected, findings = _tolerant(item)
    assert decoded == expected
    assert [(f.code, f.path) for f in doc.findings] == [(f.code, f.path) for f in findings]
    assert json.loads(cxf.encode(doc))["accounts"][0]["items"][0] == item


def test_vendor_extension_with_nulls_takes_the_shell() -> None:
    raw = json.dumps(ITEMS["vendor extension"]).encode()
    assert codec._nulls_only_in_extensions(raw)  # type: ignore[arg-type]
    assert not codec._nulls_only_in_extensions(  # type: ignore[arg-type]
        json.dumps(ITEMS["null outside extensions"]).encode()
    )
    ctx = Context(may_have_null=True)
    item = codec._decode_item_shell(raw, "$.items[0]", ctx)  # type: ignore[arg-type]
    assert item is not None
    assert item.extensions == (
        m.UnknownExtension(extension_name="example.com/vendor", members={k: v for k, v in VENDOR.items() if k != "name"}),
    )  # fmt: skip
