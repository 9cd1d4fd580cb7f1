"""Bitwarden CSV writer: exact columns, CSV → CXF → CSV round trips (own fixture and the shared
samples), and what CSV cannot carry reported as not carried."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from _bw_adapter_data import PASSWORD_CANARY, organisation_export, personal_export

from cxkit import adapters
from cxkit.adapters.bitwarden.csv_export import ORGANISATION_COLUMNS, PERSONAL_COLUMNS
from cxkit.adapters.kit.values import parse_totp
from cxkit.cli.main import main
from shared_evidence import shared_files

PERSONAL_HEADER = (
    "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,"
    "login_totp"
)
ORG_HEADER = (
    "collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp"
)

_CSV = (
    b"folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,"
    b"login_password,login_totp\r\n"
    b'Work,1,login,Forge,"two\nlines","pin: 1234\nregion: eu",1,'
    b'"https://forge.example,https://git.forge.example",sam,'
    b"Canary-Pa55word-7f3a,JBSWY3DPEHPK3PXP\r\n"
    b'Work/Sub,,login,"comma, in title",,,0,"https://a.example/?q=1,2",x,"p,w",\r\n'
    b",,note,Just a note,hello,,0,,,,\r\n"
)


def _rows(data: bytes | str) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    rows = csv.DictReader(io.StringIO(text, newline=""), restkey="(extra)")
    return [
        {k: "\n".join(v) if isinstance(v, list) else v.replace("\r\n", "\n") for k, v in r.items()}
        for r in rows
    ]


def _csv_via_cxf(data: bytes, name: str) -> bytes:
    first = adapters.convert(data, name, to="cxf-json")
    assert first.output is not None
    second = adapters.convert(first.output, "mid.cxf", to="bitwarden-csv")
    assert second.output is not None
    assert second.report.plaintext is True
    return second.output


def test_exact_bitwarden_columns() -> None:
    assert ",".join(PERSONAL_COLUMNS) == PERSONAL_HEADER
    assert ",".join(ORGANISATION_COLUMNS) == ORG_HEADER
    info = adapters.get("bitwarden-csv").info
    assert info.plaintext and info.can(adapters.Capability.WRITE)
    personal = adapters.convert(
        json.dumps(personal_export()).encode(), "bw.json", to="bitwarden-csv"
    )
    org = adapters.convert(
        json.dumps(organisation_export()).encode(), "bw.json", to="bitwarden-csv"
    )
    assert personal.output is not None and org.output is not None
    assert personal.output.decode().split("\r\n", 1)[0] == PERSONAL_HEADER
    assert org.output.decode().split("\r\n", 1)[0] == ORG_HEADER


def test_csv_round_trip_keeps_every_cell() -> None:
    out = _csv_via_cxf(_CSV, "bw.csv")
    assert _rows(out) == _rows(_CSV)
    # several URIs in one cell are split on read (each has a scheme), one with a comma is not
    doc, _ = adapters.read(_CSV, "bw.csv")
    items = {i.title: i for _, i in doc.items()}
    forge_scope = items["Forge"].scope
    assert forge_scope is not None and len(forge_scope.urls) == 2
    odd_scope = items["comma, in title"].scope
    assert odd_scope is not None and list(odd_scope.urls) == ["https://a.example/?q=1,2"]


@pytest.mark.shared
@pytest.mark.parametrize(
    "path",
    (
        shared_files("exports/bitwarden", "*.csv")
        + shared_files("exports/bitwarden-authenticator", "*.csv")
    )
    or [None],
    ids=lambda p: p.name if p else "absent",
)
def test_shared_csv_samples_round_trip(path: Path | None) -> None:
    if path is None:
        pytest.skip("../shared is absent")
    data = path.read_bytes()
    source = _rows(data)
    out = _rows(_csv_via_cxf(data, path.name))
    assert len(out) == len(source)
    for before, after in zip(source, out, strict=True):
        for column, value in before.items():
            if column == "(extra)":  # cells past the header: custom fields "column N: value"
                assert all(v in after["fields"] for v in value.split("\n"))
            elif column in after:
                expected = value
                if column == "favorite":  # Bitwarden writes 1 or nothing
                    expected = "1" if value.strip() in ("1", "true") else ""
                if column == "type":  # 1/2 are written as login/note; none: a login cell
                    expected = {"1": "login", "2": "note", "": after[column]}.get(value, value)
                if column == "login_totp" and parse_totp(value)[0] is not None:
                    # an otpauth URI is written again from its parts (label re-encoded, as the
                    # JSON round trip does): the same TOTP, compared as such
                    assert parse_totp(after[column])[0] == parse_totp(value)[0]
                    continue
                assert after[column] == expected, (column, before.get("name"))
            else:  # a subset of columns (authenticator apps): nothing in the rest
                assert not value, column
        assert after["reprompt"] in ("0", before.get("reprompt") or "0")


@pytest.mark.parametrize("export", [personal_export, organisation_export])
def test_what_csv_cannot_carry_is_reported(export: object) -> None:
    source = export()  # type: ignore[operator]
    conversion = adapters.convert(json.dumps(source).encode(), "bw.json", to="bitwarden-csv")
    assert conversion.output is not None
    report = conversion.report
    summary = report.credential_summary()
    assert summary["passkey"]["not_carried"] == 3 and summary["passkey"]["carried"] == 0
    if export is personal_export:
        for kind in ("credit-card", "person-name", "address", "ssh-key"):
            assert summary[kind]["not_carried"] >= 1, kind
    whys = {x["why"] for s in summary.values() for x in s["not_carried_items"]}
    assert any("password history" in w for w in whys)
    rows = _rows(conversion.output)
    written = {r["name"] for r in rows}
    assert "Visa" not in written and "Me" not in written and "Code Forge" in written
    assert {r["type"] for r in rows} <= {"login", "note"}
    assert report.items_written == len(rows)
    assert PASSWORD_CANARY in conversion.output.decode()  # plaintext, as asked
    assert PASSWORD_CANARY not in json.dumps(report.to_json())
    assert PASSWORD_CANARY not in report.render()


def test_cli_demands_plaintext_and_writes_0600(tmp_path: Path) -> None:
    src = tmp_path / "bw.json"
    src.write_text(json.dumps(personal_export()))
    dest = tmp_path / "out.csv"
    assert main(["convert", str(src), "-o", str(dest), "--to", "bitwarden-csv", "-q"]) == 2
    assert not dest.exists()
    argv = ["convert", str(src), "-o", str(dest), "--to", "bitwarden-csv", "--plaintext", "-q"]
    assert main(argv) == 0
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert dest.read_bytes().decode().startswith(PERSONAL_HEADER)
