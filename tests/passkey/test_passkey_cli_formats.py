"""``cxkit passkeys verify`` on other apps' exports, read through the adapters."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from cxkit import adapters
from cxkit.adapters import WriteOptions
from cxkit.cli.main import main


def _bitwarden_sample() -> bytes:
    return resources.files("cxkit.samples").joinpath("sample-bitwarden.json").read_bytes()


def test_verify_a_bitwarden_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "export.json"
    source.write_bytes(_bitwarden_sample())
    assert main(["passkeys", "verify", str(source)]) == 0
    assert "2 passkeys: 2 verified, 0 failed" in capsys.readouterr().out


def test_verify_an_encrypted_keepass_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kdbx = adapters.convert(
        _bitwarden_sample(),
        "export.json",
        to="keepass-kdbx",
        write_options=WriteOptions(password=lambda prompt: "db-pass-1"),
        verify=False,
    ).output
    assert kdbx is not None
    path = tmp_path / "vault.kdbx"
    path.write_bytes(kdbx)
    monkeypatch.setenv("DB_PASS", "db-pass-1")
    assert main(["passkeys", "verify", str(path), "--source-password-env", "DB_PASS"]) == 0
    assert "2 passkeys: 2 verified, 0 failed" in capsys.readouterr().out
    monkeypatch.setenv("DB_PASS", "canary-Qz7-not-it")
    assert main(["passkeys", "verify", str(path), "--password-env", "DB_PASS"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxkit: error:") and "canary-Qz7" not in err
