"""The CXF commands of the CLI: ``cxkit validate | inspect | fmt | schema``."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cxkit import cxf
from cxkit.cli.main import main
from shared_evidence import shared_path

DATA = Path(__file__).with_name("data")
SMALL = DATA / "small-valid.json"
QUIRKS = DATA / "quirks.json"
CANARY = "CANARY-small-valid-password"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken(tmp_path: Path) -> dict[str, Path]:
    files = {
        "missing": tmp_path / "does-not-exist.json",
        "not-json": tmp_path / "not-json.json",
        "not-cxf": tmp_path / "not-cxf.json",
        "folder": tmp_path / "a-folder.json",
    }
    files["not-json"].write_bytes(b"{ broken\n")
    files["not-cxf"].write_bytes(b'{"hello": 1}')
    files["folder"].mkdir()
    return files


def error_document(tmp_path: Path) -> Path:
    value = json.loads(SMALL.read_bytes())
    value["accounts"][0]["items"].append("not an item")  # member.invalid-element (error)
    path = tmp_path / "with-error.json"
    path.write_text(json.dumps(value))
    return path


# --------------------------------------------------------------------------- validate


def test_validate_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", str(SMALL))
    assert code == 0 and "valid — 0 errors" in out
    code, out, _ = run(capsys, "validate", str(QUIRKS))
    assert code == 0 and "[member.unknown]" in out  # warnings and notices only
    code, out, _ = run(capsys, "validate", str(error_document(tmp_path)))
    assert code == 1 and "INVALID" in out and "[member.invalid-element]" in out
    code, _, err = run(capsys, "validate", str(SMALL), str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in err


def test_validate_level_filters_lines(capsys: pytest.CaptureFixture[str]) -> None:
    _, everything, _ = run(capsys, "validate", str(QUIRKS))
    _, errors_only, _ = run(capsys, "validate", "--level", "error", str(QUIRKS))
    assert "[member.unknown]" in everything and "[member.unknown]" not in errors_only
    assert errors_only.splitlines()[0] == everything.splitlines()[0]  # the summary line stays


def test_validate_json_shape(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "validate", "--json", str(QUIRKS))
    assert code == 0
    report = json.loads(out)
    assert report["file"] == str(QUIRKS) and report["readable"] is True and report["valid"] is True
    assert set(report["counts"]) == {"error", "warning", "info"}
    assert sum(report["counts"].values()) == len(report["findings"]) > 0
    for finding in report["findings"]:
        assert set(finding) == {"severity", "code", "path", "message"}
        assert finding["code"] in cxf.CODES and finding["path"].startswith("$")
    bad = error_document(tmp_path)
    missing = tmp_path / "nope.json"
    code, out, err = run(capsys, "validate", "--json", str(SMALL), str(bad), str(missing))
    assert code == 2 and err == ""
    reports = json.loads(out)
    assert [r["file"] for r in reports] == [str(SMALL), str(bad), str(missing)]
    assert [r["readable"] for r in reports] == [True, True, False]
    assert reports[1]["valid"] is False and reports[1]["counts"]["error"] == 1
    assert set(reports[2]) == {"file", "readable", "error", "hint"}
    assert "no such file" in reports[2]["error"]


@pytest.mark.parametrize("kind", ["missing", "not-json", "not-cxf", "folder"])
def test_validate_unreadable_file(
    capsys: pytest.CaptureFixture[str], broken: dict[str, Path], kind: str
) -> None:
    code, out, err = run(capsys, "validate", str(broken[kind]))
    assert code == 2
    assert broken[kind].name in err and "cannot read" in err
    assert "Traceback" not in err + out


# --------------------------------------------------------------------------- error boundary


@pytest.mark.parametrize("command", ["inspect", "fmt"])
@pytest.mark.parametrize("kind", ["missing", "not-json", "not-cxf", "folder"])
def test_one_line_error_with_the_file_name(
    capsys: pytest.CaptureFixture[str],
    broken: dict[str, Path],
    tmp_path: Path,
    command: str,
    kind: str,
) -> None:
    argv = [command, str(broken[kind])]
    if command == "fmt":
        argv += ["-o", str(tmp_path / "out.json")]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cxkit: error: ") and broken[kind].name in lines[0]
    assert "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.shared
def test_refused_draft_document_names_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_path("vectors", "cxf", "interop", "legacy-wd-20241003-shape.reconstructed.json")
    code, _, err = run(capsys, "inspect", str(path))
    assert code == 2
    first, *rest = err.splitlines()
    assert first.startswith("cxkit: error: ") and path.name in first and "working-draft" in first
    assert [line for line in rest if not line.startswith("hint: ")] == []


# --------------------------------------------------------------------------- inspect


def test_inspect_small_document_masks_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "inspect", "--items", str(SMALL))
    assert code == 0 and "basic-auth" in out and "totp" in out
    assert CANARY not in out
    code, out, _ = run(capsys, "inspect", "--items", "--json", str(SMALL))
    assert code == 0 and CANARY not in out
    assert json.loads(out)["credentials_by_type"] == {"basic-auth": 1, "totp": 1}
    code, out, _ = run(capsys, "inspect", "--items", "--reveal", str(SMALL))
    assert code == 0 and CANARY in out


def _kitchen_sink_secrets(value: dict[str, Any]) -> dict[str, str]:
    """The canaries: first basic-auth password, TOTP secret, passkey key, card number."""
    found: dict[str, str] = {}
    for account in value["accounts"]:
        for item in account["items"]:
            for c in item["credentials"]:
                kind = c["type"]
                if kind == "basic-auth" and "password" in c:
                    found.setdefault("password", c["password"]["value"])
                elif kind == "totp":
                    found.setdefault("totp", c["secret"])
                elif kind == "passkey":
                    found.setdefault("passkey", c["key"])
                elif kind == "credit-card" and "number" in c:
                    found.setdefault("card", c["number"]["value"])
    return found


@pytest.mark.shared
def test_inspect_kitchen_sink(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_path("vectors", "cxf", "synthetic", "kitchen-sink.json")
    secrets = _kitchen_sink_secrets(json.loads(path.read_bytes()))
    assert set(secrets) == {"password", "totp", "passkey", "card"}
    assert all(len(s) >= 4 for s in secrets.values())
    for argv in (["inspect"], ["inspect", "--items"], ["inspect", "--json", "--items"]):
        code, out, err = run(capsys, *argv, str(path))
        assert code == 0
        for name, secret in secrets.items():
            assert secret not in out + err, f"{name} leaked by {' '.join(argv)}"
    _, out, _ = run(capsys, "inspect", str(path))
    for credential_type in cxf.CREDENTIAL_TYPES:
        assert f"  {credential_type} " in out, credential_type
    assert "future-credential (unknown type, kept)" in out
    _, out, _ = run(capsys, "inspect", "--json", str(path))
    summary = json.loads(out)
    assert set(summary["credentials_by_type"]) == set(cxf.CREDENTIAL_TYPES)
    assert summary["unknown_credential_types"] == {"future-credential": 1}
    _, out, _ = run(capsys, "inspect", "--items", "--reveal", str(path))
    assert secrets["password"] in out


# --------------------------------------------------------------------------- fmt


def test_fmt_is_lossless_and_private(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "out.json"
    code, _, err = run(capsys, "fmt", str(QUIRKS), "-o", str(out_path))
    assert code == 0 and "lossless" in err
    assert json.loads(out_path.read_bytes()) == json.loads(QUIRKS.read_bytes())
    assert stat.S_IMODE(os.stat(out_path).st_mode) == 0o600
    indented = tmp_path / "indented.json"
    assert main(["fmt", "--indent", str(QUIRKS), "-o", str(indented)]) == 0
    assert json.loads(indented.read_bytes()) == json.loads(QUIRKS.read_bytes())
    assert b"\n  " in indented.read_bytes()


def test_fmt_normalize(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "normalized.json"
    code, _, err = run(capsys, "fmt", "--normalize", str(QUIRKS), "-o", str(out_path))
    assert code == 0 and "normalized" in err
    data = out_path.read_bytes()
    assert data == cxf.encode(cxf.decode(QUIRKS.read_bytes()), normalize=True)
    codes = {f.code for f in cxf.validate(cxf.decode(data))}
    assert not {c for c in codes if c.startswith(("b64.", "json.", "timestamp.", "array."))}
    again = tmp_path / "again.json"
    assert main(["fmt", "--normalize", str(out_path), "-o", str(again)]) == 0
    assert again.read_bytes() == data
    capsys.readouterr()


def test_fmt_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["fmt", str(SMALL), "-o", "-"]) == 0
    out, _ = capsysbinary.readouterr()
    assert json.loads(out) == json.loads(SMALL.read_bytes())


def test_fmt_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "exists.json"
    out_path.write_text("keep me")
    code, _, err = run(capsys, "fmt", str(SMALL), "-o", str(out_path))
    assert code == 2 and "already exists" in err and "--force" in err
    assert out_path.read_text() == "keep me"
    code, _, _ = run(capsys, "fmt", "--force", str(SMALL), "-o", str(out_path))
    assert code == 0
    assert json.loads(out_path.read_bytes()) == json.loads(SMALL.read_bytes())
    assert stat.S_IMODE(os.stat(out_path).st_mode) == 0o600


def test_fmt_refuses_output_equal_to_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "doc.json"
    original = SMALL.read_bytes()
    path.write_bytes(original)
    for argv in (
        ["fmt", str(path), "-o", str(path)],
        ["fmt", "--force", str(path), "-o", str(path)],
        ["fmt", "--force", str(path), "-o", str(tmp_path / "." / "doc.json")],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "same file as an input" in err
    assert path.read_bytes() == original


def test_fmt_leaves_no_file_for_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: dict[str, Path]
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for kind in ("missing", "not-json", "not-cxf"):
        code, _, _ = run(capsys, "fmt", "--force", str(broken[kind]), "-o", str(out_dir / "x.json"))
        assert code == 2
    assert list(out_dir.iterdir()) == []


# --------------------------------------------------------------------------- schema


def _schema(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema: dict[str, Any] = json.loads(out)
    return schema


def test_schema_is_a_valid_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    schema = _schema(capsys)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(json.loads(SMALL.read_bytes()))
    assert not validator.is_valid(json.loads(QUIRKS.read_bytes()))  # producer view: closed, no null


def test_schema_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "schema.json"
    assert main(["schema", "-o", str(out_path)]) == 0
    assert json.loads(out_path.read_bytes()) == _schema(capsys)
    code, _, err = run(capsys, "schema", "-o", str(out_path))
    assert code == 2 and "already exists" in err


@pytest.mark.shared
def test_schema_accepts_the_errata_appendix_a(capsys: pytest.CaptureFixture[str]) -> None:
    validator = jsonschema.Draft202012Validator(_schema(capsys))
    errata = json.loads(
        shared_path("vectors", "cxf", "spec", "appendix-a.errata-20260309.json").read_bytes()
    )
    errors = sorted(validator.iter_errors(errata), key=lambda e: list(e.absolute_path))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    ps = json.loads(
        shared_path("vectors", "cxf", "spec", "appendix-a.ps-20250814.json").read_bytes()
    )
    assert not validator.is_valid(ps)  # hmacSecret, extensions: [] (and WPA2) are not CXF


def test_validate_checks_attachments_from_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--attachments DIR: the bytes named by File.id are checked against decryptedSize and
    integrityHash; a missing file is reported, not an error of the command."""
    from importlib import resources

    from cxkit import cxf
    from cxkit.cli.main import main

    folder = resources.files("cxkit.samples")
    data = folder.joinpath("sample-vault.cxf.json").read_bytes()
    (file_id,) = [
        c.id
        for _, item in cxf.decode(data).items()
        for c in item.credentials
        if isinstance(c, cxf.File)
    ]
    source = tmp_path / "vault.json"
    source.write_bytes(data)
    good, bad, empty = tmp_path / "good", tmp_path / "bad", tmp_path / "empty"
    for d in (good, bad, empty):
        d.mkdir()
    (good / file_id).write_bytes(folder.joinpath("sample-vault.file-1.bin").read_bytes())
    (bad / file_id).write_bytes(b"tampered")

    assert main(["validate", str(source), "--attachments", str(good)]) == 0
    assert main(["validate", str(source), "--attachments", str(bad)]) == 1
    assert "file.hash-mismatch" in capsys.readouterr().out
    assert main(["validate", str(source), "--attachments", str(empty)]) == 0
    assert "file.missing-bytes" in capsys.readouterr().out
