"""Write-side accounting (issue #12): every leaf of the CXF document a writer is given — its
items, and the header, accounts and collections around them — is reported carried, transformed
or not carried; what a writer says it carried comes back when its own format is read again;
lost members are named in the JSON report and in the text."""

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
    """Full CXF path → value of every leaf of *doc*: its items, header, accounts, collections."""
    out: dict[str, Any] = {leaf.path: leaf.value for leaf in ledger.document_leaves(doc)}
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


def _outside(path: str) -> str | None:
    """``header``, ``account`` or ``collection`` for a leaf outside the items, else None."""
    if ".collections[" in path:
        return "collection"
    if ".items[" in path:
        return None
    return "account" if path.startswith("$.accounts[") else "header"


def _outside_keys(doc: cxf.Document) -> Counter[tuple[str, str, Any]]:
    """(header/account/collection, member, value) of every leaf of *doc* outside its items."""
    out: Counter[tuple[str, str, Any]] = Counter()
    for leaf in ledger.document_leaves(doc):
        kind = _outside(leaf.path)
        assert kind is not None
        out[(kind, leaf.member, leaf.value)] += 1
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
    """Leaves are the JSON scalars of the whole document — items, header, account, collections
    — but the credential ``type`` and extension ``name`` tags."""
    doc = rich_document()
    raw = rich_json()

    def scalars(value: Any) -> int:
        if isinstance(value, dict):
            return sum(scalars(v) for k, v in value.items())
        if isinstance(value, list):
            return sum(scalars(v) for v in value)
        return 0 if value is None else 1

    def tags(value: Any, key: str = "") -> int:
        if isinstance(value, dict):
            return sum(tags(v, k) for k, v in value.items())
        if isinstance(value, list):
            own = sum(
                1 for v in value if isinstance(v, dict) and key in ("credentials", "extensions")
            )
            return own + sum(tags(v) for v in value)
        return 0

    account = raw["accounts"][0]
    assert account["collections"] and account["extensions"]
    assert account["collections"][0]["subCollections"]
    assert len(_input_leaves(doc)) == scalars(raw) - tags(raw)
    outside = [p for p in _input_leaves(doc) if _outside(p) is not None]
    assert "$.accounts[0].collections[0].subCollections[0].title" in outside
    assert {
        "$.exporterRpId",
        "$.accounts[0].email",
        "$.accounts[0].collections[0].subtitle",
    } <= set(outside)


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
    around = _outside_keys(back)
    carried = report.written_fields.of(Outcome.CARRIED)
    assert carried, "a writer that carries nothing"
    missing = []
    for record in carried:
        kind = _outside(record.path)
        if kind is not None:  # a header, account or collection member: anywhere in the result
            shown, _, member = record.member.partition(" ")
            assert shown == kind, record
            if around[(kind, member, values[record.path])] == 0:
                missing.append(record.path)
            continue
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


@pytest.mark.parametrize(
    ("fmt", "titles"),
    [
        ("bitwarden-json", {"Work", "Home"}),  # "Cards" becomes the folder "Work/Cards"
        ("bitwarden-csv", {"Work", "Home"}),
        ("keepass-kdbx", {"Work", "Cards", "Home"}),
        ("keepassxc-csv", {"Work", "Cards", "Home"}),
        ("cxf-json", {"Work", "Cards", "Home"}),
    ],
)
def test_collection_titles_said_carried_come_back(fmt: str, titles: set[str]) -> None:
    """The round trip above covers collection titles: these writers say they carried them."""
    _, report = _write(rich_document(), fmt)
    carried = {
        r.path for r in report.written_fields.of(Outcome.CARRIED) if r.member == "collection title"
    }
    doc = rich_document()
    values = _input_leaves(doc)
    assert {values[p] for p in carried} == titles


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
    everything = ledger.Table(default=ledger.CARRIED, unknown=ledger.CARRIED)
    monkeypatch.setitem(database.WRITTEN.collections, "", everything)  # type: ignore[index]
    missing = _not_read_back("keepass-kdbx")
    assert "$.accounts[0].collections[0].subtitle" in missing
    assert "$.accounts[0].collections[1].rank" in missing  # an unknown member
    monkeypatch.setitem(mapping.WRITTEN.accounts, "", everything)  # type: ignore[index]
    assert "$.accounts[0].email" in _not_read_back("bitwarden-json")


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


@pytest.mark.parametrize(
    ("fmt", "lost"),
    [
        ("bitwarden-json", ("collection subtitle", "collection creationAt", "account email",
                            "account extensions[com.example.account-info]", "header timestamp")),
        ("keepass-kdbx", ("collection subtitle", "collection rank", "account email",
                          "account username", "header exporterRpId")),
        ("keepassxc-passkey", ("collection title", "account id", "header version")),
    ],
)  # fmt: skip
def test_header_account_and_collection_losses_are_named(fmt: str, lost: tuple[str, ...]) -> None:
    _, report = _write(rich_document(), fmt)
    as_json = report.to_json()["written_fields"]
    losses = {e["what"]: e for e in as_json["lost"]}
    records = {e["member"] for e in as_json["not_carried"]}
    text = report.render(limit=100)
    for name in lost:
        assert name in losses and any(r.startswith(name) for r in records), name
        assert losses[name]["why"], name
        assert f"not carried: {name}" in text, name
    kinds = {losses[name]["of"] for name in lost}
    assert kinds == {"header", "account", "collection"}
    everything = json.dumps(as_json) + text
    for value in ("alice@example.com", "office things", "family", "Alice Example"):
        assert value not in everything  # names, never values (an item's title is its name)


