"""Any CSV with a column map (``--from csv --map``): a given map, a guessed map, a map naming a
missing column, quotes / newlines / BOM / semicolons / tabs / extra cells, the CLI, and a
mutation fuzz of the reader."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import ReadOptions
from cxkit.adapters.genericcsv import CsvMapOptions, guess_map, parse_map
from cxkit.adapters.kit.tabular import NOTE, PASSWORD, TITLE, URL, USERNAME
from cxkit.cli.main import main
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError
from shared_evidence import shared_path

SECRET = "Tr0ub4dor&3-secret"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def _read(data: bytes, mapping: str = "", name: str = "export.csv") -> tuple[Any, Any]:
    options = ReadOptions()
    options.set(CsvMapOptions(map=mapping))
    return adapters.read(data, name, source_format="csv", options=options)


def _items(doc: cxf.Document) -> list[dict[str, Any]]:
    out = []
    for _, item in doc.items():
        found: dict[str, Any] = {"title": item.title, "urls": list(item.scope.urls) if item.scope
                                 else [], "tags": list(item.tags)}  # fmt: skip
        for cred in item.credentials:
            if isinstance(cred, m.BasicAuth):
                found["username"] = cred.username.value if cred.username else None
                found["password"] = cred.password.value if cred.password else None
            elif isinstance(cred, m.Note):
                found["note"] = cred.content.value
            elif isinstance(cred, m.Totp):
                found["totp"] = cred.secret
            elif isinstance(cred, m.CustomFields):
                found["custom"] = {f.label: f.value for f in cred.fields}
        out.append(found)
    return out


def _folders(doc: cxf.Document) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for account in doc.accounts:
        for c in account.collections:
            found[c.title] = [link.item for link in c.items]
    return found


CSV = (
    "Name,Login,Web Site,Password,Comments,OTP,Group,Extra\r\n"
    f'Mail,alice,https://mail.example,"{SECRET}","line 1\nline 2, with comma",{TOTP_SECRET},'
    "Work,kept\r\n"
    'Bank,"bob ""the builder""",https://bank.example,pw2,,,,\r\n'
).encode()
MAP = "title=Name,username=Login,url=Web Site,password=Password,notes=Comments,totp=OTP"


def test_a_given_map() -> None:
    doc, report = _read(CSV, MAP + ",folder=Group")
    items = _items(doc)
    assert items[0] == {"title": "Mail", "username": "alice", "password": SECRET,
                        "urls": ["https://mail.example"], "note": "line 1\nline 2, with comma",
                        "totp": TOTP_SECRET, "tags": [], "custom": {"Extra": "kept"}}  # fmt: skip
    assert items[1]["username"] == 'bob "the builder"' and items[1]["password"] == "pw2"
    assert list(_folders(doc)) == ["Work"]
    assert report.warnings[0].startswith("column map (as given): title=Name, username=Login")
    assert "kept as custom fields: Extra" in report.warnings[0]
    paths = {f.path for f in report.fields}
    assert "export.csv:2:Extra" in paths and "export.csv:2:OTP" in paths
    assert SECRET not in report.render()


def test_a_guessed_map_is_shown() -> None:
    doc, report = _read(CSV)
    items = _items(doc)
    assert items[0]["username"] == "alice" and items[0]["password"] == SECRET
    assert items[0]["urls"] == ["https://mail.example"] and items[0]["totp"] == TOTP_SECRET
    assert list(_folders(doc)) == ["Work"]
    assert report.warnings[0].startswith("column map guessed from the header")
    for pair in ("title=Name", "username=Login", "url=Web Site", "password=Password",
                 "notes=Comments", "totp=OTP", "folder=Group"):  # fmt: skip
        assert pair in report.warnings[0]


def test_guess_map_words() -> None:
    header = ["Account", "E-mail", "Pwd", "URL", "Login URL", "Notes", "Tags", "Created At",
              "Last Modified", "Favourite", "Whatever"]  # fmt: skip
    guessed = {c: t for t, c in guess_map(header)}
    assert guessed["Account"] is TITLE and guessed["E-mail"] is USERNAME
    assert guessed["Pwd"] is PASSWORD and guessed["URL"] is URL and guessed["Login URL"] is URL
    assert guessed["Notes"] is NOTE and "Whatever" not in guessed
    assert len(guess_map(["a", "b"])) == 0


def test_times_tags_favorite_and_several_urls() -> None:
    data = (
        b"title;username;password;url;url2;tags;created;modified;fav\n"
        b"A;u;p;https://a.example;https://b.example;x,y;2021-03-04T05:06:07Z;1700000000;yes\n"
    )
    doc, _ = _read(data, "title=title,username=username,password=password,url=url,url=url2,"
                         "tags=tags,created=created,modified=modified,favorite=fav")  # fmt: skip
    item = next(i for _, i in doc.items())
    assert list(item.scope.urls) == ["https://a.example", "https://b.example"]  # type: ignore[union-attr]
    assert item.tags == ("x", "y") and item.favorite is True
    assert item.creation_at == 1614834367 and item.modified_at == 1700000000


