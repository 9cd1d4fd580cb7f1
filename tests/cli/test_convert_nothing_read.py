"""``cxkit convert`` of a SOURCE of which not one item could be read (#13 audit): every item it
holds was skipped (a Dashlane ``credentials.csv`` cut mid-row) — refused with exit 2 and nothing
written, where it used to exit 0 with an empty vault. An export that holds no items at all (a
valid header, no rows) is still written, with a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxkit.cli.main import main

_HEADER = "username,username2,username3,title,password,note,url,category,otpUrl\n"
_SECRET = "Cut-Secret-73q"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "credentials.csv"
    path.write_text(text)
    return path


def test_a_file_cut_mid_row_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, _HEADER + f"ann,,,Forge,{_SECRET}")  # the row stops at 5 cells
    dest = tmp_path / "out.cxf.json"
    assert main(["convert", str(source), "-o", str(dest), "--plaintext"]) == 2
    err = capsys.readouterr().err
    assert "not one item could be read: the only item found was skipped" in err
    assert "5 cells where the header has 9" in err and "nothing was written" in err
    assert "--dry-run" in err and _SECRET not in err
    assert not dest.exists()
    # a script gets the same error as JSON
    assert main(["convert", str(source), "-o", str(dest), "--plaintext", "--json"]) == 2
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and "not one item" in result["error"]["message"]
    assert not dest.exists()
    # --dry-run writes nothing anyway: it shows the report
    assert main(["convert", str(source), "--dry-run"]) == 0
    assert "items: 0 read, 0 would be written, 1 skipped" in capsys.readouterr().out


def test_some_items_read_is_not_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(tmp_path, _HEADER + "ann,,,Forge,pw,,https://forge.example,,\nbob,,,Sm")
    dest = tmp_path / "out.cxf.json"
    assert main(["convert", str(source), "-o", str(dest), "--plaintext"]) == 0
    assert "items: 1 read, 1 written, 1 skipped" in capsys.readouterr().out and dest.exists()


def test_an_empty_export_is_written_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path, _HEADER)
    dest = tmp_path / "out.cxf.json"
    assert main(["convert", str(source), "-o", str(dest), "--plaintext"]) == 0
    out = capsys.readouterr().out
    assert "items: 0 read, 0 written" in out
    assert f"warning: the source holds no items: {dest} holds an empty vault" in out
    assert dest.exists()
