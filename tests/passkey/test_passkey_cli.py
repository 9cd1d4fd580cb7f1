"""``cxkit passkeys list|verify`` and the library helper behind it (cxkit.passkey.report)."""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from _passkey_data import KEYS, b64u

from cxkit import cxf
from cxkit.cli import main as cli
from cxkit.cli.commands import passkeys as passkeys_cmd
from cxkit.cxf.rpid import is_valid_rp_id
from cxkit.passkey import (
    Algorithm,
    PasskeyReport,
    check_document,
    check_passkey,
    count_passkeys,
    rp_id_problem,
)

ES256 = KEYS["supported"]["ES256"]["pkcs8_b64url"]
EDDSA = KEYS["supported"]["EDDSA"]["pkcs8_b64url"]
SECP256K1 = KEYS["unsupported"]["secp256k1"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _corrupted(key_b64: str) -> str:
    der = bytearray(b64u(key_b64))
    der[40] ^= 0x01  # inside the P-256 private scalar: no longer matches the embedded public key
    return _b64(bytes(der))


HANDLES = {
    "good": _b64(b"user-handle-good-0123456789"),
    "corrupt": _b64(b"user-handle-corrupt-0123456789"),
    "curve": _b64(b"user-handle-curve-0123456789"),
}
KEY_TEXTS = {"good": ES256, "corrupt": _corrupted(ES256), "curve": SECP256K1}


def _passkey(
    name: str, *, key: str, user_handle: str, rp_id: str = "example.com"
) -> dict[str, Any]:
    return {
        "type": "passkey",
        "credentialId": _b64(f"credential-{name}".encode()),
        "rpId": rp_id,
        "username": f"{name}@example.com",
        "userDisplayName": name.title(),
        "userHandle": user_handle,
        "key": key,
    }


def _item(index: int, title: str, *credentials: dict[str, Any]) -> dict[str, Any]:
    return {"id": _b64(b"item-%d" % index), "title": title, "credentials": list(credentials)}


def _document(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example",
        "exporterDisplayName": "Test exporter",
        "timestamp": 1760000000,
        "accounts": [
            {
                "id": _b64(b"account-1"),
                "username": "tester",
                "email": "tester@example.com",
                "collections": [],
                "items": list(items),
            }
        ],
    }


def _mixed() -> dict[str, Any]:
    """One good passkey, a corrupted key, an unsupported curve, an empty userHandle."""
    return _document(
        _item(0, "Good", _passkey("good", key=ES256, user_handle=HANDLES["good"])),
        _item(
            1,
            "Corrupt",
            _passkey("corrupt", key=KEY_TEXTS["corrupt"], user_handle=HANDLES["corrupt"]),
        ),
        _item(2, "Curve", _passkey("curve", key=SECP256K1, user_handle=HANDLES["curve"])),
        _item(3, "No handle", _passkey("nohandle", key=EDDSA, user_handle="")),
    )


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "export.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------------------- (a), (b) vectors


def _shared_file(shared: Path, *parts: str) -> Path:
    """tests/conftest.py's ``shared_path`` (here ``conftest`` is tests/passkey/conftest.py): the
    ``shared`` fixture skips when ../shared is absent; a missing file fails."""
    path = shared.joinpath(*parts)
    if not path.is_file():
        pytest.fail(f"expected shared file is missing: {path}")
    return path


@pytest.mark.shared
@pytest.mark.parametrize(
    "parts",
    [
        ("vectors", "cxf", "spec", "appendix-a.errata-20260309.json"),
        ("vectors", "cxf", "synthetic", "kitchen-sink.json"),
    ],
    ids=["appendix-a-errata", "kitchen-sink"],
)
@pytest.mark.parametrize("action", ["verify", "list"])
def test_shared_vectors_all_verified(
    shared: Path, capsys: pytest.CaptureFixture[str], parts: tuple[str, ...], action: str
) -> None:
    path = _shared_file(shared, *parts)
    code, stdout, stderr = _run(capsys, "passkeys", action, str(path))
    assert code == 0, stdout + stderr
    lines = stdout.splitlines()
    assert lines[-1] == "1 passkey: 1 verified, 0 failed"
    assert "FAILED" not in stdout
    assert stderr == ""
    if action == "verify":
        assert lines[2].split()[-1] == "verified"
        assert "ES256 (P-256)" in lines[2]
    else:
        assert "SHA256:" in lines[2]
    # the secrets of the vector never reach the terminal
    doc = json.loads(path.read_text(encoding="utf-8"))
    for account in doc["accounts"]:
        for item in account["items"]:
            for credential in item["credentials"]:
                if credential.get("type") == "passkey":
                    assert credential["key"] not in stdout
                    assert credential["userHandle"] not in stdout


@pytest.mark.shared
def test_shared_vector_json(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _shared_file(shared, "vectors", "cxf", "spec", "appendix-a.errata-20260309.json")
    code, stdout, _ = _run(capsys, "passkeys", "verify", "--json", str(path))
    assert code == 0
    data = json.loads(stdout)
    assert data["summary"] == {
        "passkeys": 1,
        "verified": 1,
        "failed": 0,
        "line": "1 passkey: 1 verified, 0 failed",
    }
    (row,) = data["passkeys"]
    assert row["rp_id"] == "webauthn.io"
    assert row["username"] == "johndoe"
    assert row["algorithm"] == "ES256"
    assert row["result"] == "verified"
    assert row["path"] == "$.accounts[0].items[1].credentials[0]"


# --------------------------------------------------------------------------- (c) mixed document


def test_mixed_document_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = _write(tmp_path, _mixed())
    code, stdout, stderr = _run(capsys, "passkeys", "verify", file)
    assert code == 1
    assert stderr == ""
    lines = stdout.splitlines()
    assert lines[0].split() == ["account", "item", "rpId", "username", "algorithm", "result"]
    rows = {line.split("  ")[1].strip(): line for line in lines[2:6]}
    assert rows["Good"].endswith("  verified")
    assert "ES256 (P-256)" in rows["Good"]
    assert rows["Corrupt"].endswith("FAILED: passkey.key-not-pkcs8")
    assert rows["Curve"].endswith("FAILED: passkey.unsupported-algorithm")
    assert rows["No handle"].endswith("verified (warning: passkey.user-handle-empty)")
    assert "EdDSA (Ed25519)" in rows["No handle"]
    assert "findings:" in lines
    assert any("secp256k1" in line and "[passkey.unsupported-algorithm]" in line for line in lines)
    assert lines[-1] == "4 passkeys: 2 verified, 2 failed"


def test_mixed_document_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = _write(tmp_path, _mixed())
    code, stdout, _ = _run(capsys, "passkeys", "list", file)
    assert code == 1
    lines = stdout.splitlines()
    assert lines[0].split()[-1] == "fingerprint"
    assert KEYS["supported"]["ES256"]["fingerprint"] in lines[2]
    assert KEYS["supported"]["EDDSA"]["fingerprint"] in stdout
    assert lines[-1] == "4 passkeys: 2 verified, 2 failed"


# --------------------------------------------------------------------------- (d) --json


@pytest.mark.parametrize("action", ["verify", "list"])
def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str) -> None:
    file = _write(tmp_path, _mixed())
    code, stdout, stderr = _run(capsys, "passkeys", action, "--json", file)
    assert code == 1
    assert stderr == ""
    data = json.loads(stdout)
    assert data["file"] == file
    assert data["summary"] == {
        "passkeys": 4,
        "verified": 2,
        "failed": 2,
        "line": "4 passkeys: 2 verified, 2 failed",
    }
    by_item = {row["item"]: row for row in data["passkeys"]}
    assert [row["item"] for row in data["passkeys"]] == ["Good", "Corrupt", "Curve", "No handle"]
    assert by_item["Good"]["result"] == "verified"
    assert by_item["Good"]["findings"] == []
    assert by_item["Good"]["fingerprint"] == KEYS["supported"]["ES256"]["fingerprint"]
    assert by_item["Good"]["path"] == "$.accounts[0].items[0].credentials[0]"
    assert by_item["Good"]["account"] == "tester"
    assert by_item["Corrupt"]["result"] == "failed"
    assert [f["code"] for f in by_item["Corrupt"]["findings"]] == ["passkey.key-not-pkcs8"]
    assert [f["code"] for f in by_item["Curve"]["findings"]] == ["passkey.unsupported-algorithm"]
    assert by_item["Curve"]["algorithm"] is None
    no_handle = by_item["No handle"]
    assert no_handle["result"] == "verified"
    assert no_handle["algorithm"] == "EDDSA"
    assert no_handle["findings"] == [
        {
            "severity": "warning",
            "code": "passkey.user-handle-empty",
            "message": no_handle["findings"][0]["message"],
        }
    ]
    for row in data["passkeys"]:
        assert set(row) == {
            "account",
            "item",
            "path",
            "credential_index",
            "rp_id",
            "username",
            "algorithm",
            "fingerprint",
            "result",
            "findings",
        }


# --------------------------------------------------------------------------- (e) secrets canary


def _secret_spellings() -> list[str]:
    out = []
    for text in [*KEY_TEXTS.values(), EDDSA, *HANDLES.values()]:
        raw = b64u(text)
        out += [text, base64.b64encode(raw).decode(), raw.hex()]
        out += [text[i : i + 24] for i in range(0, len(text) - 24, 24)]  # no long fragment either
    return out


@pytest.mark.parametrize(
    "argv",
    [["verify"], ["list"], ["verify", "--json"], ["list", "--json"], ["-v", "verify"]],
    ids=["verify", "list", "verify-json", "list-json", "verbose"],
)
def test_secrets_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    file = _write(tmp_path, _mixed())
    verbose = argv[0] == "-v"
    args = ["-v", "passkeys", *argv[1:], file] if verbose else ["passkeys", *argv, file]
    _, stdout, stderr = _run(capsys, *args)
    for secret in _secret_spellings():
        assert secret not in stdout
        assert secret not in stderr


def test_report_repr_hides_secrets(tmp_path: Path) -> None:
    doc = cxf.decode(json.dumps(_mixed()).encode())
    for report in check_document(doc):
        text = repr(report) + str(report)
        for secret in _secret_spellings():
            assert secret not in text


# --------------------------------------------------------------------------- (f) unreadable input


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, stderr = _run(capsys, "passkeys", "verify", str(tmp_path / "nope.json"))
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1
    assert stderr.startswith("cxkit: error: ")
    assert "no such file" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "content",
    [b"", b"not json at all", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'{"version": 1}'],
    ids=["empty", "text", "binary", "array", "not-cxf"],
)
@pytest.mark.parametrize("action", ["verify", "list"])
def test_unreadable_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, action: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    code, stdout, stderr = _run(capsys, "passkeys", action, str(path))
    assert code == 2
    assert stdout == ""
    assert stderr.startswith("cxkit: error: ")
    assert stderr.splitlines()[0].startswith("cxkit: error: ")
    assert all(line.startswith(("cxkit: error: ", "hint: ")) for line in stderr.splitlines())
    assert "Traceback" not in stderr


