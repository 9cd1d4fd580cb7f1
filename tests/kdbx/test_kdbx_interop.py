"""cxkit-written KDBX opens in pykeepass with everything intact, pykeepass-written KDBX opens in
cxkit, and read -> write -> read keeps every field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from cxkit.kdbx import (
    Attachment,
    CustomIcon,
    Database,
    DeletedObject,
    Entry,
    Group,
    StringField,
    Times,
    WriteOptions,
    read_kdbx,
    write_kdbx,
)

pykeepass = pytest.importorskip("pykeepass")

FAST = WriteOptions(argon2_memory_kib=256, argon2_iterations=1, argon2_parallelism=1)
T0 = datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)

PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3Jp0kF6n0c0Jp3Yk\n"
    "-----END PRIVATE KEY-----\n"
)
PASSKEY = {
    "KPEX_PASSKEY_CREDENTIAL_ID": ("q1w2e3r4t5y6u7i8o9p0aQ", True),
    "KPEX_PASSKEY_PRIVATE_KEY_PEM": (PEM, True),
    "KPEX_PASSKEY_RELYING_PARTY": ("webauthn.io", False),
    "KPEX_PASSKEY_USERNAME": ("alice", False),
    "KPEX_PASSKEY_USER_HANDLE": ("dXNlci1oYW5kbGU", True),
    "KPEX_PASSKEY_FLAG_BE": ("1", False),
    "KPEX_PASSKEY_FLAG_BS": ("1", False),
}


def build_database() -> Database:
    icon = CustomIcon(uuid.uuid4(), b"\x89PNG\r\n\x1a\nicon", "star", T0)
    root = Group(name="Root", times=Times(T0, T0, T0, T0, False, 0, T0))
    web = Group(name="Web & <Mail>", notes="folder notes\r\nline 2", custom_icon_uuid=icon.uuid)
    deep = Group(name="Deep ünïcode 🔑")
    web.groups.append(deep)
    bin_ = Group(name="Recycle Bin", icon_id=43)
    root.groups += [web, bin_]
    login = Entry(
        tags=["work", "passkey"],
        times=Times(T0, T0, T0, datetime(2030, 1, 1, tzinfo=UTC), True, 7, T0),
        custom_icon_uuid=icon.uuid,
        foreground_color="#FF0000",
        override_url="cmd://firefox {URL}",
    )
    for k, v in (
        ("Title", "Example <login> & co"),
        ("UserName", "alice@example.com"),
        ("URL", "https://example.com/login?a=1&b=2"),
        ("Notes", "line 1\nline 2\r\n  indented ]]> \"quotes\" 'apos'"),
    ):
        login.set(k, v)
    login.set("Password", "p@ss<word>&\"'🔑", protected=True)
    login.set(
        "otp", "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&period=30", protected=True
    )
    login.set("KP2A_URL_1", "https://login.example.com")
    login.set("empty protected", "", protected=True)
    login.set("Custom <key> & name", "plain value")
    for k, (v, prot) in PASSKEY.items():
        login.set(k, v, protected=prot)
    login.attachments += [
        Attachment("hello.txt", b"hello world\n"),
        Attachment("secret.bin", bytes(range(256)) * 3, protected=True),
        Attachment("copy of hello.txt", b"hello world\n"),
        Attachment("empty", b""),
    ]
    old = Entry(uuid=login.uuid, times=Times(T0, T0, T0, T0, False, 1, T0))
    old.set("Title", "Example (old)")
    old.set("Password", "old password", protected=True)
    old.attachments.append(Attachment("hello.txt", b"hello world\n"))
    login.history.append(old)
    autotype = ET.fromstring(
        "<AutoType><Enabled>True</Enabled><DataTransferObfuscation>0</DataTransferObfuscation>"
        "<Association><Window>Example*</Window><KeystrokeSequence>{PASSWORD}</KeystrokeSequence>"
        "</Association></AutoType>"
    )
    login.extra.append(autotype)
    login.extra.append(ET.fromstring("<PluginThing a='1'><Sub>kept</Sub></PluginThing>"))
    web.entries.append(login)
    note = Entry()
    note.set("Title", "Just a note")
    note.set("Notes", "x" * 5000)
    deep.entries.append(note)
    trashed = Entry()
    trashed.set("Title", "trashed")
    bin_.entries.append(trashed)
    db = Database(root=root)
    for _path, g in db.walk():  # times left unset would be written as "now"
        for obj in [g, *g.entries, *(h for e in g.entries for h in e.history)]:
            t = obj.times
            if t.creation is None:
                obj.times = Times(T0, T0, T0, T0, False, 0, T0)
    db.meta.database_name = "cxkit test"
    db.meta.recycle_bin_uuid = bin_.uuid
    db.meta.custom_icons.append(icon)
    db.meta.extra.append(ET.fromstring("<HistoryMaxItems>10</HistoryMaxItems>"))
    db.deleted_objects.append(DeletedObject(uuid.uuid4(), T0))
    return db


def snapshot_entry(e: Entry) -> dict[str, Any]:
    return {
        "uuid": e.uuid,
        "strings": {k: (v.value, v.protected) for k, v in e.strings.items()},
        "attachments": [(a.name, a.data, a.protected) for a in e.attachments],
        "tags": e.tags,
        "times": e.times,
        "icon": (e.icon_id, e.custom_icon_uuid),
        "colors": (e.foreground_color, e.background_color, e.override_url),
        "history": [snapshot_entry(h) for h in e.history],
        "extra": [ET.tostring(x) for x in e.extra],
    }


def snapshot(db: Database) -> dict[str, Any]:
    return {
        "groups": [
            (
                [p.uuid for p in path],
                g.uuid,
                g.name,
                g.notes,
                g.icon_id,
                g.custom_icon_uuid,
                g.times,
                [snapshot_entry(e) for e in g.entries],
                [ET.tostring(x) for x in g.extra],
            )
            for path, g in db.walk()
        ],
        "meta": (
            db.meta.database_name,
            db.meta.recycle_bin_enabled,
            db.meta.recycle_bin_uuid,
            db.meta.custom_icons,
            [
                ET.tostring(x)
                for x in db.meta.extra
                if x.tag not in ("Generator", "MemoryProtection")
            ],
        ),
        "deleted": db.deleted_objects,
    }


@pytest.mark.parametrize("cipher", ["chacha20", "aes256"])
def test_kdbx_written_file_opens_in_pykeepass(tmp_path: Path, cipher: str) -> None:
    db = build_database()
    opts = WriteOptions(
        cipher=cipher,  # type: ignore[arg-type]
        argon2_memory_kib=256,
        argon2_iterations=1,
        argon2_parallelism=1,
    )
    path = tmp_path / "out.kdbx"
    path.write_bytes(write_kdbx(db, password="correct horse", options=opts))
    kp = pykeepass.PyKeePass(str(path), password="correct horse")
    assert kp.version == (4, 0)
    assert kp.database_name == "cxkit test" if hasattr(kp, "database_name") else True
    login = kp.find_entries(title="Example <login> & co", first=True)
    assert login is not None
    assert login.username == "alice@example.com"
    assert login.password == "p@ss<word>&\"'🔑"
    assert login.url == "https://example.com/login?a=1&b=2"
    assert login.notes == "line 1\nline 2\r\n  indented ]]> \"quotes\" 'apos'"
    assert login.otp == "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&period=30"
    assert sorted(login.tags) == ["passkey", "work"]
    assert login.expires and login.expiry_time == datetime(2030, 1, 1, tzinfo=UTC)
    props = login.custom_properties
    for key, (value, protected) in PASSKEY.items():
        assert props[key] == value
        assert login.is_custom_property_protected(key) is protected
    assert props["Custom <key> & name"] == "plain value"
    assert props["empty protected"] in ("", None)
    assert {(a.filename, a.data) for a in login.attachments} == {
        ("hello.txt", b"hello world\n"),
        ("secret.bin", bytes(range(256)) * 3),
        ("copy of hello.txt", b"hello world\n"),
        ("empty", b""),
    }
    assert len(kp.binaries) == 3  # identical attachments are stored once
    assert [h.title for h in login.history] == ["Example (old)"]
    assert login.history[0].password == "old password"
    assert kp.recyclebin_group is not None and kp.recyclebin_group.name == "Recycle Bin"
    assert {g.name for g in kp.groups} >= {"Root", "Web & <Mail>", "Deep ünïcode 🔑"}
    note = kp.find_entries(title="Just a note", first=True)
    assert note.notes == "x" * 5000
    assert note.group.name == "Deep ünïcode 🔑"
    # and pykeepass saves it back into something cxkit still reads identically
    kp.save()
    again = read_kdbx(path, password="correct horse")
    assert (
        snapshot_entry(next(e for _p, e in again.iter_entries() if e.title.startswith("Ex")))[
            "strings"
        ]
        == snapshot_entry(db.root.groups[0].entries[0])["strings"]
    )


def test_kdbx_pykeepass_written_file_opens_in_cxkit(tmp_path: Path) -> None:
    path = tmp_path / "pk.kdbx"
    key = tmp_path / "pk.key"
    key.write_bytes(bytes(range(100)))  # "any other file": hashed
    kp = pykeepass.create_database(str(path), password="pw", keyfile=str(key))
    g = kp.add_group(kp.root_group, "Sub group")
    e = kp.add_entry(
        g, "Site", "bob", "s3cret!", url="https://site.test", notes="n", tags=["a", "b"]
    )
    for k, (v, prot) in PASSKEY.items():
        e.set_custom_property(k, v, protect=prot)
    e.otp = "otpauth://totp/x?secret=ABC"
    bid = kp.add_binary(b"attachment bytes", protected=True)
    e.add_attachment(bid, "file.dat")
    e.save_history()
    e.password = "new s3cret!"
    kp.save()
    db = read_kdbx(path, password="pw", keyfile=key)
    assert db.info is not None and db.info.version[0] == 4
    ((groups, entry),) = list(db.iter_entries())
    assert [x.name for x in groups][-1] == "Sub group"
    assert entry.title == "Site" and entry.username == "bob" and entry.password == "new s3cret!"
    assert entry.strings["Password"].protected
    assert entry.tags == ["a", "b"]
    for k, (v, prot) in PASSKEY.items():
        assert entry.strings[k] == StringField(v, prot)
    assert entry.get("otp") == "otpauth://totp/x?secret=ABC"
    assert [(a.name, a.data) for a in entry.attachments] == [("file.dat", b"attachment bytes")]
    assert [h.password for h in entry.history] == ["s3cret!"]
    # same key file given as bytes
    assert read_kdbx(path.read_bytes(), password="pw", keyfile=key.read_bytes()).root.groups


@pytest.mark.parametrize("kdf", ["argon2id", "argon2d", "aes-kdf"])
def test_kdbx_round_trip_keeps_every_field(kdf: str) -> None:
    db = build_database()
    opts = WriteOptions(
        kdf=kdf,  # type: ignore[arg-type]
        argon2_memory_kib=256,
        argon2_iterations=1,
        argon2_parallelism=1,
        aes_rounds=1000,
        compress=kdf != "argon2d",
    )
    first = read_kdbx(write_kdbx(db, password="pw", options=opts), password="pw")
    assert snapshot(first) == snapshot(db)
    assert first.info is not None and first.info.kdf == kdf
    second = read_kdbx(write_kdbx(first, password="pw", options=opts), password="pw")
    assert snapshot(second) == snapshot(db)
    assert [e.title for _p, e in first.iter_entries(include_recycle_bin=False)] == [
        "Example <login> & co",
        "Just a note",
    ]


def test_kdbx_key_file_kinds_round_trip(tmp_path: Path) -> None:
    db = build_database()
    xml_v2 = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<KeyFile><Meta><Version>2.0</Version></Meta>'
        b'<Key><Data Hash="F79BE54D">30D73184 FBE1C7C4 B07EE4D6 BC4F118B\n'
        b"87577CAB 5CB8846F 5FD286FF F98BF9A9</Data></Key></KeyFile>"
    )
    for keyfile in (bytes(32), b"ab" * 32, xml_v2, b"anything else\n"):
        data = write_kdbx(db, keyfile=keyfile, options=FAST)
        assert read_kdbx(data, keyfile=keyfile).meta.database_name == "cxkit test"
        path = tmp_path / "k.kdbx"
        kf = tmp_path / "k.key"
        path.write_bytes(data)
        kf.write_bytes(keyfile)
        kp = pykeepass.PyKeePass(str(path), keyfile=str(kf))
        assert kp.find_entries(title="Just a note", first=True) is not None


def test_kdbx_reprs_hide_secrets() -> None:
    db = build_database()
    login = db.root.groups[0].entries[0]
    text = repr(db) + repr(login) + repr(login.strings) + repr(login.attachments)
    assert "p@ss" not in text and "BEGIN PRIVATE KEY" not in text
    assert "q1w2e3r4" not in text and "hello world" not in text


def test_kdbx_protected_values_in_kept_elements_keep_stream_order() -> None:
    """Protected values inside unmodelled (``extra``) elements, interleaved with protected
    strings and in several entries and groups: the one-call keystream on read and the batched
    one on write keep document order, and kept elements show the base64 of the clear value."""
    import base64

    def plugin(n: int) -> ET.Element:
        return ET.fromstring(
            f'<PluginSecret><Value Protected="True">'
            f"{base64.b64encode(f'kept secret {n}'.encode()).decode()}</Value>"
            f"<Other Protected='True'>{base64.b64encode(b'other').decode()}</Other>"
            f"</PluginSecret>"
        )

    db = Database()
    for g in range(3):
        group = Group(name=f"g{g}")
        group.extra.append(plugin(100 + g))
        for i in range(4):
            e = Entry()
            e.set("Password", f"pw-{g}-{i}", protected=True)
            e.extra.append(plugin(g * 10 + i))
            e.set("PIN", f"{i:04d}", protected=True)
            e.set("Empty", "", protected=True)
            old = Entry(uuid=e.uuid)
            old.set("Password", f"old-{g}-{i}", protected=True)
            e.history.append(old)
            group.entries.append(e)
        db.root.groups.append(group)
    db.meta.extra.append(plugin(999))
    for _ in range(2):
        db = read_kdbx(write_kdbx(db, password="pw", options=FAST), password="pw")
        (kept,) = [x for x in db.meta.extra if x.tag == "PluginSecret"]
        assert _plugin_text(kept) == ("kept secret 999", "other")
        for g, group in enumerate(db.root.groups):
            assert _plugin_text(group.extra[0]) == (f"kept secret {100 + g}", "other")
            for i, e in enumerate(group.entries):
                assert e.password == f"pw-{g}-{i}"
                assert e.get("PIN") == f"{i:04d}"
                assert e.strings["Empty"] == StringField("", True)
                assert e.history[0].password == f"old-{g}-{i}"
                assert _plugin_text(e.extra[0]) == (f"kept secret {g * 10 + i}", "other")


def _plugin_text(el: ET.Element) -> tuple[str, str]:
    import base64

    value, other = el
    return (
        base64.b64decode(value.text or "").decode(),
        base64.b64decode(other.text or "").decode(),
    )
