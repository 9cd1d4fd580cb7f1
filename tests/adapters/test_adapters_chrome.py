"""Google Password Manager CSV (``chrome-csv``, ``formats/browsers-and-apple.md`` §1): the kit's
example reader. The pass-import sample read to its reference vault (``main.yml`` without
``group``, as ``tests.yml`` says), Android app URLs as app scopes, short rows, every cell
recorded, and a mutation fuzz (the sample and a generated file) where only cxkit errors escape."""

from __future__ import annotations

import base64
import csv
import io
import json
import random
from pathlib import Path

import pytest
from test_adapters_pass_import_refs import _project, _same, _yaml_entries

from cxkit import adapters, cxf
from cxkit.adapters.chrome import ChromeCsvAdapter
from cxkit.adapters.detection import make_sample
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_files, shared_path

SECRET = "Chrome-Secret-5tW"
HEADER = "name,url,username,password,note"


def _csv(rows: list[tuple[str, ...]], header: str = HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return out.getvalue().encode()


CERT = base64.b64encode(bytes(range(32))).decode()
ROWS = [
    ("mail.example", "https://mail.example/login", "alice", SECRET, ""),
    ("com.example.app", f"android://{CERT}@com.example.app/", "alice", "pw-2", ""),
    ("notes", "", "", "", "first line\nsecond line"),
    ("mail.example", "https://mail.example/login", "alice", SECRET, ""),  # a duplicate row
    ("", "https://empty-user.example", "", "pw-4", ""),
]


def test_reads_logins_android_apps_notes_and_records_every_cell() -> None:
    data = _csv(ROWS)
    assert adapters.detect(make_sample(data, "Chrome Passwords.csv")).adapter.info.key == (
        "chrome-csv"
    )
    doc, report = adapters.read(data, "Chrome Passwords.csv")
    assert report.source_format == "chrome-csv"
    items = [i for _, i in doc.items()]
    assert [i.title for i in items] == ["mail.example", "com.example.app", "notes",
                                        "mail.example", ""]  # fmt: skip
    auth = items[0].credentials[0]
    assert isinstance(auth, m.BasicAuth) and auth.password is not None
    assert auth.password.value == SECRET and auth.password.field_type == "concealed-string"
    app_scope = items[1].scope
    assert app_scope is not None and app_scope.urls == ()
    (app,) = app_scope.android_apps
    assert app.bundle_id == "com.example.app"
    assert app.certificate is not None and app.certificate.hash_alg == "sha256"
    note = items[2].credentials[0]
    assert isinstance(note, m.Note) and note.content.value == "first line\nsecond line"
    assert items[0].id != items[3].id  # duplicates stay two items, with their own ids
    non_empty = sum(1 for row in ROWS for cell in row if cell)
    assert len(report.fields) == non_empty
    assert report.field_counts() == {"member": non_empty, "custom-field": 0, "extension": 0,
                                     "not-carried": 0}  # fmt: skip
    assert {r.path for r in report.fields} >= {"Chrome Passwords.csv:3:url",
                                               "Chrome Passwords.csv:4:note"}  # fmt: skip
    assert SECRET not in json.dumps(report.to_json()) and SECRET not in report.render()
    assert doc.header.exporter_rp_id == "google.com"
    cxf.decode(cxf.encode(doc))


def test_old_layout_and_short_rows() -> None:
    old = _csv([row[:4] for row in ROWS], "name,url,username,password")
    doc, report = adapters.read(old, "old.csv")
    assert report.source_format == "chrome-csv" and len(list(doc.items())) == len(ROWS)
    short = HEADER.encode() + b"\nsite,https://s.example,u,p\nother,https://o.example,u,p,hi\n"
    doc, _ = adapters.read(short, "short.csv", source_format="chrome-csv")
    assert [len(i.credentials) for _, i in doc.items()] == [1, 2]


def test_a_row_with_too_many_cells_is_skipped_and_named_not_shown() -> None:
    """One damaged row (a comma out of place) is skipped and reported by its row number; the
    other rows are read; no cell value appears in the report."""
    bad = (
        HEADER.encode()
        + f"\nsite,https://s.example,u,{SECRET},n,{SECRET}\nok,https://o.example,v,w,\n".encode()
    )
    doc, report = adapters.read(bad, "bad.csv", source_format="chrome-csv")
    assert [i.title for _, i in doc.items()] == ["ok"]
    assert report.items_skipped == [
        ("row 2", "6 cells where the header has 5: not read (a comma or quote out of place?)")
    ]
    (record,) = [r for r in report.fields if r.path == "bad.csv:2"]
    assert str(record.disposition) == "not-carried"
    text = json.dumps(report.to_json()) + report.render()
    assert SECRET not in text


@pytest.mark.shared
def test_sample_reads_to_the_pass_import_reference() -> None:
    # tests.yml: ChromeCSV, path chrome.csv, reference main.yml without group
    path = shared_path("exports", "chrome", "pass-import", "chrome.csv")
    refs = shared_path("exports", "pass-import-references", "main.yml")
    expected = [
        {k: v for k, v in e.items() if k != "group"}
        for e in _yaml_entries(Path(refs).read_text(encoding="utf-8"))
    ]
    doc, report = adapters.read(Path(path).read_bytes(), "chrome.csv")
    assert report.source_format == "chrome-csv" and not report.items_skipped
    got = _project(doc)
    assert len(got) == len(expected)
    for ref, entry in zip(expected, got, strict=True):  # the same rows, in the same order
        assert set(entry) == set(ref), ref["title"]
        assert all(_same(k, entry[k], v) for k, v in ref.items()), ref["title"]
    assert report.field_counts()["not-carried"] == 0


# --------------------------------------------------------------------------- mutation fuzz


def _generated(rng: random.Random, rows: int = 40) -> bytes:
    alphabet = "abcxyz019 ,\"'\n\r=@-+\t/:"
    cells = [
        tuple("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12))) for _ in range(5))
        for _ in range(rows)
    ]
    return _csv(cells)


def _mutants(data: bytes, rng: random.Random, n: int) -> list[bytes]:
    out = [b"", data[:1], b"\xef\xbb\xbf" + data, b"\xff\xfe" + data, data.replace(b",", b";")]
    for _ in range(n):
        buf = bytearray(data)
        kind = rng.randrange(4)
        if kind == 0:
            buf = buf[: rng.randrange(1, len(buf))]
        elif kind == 1:
            for _ in range(rng.randrange(1, 6)):
                buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
        elif kind == 2:
            at = rng.randrange(len(buf))
            buf[at:at] = rng.choice([b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b'""', b",,,"])
        else:
            at = rng.randrange(len(buf))
            buf[at:at] = bytes(buf[at : at + rng.randrange(1, 40)]) * rng.randrange(1, 4)
        out.append(bytes(buf))
    return out


def _sources() -> list[bytes]:
    found = [p.read_bytes() for p in shared_files("exports/chrome/pass-import", "chrome.csv")]
    return [*found, _csv(ROWS), _generated(random.Random(12))]


@pytest.mark.parametrize("index", range(3))
def test_mutations_raise_only_cxkit_errors(index: int) -> None:
    sources = _sources()
    if index >= len(sources):
        pytest.skip("../shared is absent")
    rng = random.Random(1000 + index)
    reader = ChromeCsvAdapter()
    for data in _mutants(sources[index], rng, 150):
        sample = make_sample(data, "m.csv")
        report = adapters.MigrationReport()
        try:
            doc = reader.read(sample, adapters.ReadOptions(), report)
        except CxkitError as exc:
            assert exc.message
            assert SECRET not in str(exc)
            continue
        assert report.items_read == len(list(doc.items()))
        assert SECRET not in json.dumps(report.to_json())


# --------------------------------------------------------------------------- Login Data dump

SQLITE_HEADER = ("origin_url,action_url,username_element,username_value,password_element,"
                 "password_value,submit_element,signon_realm,preferred,date_created,"
                 "blacklisted_by_user,scheme,times_used,display_name,federation_url")  # fmt: skip
#: 2020-09-13T12:26:40Z in WebKit microseconds (1600000000 + 11644473600 seconds)
WEBKIT = str((1_600_000_000 + 11_644_473_600) * 1_000_000)


def _sqlite_rows() -> bytes:
    rows = [
        ("https://a.example/", "https://a.example/login", "user", "alice", "pass", SECRET,
         "", "https://a.example/", "1", WEBKIT, "0", "0", "3", "", ""),
        ("https://b.example/", "", "", "bob", "", "v10\x01\x02garbage", "", "", "", "", "0",
         "0", "", "Bee", ""),
        ("https://never.example/", "", "", "", "", "", "", "", "", "", "1", "0", "", "", ""),
        ("https://c.example/", "", "", "carol", "", "pw-c", "", "", "", "not-a-time", "", "",
         "", "C site", "https://accounts.google.com"),
    ]  # fmt: skip
    return _csv(rows, SQLITE_HEADER)


def test_sqlite_dump_reads_logins_and_accounts_for_every_cell() -> None:
    data = _sqlite_rows()
    assert adapters.detect(make_sample(data, "logins.csv")).adapter.info.key == "chrome-sqlite-csv"
    doc, report = adapters.read(data, "logins.csv")
    items = [i for _, i in doc.items()]
    assert [i.title for i in items] == ["a.example", "Bee", "C site"]
    a, b, c = items
    auth = a.credentials[0]
    assert isinstance(auth, m.BasicAuth) and auth.password is not None
    assert auth.password.value == SECRET and a.creation_at == 1_600_000_000
    assert a.scope is not None and a.scope.urls == ("https://a.example/",)
    custom = next(x for x in a.credentials if isinstance(x, m.CustomFields))
    assert {f.label for f in custom.fields} == {"action_url", "signon_realm"}
    # the encrypted password is reported, the user name kept
    b_auth = b.credentials[0]
    assert isinstance(b_auth, m.BasicAuth) and b_auth.password is None
    fields = {r.path: r for r in report.fields}
    assert fields["logins.csv:3:password_value"].disposition == "not-carried"
    assert "encrypted" in fields["logins.csv:3:password_value"].note
    assert fields["logins.csv:2:username_element"].disposition == "not-carried"
    assert fields["logins.csv:2:times_used"].disposition == "not-carried"
    assert fields["logins.csv:5:date_created"].disposition == "custom-field"  # not a time
    assert any("never to save" in reason for _, reason in report.items_skipped)
    non_empty = sum(1 for line in data.decode().splitlines()[1:] for cell in
                    next(csv.reader([line])) if cell)  # fmt: skip
    assert len(report.fields) == non_empty
    assert c.credentials[0] == m.BasicAuth(
        username=m.EditableField(field_type="string", value="carol"),
        password=m.EditableField(field_type="concealed-string", value="pw-c"),
    )
    assert SECRET not in json.dumps(report.to_json()) and "garbage" not in report.render()


def test_webkit_seconds() -> None:
    from cxkit.adapters.chrome import webkit_seconds

    assert webkit_seconds(WEBKIT) == "1600000000"
    assert webkit_seconds("0") == "0"  # before 1970: left as text (kept as a custom field)
    assert webkit_seconds("x") == "x"


@pytest.mark.shared
def test_sqlite_sample_reads_to_the_pass_import_reference() -> None:
    # tests.yml: ChromeCSVSQLite, path chromesqlite.csv, main.yml without group and comments
    path = shared_path("exports", "chrome", "pass-import", "chromesqlite.csv")
    refs = shared_path("exports", "pass-import-references", "main.yml")
    expected = [
        {k: v for k, v in e.items() if k not in ("group", "comments")}
        for e in _yaml_entries(Path(refs).read_text(encoding="utf-8"))
    ]
    doc, report = adapters.read(Path(path).read_bytes(), "chromesqlite.csv")
    assert report.source_format == "chrome-sqlite-csv" and not report.items_skipped
    got = _project(doc)
    assert len(got) == len(expected)
    for ref, entry in zip(expected, got, strict=True):
        assert set(entry) == set(ref), ref["title"]
        assert all(_same(k, entry[k], v) for k, v in ref.items()), ref["title"]


@pytest.mark.parametrize("seed", range(2))
def test_sqlite_mutations_raise_only_cxkit_errors(seed: int) -> None:
    from cxkit.adapters.chrome import ChromeSqliteCsvAdapter

    found = [p.read_bytes() for p in shared_files("exports/chrome/pass-import", "chromesqlite.csv")]
    data = [*found, _sqlite_rows()][seed % (len(found) + 1)]
    reader = ChromeSqliteCsvAdapter()
    for mutant in _mutants(data, random.Random(seed), 120):
        report = adapters.MigrationReport()
        try:
            doc = reader.read(make_sample(mutant, "m.csv"), adapters.ReadOptions(), report)
        except CxkitError as exc:
            assert exc.message and SECRET not in str(exc)
            continue
        assert report.items_read == len(list(doc.items()))
        assert SECRET not in json.dumps(report.to_json())


# --------------------------------------------------------------------------- writing


def _written_doc() -> cxf.Document:
    data = _csv([*ROWS, ("both", "https://both.example", "u", "pw-5", "a note")])
    doc, _ = adapters.read(data, "in.csv", source_format="chrome-csv")
    return doc


def test_write_round_trip_is_exact_for_what_the_format_holds() -> None:
    doc = _written_doc()
    out, report = adapters.write(doc, "chrome-csv")
    assert out.decode().splitlines()[0] == HEADER
    back, _ = adapters.read(out, "back.csv", source_format="chrome-csv")
    want = [i for _, i in doc.items() if i.title != "notes"]  # no URL and no password: no row
    got = [i for _, i in back.items()]
    assert report.items_written == len(got) == len(want)
    for a, b in zip(want, got, strict=True):
        assert (a.title, a.scope, a.credentials) == (b.title, b.scope, b.credentials)
    (skipped,) = [r for r in report.credentials if r.stage == "write" and r.outcome != "carried"]
    assert skipped.item == "notes" and "needs a URL and a password" in skipped.note
    assert report.plaintext and SECRET not in report.render()


def test_written_file_reads_in_pass_import(tmp_path: Path) -> None:
    chrome = pytest.importorskip("pass_import.managers.chrome")
    out, _ = adapters.write(_written_doc(), "chrome-csv")
    path = tmp_path / "written.csv"
    path.write_bytes(out)
    with chrome.ChromeCSV(str(path)) as importer:
        importer.parse()
        rows = importer.data
    keys = ("title", "login", "password", "comments")
    assert [tuple(r.get(k) or "" for k in keys) for r in rows] == [
        ("mail.example", "alice", SECRET, ""),
        ("com.example.app", "alice", "pw-2", ""),
        ("mail.example", "alice", SECRET, ""),
        ("", "", "pw-4", ""),
        ("both", "u", "pw-5", "a note"),
    ]
    assert rows[1]["url"].startswith("android://") and rows[1]["url"].endswith("@com.example.app/")
