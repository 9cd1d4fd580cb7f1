"""The CSV kit's lean paths (issue 12, fourth pass) against the general ones: a browser-shaped
file read by ``lean_rows`` gives the same document and the same report as the item builder
gives row by row; the report's pending records (``add_item`` / ``add_made``) behave as the
records they stand for, whatever is recorded or looked at in between."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.base import ReadOptions
from cxkit.adapters.chrome import ChromeCsvAdapter
from cxkit.adapters.detection import make_sample
from cxkit.adapters.keepass.csv_export import (
    KEEPASS1_COLUMNS,
    KEEPASSXC_COLUMNS,
    KeePassCsvAdapter,
    KeePassXCCsvAdapter,
)
from cxkit.adapters.kit import tabular
from cxkit.adapters.kit.builder import ItemBuilder, VaultBuilder
from cxkit.adapters.report import (
    CredentialRecord,
    Disposition,
    FieldRecord,
    MigrationReport,
    Outcome,
)
from cxkit.cxf import model as m


class _GeneralChrome(ChromeCsvAdapter):
    """Chrome's reader with a row hook that does nothing: every row goes through the builder."""

    def row_hook(
        self, header: list[str]
    ) -> Callable[[ItemBuilder, list[str], VaultBuilder], None] | None:
        def hook(b: ItemBuilder, cells: list[str], vault: VaultBuilder) -> None:
            return None

        return hook


def _read(adapter: ChromeCsvAdapter, data: bytes) -> tuple[Any, MigrationReport]:
    report = MigrationReport()
    doc = adapter.read(make_sample(data, "Chrome.csv"), ReadOptions(), report)
    return doc, report


def _same(data: bytes) -> None:
    lean_doc, lean = _read(ChromeCsvAdapter(), data)
    doc, report = _read(_GeneralChrome(), data)
    encoded = [json.loads(d.encode()) for d in (lean_doc, doc)]
    for top in encoded:
        top.pop("timestamp")
    assert encoded[0] == encoded[1]
    assert lean.items_read == report.items_read
    assert list(lean.fields) == list(report.fields)
    assert list(lean.credentials) == list(report.credentials)
    assert lean.to_json() == report.to_json()
    assert lean.render(limit=1000) == report.render(limit=1000)


_cell = st.sampled_from(["", " ", "a", "x y", "=1+1", "line\nline", "é", "android", "Alice"])
_url = st.sampled_from([
    "", "https://example.com/login", " https://a.example/", "android://AAAA@com.example.app/",
    "Android://x@y/", "android:not-an-app", "ftp://x", "a", " ",
])  # fmt: skip
_row = st.tuples(_cell, _url, _cell, _cell, _cell)
_layouts = st.sampled_from([
    ("name", "url", "username", "password", "note"),
    ("url", "note", "password", "name", "username"),
    ("name", "url", "username", "password"),
])  # fmt: skip


def _csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        cells = dict(zip(("name", "url", "username", "password", "note"), row, strict=True))
        writer.writerow([cells[c] for c in header])
    return out.getvalue().encode()


@settings(max_examples=150, deadline=None)
@given(header=_layouts, rows=st.lists(_row, min_size=1, max_size=12))
def test_lean_rows_give_the_builders_document_and_report(
    header: tuple[str, ...], rows: list[tuple[str, ...]]
) -> None:
    _same(_csv(header, rows))


def test_the_lean_path_is_taken_for_a_browser_file_only() -> None:
    rows = [("a", "https://a.example", "u", "p", "n"), ("b", "android://x@com.app/", "u", "", "")]
    data = _csv(("name", "url", "username", "password", "note"), rows)
    taken: list[bool] = []
    original = ChromeCsvAdapter.lean_row

    def spy(self: ChromeCsvAdapter, *args: Any) -> Any:
        row = original(self, *args)
        if row is None:
            return None
        return lambda *row_args: taken.append(row(*row_args)) or taken[-1]

    ChromeCsvAdapter.lean_row = spy  # type: ignore[method-assign]
    try:
        _read(ChromeCsvAdapter(), data)
        assert taken == [True, False]  # an Android app URL goes to the builder
        _read(_GeneralChrome(), data)  # a row hook: the builder's path for every row
        assert taken == [True, False]
    finally:
        ChromeCsvAdapter.lean_row = original  # type: ignore[method-assign]


