"""Interoperability with KeePassXC itself, through its command line (``keepassxc-cli``): files
cxkit writes open in KeePassXC with every field, protected flag, attachment and passkey
attribute, and files KeePassXC writes open in cxkit.

``keepassxc-cli`` comes from the ``keepassxc`` package (Debian 12: 2.7.4); ``.ci/run`` installs
it, elsewhere these tests skip. KeePassXC quirks the comparisons allow for, each seen with 2.7.4:
its XML export writes a CR as a raw byte, which any XML parser turns into LF (``show`` proves it
keeps the CR), joins tags with ``,``, leaves the attachments' bytes out (``attachment-export``
gives them), gives every entry the five standard fields (empty where we had none) and drops
elements it does not know (our ``PluginThing``). Its ``db-create`` and ``import`` write KDBX 3.1
with AES-KDF.
"""

from __future__ import annotations

import base64
import dataclasses
import shutil
import subprocess
import uuid
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from test_kdbx_interop import PASSKEY, build_database

from cxkit.kdbx import STANDARD_FIELDS, Database, Entry, WriteOptions, read_kdbx, write_kdbx

KEEPASSXC = shutil.which("keepassxc-cli")
pytestmark = pytest.mark.skipif(
    KEEPASSXC is None,
    reason="keepassxc-cli is not installed (Debian/Ubuntu: apt-get install keepassxc); "
    ".ci/run installs it",
)
PASSWORD = "correct horse"
FAST = WriteOptions(argon2_memory_kib=256, argon2_iterations=1, argon2_parallelism=1)