def test_folder_and_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = _run(capsys, "passkeys", "verify", str(tmp_path))
    assert code == 2
    assert stderr.startswith("cxkit: error: ") and stderr.count("\n") == 1
    file = _write(tmp_path, _mixed())
    code, stdout, stderr = _run(capsys, "passkeys", "verify", "--max-size", "100", file)
    assert code == 2
    assert stdout == ""
    assert stderr.startswith("cxkit: error: ")
    assert "Traceback" not in stderr


# --------------------------------------------------------------------------- decoder-ignored passkeys


def test_passkey_ignored_by_decoder_is_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _passkey("broken", key=ES256, user_handle=HANDLES["good"])
    del broken["rpId"]
    garbage = _passkey("garbage", key="not*base64url!", user_handle=HANDLES["good"])
    doc = _document(
        _item(0, "Good", _passkey("good", key=ES256, user_handle=HANDLES["good"]), broken),
        _item(1, "Garbage", garbage),
    )
    file = _write(tmp_path, doc)
    code, stdout, _ = _run(capsys, "passkeys", "verify", file)
    assert code == 1
    assert stdout.splitlines()[-1] == "3 passkeys: 1 verified, 2 failed"
    assert "FAILED: passkey.unreadable" in stdout
    assert "$.accounts[0].items[0].credentials[1]" in stdout
    assert "`rpId` missing" in stdout
    assert "not*base64url!" not in stdout

    code, stdout, _ = _run(capsys, "passkeys", "verify", "--json", file)
    rows = json.loads(stdout)["passkeys"]
    assert [r["result"] for r in rows] == ["verified", "failed", "failed"]
    assert rows[1]["rp_id"] is None and rows[1]["username"] == "broken@example.com"
    assert rows[2]["rp_id"] == "example.com"
    assert [f["code"] for f in rows[2]["findings"]] == ["passkey.unreadable"]