def test_outside_losses_are_grouped_one_line_per_member_kind() -> None:
    _, report = _write(rich_document(), "keepass-kdbx")
    text = report.render(limit=100)
    lines = [line for line in text.splitlines() if "not carried: collection subtitle" in line]
    assert lines == [
        "  not carried: collection subtitle: 1 collection (Work): KeePass groups have no subtitle"
    ]
    assert "not carried: account email: 1 account: KeePass keeps no account e-mail" in text
    header = [line for line in text.splitlines() if "not carried: header " in line]
    assert header and all(": the header: " in line for line in header)
    # the cut list ends with how many more the --report file holds
    short = report.render(limit=2).splitlines()
    losses = report.written_losses()
    assert f"  … and {len(losses) - 2} more (--report FILE)" in short


def test_written_leaves_outside_items_are_walked_lazily() -> None:
    """Recording the document costs one deferred entry; its rows appear when looked at."""
    doc = rich_document()
    report = MigrationReport()
    from cxkit.adapters.bitwarden import mapping

    mapping.WRITTEN.record_document(report, doc)
    assert report.written_fields.deferred() == []  # not an item: CSV writers skip it
    assert "1 pending" in repr(report.written_fields)
    paths = [r.path for r in report.written_fields]
    assert paths == [leaf.path for leaf in ledger.document_leaves(doc)]


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


def test_several_accounts_to_keepass_name_their_groups() -> None:
    raw = rich_json()
    second = {**raw["accounts"][0], "id": "AAAAAAAAAAAAAAAAAAAAAA", "username": "bob"}
    second = {**second, "collections": [], "items": []}
    raw["accounts"].append(second)
    doc = cxf.decode(json.dumps(raw).encode())
    _, report = _write(doc, "keepass-kdbx")
    by_path = {r.path: r for r in report.written_fields}
    assert by_path["$.accounts[1].username"].outcome is Outcome.TRANSFORMED
    assert by_path["$.accounts[1].email"].outcome is Outcome.NOT_CARRIED
    assert Counter(by_path.keys()) == Counter(_input_leaves(doc).keys())


_TITLES = st.text(alphabet="abcXYZ", min_size=1, max_size=4)
_TREES = st.recursive(
    st.fixed_dictionaries({"title": _TITLES}, optional={"subtitle": _TITLES}),
    lambda inner: st.fixed_dictionaries(
        {"title": _TITLES, "subCollections": st.lists(inner, min_size=1, max_size=3)},
        optional={"subtitle": _TITLES, "creationAt": st.integers(0, 2**31)},
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(trees=st.lists(_TREES, max_size=3))
def test_nested_collections_are_walked_leaf_by_leaf(trees: list[dict[str, Any]]) -> None:
    """Property: every collection of any tree is walked, each of its members once, at its own
    path; Bitwarden carries the top-level titles and transforms the nested ones."""
    counter = iter(range(10_000))

    def fill(tree: dict[str, Any]) -> dict[str, Any]:
        out = {**tree, "id": cxf.b64.encode(next(counter).to_bytes(16, "big")), "items": []}
        if "subCollections" in tree:
            out["subCollections"] = [fill(s) for s in tree["subCollections"]]
        return out

    raw = rich_json()
    raw["accounts"][0]["collections"] = [fill(t) for t in trees]
    doc = cxf.decode(json.dumps(raw).encode())
    _, report = _write(doc, "bitwarden-json")
    records = list(report.written_fields)
    assert Counter(r.path for r in records) == Counter(_input_leaves(doc).keys())
    titles = [r for r in records if r.member == "collection title"]
    for record in titles:
        nested = ".subCollections[" in record.path
        assert record.outcome is (Outcome.TRANSFORMED if nested else Outcome.CARRIED)

    def count(tree: dict[str, Any]) -> int:
        return 1 + sum(count(s) for s in tree.get("subCollections", ()))

    assert len(titles) == sum(count(t) for t in trees)


@pytest.mark.parametrize("fmt", ["keepass-kdbx", "keepassxc-csv"])
def test_a_favourite_is_lost_only_where_there_is_one(fmt: str) -> None:
    """``favorite`` is ``.default false`` in CXF: an item that is not a favourite loses
    nothing to a destination without favourites; one that is, is reported."""
    raw = rich_json()
    items = raw["accounts"][0]["items"]
    for item in items:
        item["favorite"] = False
    items[0]["favorite"] = True
    _, report = _write(cxf.decode(json.dumps(raw).encode()), fmt)
    fields = report.written_fields
    lost = [r for r in fields.of(Outcome.NOT_CARRIED) if r.member == "favorite"]
    kept = [r for r in fields.of(Outcome.CARRIED) if r.member == "favorite"]
    # (an item the writer does not write at all loses everything, favourite or not)
    assert [r.item for r in lost if "favourites" in r.note] == [items[0]["title"]]
    assert kept and len(kept) + len(lost) == len(items)
    assert items[0]["title"] not in {r.item for r in kept}
