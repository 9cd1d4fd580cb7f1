"""``cxkit receive`` / ``cxkit send`` in-process on loopback: the kitchen-sink vector with its
attachment, a small document, refusals (exit 2, one error line) and canaries."""

from __future__ import annotations

import hashlib
import io
import json
import queue
import re
import shutil
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxkit import cxf
from cxkit.cli.commands import transfer as transfer_cli
from cxkit.cli.main import main
from cxkit.crypto._b64 import b64u_encode
from cxkit.cxp.messages import ErrorCode
from cxkit.transfer import Receiver, TransferDeclinedError

CANARY_PW = "canary-cli-live-pw-Zx81"
CANARY_FILE = b"cli live attachment \x00\x01"
FILE_ID = "ZmlsZS0x"
KS_FILE_ID = "wrs8z_9qXexjv8mLN0OL0Q"


def write_small(tmp_path: Path) -> tuple[Path, Path]:
    doc = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "vault.example.org",
        "timestamp": 1_600_000_000,  # old on purpose: 'send' sets it to now
        "accounts": [
            {
                "id": "YWNjb3VudC0x",
                "username": "alice",
                "email": "alice@example.org",
                "items": [
                    {
                        "id": "aXRlbS0x",
                        "title": "Mail",
                        "credentials": [
                            {
                                "type": "basic-auth",
                                "password": {"fieldType": "concealed-string", "value": CANARY_PW},
                            },
                            {
                                "type": "file",
                                "id": FILE_ID,
                                "name": "notes.txt",
                                "decryptedSize": len(CANARY_FILE),
                                "integrityHash": b64u_encode(hashlib.sha256(CANARY_FILE).digest()),
                            },
                        ],
                    }
                ],
            }
        ],
    }
    src = tmp_path / "source.json"
    src.write_text(json.dumps(doc))
    att = tmp_path / "att"
    att.mkdir()
    (att / FILE_ID).write_bytes(CANARY_FILE)
    return src, att


class FastReceiver(Receiver):
    """The CLI's Receiver with a short I/O timeout; publishes itself for the test."""

    started: queue.SimpleQueue[Receiver] = queue.SimpleQueue()

    def __init__(self, **kw: Any) -> None:
        kw["io_timeout"] = 1.0
        super().__init__(**kw)

    def start(self) -> Receiver:
        super().start()
        FastReceiver.started.put(self)
        return self


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(transfer_cli, "Receiver", FastReceiver)
    while not FastReceiver.started.empty():
        FastReceiver.started.get()
    yield


def receive_in_background(argv: list[str]) -> tuple[threading.Thread, dict[str, Any], Receiver]:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["rc"] = main(argv)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    rx = FastReceiver.started.get(timeout=10)
    return thread, box, rx


def finish(thread: threading.Thread, box: dict[str, Any], rx: Receiver) -> int:
    thread.join(10)
    if thread.is_alive():
        rx.cancel()
        thread.join(5)
        pytest.fail("cxkit receive did not finish")
    assert "error" not in box, box.get("error")
    rc: int = box["rc"]
    return rc