def _step(index: int, column: str, kind: int, target: object = None) -> tuple[Any, ...]:
    spec = tabular.Column(target or tabular.TITLE)  # type: ignore[arg-type]
    return (index, column, kind, None, spec)


def test_lean_row_refuses_what_it_does_not_make() -> None:
    vault = VaultBuilder(MigrationReport(), key="k", rp_id="r", app="a")
    title = _step(0, "name", tabular._TITLE)
    url = _step(1, "url", tabular._URL, tabular.URL)
    totp = _step(2, "totp", tabular._OTHER, tabular.TOTP)
    assert tabular.lean_row(([title, url], [totp]), vault, apps=True) is not None  # type: ignore[arg-type]
    parsed = (0, "name", tabular._TITLE, str.strip, tabular.Column(tabular.TITLE))
    assert tabular.lean_row(([parsed], []), vault, apps=True) is None  # type: ignore[arg-type]
    two_urls = ([title, url, _step(3, "url2", tabular._URL, tabular.URL)], [])
    assert tabular.lean_row(two_urls, vault, apps=True) is None  # type: ignore[arg-type]
    folder = ([title], [_step(1, "folder", tabular._OTHER, tabular.FOLDER)])
    assert tabular.lean_row(folder, vault, apps=True) is None  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- KeePass CSV


class _GeneralKeePassXC(KeePassXCCsvAdapter):
    def lean_row(self, *args: Any) -> None:
        return None


class _GeneralKeePass1(KeePassCsvAdapter):
    def lean_row(self, *args: Any) -> None:
        return None


_SECRET = "JBSWY3DPEHPK3PXP"
_xc_row = st.fixed_dictionaries(
    {
        "Group": st.sampled_from(["Root", "Root/Mail", "Root/Mail/Work", "", "/", "Root//x", " "]),
        "Title": _cell,
        "Username": _cell,
        "Password": _cell,
        "URL": _url,
        "Notes": _cell,
        "TOTP": st.sampled_from([
            "", " ", _SECRET, f"otpauth://totp/I:u?secret={_SECRET}&issuer=I",
            f"otpauth://totp/S:u?secret={_SECRET}&encoder=steam", "not base32!",
        ]),
        "Icon": st.sampled_from(["", "0", "1", "68", " 12", "x", " ", "1000"]),
        "Last Modified": st.sampled_from(["", "2024-02-01T03:04:05Z", "yesterday", "1700000000"]),
        "Created": st.sampled_from(["", "2023-01-01T03:04:05Z", "2023-13-01T00:00:00Z"]),
    }
)  # fmt: skip
_xc_layouts = st.sampled_from([KEEPASSXC_COLUMNS, KEEPASSXC_COLUMNS[:6]])


def _keepass_csv(header: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[c] for c in header])
    return out.getvalue().encode()


def _same_docs(lean: tuple[Any, MigrationReport], general: tuple[Any, MigrationReport]) -> None:
    encoded = [json.loads(d.encode()) for d in (lean[0], general[0])]
    for top in encoded:
        top.pop("timestamp")
    assert encoded[0] == encoded[1]
    assert list(lean[1].fields) == list(general[1].fields)
    assert list(lean[1].credentials) == list(general[1].credentials)
    assert lean[1].warnings == general[1].warnings
    assert lean[1].to_json() == general[1].to_json()
    assert lean[1].render(limit=1000) == general[1].render(limit=1000)


def _read_with(adapter: Any, data: bytes, name: str) -> tuple[Any, MigrationReport]:
    report = MigrationReport()
    doc = adapter.read(make_sample(data, name), ReadOptions(), report)
    return doc, report


