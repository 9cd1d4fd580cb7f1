"""Bitwarden CSV's lean row path (issue 12, fourth pass) against the general one (``_row`` and
the item builder): generated personal exports — every column, TOTPs of each form and ones CXF
cannot hold, ``fields`` lines, reprompt values, favourites, folders, cells past the header —
give the same document and the same report either way."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters
from cxkit.adapters.bitwarden import csv_export
from cxkit.adapters.bitwarden.csv_export import PERSONAL_COLUMNS

_SECRET = "JBSWY3DPEHPK3PXP"
_cell = st.sampled_from(["", " ", "a", "Work", "x y", "=cmd", "é", "line\nline"])
_row = st.fixed_dictionaries(
    {
        "folder": _cell,
        "favorite": st.sampled_from(["", "1", "0", "true", " 1", "yes"]),
        "type": st.sampled_from(["login", "note", "", "1", "2", "card", " login"]),
        "name": _cell,
        "notes": _cell,
        "fields": st.sampled_from(["", "a: b", "a: b\nc", "only\n: x", "k: v\r\nk2: v2", "\n"]),
        "reprompt": st.sampled_from(["", "0", "1", "2", "²", "x", "01"]),
        "login_uri": st.sampled_from(
            [
                "",
                "https://a.example",
                "https://a.example,https://b.example",
                "a,b",
                ",",
                " ",
                "android://x@com.app/",
            ]
        ),
        "login_username": _cell,
        "login_password": _cell,
        "login_totp": st.sampled_from(
            [
                "",
                _SECRET,
                f"otpauth://totp/I:u?secret={_SECRET}&issuer=I",
                "steam://" + _SECRET,
                "not a secret!",
                "otpauth://hotp/x?secret=" + _SECRET + "&counter=1",
                " ",
            ]
        ),
        "extra": st.sampled_from([(), ("",), ("past",)]),
    }
)


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PERSONAL_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in PERSONAL_COLUMNS] + list(row["extra"]))
    return out.getvalue().encode()


def _read(data: bytes) -> tuple[Any, Any]:
    doc, report = adapters.read(data, "bw.csv", source_format="bitwarden-csv")
    top = json.loads(doc.encode())
    top.pop("timestamp")
    return top, report


def _same(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    lean_doc, lean = _read(data)
    with monkeypatch.context() as patch:
        patch.setattr(csv_export, "_lean_rows", lambda plan, vault: None)
        doc, report = _read(data)
    assert lean_doc == doc
    assert lean.items_read == report.items_read
    assert list(lean.fields) == list(report.fields)
    assert list(lean.credentials) == list(report.credentials)
    assert lean.items_skipped == report.items_skipped
    assert lean.to_json() == report.to_json()
    assert lean.render(limit=1000) == report.render(limit=1000)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(_row, min_size=1, max_size=10))
def test_lean_rows_give_the_general_document_and_report(rows: list[dict[str, Any]]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(_csv(rows), monkeypatch)


def test_the_usual_rows_take_the_lean_path(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"folder": "Work", "favorite": "1", "type": "login", "name": "Mail", "notes": "n",
         "fields": "a: b", "reprompt": "0", "login_uri": "https://a.example,https://b.example",
         "login_username": "u", "login_password": "p", "login_totp": _SECRET, "extra": ()},
        {"folder": "", "favorite": "", "type": "note", "name": "Note", "notes": "text",
         "fields": "", "reprompt": "", "login_uri": "", "login_username": "",
         "login_password": "", "login_totp": "", "extra": ()},
        {"folder": "", "favorite": "", "type": "login", "name": "Odd", "notes": "",
         "fields": "", "reprompt": "", "login_uri": "", "login_username": "u",
         "login_password": "", "login_totp": "not a secret!", "extra": ()},
    ]  # fmt: skip
    taken: list[bool] = []
    lean_rows = csv_export._lean_rows

    def counting(*args: Any) -> Any:
        row = lean_rows(*args)
        return lambda *row_args: taken.append(row(*row_args)) or taken[-1]

    monkeypatch.setattr(csv_export, "_lean_rows", counting)
    _read(_csv(rows))
    assert taken == [True, True, False]  # a TOTP CXF cannot hold goes to the builder
