"""The scanner for the usual XML shape (``cxkit.kdbx._scan``) builds exactly the model the
ElementTree path builds, on the shared samples, on hand-made documents of every shape it
accepts or declines, and on generated databases; and entries deferred to their first use
behave as ordinary entries (errors included)."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit.errors import CxkitError
from cxkit.kdbx import (
    Attachment,
    Database,
    Entry,
    Group,
    KdbxFormatError,
    Times,
    _container,
    _scan,
    _xml,
    read_kdbx,
    write_kdbx,
)
from cxkit.kdbx._xml import parse_xml_guarded, read_document, write_document
from shared_evidence import KDBX_CREDENTIALS, SHARED, shared_files

KNOWN: set[uuid.UUID] = set()  # v4 UUIDs written to a file: compared, not masked


def _identity(data: bytes) -> bytes:
    return data


def dump(obj: Any) -> Any:
    """A comparable picture of a model object (ElementTree elements as their XML; the fresh
    random UUIDs given to objects that have none in the XML as "fresh")."""
    if isinstance(obj, uuid.UUID) and obj.version == 4 and obj not in KNOWN:
        return "fresh"
    if isinstance(obj, ET.Element):
        return ET.tostring(obj, encoding="unicode")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: dump(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return type(obj).__name__, fields  # the name after the fields: a deferred one is read
    if isinstance(obj, dict):
        return {k: dump(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [dump(v) for v in obj]
    return obj


def dump_db(db: Database) -> Any:
    picture = dump(db)
    return picture, list(db.warnings)  # warnings appear as deferred entries are read


def both(xml: str | bytes, binaries: list[tuple[bytes, bool]] | None = None) -> tuple[Any, Any]:
    """The model read by the scanner (None when it declines) and by the tree path."""
    data = xml.encode() if isinstance(xml, str) else xml
    pool = binaries or []
    usual = _scan.read_usual(data, pool, 1 << 30, _identity)
    tree_db, tree_hash = read_document(parse_xml_guarded(data), pool, 1 << 30, _identity)
    tree = (dump_db(tree_db), tree_hash)
    if usual is None:
        return None, tree
    db, header_hash = usual
    return (dump_db(db), header_hash), tree


def assert_same(xml: str | bytes, *, usual: bool = True, **kw: Any) -> None:
    fast, tree = both(xml, **kw)
    if usual:
        assert fast is not None, "the scanner declined a document of the usual shape"
        assert fast == tree
    else:
        assert fast is None, "the scanner accepted a document outside its shape"


# --------------------------------------------------------------------------- documents

B64 = __import__("base64").b64encode
UID = "AAECAwQFBgcICQoLDA0ODw=="
UID2 = "EBESExQVFhcYGRobHB0eHw=="
TIMES = (
    "<Times><CreationTime>2017-01-01T00:00:00Z</CreationTime>"
    "<LastModificationTime>PPOW4g4AAAA=</LastModificationTime>"
    "<LastAccessTime>PPOW4g4AAAA=</LastAccessTime><ExpiryTime>PPOW4g4AAAA=</ExpiryTime>"
    "<Expires>True</Expires><UsageCount>7</UsageCount>"
    "<LocationChanged>PPOW4g4AAAA=</LocationChanged></Times>"
)


def p(text: str) -> str:
    """A protected value as the identity inner stream leaves it: the base64 of the text."""
    return f'<Value Protected="True">{B64(text.encode()).decode()}</Value>'


def entry(body: str = "", *, uid: str = UID, history: str = "<History/>") -> str:
    return (
        f"<Entry><UUID>{uid}</UUID><IconID>3</IconID><ForegroundColor/><BackgroundColor/>"
        f"<OverrideURL/><Tags>a;b, c</Tags>{TIMES}"
        "<String><Key>Title</Key><Value>T &amp; co &lt;x&gt; &#13; &#x1F600;</Value></String>"
        f"<String><Key>Password</Key>{p('pässword')}</String>"
        f"{body}{history}</Entry>"
    )


def doc(root_body: str, meta: str = "<Meta><Generator>t</Generator></Meta>", top: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<KeePassFile>'
        f"{meta}<Root><Group><UUID>{UID2}</UUID><Name>Root</Name>{TIMES}"
        f"{root_body}</Group><DeletedObjects><DeletedObject><UUID>{UID}</UUID>"
        "<DeletionTime>PPOW4g4AAAA=</DeletionTime></DeletedObject></DeletedObjects></Root>"
        f"{top}</KeePassFile>"
    )


USUAL = {
    "plain": doc(entry()),
    "strings of every form": doc(
        entry(
            "<String><Key>empty</Key><Value/></String>"
            "<String><Key>empty2</Key><Value></Value></String>"
            '<String><Key>prot-empty</Key><Value Protected="True"/></String>'
            '<String><Key>prot-empty2</Key><Value Protected="True"></Value></String>'
            "<String><Key>a &amp; b</Key><Value>line\r\nbreak\rx</Value></String>"
            f"<String><Key>otp</Key>{p('otpauth://totp/x?secret=JBSWY3DPEHPK3PXP')}</String>"
            "<String><Key>Title</Key><Value>duplicate wins</Value></String>"
        )
    ),
    "history": doc(
        entry(history=f"<History>{entry(uid=UID2, history='')}{entry(history='')}</History>")
        + entry(uid=UID2)
    ),
    "attachments": doc(
        entry(
            '<Binary><Key>a.txt</Key><Value Ref="0"/></Binary>'
            '<Binary><Key>gone.txt</Key><Value Ref="9" /></Binary>'
            "<Binary><Key>inline.txt</Key><Value>aGVsbG8=</Value></Binary>"
        )
    ),
    "unknown elements kept": doc(
        entry(
            "<AutoType><Enabled>True</Enabled><Association><Window>w</Window>"
            "<KeystrokeSequence/></Association></AutoType><CustomData><Item><Key>k</Key>"
            "<Value>v</Value></Item></CustomData><QualityCheck>False</QualityCheck>"
        )
        + "<IsExpanded>True</IsExpanded><CustomData><Item><Key>g</Key><Value>1</Value></Item>"
        "</CustomData>",
        top="<Extra>x</Extra>",
    ),
    "no History, other order": doc(
        f"<Entry>{TIMES}<UUID>{UID}</UUID><String><Key>Title</Key><Value>t</Value></String>"
        '<Binary><Key>a.txt</Key><Value Ref="0"/></Binary>'
        "<String><Key>after</Key><Value>binary</Value></String></Entry>"
    ),
    "entry of odd shape": doc(
        f"<Entry><UUID>{UID}</UUID>"
        '<String><Value Protected="True">'
        + B64(b"x").decode()
        + "</Value><Key>v first</Key></String>"
        "<String><Key>k</Key></String><String/><Entry/></Entry><Entry/>"
    ),
    "nested groups and empty ones": doc(
        entry() + f"<Group><UUID>{UID}</UUID><Name>Sub &amp; group</Name><Notes>n</Notes>"
        f"<IconID>5</IconID>{TIMES}<Tags>x</Tags>{entry()}<Group/></Group><Group><Name>e</Name>"
        "</Group>"
    ),
    "meta with pool and hash": doc(
        entry('<Binary><Key>b.txt</Key><Value Ref="1"/></Binary>'),
        meta="<Meta><Generator>KeePass</Generator><HeaderHash>AAAA</HeaderHash><Binaries>"
        '<Binary ID="0">aGVsbG8=</Binary><Binary ID="1" Compressed="True">'
        "H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==</Binary></Binaries><RecycleBinUUID>"
        f"{UID2}</RecycleBinUUID><CustomIcons><Icon><UUID>{UID}</UUID><Data>AAAA</Data></Icon>"
        "</CustomIcons></Meta>",
    ),
    "CDATA and comments inside an entry": doc(
        entry("<String><Key>c</Key><Value><![CDATA[a <b> & c]]></Value></String><!-- note -->")
    ),
    "no XML declaration": doc(entry()).split("\n", 1)[1],
    "history entries with AutoType": doc(
        entry(
            history="<History>"
            f"{entry('<AutoType><Enabled>True</Enabled></AutoType>', uid=UID2, history='')}"
            f"{entry('<AutoType><Enabled>True</Enabled></AutoType>', history='')}</History>"
        )
    ),
    "the same AutoType in every entry": doc(
        "".join(
            entry(
                "<AutoType><Enabled>True</Enabled><DataTransferObfuscation>0"
                "</DataTransferObfuscation><Association><Window>w</Window><KeystrokeSequence/>"
                "</Association></AutoType>",
                uid=uid,
            )
            for uid in (UID, UID2, UID)
        )
    ),
    "the word Protected in a note": doc(
        entry('<String><Key>Notes</Key><Value>Protected="true" by the vault</Value></String>')
    ),
}
USUAL["indented"] = USUAL["history"]
USUAL["CRLF"] = ""

DECLINED = {
    "a history entry with a History of its own": doc(
        entry(history=f"<History>{entry(uid=UID2)}</History>")
    ),
    "comment between groups": doc(entry() + "<!-- x --><Group/>"),
    "lower-case Protected": doc(
        entry('<String><Key>k</Key><Value Protected="true">eA==</Value></String>')
    ),
    "protected value in Meta": doc(
        entry(),
        meta='<Meta><Binaries><Binary ID="0" Protected="True">eA==</Binary></Binaries></Meta>',
    ),
    "Meta after Root": doc(entry(), meta="", top="<Meta><Generator>late</Generator></Meta>"),
    "attribute on a group": doc(entry()).replace("<Group>", '<Group x="1">', 1),
    "not KeePassFile": "<Other/>",
}


def _indent(xml: str, newline: str = "\n") -> str:
    root = ET.fromstring(xml)
    ET.indent(root, space="\t")
    text = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>' + newline + text.replace("\n", newline)


@pytest.mark.parametrize("name", sorted(USUAL))
def test_the_scanner_reads_the_usual_shape_like_the_tree(name: str) -> None:
    xml = USUAL[name]
    if name == "indented":
        xml = _indent(USUAL["history"])
    elif name == "CRLF":
        xml = _indent(USUAL["strings of every form"], "\r\n")
    assert_same(xml, binaries=[(b"pool zero", True), (b"pool one", False)])


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_the_scanner_declines_other_shapes(name: str) -> None:
    xml = DECLINED[name]
    if name == "not KeePassFile":
        assert _scan.read_usual(xml.encode(), [], 1 << 30, _identity) is None
        return
    assert_same(xml, usual=False)


def test_a_declined_document_leaves_the_inner_stream_untouched() -> None:
    calls: list[bytes] = []

    def stream(data: bytes) -> bytes:
        calls.append(data)
        return data

    assert _scan.read_usual(DECLINED["lower-case Protected"].encode(), [], 1 << 30, stream) is None
    assert calls == []


# --------------------------------------------------------------------------- deferred entries


def test_entries_are_read_on_first_use_group_by_group() -> None:
    xml = doc(entry() + entry(uid=UID2) + f"<Group><Name>g</Name>{entry()}</Group>")
    usual = _scan.read_usual(xml.encode(), [], 1 << 30, _identity)
    assert usual is not None
    db, _ = usual
    first, second = db.root.entries
    sub = db.root.groups[0].entries[0]
    assert isinstance(second._pending, tuple)
    assert first.title.startswith("T & co")  # reading one entry reads its group
    assert second._pending is None
    assert isinstance(sub._pending, tuple)  # other groups wait
    assert second.password == "pässword" and sub.password == "pässword"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = first.nope  # type: ignore[attr-defined]


def test_a_deferred_object_loads_before_anything_is_done_to_it() -> None:
    xml = doc(entry() + entry(uid=UID2))
    usual = _scan.read_usual(xml.encode(), [], 1 << 30, _identity)
    assert usual is not None
    first, second = usual[0].root.entries
    assert isinstance(first, Entry) and type(first) is not Entry  # its pending variant
    first.icon_id = 42  # setting a field loads the entry first: nothing is overwritten later
    assert type(first) is Entry and first.icon_id == 42 and first.title.startswith("T & co")
    times = second.times  # loading the entry leaves its timestamps pending
    assert type(times) is not Times
    times.expires = False
    assert type(times) is Times and not times.expires and times.usage_count == 7
    copy_ = __import__("copy").deepcopy(usual[0].root.entries[1])
    assert dump(copy_) == dump(second)
    assert second == copy_ and repr(second) == repr(copy_)


def test_a_group_read_on_first_use_goes_to_the_oldest_generation() -> None:
    """Its entries live as long as the database: the collector does not scan them as young
    objects after the read (``promote_young``); a caller's own frozen objects stay frozen."""
    xml = doc(entry() + entry(uid=UID2) + f"<Group><Name>g</Name>{entry()}</Group>")
    usual = _scan.read_usual(xml.encode(), [], 1 << 30, _identity)
    assert usual is not None
    first, second = usual[0].root.entries
    assert gc.isenabled()
    _ = first.title
    assert gc.isenabled()
    young = {id(o) for o in gc.get_objects(generation=0) + gc.get_objects(generation=1)}
    assert id(first) not in young and id(second.strings) not in young
    gc.freeze()
    try:
        assert gc.get_freeze_count() > 0
        _ = usual[0].root.groups[0].entries[0].title
        assert gc.get_freeze_count() > 0 and gc.isenabled()  # not unfrozen by the read
    finally:
        gc.unfreeze()
    gc.disable()  # a caller's paused collector stays paused
    try:
        again = _scan.read_usual(xml.encode(), [], 1 << 30, _identity)
        assert again is not None
        _ = again[0].root.entries[0].title
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_malformed_entry_fails_on_first_use_and_alone() -> None:
    bad = entry("<String><Key>k</Key><Value>&bogus;</Value></String>")
    xml = doc(entry() + bad + entry(uid=UID2))
    usual = _scan.read_usual(xml.encode(), [], 1 << 30, _identity)
    assert usual is not None  # the structure is fine: the scanner does not read entry texts
    db, _ = usual
    good, broken, other = db.root.entries
    assert good.title and other.uuid == uuid.UUID(bytes=__import__("base64").b64decode(UID2))
    for _ in range(2):  # the same error every time, never a half-read entry
        with pytest.raises(KdbxFormatError, match="not well-formed") as err:
            _ = broken.title
        assert "bogus" not in str(err.value)  # the message quotes no text of the file
    assert dump(good) == dump(db.root.entries[0])


