"""pass (password-store) / gopass: the entry parser, reading the sample store with the GnuPG
test keyring, writing a store (every entry decrypted again with gpg) and reading it back, the
refusals (existing entries, no recipients, no gpg) and the CLI's folder input and output."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _gnupg import KEY1, KEY2, STORE, needs_gpg, stop_daemons, test_keyring
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import Confidence, WriteOptions, contract, registry
from cxkit.adapters.detection import make_folder_sample, make_sample
from cxkit.adapters.kit import gpg
from cxkit.adapters.passstore import (
    PassEntry,
    PassStoreAdapter,
    PassStoreWriteOptions,
    format_entry,
    parse_entry,
)
from cxkit.cli._io import write_folder
from cxkit.cli.main import main
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, OutputError
from shared_evidence import shared_path

# --------------------------------------------------------------------------- the entry parser


def test_parse_entry_conventions() -> None:
    text = (
        "s3cret-pw\nlogin: alice\nurl: https://a.example\nwebsite: https://b.example\n"
        "pin: 1234\notpauth://totp/x?secret=JBSWY3DPEHPK3PXP\nfree text line\n"
        "comments: first\nsecond: looks like a field\n"
    )
    e = parse_entry(text)
    assert e.password == "s3cret-pw"
    assert e.fields == [("login", "alice"), ("url", "https://a.example"),
                        ("website", "https://b.example"), ("pin", "1234")]  # fmt: skip
    assert e.otpauth == ["otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"]
    assert e.note_key == "comments"
    assert e.note == "first\nfree text line\nsecond: looks like a field"
    assert "s3cret" not in repr(e)


def test_parse_entry_first_line_rules() -> None:
    # pass-import's reading: a first line that is a known 'key: value' is a field
    assert parse_entry("comments: a note\nmore\n").password is None
    assert parse_entry("comments: a note\nmore\n").note == "a note\nmore"
    # any other first line is the password, even with ': ' in it
    assert parse_entry("a: b\n").password == "a: b"
    assert parse_entry("").password is None
    assert parse_entry("\n").password == ""
    # gopass: the YAML marker is skipped; CRLF lines
    e = parse_entry("pw\r\n---\r\nusername: bob\r\n")
    assert (e.password, e.fields) == ("pw", [("username", "bob")])


def test_parse_entry_blocks() -> None:
    e = parse_entry("pw\nkey: |\n  line 1\n  line 2\nafter: x\n")
    assert e.fields == [("key", "line 1\nline 2"), ("after", "x")]


_key = st.text(st.characters(codec="utf-8", exclude_characters=":\n\r"), min_size=1, max_size=20)
_line = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_parse_entry_never_fails(text: str) -> None:
    e = parse_entry(text)
    assert isinstance(e.note, str)
    parse_entry(format_entry(e))  # what it writes it reads


@settings(max_examples=300, deadline=None)
@given(
    _line,
    st.lists(st.tuples(_key, st.text(max_size=40)), max_size=6),
    st.lists(_line.map(lambda s: "otpauth://totp/x?secret=" + s), max_size=2),
    st.text(max_size=80),
)
def test_format_then_parse_round_trip(
    password: str, fields: list[tuple[str, str]], otp: list[str], note: str
) -> None:
    """What the writer makes of an entry reads back the same (keys as the writer keeps them)."""
    from cxkit.adapters.passstore import _first_line_field, _safe_key

    fields = [(_safe_key(k), v) for k, v in fields]
    fields = [(k, v) for k, v in fields if k.strip() == k and k != "---"]
    if _first_line_field(password) or password.strip() in ("|", "|-"):
        password = "x" + password
    note = note.replace("\r", "").rstrip()
    if note.strip() in ("|", "|-") or note.split("\n", 1)[0].strip() in ("|", "|-"):
        note = "n" + note
    entry = PassEntry(password=password, fields=fields, otpauth=otp, note=note)
    back = parse_entry(format_entry(entry))
    assert back.password == password
    assert back.fields == [(k, v.replace("\r\n", "\n").replace("\r", "\n")) for k, v in fields]
    assert back.otpauth == [o.strip() for o in otp]
    assert back.note == note


# --------------------------------------------------------------------------- gpg


@pytest.fixture
def gnupg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = test_keyring(tmp_path)
    monkeypatch.setenv("GNUPGHOME", str(home))
    monkeypatch.delenv("PASSWORD_STORE_KEY", raising=False)
    yield home
    stop_daemons(home)


def _summary(doc: cxf.Document) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for _, item in doc.items():
        found: dict[str, Any] = {"urls": list(item.scope.urls) if item.scope else []}
        for cred in item.credentials:
            if isinstance(cred, m.BasicAuth):
                found["login"] = cred.username.value if cred.username else None
                found["password"] = cred.password.value if cred.password else None
            elif isinstance(cred, m.Note):
                found["comments"] = cred.content.value
            elif isinstance(cred, m.CustomFields):
                found.update({f.label: f.value for f in cred.fields})
            elif isinstance(cred, m.Totp):
                found.setdefault("totp", []).append(cred.secret)
        out[item.title] = found
    return out


def _groups(doc: cxf.Document) -> dict[str, str]:
    """Item title → its collection path."""
    titles = {item.id: item.title for _, item in doc.items()}
    found: dict[str, str] = {}

    def visit(c: m.Collection, path: str) -> None:
        here = f"{path}/{c.title}" if path else c.title
        for link in c.items:
            found[titles[link.item]] = here
        for sub in c.sub_collections:
            visit(sub, here)

    for account in doc.accounts:
        for c in account.collections:
            visit(c, "")
    return found


def test_read_the_sample_store_as_pass_import_does(gnupg: Path) -> None:
    store = shared_path("exports", "password-store", "pass-import", "pass")
    sample = make_folder_sample(store)
    assert PassStoreAdapter().accepts(sample) == Confidence.LIKELY
    assert adapters.detect(sample).adapter.info.key == "password-store"
    doc, report = adapters.read(store, str(store))
    got = _summary(doc)
    assert len(got) == 14 and report.items_read == 14
    groups = _groups(doc)
    expected = yaml.safe_load(
        shared_path("exports", "pass-import-references", "main.yml").read_text()
    )
    by_password = {v.get("password"): (t, v) for t, v in got.items() if v.get("password")}
    for ref in expected:
        if not ref.get("password"):
            continue
        title, value = by_password[ref["password"]]
        assert value.get("login") == ref.get("login"), title
        if ref.get("url"):
            assert value["urls"] == [ref["url"]], title
        if ref.get("comments"):
            assert value["comments"] == ref["comments"], title
        # pass-import names an entry by its last two parts where the title is a folder
        assert f"{groups.get(title, '')}/".startswith(f"{ref.get('group', '')}/"), title
    note = got["note"]
    assert "password" not in note and note["comments"].startswith("This is a multiline note")
    assert got["aib"]["pin"] == "462916"
    pin = next(c for _, i in doc.items() if i.title == "aib" for c in i.credentials
               if isinstance(c, m.CustomFields))  # fmt: skip
    assert pin.fields[0].field_type == "concealed-string"
    assert {"empty entry", "space title", "empty password"} <= set(got)
    assert report.fields and all(f.path.startswith(("Social/", "Servers/", "Bank/", "Emails/",
                                                    "CornerCases/")) for f in report.fields)  # fmt: skip


def test_one_entry_file_with_from(gnupg: Path) -> None:
    data = (STORE / "Bank" / "aib.gpg").read_bytes() if STORE.is_dir() else pytest.skip("no store")
    doc, _ = adapters.read(data, "aib.gpg", source_format="password-store")
    assert _summary(doc)["aib"]["login"] == "dpbx@fner.ws"
    with pytest.raises(adapters.DetectionError):  # detection alone never guesses from a name
        adapters.detect(make_sample(data, "aib.gpg"))


def test_no_secret_key_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    needs_gpg()
    store = shared_path("exports", "password-store", "pass-import", "pass")
    empty = tmp_path / "empty-gnupg"
    empty.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(empty))
    with pytest.raises(gpg.GpgError, match="no secret key") as caught:
        adapters.read(store, str(store))
    assert "CC9DB947CF90C77B" in caught.value.message or "2EE5CDCE9B368A49" in caught.value.message
    stop_daemons(empty)


def test_a_damaged_entry_is_one_item_skipped(gnupg: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(shared_path("exports", "password-store", "pass-import", "pass"), store)
    target = store / "Bank" / "aib.gpg"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    (store / "Bank" / "link.gpg").symlink_to(store / "Social" / "twitter.com.gpg")
    doc, report = adapters.read(store, "store")
    assert len(list(doc.items())) == 13
    assert [s for s in report.items_skipped if "aib" in str(s)]
    assert any("symbolic link" in w for w in report.warnings)


def test_a_zip_of_the_store_folder(gnupg: Path, tmp_path: Path) -> None:
    import zipfile

    store = shared_path("exports", "password-store", "pass-import", "pass")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(store.rglob("*")):
            if path.is_file():
                archive.write(path, "pass/" + path.relative_to(store).as_posix())
    data = buffer.getvalue()
    assert adapters.detect(make_sample(data, "store.zip")).adapter.info.key == "password-store"
    doc, _ = adapters.read(data, "store.zip")
    direct, _ = adapters.read(store, "pass")
    assert _summary(doc) == _summary(direct) and _groups(doc) == _groups(direct)


def test_gpg_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(gpg.shutil, "which", lambda _name: None)
    (tmp_path / ".gpg-id").write_text(KEY1 + "\n")
    (tmp_path / "x.gpg").write_bytes(b"\x85\x01\x0c\x03" + b"\x00" * 300)
    with pytest.raises(gpg.ProgramMissingError) as caught:
        adapters.read(tmp_path, "store")
    text = caught.value.message + (caught.value.hint or "")
    assert "gpg" in text and "apt install gnupg" in text and "brew install gnupg" in text
    assert "nothing was" in text


# --------------------------------------------------------------------------- writing


def _decrypt_tree(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*.gpg")):
        plain = subprocess.run(["gpg", "--batch", "--quiet", "--decrypt", str(path)],
                               capture_output=True, check=True).stdout  # fmt: skip
        out[path.relative_to(root).as_posix()] = plain.decode()
    return out


def test_write_a_new_store_and_read_it_back(gnupg: Path, tmp_path: Path) -> None:
    source = shared_path("exports", "password-store", "pass-import", "pass")
    doc, _ = adapters.read(source, "pass")
    dest = tmp_path / "new-store"
    options = WriteOptions()
    options.set(PassStoreWriteOptions(folder=str(dest), recipients=(KEY2,)))
    data, report = adapters.write(doc, "password-store", options=options)
    assert report.items_written == 14 and report.encrypted
    written = write_folder(str(dest), data)
    assert ".gpg-id" in written and len(written) == 15
    assert (dest / ".gpg-id").read_text() == KEY2 + "\n"
    for path in [dest, *dest.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    # every entry decrypts with gpg itself, to key 2, in pass's layout
    plain = _decrypt_tree(dest)
    original = _decrypt_tree(source)
    assert sorted(plain) == sorted(original)
    for rel, text in original.items():
        a, b = parse_entry(text), parse_entry(plain[rel])
        assert (a.password or "", sorted(a.fields), a.note) == (b.password or "", sorted(b.fields), b.note), rel  # fmt: skip
    listed = subprocess.run(["gpg", "--batch", "--list-packets", str(dest / "Bank" / "aib.gpg")],
                            capture_output=True, text=True).stdout  # fmt: skip
    assert "B4DDBFF0D774A374" in listed or "BEDE59896B2B2DF9" in listed
    back, _ = adapters.read(dest, str(dest))
    assert _summary(back) == _summary(doc)
    assert _groups(back) == _groups(doc)


def test_writing_into_an_existing_store_never_replaces(gnupg: Path, tmp_path: Path) -> None:
    source = shared_path("exports", "password-store", "pass-import", "pass")
    store = tmp_path / "store"
    shutil.copytree(source, store)
    doc, _ = adapters.read(store, "store")
    before = {p: p.read_bytes() for p in store.rglob("*") if p.is_file()}
    options = WriteOptions()
    options.set(PassStoreWriteOptions(folder=str(store)))
    with pytest.raises(OutputError) as caught:
        adapters.write(doc, "password-store", options=options)
    assert "the entry Bank/aib already exists" in caught.value.message
    secrets = contract.document_secrets(doc)
    assert not [s for s in secrets if len(s) > 5 and s in caught.value.message]
    # a new sub-folder of the store: encrypted to the store's .gpg-id (found above it)
    options.set(PassStoreWriteOptions(folder=str(store / "imported")))
    data, _ = adapters.write(doc, "password-store", options=options)
    write_folder(str(store / "imported"), data)
    assert not (store / "imported" / ".gpg-id").exists()
    assert {p: p.read_bytes() for p in before} == before
    again, _ = adapters.read(store / "imported", "imported")
    assert _summary(again) == _summary(doc)
    # the folder writer itself refuses an existing file (a race with another writer)
    assert write_folder(str(store / "imported"), data) == []  # the same files: left alone
    options.set(PassStoreWriteOptions(recipients=(KEY1,)))
    other, _ = adapters.write(doc, "password-store", options=options)  # encrypted anew
    with pytest.raises(OutputError, match="already exists; nothing was written"):
        write_folder(str(store / "imported"), other)
    assert not (store / "imported" / ".gpg-id").exists()
    assert len(write_folder(str(tmp_path / "z"), other)) == 15  # a fresh folder


def test_recipients_are_required_and_must_agree(gnupg: Path, tmp_path: Path) -> None:
    doc = contract.reference_document()
    options = WriteOptions()
    options.set(PassStoreWriteOptions(folder=str(tmp_path / "nowhere")))
    with pytest.raises(OutputError, match="no recipients") as caught:
        adapters.write(doc, "password-store", options=options)
    assert "--recipient" in (caught.value.hint or "")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / ".gpg-id").write_text(KEY1 + "\n")
    options.set(PassStoreWriteOptions(folder=str(tmp_path / "s"), recipients=(KEY2,)))
    with pytest.raises(OutputError, match="already names its recipients"):
        adapters.write(doc, "password-store", options=options)
    options.set(PassStoreWriteOptions(recipients=("nobody@nowhere.invalid",)))
    with pytest.raises(gpg.GpgError, match=r"cannot encrypt to nobody@nowhere\.invalid"):
        adapters.write(doc, "password-store", options=options)


def test_reference_document_round_trip(gnupg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSWORD_STORE_KEY", KEY1)
    adapter = registry.get("password-store")
    assert not contract.check_round_trip(adapter)
    data, report = contract.write_reference(adapter)
    assert adapters.detect(make_sample(data, "store.zip")).adapter.info.key == "password-store"
    text = report.render()
    assert "a pass entry is text" in text or "not carried" in text


# --------------------------------------------------------------------------- the CLI


def test_cli_folder_in_and_out(
    gnupg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = shared_path("exports", "password-store", "pass-import", "pass")
    assert main(["detect", str(source)]) == 0
    assert capsys.readouterr().out.startswith("password-store")
    dest = tmp_path / "out"
    code = main(["convert", str(source), "--to", "password-store", "-o", str(dest),
                 "--recipient", KEY1, "-q"])  # fmt: skip
    assert code == 0 and (dest / "Bank" / "aib.gpg").is_file()
    code = main(["convert", str(source), "--to", "password-store", "-o", str(dest), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "already exists" in err and "ws5T" not in err
    code = main(["convert", str(dest), "--dry-run"])
    assert code == 0 and "14 read" in capsys.readouterr().out
    plain = tmp_path / "plain.cxf.json"
    assert main(["convert", str(dest), "-o", str(plain), "--plaintext", "-q"]) == 0
    assert os.stat(plain).st_mode & 0o077 == 0
    (tmp_path / "file").write_text("x")
    code = main(["convert", str(source), "--to", "password-store", "-o",
                 str(tmp_path / "file"), "-q"])  # fmt: skip
    assert code == 2 and "not a folder" in capsys.readouterr().err


def test_a_folder_without_marker_is_described(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    sample = make_folder_sample(tmp_path)
    with pytest.raises(adapters.DetectionError, match=r"a folder holding a\.txt"):
        adapters.detect(sample)


def test_a_signed_entry_whose_signer_is_unknown_is_read(gnupg: Path, tmp_path: Path) -> None:
    """gpg exits non-zero when it cannot check a signature; the decryption itself succeeded."""
    store = tmp_path / "signed"
    store.mkdir()
    (store / ".gpg-id").write_text(KEY1 + "\n")
    signed = subprocess.run(
        ["gpg", "--batch", "--quiet", "--local-user", KEY2, "--recipient", KEY1, "--sign",
         "--encrypt", "--output", "-"],
        input=b"pw-signed-123\nlogin: zed\n", capture_output=True, check=True,
    ).stdout  # fmt: skip
    (store / "entry.gpg").write_bytes(signed)
    subprocess.run(["gpg", "--batch", "--yes", "--delete-secret-and-public-key", KEY2],
                   capture_output=True, check=True)  # fmt: skip
    doc, _ = adapters.read(store, "signed")
    assert _summary(doc)["entry"]["login"] == "zed"


def test_mutation_fuzz_of_the_sample_store(gnupg: Path, tmp_path: Path) -> None:
    """Damaged copies of the real store (bytes flipped, cut or spliced in a few entries) give
    items, skipped items or a cxkit error — never another exception or a secret in a message."""
    import random

    source = shared_path("exports", "password-store", "pass-import", "pass")
    secrets = contract.document_secrets(adapters.read(source, "pass")[0])
    rng = random.Random(11)
    for round_ in range(5):
        store = tmp_path / f"round{round_}"
        shutil.copytree(source, store)
        for path in rng.sample(sorted(store.rglob("*.gpg")), 4):
            data = bytearray(path.read_bytes())
            at = rng.randrange(len(data))
            kind = rng.random()
            if kind < 0.4:
                data[at] ^= 1 << rng.randrange(8)
            elif kind < 0.7:
                del data[at:]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 40))
            path.write_bytes(bytes(data))
        try:
            _doc, report = adapters.read(store, "store")
        except CxkitError as exc:
            text = f"{exc} {exc.hint}"
        else:
            text = report.render() + json.dumps(report.to_json())
        assert not [s for s in secrets if s in text]