def test_no_passkeys_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _document(
        _item(0, "Empty", {"type": "note", "content": {"fieldType": "string", "value": "x"}})
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(doc).encode())))
    code, stdout, _ = _run(capsys, "passkeys", "verify", "-")
    assert code == 0
    assert stdout.splitlines() == ["-: no passkeys", "0 passkeys: 0 verified, 0 failed"]


def test_account_root_paths(tmp_path: Path) -> None:
    account = _document(_item(0, "Good", _passkey("good", key=ES256, user_handle=HANDLES["good"])))[
        "accounts"
    ][0]
    doc = cxf.decode(json.dumps(account).encode())
    (report,) = check_document(doc)
    assert report.path == "$.items[0].credentials[0]"
    assert report.ok


def test_terminal_escapes_are_neutralised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = _passkey("evil", key=ES256, user_handle=HANDLES["good"])
    evil["username"] = "eve\x1b[2J\u202e"
    file = _write(tmp_path, _document(_item(0, "T\x1b]0;owned\x07itle", evil)))
    code, stdout, _ = _run(capsys, "passkeys", "verify", file)
    assert code == 0
    assert "\x1b" not in stdout and "\u202e" not in stdout and "\x07" not in stdout
    assert "\\x1b" in stdout


def test_progress_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passkeys_cmd, "PROGRESS_EVERY", 2)
    items = [
        _item(i, f"P{i}", _passkey(f"p{i}", key=EDDSA, user_handle=HANDLES["good"]))
        for i in range(5)
    ]
    file = _write(tmp_path, _document(*items))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, stdout, stderr = _run(capsys, "passkeys", "verify", file)
    assert code == 0
    assert "checked 2/5 passkeys" in stderr and "checked 4/5 passkeys" in stderr
    assert stdout.splitlines()[-1] == "5 passkeys: 5 verified, 0 failed"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    _, _, stderr = _run(capsys, "passkeys", "verify", file)
    assert stderr == ""


