"""The KDBX adapter writes the usual item straight to XML (issue #13, performance).

``KeePassKdbxAdapter.write`` maps the usual item (no extension; a login, a TOTP, notes — and
credentials KeePass keeps as custom strings: 1Password's cards and identities, ...) to a
``PreparedEntry`` — its XML made once, its protected values encrypted by the writer in
document order, in one call of the inner stream per piece — instead of a model ``Entry``.
These tests hold that path to the model path (``document_to_database`` + the XML writer):

* the decrypted XML payload byte for byte, the report's credential rows, field rows, counts
  and warnings, on random documents (property), on documents of several accounts and nested
  collections, on times at the edges of what a date holds, and on the documents read from the
  sample exports of ``../shared``;
* the digests the model path's payload was pinned to before (``test_adapters_keepass_write_paths``);
* what the adapter writes opens in cxkit, pykeepass and KeePassXC (``keepassxc-cli``) with
  every entry's fields.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_adapters_keepass_write_paths import _TEXTS, BEFORE, NOW, document

from cxkit import adapters, cxf, kdbx
from cxkit.adapters import ReadOptions, WriteOptions
from cxkit.adapters.keepass import database
from cxkit.adapters.keepass.database import KeePassKdbxAdapter
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from cxkit.kdbx import _xml
from cxkit.kdbx._crypto import STREAM_CHACHA20, InnerStream
from shared_evidence import SHARED, shared_files


def _seeded_uuid4(mp: pytest.MonkeyPatch, seed: int) -> None:
    rng = random.Random(seed)
    mp.setattr(uuid, "uuid4", lambda: uuid.UUID(int=rng.getrandbits(128), version=4))


def _payload(doc: cxf.Document, *, prepare: bool, seed: int = 1) -> tuple[bytes, MigrationReport]:
    """The decrypted XML payload (inner stream keyed with zeros, time NOW) and the report."""
    report = MigrationReport()
    with pytest.MonkeyPatch.context() as mp:
        _seeded_uuid4(mp, seed)
        db = database._document_to_database(doc, report, None, prepare=prepare)
    parts: list[bytes] = []
    stream = InnerStream(STREAM_CHACHA20, bytes(64))
    _xml.write_document_to(db, stream.update, _xml.binary_pool(db), parts.append, NOW)
    return b"".join(parts), report


def assert_same_as_model_path(doc: cxf.Document) -> None:
    direct, fast = _payload(doc, prepare=True)
    model, full = _payload(doc, prepare=False)
    assert direct == model
    assert list(fast.credentials) == list(full.credentials)
    assert fast.written_fields.rows() == full.written_fields.rows()
    assert (fast.warnings, fast.items_written, fast.items_skipped) == (
        full.warnings, full.items_written, full.items_skipped)  # fmt: skip


# --------------------------------------------------------------------------- same XML


@given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=25))
@settings(max_examples=150, deadline=None)
def test_the_direct_path_writes_the_model_paths_xml(rng: random.Random, items: int) -> None:
    assert_same_as_model_path(document(rng, items))


def _accounts(rng: random.Random) -> cxf.Document:
    """Two accounts (each a group), the second's items in a collection and a nested one."""
    first, second = document(rng, 12).accounts[0], document(rng, 15).accounts[0]
    items = second.items
    inner = m.Collection(id="aW5uZXItY29sbGVjdGlvbg", title="Inner & <b>",
                         items=tuple(m.LinkedItem(item=i.id) for i in items[:4]))  # fmt: skip
    outer = m.Collection(id="b3V0ZXItY29sbGVjdGlvbg", title="Outer",
                         items=tuple(m.LinkedItem(item=i.id) for i in items[4:9]),
                         sub_collections=(inner,))  # fmt: skip
    accounts = (
        m.Account(id="Zmlyc3Q", username="first", email="a@example.com", items=first.items,
                  collections=first.collections),
        m.Account(id="c2Vjb25k", username="second", email="b@example.com", items=items,
                  collections=(outer,)),
    )  # fmt: skip
    header = m.Header(version=m.CXF_VERSION, exporter_rp_id="example.com",
                      exporter_display_name="Example", timestamp=0, accounts=accounts)  # fmt: skip
    return cxf.Document(header)


@pytest.mark.parametrize("seed", range(8))
def test_several_accounts_and_nested_collections(seed: int) -> None:
    assert_same_as_model_path(_accounts(random.Random(seed)))


