"""Apple (``formats/browsers-and-apple.md`` §3, §4): the Passwords / Safari CSV read and written
(TOTP as an otpauth URI checked with pyotp, round trip exact for what the format holds) and the
``security dump-keychain -d`` text read — the pass-import samples to their reference vaults, URL
parts, hex and octal-escaped values, secure notes, binary secrets, records that are not
passwords, every attribute accounted for; mutation fuzz where only cxkit errors escape."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_adapters_chrome import _mutants
from test_adapters_pass_import_refs import _project, _same, _yaml_entries

from cxkit import adapters, cxf
from cxkit.adapters.apple import APPLE_COLUMNS, AppleKeychainAdapter, parse_keychain
from cxkit.adapters.detection import make_sample
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError
from shared_evidence import shared_files, shared_path

SECRET = "Apple-Secret-4rT"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OTP = f"otpauth://totp/Mail:alice?secret={TOTP_SECRET}&issuer=Mail&digits=8&period=60"


def _csv(rows: list[tuple[str, ...]], header: tuple[str, ...] = APPLE_COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


ROWS = [
    ("Mail", "https://mail.example/", "alice", SECRET, "line 1\nline 2", OTP),
    ("Server", "", "root", "pw-2", "", ""),
    ("Bad code", "https://b.example", "bob", "pw-3", "", "otpauth://hotp/x?secret=AAAA"),
]


# --------------------------------------------------------------------------- Passwords CSV


def test_csv_reads_logins_notes_and_totp() -> None:
    data = _csv(ROWS)
    assert adapters.detect(make_sample(data, "Passwords.csv")).adapter.info.key == (
        "apple-passwords-csv"
    )
    doc, report = adapters.read(data, "Passwords.csv")
    mail, server, bad = (i for _, i in doc.items())
    assert mail.title == "Mail" and mail.scope is not None
    totp = next(c for c in mail.credentials if isinstance(c, m.Totp))
    assert (totp.secret, totp.digits, totp.period, totp.issuer) == (TOTP_SECRET, 8, 60, "Mail")
    note = next(c for c in mail.credentials if isinstance(c, m.Note))
    assert note.content.value == "line 1\nline 2"
    assert server.scope is None
    hidden = next(c for c in bad.credentials if isinstance(c, m.CustomFields))
    assert hidden.fields[0].label == "OTPAuth" and hidden.fields[0].field_type == "concealed-string"
    assert len(report.fields) == sum(1 for r in ROWS for c in r if c)
    assert SECRET not in report.render() and TOTP_SECRET not in json.dumps(report.to_json())


def test_csv_url_variant() -> None:
    data = _csv(ROWS[:1], ("Title", "Url", *APPLE_COLUMNS[2:]))
    doc, report = adapters.read(data, "Safari.csv")
    assert report.source_format == "apple-passwords-csv"
    (item,) = (i for _, i in doc.items())
    assert item.scope is not None and item.scope.urls == ("https://mail.example/",)


def test_csv_round_trip_and_pyotp() -> None:
    pyotp = pytest.importorskip("pyotp")
    doc, _ = adapters.read(_csv(ROWS[:2]), "in.csv")
    out, report = adapters.write(doc, "apple-passwords-csv")
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    assert tuple(rows[0]) == APPLE_COLUMNS
    written = dict(zip(rows[0], rows[1], strict=True))
    ours = pyotp.parse_uri(written["OTPAuth"])
    theirs = pyotp.TOTP(TOTP_SECRET, digits=8, interval=60)
    assert ours.at(1_700_000_000) == theirs.at(1_700_000_000)
    back, _ = adapters.read(out, "back.csv", source_format="apple-passwords-csv")
    for (_, a), (_, b) in zip(doc.items(), back.items(), strict=True):
        assert (a.title, a.scope, a.credentials) == (b.title, b.scope, b.credentials)
    assert report.items_written == 2 and report.plaintext


def test_csv_writer_needs_a_password_and_names_what_it_drops() -> None:
    data = _csv([("Just a note", "", "", "", "text only", ""), *ROWS[:1]])
    doc, _ = adapters.read(data, "in.csv")
    out, report = adapters.write(doc, "apple-passwords-csv")
    assert [r[0] for r in csv.reader(io.StringIO(out.decode(), newline=""))] == ["Title", "Mail"]
    (dropped,) = [r for r in report.credentials if r.stage == "write" and r.item == "Just a note"]
    assert dropped.outcome == "not-carried" and "needs a password" in dropped.note


# --------------------------------------------------------------------------- keychain dump


def _record(cls: str, attributes: list[str], data: str | None) -> str:
    lines = ['keychain: "/Users/sam/Library/Keychains/login.keychain-db"', "version: 512",
             f"class: {cls}", "attributes:", *(f"    {a}" for a in attributes)]  # fmt: skip
    if data is not None:
        lines += ["data:", data]
    return "\n".join(lines) + "\n"


NOTE_PLIST = (
    '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>NOTE</key>'
    "<string>Door code: 4711</string><key>RTFD</key><data>AAAA</data></dict></plist>"
)
DUMP = "".join(
    [
        _record('"inet"', ['0x00000007 <blob>="Router"', '"acct"<blob>="admin"',
                           '"srvr"<blob>="router.example"', '"ptcl"<uint32>="htps"',
                           '"port"<uint32>=0x000020FB', '"path"<blob>="/admin"',
                           '"sdmn"<blob>="Admin area"', '"crtr"<uint32>="aapl"',
                           '"cdat"<timedate>=0x32303139303431383138343235325A00  '
                           '"20190418184252Z\\000"', '"icmt"<blob>="the old one"'],
                f'"{SECRET}"'),
        _record('"genp"', ['0x00000007 <blob>="App token"', '"acct"<blob>="sam"',
                           '"svce"<blob>="com.example.app"', '"desc"<blob>="application password"'],
                "0x70C3A4737320776F7264  \"p\\303\\244ss word\""),
        _record('"genp"', ['0x00000007 <blob>="Binary"', '"svce"<blob>="Binary"'], "0xFFFE00"),
        _record('"genp"', ['0x00000007 <blob>="Note"', '"desc"<blob>="secure note"',
                           '"type"<uint32>="note"'],
                "0x" + NOTE_PLIST.encode().hex().upper() + '  "' + NOTE_PLIST + '"'),
        _record("0x80001000", ['0x00000007 <blob>="A certificate"'], None),
        _record('"genp"', ['0x00000007 <blob>="Tab\\011name"', '"acct"<blob>="x"'],
                '"a\\"quote"'),
    ]
)  # fmt: skip


def test_keychain_dump_reads_passwords_notes_and_urls() -> None:
    data = DUMP.encode()
    assert adapters.detect(make_sample(data, "keychain.txt")).adapter.info.key == "apple-keychain"
    doc, report = adapters.read(data, "keychain.txt")
    items = {i.title: i for _, i in doc.items()}
    assert set(items) == {"Router", "App token", "Binary", "Note", "Tab\tname"}
    router = items["Router"]
    assert router.scope is not None and router.scope.urls == ("https://router.example:8443/admin",)
    assert router.creation_at == 1555612972
    auth = router.credentials[0]
    assert isinstance(auth, m.BasicAuth) and auth.password is not None
    assert auth.password.value == SECRET and auth.username is not None
    assert auth.username.value == "admin"
    assert any(
        isinstance(c, m.Note) and c.content.value == "the old one" for c in router.credentials
    )
    labels = {
        f.label for c in router.credentials if isinstance(c, m.CustomFields) for f in c.fields
    }
    assert labels == {"security domain"}
    token = items["App token"].credentials[0]
    assert isinstance(token, m.BasicAuth) and token.password is not None
    assert token.password.value == "päss word"  # from the hex, not the rendering
    binary = items["Binary"].credentials[0]
    assert isinstance(binary, m.CustomFields) and binary.fields[0].value == "fffe00"
    assert binary.fields[0].field_type == "concealed-string"
    (note,) = items["Note"].credentials
    assert isinstance(note, m.Note) and note.content.value == "Door code: 4711"
    quote = items["Tab\tname"].credentials[0]
    assert isinstance(quote, m.BasicAuth) and quote.password is not None
    assert quote.password.value == 'a\\"quote'  # security does not escape quotes
    assert [reason for _, reason in report.items_skipped] == [
        "record at line 44 cannot be read: a record of class 0x80001000: not a password"
    ]
    paths = {r.path.split(":", 2)[2] for r in report.fields if r.path.startswith("keychain.txt:1:")}
    assert paths == {"keychain", "version", "class", "0x00000007", "acct", "srvr", "ptcl", "port",
                     "path", "sdmn", "crtr", "cdat", "icmt", "data"}  # fmt: skip
    fields = {r.path: r for r in report.fields}
    assert fields["keychain.txt:1:crtr"].disposition == "not-carried"
    assert fields["keychain.txt:35:data.RTFD"].disposition == "not-carried"
    text = report.render() + json.dumps(report.to_json())
    assert SECRET not in text and "päss" not in text and "4711" not in text
    cxf.decode(cxf.encode(doc))


def test_keychain_dump_refuses_other_text() -> None:
    with pytest.raises(AdapterError):
        parse_keychain('hello\nkeychain: "x"\n', name="x.txt")
    with pytest.raises(AdapterError):
        parse_keychain("", name="x.txt")
    assert AppleKeychainAdapter().accepts(make_sample(b"keychain: nothing", "x.txt")) == 0


@pytest.mark.shared
@pytest.mark.parametrize(("sample", "reference", "without"), [
    ("apple-keychain.txt", "main.yml", ("group", "comments")),
    ("apple-keychain-note.txt", "applekeychain-note.yml", ()),
])  # fmt: skip
def test_keychain_samples_read_to_the_pass_import_reference(
    sample: str, reference: str, without: tuple[str, ...]
) -> None:
    # tests.yml: AppleKeychain, apple-keychain.txt, main.yml without group and comments; the
    # notes sample against applekeychain-note.yml (the order of the reference is not the dump's)
    path = shared_path("exports", "apple", "pass-import", sample)
    refs = shared_path("exports", "pass-import-references", reference)
    expected = [
        {k: v for k, v in e.items() if k not in without}
        for e in _yaml_entries(Path(refs).read_text(encoding="utf-8"))
    ]
    doc, report = adapters.read(Path(path).read_bytes(), sample)
    assert report.source_format == "apple-keychain" and not report.items_skipped
    got = [{k: v for k, v in e.items() if k not in without} for e in _project(doc)]
    assert len(got) == len(expected)
    for ref in expected:  # each reference entry matches one entry read (titles repeat)
        match = next(e for e in got if set(e) == set(ref)
                     and all(_same(k, e[k], v) for k, v in ref.items()))  # fmt: skip
        got.remove(match)
    assert got == []


def _sources() -> list[tuple[bytes, str]]:
    found = [(p.read_bytes(), "k") for p in shared_files("exports/apple/pass-import", "*.txt")]
    return [*found, (DUMP.encode(), "k"), (_csv(ROWS), "c")]


@pytest.mark.parametrize("index", range(4))
def test_mutations_raise_only_cxkit_errors(index: int) -> None:
    sources = _sources()
    if index >= len(sources):
        pytest.skip("../shared is absent")
    data, kind = sources[index]
    reader = AppleKeychainAdapter() if kind == "k" else adapters.get("apple-passwords-csv")
    for mutant in _mutants(data, random.Random(3000 + index), 150):
        report = adapters.MigrationReport()
        try:
            doc = reader.read(make_sample(mutant, "m.txt"), adapters.ReadOptions(), report)
        except CxkitError as exc:
            assert exc.message and SECRET not in str(exc)
            continue
        assert report.items_read == len(list(doc.items()))
        assert SECRET not in json.dumps(report.to_json())


def _dump_leaves(text: str, name: str) -> set[str]:
    """Every non-empty field of a dump, found independently of the reader: the record lines,
    each attribute that is not ``<NULL>`` and a non-empty ``data:``, at ``name:LINE:field``
    (LINE: the record's first line)."""
    out: set[str] = set()
    start = 0
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith("keychain:"):
            start = number
            out.add(f"{name}:{start}:keychain")
        elif line.startswith(("version:", "class:")):
            out.add(f"{name}:{start}:{line.split(':')[0]}")
        elif line.startswith("    ") and "<NULL>" not in line:
            field = line.split("<")[0].strip().strip('"').strip()
            out.add(f"{name}:{start}:{field}")
        elif (line == "data:" and number < len(lines) and lines[number].strip()
              and not lines[number].startswith("keychain:")):  # fmt: skip
            out.add(f"{name}:{start}:data")
    return out


@pytest.mark.parametrize("index", range(3))
def test_keychain_every_field_has_a_record(index: int) -> None:
    sources = [s for s, kind in _sources() if kind == "k"]
    if index >= len(sources):
        pytest.skip("../shared is absent")
    text = sources[index].decode()
    _, report = adapters.read(sources[index], "k.txt", source_format="apple-keychain")
    assert _dump_leaves(text, "k.txt") <= set(report.fields.paths())


# --------------------------------------------------------------------------- properties


def _render(raw: bytes) -> str:
    """*raw* as ``security`` prints a value: quoted when every byte is printable ASCII, else the
    hex and a quoted rendering with octal escapes."""
    if all(0x20 <= b < 0x7F for b in raw):
        return '"' + raw.decode("ascii") + '"'
    shown = "".join(chr(b) if 0x20 <= b < 0x7F else f"\\{b:03o}" for b in raw)
    return "0x" + raw.hex().upper() + '  "' + shown + '"'


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40))
def test_property_values_read_back_as_the_bytes_printed(raw: bytes) -> None:
    from cxkit.adapters.apple import _raw

    rendered = _render(raw)
    if rendered == '""':
        assert _raw(rendered) == b""
    else:
        assert _raw(rendered) == raw


_PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x10FFFF,
                                   blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                     min_size=1, max_size=16)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_PRINTABLE, _PRINTABLE, _PRINTABLE), min_size=1, max_size=5))
def test_property_records_read_back(records: list[tuple[str, str, str]]) -> None:
    """Any label, account and password, printed as security prints them, read back as they
    were, one item per record, and no password in the report."""
    text = "".join(
        _record('"genp"', [f"0x00000007 <blob>={_render(t.encode())}",
                           f'"acct"<blob>={_render(a.encode())}'], _render(p.encode()))
        for t, a, p in records
    )  # fmt: skip
    doc, report = adapters.read(text.encode(), "k.txt", source_format="apple-keychain")
    items = [i for _, i in doc.items()]
    assert len(items) == len(records) and not report.items_skipped
    for (title, account, password), item in zip(records, items, strict=True):
        assert item.title == title
        (auth,) = item.credentials
        assert isinstance(auth, m.BasicAuth) and auth.username is not None
        assert auth.password is not None
        assert (auth.username.value, auth.password.value) == (account, password)