def test_help_texts(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["passkeys", "--help"],
        ["passkeys", "verify", "--help"],
        ["passkeys", "list", "--help"],
    ):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 0
        text = capsys.readouterr().out
        assert "Exit status" in text
    with pytest.raises(SystemExit) as info:
        cli.main(["passkeys"])
    assert info.value.code == 2


# --------------------------------------------------------------------------- library helper


def test_check_document_reports() -> None:
    doc = cxf.decode(json.dumps(_mixed()).encode())
    assert count_passkeys(doc) == 4
    seen: list[tuple[int, int]] = []
    reports = check_document(doc, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert all(isinstance(r, PasskeyReport) for r in reports)
    good, corrupt, curve, no_handle = reports
    assert (good.account_index, good.item_index, good.credential_index) == (0, 0, 0)
    assert good.account_name == "tester" and good.item_title == "Good"
    assert good.rp_id == "example.com" and good.username == "good@example.com"
    assert good.algorithm is Algorithm.ES256 and good.ok and good.decoded
    assert good.item.title == "Good" and good.account.username == "tester"
    assert corrupt.codes == ("passkey.key-not-pkcs8",) and not corrupt.ok
    assert curve.codes == ("passkey.unsupported-algorithm",)
    assert no_handle.ok and no_handle.codes == ("passkey.user-handle-empty",)
    assert no_handle.algorithm is Algorithm.EDDSA


def test_check_passkey_mapping() -> None:
    doc = cxf.decode(json.dumps(_mixed()).encode())
    passkey = check_document(doc)[0].credential
    assert isinstance(passkey, cxf.Passkey)
    # backup flags pass through (adapters); BS without BE is a warning
    result = check_passkey(passkey, backup_eligible=False, backup_state=True)
    assert result.ok and result.codes == ("passkey.backup-flags-inconsistent",)
    assert check_passkey(passkey, backup_eligible=True, backup_state=True).ok
    assert check_passkey(passkey, expected_rp_id="other.example").codes == (
        "passkey.rp-id-mismatch",
    )
    # a struct built by hand with a member that is not base64url
    bad = cxf.replace(passkey, key="not base64url!", user_handle="+/+/")
    checked = check_passkey(bad)
    assert not checked.ok
    assert checked.codes == ("passkey.unreadable", "passkey.unreadable")
    assert all("not base64url!" not in f.message for f in checked.findings)
    assert check_passkey(cxf.replace(passkey, key=None)).codes == ("passkey.unreadable",)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "rp_id",
    [
        "example.com",
        "localhost",
        "xn--bcher-kva.example",
        "foo.123",
        "1.2.3.4.5",
        "Example.com",
        "example.com.",
        "a..b",
        " example.com",
    ],
)
def test_one_rp_id_rule(rp_id: str) -> None:
    """The CXF validator and the verifier use the same rule (cxkit.cxf.rpid)."""
    assert is_valid_rp_id(rp_id) == (rp_id_problem(rp_id) is None)
    doc = _document(
        _item(0, "T", _passkey("t", key=ES256, user_handle=HANDLES["good"], rp_id=rp_id))
    )
    decoded = cxf.decode(json.dumps(doc).encode())
    validator_flags = any(f.code == "passkey.rp-id-invalid" for f in cxf.validate(decoded))
    (report,) = check_document(decoded)
    assert validator_flags == ("passkey.rp-id-invalid" in report.codes)
    assert validator_flags == (rp_id_problem(rp_id) is not None)
