"""The Bitwarden JSON reader on the kit's item builder (issue 12): accounting of every leaf,
folders keyed by id, an item that cannot be read, odd member types; a mutation property."""

from __future__ import annotations

import collections
import copy
import json
from typing import Any

from _bw_adapter_data import PASSWORD_CANARY, TOTP_SECRET, personal_export
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.adapters.bitwarden.mapping import EXTENSION, read_export
from cxkit.adapters.kit.builder import CollectionTree
from cxkit.adapters.kit.values import json_leaves
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import CxkitError


def _read(obj: dict[str, Any], **kw: Any) -> tuple[cxf.Document, MigrationReport]:
    report = MigrationReport()
    return read_export(obj, report, name="bw.json", **kw), report


def _item(name: str, **members: Any) -> dict[str, Any]:
    return {"id": None, "type": 1, "name": name, **members}


def _leaf_paths(obj: dict[str, Any]) -> list[str]:
    """Every non-null leaf of an export (what the report must record, each once)."""
    return list(json_leaves(obj, "$"))


def _assert_each_leaf_once(obj: dict[str, Any], report: MigrationReport) -> None:
    paths = report.fields.paths()
    twice = [p for p, n in collections.Counter(paths).items() if n > 1]
    assert not twice
    assert set(paths) == set(_leaf_paths(obj))


def _ext(obj: Any) -> dict[str, Any]:
    for e in obj.extensions:
        if isinstance(e, m.UnknownExtension) and e.extension_name == EXTENSION:
            return dict(e.members)
    return {}


# --------------------------------------------------------------------------- collections


def test_collection_tree_title_looks_the_title_up() -> None:
    names = {"a": "Work", "b": "Work"}
    tree = CollectionTree(lambda p: p[0] * 4, title=lambda p: names[p[0]])
    tree.add(("a",), "i1")
    tree.add(("b",), "i2")
    built = tree.build()
    assert [(c.id, c.title, [link.item for link in c.items]) for c in built] == [
        ("aaaa", "Work", ["i1"]),
        ("bbbb", "Work", ["i2"]),
    ]
    # without title=, the path's last name (unchanged)
    plain = CollectionTree(lambda p: "x")
    plain.add(("Top", "Sub"))
    assert plain.build()[0].sub_collections[0].title == "Sub"


def test_two_folders_with_one_name_stay_two_collections() -> None:
    obj = {
        "encrypted": False,
        "folders": [
            {"id": "f-one", "name": "Work"},
            {"id": "f-two", "name": "Work"},
            {"id": "f-empty", "name": "Unused"},
        ],
        "items": [
            _item("A", folderId="f-two"),
            _item("B", folderId="f-one"),
            _item("C", folderId="f-gone"),
        ],
    }
    doc, report = _read(obj)
    account = doc.accounts[0]
    by_id = {i.title: i.id for i in account.items}
    got = [(_ext(c)["id"], c.title, [x.item for x in c.items]) for c in account.collections]
    assert got == [
        ("f-one", "Work", [by_id["B"]]),
        ("f-two", "Work", [by_id["A"]]),
        ("f-empty", "Unused", []),
    ]
    gone = next(i for i in account.items if i.title == "C")
    assert _ext(gone)["folderId"] == "f-gone"
    _assert_each_leaf_once(obj, report)


# --------------------------------------------------------------------------- one bad item


def test_an_item_that_cannot_be_read_is_recorded_once_and_the_rest_is_read() -> None:
    obj = personal_export()
    visa = next(i for i in obj["items"] if i["name"] == "Visa")
    visa["card"]["expMonth"] = "\u00b2"  # a digit to str.isdigit, not to int(): ValueError
    doc, report = _read(obj)
    assert ("Visa", "cannot be read: ValueError") in report.items_skipped
    assert "Visa" not in [i.title for i in doc.accounts[0].items]
    assert len(doc.accounts[0].items) == len(obj["items"]) - 1
    at = f"$.items[{obj['items'].index(visa)}]"
    mine = [r for r in report.fields if r.path.startswith(at + ".")]
    assert mine and all(r.disposition is Disposition.NOT_CARRIED for r in mine)
    assert {r.note for r in mine} == {"item skipped"}
    _assert_each_leaf_once(obj, report)
    assert "4111111111111111" not in json.dumps(report.to_json()) + report.render()