def assert_private(path: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_cli_small_document(fast: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, att = write_small(tmp_path)
    out = tmp_path / "out.json"
    thread, box, rx = receive_in_background(["receive", "-o", str(out), "--timeout", "60"])
    pairing = rx.pairing.to_string()
    rc_send = main(["send", str(src), pairing, "--attachments", str(att), "--yes"])
    assert finish(thread, box, rx) == 0
    assert rc_send == 0
    err = capsys.readouterr().err
    assert "the receiver checked and accepted the export" in err
    assert "fingerprint:" in err and rx.fingerprint in err
    assert "cxkit send SOURCE - --yes" in err and pairing in err  # the ready-to-run line
    # the pairing string (a one-time key) is never offered as a command-line argument
    assert not any("cxkit send" in line and pairing in line for line in err.splitlines())
    assert "█" in err or "▀" in err  # the QR code
    got = cxf.decode(out.read_bytes())
    assert abs(got.header.timestamp - time.time()) < 60
    assert_private(out)
    blob = tmp_path / "out.json.attachments" / FILE_ID
    assert blob.read_bytes() == CANARY_FILE
    assert_private(blob)
    # canaries: no credential value or key printed; the PSK only inside the pairing string
    assert CANARY_PW not in err
    assert CANARY_FILE.decode("latin-1") not in err
    psk = b64u_encode(rx.pairing.psk)
    assert psk not in err  # it only appears base64url-wrapped inside cxp-p0:…


@pytest.mark.shared
def test_cli_kitchen_sink_with_attachment(
    fast: None, shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ``shared`` (tests/conftest.py) skips when ../shared is absent; a plain
    # ``from shared_evidence import shared_path`` would pick up tests/passkey/conftest.py here.
    src = shared / "vectors" / "cxf" / "synthetic" / "kitchen-sink.json"
    blob = shared / "vectors" / "cxf" / "synthetic" / "kitchen-sink.file-1.bin"
    assert src.is_file() and blob.is_file()
    att = tmp_path / "att"
    att.mkdir()
    shutil.copyfile(blob, att / KS_FILE_ID)  # into tmp_path only
    out = tmp_path / "ks.json"
    thread, box, rx = receive_in_background(
        ["receive", "-o", str(out), "--no-qr", "--attachments-out", str(tmp_path / "files")]
    )
    rc = main(["send", str(src), rx.pairing.to_string(), "--attachments", str(att), "--yes"])
    assert rc == 0
    assert finish(thread, box, rx) == 0
    got, want = cxf.decode(out.read_bytes()).header, cxf.decode(src.read_bytes()).header
    assert cxf.replace(got, timestamp=want.timestamp) == want
    assert (tmp_path / "files" / KS_FILE_ID).read_bytes() == blob.read_bytes()
    assert "█" not in capsys.readouterr().err  # --no-qr


def test_cli_send_declined_at_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    src, att = write_small(tmp_path)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty("n\n"))
    with Receiver(lifetime=20, io_timeout=1.0) as rx:
        rc = main(["send", str(src), rx.pairing.to_string(), "--attachments", str(att)])
        assert rc == 1
        with pytest.raises(TransferDeclinedError) as info:
            rx.wait()
        assert info.value.code == ErrorCode.USER_CANCELED
    err = capsys.readouterr().err
    assert "nothing sent; the receiver was told" in err
    assert CANARY_PW not in err


def one_error(rc: int, err: str) -> None:
    assert rc == 2, err
    assert "Traceback" not in err
    assert len([x for x in err.splitlines() if x.startswith("cxkit: error:")]) == 1, err


def test_cli_send_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, att = write_small(tmp_path)
    with Receiver(lifetime=20, io_timeout=1.0) as rx:
        text = rx.pairing.to_string()
        # not a terminal and no --yes
        one_error(main(["send", str(src), text]), capsys.readouterr().err)
        # damaged pairing string
        one_error(main(["send", str(src), text[:-6], "--yes"]), capsys.readouterr().err)
        # attachments missing
        one_error(main(["send", str(src), text, "--yes"]), capsys.readouterr().err)
        assert not rx.poll(0)
    # the listener is gone
    rc = main(["send", str(src), text, "--attachments", str(att), "--yes", "--timeout", "2"])
    err = capsys.readouterr().err
    one_error(rc, err)
    assert "nothing is listening" in err
    assert b64u_encode(rx.pairing.psk) not in err


def test_cli_send_pairing_from_stdin(
    fast: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    src, att = write_small(tmp_path)
    out = tmp_path / "out.json"
    thread, box, rx = receive_in_background(["receive", "-o", str(out), "--no-qr"])
    monkeypatch.setattr(sys, "stdin", io.StringIO(rx.pairing.to_string() + "\n"))
    assert main(["send", str(src), "-", "--attachments", str(att), "--yes"]) == 0
    assert finish(thread, box, rx) == 0
    assert out.exists()


def test_cli_receive_refuses_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "exists.json"
    existing.write_text("{}")
    one_error(main(["receive", "-o", str(existing)]), capsys.readouterr().err)
    one_error(
        main(["receive", "-o", str(tmp_path / "x"), "--timeout", "0"]), capsys.readouterr().err
    )
    one_error(
        main(["receive", "-o", str(tmp_path / "x"), "--port", "70000"]), capsys.readouterr().err
    )
    with Receiver(lifetime=20, io_timeout=1.0) as rx:  # the port is taken (loopback)
        port = rx.pairing.url.split("/")[2].rpartition(":")[2]
        rc = main(["receive", "-o", str(tmp_path / "x"), "--port", port])
        err = capsys.readouterr().err
        one_error(rc, err)
        assert "cannot listen on 127.0.0.1" in err


def test_cli_receive_types_are_requested(
    fast: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, _ = write_small(tmp_path)
    out = tmp_path / "out.json"
    thread, box, rx = receive_in_background(
        ["receive", "-o", str(out), "--no-qr", "--types", "basic-auth"]
    )
    assert main(["send", str(src), rx.pairing.to_string(), "--yes"]) == 0  # no attachment needed
    assert finish(thread, box, rx) == 0
    err = capsys.readouterr().err
    assert "left out (not requested): 1 credential" in err
    assert re.search(r"asks for:\s+basic-auth", err)
    assert not (tmp_path / "out.json.attachments").exists()


def test_cli_receive_into_another_format(
    fast: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``receive --into DEST --to FORMAT``: the received credentials land in another app's
    format, as ``cxkit convert`` would write them, with the migration report."""
    src, att = write_small(tmp_path)
    dest = tmp_path / "into.json"
    argv = ["receive", "--into", str(dest), "--to", "bitwarden-json", "--plaintext"]
    thread, box, rx = receive_in_background([*argv, "--timeout", "60"])
    assert main(["send", str(src), rx.pairing.to_string(), "--attachments", str(att), "--yes"]) == 0
    assert finish(thread, box, rx) == 0
    exported = json.loads(dest.read_bytes())
    (item,) = exported["items"]
    assert item["login"]["password"] == CANARY_PW
    assert_private(dest)
    err = capsys.readouterr().err
    assert "file" in err  # the attachment: Bitwarden JSON cannot carry it, and says so
    assert CANARY_PW not in err


def test_cli_receive_into_refuses_plaintext_without_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "into.json"
    assert main(["receive", "--into", str(dest), "--to", "bitwarden-json"]) == 2
    assert "--plaintext" in capsys.readouterr().err
    assert not dest.exists()
