"""The declarative JSON record-list reader (``adapters/kit/records.py``): nested member paths,
lists, several record lists with kinds, leftovers as custom fields, every non-null leaf
recorded at its JSON path, wrong-typed records skipped with a reason (never a value), a hook,
and a mutation fuzz where only cxkit errors escape."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from cxkit import cxf
from cxkit.adapters import contract
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions
from cxkit.adapters.detection import make_sample
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.records import JsonRecordReader, RecordError, Records, member_path
from cxkit.adapters.kit.targets import (
    CREATED,
    CUSTOM,
    FAVORITE,
    FOLDER,
    HOOK,
    NOTE,
    PASSWORD,
    TAGS,
    TITLE,
    TOTP,
    TRASHED,
    URL,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.kit.values import json_leaves
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, DecodeError

SECRET = "Rec-Secret-9Qz"
PIN = "Rec-Pin-4417"


def _info(key: str, **hints: Any) -> AdapterInfo:
    return AdapterInfo(key=key, app="Test", format="JSON", versions="1",
                       capabilities=Capability.READ,
                       credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
                       how_to_export="-", **hints)  # fmt: skip


class _Reader(JsonRecordReader):
    info: ClassVar[AdapterInfo] = _info("test-json", json_keys=frozenset({"vault", "items"}))
    records = (Records(("items",)),)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE,
        "login.username": USERNAME,
        "login.password": PASSWORD,
        "login.uris[].uri": URL,
        "notes": NOTE,
        "totp": TOTP,
        "folder": FOLDER,
        "fav": FAVORITE,
        "labels[]": TAGS,
        "created": CREATED,
        "deleted": TRASHED,
        "pin": Column(Target.CUSTOM, label="PIN", hidden=True),
        "extra": HOOK,
        "icon": Column(Target.IGNORE, why="an icon"),
    }
    rp_id = "test.example"
    app = "Test"
    tag_separator = None

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        extra = rec.get("extra")
        if extra is None:
            return
        if not isinstance(extra, str):
            raise RecordError("member extra is not a text")
        vault.state["hooked"] = vault.state.get("hooked", 0) + 1
        b.custom("extra", Val(extra.upper(), ".extra"))


RECORDS: list[Any] = [
    {
        "name": "mail",
        "login": {
            "username": "alice",
            "password": SECRET,
            "uris": [{"uri": "https://a.example"}, {"uri": "https://b.example", "m": 1}],
        },
        "notes": "line 1\nline 2",
        "folder": "Work/Mail",
        "fav": True,
        "labels": ["x", "y"],
        "created": 1700000000,
        "pin": PIN,
        "colour": "blue",
        "nested": {"deep": [1, {"k": "v"}]},
        "extra": "hooked",
        "icon": {"type": "png", "content": "AAAA"},
        "empty": "",
        "none": None,
    },
    "not an object",
    {"name": "bad", "login": "a string where an object goes", "pin": PIN},
    {"name": "trashed", "login": {"password": SECRET}, "deleted": 1},
    {"name": "bad extra", "extra": [SECRET]},
    {"name": "list where text goes", "notes": [SECRET]},
    None,
    {"name": "plain", "login": {"username": "bob", "password": ""}, "totp": "JBSWY3DPEHPK3PXP"},
]


def _doc(records: list[Any] = RECORDS) -> bytes:
    return json.dumps({"vault": "test", "items": records}).encode()


def _read(data: bytes, name: str = "t.json", trashed: bool = False) -> tuple[cxf.Document,
                                                                             MigrationReport]:  # fmt: skip
    report = MigrationReport()
    doc = _Reader().read(make_sample(data, name), ReadOptions(include_trashed=trashed), report)
    return doc, report


def test_member_paths() -> None:
    assert member_path("login.uris[].uri") == ("login", "uris", "[]", "uri")
    assert member_path("urls[]") == ("urls", "[]")
    assert member_path("name") == ("name",)


def test_reads_nested_members_lists_and_leftovers() -> None:
    doc, _report = _read(_doc())
    items = [i for _, i in doc.items()]
    assert [i.title for i in items] == ["mail", "plain"]
    mail = items[0]
    auth = mail.credentials[0]
    assert isinstance(auth, m.BasicAuth) and auth.password is not None
    assert auth.username is not None and auth.username.value == "alice"
    assert auth.password.value == SECRET
    assert mail.scope is not None and mail.scope.urls == ("https://a.example", "https://b.example")
    assert mail.favorite is True and mail.tags == ("x", "y") and mail.creation_at == 1700000000
    note = next(c for c in mail.credentials if isinstance(c, m.Note))
    assert note.content.value == "line 1\nline 2"
    custom = next(c for c in mail.credentials if isinstance(c, m.CustomFields))
    fields = {f.label: (f.value, f.field_type) for f in custom.fields}
    assert fields["PIN"] == (PIN, "concealed-string")
    assert fields["extra"] == ("HOOKED", "string")  # the hook ran
    # leftovers are custom fields labelled by their path; containers walked to their leaves
    assert fields["colour"] == ("blue", "string")
    assert fields["nested.deep[0]"] == ("1", "string")
    assert fields["nested.deep[1].k"] == ("v", "string")
    assert fields["login.uris[1].m"] == ("1", "string")
    # the collection from the folder path
    (work,) = doc.accounts[0].collections
    assert work.title == "Work" and work.sub_collections[0].title == "Mail"
    plain = items[1]
    assert any(isinstance(c, m.Totp) for c in plain.credentials)
    cxf.decode(cxf.encode(doc))


def test_every_leaf_is_recorded_at_its_json_path() -> None:
    data = _doc()
    _, report = _read(data)
    paths = set(report.fields.paths())
    leaves = list(json_leaves(json.loads(data), "$"))
    missing = [leaf for leaf in leaves if not contract._covered(leaf, paths)]
    assert missing == []
    assert "$.items[0].login.password" in paths and "$.items[0].login.uris[1].uri" in paths
    assert "$.items[0].icon" in paths  # an ignored object is recorded once, as a whole
    by_path = {r.path: r for r in report.fields}
    assert by_path["$.items[0].empty"].disposition is Disposition.NOT_CARRIED
    assert by_path["$.items[0].colour"].disposition is Disposition.CUSTOM_FIELD
    assert by_path["$.items[0].icon"].note == "an icon"
    assert "$.items[0].none" not in paths  # null is not a value


def test_bad_records_are_skipped_with_reasons_and_no_values() -> None:
    _, report = _read(_doc())
    reasons = [reason for _, reason in report.items_skipped]
    assert len(reasons) == 6  # not an object (2), wrong member types (3), trashed (1)
    assert any("$.items[1] is not a JSON object" in r for r in reasons)
    assert any("login is not an object" in r for r in reasons)
    assert any("extra is not a text" in r for r in reasons)
    assert any("notes is not a text value" in r for r in reasons)
    assert any("trash" in r for r in reasons)
    text = json.dumps(report.to_json()) + report.render() + repr(report.items_skipped)
    assert SECRET not in text and PIN not in text
    # a skipped record's fields are recorded not carried
    assert all(r.disposition is Disposition.NOT_CARRIED for r in report.fields
               if r.path.startswith("$.items[2]"))  # fmt: skip


def test_trash_is_read_on_request() -> None:
    doc, report = _read(_doc(), trashed=True)
    assert "trashed" in [i.title for _, i in doc.items()]
    assert len(report.items_skipped) == 5


def test_ids_are_stable_and_per_file() -> None:
    a, _ = _read(_doc(), "a.json")
    a2, _ = _read(_doc(), "a.json")
    b, _ = _read(_doc(), "b.json")
    ids = [i.id for _, i in a.items()]
    assert ids == [i.id for _, i in a2.items()]
    assert not set(ids) & {i.id for _, i in b.items()}


def test_top_level_array_and_detection_by_record_keys() -> None:
    class _Array(_Reader):
        info = _info("test-array")
        records = (Records(),)
        record_keys = frozenset({"name", "login"})

    data = json.dumps([RECORDS[0], RECORDS[7]]).encode()
    sample = make_sample(data, "a.json")
    assert _Array().accepts(sample) is Confidence.LIKELY
    assert _Array().accepts(make_sample(b'[{"name": "x"}]', "b.json")) is Confidence.NO
    report = MigrationReport()
    doc = _Array().read(sample, ReadOptions(), report)
    assert len(list(doc.items())) == 2
    assert "$[0].login.password" in set(report.fields.paths())


def test_several_lists_with_kinds_and_their_own_fields() -> None:
    seen: list[str] = []

    class _Kinds(_Reader):
        info = _info("test-kinds")
        records = (
            Records(("AUTH",), "login"),
            Records(("EMAIL",), "email", fields={"title": TITLE, "address": CUSTOM}),
            Records(("MISSING",), "absent"),
        )

        def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str,
                   vault: VaultBuilder) -> None:  # fmt: skip
            seen.append(kind)

    data = json.dumps({"AUTH": [{"name": "a", "login": {"password": SECRET}}],
                       "EMAIL": [{"title": "mail", "address": "a@b.example"}]}).encode()  # fmt: skip
    report = MigrationReport()
    doc = _Kinds().read(make_sample(data, "k.json"), ReadOptions(), report)
    assert [i.title for _, i in doc.items()] == ["a", "mail"] and seen == ["login", "email"]
    assert "$.EMAIL[0].address" in set(report.fields.paths())


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"{", DecodeError),
        (b'{"items": {"a": 1}}', DecodeError),
        (b'{"other": []}', CxkitError),
        (b'{"x": ' + b"[" * 100 + b"]" * 100 + b', "items": []}', DecodeError),
        (b'{"items": ' + b"[" * 5000 + b"]" * 5000 + b"}", DecodeError),
    ],
)
def test_wrong_documents_raise_cxkit_errors(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        _read(data)
    assert isinstance(info.value, CxkitError)
    assert (info.value.location or "").startswith("t.json")


def test_a_record_nesting_too_deep_is_skipped() -> None:
    deep = json.dumps({"name": "deep", "x": json.loads("[" * 100 + "]" * 100)})
    data = f'{{"items": [{deep}, {json.dumps(RECORDS[7])}]}}'.encode()
    doc, report = _read(data)
    assert [i.title for _, i in doc.items()] == ["plain"]
    assert "nest deeper than" in report.items_skipped[0][1]


def test_planted_secret_never_in_errors() -> None:
    data = _doc().replace(b'"items"', f'"{SECRET}"'.encode())
    with pytest.raises(CxkitError) as info:
        _read(data)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_mutations_raise_only_cxkit_errors() -> None:
    data = _doc()
    for mutant in contract.mutations(data, 300, seed=7):
        try:
            _, report = _read(mutant)
        except CxkitError as exc:
            assert SECRET not in str(exc) and PIN not in str(exc)
            continue
        text = json.dumps(report.to_json())
        assert SECRET not in text and PIN not in text
    rng = random.Random(3)
    for _ in range(200):  # records of random shapes
        shape: Any = rng.choice([None, 1, "s", [], {}, {"login": rng.choice([1, [], {}, "x"])},
                                 {"login": {"uris": rng.choice([1, "x", [1], [{"uri": []}]])}},
                                 {"labels": rng.choice([1, "x", [[]], [{}]])}])  # fmt: skip
        _, report = _read(_doc([shape, RECORDS[7]]))
        assert report.items_read >= 1