@settings(max_examples=120, deadline=None)
@given(header=_xc_layouts, rows=st.lists(_xc_row, min_size=1, max_size=10))
def test_keepassxc_lean_rows_give_the_builders_document_and_report(
    header: tuple[str, ...], rows: list[dict[str, str]]
) -> None:
    data = _keepass_csv(header, rows)
    _same_docs(_read_with(KeePassXCCsvAdapter(), data, "kp.csv"),
               _read_with(_GeneralKeePassXC(), data, "kp.csv"))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_cell, _cell, _cell, _url, _cell), min_size=1, max_size=8))
def test_keepass1_lean_rows_give_the_builders_document_and_report(
    rows: list[tuple[str, ...]],
) -> None:
    data = _keepass_csv(
        KEEPASS1_COLUMNS, [dict(zip(KEEPASS1_COLUMNS, row, strict=True)) for row in rows]
    )
    _same_docs(_read_with(KeePassCsvAdapter(), data, "kp1.csv"),
               _read_with(_GeneralKeePass1(), data, "kp1.csv"))  # fmt: skip


# ----------------------------------------------------------------------------- pending records

_text = st.sampled_from(["", "a", "b:c", "title"])
_disp = st.sampled_from(list(Disposition))
_short = st.tuples(_text, _disp, _text, _text)
_whole = st.tuples(_text, _text, _text, _disp, _text, _text)
_field_ops = st.lists(
    st.one_of(
        st.tuples(st.just("item"), _text, _text, st.lists(_short, max_size=4)),
        st.tuples(st.just("add"), _text, _text, _disp),
        st.tuples(st.just("rows"), st.lists(_whole, max_size=3)),
        st.tuples(st.just("look"), st.integers(-5, 5)),
        st.tuples(st.just("count")),
        st.tuples(st.just("insert"), st.integers(-3, 3), _text),
    ),
    max_size=20,
)


def _expand(prefix: str, item: str, rec: tuple[Any, ...]) -> FieldRecord:
    if len(rec) == 4:
        return FieldRecord(prefix + rec[0], item, rec[1], rec[2], rec[3])
    return FieldRecord(rec[0] + rec[1], rec[2], rec[3], rec[4], rec[5])


def test_merged_records_keep_their_path_and_follow_a_new_title() -> None:
    report = MigrationReport()
    b = ItemBuilder(report, "f:1:", "id1", "Old")
    b.rec("a", Disposition.MEMBER, "x")
    sub = ItemBuilder(report, "f:2:", "id2", "Sub")
    sub.rec("b", Disposition.MEMBER, "y")
    b.merge(sub)
    b.rec("c", Disposition.EXTENSION, "z")
    b.title = "New"
    b.finish()
    assert list(report.fields) == [
        FieldRecord("f:1:a", "New", Disposition.MEMBER, "x"),
        FieldRecord("f:2:b", "New", Disposition.MEMBER, "y"),
        FieldRecord("f:1:c", "New", Disposition.EXTENSION, "z"),
    ]
    kept = ItemBuilder(report, "f:3:", "id3", "Kept")
    other = ItemBuilder(report, "f:4:", "id4", "Other")
    other.rec("d", Disposition.MEMBER, "w")
    kept.merge(other)
    kept.fail("broken")
    assert list(report.fields)[-1] == FieldRecord("f:4:d", "Other", Disposition.NOT_CARRIED,
                                                  "", "item skipped")  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(ops=_field_ops)
