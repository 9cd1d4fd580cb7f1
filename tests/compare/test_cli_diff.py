"""``cxkit diff OLD NEW``: exit 0 when NEW holds everything its format can, 1 when something was
lost, 2 when a file cannot be read; ``--json``; summary first; no secret in any output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from _compare_vault import ATTACHMENT, CANARY, ident, passkey_key, secrets, vault, vault_json

from cxkit import adapters, cxf
from cxkit.cli.main import main

KEY = passkey_key()


def _write(doc: cxf.Document, fmt: str, path: Path) -> str:
    files = {ident("file"): ATTACHMENT}
    data, _ = adapters.write(doc, fmt, options=adapters.WriteOptions(attachments=files))
    path.write_bytes(data)
    return str(path)


def test_conversion_to_chrome_csv_loses_nothing_it_can_hold(tmp_path: Path, capsys: Any) -> None:
    old = _write(vault(KEY), "cxf-json", tmp_path / "old.cxf.json")
    new = _write(vault(KEY), "chrome-csv", tmp_path / "new.csv")
    assert main(["diff", old, new]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].startswith("3 of 6 items arrived; 3 not arrived that the new format cannot")
    assert "round trip through chrome-csv" in out
    for secret in secrets():
        assert secret not in out


def test_a_dropped_item_and_password_exit_1(tmp_path: Path, capsys: Any) -> None:
    data = vault_json(KEY)
    items = data["accounts"][0]["items"]
    del items[2]
    items[1]["credentials"][0]["password"]["value"] = f"{CANARY}-changed"
    old = _write(vault(KEY), "cxf-json", tmp_path / "old.cxf.json")
    new = _write(cxf.decode(json.dumps(data)), "bitwarden-json", tmp_path / "new.json")
    assert main(["diff", old, new, "--json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["lost"] is True and report["new_format"] == "bitwarden-json"
    assert report["summary"].startswith(
        "5 of 6 items arrived; 1 lost: 'Shop' (shop.example, carol)"
    )
    fields = {f["field"]: f["status"] for d in report["changed"] for f in d["fields"]}
    assert fields["password"] == "changed"
    for secret in [*secrets(), KEY]:
        assert secret not in captured.out + captured.err


def test_unreadable_file_exit_2(tmp_path: Path, capsys: Any) -> None:
    old = _write(vault(KEY), "cxf-json", tmp_path / "old.cxf.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["diff", old, str(bad)]) == 2
    assert "bad.json" in capsys.readouterr().err


def test_format_suffix_names_the_format(tmp_path: Path, capsys: Any) -> None:
    old = _write(vault(KEY), "cxf-json", tmp_path / "old.cxf.json")
    new = _write(vault(KEY), "chrome-csv", tmp_path / "new.txt")
    assert main(["diff", old, f"{new}:chrome-csv", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["new_format"] == "chrome-csv"


def test_encrypted_new_is_read_with_its_password(tmp_path: Path, capsys: Any) -> None:
    password = f"{CANARY}-kdbx"

    def give(_prompt: str) -> str:
        return password

    old = _write(vault(KEY), "cxf-json", tmp_path / "old.cxf.json")
    data, _ = adapters.write(
        vault(KEY), "keepass-kdbx", options=adapters.WriteOptions(password=give)
    )
    (tmp_path / "new.kdbx").write_bytes(data)
    (tmp_path / "pw").write_text(password + "\n")
    args = ["diff", old, str(tmp_path / "new.kdbx"), "--password-file", str(tmp_path / "pw")]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "6 of 6 items arrived" in captured.out
    assert CANARY not in captured.out + captured.err
