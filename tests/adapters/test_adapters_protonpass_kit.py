"""Proton Pass reader on the adapter kit's item builder (issue 12): field accounting under
mutation (property), member names the old path walker lost, skipped items, vault collections."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from _bw_adapter_data import PASSWORD_CANARY
from _pp_adapter_data import export
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import ReadOptions
from cxkit.adapters import protonpass as pp
from cxkit.adapters.kit.builder import VaultBuilder
from cxkit.adapters.kit.values import json_leaves
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import CxkitError

_BASE = export()  # (the SSH key in it is random per call: one export for every example)
_WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=6),
    st.sampled_from([[], {}, [None], {"": None}, {"a.b": "v"}, ["s"], {"x[1]": 2}]),
)


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _containers(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _containers(v, (*path, i))
    return found


_PATHS = [p for p in _containers(_BASE) if len(p) > 3]  # inside the items


def _read(obj: Any, *, include_trashed: bool = False) -> tuple[cxf.Document, MigrationReport]:
    return adapters.read(
        json.dumps(obj).encode(), "pp.json", source_format="protonpass",
        options=ReadOptions(include_trashed=include_trashed),
    )  # fmt: skip


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        obj = obj[part]
    obj[path[-1]] = value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(st.tuples(st.sampled_from(_PATHS), _WRONG), min_size=1, max_size=3),
    include_trashed=st.booleans(),
)
def test_every_leaf_is_recorded_once_whatever_the_types(
    changes: list[tuple[tuple[Any, ...], Any]], include_trashed: bool
) -> None:
    source = copy.deepcopy(_BASE)
    for path, value in changes:
        try:
            _set(source, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # a parent was replaced by an earlier change
    try:
        doc, report = _read(source, include_trashed=include_trashed)
    except CxkitError:
        return  # (only a vault's 'items' of the wrong type stops the read)
    recorded = [r.path for r in report.fields]
    assert len(recorded) == len(set(recorded)), "a field was recorded twice"
    assert set(recorded) == set(json_leaves(source, "$"))
    counted = report.items_read + len(report.items_skipped)
    assert counted == sum(len(v["items"]) for v in source["vaults"].values())
    assert report.items_read == len(list(doc.items()))
    text = json.dumps(report.to_json()) + report.render()
    assert PASSWORD_CANARY not in text and "hush" not in text


def test_member_names_with_dots_or_brackets_keep_their_values() -> None:
    source = copy.deepcopy(_BASE)
    forge = source["vaults"]["SHARE_A"]["items"][0]
    forge["odd.name"] = "dotted value"
    forge["data"]["novel"] = {"x[1]": "bracketed value", "empty": ""}
    doc, report = _read(source)
    item = next(i for _, i in doc.items() if i.title == "Forge")
    proton = next(c for c in item.credentials if isinstance(c, m.CustomFields) and
                  c.label == "Proton Pass")  # fmt: skip
    values = {f.label: f.value for f in proton.fields}
    assert values["odd.name"] == "dotted value"
    assert values["data.novel.x[1]"] == "bracketed value"
    ext = item.extensions[0]
    assert isinstance(ext, m.UnknownExtension) and ext.members["empty"] == [".data.novel.empty"]
    by_path = {r.path: r for r in report.fields}
    assert by_path["$.vaults.SHARE_A.items[0].odd.name"].disposition == "custom-field"
    assert "dotted value" not in json.dumps(report.to_json())


def test_a_boolean_time_is_not_a_cxf_time() -> None:
    source = copy.deepcopy(_BASE)
    source["vaults"]["SHARE_A"]["items"][3]["createTime"] = True
    doc, _ = _read(source)
    note = next(i for _, i in doc.items() if i.title == "Plain note")
    assert note.creation_at is None and note.modified_at == 1700000100
    assert not [f for f in cxf.validate(doc) if str(f.severity) == "error"]


def test_an_item_that_cannot_be_read_is_skipped_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, content: Any) -> None:
        raise ValueError("no")

    monkeypatch.setattr(pp._Item, "card", broken)
    source = copy.deepcopy(_BASE)
    doc, report = _read(source)
    assert ("Card", "cannot be read: ValueError") in report.items_skipped
    assert "Card" not in {i.title for _, i in doc.items()} and report.items_read == 9
    card = [r for r in report.fields if ".items[4]" in r.path]
    assert [r.path for r in card] == list(json_leaves(source["vaults"]["SHARE_A"]["items"][4],
                                                     "$.vaults.SHARE_A.items[4]"))  # fmt: skip
    assert {(r.item, r.disposition, r.note) for r in card} == {
        ("Card", "not-carried", "item skipped")
    }
    assert "credit-card" not in report.credential_summary()


def test_a_lost_passkey_of_a_skipped_item_is_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any) -> None:
        raise ValueError("no")

    monkeypatch.setattr(pp._Item, "sweep", broken)  # after the passkeys were read
    source = copy.deepcopy(_BASE)
    source["vaults"]["SHARE_A"]["items"][0]["data"]["content"]["passkeys"][0]["content"] = "eA=="
    _, report = _read(source)
    assert report.items_read == 0 and len(report.items_skipped) == 11
    assert not report.credentials


def test_vaults_are_collections_in_source_order_even_when_empty() -> None:
    source = copy.deepcopy(_BASE)
    source["vaults"]["SHARE_C"] = {"name": "Personal", "description": "twin", "items": []}
    source["vaults"]["BAD"] = ["not a vault"]
    doc, report = _read(source)
    collections = doc.accounts[0].collections
    assert [(c.title, c.subtitle, len(c.items)) for c in collections] == [
        ("Personal", "Personal vault", 9), ("Work", None, 1), ("Personal", "twin", 0),
    ]  # fmt: skip
    assert len({c.id for c in collections}) == 3
    bad = [r for r in report.fields if r.path.startswith("$.vaults.BAD")]
    assert [(r.disposition, r.note) for r in bad] == [("not-carried", "vault is not an object")]


def test_vault_builder_takes_a_readers_own_collections() -> None:
    vault = VaultBuilder(MigrationReport(), key="k", rp_id="x.example", app="X")
    own = (m.Collection(id="AAAAAAAAAAAAAAAAAAAAAA", title="Mine", subtitle="kept", items=()),)
    doc = vault.build(account_id="AQEBAQEBAQEBAQEBAQEBAQ", collections=own)
    assert doc.accounts[0].collections == own
    assert vault.build(account_id="AQEBAQEBAQEBAQEBAQEBAQ").accounts[0].collections == ()
