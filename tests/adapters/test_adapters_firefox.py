"""Firefox CSV (``firefox-csv``) and the Password Exporter add-on CSV
(``firefox-password-exporter-csv``), ``formats/browsers-and-apple.md`` §2: the pass-import samples
read to their reference vault, guid / realm / form action origin / millisecond times kept, every
cell accounted for; the writer's file read back exactly and by pass-import's Firefox reader; a
mutation fuzz where only cxkit errors escape."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from test_adapters_chrome import _mutants
from test_adapters_pass_import_refs import _project, _same, _yaml_entries

from cxkit import adapters, cxf
from cxkit.adapters.base import converted_document
from cxkit.adapters.detection import make_sample
from cxkit.adapters.firefox import EXTENSION, FIREFOX_COLUMNS, FirefoxCsvAdapter, _title
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_files, shared_path

SECRET = "Firefox-Secret-8uQ"
GUID = "{0f8fad5b-d9cb-469f-a165-70867728950e}"


def _csv(rows: list[tuple[str, ...]], header: tuple[str, ...] = FIREFOX_COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


ROWS = [
    ("https://mail.example", "alice", SECRET, "", "https://mail.example", GUID,
     "1600000000123", "1600000100456", "1600000200789"),
    ("https://intranet.example", "bob", "pw-2", "Staff only", "", "{11111111-2222-4333-8444-555555555555}",
     "1500000000000", "", "1500000000000"),
]  # fmt: skip


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_reads_logins_with_their_firefox_details() -> None:
    data = _csv(ROWS)
    assert adapters.detect(make_sample(data, "logins.csv")).adapter.info.key == "firefox-csv"
    doc, report = adapters.read(data, "logins.csv")
    mail, intranet = (i for _, i in doc.items())
    assert (mail.title, intranet.title) == ("mail.example", "intranet.example")
    assert mail.creation_at == 1_600_000_000 and mail.modified_at == 1_600_000_200
    assert mail.scope is not None and mail.scope.urls == ("https://mail.example",)
    (ext,) = mail.extensions
    assert isinstance(ext, m.UnknownExtension) and ext.extension_name == EXTENSION
    assert ext.members == {"formActionOrigin": "https://mail.example", "guid": GUID,
                           "timeLastUsed": 1600000100456, "timeCreated": 1600000000123,
                           "timePasswordChanged": 1600000200789}  # fmt: skip
    (ext2,) = intranet.extensions
    assert isinstance(ext2, m.UnknownExtension) and ext2.members["httpRealm"] == "Staff only"
    non_empty = sum(1 for row in ROWS for cell in row if cell)
    assert len(report.fields) == non_empty
    assert report.field_counts()["not-carried"] == 0
    assert SECRET not in report.render() and SECRET not in json.dumps(report.to_json())
    cxf.decode(cxf.encode(doc))


def test_firefox_to_firefox_gives_the_same_rows() -> None:
    data = _csv(ROWS)
    doc, _ = adapters.read(data, "logins.csv")
    out, report = adapters.write(doc, "firefox-csv")
    assert _rows(out) == _rows(data)
    assert report.items_written == 2 and report.plaintext
    assert out.startswith(b'"url","username","password"') and b"\r\n" in out


def test_other_sources_get_a_guid_and_millisecond_times() -> None:
    item = m.Item(
        id=b64.encode(bytes(16)), title="Bank", creation_at=1_700_000_000,
        scope=m.CredentialScope(urls=("https://bank.example/login",), android_apps=()),
        credentials=(m.BasicAuth(
            username=m.EditableField(field_type="string", value="carol"),
            password=m.EditableField(field_type="concealed-string", value=SECRET)),
            m.Note(content=m.EditableField(field_type="string", value="a note"))),
    )  # fmt: skip
    account = m.Account(id=b64.encode(b"a" * 16), username="", email="", collections=(),
                        items=(item,))  # fmt: skip
    doc = converted_document(account, rp_id="example.com", app="Test")
    out, report = adapters.write(doc, "firefox-csv")
    (header, row) = _rows(out)
    cells = dict(zip(header, row, strict=True))
    assert cells["url"] == "https://bank.example/login" and cells["password"] == SECRET
    assert (
        cells["guid"].startswith("{") and cells["guid"].endswith("}") and len(cells["guid"]) == 38
    )
    assert cells["timeCreated"] == "1700000000000" and cells["timePasswordChanged"] == ""
    assert _rows(adapters.write(doc, "firefox-csv")[0]) == _rows(out)  # the guid is stable
    notes = {r.credential_type: r for r in report.credentials if r.stage == "write"}
    assert notes["note"].outcome == "not-carried"
    back, _ = adapters.read(out, "back.csv", source_format="firefox-csv")
    (again,) = (i for _, i in back.items())
    assert again.credentials == item.credentials[:1] and again.scope == item.scope
    assert again.creation_at == item.creation_at


def test_written_file_reads_in_pass_import(tmp_path: Path) -> None:
    firefox = pytest.importorskip("pass_import.managers.firefox")
    doc, _ = adapters.read(_csv(ROWS), "logins.csv")
    path = tmp_path / "written.csv"
    path.write_bytes(adapters.write(doc, "firefox-csv")[0])
    with firefox.Firefox(str(path)) as importer:
        importer.parse()
        rows = importer.data
    assert [(r["title"], r["login"], r["password"], r["httpRealm"], r["guid"]) for r in rows] == [
        ("https://mail.example", "alice", SECRET, "", GUID),
        ("https://intranet.example", "bob", "pw-2", "Staff only", ROWS[1][5]),
    ]


def test_title_is_the_host() -> None:
    assert _title("https://a.example:8443/x") == "a.example"
    assert _title("mastodon.social") == "mastodon.social"
    assert _title("http://[::1") == "http://[::1"  # not a URL: as it is


@pytest.mark.shared
@pytest.mark.parametrize(("sample", "key"), [("firefox.csv", "firefox-csv"),
                                             ("ff-password-exporter.csv",
                                              "firefox-password-exporter-csv")])  # fmt: skip
def test_samples_read_to_the_pass_import_reference(sample: str, key: str) -> None:
    # tests.yml: Firefox / FirefoxPasswordExporter, main.yml without group, comments and url
    path = shared_path("exports", "firefox", "pass-import", sample)
    refs = shared_path("exports", "pass-import-references", "main.yml")
    without = ("group", "comments", "url")
    expected = [
        {k: v for k, v in e.items() if k not in without}
        for e in _yaml_entries(Path(refs).read_text(encoding="utf-8"))
    ]
    doc, report = adapters.read(Path(path).read_bytes(), sample)
    assert report.source_format == key and not report.items_skipped
    got = [{k: v for k, v in e.items() if k not in without} for e in _project(doc)]
    assert len(got) == len(expected)
    for ref, entry in zip(expected, got, strict=True):
        ref = {**ref, "title": _title(ref["title"])}  # pass-import titles a login by its URL
        assert set(entry) == set(ref), ref["title"]
        assert all(_same(k, entry[k], v) for k, v in ref.items()), ref["title"]
    assert report.field_counts()["not-carried"] == 0


def _sources() -> list[bytes]:
    found = [p.read_bytes() for p in shared_files("exports/firefox/pass-import", "*.csv")]
    return [*found, _csv(ROWS)]


@pytest.mark.parametrize("index", range(3))
def test_mutations_raise_only_cxkit_errors(index: int) -> None:
    sources = _sources()
    if index >= len(sources):
        pytest.skip("../shared is absent")
    reader = FirefoxCsvAdapter()
    for data in _mutants(sources[index], random.Random(2000 + index), 150):
        report = adapters.MigrationReport()
        try:
            doc = reader.read(make_sample(data, "m.csv"), adapters.ReadOptions(), report)
        except CxkitError as exc:
            assert exc.message and SECRET not in str(exc)
            continue
        assert report.items_read == len(list(doc.items()))
        assert SECRET not in json.dumps(report.to_json())
