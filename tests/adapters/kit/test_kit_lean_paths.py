"""The CSV kit's lean paths (issue 12, fourth pass) against the general ones: a browser-shaped
file read by ``lean_rows`` gives the same document and the same report as the item builder
gives row by row; the report's pending records (``add_item`` / ``add_made``) behave as the
records they stand for, whatever is recorded or looked at in between."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.base import ReadOptions
from cxkit.adapters.chrome import ChromeCsvAdapter
from cxkit.adapters.detection import make_sample
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
    taken: list[object] = []
    original = tabular.lean_rows

    def spy(*args: Any, **kwargs: Any) -> None:
        taken.append(args[0])
        original(*args, **kwargs)

    data = _csv(("name", "url", "username", "password", "note"), [("a", "", "u", "p", "n")])
    tabular.lean_rows = spy  # type: ignore[assignment]
    try:
        _read(ChromeCsvAdapter(), data)
        assert len(taken) == 1
        _read(_GeneralChrome(), data)  # a row hook: the builder's path
        assert len(taken) == 1
    finally:
        tabular.lean_rows = original  # type: ignore[assignment]


def test_lean_plan_refuses_what_it_does_not_make() -> None:
    report = MigrationReport()
    vault = VaultBuilder(report, key="k", rp_id="r", app="a")
    title = (0, "name", tabular._TITLE, None, None)
    url = (1, "url", tabular._URL, None, None)
    assert tabular.lean_plan(([title, url], []), vault) is not None  # type: ignore[arg-type]
    parsed = (0, "name", tabular._TITLE, str.strip, None)
    assert tabular.lean_plan(([parsed], []), vault) is None  # type: ignore[arg-type]
    two_urls = ([title, url, (2, "url2", tabular._URL, None, None)], [])
    assert tabular.lean_plan(two_urls, vault) is None  # type: ignore[arg-type]
    other = ([title], [(1, "totp", tabular._OTHER, None, None)])
    assert tabular.lean_plan(other, vault) is None  # type: ignore[arg-type]
    vault.group_order = True
    assert tabular.lean_plan(([title], []), vault) is None  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- pending records

_text = st.sampled_from(["", "a", "b:c", "title"])
_disp = st.sampled_from(list(Disposition))
_short = st.tuples(_text, _disp, _text, _text)
_whole = st.tuples(_text, _text, _text, _disp, _text, _text)
_field_ops = st.lists(
    st.one_of(
        st.tuples(st.just("item"), _text, _text, st.lists(_short | _whole, max_size=4)),
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


@settings(max_examples=200, deadline=None)
@given(ops=_field_ops)
def test_pending_field_records_are_the_records_they_stand_for(ops: list[tuple[Any, ...]]) -> None:
    report = MigrationReport()
    fields = report._own_fields()
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
    records = report._own_credentials()
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
