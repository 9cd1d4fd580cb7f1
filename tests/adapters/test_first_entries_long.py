"""``base.first_entries`` on long entries: past ``_SCAN_BYTES`` of one entry the boundaries
are left to msgspec (a CXF account of megabytes scanned by the token regex cost ~0.4 s of every
detection of a CXF document). Both ways give the same entries as a full decode.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters import base
from cxkit.adapters.base import first_entries

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


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
    scanned: list[int] = []
    real = base._TOKEN

    class Counting:
        def finditer(self, data: Any) -> Any:
            for token in real.finditer(data):
                scanned.append(token.start())
                yield token

    monkeypatch.setattr(base, "_TOKEN", Counting())
    assert first_entries(memoryview(text), 4) == [account, {"id": "b"}]
    assert max(scanned) <= base._SCAN_BYTES + 100  # the regex stopped early
