"""Speed paths of the CSV readers (issue 12, second pass): the report's flat record storage
against a plain list, ``parse_time``'s fast path against the general ISO path, and the KeePass
CSV hook that reads each distinct ``Group``/``Icon`` cell once."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters
from cxkit.adapters import registry
from cxkit.adapters.kit.builder import encode_id, uuid5_bytes, uuid5_ids
from cxkit.adapters.kit.tabular import CsvReader
from cxkit.adapters.kit.values import (
    _otpauth_split,
    _parse_time_general,
    parse_time,
    parse_totp,
)
from cxkit.adapters.report import (
    CredentialRecord,
    CredentialRecords,
    Disposition,
    FieldRecord,
    FieldRecords,
    MigrationReport,
    Outcome,
)
from cxkit.errors import CxkitError

# ----------------------------------------------------------------------------- flat records

_text = st.text(alphabet="abc:.[]", max_size=4)
_fields = st.builds(FieldRecord, _text, _text, st.sampled_from(list(Disposition)), _text, _text)
_creds = st.builds(
    CredentialRecord,
    _text,
    _text,
    _text,
    st.sampled_from(list(Outcome)),
    _text,
    st.none() | st.tuples(_text, st.integers(0, 3)),
)
_index = st.integers(-6, 6)
_slices = st.builds(
    slice, st.none() | _index, st.none() | _index, st.sampled_from([None, 1, 2, -1])
)


def _ops(records: st.SearchStrategy[object]) -> st.SearchStrategy[list[tuple[object, ...]]]:
    return st.lists(
        st.one_of(
            st.tuples(st.just("append"), records),
            st.tuples(st.just("insert"), _index, records),
            st.tuples(st.just("set"), _index, records),
            st.tuples(
                st.just("setslice"),
                st.builds(slice, st.none() | _index, st.none() | _index),
                st.lists(records, max_size=3),
            ),
            st.tuples(st.just("del"), _index),
            st.tuples(st.just("delslice"), _slices),
            st.tuples(st.just("extend"), st.lists(records, max_size=3)),
            st.tuples(st.just("pop"), _index),
            st.tuples(st.just("reverse")),
            st.tuples(st.just("get"), _index),
            st.tuples(st.just("getslice"), _slices),
        ),
        max_size=25,
    )


def _apply(target: list[object], op: tuple[object, ...]) -> object:
    name, *args = op
    a: object = args[0] if args else None
    if name == "append":
        target.append(a)
    elif name == "insert":
        target.insert(a, args[1])  # type: ignore[arg-type]
    elif name in ("set", "setslice"):
        target[a] = args[1]  # type: ignore[index]
    elif name in ("del", "delslice"):
        del target[a]  # type: ignore[arg-type]
    elif name == "extend":
        target.extend(a)  # type: ignore[arg-type]
    elif name == "pop":
        return target.pop(a)  # type: ignore[arg-type]
    elif name == "reverse":
        target.reverse()
    else:
        return target[a]  # type: ignore[index]
    return None


def _outcome(target: list[object], op: tuple[object, ...]) -> tuple[str, object]:
    try:
        return "ok", _apply(target, op)
    except (IndexError, ValueError) as exc:
        return type(exc).__name__, None


@settings(max_examples=200, deadline=None)
@given(ops=_ops(_fields))
def test_field_records_behave_as_a_list(ops: list[tuple[object, ...]]) -> None:
    model: list[object] = []
    records = FieldRecords()
    for op in ops:
        assert _outcome(records, op) == _outcome(model, op)  # type: ignore[arg-type]
        assert len(records) == len(model) and list(records) == model and records == model
    assert records.paths() == [r.path for r in model]  # type: ignore[attr-defined]
    counts = records.counts()
    assert sum(counts.values()) == len(model)
    for disposition in Disposition:
        assert records.of(disposition) == [r for r in model if r.disposition is disposition]  # type: ignore[attr-defined]
    assert FieldRecords(records) == records and repr(records).endswith(f"({len(model)} records)")


@settings(max_examples=200, deadline=None)
@given(ops=_ops(_creds))
def test_credential_records_behave_as_a_list(ops: list[tuple[object, ...]]) -> None:
    model: list[object] = []
    records = CredentialRecords()
    for op in ops:
        assert _outcome(records, op) == _outcome(model, op)  # type: ignore[arg-type]
        assert len(records) == len(model) and list(records) == model and records == model


def test_rows_added_in_bulk_read_back_as_records() -> None:
    report = MigrationReport()
    fields = report.field_records()
    fields.add_rows([("f:1:", "name", "A", Disposition.MEMBER, "item.title", ""),
                     ("f:1:", "x", "A", Disposition.CUSTOM_FIELD, "custom-fields.x", "kept")])  # fmt: skip
    fields.add("f:2:", "B", Disposition.NOT_CARRIED, note="why", rest="y")
    report.credential_records().add_rows([("read", "note", "A", Outcome.CARRIED, "", "id", 0)])
    assert list(report.fields) == [
        FieldRecord("f:1:name", "A", Disposition.MEMBER, "item.title"),
        FieldRecord("f:1:x", "A", Disposition.CUSTOM_FIELD, "custom-fields.x", "kept"),
        FieldRecord("f:2:y", "B", Disposition.NOT_CARRIED, "", "why"),
    ]
    assert report.fields[-1].path == "f:2:y" and report.fields[1:2][0].note == "kept"
    assert report.credentials[0] == CredentialRecord("read", "note", "A", Outcome.CARRIED, "",
                                                     ("id", 0))  # fmt: skip
    records = report.to_json()["fields"]["records"]
    assert [r["path"] for r in records] == ["f:1:name", "f:1:x", "f:2:y"]
    with pytest.raises(TypeError):
        report.fields.append(("f", "A"))  # type: ignore[arg-type]
    with pytest.raises(IndexError):
        report.fields[3]


# ----------------------------------------------------------------------------- parse_time


def _general(text: str) -> int | None:
    """parse_time without its fast path (the digits rule, then the ISO parser)."""
    return _parse_time_general(text.strip())


_digit = st.sampled_from("0123456789")
_odd = st.sampled_from("0123456789Z Tt:-+.z\u0663")


@st.composite
def _shaped(draw: st.DrawFn) -> str:
    """Texts of (or near) the shape YYYY-MM-DDTHH:MM:SS[Z] the fast path takes."""

    def part(n: int) -> str:
        return "".join(draw(st.lists(_digit | _odd if draw(st.booleans()) else _digit,
                                     min_size=n, max_size=n)))  # fmt: skip

    text = (f"{part(4)}-{part(2)}-{part(2)}T{part(2)}:{part(2)}:{part(2)}"
            + draw(st.sampled_from(["", "Z", "z", "+00:00", " ", "ZZ", ".5Z"])))  # fmt: skip
    return draw(st.sampled_from(["", " ", "\t"])) + text


@settings(max_examples=2000, deadline=None)
@given(text=_shaped() | st.text(max_size=24))
def test_parse_time_fast_path_matches_the_general_path(text: str) -> None:
    assert parse_time(text) == _general(text)


@pytest.mark.parametrize(
    "text",
    ["2024-02-29T23:59:59Z", "2024-02-30T00:00:00Z", "1970-01-01T00:00:00", "1969-12-31T23:59:59Z",
     "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", " 2024-01-02T03:04:05Z ", "2024-01-02T24:00:00Z",
     "2024-01-02T03:04:05ZZ", "2024-01-02T03:04:5ZZ", "2024-01-02T03:04:05z"],
)  # fmt: skip
def test_parse_time_edges(text: str) -> None:
    assert parse_time(text) == _general(text)


# ----------------------------------------------------------------------------- KeePass hook

_KP = (
    '"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"\n'
)


def _kp(*rows: tuple[str, str]) -> bytes:
    lines = [f'"{group}","t{n}","u","p","","","","{icon}","",""\n' for n, (group, icon) in
             enumerate(rows)]  # fmt: skip
    return (_KP + "".join(lines)).encode()


def test_keepass_group_and_icon_cells_repeated_on_rows_are_recorded_per_row() -> None:
    data = _kp(("Root/A/B", "x"), ("Root/A/B", "x"), ("Root/A/B", " 7 "), ("Root", "7"),
               ("Root/A/B", "0"), ("/Root//A/B/", ""))  # fmt: skip
    doc, report = adapters.read(data, "k.csv")
    assert report.warnings == ["k.csv:2:Icon: not an icon number",
                               "k.csv:3:Icon: not an icon number"]  # fmt: skip
    items = {i.title: i for i in doc.accounts[0].items}
    icons = {t: next((e.members.get("icon") for e in i.extensions), None)  # type: ignore[union-attr]
             for t, i in items.items()}  # fmt: skip
    assert icons == {"t0": None, "t1": None, "t2": 7, "t3": 7, "t4": None, "t5": None}
    (a,) = doc.accounts[0].collections
    (b,) = a.sub_collections
    assert (a.title, b.title) == ("A", "B")
    assert sorted(link.item for link in b.items) == sorted(
        items[t].id for t in ("t0", "t1", "t2", "t4", "t5")
    )
    by_path = {r.path: r for r in report.fields}
    assert by_path["k.csv:5:Group"].target == "account"
    assert by_path["k.csv:7:Group"].target == "collection.title"
    assert by_path["k.csv:2:Icon"].disposition is Disposition.NOT_CARRIED
    assert by_path["k.csv:4:Icon"].target == "extension.icon"


def test_keepass_group_too_deep_stops_the_read_at_its_row() -> None:
    deep = "Root/" + "/".join(["g"] * 201)
    with pytest.raises(CxkitError, match="nested more than 200") as first:
        adapters.read(_kp(("Root", ""), (deep, "")), "k.csv")
    assert first.value.location == "k.csv:3"


# ----------------------------------------------------------------------------- otpauth URIs

_uri_text = st.text(alphabet="totpTOTP/?&=:#%+[]@ .-_2AZaz\t\u00e9", max_size=30)


def _urllib_split(uri: str) -> tuple[str, str, dict[str, str]]:
    parts = urllib.parse.urlsplit(uri)
    label = urllib.parse.unquote(parts.path.lstrip("/"))
    return parts.netloc, label, dict(urllib.parse.parse_qsl(parts.query))


def _outcome_of(fn: object, *args: object) -> object:
    try:
        return fn(*args)  # type: ignore[operator]
    except ValueError as exc:
        return type(exc)


@settings(max_examples=1500, deadline=None)
@given(rest=_uri_text | st.builds("totp/{}?{}".format, _uri_text, _uri_text))
def test_otpauth_split_matches_urllib(rest: str) -> None:
    uri = "otpauth://" + rest
    assert _outcome_of(_otpauth_split, uri) == _outcome_of(_urllib_split, uri)


@pytest.mark.parametrize(
    "uri",
    ["otpauth://totp/Ex:me@x.org?secret=JBSWY3DPEHPK3PXP&issuer=Ex&period=60&digits=8",
     "otpauth://totp/Ex%3Ame?secret=JBSWY3DPEHPK3PXP&issuer=A+B", "otpauth://hotp/x?secret=AA",
     "otpauth://totp?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/a?secret=&secret=JBSWY3DPEHPK3PXP",
     "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP#frag", "otpauth://totp/a?=x&secret=JBSWY3DPEHPK3PXP&y"],
)  # fmt: skip
def test_parse_totp_reads_otpauth_uris(uri: str) -> None:
    totp, form = parse_totp(uri)
    netloc, label, query = _urllib_split(uri)
    if netloc != "totp" or not query.get("secret"):
        assert totp is None
        return
    assert totp is not None and form == "uri"
    assert totp.secret == query["secret"]
    assert totp.period == int(query.get("period", "30"))
    assert totp.username == (label.split(":", 1)[-1] or None)


# ----------------------------------------------------------------------------- row ids


@given(namespace=st.binary(min_size=16, max_size=16), prefix=st.text(max_size=20),
       row=st.integers(min_value=0, max_value=10**9))  # fmt: skip
def test_uuid5_ids_are_uuid5_of_prefix_and_name(namespace: bytes, prefix: str, row: int) -> None:
    assert uuid5_ids(namespace, prefix)(row) == encode_id(uuid5_bytes(namespace, f"{prefix}{row}"))


@pytest.mark.parametrize("key", ["keepassxc-csv", "keepass-csv", "chrome-csv"])
def test_item_ids_of_a_file_are_item_id_of_each_row(key: str) -> None:
    reader = registry.get(key)
    assert isinstance(reader, CsvReader)
    ids = reader.item_ids("a b.csv")
    for row in (2, 3, 17, 10_000):
        assert ids(row) == reader.item_id("a b.csv", row)