EDGES = (None, -62135596801, -62135596800, -1, 0, 1, 1_700_000_000, 253402300799, 253402300800,
         2**63, -(2**63))  # fmt: skip


def test_times_at_the_edges_of_what_a_date_holds() -> None:
    login = m.BasicAuth(username=m.EditableField(field_type="string", value="u"))
    items = tuple(
        m.Item(id=f"item{i}", title=f"t{i}", creation_at=created, modified_at=modified,
               credentials=(login,))
        for i, (created, modified) in enumerate(
            (c, md) for c in EDGES for md in EDGES[:: 3])
    )  # fmt: skip
    account = m.Account(id="YQ", username="u", email="u@example.com", items=items, collections=())
    header = m.Header(version=m.CXF_VERSION, exporter_rp_id="example.com",
                      exporter_display_name="Example", timestamp=0, accounts=(account,))  # fmt: skip
    assert_same_as_model_path(cxf.Document(header))


@pytest.mark.parametrize(("seed", "items"), list(BEFORE))
def test_the_direct_payload_is_what_the_writer_wrote_before(seed: int, items: int) -> None:
    """The digests ``test_adapters_keepass_write_paths`` pins the model path to (taken with
    the writer of commit 179cb84)."""
    import hashlib

    payload, report = _payload(document(random.Random(seed), items), prepare=True, seed=seed)
    h = hashlib.sha256(payload)
    for row in report.credentials:
        h.update(repr(row).encode())
    assert h.hexdigest() == BEFORE[(seed, items)]


def test_a_repeated_id_gets_a_fresh_uuid_on_the_direct_path_too() -> None:
    login = m.BasicAuth(username=m.EditableField(field_type="string", value="u"))
    items = tuple(m.Item(id="AAAAAAAAAAAAAAAAAAAAAA", title=f"t{i}", credentials=(login,))
                  for i in range(3))  # fmt: skip
    account = m.Account(id="YQ", username="u", email="u@example.com", items=items, collections=())
    header = m.Header(version=m.CXF_VERSION, exporter_rp_id="example.com",
                      exporter_display_name="Example", timestamp=0, accounts=(account,))  # fmt: skip
    doc = cxf.Document(header)
    assert_same_as_model_path(doc)
    payload, _ = _payload(doc, prepare=True)
    uuids = [el.text for el in ET.fromstring(payload).iter("UUID")]
    entries = uuids[-3:]  # the root group's UUID comes first, then its three entries
    assert entries[0] == "A" * 22 + "==" and len(set(entries)) == 3


# --------------------------------------------------------------------------- cards, identities


def _ef(rng: random.Random, kind: str = "string") -> m.EditableField:
    return m.EditableField(field_type=kind, value=rng.choice(_TEXTS))


def _flattened(rng: random.Random) -> Any:
    """A credential KeePass has no place for, written as custom strings ``type: member``."""
    kind = rng.randrange(10)
    if kind == 0:
        return m.CreditCard(number=_ef(rng, "concealed-string"), full_name=_ef(rng),
                            verification_number=_ef(rng, "concealed-string"),
                            pin=rng.choice((None, _ef(rng, "concealed-string"))))  # fmt: skip
    if kind == 1:
        return m.Address(street_address=_ef(rng), city=_ef(rng), postal_code=_ef(rng))
    if kind == 2:
        return m.PersonName(given=_ef(rng), surname=rng.choice((None, _ef(rng))))
    if kind == 3:
        return m.ApiKey(key=_ef(rng, "concealed-string"), username=_ef(rng))
    if kind == 4:
        return m.DriversLicense(full_name=_ef(rng), license_number=_ef(rng))
    if kind == 5:
        return m.IdentityDocument(document_number=_ef(rng), full_name=_ef(rng))
    if kind == 6:
        return m.Passport(passport_number=_ef(rng), full_name=_ef(rng))
    if kind == 7:
        return m.Wifi(ssid=_ef(rng), passphrase=_ef(rng, "concealed-string"))
    if kind == 8:
        return m.GeneratedPassword(password=rng.choice(_TEXTS) or "p")
    return m.BasicAuth(username=_ef(rng), password=_ef(rng, "concealed-string"))  # a further one


