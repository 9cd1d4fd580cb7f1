"""The ``cxkit-sealed`` adapter (P0 passphrase-sealed archive as a convert SOURCE / DEST) and
``cxkit convert``'s progress line."""

from __future__ import annotations

import io
import json
import stat
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from _bw_adapter_data import PASSWORD_CANARY, personal_export

from cxkit import adapters, cxf
from cxkit.adapters import MigrationReport, ReadOptions, WriteOptions
from cxkit.adapters.p0archive import READ_PROMPT, SealedArchiveAdapter
from cxkit.cli._progress import Progress
from cxkit.cli.main import main
from cxkit.crypto.passphrase import WrongSecretError, is_recovery_code
from cxkit.errors import AdapterError, InputError

CODE_RE = r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}"


def _seal_bitwarden() -> tuple[bytes, str]:
    codes: list[str] = []
    conversion = adapters.convert(
        json.dumps(personal_export()).encode(),
        "bw.json",
        to="cxkit-sealed",
        write_options=WriteOptions(on_recovery_code=codes.append),
    )
    assert conversion.output is not None and len(codes) == 1 and is_recovery_code(codes[0])
    return conversion.output, codes[0]


def _fido2(export: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(
        (
            (item["name"], cred)
            for item in export["items"]
            for cred in item.get("login", {}).get("fido2Credentials") or ()
        ),
        key=lambda pair: (pair[0], pair[1]["credentialId"]),
    )


@pytest.fixture(scope="module")
def sealed() -> tuple[bytes, str]:
    return _seal_bitwarden()


def test_bitwarden_sealed_bitwarden_keeps_every_passkey(sealed: tuple[bytes, str]) -> None:
    archive, code = sealed
    assert PASSWORD_CANARY.encode() not in archive and code.encode() not in archive
    prompts: list[str] = []

    def password(prompt: str) -> str:
        prompts.append(prompt)
        return code.lower()  # a recovery code is read whatever its case

    back = adapters.convert(
        archive, "vault.cxp", to="bitwarden-json", read_options=ReadOptions(password=password)
    )
    assert prompts == [READ_PROMPT] and "recovery code" in READ_PROMPT
    report = back.report
    assert report.source_format == "cxkit-sealed" and report.encrypted is False  # plain DEST
    assert len(report.passkeys) == 3 and all(p["ok"] for p in report.passkeys)
    assert back.output is not None
    assert _fido2(json.loads(back.output)) == _fido2(personal_export())


def test_wrong_secret_is_one_clear_error(sealed: tuple[bytes, str]) -> None:
    archive, _ = sealed
    with pytest.raises(WrongSecretError) as caught:
        adapters.convert(
            archive,
            "vault.cxp",
            to="cxf-json",
            read_options=ReadOptions(password=lambda _: "not the secret at all"),
        )
    assert caught.value.location == "vault.cxp"
    with pytest.raises(adapters.PasswordNeededError):
        adapters.read(archive, "vault.cxp")


def test_detection_picks_the_archive(sealed: tuple[bytes, str]) -> None:
    archive, _ = sealed
    result = adapters.detect(adapters.make_sample(archive, "vault.cxp"))
    assert result.adapter.info.key == "cxkit-sealed"
    assert result.confidence == adapters.Confidence.CERTAIN
    other = json.dumps({"profile": "something-else", "kdf": {}}).encode()
    sample = adapters.make_sample(other, "x.json")
    assert SealedArchiveAdapter().accepts(sample) == adapters.Confidence.NO
    info = adapters.get("cxkit-sealed").info
    assert info.can(adapters.Capability.ENCRYPTED) and not info.plaintext
    assert "file" in info.credential_types


def _sample_vault() -> tuple[bytes, dict[str, bytes]]:
    folder = resources.files("cxkit.samples")
    data = folder.joinpath("sample-vault.cxf.json").read_bytes()
    (file_id,) = [
        c.id
        for _, item in cxf.decode(data).items()
        for c in item.credentials
        if isinstance(c, cxf.File)
    ]
    return data, {file_id: folder.joinpath("sample-vault.file-1.bin").read_bytes()}


def test_attachments_survive_cxf_sealed_cxf() -> None:
    data, attachments = _sample_vault()
    conversion = adapters.convert(
        data,
        "vault.cxf.json",
        to="cxkit-sealed",
        write_options=WriteOptions(
            password=lambda _: "a long passphrase, 2026!", attachments=attachments
        ),
    )
    assert conversion.output is not None
    back = adapters.convert(
        conversion.output,
        "vault.cxp",
        to="cxf-json",
        read_options=ReadOptions(password=lambda _: "a long passphrase, 2026!"),
    )
    assert back.attachments == attachments
    assert back.output is not None
    original = cxf.decode(data)
    assert cxf.decode(back.output).header.accounts == original.header.accounts
    findings = cxf.validate(cxf.decode(back.output), attachments=back.attachments)
    assert not [f for f in findings if f.code.startswith("file.")]  # bytes match size and hash


def test_write_refuses_missing_attachment_bytes_and_bad_secrets() -> None:
    data, _ = _sample_vault()
    doc = cxf.decode(data)
    adapter = SealedArchiveAdapter()
    with pytest.raises(AdapterError, match="no bytes for attachment"):
        adapter.write(doc, WriteOptions(password=lambda _: "x" * 20), MigrationReport())
    data2 = json.dumps(personal_export()).encode()
    bw_doc, _ = adapters.read(data2, "bw.json")
    with pytest.raises(adapters.PasswordNeededError):
        adapter.write(bw_doc, WriteOptions(), MigrationReport())
    typo = "G9TY-0B0H-N879-JMCN-J0TF-P9E3-ZGHK"  # shaped like a code, check symbols wrong
    with pytest.raises(InputError, match="mistyped recovery code"):
        adapter.write(bw_doc, WriteOptions(password=lambda _: typo), MigrationReport())
    # dry run: nothing sealed, no code generated
    codes: list[str] = []
    adapter.write(
        bw_doc, WriteOptions(on_recovery_code=codes.append), MigrationReport(dry_run=True)
    )
    assert codes == []


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def bw_file(tmp_path: Path) -> Path:
    path = tmp_path / "bw.json"
    path.write_bytes(json.dumps(personal_export()).encode())
    return path


def test_cli_convert_to_sealed_and_back(
    bw_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import re

    vault = tmp_path / "vault.cxp"
    assert main(["convert", str(bw_file), "-o", str(vault)]) == 0  # no --plaintext needed
    captured = capsys.readouterr()
    assert stat.S_IMODE(vault.stat().st_mode) == 0o600
    codes = re.findall(CODE_RE, captured.err)
    assert len(codes) == 1 and "shown only this once" in captured.err
    assert codes[0] not in captured.out and "3 verified, 0 failed" in captured.out
    assert "\r" not in captured.err  # stderr is not a terminal: no progress line

    monkeypatch.setenv("CODE", codes[0])
    export = tmp_path / "export.json"
    argv = ["convert", str(vault), "-o", str(export), "--to", "bitwarden-json", "--plaintext"]
    assert main([*argv, "--password-env", "CODE"]) == 0
    captured = capsys.readouterr()
    assert "3 verified, 0 failed" in captured.out
    assert codes[0] not in captured.out + captured.err
    assert _fido2(json.loads(export.read_bytes())) == _fido2(personal_export())
    assert main(["detect", str(vault)]) == 0
    assert capsys.readouterr().out.startswith("cxkit-sealed")

    # a wrong secret: one error, no output
    monkeypatch.setenv("WRONG", "not the recovery code")
    other = tmp_path / "other.json"
    argv = ["convert", str(vault), "-o", str(other), "--to", "bitwarden-json", "--plaintext"]
    assert main([*argv, "--password-env", "WRONG"]) == 2
    err = capsys.readouterr().err
    assert err.count("error") == 1 and "wrong passphrase or recovery code" in err
    assert not other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bw.json", "export.json", "vault.cxp"]


def test_cli_sealed_with_passphrase_dry_run_and_attachments(
    bw_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PHRASE", "correct horse battery staple")
    vault = tmp_path / "vault.cxp"
    argv = ["convert", str(bw_file), "-o", str(vault), "--new-password-env", "PHRASE", "-q"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "Recovery code" not in captured.err
    assert main(["convert", str(vault), "--dry-run", "--password-env", "PHRASE", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passkeys"]["total"] == 3
    # dry run to a sealed DEST: nothing written, no code printed
    dry = tmp_path / "dry.cxp"
    assert main(["convert", str(bw_file), "-o", str(dry), "--dry-run", "-q"]) == 0
    assert not dry.exists() and "Recovery code" not in capsys.readouterr().err

    # attachments: sealed → CXF JSON writes them next to the JSON
    data, attachments = _sample_vault()
    conversion = adapters.convert(
        data,
        "v.json",
        to="cxkit-sealed",
        write_options=WriteOptions(
            password=lambda _: "correct horse battery staple", attachments=attachments
        ),
    )
    assert conversion.output is not None
    with_files = tmp_path / "files.cxp"
    with_files.write_bytes(conversion.output)
    out = tmp_path / "out.cxf.json"
    argv = ["convert", str(with_files), "-o", str(out), "--plaintext", "--password-env", "PHRASE"]
    assert main([*argv, "-q"]) == 0
    ((file_id, blob),) = attachments.items()
    assert (tmp_path / "out.cxf.json.attachments" / file_id).read_bytes() == blob


# --------------------------------------------------------------------------- progress


def test_progress_line_drawn_paused_and_cleared() -> None:
    report = MigrationReport()
    stream = io.StringIO()
    with Progress(report, enabled=True, stream=stream, delay=0, interval=0.01) as progress:
        report.items_read = 1234
        progress.update("read")
        assert progress.text().startswith("reading 1,234 items  0:0")
        progress.update("verify", 2, 3)
        assert progress.text().startswith("verifying passkeys 2/3  [")
        progress.update("write")
        report.items_written = 5
        assert progress.text().startswith("writing 5/1,234 items")
        asked = progress.wrap(lambda prompt: prompt.upper())
        assert asked("x") == "X"
        import time

        deadline = time.monotonic() + 2
        while "writing 5/1,234" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
    text = stream.getvalue()
    assert "writing 5/1,234 items" in text and text.endswith("\r\x1b[K")  # erased at the end
    quiet = io.StringIO()
    with Progress(report, enabled=False, stream=quiet, delay=0):
        pass
    assert quiet.getvalue() == ""
    assert not Progress.for_terminal(report, quiet=True).enabled


def test_convert_reports_phases_to_progress(bw_file: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    adapters.convert(
        bw_file.read_bytes(),
        "bw.json",
        to="cxf-json",
        progress=lambda *a: seen.append(a),
    )
    phases = [p for p, _, _ in seen]
    assert phases[0] == "read" and phases[-1] == "write"
    assert ("verify", 3, 3) in seen