def cli(*args: str | Path, answers: int = 1) -> bytes:
    """Run ``keepassxc-cli``, answering its password prompts; its standard output."""
    done = subprocess.run(
        [str(KEEPASSXC), *map(str, args)],
        input=(PASSWORD + "\n").encode() * answers,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


Key = tuple[uuid.UUID, int]  # an entry's UUID and its place in the history (-1: current)


def exported_entries(xml: bytes) -> dict[Key, tuple[ET.Element, str]]:
    """Every entry of a KeePassXC XML export, history entries included, with its group path."""
    found: dict[Key, tuple[ET.Element, str]] = {}

    def walk(group: ET.Element, path: str) -> None:
        here = f"{path}/{group.findtext('Name')}"
        for entry in group.findall("Entry"):
            for i, e in enumerate([entry, *entry.findall("History/Entry")], start=-1):
                found[uuid.UUID(bytes=base64.b64decode(e.findtext("UUID") or "")), i] = (e, here)
        for sub in group.findall("Group"):
            walk(sub, here)

    root = ET.fromstring(xml).find("Root/Group")
    assert root is not None
    walk(root, "")
    return found


def comparable(strings: dict[str, tuple[str, bool]]) -> dict[str, tuple[str, bool]]:
    """Without empty standard fields (KeePassXC adds them) and with CRLF as the export has it."""
    return {
        k: (v.replace("\r\n", "\n"), p)
        for k, (v, p) in strings.items()
        if v or k not in STANDARD_FIELDS
    }


def strings_of(el: ET.Element) -> dict[str, tuple[str, bool]]:
    out = {}
    for s in el.findall("String"):
        value = s.find("Value")
        assert value is not None
        protected = value.get("ProtectInMemory") == "True"
        out[s.findtext("Key") or ""] = (value.text or "", protected)
    return comparable(out)


def fields(e: Entry) -> dict[str, tuple[str, bool]]:
    return comparable({k: (v.value, v.protected) for k, v in e.strings.items()})


def all_entries(db: Database) -> dict[Key, tuple[str, Entry]]:
    """Every entry and history entry with its group path (as in the export)."""
    out = {}
    for path, e in db.iter_entries():
        where = "/" + "/".join(g.name for g in path)
        for i, x in enumerate([e, *e.history], start=-1):
            out[x.uuid, i] = (where, x)
    return out


@pytest.mark.parametrize("cipher", ["chacha20", "aes256"])
def test_keepassxc_opens_what_cxkit_writes(tmp_path: Path, cipher: str) -> None:
    path = tmp_path / "cxkit.kdbx"
    opts = dataclasses.replace(FAST, cipher=cipher)
    path.write_bytes(write_kdbx(build_database(), password=PASSWORD, options=opts))
    theirs = exported_entries(cli("export", "-q", path))
    ours = all_entries(read_kdbx(path, password=PASSWORD))
    assert ours.keys() == theirs.keys()
    for key, (where, e) in ours.items():
        el, their_path = theirs[key]
        assert their_path == where
        assert strings_of(el) == fields(e), e.title
        names = [b.findtext("Key") for b in el.findall("Binary")]
        assert sorted(names) == sorted(a.name for a in e.attachments)
        assert sorted((el.findtext("Tags") or "").split(",")) == sorted(e.tags or [""])
    login = next(e for _p, e in ours.values() if e.title == "Example <login> & co")
    entry_path = "Web & <Mail>/Example <login> & co"
    # KeePassXC holds the CR its XML export loses
    assert cli("show", "-q", "-a", "Notes", path, entry_path) == (login.notes + "\n").encode()
    for key in PASSKEY:  # the passkey attributes, protected ones decrypted by KeePassXC
        shown = cli("show", "-q", "-a", key, path, entry_path).decode()
        assert shown == login.strings[key].value + "\n"
    for a in login.attachments:
        out = tmp_path / "attachment"
        cli("attachment-export", "-q", path, entry_path, a.name, out)
        assert out.read_bytes() == a.data, a.name


def test_cxkit_reads_what_keepassxc_writes(tmp_path: Path) -> None:
    """A database KeePassXC creates and fills itself, with its own defaults."""
    path = tmp_path / "keepassxc.kdbx"
    cli("db-create", "-q", "-p", "-t", "100", path, answers=2)
    cli("mkdir", "-q", path, "Web")
    cli("add", "-q", "-u", "alice", "--url", "https://example.com", "--notes", "two\nlines",
        "-p", path, "Web/Example & <co>", answers=2)  # fmt: skip
    cli("add", "-q", "-u", "bob", path, "Plain")
    data = bytes(range(256)) * 40
    (tmp_path / "blob").write_bytes(data)
    cli("attachment-import", "-q", path, "Web/Example & <co>", "blob.bin", tmp_path / "blob")
    db = read_kdbx(path, password=PASSWORD)
    assert db.info is not None and db.info.version == (3, 1) and db.info.kdf == "aes-kdf"
    entries = {e.title: (path_, e) for path_, e in db.iter_entries()}
    groups, example = entries["Example & <co>"]
    assert [g.name for g in groups][1:] == ["Web"]
    assert example.username == "alice"
    assert example.password == PASSWORD  # -p asked for it; we answered with the same words
    assert example.strings["Password"].protected
    assert example.url == "https://example.com"
    assert example.notes == "two\nlines"
    assert [(a.name, a.data) for a in example.attachments] == [("blob.bin", data)]
    assert entries["Plain"][1].username == "bob"


def test_cxkit_reads_keepassxc_rewriting_a_cxkit_database(tmp_path: Path) -> None:
    """cxkit writes, KeePassXC exports to XML and imports that into a database of its own
    (which it writes as KDBX 3.1 with AES-KDF); cxkit reads every field back, passkeys
    included."""
    source = tmp_path / "cxkit.kdbx"
    source.write_bytes(write_kdbx(build_database(), password=PASSWORD, options=FAST))
    xml = tmp_path / "export.xml"
    xml.write_bytes(cli("export", "-q", source))
    rewritten = tmp_path / "keepassxc.kdbx"
    cli("import", "-q", "-p", "-t", "100", xml, rewritten, answers=2)
    ours = all_entries(read_kdbx(source, password=PASSWORD))
    back = all_entries(read_kdbx(rewritten, password=PASSWORD))
    assert back.keys() == ours.keys()
    for key, (where, e) in ours.items():
        assert back[key][0] == where
        theirs = back[key][1]
        assert fields(theirs) == fields(e), e.title
        assert sorted(theirs.tags) == sorted(e.tags)
        assert theirs.times.expiry == e.times.expiry
        # the XML export carries no attachment bytes: names survive, contents do not
        assert sorted(a.name for a in theirs.attachments) == sorted(a.name for a in e.attachments)