# --------------------------------------------------------------------------- odd member types


def _ssh_item(**changes: Any) -> dict[str, Any]:
    ssh = next(i for i in personal_export()["items"] if i["type"] == 5)
    ssh["sshKey"].update(changes)
    return ssh


def test_an_ssh_fingerprint_that_is_not_text_is_kept_not_dropped() -> None:
    obj = {"encrypted": False, "items": [_ssh_item(keyFingerprint=5, publicKey=None)]}
    doc, report = _read(obj)
    item = doc.accounts[0].items[0]
    assert [cxf.credential_type(c) for c in item.credentials] == ["ssh-key", "custom-fields"]
    group = item.credentials[-1]
    assert isinstance(group, m.CustomFields) and group.label == "Bitwarden"
    assert [(f.label, f.value) for f in group.fields] == [("sshKey.keyFingerprint", "5")]
    (record,) = [r for r in report.fields if r.path.endswith(".sshKey.keyFingerprint")]
    assert record.disposition is Disposition.CUSTOM_FIELD
    _assert_each_leaf_once(obj, report)


def test_a_passkey_user_name_that_is_not_text_is_reported_not_carried() -> None:
    obj = personal_export()
    forge = obj["items"][0]
    forge["login"]["fido2Credentials"][0]["userName"] = ["not", "text"]
    _, report = _read(obj)
    odd = [r for r in report.fields if ".fido2Credentials[0].userName" in r.path]
    assert [r.path.rsplit(".", 1)[1] for r in odd] == ["userName[0]", "userName[1]"]
    assert all(r.disposition is Disposition.NOT_CARRIED and r.note == "not text" for r in odd)
    _assert_each_leaf_once(obj, report)


def test_memberships_that_are_not_ids_are_recorded_leaf_by_leaf() -> None:
    obj = {
        "encrypted": False,
        "folders": [{"id": "f", "name": "F"}],
        "items": [_item("A", folderId={"a": 1}, collectionIds=["f", {"b": 2}, None])],
    }
    doc, report = _read(obj)
    ext = _ext(doc.accounts[0].items[0])
    assert ext["folderId"] == {"a": 1}
    assert ext["collectionIdsRaw"] == ["f", {"b": 2}, None]
    _assert_each_leaf_once(obj, report)


# --------------------------------------------------------------------------- property

_ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 40),
    st.sampled_from(["", "x", "\u00b2", "12", "2030", "US", TOTP_SECRET, "steam://AB",
                     "otpauth://hotp/x?secret=AB", "2024-01-01T00:00:00Z", "a\nb"]),
    st.lists(st.sampled_from(["x", 1, None]), max_size=2),
    st.dictionaries(st.sampled_from(["a", "uri", "value"]), st.sampled_from(["x", 1]), max_size=2),
)  # fmt: skip


def _members(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at] if at else []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_members(v, (*at, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_members(v, (*at, i)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_exports_record_every_leaf_once_and_no_secret(data: st.DataObject) -> None:
    """Any member of any item replaced by an odd value: the read never raises but the
    project's errors, every non-null leaf is recorded exactly once, and the canary password
    is in no report."""
    obj = copy.deepcopy(personal_export())
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(obj["items"]) - 1))
        places = _members(obj["items"][index])
        if not places:
            continue
        place = data.draw(st.sampled_from(places))
        parent: Any = obj["items"][index]
        for key in place[:-1]:
            parent = parent[key]
        parent[place[-1]] = data.draw(_ODD)
    try:
        _, report = _read(obj, include_trashed=data.draw(st.booleans()))
    except CxkitError:
        return
    _assert_each_leaf_once(obj, report)
    text = json.dumps(report.to_json()) + report.render(limit=10_000)
    assert PASSWORD_CANARY not in text
