"""``-q/--quiet`` (issue #18): on success every command leaves standard error empty, but for
what the user must see to go on — a recovery code shown once (``seal``, a sealed DEST), the
request fingerprint of ``request``, the pairing string and QR code of ``receive``; errors
still appear. Standard output carries no summary either."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from cxkit.cli.main import main

RECOVERY = re.compile(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){6}")


@pytest.fixture
def samples(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "samples"
    assert main(["demo", "--out", str(folder), "-q"]) == 0
    got = capsys.readouterr()
    assert got.out == "" and got.err == ""  # demo itself is quiet
    return folder


def quiet(capsys: pytest.CaptureFixture[str], argv: list[str], rc: int = 0) -> str:
    """Run *argv* with ``-q``; its exit code must be *rc* and standard output empty; returns
    standard error."""
    assert main([*argv, "-q"]) == rc
    got = capsys.readouterr()
    assert got.out == "", argv
    return got.err


def test_reading_commands_are_silent(samples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cxf, bw = str(samples / "sample-vault.cxf.json"), str(samples / "sample-bitwarden.json")
    assert main(["formats", "-q"]) == 0  # its -q lists the keys alone (data, not a summary)
    got = capsys.readouterr()
    assert got.err == "" and "bitwarden-json\n" in got.out
    for argv in (
        ["detect", bw],
        ["validate", cxf, bw],
        ["inspect", bw],
        ["passkeys", "list", cxf],
        ["passkeys", "verify", cxf],
        ["totp", "list", bw],
        ["totp", "verify", bw, "--against", cxf],
        ["diff", cxf, cxf],
    ):
        assert quiet(capsys, argv) == "", argv


def test_writing_commands_are_silent(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cxf, bw = str(samples / "sample-vault.cxf.json"), str(samples / "sample-bitwarden.json")
    out = tmp_path / "out"
    out.mkdir()
    assert quiet(capsys, ["schema", "-o", str(out / "schema.json")]) == ""
    assert quiet(capsys, ["fmt", cxf, "-o", str(out / "fmt.cxf.json")]) == ""
    argv = ["convert", bw, "-o", str(out / "c.cxf.json"), "--plaintext"]
    assert quiet(capsys, argv) == ""
    argv = ["merge", bw, cxf, "-o", str(out / "m.cxf.json"), "--plaintext"]
    assert quiet(capsys, argv) == ""
    # a deprecated spelling's note is silenced too
    pw = out / "pw.txt"
    pw.write_text("a long enough passphrase 1\n")
    argv = ["convert", bw, "-o", str(out / "c.kdbx"), "--new-password-file", str(pw)]
    assert quiet(capsys, argv) == ""
    argv = ["inspect", str(out / "c.kdbx"), "--source-password-file", str(pw)]
    assert quiet(capsys, argv) == ""


def test_a_recovery_code_is_still_shown_once(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bw = str(samples / "sample-bitwarden.json")
    err = quiet(capsys, ["seal", bw, "-o", str(tmp_path / "v.cxp")])
    (code,) = [m.group(0) for m in RECOVERY.finditer(err)]  # shown exactly once
    assert "Recovery code" in err and "wrote" not in err and "items" not in err
    # and it opens the archive; open itself is silent
    (tmp_path / "code.txt").write_text(code + "\n")
    argv = ["open", str(tmp_path / "v.cxp"), "-o", str(tmp_path / "opened.cxf.json")]
    assert quiet(capsys, [*argv, "--passphrase-file", str(tmp_path / "code.txt")]) == ""
    # convert to a sealed DEST: the code, nothing else
    err = quiet(capsys, ["convert", bw, "-o", str(tmp_path / "c.cxp")])
    assert "Recovery code" in err and "carried" not in err


def test_the_file_exchange_keeps_only_the_fingerprint(
    samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request, response = tmp_path / "request.json", tmp_path / "response.json"
    err = quiet(capsys, ["request", "-o", str(request)])
    (line,) = err.strip().splitlines()
    assert re.fullmatch(r"request fingerprint:\s+[0-9a-f ]+", line)
    bw = str(samples / "sample-bitwarden.json")
    argv = ["export", bw, "--request", str(request), "-o", str(response), "--yes"]
    assert quiet(capsys, argv) == ""  # --yes: nothing to confirm, nothing shown
    argv = ["import", str(response), "--request", str(request), "-o", str(tmp_path / "i.json")]
    assert quiet(capsys, argv) == ""


def test_errors_still_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tmp_path / "missing.json"), "-q"]) == 2
    got = capsys.readouterr()
    assert got.out == "" and got.err.startswith("cxkit: error:")


def test_the_live_transfer_keeps_the_pairing_string_and_qr_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "transfer"))
    try:
        from test_transfer_cli import FastReceiver, finish, receive_in_background, write_small
    finally:
        sys.path.pop(0)
    from cxkit.cli.commands import transfer as transfer_cli

    monkeypatch.setattr(transfer_cli, "Receiver", FastReceiver)
    while not FastReceiver.started.empty():
        FastReceiver.started.get()
    src, att = write_small(tmp_path)
    out = tmp_path / "out.json"
    thread, box, rx = receive_in_background(["receive", "-o", str(out), "-q"])
    monkeypatch.setattr(sys, "stdin", io.StringIO(rx.pairing.to_string() + "\n"))
    assert main(["send", str(src), "-", "--attachments", str(att), "--yes", "-q"]) == 0
    assert finish(thread, box, rx) == 0
    got = capsys.readouterr()
    assert got.out == ""
    text = rx.pairing.to_string()
    lines = [line for line in got.err.splitlines() if line.strip()]
    assert lines[0] == text  # the pairing string, bare
    assert all(set(line) <= set("█▀▄ ") for line in lines[1:])  # then only the QR code
    assert 15 <= len(lines[1:]) <= 23
    assert out.exists()
