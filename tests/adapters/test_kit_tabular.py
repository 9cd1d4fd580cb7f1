"""The declarative CSV reader base (``adapters/kit/tabular.py``): a reader that is only a
metadata block and a column map; input edge cases (BOM, UTF-16, multi-line cells, short and
long rows), errors with row numbers and never a value, every non-empty cell recorded, one bad
row never sinking the rest."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import ClassVar

import pytest

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions
from cxkit.adapters.detection import make_sample
from cxkit.adapters.kit.builder import ItemBuilder, VaultBuilder
from cxkit.adapters.kit.input import read_csv
from cxkit.adapters.kit.tabular import (
    CREATED,
    CUSTOM,
    FAVORITE,
    FOLDER,
    HOOK,
    IGNORE,
    MODIFIED,
    NOTE,
    PASSWORD,
    TAGS,
    TITLE,
    TOTP,
    TRASHED,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError

SECRET = "Tab-Secret-77Kq"
COLUMNS = ("title", "url", "url2", "login", "password", "otp", "notes", "folder", "fav",
           "tags", "created", "modified", "deleted", "pin", "colour", "kind")  # fmt: skip


class _Reader(CsvReader):
    info: ClassVar[AdapterInfo] = AdapterInfo(
        key="test-csv",
        app="Test",
        format="CSV",
        versions="1",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "totp", "note", "custom-fields"}),
        how_to_export="-",
        csv_header=frozenset(COLUMNS),
    )
    headers = (frozenset(COLUMNS), frozenset(("title", "password")))
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE, "url": URL, "url2": URL, "login": USERNAME, "password": PASSWORD,
        "otp": TOTP, "notes": NOTE, "folder": FOLDER, "fav": FAVORITE, "tags": TAGS,
        "created": CREATED, "modified": Column(MODIFIED, parse=lambda t: t.replace("/", "-")),
        "deleted": TRASHED, "pin": Column(CUSTOM, label="PIN", hidden=True),
        "kind": HOOK,
    }  # fmt: skip
    rp_id = "test.example"
    app = "Test"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        kind = cells.get("kind", "")
        if kind == "boom":
            raise AdapterError("the kind cannot be read")
        if kind == "huge":
            raise InputTooLargeError("too much")
        if kind:
            b.ext["kind"] = kind
            b.rec("kind", Disposition.EXTENSION, "extension.kind")


class _Short(_Reader):
    short_rows = True


def _csv(rows: list[tuple[str, ...]], header: tuple[str, ...] = COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


ROWS = [
    ("Mail", "https://mail.example", "https://alt.example", "alice", SECRET,
     "otpauth://totp/Mail:alice?secret=JBSWY3DPEHPK3PXP", "line 1\nline 2", "Work/Mail", "1",
     "a,b", "2024-01-02T03:04:05Z", "2024/02/02T03:04:05Z", "", "1234", "blue", "special"),
    ("Gone", "", "", "bob", "pw", "", "", "", "", "", "", "", "true", "", "", ""),
    ("Odd", "", "", "", "pw2", "not a totp secret!", "", "", "0", "", "", "", "0", "", "", ""),
]  # fmt: skip


def _read(data: bytes, reader: CsvReader | None = None, **options: object) -> tuple[cxf.Document, MigrationReport]:  # fmt: skip
    report = MigrationReport()
    doc = (reader or _Reader()).read(make_sample(data, "t.csv"), ReadOptions(**options), report)  # type: ignore[arg-type]
    return doc, report


def _non_empty(data: bytes) -> int:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return sum(1 for row in rows[1:] for cell in row if cell)


def test_rows_map_to_items_and_every_cell_is_recorded() -> None:
    data = _csv(ROWS)
    doc, report = _read(data)
    items = {i.title: i for _, i in doc.items()}
    assert set(items) == {"Mail", "Odd"}  # "Gone" is in the trash
    mail = items["Mail"]
    assert [cxf.credential_type(c) for c in mail.credentials] == [
        "basic-auth", "totp", "note", "custom-fields"]  # fmt: skip
    assert mail.scope is not None
    assert mail.scope.urls == ("https://mail.example", "https://alt.example")
    assert mail.favorite is True and mail.tags == ("a", "b")
    assert (mail.creation_at, mail.modified_at) == (1704164645, 1706843045)
    note = mail.credentials[2]
    assert isinstance(note, m.Note) and note.content.value == "line 1\nline 2"
    fields = mail.credentials[3]
    assert isinstance(fields, m.CustomFields)
    assert [(f.label, f.field_type) for f in fields.fields] == [
        ("PIN", "concealed-string"), ("colour", "string")]  # fmt: skip
    (account,) = doc.accounts
    assert [c.title for c in account.collections] == ["Work"]
    assert [c.title for c in account.collections[0].sub_collections] == ["Mail"]
    odd = items["Odd"]
    assert odd.favorite is False
    assert isinstance(odd.credentials[-1], m.CustomFields)  # the unreadable TOTP, kept
    # one record per non-empty cell
    assert len(report.fields) == _non_empty(data)
    paths = {r.path: r for r in report.fields}
    assert paths["t.csv:2:kind"].disposition == Disposition.EXTENSION
    assert paths["t.csv:2:colour"].disposition == Disposition.CUSTOM_FIELD
    assert paths["t.csv:4:deleted"].disposition == Disposition.NOT_CARRIED  # the trashed row
    assert report.items_skipped == [("Gone", "in the trash (--include-trashed reads it)")]
    assert SECRET not in json.dumps(report.to_json()) and SECRET not in report.render()
    cxf.decode(cxf.encode(doc))


def test_include_trashed_and_stable_ids() -> None:
    data = _csv(ROWS)
    doc, report = _read(data, include_trashed=True)
    assert {i.title for _, i in doc.items()} == {"Mail", "Gone", "Odd"}
    assert not report.items_skipped
    again, _ = _read(data, include_trashed=True)
    assert [i.id for _, i in doc.items()] == [i.id for _, i in again.items()]
    assert len({i.id for _, i in doc.items()}) == 3


def test_bom_utf16_crlf_and_blank_lines() -> None:
    data = _csv(ROWS[:1])
    base, _ = _read(data)
    want = [(i.title, len(i.credentials)) for _, i in base.items()]
    for variant in (b"\xef\xbb\xbf" + data, data.decode().encode("utf-16"),
                    data.replace(b"\r\n", b"\n") + b"\n\n"):  # fmt: skip
        doc, _ = _read(variant)
        assert [(i.title, len(i.credentials)) for _, i in doc.items()] == want


def test_smaller_header_set() -> None:
    doc, report = _read(b"password,title\r\n" + SECRET.encode() + b",Only\r\n")
    (item,) = (i for _, i in doc.items())
    assert item.title == "Only" and len(report.fields) == 2


def test_a_row_of_the_wrong_width_is_skipped_named_never_shown() -> None:
    """A row with more (or, unless declared, fewer) cells than the header is misaligned: it is
    skipped and reported by its row number, never its values; the other rows are read. The
    guarded parser alone still refuses it (the readers on it choose)."""
    data = _csv(ROWS[:1]) + f'x,,,,{SECRET},,,,,,,,,,,,"{SECRET}"\r\n'.encode()
    doc, report = _read(data)
    assert [i.title for _, i in doc.items()] == ["Mail"]
    ((where, why),) = report.items_skipped
    assert where == "row 4" and why.startswith("17 cells where the header has")
    assert SECRET not in json.dumps(report.to_json()) + report.render()
    with pytest.raises(AdapterError) as info:
        read_csv(data, name="t.csv")
    assert info.value.location == "t.csv:4"
    assert "17 columns" in info.value.message
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_short_rows_only_when_declared() -> None:
    data = b"title,password\r\nA," + SECRET.encode() + b"\r\nB\r\n"
    doc, report = _read(data)
    assert [i.title for _, i in doc.items()] == ["A"]
    assert report.items_skipped == [
        ("row 3", "1 cell where the header has 2: not read (a comma or quote out of place?)")
    ]
    doc, _ = _read(data, _Short())
    assert [i.title for _, i in doc.items()] == ["A", "B"]


def test_unexpected_header_is_refused_without_values() -> None:
    with pytest.raises(AdapterError) as info:
        _read(b"title,secret\r\nx," + SECRET.encode() + b"\r\n")
    assert "unexpected CSV columns" in info.value.message and SECRET not in str(info.value)


def test_a_bad_row_is_skipped_the_rest_read() -> None:
    rows = [ROWS[0], ("Bad", "", "", "u", SECRET, "", "", "", "", "", "", "", "", "", "", "boom")]
    doc, report = _read(_csv(rows))
    assert [i.title for _, i in doc.items()] == ["Mail"]
    # row numbers are the line a row starts on (the first row's note spans two lines)
    assert report.items_skipped == [("Bad", "row 4 cannot be read: the kind cannot be read")]
    bad = [r for r in report.fields if r.path.startswith("t.csv:4:")]
    assert len(bad) == 4 and all(r.disposition == Disposition.NOT_CARRIED for r in bad)
    with pytest.raises(InputTooLargeError):  # a limit stops the read
        _read(_csv([(*ROWS[0][:-1], "huge")]))


def test_ignore_and_accepts() -> None:
    class _Ignoring(_Reader):
        columns: ClassVar[Mapping[str, Target | Column]] = {
            "title": TITLE, "password": Column(IGNORE, why="a hash, not the password")}  # fmt: skip

    _, report = _read(b"title,password\r\nA,x\r\n", _Ignoring())
    assert {r.path: r.note for r in report.fields}["t.csv:2:password"] == "a hash, not the password"
    reader = _Reader()
    assert reader.accepts(make_sample(_csv(ROWS), "t.csv")) == Confidence.CERTAIN
    assert reader.accepts(make_sample(b"a,b\r\n1,2\r\n", "t.csv")) == Confidence.NO
    assert reader.accepts(make_sample(b'{"a": 1}', "t.json")) == Confidence.NO


def test_oversized_cell_is_refused() -> None:
    from cxkit.adapters.kit import input as kit_input

    with pytest.raises(CxkitError):
        kit_input.read_csv(b'title,password\r\nA,"' + b"x" * 2000 + b'"\r\n', name="t.csv",
                           max_cell=1000)  # fmt: skip


class _OneTag(_Reader):
    tag_separator = None
    columns: ClassVar[Mapping[str, Target | Column]] = {**_Reader.columns, "colour": CUSTOM}


def test_one_tag_per_cell_and_custom_label_is_the_column_name() -> None:
    # the targets beyond the login's are applied as the JSON and XML readers apply them
    # (TargetMap.apply_one); a CSV custom field is labelled by its column name as written
    doc, _ = _read(_csv(ROWS[:1]), _OneTag())
    ((_, mail),) = doc.items()
    assert mail.tags == ("a,b",)
    fields = mail.credentials[-1]
    assert isinstance(fields, m.CustomFields)
    assert [f.label for f in fields.fields] == ["PIN", "colour"]
