"""The KeePass entry mapping on the kit's item builder (``keepass/database.py`` read side,
issue 12): :meth:`ItemBuilder.merge` (further-passkey entries read into their item), a skipped
entry's fields recorded once, and a property test of the field accounting over generated
databases (every attribute recorded exactly once, no value in the report, items in tree order)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import kdbx
from cxkit.adapters.keepass import database as keepass
from cxkit.adapters.kit.builder import ItemBuilder
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import model as m
from cxkit.errors import CxkitError

SECRET = "Kp-Secret-7wQx"


def test_merge_takes_the_other_builders_records_and_credentials_in_order() -> None:
    report = MigrationReport()
    main = ItemBuilder(report, "/Root/A[1].", item_id="AQ", title="A")
    main.rec("UUID", Disposition.MEMBER, "item.id")
    other = ItemBuilder(report, "/Root/A (passkey 2)[2].", item_id="", title="A (passkey 2)")
    note = m.Note(content=m.EditableField(field_type="string", value=SECRET))
    other.add(note)
    other.add(note, Outcome.TRANSFORMED, "own note")
    other.rec("Notes", Disposition.MEMBER, "passkey", "why")
    main.merge(other, "merged")
    assert not other.credentials and not other.outcomes
    item = main.finish()
    assert item is not None and len(item.credentials) == 2
    assert [(r.path, r.item) for r in report.fields] == [
        ("/Root/A[1].UUID", "A"),
        ("/Root/A (passkey 2)[2].Notes", "A (passkey 2)"),
    ]
    assert [(c.outcome, c.note, c.key) for c in report.credentials] == [
        (Outcome.CARRIED, "merged", ("AQ", 0)),
        (Outcome.TRANSFORMED, "own note", ("AQ", 1)),
    ]


def test_a_skipped_entry_has_each_field_recorded_once_not_carried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(Before the rebuild, the fields read before the failure were recorded twice.)"""
    real = keepass._EntryReader.urls

    def broken(self: Any) -> None:
        if self.entry.title == "bad":
            raise CxkitError("damaged")
        real(self)

    monkeypatch.setattr(keepass._EntryReader, "urls", broken)
    db = kdbx.Database()
    for title in ("good", "bad"):
        entry = kdbx.Entry()
        entry.set("Title", title)
        entry.set("UserName", "u")
        entry.set("Password", SECRET)
        db.root.entries.append(entry)
    report = MigrationReport()
    doc = keepass.database_to_document(db, report)
    assert [i.title for _a, i in doc.items()] == ["good"]
    assert report.items_skipped == [("bad", "cannot be read: damaged")]
    bad = [r for r in report.fields if r.item == "bad"]
    assert sorted(r.path.rsplit(".", 1)[1] for r in bad) == ["Password", "Title", "UserName"]
    assert {(r.disposition, r.note) for r in bad} == {(Disposition.NOT_CARRIED, "entry skipped")}


# ------------------------------------------------------------------ generated databases

_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgU7SCcfu1L6BtAiKi\n"
    "-----END PRIVATE KEY-----"
)
_VALUES: dict[str, list[str]] = {
    "UserName": ["alice", ""],
    "Password": [SECRET, ""],
    "URL": ["https://a.example", ""],
    "Notes": ["line\nline", ""],
    "otp": ["otpauth://totp/I:u?secret=JBSWY3DPEHPK3PXP&issuer=I", "JBSWY3DPEHPK3PXP", "bad"],
    "TimeOtp-Secret-Base32": ["JBSWY3DPEHPK3PXP", "!!"],
    "TimeOtp-Period": ["30", "x"],
    "TOTP Seed": ["JBSWY3DPEHPK3PXP", ""],
    "TOTP Settings": ["30;6", "30;S", "a;b"],
    "KP2A_URL": ["androidapp://com.example", "https://b.example"],
    "KP2A_URL_1": ["https://c.example"],
    "KPEX_PASSKEY_PRIVATE_KEY_PEM": [_PEM, "garbage", ""],
    "KPEX_PASSKEY_CREDENTIAL_ID": ["AAECAwQFBgcICQ", "!"],
    "KPEX_PASSKEY_RELYING_PARTY": ["example.com", ""],
    "KPEX_PASSKEY_USER_HANDLE": ["dXNlcg", "!!"],
    "KPEX_PASSKEY_FLAG_BE": ["1", "maybe"],
    "Custom": ["value", ""],
}