def _flat_document(rng: random.Random, n: int) -> cxf.Document:
    """Items of cards, identities, ... with logins, a TOTP and notes around them (1Password's
    cards and identities), texts with and without something to escape."""
    items = []
    for i in range(n):
        creds: list[Any] = [_flattened(rng) for _ in range(rng.choice((1, 1, 2, 3)))]
        if rng.random() < 0.5:
            creds.append(m.BasicAuth(username=_ef(rng), password=_ef(rng, "concealed-string")))
        creds += [m.Note(content=_ef(rng)) for _ in range(rng.choice((0, 0, 1, 2)))]
        if rng.random() < 0.2:
            creds.append(m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6,
                                algorithm="sha1", issuer="Example", username=None))  # fmt: skip
        rng.shuffle(creds)
        urls = ("https://example.com/a",) if rng.random() < 0.3 else ()
        items.append(m.Item(id=f"flat-{i}", title=rng.choice(_TEXTS) or f"t{i}",
                            credentials=tuple(creds), tags=("card",) if i % 2 else (),
                            creation_at=rng.choice((None, 1_600_000_000 + i)),
                            scope=m.CredentialScope(urls=urls, android_apps=()) if urls else None))  # fmt: skip
    account = m.Account(id="YQ", username="u", email="u@example.com", items=tuple(items),
                        collections=())  # fmt: skip
    header = m.Header(version=m.CXF_VERSION, exporter_rp_id="example.com",
                      exporter_display_name="Example", timestamp=0, accounts=(account,))  # fmt: skip
    return cxf.Document(header)


@pytest.mark.parametrize("seed", range(12))
def test_cards_and_identities_take_the_direct_path_with_the_model_paths_xml(seed: int) -> None:
    doc = _flat_document(random.Random(seed), 40)
    assert_same_as_model_path(doc)
    db = database._document_to_database(doc, MigrationReport(), None, prepare=True)
    prepared = [e for e in db.root.entries if isinstance(e, _xml.PreparedEntry)]
    assert len(prepared) == 40  # every item: none of them needed the model path


# --------------------------------------------------------------------------- sample exports

_SAMPLE_DIRS = ("chrome", "firefox", "bitwarden", "onepassword", "lastpass", "nordpass",
                "keeper", "enpass", "roboform", "keepassxc", "dashlane", "apple", "protonpass")  # fmt: skip


def _sample_documents() -> list[Any]:
    paths = [p for d in _SAMPLE_DIRS for p in shared_files(f"exports/{d}")]
    paths = [p for p in paths if p.suffix.lower() in (".csv", ".json", ".1pux", ".xml", ".zip")]
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no samples at {SHARED}"))]
    return [pytest.param(p, id=str(p.relative_to(SHARED / "exports"))) for p in paths]


@pytest.mark.shared
@pytest.mark.parametrize("path", _sample_documents())
def test_sample_exports_give_the_model_paths_xml(path: Path) -> None:
    try:
        doc, _report = adapters.read(path.read_bytes(), path.name, options=ReadOptions())
    except CxkitError:  # not readable without a password (or not a format cxkit reads)
        pytest.skip("not read without a password")
    assert_same_as_model_path(doc)


# --------------------------------------------------------------------------- other readers


def _chrome_like(n: int) -> cxf.Document:
    """A browser-like export: logins with URLs (some Android apps), notes, a TOTP or two."""
    rng = random.Random(n)
    items = []
    for i in range(n):
        creds: list[Any] = [m.BasicAuth(
            username=m.EditableField(field_type="string", value=f"user{i}@example.com"),
            password=m.EditableField(field_type="concealed-string",
                                     value=f"pw-{i}-&<{rng.random()}"))]  # fmt: skip
        if i % 5 == 0:
            creds.append(m.Note(content=m.EditableField(field_type="string",
                                                        value=f"note {i}\r\nline 2")))  # fmt: skip
        if i % 7 == 0:
            creds.append(m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6,
                                algorithm="sha1", issuer="Site", username=f"user{i}"))  # fmt: skip
        apps = (m.AndroidAppId(bundle_id=f"com.app{i}"),) if i % 9 == 0 else ()
        scope = m.CredentialScope(urls=(f"https://site{i}.example/login",), android_apps=apps)
        items.append(m.Item(id=f"item-{i}", title=f"Site {i} é", scope=scope,
                            credentials=tuple(creds), creation_at=1_600_000_000 + i,
                            tags=("web",) if i % 3 else ()))  # fmt: skip
    # and others among them: a card, identities (custom strings ``type: member``), an API key
    # (a model entry: custom fields)
    items.insert(n // 2, m.Item(id="card", title="Card", credentials=(
        m.CreditCard(number=m.EditableField(field_type="concealed-string", value="4111"),
                     full_name=m.EditableField(field_type="string", value="A & B")),)))  # fmt: skip
    for i in range(0, n, 25):
        name = m.PersonName(given=m.EditableField(field_type="string", value=f"Given {i}"))
        address = m.Address(city=m.EditableField(field_type="string", value="Town"))
        items.insert(i, m.Item(id=f"identity-{i}", title=f"Identity {i}",
                               credentials=(m.Note(content=m.EditableField(
                                   field_type="string", value="id note")), address, name)))  # fmt: skip
    items.append(m.Item(id="fields", title="Fields", credentials=(m.CustomFields(fields=(
        m.EditableField(field_type="concealed-string", value="k", label="API key"),)),)))  # fmt: skip
    account = m.Account(
        id="YQ", username="u", email="u@example.com", items=tuple(items), collections=()
    )
    header = m.Header(version=m.CXF_VERSION, exporter_rp_id="example.com",
                      exporter_display_name="Example", timestamp=0, accounts=(account,))  # fmt: skip
    return cxf.Document(header)