def test_a_database_with_deferred_entries_round_trips(tmp_path: Path) -> None:
    db = _generated(random.Random(5), 40)
    data = write_kdbx(db, password="pw")
    again = read_kdbx(data, password="pw")
    assert dump(again.root) == dump(read_kdbx(data, password="pw").root)
    third = read_kdbx(write_kdbx(again, password="pw"), password="pw")  # saved unread
    assert dump(third.root) == dump(again.root)


# --------------------------------------------------------------------------- files


def _read_both(data: bytes, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> tuple[Any, Any, bool]:
    used: list[bool] = []
    real = _scan.read_usual

    def spy(*a: Any) -> Any:
        result = real(*a)
        used.append(result is not None)
        return result

    monkeypatch.setattr(_container, "read_usual", spy)
    fast = read_kdbx(data, **kw)
    monkeypatch.setattr(_container, "read_usual", lambda *a: None)
    tree = read_kdbx(data, **kw)
    monkeypatch.undo()
    return dump_db(fast), dump_db(tree), used == [True]


SAMPLES = list(shared_files("exports", "*.kdbx"))


@pytest.mark.shared
@pytest.mark.parametrize(
    "path",
    [pytest.param(s, id=s.name) for s in SAMPLES]
    or [pytest.param(None, marks=pytest.mark.skip(reason=f"no KDBX samples under {SHARED}"))],
)
def test_every_sample_reads_the_same_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    password, key = KDBX_CREDENTIALS[path.name]
    fast, tree, scanned = _read_both(
        path.read_bytes(),
        monkeypatch,
        password=password,
        keyfile=path.parent / key if key else None,
    )
    assert fast == tree
    if path.name.startswith("test4") or path.name == "keepass.kdbx":
        assert scanned, "KeePass/pykeepass output is the usual shape"


def _generated(rnd: random.Random, n: int) -> Database:
    db = Database()
    words = ["", "a", "x & y", "<tag>", "ünï", "line\nbreak", " spaced ", "\U0001f600"]
    group = Group(name="G")
    db.root.groups.append(group)
    for i in range(n):
        e = Entry()
        for k in ("Title", "UserName", "Password", "URL", "Notes", "custom", "otp"):
            if rnd.random() < 0.8:
                e.set(k, rnd.choice(words) + str(i), protected=rnd.random() < 0.4)
        if rnd.random() < 0.3:
            e.attachments.append(Attachment(f"f{i}", bytes([i % 256]) * 5, rnd.random() < 0.5))
        if rnd.random() < 0.3:
            old = Entry(uuid=e.uuid)
            old.set("Password", "old" + str(i), protected=True)
            e.history.append(old)
        e.tags = rnd.sample(["t1", "t2", "t3"], rnd.randint(0, 2))
        e.times.expires = rnd.random() < 0.5
        e.times.expiry = datetime(2030, 1, 1, tzinfo=UTC)
        (group if i % 2 else db.root).entries.append(e)
    return db


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 12), indent=st.booleans())
def test_generated_databases_read_the_same_both_ways(seed: int, n: int, indent: bool) -> None:
    db = _generated(random.Random(seed), n)
    KNOWN.update(e.uuid for _p, e in db.iter_entries())
    KNOWN.update(g.uuid for _p, g in db.walk())
    xml, pool = write_document(db, _identity, datetime(2026, 1, 1, tzinfo=UTC))
    if indent:
        xml = _indent(xml.decode()).encode()
    assert_same(xml, binaries=pool)


