"""The fast paths of the CSV readers (issue 12): ``read_csv``'s cell lists against a plain
dict-per-row reading, ids without UUID objects against :mod:`uuid`, the compact credential
records, and report rows made before an item's title changed."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.kit.builder import (
    NAMESPACE,
    ItemBuilder,
    Val,
    encode_id,
    fast_val,
    stable_id,
    stable_ids,
    uuid5_bytes,
    uuid5_ids,
)
from cxkit.adapters.kit.input import CsvTable, read_csv
from cxkit.adapters.report import (
    CredentialRecord,
    CredentialRecords,
    Disposition,
    MigrationReport,
    Outcome,
)
from cxkit.cxf import b64
from cxkit.errors import AdapterError

# ----------------------------------------------------------------------------- read_csv


def _reference(text: str, allow_extra: bool, allow_short: bool) -> list[tuple[int, dict[str, str]]]:
    """What read_csv gives, written the plain way: a dict per row, the row's first line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    start = 1
    for raw in reader:
        row_start, start = start, reader.line_num + 1
        if not raw or all(not c.strip() for c in raw):
            continue
        if header is None:
            header = [c.strip() for c in raw]
            continue
        if allow_extra and len(raw) > len(header):
            extra = {f"column {n + 1}": v for n, v in enumerate(raw) if n >= len(header)}
            rows.append((row_start, dict(zip(header, raw, strict=False)) | extra))
            continue
        if allow_short and len(raw) < len(header):
            raw = raw + [""] * (len(header) - len(raw))
        if len(raw) != len(header):
            raise AdapterError("columns", location=f":{row_start}")
        rows.append((row_start, dict(zip(header, raw, strict=True))))
    return rows


_CELL = st.one_of(
    st.sampled_from(["", " ", "  \t", "x", "a,b", 'say "hi"', "two\nlines", "\r\n", "é€"]),
    st.text(alphabet='ab ,"\n\r\t', max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=5), min_size=0, max_size=8),
    allow_extra=st.booleans(),
    allow_short=st.booleans(),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_read_csv_rows_match_a_dict_per_row_reading(
    rows: list[list[str]], allow_extra: bool, allow_short: bool, terminator: str
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=terminator)
    writer.writerow(["name", "password", "url"])
    for row in rows:
        writer.writerow(row)
    text = out.getvalue()
    try:
        expected = _reference(text, allow_extra, allow_short)
    except AdapterError as exc:
        with pytest.raises(AdapterError) as info:
            read_csv(text.encode(), allow_extra=allow_extra, allow_short=allow_short)
        assert info.value.location == exc.location
        return
    table = read_csv(text.encode(), allow_extra=allow_extra, allow_short=allow_short)
    assert table.rows == expected
    assert list(table) == expected
    # the cell lists and the column names give the same rows
    assert [
        (number, {table.column(i): cell for i, cell in enumerate(cells)})
        for number, cells in table.lines
    ] == expected


def test_csv_table_lines_and_column_names() -> None:
    table = read_csv(b'a,b\r\n\r\n1,2,3\r\n , \r\n4,"5\n6"\r\n7,8\r\n', allow_extra=True)
    assert table.header == ["a", "b"]
    assert table.lines == [(3, ["1", "2", "3"]), (5, ["4", "5\n6"]), (7, ["7", "8"])]
    assert [table.column(i) for i in range(4)] == ["a", "b", "column 3", "column 4"]
    assert table.rows[0] == (3, {"a": "1", "b": "2", "column 3": "3"})
    # a table made from dicts (as before) still reads
    assert CsvTable(["a"], [(2, {"a": "x"})]).rows == [(2, {"a": "x"})]


# ----------------------------------------------------------------------------- ids


@given(namespace=st.binary(min_size=16, max_size=16), name=st.text(max_size=40))
def test_uuid5_bytes_is_uuid5(namespace: bytes, name: str) -> None:
    assert uuid5_bytes(namespace, name) == uuid.uuid5(uuid.UUID(bytes=namespace), name).bytes


@given(raw=st.binary(max_size=40))
def test_encode_id_is_base64url(raw: bytes) -> None:
    assert encode_id(raw) == b64.encode(raw)


@given(row=st.integers(min_value=0, max_value=10**9), name=st.text(max_size=20))
def test_stable_ids_are_stable_id_of_the_row(row: int, name: str) -> None:
    make = stable_ids("bitwarden-csv", name)
    assert make(row) == stable_id("bitwarden-csv", name, str(row))
    assert make(row) == b64.encode(uuid.uuid5(NAMESPACE, f"bitwarden-csv\x1f{name}\x1f{row}").bytes)


def test_fast_val_is_a_val() -> None:
    v = fast_val(("text", "column"))
    assert type(v) is Val and v == Val("text", "column") and (v.text, v.at) == ("text", "column")


# ----------------------------------------------------------------------------- records


