"""``cxkit seal`` / ``cxkit export`` take any format cxkit reads as SOURCE (through the
adapters), not only CXF files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from cxkit import cxf
from cxkit.cli.main import main


def test_seal_and_open_a_bitwarden_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bitwarden.json"
    source.write_bytes(
        resources.files("cxkit.samples").joinpath("sample-bitwarden.json").read_bytes()
    )
    monkeypatch.setenv("SEAL_PASS", "a long test passphrase for the archive")
    sealed, opened = tmp_path / "vault.cxp", tmp_path / "opened.json"
    assert (
        main(
            [
                "seal",
                str(source),
                "-o",
                str(sealed),
                "--passphrase",
                "--passphrase-env",
                "SEAL_PASS",
            ]
        )
        == 0
    )
    assert main(["open", str(sealed), "-o", str(opened), "--passphrase-env", "SEAL_PASS"]) == 0
    doc = cxf.decode(opened.read_bytes())
    passkeys = [
        c for _, item in doc.items() for c in item.credentials if isinstance(c, cxf.Passkey)
    ]
    assert len(passkeys) == 2
    assert doc.header.exporter_rp_id == "bitwarden.com"
    assert "a long test passphrase" not in capsys.readouterr().err


def test_export_refuses_an_unreadable_source_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["request", "-o", str(tmp_path / "req.json")]) == 0
    source = tmp_path / "notes.txt"
    source.write_text("just some text, not an export\n")
    rc = main(
        [
            "export",
            str(source),
            "--request",
            str(tmp_path / "req.json"),
            "-o",
            str(tmp_path / "r.json"),
            "--yes",
        ]
    )
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-2].startswith("cxkit: error:") or err[-1].startswith("cxkit: error:")
    assert not (tmp_path / "r.json").exists()