PASSWORD = "direct path password"
FAST = kdbx.WriteOptions(argon2_memory_kib=256, argon2_iterations=1, argon2_parallelism=1)


def _written(doc: cxf.Document) -> bytes:
    adapter = KeePassKdbxAdapter(FAST)
    return adapter.write(doc, WriteOptions(password=lambda _p: PASSWORD), MigrationReport())


def _model_entries(doc: cxf.Document) -> dict[uuid.UUID, dict[str, tuple[str, bool]]]:
    db = database.document_to_database(doc, MigrationReport())
    return {e.uuid: {k: (v.value, v.protected) for k, v in e.strings.items()}
            for _p, e in db.iter_entries()}  # fmt: skip


def test_what_the_adapter_writes_reads_back_in_cxkit() -> None:
    doc = _chrome_like(300)
    back = kdbx.read_kdbx(_written(doc), password=PASSWORD)
    got = {e.uuid: {k: (v.value, v.protected) for k, v in e.strings.items()}
           for _p, e in back.iter_entries()}  # fmt: skip
    want = {
        u: {k: (v.replace("\r", "") if not p else v, p) for k, (v, p) in s.items()}
        for u, s in _model_entries(doc).items()
    }  # XML turns an unprotected CR LF into LF
    got = {u: {k: (v.replace("\r", "") if not p else v, p) for k, (v, p) in s.items()}
           for u, s in got.items()}  # fmt: skip
    assert got == want and len(got) == 300 + 2 + 12


def test_pykeepass_opens_what_the_direct_path_writes(tmp_path: Path) -> None:
    pykeepass = pytest.importorskip("pykeepass")
    doc = _chrome_like(200)
    path = tmp_path / "direct.kdbx"
    path.write_bytes(_written(doc))
    kp = pykeepass.PyKeePass(str(path), password=PASSWORD)
    want = _model_entries(doc)
    assert len(kp.entries) == len(want)
    for e in kp.entries:
        strings = want[e.uuid]
        for key, value in (("Title", e.title), ("UserName", e.username),
                           ("Password", e.password), ("URL", e.url), ("otp", e.otp)):  # fmt: skip
            assert (value or "") == strings.get(key, ("", False))[0], key
        assert e.get_custom_property("KP2A_URL") == strings.get("KP2A_URL", (None,))[0]


KEEPASSXC = shutil.which("keepassxc-cli")


@pytest.mark.skipif(KEEPASSXC is None, reason="keepassxc-cli is not installed")
def test_keepassxc_opens_what_the_direct_path_writes(tmp_path: Path) -> None:
    doc = _chrome_like(60)
    path = tmp_path / "direct.kdbx"
    path.write_bytes(_written(doc))
    done = subprocess.run([str(KEEPASSXC), "export", "-q", str(path)],
                          input=(PASSWORD + "\n").encode(), capture_output=True, timeout=120,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    exported = ET.fromstring(done.stdout)
    want = _model_entries(doc)
    seen = 0
    for el in exported.iter("Entry"):
        strings = {s.findtext("Key"): s.findtext("Value") or "" for s in el.findall("String")}
        (model,) = [s for s in want.values() if s["Title"][0] == strings["Title"]]
        for key, (value, _protected) in model.items():
            assert strings[key] == value.replace("\r\n", "\n"), key  # KeePassXC's export: LF
        seen += 1
    assert seen == len(want)
