"""RoboForm CSV (``src/cxkit/adapters/roboform.py``): the pass-import sample (``Rf_fields``
layout) against pass-import's reference vault, the current ``RfFieldsV2`` layout (a fixture
written here from the notes and the layout RoboForm 9 writes), and mutation/property tests of
the form-field cells."""

from __future__ import annotations

import csv
import io

from _main_reference import project, reference
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import contract
from cxkit.adapters.roboform import COLUMNS, RoboFormCsvAdapter
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_path

SECRET = "Rf-pass!word-8812"
SEED = "JBSWY3DPEHPK3PXP"


def _v2(rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue().encode()


def _items(doc: cxf.Document) -> dict[str, m.Item]:
    return {i.title: i for _, i in doc.items()}


def test_sample_reads_to_the_pass_import_reference() -> None:
    data = shared_path("exports", "roboform", "pass-import", "roboform.csv").read_bytes()
    assert adapters.detect(adapters.make_sample(data, "roboform.csv")).adapter.info.key == (
        "roboform-csv"
    )
    doc, report = adapters.read(data, "roboform.csv")
    assert project(doc) == reference()
    # the form fields repeat Login and Pwd: members, not custom fields
    assert not any(isinstance(c, m.CustomFields) for _, i in doc.items() for c in i.credentials)
    assert contract.check_accounting(RoboFormCsvAdapter(), contract.Sample("r.csv", data)) == []
    assert report.items_read == 14


def test_current_layout_with_rffieldsv2() -> None:
    data = _v2([
        ["Mail", "https://mail.example/login", "https://mail.example", "sam", SECRET, "n",
         "/Work/Mail", "User ID$,user,,txt,sam", f"Password$,pass,,pwd,{SECRET}",
         f"TOTP KEY$,totp,,txt,{SEED}", "PIN,pin,,pwd,4321", "-no-name-,x,,txt,loose",
         "garbage"],
        ["Same url", "https://a.example", "https://a.example", "u", "p", "", "", ""],
        ["Other user", "", "", "u1", "p1", "", "", "User ID$,user,,txt,u2"],
    ])  # fmt: skip
    doc, report = adapters.read(data, "rf.csv")
    items = _items(doc)
    mail = items["Mail"]
    types = sorted(cxf.credential_type(c) for c in mail.credentials)
    assert types == ["basic-auth", "custom-fields", "note", "totp"]
    (fields,) = [c for c in mail.credentials if isinstance(c, m.CustomFields)]
    got = {f.label: (f.value, f.field_type) for f in fields.fields}
    assert got["PIN"] == ("4321", "concealed-string")
    assert got["field 5"] == ("loose", "string")
    assert got["field 6"][1] == "concealed-string"  # not a form field: kept hidden
    assert mail.scope is not None and len(mail.scope.urls) == 2
    assert items["Same url"].scope is not None and len(items["Same url"].scope.urls) == 1
    (other,) = [c for c in items["Other user"].credentials if isinstance(c, m.CustomFields)]
    assert other.fields[0].value == "u2"  # a form user that differs from Login is kept
    (work,) = doc.accounts[0].collections
    assert work.title == "Work" and work.sub_collections[0].title == "Mail"
    assert contract.check_accounting(RoboFormCsvAdapter(), contract.Sample("rf.csv", data)) == []
    assert SECRET not in report.render() and "4321" not in report.render()


def test_mutations_and_secrets() -> None:
    data = shared_path("exports", "roboform", "pass-import", "roboform.csv").read_bytes()
    sample = contract.Sample("roboform.csv", data)
    assert contract.check_mutations(RoboFormCsvAdapter(), sample, 40) == []
    assert contract.check_secrets(RoboFormCsvAdapter(), sample, 20) == []


def test_other_columns_are_refused_without_values() -> None:
    data = b"Name,Url,Login,Pwd,Note,Folder,Other\nx,y,z,hunter2-secret,,,\n"
    try:
        adapters.read(data, "x.csv", source_format="roboform-csv")
    except CxkitError as exc:
        assert "hunter2" not in exc.diagnostics()
    else:
        raise AssertionError("read a CSV that is not RoboForm's")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30),
                max_size=5), st.booleans())  # fmt: skip
def test_form_field_cells_of_any_shape(cells: list[str], v2: bool) -> None:
    """A new parser of form-field cells: any cells give an item, the password never reaches
    the report."""
    header = COLUMNS if v2 else ("Name", "Url", "Login", "Pwd", "Note", "Folder", "Rf_fields")
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    login = ["T", "", "", "u", SECRET, "", ""] if v2 else ["T", "", "u", SECRET, "", ""]
    writer.writerow([*login, *cells])  # the form-field column and the cells beyond it
    try:
        doc, report = adapters.read(buf.getvalue().encode(), "r.csv", source_format="roboform-csv")
    except CxkitError:
        return
    assert SECRET not in report.render()
    assert len(list(doc.items())) == 1