def test_the_writer_hands_over_pieces_that_join_to_the_same_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = _generated(random.Random(11), 30)
    db.root.groups[0].groups.append(Group(name="deeper", entries=[Entry()]))
    whole, _pool = write_document(db, _identity, datetime(2026, 1, 1, tzinfo=UTC))
    monkeypatch.setattr(_xml, "_PARTS_PER_PIECE", 3)  # a piece after nearly every entry
    pieces: list[bytes] = []
    _xml.write_document_to(
        db, _identity, _xml.binary_pool(db), pieces.append, datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert len(pieces) > 10
    assert b"".join(pieces) == whole
    again = read_kdbx(write_kdbx(db, password="pw"), password="pw")  # pieces, compressed
    assert [e.strings for _p, e in again.iter_entries()] == [
        e.strings for _p, e in db.iter_entries()
    ]


# --------------------------------------------------------------------------- hostile XML


@pytest.mark.parametrize("seed", range(6))
def test_mutated_xml_gives_cxkit_errors_or_the_tree_model(seed: int) -> None:
    base = _indent(USUAL["unknown elements kept"]).encode()
    rnd = random.Random(seed)
    for _ in range(150):
        data = bytearray(base)
        for _ in range(rnd.randint(1, 4)):
            data[rnd.randrange(len(data))] = rnd.choice(b"<>/&;\"'= \r\nxE\x00\xff")
        _check_mutant(bytes(data), _materialise)


def _materialise(db: Database) -> None:
    for _path, e in db.iter_entries():
        with contextlib.suppress(KdbxFormatError):
            dump(e)


def _check_mutant(data: bytes, use: Callable[[Database], None]) -> None:
    try:
        usual = _scan.read_usual(data, [], 1 << 20, _identity)
    except CxkitError:
        return
    if usual is not None:
        use(usual[0])
