"""Write-side accounting (issue #12): every leaf of every CXF item a writer is given is reported
carried, transformed or not carried; what a writer says it carried comes back when its own
format is read again; lost members are named in the JSON report and in the text."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import msgspec
import pytest
from _rich_cxf import SECRET_CANARY, attachments, rich_document, rich_json
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf, kdbx
from cxkit.adapters import MigrationReport, Outcome, ReadOptions, WriteOptions
from cxkit.adapters.keepass.database import KeePassKdbxAdapter
from cxkit.adapters.kit import ledger
from cxkit.cxf import model as m

SMALL = kdbx.WriteOptions(argon2_memory_kib=1024, argon2_iterations=1, argon2_parallelism=1)
PASSWORD = "correct horse battery staple 7"

#: Every writer that has a reader of its own format.
ROUND_TRIP = (
    "bitwarden-json",
    "bitwarden-csv",
    "keepass-kdbx",
    "keepassxc-csv",
    "cxf-json",
    "cxkit-sealed",
    "keepassxc-passkey",
)


def _write(doc: cxf.Document, fmt: str) -> tuple[bytes, MigrationReport]:
    report = MigrationReport()
    options = WriteOptions(password=lambda _: PASSWORD, attachments=attachments())
    if fmt == "keepass-kdbx":
        return KeePassKdbxAdapter(SMALL).write(doc, options, report), report
    return adapters.write(doc, fmt, options=options, report=report)


def _read(data: bytes, fmt: str) -> cxf.Document:
    name = {"bitwarden-csv": "x.csv", "keepassxc-csv": "x.csv", "keepass-kdbx": "x.kdbx"}
    doc, _ = adapters.read(
        data,
        name.get(fmt, "x.json"),
        source_format=fmt,
        options=ReadOptions(password=lambda _: PASSWORD),
    )
    return doc


def _input_leaves(doc: cxf.Document) -> dict[str, Any]:
    """Full CXF path → value of every leaf of *doc*'s items."""
    out: dict[str, Any] = {}
    for a, account in enumerate(doc.accounts):
        for i, item in enumerate(account.items):
            for leaf in ledger.leaves(item, f"$.accounts[{a}].items[{i}]"):
                out[leaf.path] = leaf.value
    return out


def _keys(item: m.Item) -> Counter[tuple[str, str, Any]]:
    """(credential type or "", member, value) of every leaf of *item*."""
    out: Counter[tuple[str, str, Any]] = Counter()
    for leaf in ledger.item_leaves(item):
        out[("", leaf.member, leaf.value)] += 1
    for cred in item.credentials:
        ctype = cxf.credential_type(cred)
        for leaf in ledger.leaves(cred):
            out[(ctype, leaf.member, leaf.value)] += 1
    return out


def _item_of(doc: cxf.Document, path: str) -> m.Item:
    a = int(path.split("accounts[", 1)[1].split("]", 1)[0])
    i = int(path.split("items[", 1)[1].split("]", 1)[0])
    return doc.accounts[a].items[i]


# =========================================================================== the sums


@pytest.mark.parametrize("fmt", ROUND_TRIP)
def test_every_leaf_of_the_input_is_accounted_for_once(fmt: str) -> None:
    doc = rich_document()
    expected = _input_leaves(doc)
    _, report = _write(doc, fmt)
    records = list(report.written_fields)
    assert Counter(r.path for r in records) == Counter(expected.keys())  # each leaf once
    counts = report.to_json()["written_fields"]["counts"]
    assert sum(counts.values()) == len(expected) == report.to_json()["written_fields"]["total"]
    assert all(r.note for r in records if r.outcome is Outcome.NOT_CARRIED)


def test_the_leaf_count_is_what_the_json_holds() -> None:
    """Leaves are the JSON scalars of the items (but the credential ``type`` tags)."""
    doc = rich_document()
    raw = rich_json()

    def scalars(value: Any) -> int:
        if isinstance(value, dict):
            return sum(scalars(v) for k, v in value.items())
        if isinstance(value, list):
            return sum(scalars(v) for v in value)
        return 0 if value is None else 1

    items = raw["accounts"][0]["items"]
    tags = sum(len(item["credentials"]) for item in items)
    assert len(_input_leaves(doc)) == scalars(items) - tags


# =========================================================================== the round trips


def _not_read_back(fmt: str) -> list[str]:
    """Paths of the leaves *fmt*'s writer reports carried that its reader does not give back
    (same credential type, member and value in the item of the same title)."""
    doc = rich_document()
    values = _input_leaves(doc)
    data, report = _write(doc, fmt)
    back = _read(data, fmt)
    by_title: dict[str, Counter[tuple[str, str, Any]]] = {}
    for _, item in back.items():
        by_title.setdefault(item.title, Counter()).update(_keys(item))
    carried = report.written_fields.of(Outcome.CARRIED)
    assert carried, "a writer that carries nothing"
    missing = []
    for record in carried:
        item = _item_of(doc, record.path)
        ctype, _, member = record.member.rpartition(" ")
        pool = by_title.get(item.title)
        if pool is None and len(by_title) == 1:  # a .passkey file names its item by its file
            pool = next(iter(by_title.values()))
        if (pool or Counter())[(ctype, member, values[record.path])] == 0:
            missing.append(record.path)
    return missing


@pytest.mark.parametrize("fmt", ROUND_TRIP)
def test_what_a_writer_says_it_carried_comes_back(fmt: str) -> None:
    assert _not_read_back(fmt) == []