def test_pending_field_records_are_the_records_they_stand_for(ops: list[tuple[Any, ...]]) -> None:
    report = MigrationReport()
    fields = report.field_records()
    model: list[FieldRecord] = []
    for op in ops:
        if op[0] == "item":
            _, prefix, item, recs = op
            fields.add_item(prefix, item, recs)
            model.extend(_expand(prefix, item, r) for r in recs)
        elif op[0] == "add":
            fields.add(op[1], op[2], op[3])
            model.append(FieldRecord(op[1], op[2], op[3]))
        elif op[0] == "rows":
            fields.add_rows(op[1])
            model.extend(_expand("", "", r) for r in op[1])
        elif op[0] == "look":
            if -len(model) <= op[1] < len(model):
                assert fields[op[1]] == model[op[1]]
        elif op[0] == "count":
            assert fields.counts() == {
                d: sum(r.disposition is d for r in model) for d in Disposition
            }
            assert fields.of(Disposition.MEMBER) == [
                r for r in model if r.disposition is Disposition.MEMBER
            ]
        else:
            record = FieldRecord(op[2], "x", Disposition.EXTENSION)
            fields.insert(op[1], record)
            model.insert(op[1], record)
        assert len(fields) == len(model)
    assert list(fields) == model
    assert fields.paths() == [r.path for r in model]
    assert report.field_counts() == {str(d): n for d, n in fields.counts().items()}


_creds = st.lists(
    st.tuples(
        st.sampled_from([m.Note(content=m.EditableField(field_type="string", value="n")),
                         m.UnknownCredential(credential_type="x-future", members={})]),
        st.sampled_from(list(Outcome)),
        _text,
    ),
    max_size=3,
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    ops=st.lists(
        st.one_of(
            st.tuples(st.just("made"), _text, _text, _creds),
            st.tuples(st.just("add"), _text),
            st.tuples(st.just("look"), st.integers(-4, 4)),
        ),
        max_size=12,
    )
)
def test_pending_credential_records_are_the_records_they_stand_for(
    ops: list[tuple[Any, ...]],
) -> None:
    report = MigrationReport()
    records = report.credential_records()
    model: list[CredentialRecord] = []
    for op in ops:
        if op[0] == "made":
            _, item, item_id, creds = op
            records.add_made("read", item, item_id, [c for c, _, _ in creds],
                             [(o, n) for _, o, n in creds])  # fmt: skip
            for index, (credential, outcome, note) in enumerate(creds):
                ctype = "note" if isinstance(credential, m.Note) else "x-future"
                model.append(CredentialRecord("read", ctype, item, outcome, note, (item_id, index)))
        elif op[0] == "add":
            report.add_credential("write", "totp", op[1], Outcome.CARRIED)
            model.append(CredentialRecord("write", "totp", op[1], Outcome.CARRIED))
        elif -len(model) <= op[1] < len(model):
            assert records[op[1]] == model[op[1]]
        assert len(records) == len(model)
    assert list(records) == model
    assert report.credential_summary() == MigrationReport(credentials=model).credential_summary()


class _ChromeWithTotp(ChromeCsvAdapter):
    """A browser-shaped reader with a TOTP and a created column whose TOTP parser raises."""

    columns: ClassVar[Mapping[str, tabular.Target | tabular.Column]] = {
        **ChromeCsvAdapter.columns, "totp": tabular.TOTP, "created": tabular.CREATED
    }  # fmt: skip

    @property
    def headers(self) -> tuple[frozenset[str], ...]:
        return ()

    def totp_parser(self, text: str) -> tuple[m.Totp | None, str]:
        if text == "boom":
            raise ValueError("a parser's own error")
        return super().totp_parser(text)


class _GeneralChromeWithTotp(_ChromeWithTotp):
    def lean_row(self, *args: Any) -> None:
        return None


def test_a_parser_that_raises_fails_the_row_as_the_builder_does() -> None:
    header = ("name", "url", "username", "password", "note", "totp", "created")
    rows = [
        ("a", "https://a.example", "u", "p", "", "JBSWY3DPEHPK3PXP", "2024-01-02T03:04:05Z"),
        ("b", "https://b.example", "u", "p", "", "boom", ""),
        ("c", "", "u", "", "n", "", "not a date"),
    ]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    data = out.getvalue().encode()
    lean = _read_with(_ChromeWithTotp(), data, "t.csv")
    general = _read_with(_GeneralChromeWithTotp(), data, "t.csv")
    _same_docs(lean, general)
    assert lean[1].items_skipped == general[1].items_skipped != []
