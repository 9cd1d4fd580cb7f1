"""A source that only names a passkey (#13 audit): ``passkeys list`` / ``passkeys verify`` and
``seal`` end with the list ``convert`` ends with — every passkey the export names without its
private key, by site and account, to create a new one there after importing. The list is the
reader's report (``MigrationReport.passkeys_to_recreate``), not a second one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _op_data import onepux
from test_adapters_enpass import _enpass_json
from test_adapters_keeper import _keeper_json

from cxkit import adapters
from cxkit.cli.main import main

_FIXTURES = {
    "export.1pux": onepux,
    "enpass.json": lambda: json.dumps(_enpass_json()).encode(),
    "keeper.json": lambda: json.dumps(_keeper_json()).encode(),
}


def _source(name: str, tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    data = _FIXTURES[name]()
    path = tmp_path / name
    path.write_bytes(data)
    _, report = adapters.read(data, name)
    assert report.passkeys_to_recreate  # each fixture names one passkey without its key
    return path, report.passkeys_to_recreate


@pytest.mark.parametrize("name", sorted(_FIXTURES))
@pytest.mark.parametrize("action", ["list", "verify"])
def test_passkeys_names_the_passkeys_a_source_holds_no_key_for(
    name: str, action: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, lost = _source(name, tmp_path)
    assert main(["passkeys", action, str(path)]) == 0
    out = capsys.readouterr().out
    assert f"the file names {len(lost)} passkey" in out
    assert "create a new passkey there after importing" in out
    tail = out[out.index("passkeys that cannot travel") :]
    for p in lost:
        assert f"{p['rp_id']} ({p['username']}) — {p['item']}: {p['why']}" in tail

    assert main(["passkeys", action, str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["to_recreate"] == lost


def test_a_file_with_no_named_passkey_says_nothing_of_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plain.json"
    data = _keeper_json()
    data["records"] = [r for r in data["records"] if "passkey" not in json.dumps(r).lower()]
    path.write_text(json.dumps(data))
    assert main(["passkeys", "list", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: no passkeys\n") and "cannot travel" not in out


def test_seal_ends_with_the_passkeys_to_recreate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, lost = _source("export.1pux", tmp_path)
    monkeypatch.setenv("CXKIT_TEST_PASSPHRASE", "correct horse battery staple 51")
    archive = tmp_path / "vault.cxp"
    argv = ["seal", str(path), "-o", str(archive), "--passphrase-env", "CXKIT_TEST_PASSPHRASE",
            "--kdf-memory", "19", "--kdf-iterations", "2"]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert archive.exists()
    tail = err[err.index(f"passkeys that cannot travel ({len(lost)})") :]
    for p in lost:
        assert f"{p['rp_id']} ({p['username']}) — {p['item']}" in tail


def test_merge_ends_with_the_passkeys_to_recreate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, lost = _source("enpass.json", tmp_path)
    dest = tmp_path / "merged.cxf.json"
    assert main(["merge", str(path), "-o", str(dest), "--plaintext"]) == 0
    out = capsys.readouterr().out
    tail = out[out.index(f"passkeys that cannot travel ({len(lost)})") :]
    for p in lost:
        assert f"{p['rp_id']} ({p['username']}) — {p['item']}: {p['why']}" in tail
    assert main(["merge", str(path), "-o", str(dest), "--plaintext", "--force", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passkeys_to_recreate"] == lost