def test_the_round_trip_check_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A declaration that claims too much is caught: Bitwarden keeps no passkey extensions,
    KeePass no subtitles."""
    from cxkit.adapters.bitwarden import mapping
    from cxkit.adapters.keepass import database

    monkeypatch.setitem(
        mapping.WRITTEN.credentials, "passkey", ledger.Table(default=ledger.CARRIED)
    )
    missing = _not_read_back("bitwarden-json")
    assert missing and all(".fido2Extensions." in p for p in missing)
    claims = ledger.Table({"subtitle": ledger.CARRIED}, default=ledger.CARRIED)
    monkeypatch.setitem(database.WRITTEN.items, "", claims)  # type: ignore[index]
    assert "$.accounts[0].items[0].subtitle" in _not_read_back("keepass-kdbx")


def test_cxf_writers_carry_everything() -> None:
    for fmt in ("cxf-json", "cxkit-sealed"):
        _, report = _write(rich_document(), fmt)
        counts = report.written_fields.counts()
        assert counts[Outcome.TRANSFORMED] == counts[Outcome.NOT_CARRIED] == 0


# =========================================================================== done when (#12)


@pytest.mark.parametrize(
    ("fmt", "lost"),
    [
        ("bitwarden-json", ("hmacCredentials", "credBlob", "tags", "certificate", "subtitle")),
        ("keepass-kdbx", ("hmacCredentials", "userDisplayName", "certificate", "subtitle")),
        ("bitwarden-csv", ("passkey", "tags", "certificate")),
    ],
)
def test_each_lost_member_is_named(fmt: str, lost: tuple[str, ...]) -> None:
    source = json.dumps(rich_json()).encode()
    options = WriteOptions(password=lambda _: PASSWORD, attachments=attachments())
    if fmt == "keepass-kdbx":
        doc, report = adapters.read(source, "rich.cxf.json", source_format="cxf-json")
        KeePassKdbxAdapter(SMALL).write(doc, options, report)
    else:
        report = adapters.convert(
            source, "rich.cxf.json", to=fmt, write_options=options, verify=False
        ).report
    as_json = report.to_json()
    not_carried = as_json["written_fields"]["not_carried"]
    text = report.render(limit=50 if fmt == "bitwarden-csv" else 10)
    for name in lost:
        assert any(name in e["path"] or name in e["member"] for e in not_carried), name
        assert any(
            name in e["what"] or name in e["members"] for e in as_json["written_fields"]["lost"]
        )
        assert name in text, name
    everything = json.dumps(as_json) + text
    assert SECRET_CANARY not in everything
    assert "Alice Example" not in everything  # a userDisplayName value, never a report's


def test_a_passkey_without_extensions_loses_nothing_to_bitwarden() -> None:
    raw = rich_json()
    login = raw["accounts"][0]["items"][0]
    passkey = next(c for c in login["credentials"] if c["type"] == "passkey")
    del passkey["fido2Extensions"]
    doc = cxf.decode(json.dumps(raw).encode())
    _, report = _write(doc, "bitwarden-json")
    lost = {r.member for r in report.written_fields.of(Outcome.NOT_CARRIED)}
    assert not any(name.startswith("passkey ") for name in lost)
    assert "passkey userDisplayName" in {
        r.member for r in report.written_fields.of(Outcome.CARRIED)
    }


# =========================================================================== the ledger itself


def test_rules_cover_what_is_below_them_and_name_the_lost_part() -> None:
    table = ledger.Table(
        {"scope.urls": ledger.CARRIED, "scope.androidApps[].bundleId": ledger.TRANSFORMED}
    )
    assert table.resolve("scope.urls[]", False, "scope.urls")[0] is Outcome.CARRIED
    outcome, note, group = table.resolve(
        "scope.androidApps[].certificate.fingerprint",
        False,
        "scope.androidApps[].certificate.fingerprint",
    )
    assert (outcome, note, group) == (Outcome.NOT_CARRIED, "", "scope.androidApps[].certificate")
    assert table.resolve("usageStats.count", True, "usageStats.count")[2] == "usageStats"
    dotted = ledger.Table({"extensions[com.example.x]": ledger.CARRIED})
    assert dotted.resolve("extensions[com.example.x].a.b", True, "x")[0] is Outcome.CARRIED


def test_an_undeclared_mode_carries_nothing_and_says_so() -> None:
    doc = rich_document()
    _, item = next(doc.items())
    report = MigrationReport()
    declaration = ledger.Declaration("Test", ledger.Table(default=ledger.CARRIED), {})
    declaration.record(report, "$", item, [("no-such-mode", "")] * len(item.credentials))
    credentials = [r for r in report.written_fields if ".credentials[" in r.path]
    assert credentials and all(r.outcome is Outcome.NOT_CARRIED for r in credentials)
    assert all("no declaration for 'no-such-mode'" in r.note for r in credentials)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(unknown=st.dictionaries(st.text(min_size=1, max_size=6), _JSON, max_size=4))
def test_unknown_members_are_walked_leaf_by_leaf(unknown: dict[str, Any]) -> None:
    """Property: the leaves of an item with unknown members are the item's known leaves plus
    one per non-null JSON scalar of the unknown members, each flagged unknown."""
    base = m.Item(id="AAAA", title="t", credentials=())
    item = msgspec.structs.replace(base, cx_extra=m.Extra(unknown=unknown))

    def scalars(value: Any) -> int:
        if isinstance(value, dict):
            return sum(scalars(v) for v in value.values())
        if isinstance(value, list):
            return sum(scalars(v) for v in value)
        return 0 if value is None else 1

    found = list(ledger.leaves(item))
    known = [leaf for leaf in found if not leaf.unknown]
    assert [leaf.path for leaf in known] == ["id", "title"]
    assert len(found) - len(known) == sum(scalars(v) for v in unknown.values())
