"""``cxkit convert … --report report.html`` writes the report as a page (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ui_canaries import assert_no_secret, planted_sample

from cxkit.cli.main import main


def _convert(tmp_path: Path, report: str) -> int:
    data, _ = planted_sample()
    source = tmp_path / "bitwarden_export.json"
    source.write_bytes(data)
    secret = tmp_path / "new.txt"
    secret.write_text("Dest-pass-for-test\n")
    argv = [
        "convert", str(source), "-o", str(tmp_path / "vault.kdbx"),
        "--new-password-file", str(secret), "--report", str(tmp_path / report), "-q",
    ]  # fmt: skip
    return main(argv)


def test_html_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _convert(tmp_path, "report.html") == 0
    html = (tmp_path / "report.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "1 give the same codes" in html  # the TOTP proof of convert
    assert "2 verified" in html
    _, keys = planted_sample()
    assert_no_secret(html, keys)
    assert "Dest-pass-for-test" not in html
    assert (tmp_path / "report.html").stat().st_mode & 0o077 == 0
    capsys.readouterr()


def test_other_names_still_get_json(tmp_path: Path) -> None:
    assert _convert(tmp_path, "report.json") == 0
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["items"]["read"] == 5
