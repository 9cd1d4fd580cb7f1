"""The KDBX writer's speed paths keep what it writes exactly (issue #13, performance).

``document_to_database`` maps the usual item (no extension; one login and notes) in one pass
(``_plain_entry``) and every other item through ``_EntryWriter``; the XML writer formats each
distinct ``Times`` block and time once. These tests hold:

* the one-pass mapping equal to the general one, database and report alike, on random items of
  every shape (property);
* the written payload and the report's credential rows equal, byte for byte, to what the writer
  produced before these paths existed (a digest taken with commit 179cb84's code over fixed
  random documents: change it only when the mapping changes on purpose, and say so);
* random documents → KDBX bytes → read back (cxkit) giving the entries that were written.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import cxf, kdbx
from cxkit.adapters.keepass import database
from cxkit.adapters.keepass.database import EXTENSION, document_to_database
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import model as m
from cxkit.kdbx import _xml
from cxkit.kdbx._crypto import STREAM_CHACHA20, InnerStream

NOW = datetime(2026, 12, 7, 3, 0, 0, tzinfo=UTC)
_TEXTS = ("", "a", "Mail", "x & y <z>", "line 1\nline 2", "cr\r\nlf", "tab\there", "é ü 漢字",
          "🔑 key", "ctl\x01\x1f", "quote \" '", "]]>", "  padded  ")  # fmt: skip


def _text(rng: random.Random) -> str:
    return rng.choice(_TEXTS) + (str(rng.randrange(1000)) if rng.random() < 0.5 else "")


def _field(rng: random.Random, kind: str = "string") -> m.EditableField:
    return m.EditableField(field_type=kind, value=_text(rng),
                           label=rng.choice((None, "PIN", "Title", "otp", "")))  # fmt: skip


def _id(rng: random.Random, used: list[str]) -> str:
    roll = rng.random()
    if used and roll < 0.05:  # the same id twice: the second entry gets a fresh UUID
        return rng.choice(used)
    # canonical base64url of 16 bytes: the entry's UUID is those bytes; anything else is hashed
    # (other lengths, non-canonical last characters)
    raw = rng.randbytes(16 if roll < 0.75 else rng.choice((1, 15, 17, 32)))
    text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    if roll > 0.95 and len(text) == 22:
        text = text[:-1] + "B"  # unused bits set: not canonical
    used.append(text)
    return text


def _time(rng: random.Random) -> int | None:
    return rng.choice((None, None, 0, 1_600_000_000, 1_700_000_000 + rng.randrange(99), 2**40))


def _credential(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return m.BasicAuth(
            username=_field(rng) if rng.random() < 0.8 else None,
            password=_field(rng, "concealed-string") if rng.random() < 0.8 else None,
        )
    if roll < 0.6:
        return m.Note(content=_field(rng))
    if roll < 0.7:
        return m.Totp(secret="JBSWY3DPEHPK3PXP", period=rng.choice((30, 60)),
                      digits=rng.choice((6, 8)), algorithm=rng.choice(("sha1", "sha256")),
                      issuer=rng.choice((None, "Example")), username=None)  # fmt: skip
    if roll < 0.8:
        return m.CustomFields(fields=tuple(_field(rng) for _ in range(rng.randint(1, 3))),
                              label=rng.choice((None, "Section")))  # fmt: skip
    if roll < 0.9:
        return m.CreditCard(number=_field(rng, "concealed-string"), full_name=_field(rng))
    return m.UnknownCredential(credential_type="future-thing", members={"a": 1})


def _extension(rng: random.Random) -> tuple[Any, ...]:
    roll = rng.random()
    if roll < 0.8:
        return ()
    if roll < 0.9:  # someone else's: the item is still written in full
        return (m.UnknownExtension(extension_name="other/vendor", members={"x": 1}),)
    members: dict[str, Any] = {}
    for key, value in (("icon", rng.randrange(70)), ("usageCount", rng.randrange(9)),
                       ("expiry", "2030-01-02T03:04:05Z"), ("lastAccess", "2025-05-05T05:05:05Z"),
                       ("foregroundColor", "#FF0000"), ("overrideUrl", "cmd://x"),
                       ("noMainUrl", True), ("protection", ["URL"]), ("totp", [["timeotp"]])):  # fmt: skip
        if rng.random() < 0.4:
            members[key] = value
    return (m.UnknownExtension(extension_name=EXTENSION, members=members),)


def _item(rng: random.Random, used: list[str]) -> m.Item:
    urls = tuple(f"https://{_text(rng)}.example/{i}" for i in range(rng.choice((0, 1, 1, 2, 3))))
    apps = tuple(m.AndroidAppId(bundle_id=f"com.app{i}") for i in range(rng.choice((0, 0, 1))))
    scope = m.CredentialScope(urls=urls, android_apps=apps) if urls or apps else None
    plain = rng.random() < 0.5  # half the items in the usual shape: a login and a note or two
    if plain:
        creds: list[Any] = [m.BasicAuth(username=_field(rng),
                                        password=_field(rng, "concealed-string"))]  # fmt: skip
        creds += [m.Note(content=_field(rng)) for _ in range(rng.choice((0, 0, 1, 2)))]
        if rng.random() < 0.25:
            creds.append(m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1",
                                issuer=rng.choice((None, "Example", "A B")), username=None))  # fmt: skip
        rng.shuffle(creds)
    else:
        creds = [_credential(rng) for _ in range(rng.randint(0, 4))]
    tags = tuple(_text(rng) or "t" for _ in range(rng.choice((0, 0, 1, 2))))
    return m.Item(id=_id(rng, used), title=_text(rng), creation_at=_time(rng),
                  modified_at=_time(rng), scope=scope, credentials=tuple(creds), tags=tags,
                  extensions=() if plain and rng.random() < 0.9 else _extension(rng))  # fmt: skip


def document(rng: random.Random, items: int) -> cxf.Document:
    """A random document of *items* items in one account, some in a collection."""
    used: list[str] = []
    all_items = tuple(_item(rng, used) for _ in range(items))
    linked = tuple(m.LinkedItem(item=i.id) for i in all_items[: items // 3])
    collection = m.Collection(id=base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("="),
                              title="Folder", items=linked)  # fmt: skip
    account = m.Account(id="YWNjb3VudA", username="u", email="u@example.com",
                        collections=(collection,) if linked else (), items=all_items)  # fmt: skip
    header = m.Header(version=m.CXF_VERSION, exporter_rp_id="example.com",
                      exporter_display_name="Example", timestamp=0, accounts=(account,))  # fmt: skip
    return cxf.Document(header)


def _seeded_uuid4(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=rng.getrandbits(128), version=4))


def _mapped(doc: cxf.Document) -> tuple[kdbx.Database, MigrationReport]:
    report = MigrationReport()
    return document_to_database(doc, report), report


# --------------------------------------------------------------------------- one pass = general


@given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=12))
@settings(max_examples=150)
def test_the_one_pass_mapping_equals_the_general_one(rng: random.Random, items: int) -> None:
    doc = document(rng, items)
    with pytest.MonkeyPatch.context() as mp:
        _seeded_uuid4(mp, 1)
        db_fast, fast = _mapped(doc)
        _seeded_uuid4(mp, 1)
        mp.setattr(database, "_plain_entry", lambda item, rows: None)  # every item in full
        db_full, full = _mapped(doc)
    assert db_fast == db_full
    assert list(fast.credentials) == list(full.credentials)
    assert fast.written_fields.rows() == full.written_fields.rows()
    assert (fast.warnings, fast.items_written, fast.items_skipped) == (
        full.warnings, full.items_written, full.items_skipped)  # fmt: skip


def test_the_one_pass_mapping_takes_the_usual_items_only() -> None:
    login = m.BasicAuth(username=m.EditableField(field_type="string", value="u"))
    note = m.Note(content=m.EditableField(field_type="string", value="n"))
    totp = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    ext = (m.UnknownExtension(extension_name=EXTENSION, members={"icon": 3}),)

    def plain(creds: tuple[Any, ...], extensions: tuple[Any, ...] = ()) -> bool:
        item = m.Item(id="AAAAAAAAAAAAAAAAAAAAAA", title="t", credentials=creds,
                      extensions=extensions)  # fmt: skip
        return database._plain_entry(item, []) is not None

    assert plain(()) and plain((login,)) and plain((note, login, note)) and plain((totp, login))
    assert not plain((login, login)) and not plain((login, totp, totp)) and not plain((login,), ext)


_OTP_TEXT = st.text(alphabet=st.sampled_from("AZaz09_.~-:@/ ?&=%+é#"), max_size=8)


@given(
    secret=_OTP_TEXT,
    issuer=st.none() | _OTP_TEXT,
    username=st.none() | _OTP_TEXT,
    algorithm=st.sampled_from(("sha1", "sha256", "sha512", "steam", "md5é")),
    period=st.integers(min_value=1, max_value=65535),
    digits=st.integers(min_value=1, max_value=10),
)
def test_otp_uris_without_anything_to_encode_are_what_urllib_makes(
    secret: str, issuer: str | None, username: str | None, algorithm: str, period: int,
    digits: int,
) -> None:  # fmt: skip
    totp = m.Totp(secret=secret, issuer=issuer, username=username, algorithm=algorithm,
                  period=period, digits=digits)  # fmt: skip
    general: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        real = database._otp_uri
        mp.setattr(database, "_UNRESERVED", re.compile("(?!)"))  # the fast path never taken
        mp.setattr(database, "_otp_uri", lambda *a: general.append(real(*a)) or general[-1])
        database.format_otp(totp)
    assert database.format_otp(totp) == general[0]


# --------------------------------------------------------------------------- as before


def _payload_digest(seed: int, items: int) -> str:
    doc = document(random.Random(seed), items)
    report = MigrationReport()
    db = document_to_database(doc, report)
    parts: list[bytes] = []
    stream = InnerStream(STREAM_CHACHA20, bytes(64))
    _xml.write_document_to(db, stream.update, _xml.binary_pool(db), parts.append, NOW)
    h = hashlib.sha256(b"".join(parts))
    for row in report.credentials:
        h.update(repr(row).encode())
    return h.hexdigest()


# taken with the writer of commit 179cb84 (before the speed paths), uuid4 seeded as below
BEFORE: dict[tuple[int, int], str] = {
    (1, 40): "01b798e72344c22b0e15be5f1e7f11a8e6cb7f444dbf9eb6570ccb77aeec46bd",
    (2, 400): "168915862c4fc8063c14738cc050f1b5979ea4d7b3f48262b7aa5870698e0552",
    (3, 2000): "3a8710915f75a48bee47635156ec71b28ca766ab50f123f87dc6d732064400c3",
}


@pytest.mark.parametrize(("seed", "items"), list(BEFORE))
def test_the_payload_and_the_report_are_what_the_writer_wrote_before(
    seed: int, items: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seeded_uuid4(monkeypatch, seed)
    assert _payload_digest(seed, items) == BEFORE[(seed, items)]


# --------------------------------------------------------------------------- read back


def _clean(text: str) -> str:
    """What XML keeps of an unprotected text (control characters it cannot hold dropped)."""
    return _xml._INVALID_XML.sub("", text)


def _second(value: datetime | None) -> datetime:
    return (NOW if value is None else value).replace(microsecond=0)


def _entries(db: kdbx.Database, *, as_written: bool) -> list[tuple[Any, ...]]:
    """Each entry as a tuple; *as_written*: what reading it back must give."""
    out = []
    for path, e in db.iter_entries():
        t = e.times
        strings = {}
        for key, f in e.strings.items():
            value = f.value if f.protected or not as_written else _clean(f.value)
            strings[_clean(key) if as_written else key] = (value, f.protected)
        tags = e.tags
        if as_written:
            tags = [c for c in (_clean(tag).strip() for tag in e.tags) if c]
        times = (t.creation, t.last_modification, t.last_access, t.expiry)
        out.append((
            [g.name for g in path[1:]], e.uuid, strings, tags, e.icon_id,
            _clean(e.foreground_color) if as_written else e.foreground_color,
            tuple(_second(v) for v in times) if as_written else times, t.expires, t.usage_count,
        ))  # fmt: skip
    return out


@given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=15))
@settings(max_examples=40)
def test_random_documents_written_to_kdbx_read_back_as_written(
    rng: random.Random, items: int
) -> None:
    db, _ = _mapped(document(rng, items))
    options = kdbx.WriteOptions(kdf="aes-kdf", aes_rounds=1)
    back = kdbx.read_kdbx(kdbx.write_kdbx(db, password="pw", options=options, now=NOW),
                          password="pw")  # fmt: skip
    assert _entries(back, as_written=False) == _entries(db, as_written=True)


# --------------------------------------------------------------------------- a failing item


def test_an_item_that_fails_half_way_is_reported_not_carried_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When writing an item fails after some of its credentials were mapped, nothing of it is
    written — and the report says so for every credential (none left "carried")."""
    doc = document(random.Random(7), 6)
    victim = next(i for i in doc.accounts[0].items if len(i.credentials) >= 2)
    real = database._EntryWriter.outcome

    def failing(self: Any, index: int, *args: Any, **kwargs: Any) -> None:
        if self.item is victim and index == 1:
            raise ValueError("simulated")
        real(self, index, *args, **kwargs)

    monkeypatch.setattr(database, "_plain_entry", lambda item, rows: None)
    monkeypatch.setattr(database._EntryWriter, "outcome", failing)
    _db, report = _mapped(doc)
    written = [r for r in report.credentials if r.stage == "write" and r.item == victim.title]
    assert len(written) == len(victim.credentials)
    assert {r.outcome.value for r in written} == {"not-carried"}
    assert [item for item, _ in report.items_skipped] == [victim.title]
    assert report.items_written == len(doc.accounts[0].items) - 1
