"""``cxkit convert`` / ``formats`` / ``detect`` and the framework's detection and input guards."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from _bw_adapter_data import PASSWORD_CANARY, personal_export

from cxkit import adapters
from cxkit.adapters import registry
from cxkit.adapters.kit import input as _input
from cxkit.cli.main import main
from cxkit.errors import AdapterError, DecodeError, InputTooLargeError


@pytest.fixture
def bw_file(tmp_path: Path) -> Path:
    path = tmp_path / "bw.json"
    path.write_bytes(json.dumps(personal_export()).encode())
    return path


def test_convert_to_cxf_requires_plaintext_and_writes_0600(
    bw_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "out.cxf"
    assert main(["convert", str(bw_file), "-o", str(dest)]) == 2
    assert "--plaintext" in capsys.readouterr().err and not dest.exists()
    report = tmp_path / "report.json"
    rc = main(["convert", str(bw_file), "-o", str(dest), "--plaintext", "--report", str(report)])
    captured = capsys.readouterr()
    assert rc == 0
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "3 verified, 0 failed" in captured.out and "PLAINTEXT" in captured.out
    assert PASSWORD_CANARY not in captured.out + captured.err
    full = json.loads(report.read_text())
    assert full["destination"]["plaintext"] is True
    assert full["passkeys"]["total"] == 3
    assert PASSWORD_CANARY not in report.read_text()
    # refuses to overwrite without --force
    assert main(["convert", str(bw_file), "-o", str(dest), "--plaintext"]) == 2


def test_convert_encrypted_both_ways_with_password_options(
    bw_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NEWPW", "pa55-phrase")
    enc = tmp_path / "enc.json"
    argv = ["convert", str(bw_file), "-o", str(enc), "--to", "bitwarden-encrypted-json"]
    assert main([*argv, "--new-password-env", "NEWPW", "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert PASSWORD_CANARY.encode() not in enc.read_bytes()
    assert json.loads(enc.read_bytes())["kdfType"] == 0  # PBKDF2 by default
    argon = tmp_path / "argon.json"
    argv_argon = ["convert", str(bw_file), "-o", str(argon), "--to", "bitwarden-encrypted-json"]
    assert main([*argv_argon, "--new-password-env", "NEWPW", "-q", "--kdf", "argon2id"]) == 0
    assert json.loads(argon.read_bytes())["kdfType"] == 1
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text("pa55-phrase\n")
    back = tmp_path / "back.json"
    rc = main(["convert", str(enc), "-o", str(back), "--to", "bitwarden-json", "--plaintext",
               "--password-file", str(pw_file), "--json"])  # fmt: skip
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"]["format"] == "bitwarden-encrypted-json"
    pw_file.write_text("wrong\n")
    rc = main(["convert", str(enc), "-o", str(tmp_path / "x.json"), "--to", "bitwarden-json",
               "--plaintext", "--password-file", str(pw_file)])  # fmt: skip
    assert rc == 2 and not (tmp_path / "x.json").exists()
    assert "wrong password" in capsys.readouterr().err


def test_dry_run_writes_nothing(
    bw_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "never.json"
    assert (
        main(
            [
                "convert",
                str(bw_file),
                "-o",
                str(dest),
                "--to",
                "bitwarden-encrypted-json",
                "--dry-run",
            ]
        )
        == 0
    )
    assert not dest.exists()
    assert "would be written" in capsys.readouterr().out


def test_formats_and_detect(
    bw_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["formats", "--json"]) == 0
    keys = {f["key"] for f in json.loads(capsys.readouterr().out)["formats"]}
    assert {"cxf-json", "bitwarden-json", "bitwarden-encrypted-json"} <= keys
    assert main(["detect", str(bw_file)]) == 0
    assert capsys.readouterr().out.startswith("bitwarden-json")
    other = tmp_path / "x.csv"
    other.write_text("a,b,c\n1,2,3\n")
    assert main(["detect", str(other)]) == 2
    err = capsys.readouterr().err
    assert "tried" in err and "--from" in err


def test_detect_and_convert_name_known_formats_and_refuse_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A LastPass form-fill CSV is named and refused (non-zero exit, one clear sentence, no cell
    value); an OpenPGP file is named as such, never claimed by a reader."""
    lastpass = tmp_path / "lastpass.csv"
    lastpass.write_text("profilename,profilelanguage,firstname,ccnum\np,en-US,A,Pw-9%x\n")
    assert main(["detect", str(lastpass)]) == 2
    err = capsys.readouterr().err
    assert "this looks like a LastPass form-fill CSV export; cxkit does not read it yet" in err
    assert "Pw-9%x" not in err
    dest = tmp_path / "out.cxf.json"
    assert main(["convert", str(lastpass), "-o", str(dest), "--plaintext"]) != 0
    assert not dest.exists()
    assert "LastPass" in capsys.readouterr().err
    gpg = tmp_path / "entry.gpg"
    gpg.write_bytes(b"-----BEGIN PGP MESSAGE-----\n\nhQEMAy7l\n-----END PGP MESSAGE-----\n")
    assert main(["detect", str(gpg)]) == 2
    assert "OpenPGP-encrypted file: decrypt it with gpg first" in capsys.readouterr().err
    assert main(["detect", "--json", str(lastpass)]) == 2
    answer = json.loads(capsys.readouterr().out)
    assert (answer["format"], answer["verdict"]) == (None, "known:lastpass")


