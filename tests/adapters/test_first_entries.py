"""``base.first_entries``: the first entries of a top-level JSON array, for detection.

* long entries: past ``_SCAN_BYTES`` of one entry the boundaries are left to msgspec (a CXF
  account of megabytes scanned by the token regex cost ~0.4 s of every detection of a CXF
  document). Both ways give the same entries as a full decode.
* ``keys_only`` (``Sample.json_entry_keys``): the member names of the first entries, their values
  not decoded (detection's ``("entries", …)`` evidence: a CXF document's one account of
  megabytes is not made into Python objects to learn that it is no 1PUX account). Same names as
  a full decode, short and long entries alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters import base, detection, registry
from cxkit.adapters.base import first_entries
from cxkit.adapters.detection import make_sample

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _scanned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The start of every token the regex scan reads from now on."""
    scanned: list[int] = []
    real = base._TOKEN

    class Counting:
        def finditer(self, data: Any) -> Any:
            for token in real.finditer(data):
                scanned.append(token.start())
                yield token

    monkeypatch.setattr(base, "_TOKEN", Counting())
    return scanned


# =========================================================================== long entries


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_JSON, max_size=8),
    st.integers(min_value=1, max_value=9),
    st.booleans(),
    st.sampled_from([0, 1, 7, 40]),
)
def test_a_long_entry_gives_the_same_entries(
    value: list[Any], limit: int, pretty: bool, budget: int
) -> None:
    text = json.dumps(value, indent=2 if pretty else None, ensure_ascii=pretty).encode()
    saved = base._SCAN_BYTES
    base._SCAN_BYTES = budget  # every entry longer than this takes msgspec's way
    try:
        assert first_entries(memoryview(text), limit) == value[:limit]
    finally:
        base._SCAN_BYTES = saved


def test_a_cxf_sized_first_entry_is_split_by_msgspec(monkeypatch: pytest.MonkeyPatch) -> None:
    account = {"id": "a", "items": [{"id": str(i), "title": "t" * 50} for i in range(20_000)]}
    text = json.dumps([account, {"id": "b"}]).encode()
    scanned = _scanned(monkeypatch)
    assert first_entries(memoryview(text), 4) == [account, {"id": "b"}]
    assert max(scanned) <= base._SCAN_BYTES + 100  # the regex stopped early


# =========================================================================== keys only


def _names(value: list[Any], limit: int) -> list[frozenset[str] | None]:
    return [frozenset(e) if isinstance(e, dict) else None for e in value[:limit]]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_JSON, max_size=8),
    st.integers(min_value=1, max_value=9),
    st.booleans(),
    st.sampled_from([0, 1, 7, 40, 1 << 20]),
)
def test_the_names_agree_with_a_full_decode(
    value: list[Any], limit: int, pretty: bool, budget: int
) -> None:
    text = json.dumps(value, indent=2 if pretty else None, ensure_ascii=pretty).encode()
    saved = base._SCAN_KEYS_BYTES
    base._SCAN_KEYS_BYTES = budget  # every entry longer than this takes msgspec's way
    try:
        assert first_entries(memoryview(text), limit, keys_only=True) == _names(value, limit)
    finally:
        base._SCAN_KEYS_BYTES = saved
    top = json.dumps({"list": value}).encode()
    sample = make_sample(top, "x.json")
    assert sample.json_entry_keys("list", limit) == _names(value, limit)
    assert sample.json_entry_keys("absent", limit) is None
    sample.json = {"list": value}  # a sample decoded already answers from the decode
    assert sample.json_entry_keys("list", limit) == _names(value, limit)


@pytest.mark.parametrize("text", [b'{"a": 1}', b'"s"', b"1", b"null"])
def test_not_an_array_gives_none(text: bytes) -> None:
    assert first_entries(memoryview(text), 4, keys_only=True) is None
    saved = base._SCAN_KEYS_BYTES
    base._SCAN_KEYS_BYTES = 0
    try:
        assert first_entries(memoryview(text), 4, keys_only=True) is None
    finally:
        base._SCAN_KEYS_BYTES = saved


def test_a_long_entry_is_left_to_msgspec_early(monkeypatch: pytest.MonkeyPatch) -> None:
    account = {"id": "a", "items": [{"id": str(i), "title": "t" * 50} for i in range(5_000)]}
    text = json.dumps([account, [1, 2], {"attrs": {}, "vaults": []}]).encode()
    scanned = _scanned(monkeypatch)
    found = first_entries(memoryview(text), 4, keys_only=True)
    assert found == [frozenset({"id", "items"}), None, frozenset({"attrs", "vaults"})]
    assert max(scanned) <= base._SCAN_KEYS_BYTES + 100  # the regex stopped early


def _pux(accounts: Any) -> bytes:
    return json.dumps({"accounts": accounts}).encode()


@pytest.mark.parametrize(
    ("data", "holds"),
    [
        (_pux([{"attrs": {}, "vaults": []}]), True),
        (_pux([{"attrs": {}, "vaults": [], "x": 1}] * 4 + [7]), True),  # past the first four
        (_pux([{"attrs": {}, "vaults": []}, {"attrs": {}}]), False),
        (_pux([{"attrs": {}, "vaults": []}, "s"]), False),
        (_pux([]), False),
        (_pux({"attrs": {}, "vaults": []}), False),
        (
            json.dumps({"version": 1, "exporterRpId": "x", "accounts": [{"id": "a"}]}).encode(),
            False,
        ),
    ],
)
def test_the_entries_evidence_of_1pux(data: bytes, holds: bool) -> None:
    sample = make_sample(data, "export.data")
    (test,) = [t for t in detection.EVIDENCE["1password-1pux"] if t[0] == "entries"]
    info = registry.builtins()["1password-1pux"].info
    assert detection._Evidence(sample).holds(test, info) is holds
    taken = detection.answers(sample)
    assert (dict(taken)["1password-1pux"] is not base.Confidence.NO) is holds