@st.composite
def _entries(draw: st.DrawFn) -> kdbx.Entry:
    entry = kdbx.Entry()
    entry.set("Title", draw(st.sampled_from(["Mail", "", "Bank (passkey 2)"])))
    for key in draw(st.lists(st.sampled_from(sorted(_VALUES)), unique=True, max_size=8)):
        entry.strings[key] = kdbx.StringField(
            draw(st.sampled_from(_VALUES[key])) + draw(st.sampled_from(["", SECRET])),
            draw(st.booleans()),
        )
    if draw(st.booleans()):
        entry.attachments.append(kdbx.Attachment("a.txt", SECRET.encode()))
    entry.tags = draw(st.lists(st.sampled_from(["a", "", "Passkey"]), max_size=2))
    return entry


@st.composite
def _groups(draw: st.DrawFn, depth: int = 0) -> kdbx.Group:
    group = kdbx.Group(name=draw(st.sampled_from(["G", "Work", ""])))
    group.entries = draw(st.lists(_entries(), max_size=3))
    if depth < 2:
        group.groups = draw(st.lists(_groups(depth + 1), max_size=2))
    return group


@given(root=_groups(), has_bin=st.booleans(), include=st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_databases_account_for_every_attribute(
    root: kdbx.Group, has_bin: bool, include: bool
) -> None:
    db = kdbx.Database(root=root)
    root.name = "Root"
    for n, (_p, g) in enumerate(db.walk()):  # distinct UUIDs (and report paths)
        g.uuid = uuid.UUID(int=(n + 1) << 100)
        for k, e in enumerate(g.entries):
            e.uuid = uuid.UUID(int=(n + 1) << 100 | (k + 1) << 96)
    bin_group = root.groups[0] if root.groups and has_bin else None
    db.meta.recycle_bin_uuid = bin_group.uuid if bin_group is not None else None
    in_bin = {id(e) for _p, g in bin_group.walk() for e in g.entries} if bin_group else set()
    report = MigrationReport()
    doc = keepass.database_to_document(db, report, attachments={}, include_recycle_bin=include)
    skipped = set() if include else in_bin
    # items in group tree order (pre-order), each entry once (no further-passkey links here)
    walked = [e for _p, g in db.walk() for e in g.entries if id(e) not in skipped]
    assert [i.id for _a, i in doc.items()] == [keepass.b64.encode(e.uuid.bytes) for e in walked]
    assert len(report.items_skipped) == len(skipped)
    # every attribute recorded exactly once (an empty standard field is no field of a read entry;
    # a skipped entry is named by title alone: two of one title in a group share their paths)
    expected: Counter[str] = Counter()
    for parents, group in db.walk():
        where = "/" + "/".join(g.name for g in (*parents, group))
        for e in group.entries:
            binned = id(e) in skipped
            own = f"{where}/{e.title}." if binned else f"{where}/{e.title}[{e.uuid.hex[:8]}]."
            expected.update(own + k for k, v in e.strings.items()
                            if binned or v.value or k not in kdbx.STANDARD_FIELDS)  # fmt: skip
            expected.update(f"{own}Binary[{a.name}]" for a in e.attachments)
    found = Counter(r.path for r in report.fields)
    assert {p: found[p] for p in expected} == dict(expected)
    # one credential record per credential, keyed by item and index
    read = [c for c in report.credentials if c.key is not None]
    assert len(read) == sum(len(i.credentials) for _a, i in doc.items())
    assert SECRET not in json.dumps(report.to_json()) and SECRET not in report.render()


def test_a_private_key_neither_pem_nor_base64_loses_the_passkey_not_the_entry() -> None:
    """(Before the rebuild, the Base64Error skipped the whole entry.)"""
    db = kdbx.Database()
    entry = kdbx.Entry()
    entry.set("Title", "Mail")
    entry.set("UserName", "alice")
    entry.set("KPEX_PASSKEY_PRIVATE_KEY_PEM", f"not a key {SECRET}!")
    entry.set("KPEX_PASSKEY_RELYING_PARTY", "example.com")
    db.root.entries.append(entry)
    report = MigrationReport()
    doc = keepass.database_to_document(db, report)
    [(_a, item)] = list(doc.items())
    assert [type(c) for c in item.credentials] == [m.BasicAuth]
    assert not report.items_skipped
    [passkey] = [c for c in report.credentials if c.credential_type == "passkey"]
    assert passkey.outcome == Outcome.NOT_CARRIED and "neither PEM nor base64" in passkey.note
    assert SECRET not in json.dumps(report.to_json())


def test_entries_in_a_recycle_bin_subgroup_are_named_by_their_own_group() -> None:
    db = kdbx.Database()
    trash, old = kdbx.Group(name="Recycle Bin"), kdbx.Group(name="Old")
    entry = kdbx.Entry()
    entry.set("Title", "Mail")
    old.entries.append(entry)
    trash.groups.append(old)
    db.root.groups.append(trash)
    db.meta.recycle_bin_uuid = trash.uuid
    report = MigrationReport()
    keepass.database_to_document(db, report)
    assert [r.path for r in report.fields] == ["/Root/Recycle Bin/Old/Mail.Title"]