def test_bom_tabs_and_extra_cells() -> None:
    data = "\ufeffname\tpassword\nA\tp1\tsurplus\n".encode()
    doc, _report = _read(data)
    items = _items(doc)
    assert items[0]["title"] == "A" and items[0]["password"] == "p1"
    assert items[0]["custom"] == {"column 3": "surplus"}
    data = "name;password\nA;p;1\n".encode("utf-16")
    assert _items(_read(data)[0])[0]["custom"] == {"column 3": "1"}


def test_blank_and_repeated_column_names() -> None:
    data = b"name,password,,url,url,\r\nA,p,x,https://a.example,https://b.example,y\r\nB,q,,,,\r\n"
    doc, report = _read(data, "title=name,password=password,url=url,url=url (2)")
    items = _items(doc)
    assert items[0]["urls"] == ["https://a.example", "https://b.example"]
    assert items[0]["custom"] == {"column 3": "x", "column 6": "y"}
    assert items[1]["password"] == "q"
    assert {f.path for f in report.fields} >= {"export.csv:2:column 3", "export.csv:3:password"}


def test_a_missing_column_lists_the_header() -> None:
    with pytest.raises(AdapterError) as caught:
        _read(CSV, "title=Name,password=Passwort")
    assert "'Passwort'" in caught.value.message
    assert "Name, Login, Web Site, Password" in (caught.value.hint or "")
    # a first row that may be data is never shown
    with pytest.raises(AdapterError) as caught:
        _read(f"x,{SECRET}\ny,z\n".encode(), "password=Password")
    assert SECRET not in str(caught.value) + (caught.value.hint or "")
    # a case-insensitive match is taken
    doc, _ = _read(CSV, "title=name,password=PASSWORD")
    assert _items(doc)[0]["password"] == SECRET


@pytest.mark.parametrize(
    "text",
    ["title", "title=", "color=Name", "title=Name,title=Login", "=Name"],
)
def test_a_map_that_cannot_be_read(text: str) -> None:
    with pytest.raises(AdapterError, match="column map"):
        parse_map(text)


def test_never_detected() -> None:
    sample = adapters.make_sample(CSV, "x.csv")
    assert adapters.get("csv").accepts(sample) == adapters.Confidence.NO


def test_pass_import_generic_csv_patterns() -> None:
    """pass-import's GenericCSV tests: 1password4.csv with title,comments,login,password,url and
    roboform.csv with title,url,login,password,comments,group (``formats/other-managers.md``)."""
    data = shared_path("exports", "onepassword", "pass-import", "1password4.csv").read_bytes()
    doc, _ = _read(data, "title=title,notes=notes,username=username,password=password,url=url")
    assert len(_items(doc)) == 14
    data = shared_path("exports", "roboform", "pass-import", "roboform.csv").read_bytes()
    doc, report = _read(
        data, "title=Name,url=Url,username=Login,password=Pwd,notes=Note,folder=Folder"
    )
    assert len(_items(doc)) >= 14 and not report.items_skipped
    assert {"Social", "Bank"} <= {t.strip("/").split("/")[0] for t in _folders(doc)}


def test_cli_map_and_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes(CSV)
    assert main(["convert", str(source), "--from", "csv", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "column map guessed from the header" in out and "2 read" in out and SECRET not in out
    assert not list(tmp_path.glob("*.json"))
    dest = tmp_path / "out.cxf.json"
    assert main(["convert", str(source), "--map", MAP, "-o", str(dest), "--plaintext", "-q"]) == 0
    doc = cxf.decode(dest.read_bytes())
    assert _items(doc)[0]["password"] == SECRET
    code = main(["convert", str(source), "--map", "title=Nom", "--dry-run"])
    assert code == 2 and "Nom" in capsys.readouterr().err
    code = main(["convert", str(source), "--from", "chrome-csv", "--map", MAP, "--dry-run"])
    assert code == 2 and "--map is for --from csv" in capsys.readouterr().err


@settings(max_examples=120, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["", MAP, "title=a,password=b"]))
def test_any_bytes_give_items_or_a_cxkit_error(data: bytes, mapping: str) -> None:
    with contextlib.suppress(CxkitError):
        _read(data, mapping)


def test_mutation_fuzz() -> None:
    rng = random.Random(7)
    for _ in range(200):
        data = bytearray(CSV)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.4:
                data[at] = rng.choice(b'",;\t\n\r\x00\xff\xfeA')
            elif choice < 0.7:
                del data[at : at + rng.randint(1, 8)]
            else:
                data[at:at] = rng.choice([b'"', b"\n", b",", b"\xef\xbb\xbf", b";;"])
        try:
            _doc, report = _read(bytes(data), rng.choice(["", MAP]))
        except CxkitError as exc:
            assert SECRET not in str(exc) + (exc.hint or "")
            continue
        assert SECRET not in report.render()