def test_detection_ambiguity_names_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    class Twin:
        info = adapters.AdapterInfo(
            key="twin-json", app="Twin", format="t", versions="1",
            capabilities=adapters.Capability.READ, credential_types=frozenset(), how_to_export="",
        )  # fmt: skip

        def accepts(self, sample: adapters.Sample) -> adapters.Confidence:
            return adapters.Confidence.CERTAIN

        def read(self, *a: Any) -> Any:
            raise AssertionError

    class EP:
        name = "twin"

        def load(self) -> Any:
            return Twin

    class Broken:
        name = "broken"

        def load(self) -> Any:
            raise ImportError("boom")

    registry._reset_for_tests()
    monkeypatch.setattr(registry, "_entry_points", lambda: [EP(), Broken()])
    try:
        sample = adapters.make_sample(json.dumps(personal_export()).encode(), "x.json")
        with pytest.raises(adapters.DetectionError, match="ambiguous") as info:
            adapters.detect(sample)
        assert "--from" in (info.value.hint or "")
        assert any("broken" in e for e in adapters.plugin_errors())
    finally:
        registry._reset_for_tests()


def test_csv_guards() -> None:
    headers = [frozenset({"name", "password"})]
    table = _input.read_csv(b'\xef\xbb\xbfname,password\r\n\r\nx,"multi\nline"\n', headers=headers)
    assert table.rows == [(3, {"name": "x", "password": "multi\nline"})]
    with pytest.raises(DecodeError, match="not UTF-8"):
        _input.read_csv(b"name,password\nx,\xff\xfe\xfa\n", headers=headers)
    with pytest.raises(AdapterError, match="unexpected CSV columns"):
        _input.read_csv(b"a,b\n1,2\n", headers=headers)
    with pytest.raises(AdapterError, match="columns") as info:
        _input.read_csv(b"name,password\nx,y,z\n", headers=headers)
    assert info.value.location == ":2"
    with pytest.raises(InputTooLargeError):
        _input.read_csv(
            b'name,password\nx,"' + b"a" * 5000 + b'"\n', headers=headers, max_cell=1000
        )


def test_zip_traversal_is_refused_by_detection_and_reader() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../evil.json", b"{}")
    data = buf.getvalue()
    assert adapters.make_sample(data, "e.zip").zip_names is None
    with pytest.raises(DecodeError):
        _input.zip_archive(data, name="e.zip")
    with pytest.raises(adapters.DetectionError, match="zip"):
        adapters.detect(adapters.make_sample(data, "e.zip"))


def test_convert_guesses_the_destination_format_from_a_unique_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``-o vault.kdbx`` picks the KeePass writer; ``-o x.json`` is ambiguous and says so."""
    from importlib import resources

    source = tmp_path / "export.json"
    source.write_bytes(
        resources.files("cxkit.samples").joinpath("sample-bitwarden.json").read_bytes()
    )
    monkeypatch.setenv("NEW_PW", "guess-test-password-1")
    dest = tmp_path / "vault.kdbx"
    assert (
        main(["convert", str(source), "-o", str(dest), "--new-password-env", "NEW_PW", "-q"]) == 0
    )
    assert dest.read_bytes()[:4] == bytes.fromhex("03d9a29a")
    capsys.readouterr()
    assert main(["convert", str(source), "-o", str(tmp_path / "x.json")]) == 2
    assert "could be" in capsys.readouterr().err
