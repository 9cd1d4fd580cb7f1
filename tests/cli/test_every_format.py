"""Every command on every format (issue #18): ``inspect``/``validate`` of any export (a sealed
archive too), ``open``/``import`` ``--into`` any writable format with its password asked before
anything is consumed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cxkit.cli.main import main


@pytest.fixture
def samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The built-in samples: a CXF file, a sealed archive with its recovery code, a Bitwarden
    JSON export."""
    folder = tmp_path / "samples"
    assert main(["demo", "--out", str(folder)]) == 0
    capsys.readouterr()
    return folder


def test_inspect_any_export(samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bw = samples / "sample-bitwarden.json"
    assert main(["inspect", str(bw), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["format"] == "bitwarden-json"
    assert summary["credentials_by_type"]["basic-auth"] >= 1
    assert main(["inspect", str(bw)]) == 0
    assert "format:      bitwarden-json" in capsys.readouterr().out


def test_inspect_and_validate_a_sealed_archive(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = str(samples / "sample-vault.cxp")
    code = str(samples / "sample-vault.recovery.txt")
    assert main(["inspect", archive, "--password-file", code, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "cxkit-sealed"
    assert main(["validate", archive, "--password-file", code, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "cxkit-sealed" and report["valid"]


def test_a_damaged_cxf_file_keeps_its_own_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.cxf.json"
    bad.write_text('{"version": {"major": 1, "minor": 0}, "exporterRpId": 5')
    assert main(["inspect", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_open_into_another_format(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "opened.json"
    argv = ["open", str(samples / "sample-vault.cxp"), "--into", str(dest)]
    argv += ["--to", "bitwarden-json", "--plaintext"]
    argv += ["--passphrase-file", str(samples / "sample-vault.recovery.txt")]
    assert main(argv) in (0, 1)
    exported = json.loads(dest.read_text())
    assert exported["items"] and exported["encrypted"] is False
    assert "carried" in capsys.readouterr().err  # the migration report


def test_open_into_asks_the_new_password_before_opening(
    samples: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    dest = tmp_path / "vault.kdbx"
    code = str(samples / "sample-vault.recovery.txt")
    argv = ["open", str(samples / "sample-vault.cxp"), "--into", str(dest)]
    assert main([*argv, "--passphrase-file", code]) == 2
    err = capsys.readouterr().err
    assert "--new-password-file" in err and "archive" not in err.split("error:")[0]
    assert not dest.exists()


def test_import_into_another_format(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request, response = tmp_path / "request.json", tmp_path / "response.json"
    assert main(["request", "-o", str(request)]) == 0
    argv = ["export", str(samples / "sample-bitwarden.json"), "--request", str(request)]
    assert main([*argv, "-o", str(response), "--yes"]) == 0
    dest = tmp_path / "imported.csv"
    argv = ["import", str(response), "--request", str(request), "--into", str(dest)]
    assert main([*argv, "--to", "bitwarden-csv", "--plaintext"]) in (0, 1)
    assert dest.read_text().startswith("folder,favorite,type,name")
    assert not Path(str(request) + ".key").exists()  # used up, as with -o


def test_import_into_a_refused_dest_keeps_the_key(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request, response = tmp_path / "request.json", tmp_path / "response.json"
    assert main(["request", "-o", str(request)]) == 0
    argv = ["export", str(samples / "sample-bitwarden.json"), "--request", str(request)]
    assert main([*argv, "-o", str(response), "--yes"]) == 0
    capsys.readouterr()
    # an unencrypted format without --plaintext is refused before the single-use key is used
    argv = ["import", str(response), "--request", str(request), "--into", str(tmp_path / "x")]
    assert main([*argv, "--to", "bitwarden-json"]) == 2
    assert "not encrypted" in capsys.readouterr().err
    assert Path(str(request) + ".key").exists()
