"""cxf.credential_type / type_counts / filter_items / prune on the built-in sample vault; the
Base32 check TOTP secrets go through."""

from __future__ import annotations

import base64
import dataclasses
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.cxf import b64


def _sample() -> cxf.Document:
    data = resources.files("cxkit.samples").joinpath("sample-vault.cxf.json").read_bytes()
    return cxf.decode(data)


def test_type_counts_name_every_credential_by_its_wire_type() -> None:
    doc = _sample()
    counts = cxf.type_counts(doc)
    assert counts["passkey"] == 2
    assert counts["example.com/loyalty-card"] == 1  # an unknown type, by its source name
    assert sum(counts.values()) == sum(len(i.credentials) for _, i in doc.items())
    assert list(counts) == sorted(counts)


def test_prune_keeps_unchanged_objects_and_counts_what_it_dropped() -> None:
    doc = _sample()
    same, dropped = cxf.prune(doc, lambda t: True)
    assert same is doc and dropped == 0
    pruned, dropped = cxf.prune(doc, lambda t: t != "passkey")
    assert dropped == 2
    assert "passkey" not in cxf.type_counts(pruned)
    before = {i.id: i for _, i in doc.items()}
    for _, item in pruned.items():
        if all(cxf.credential_type(c) != "passkey" for c in before[item.id].credentials):
            assert item is before[item.id]  # untouched items are the same objects
    # the result still encodes and decodes to the same counts
    assert cxf.type_counts(cxf.decode(pruned.encode())) == cxf.type_counts(pruned)


def test_prune_drops_empty_items_and_their_collection_links() -> None:
    doc = _sample()
    pruned, _ = cxf.prune(doc, lambda t: t == "note")
    ids = {i.id for _, i in pruned.items()}
    assert ids and all(
        cxf.credential_type(c) == "note" for _, i in pruned.items() for c in i.credentials
    )
    for account in pruned.accounts:
        for collection in account.collections:
            assert all(link.item in ids for link in collection.items)


def test_accounts_only_keeps_accounts_without_items_or_collections() -> None:
    doc = _sample()
    pruned, dropped = cxf.prune(doc, lambda t: True, accounts_only=True)
    assert dropped == sum(len(i.credentials) for _, i in doc.items())
    assert [a.id for a in pruned.accounts] == [a.id for a in doc.accounts]
    assert all(not a.items and not a.collections for a in pruned.accounts)


def test_filter_items_by_predicate() -> None:
    doc = _sample()
    first = next(i for _, i in doc.items())
    only = cxf.filter_items(doc, lambda _a, i: i.id == first.id)
    assert [i.id for _, i in only.items()] == [first.id]
    assert cxf.filter_items(doc, lambda _a, _i: True) is doc


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcxyz 18-=\t", max_size=40))
def test_canonical_base32_is_what_decoding_accepts(secret: str) -> None:
    """canonical_base32 checks without decoding; it must accept exactly the secrets that
    decode (normalize_base32, which decodes) and give the same text."""
    try:
        text, data = b64.normalize_base32(secret)
    except b64.Base64Error:
        with pytest.raises(b64.Base64Error):
            b64.canonical_base32(secret)
        return
    assert b64.canonical_base32(secret) == text
    assert base64.b32decode(text + "=" * (-len(text) % 8)) == data


def test_accounts_only_drops_collections_also_without_items() -> None:
    """An account with collections but no items: accounts only leaves no collection either."""
    doc = _sample()
    assert doc.accounts[0].collections  # the sample's account has a collection
    accounts = tuple(cxf.replace(a, items=()) for a in doc.accounts)
    no_items = dataclasses.replace(doc, header=cxf.replace(doc.header, accounts=accounts))
    pruned, dropped = cxf.prune(no_items, lambda t: True, accounts_only=True)
    assert dropped == 0
    assert [a.id for a in pruned.accounts] == [a.id for a in doc.accounts]
    assert all(not a.items and not a.collections for a in pruned.accounts)