def test_credential_records_behave_as_a_list() -> None:
    report = MigrationReport()
    report.add_credential("read", "note", "A", Outcome.CARRIED)
    report.add_credentials("read", "B", "id-b", [("basic-auth", Outcome.TRANSFORMED, "why")])
    first = CredentialRecord("read", "note", "A", Outcome.CARRIED, "", None)
    second = CredentialRecord("read", "basic-auth", "B", Outcome.TRANSFORMED, "why", ("id-b", 0))
    assert report.credentials == [first, second]
    assert report.credentials[-1] == second and report.credentials[:1] == [first]
    assert [r.key for r in report.credentials] == [None, ("id-b", 0)]
    other = MigrationReport()
    other.credentials.extend(report.credentials)
    assert other.credentials == report.credentials
    del other.credentials[0]
    assert list(other.credentials) == [second]
    with pytest.raises(TypeError):
        other.credentials.append(("read",))  # type: ignore[arg-type]
    # a plain list assigned by a caller is taken over
    taken = MigrationReport(credentials=[first])  # type: ignore[arg-type]
    taken.add_credential("write", "note", "A", Outcome.NOT_CARRIED, "no place")
    assert isinstance(taken.credentials, CredentialRecords) and len(taken.credentials) == 2
    assert taken.credential_summary()["note"]["not_carried"] == 1


def test_records_made_before_the_title_changed_name_the_final_title() -> None:
    report = MigrationReport()
    b = ItemBuilder(report, "f.csv:2:", item_id=stable_id("t", "f.csv", "2"), title="old")
    b.rec("first", Disposition.MEMBER, "x")
    b.set_title(Val("new", "name"))
    b.note(Val("text", "notes"))
    assert b.finish() is not None
    assert {r.item for r in report.fields} == {"new"}
    assert [r.path for r in report.fields] == ["f.csv:2:first", "f.csv:2:name", "f.csv:2:notes"]
    assert [r.item for r in report.credentials] == ["new"]
    # assigned directly, as a reader may
    b = ItemBuilder(report, "f.csv:3:", item_id=stable_id("t", "f.csv", "3"), title="A")
    b.note(Val("text", "notes"))
    b.title = "B"
    b.fail("cannot be read")
    assert report.fields[-1].item == "B" and report.items_skipped[-1] == ("B", "cannot be read")


def test_finish_refuses_credentials_without_outcomes() -> None:
    b = ItemBuilder(MigrationReport(), "f.csv:2:", item_id=stable_id("t", "f.csv", "2"))
    b.credentials.append(object())
    with pytest.raises(ValueError, match="outcome"):
        b.finish()


# ----------------------------------------------------------------------------- the lean row path


@given(
    names=st.lists(
        st.one_of(st.integers(min_value=0, max_value=10**12), st.text(max_size=12)), max_size=40
    ),
    file=st.text(max_size=12),
)
def test_many_ids_are_the_ids_one_by_one(names: list[object], file: str) -> None:
    make = stable_ids("keepassxc-csv", file)
    assert make.many(names) == [make(name) for name in names]
    raw = uuid5_ids(NAMESPACE.bytes, f"{file}:")
    assert raw.many(names) == [
        encode_id(uuid5_bytes(NAMESPACE.bytes, f"{file}:{n}")) for n in names
    ]


_URL = st.one_of(
    st.sampled_from(["", "https://a.example/", "android://AAAA@com.example.app/",
                     " android://@org.x/", "ANDROID://h@p", "a", " ", "ftp://x"]),
    st.text(alphabet="aA:/@ .x", max_size=12),
)  # fmt: skip


def _built(report: MigrationReport, b: ItemBuilder) -> tuple[object, list[object]]:
    item = b.finish()
    return item, list(report.fields)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(_URL, max_size=4),
    apps=st.booleans(),
    before=st.lists(_URL, max_size=2),
    title=st.text(max_size=4),
)
def test_url_texts_are_urls_of_vals(
    texts: list[str], apps: bool, before: list[str], title: str
) -> None:
    """The lean path (texts of one column) gives the scope and records the Val path gives —
    android apps, a scope made before by another column, empty texts."""
    out = []
    for lean in (False, True):
        report = MigrationReport()
        b = ItemBuilder(report, "f.csv:2:", "AAAAAAAAAAAAAAAAAAAAAA", title)
        b.urls([Val(t, "first") for t in before], apps=apps)
        if lean:
            b.url_texts(texts, "url", apps=apps)
        else:
            b.urls([Val(t, "url") for t in texts], apps=apps)
        out.append(_built(report, b))
    assert out[0] == out[1]


@settings(max_examples=200, deadline=None)
@given(
    username=st.text(max_size=3), password=st.text(max_size=3), title=st.text(max_size=3),
    first=st.text(max_size=3),
)  # fmt: skip
def test_text_methods_are_the_val_methods(
    username: str, password: str, title: str, first: str
) -> None:
    """login_text / title_text / note_text give what login / set_title / note give (records
    made before a title change name the final title in both)."""
    out = []
    for lean in (False, True):
        report = MigrationReport()
        b = ItemBuilder(report, "f.csv:2:", "AAAAAAAAAAAAAAAAAAAAAA", first)
        b.rec("before", Disposition.MEMBER, "x")
        if lean:
            b.login_text(username, password, "user", "pass")
            b.title_text(title, "name")
            b.note_text(password, "notes")
        else:
            b.login(Val(username, "user"), Val(password, "pass"))
            b.set_title(Val(title, "name"))
            b.note(Val(password, "notes"))
        out.append((*_built(report, b), list(report.credentials)))
    assert out[0] == out[1]
