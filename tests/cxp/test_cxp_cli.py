"""The exchange commands end to end: request → export → import, seal → open, the refusals
(exit 2, one error line, no output left behind) and canaries (no secret on the terminal)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cxkit import cxf
from cxkit.cli.main import build_parser, main
from cxkit.crypto._b64 import b64u_encode
from shared_evidence import shared_path

FAST_KDF = ["--kdf-memory", "19", "--kdf-iterations", "2"]
CANARY_PW = "canary-pw-7f3Kq9ZmX2"
CANARY_PASS = "canary passphrase Jv4 river lamp!"
CANARY_FILE = b"canary attachment bytes \x00\xff 91ae"
FILE_ID = "ZmlsZS0x"
KS_FILE_ID = "wrs8z_9qXexjv8mLN0OL0Q"


class Run:
    """Calls ``cxkit`` in-process and keeps every byte it printed (for the canary checks)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.printed: list[tuple[str, str]] = []  # (command, stdout + stderr)

    def __call__(self, *argv: str | Path) -> tuple[int, str, str]:
        args = [str(a) for a in argv]
        rc = main(args)
        captured = self.capsys.readouterr()
        self.printed.append((args[0], captured.out + captured.err))
        return rc, captured.out, captured.err


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(capsys)


def small_doc(*, with_file: bool = True, ts: int | None = None) -> dict[str, Any]:
    creds: list[dict[str, Any]] = [
        {"type": "basic-auth", "password": {"fieldType": "concealed-string", "value": CANARY_PW}}
    ]
    if with_file:
        creds.append(
            {
                "type": "file",
                "id": FILE_ID,
                "name": "../../evil/notes.txt",
                "decryptedSize": len(CANARY_FILE),
                "integrityHash": b64u_encode(hashlib.sha256(CANARY_FILE).digest()),
            }
        )
    return {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "vault.example.org",
        "exporterDisplayName": "Example Vault",
        "timestamp": int(time.time()) if ts is None else ts,
        "accounts": [
            {
                "id": "YWNjb3VudC0x",
                "username": "alice",
                "email": "alice@example.org",
                "collections": [{"id": "Y29sbA", "title": "All", "items": [{"item": "aXRlbS0x"}]}],
                "items": [
                    {"id": "aXRlbS0x", "title": "Mail", "credentials": creds},
                    {
                        "id": "aXRlbS0y",
                        "title": "Memo",
                        "credentials": [
                            {"type": "note", "content": {"fieldType": "string", "value": "hello"}}
                        ],
                    },
                ],
            }
        ],
    }


def write_small(tmp_path: Path, *, with_file: bool = True) -> tuple[Path, Path]:
    src = tmp_path / "source.json"
    src.write_text(json.dumps(small_doc(with_file=with_file)))
    att = tmp_path / "att"
    att.mkdir()
    if with_file:
        (att / FILE_ID).write_bytes(CANARY_FILE)
    return src, att


def kitchen_sink(tmp_path: Path) -> tuple[Path, Path]:
    src = shared_path("vectors", "cxf", "synthetic", "kitchen-sink.json")
    blob = shared_path("vectors", "cxf", "synthetic", "kitchen-sink.file-1.bin")
    att = tmp_path / "att"
    att.mkdir()
    shutil.copyfile(blob, att / KS_FILE_ID)  # into tmp_path only, never the repository
    return src, att


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def assert_refused(rc: int, err: str) -> None:
    assert rc == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("cxkit: error:")]
    assert len(lines) == 1, err


def assert_private(path: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def same_header(a: bytes, b: bytes, *, ignore_timestamp: bool) -> None:
    ha, hb = cxf.decode(a).header, cxf.decode(b).header
    if ignore_timestamp:
        ha = cxf.replace(ha, timestamp=hb.timestamp)
    assert ha == hb


def handover(run: Run, tmp_path: Path, src: Path, att: Path | None, *extra: str) -> Path:
    """request → export → import; returns the CXF output path."""
    req, resp, out = tmp_path / "req.json", tmp_path / "resp.json", tmp_path / "out.json"
    rc, _, err = run("request", "-o", req)
    assert rc == 0, err
    assert re.search(r"fingerprint:\s+([0-9a-f]{4} ){7}[0-9a-f]{4}", err)
    assert_private(tmp_path / "req.json.key")
    fp = re.search(r"fingerprint:\s+((?:[0-9a-f]{4} ?){8})", err)
    assert fp is not None
    cmd = ["export", src, "--request", req, "-o", resp, "--yes"]
    cmd += ["--expect-fingerprint", fp.group(1)]
    if att is not None:
        cmd += ["--attachments", att]
    rc, _, err = run(*cmd)
    assert rc == 0, err
    assert fp.group(1).strip() in err
    assert_private(resp)
    rc, _, err = run("import", resp, "--request", req, "-o", out, *extra)
    assert rc == 0, err
    assert not (tmp_path / "req.json.key").exists()  # single use: destroyed
    assert_private(out)
    return out


# --------------------------------------------------------------------------- round trips


def test_handover_small_document(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    out = handover(run, tmp_path, src, att, "--attachments-out", tmp_path / "got")
    same_header(out.read_bytes(), src.read_bytes(), ignore_timestamp=True)
    assert abs(cxf.decode(out.read_bytes()).header.timestamp - time.time()) < 60
    got = tmp_path / "got" / FILE_ID
    assert got.read_bytes() == CANARY_FILE
    assert_private(got)
    assert files(tmp_path / "got") == {FILE_ID}  # never the name from the archive
    assert not (tmp_path / "evil").exists()


@pytest.mark.shared
def test_handover_kitchen_sink_with_attachment(run: Run, tmp_path: Path) -> None:
    src, att = kitchen_sink(tmp_path)
    out = handover(run, tmp_path, src, att)
    same_header(out.read_bytes(), src.read_bytes(), ignore_timestamp=True)
    blob = shared_path("vectors", "cxf", "synthetic", "kitchen-sink.file-1.bin").read_bytes()
    assert (tmp_path / "out.json.attachments" / KS_FILE_ID).read_bytes() == blob


def test_handover_finds_attachment_by_name(run: Run, tmp_path: Path) -> None:
    doc = small_doc()
    doc["accounts"][0]["items"][0]["credentials"][1]["name"] = "notes.txt"
    src = tmp_path / "source.json"
    src.write_text(json.dumps(doc))
    (tmp_path / "att").mkdir()
    (tmp_path / "att" / "notes.txt").write_bytes(CANARY_FILE)
    handover(run, tmp_path, src, tmp_path / "att")
    assert (tmp_path / "out.json.attachments" / FILE_ID).read_bytes() == CANARY_FILE


def test_requested_types_only(run: Run, tmp_path: Path) -> None:
    src, _ = write_small(tmp_path)
    req, resp, out = tmp_path / "req.json", tmp_path / "resp.json", tmp_path / "out.json"
    assert run("request", "-o", req, "--types", "basic-auth,totp", "--suite", "p256")[0] == 0
    rc, _, err = run("export", src, "--request", req, "-o", resp, "--yes")
    assert rc == 0, err  # no attachment needed: file credentials are not requested
    assert "left out (not requested): 2 credentials" in err
    assert run("import", resp, "--request", req, "-o", out)[0] == 0
    doc = cxf.decode(out.read_bytes())
    types = [type(c).__name__ for _, item in doc.items() for c in item.credentials]
    assert types == ["BasicAuth"]
    assert [li.item for li in doc.accounts[0].collections[0].items] == ["aXRlbS0x"]
    assert not (tmp_path / "out.json.attachments").exists()


def test_sealed_key_file(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, att = write_small(tmp_path)
    req, resp, out = tmp_path / "req.json", tmp_path / "resp.json", tmp_path / "out.json"
    rc, _, err = run("request", "-o", req, "--seal-key", *FAST_KDF)
    assert rc == 0, err
    code = re.search(r"^    ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){6})$", err, re.M)
    assert code is not None
    assert code.group(1) not in (tmp_path / "req.json.key").read_text()
    rc, _, _ = run("export", src, "--request", req, "-o", resp, "--yes", "--attachments", att)
    assert rc == 0
    # no secret source and no terminal: refused, the key is kept
    rc, _, err = run("import", resp, "--request", req, "-o", out)
    assert_refused(rc, err)
    assert "not a terminal" in err
    assert (tmp_path / "req.json.key").exists()
    monkeypatch.setenv("CXKIT_TEST_SECRET", code.group(1).lower())
    rc, _, err = run(
        "import", resp, "--request", req, "-o", out, "--passphrase-env", "CXKIT_TEST_SECRET"
    )
    assert rc == 0, err
    same_header(out.read_bytes(), src.read_bytes(), ignore_timestamp=True)


def test_seal_open_recovery_code(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, att = write_small(tmp_path)
    vault, out = tmp_path / "vault.cxp", tmp_path / "out.json"
    rc, stdout, err = run("seal", src, "-o", vault, "--attachments", att, *FAST_KDF)
    assert rc == 0, err
    assert stdout == ""
    codes = re.findall(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}", err)
    assert len(codes) == 1  # printed exactly once
    assert_private(vault)
    monkeypatch.setenv("CXKIT_TEST_SECRET", codes[0])
    rc, _, err = run(
        "open",
        vault,
        "-o",
        out,
        "--attachments-out",
        tmp_path / "a",
        "--passphrase-env",
        "CXKIT_TEST_SECRET",
    )
    assert rc == 0, err
    same_header(out.read_bytes(), src.read_bytes(), ignore_timestamp=False)
    assert (tmp_path / "a" / FILE_ID).read_bytes() == CANARY_FILE
    assert codes[0] not in err


@pytest.mark.parametrize("source", ["env", "file", "stdin"])
def test_seal_open_passphrase(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    src, att = write_small(tmp_path)
    vault, out = tmp_path / "vault.cxp", tmp_path / "out.json"
    monkeypatch.setenv("CXKIT_TEST_SECRET", CANARY_PASS)
    (tmp_path / "pass.txt").write_text(CANARY_PASS + "\n")
    opts = {
        "env": ["--passphrase-env", "CXKIT_TEST_SECRET"],
        "file": ["--passphrase-file", str(tmp_path / "pass.txt")],
        "stdin": ["--passphrase-stdin"],
    }[source]
    if source == "stdin":
        monkeypatch.setattr(sys, "stdin", io.StringIO(CANARY_PASS + "\n"))
    rc, _, err = run("seal", src, "-o", vault, "--attachments", att, *FAST_KDF, *opts)
    assert rc == 0, err
    assert "Recovery code" not in err
    if source == "stdin":
        monkeypatch.setattr(sys, "stdin", io.StringIO(CANARY_PASS + "\n"))
    rc, _, err = run("open", vault, "-o", out, *opts)
    assert rc == 0, err
    same_header(out.read_bytes(), src.read_bytes(), ignore_timestamp=False)
    assert (tmp_path / "out.json.attachments" / FILE_ID).read_bytes() == CANARY_FILE


@pytest.mark.shared
def test_seal_open_kitchen_sink(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, att = kitchen_sink(tmp_path)
    vault, out = tmp_path / "vault.cxp", tmp_path / "out.json"
    monkeypatch.setenv("CXKIT_TEST_SECRET", CANARY_PASS)
    opts = ["--passphrase-env", "CXKIT_TEST_SECRET"]
    assert run("seal", src, "-o", vault, "--attachments", att, *FAST_KDF, *opts)[0] == 0
    assert run("open", vault, "-o", out, *opts)[0] == 0
    assert cxf.decode(out.read_bytes()).header == cxf.decode(src.read_bytes()).header
    blob = shared_path("vectors", "cxf", "synthetic", "kitchen-sink.file-1.bin").read_bytes()
    assert (tmp_path / "out.json.attachments" / KS_FILE_ID).read_bytes() == blob


# --------------------------------------------------------------------------- refusals


@pytest.fixture
def sealed(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    src, att = write_small(tmp_path)
    monkeypatch.setenv("CXKIT_TEST_SECRET", CANARY_PASS)
    vault = tmp_path / "vault.cxp"
    rc, _, _ = run(
        "seal",
        src,
        "-o",
        vault,
        "--attachments",
        att,
        *FAST_KDF,
        "--passphrase-env",
        "CXKIT_TEST_SECRET",
    )
    assert rc == 0
    return vault


def test_open_wrong_passphrase(
    run: Run, tmp_path: Path, sealed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(tmp_path)
    monkeypatch.setenv("CXKIT_WRONG", CANARY_PASS + "!")
    rc, _, err = run("open", sealed, "-o", tmp_path / "out.json", "--passphrase-env", "CXKIT_WRONG")
    assert_refused(rc, err)
    assert "wrong passphrase or recovery code" in err
    assert files(tmp_path) == before


def test_open_recovery_code_typo(
    run: Run, tmp_path: Path, sealed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXKIT_WRONG", "0000-0000-0000-0000-0000-0000-0000")
    before = files(tmp_path)
    rc, _, err = run("open", sealed, "-o", tmp_path / "out.json", "--passphrase-env", "CXKIT_WRONG")
    assert_refused(rc, err)
    assert files(tmp_path) == before


def _flip(text: str, index: int) -> str:
    ch = text[index]
    return text[:index] + ("B" if ch != "B" else "C") + text[index + 1 :]


@pytest.mark.parametrize("where", ["payload", "enc", "salt", "end"])
def test_open_tampered_archive(run: Run, tmp_path: Path, sealed: Path, where: str) -> None:
    text = sealed.read_text()
    obj = json.loads(text)
    if where == "payload":
        needle = obj["response"]["payload"]
        i = text.index(needle) + len(needle) // 2
    elif where == "enc":
        needle = obj["response"]["hpke"]["key"]["x"]
        i = text.index(needle) + 5
    elif where == "salt":
        i = text.index(obj["kdf"]["salt"]) + 3
    else:
        i = len(text) - 2
    sealed.write_text(_flip(text, i))
    before = files(tmp_path)
    rc, _, err = run(
        "open", sealed, "-o", tmp_path / "out.json", "--passphrase-env", "CXKIT_TEST_SECRET"
    )
    assert_refused(rc, err)
    assert files(tmp_path) == before


def test_open_needs_a_secret_source(run: Run, tmp_path: Path, sealed: Path) -> None:
    rc, _, err = run("open", sealed, "-o", tmp_path / "out.json")
    assert_refused(rc, err)
    assert "not a terminal" in err and "--passphrase-env" in err
    assert not (tmp_path / "out.json").exists()


def test_no_passphrase_argument(run: Run, tmp_path: Path, sealed: Path) -> None:
    for argv in (
        ["open", str(sealed), "-o", str(tmp_path / "o.json"), "--passphrase", CANARY_PASS],
        ["open", str(sealed), "-o", str(tmp_path / "o.json"), f"--passphrase={CANARY_PASS}"],
        ["seal", str(sealed), "-o", str(tmp_path / "o.cxp"), f"--passphrase={CANARY_PASS}"],
        ["open", str(sealed), "-o", str(tmp_path / "o.json"), "--passphrase-s", CANARY_PASS],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    assert not (tmp_path / "o.json").exists() and not (tmp_path / "o.cxp").exists()
    # no option of these commands takes the secret itself as its value
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    assert isinstance(subparsers, dict)
    for name in ("request", "export", "import", "seal", "open"):
        for action in subparsers[name]._actions:
            if any(w in action.dest for w in ("pass", "secret", "code", "recovery")):
                # only the names of a file or an environment variable holding it
                assert action.nargs == 0 or action.dest.endswith(("_file", "_env"))


def test_import_tampered_response(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    req, resp = tmp_path / "req.json", tmp_path / "resp.json"
    assert run("request", "-o", req)[0] == 0
    assert run("export", src, "--request", req, "-o", resp, "--yes", "--attachments", att)[0] == 0
    text = resp.read_text()
    payload = json.loads(text)["payload"]
    resp.write_text(_flip(text, text.index(payload) + len(payload) // 2))
    rc, _, err = run("import", resp, "--request", req, "-o", tmp_path / "out.json")
    assert_refused(rc, err)
    assert not (tmp_path / "out.json").exists()
    assert not (tmp_path / "out.json.attachments").exists()
    assert not (tmp_path / "req.json.key").exists()  # tried once: destroyed (P0 §3.2)


def test_import_response_for_another_request(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    a, b, resp = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "resp.json"
    assert run("request", "-o", a)[0] == 0
    assert run("request", "-o", b)[0] == 0
    assert run("export", src, "--request", b, "-o", resp, "--yes", "--attachments", att)[0] == 0
    rc, _, err = run("import", resp, "--request", a, "-o", tmp_path / "out.json")
    assert_refused(rc, err)
    assert not (tmp_path / "out.json").exists()
    assert not (tmp_path / "out.json.attachments").exists()


def test_import_wrong_key_file(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    a, b, resp = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "resp.json"
    assert run("request", "-o", a)[0] == 0
    assert run("request", "-o", b)[0] == 0
    assert run("export", src, "--request", a, "-o", resp, "--yes", "--attachments", att)[0] == 0
    rc, _, err = run(
        "import",
        resp,
        "--request",
        a,
        "--key",
        tmp_path / "b.json.key",
        "-o",
        tmp_path / "out.json",
    )
    assert_refused(rc, err)
    assert "does not belong to this request" in err
    assert not (tmp_path / "out.json").exists()
    # a mix-up caught before the key was used keeps both keys; the right one still works
    assert (tmp_path / "a.json.key").exists() and (tmp_path / "b.json.key").exists()
    rc, _, err = run("import", resp, "--request", a, "-o", tmp_path / "out.json")
    assert rc == 0, err
    # a key file that is not a key file
    rc, _, err = run("import", resp, "--request", b, "--key", src, "-o", tmp_path / "o2.json")
    assert_refused(rc, err)


def test_import_key_is_single_use(run: Run, tmp_path: Path) -> None:
    src, _ = write_small(tmp_path, with_file=False)
    out = handover(run, tmp_path, src, None)
    out.unlink()
    rc, _, err = run(
        "import", tmp_path / "resp.json", "--request", tmp_path / "req.json", "-o", out
    )
    assert_refused(rc, err)
    assert not out.exists()


def test_import_expired_key(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, _ = write_small(tmp_path, with_file=False)
    req, resp = tmp_path / "req.json", tmp_path / "resp.json"
    assert run("request", "-o", req, "--expires-in", "1")[0] == 0
    assert run("export", src, "--request", req, "-o", resp, "--yes")[0] == 0
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)
    rc, _, err = run("import", resp, "--request", req, "-o", tmp_path / "out.json")
    assert_refused(rc, err)
    assert "expired" in err
    assert not (tmp_path / "out.json").exists()


def test_output_exists_without_force(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    req, resp, out = tmp_path / "req.json", tmp_path / "resp.json", tmp_path / "out.json"
    assert run("request", "-o", req)[0] == 0
    rc, _, err = run("request", "-o", req)
    assert_refused(rc, err)
    assert run("export", src, "--request", req, "-o", resp, "--yes", "--attachments", att)[0] == 0
    out.write_text("keep me")
    rc, _, err = run("import", resp, "--request", req, "-o", out)
    assert_refused(rc, err)
    assert "--force" in err
    assert out.read_text() == "keep me"
    assert (tmp_path / "req.json.key").exists()  # refused before the key was used
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    rc, _, err = run(
        "import",
        resp,
        "--request",
        req,
        "-o",
        tmp_path / "o2.json",
        "--attachments-out",
        tmp_path / "full",
    )
    assert_refused(rc, err)
    assert not (tmp_path / "o2.json").exists()
    rc, _, err = run("import", resp, "--request", req, "-o", out, "--force")
    assert rc == 0, err
    assert out.read_text() != "keep me"
    assert_private(out)
    rc, _, err = run("export", src, "--request", req, "-o", resp, "--yes", "--attachments", att)
    assert_refused(rc, err)


def test_output_is_input(run: Run, tmp_path: Path, sealed: Path) -> None:
    src = tmp_path / "source.json"
    original = src.read_bytes()
    rc, _, err = run("seal", src, "-o", src, "--force", *FAST_KDF)
    assert_refused(rc, err)
    assert "same file as an input" in err
    assert src.read_bytes() == original
    rc, _, err = run(
        "open", sealed, "-o", sealed, "--force", "--passphrase-env", "CXKIT_TEST_SECRET"
    )
    assert_refused(rc, err)
    assert run("request", "-o", tmp_path / "req.json")[0] == 0
    rc, _, err = run(
        "export",
        src,
        "--request",
        tmp_path / "req.json",
        "-o",
        tmp_path / "req.json",
        "--yes",
        "--force",
    )
    assert_refused(rc, err)
    assert src.read_bytes() == original


def test_export_needs_confirmation(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    req, resp = tmp_path / "req.json", tmp_path / "resp.json"
    assert run("request", "-o", req)[0] == 0
    rc, _, err = run("export", src, "--request", req, "-o", resp, "--attachments", att)
    assert_refused(rc, err)
    assert "--yes" in err
    assert not resp.exists()
    rc, _, err = run(
        "export",
        src,
        "--request",
        req,
        "-o",
        resp,
        "--yes",
        "--attachments",
        att,
        "--expect-fingerprint",
        "0" * 32,
    )
    assert_refused(rc, err)
    assert not resp.exists()


def test_export_attachment_problems(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    req, resp = tmp_path / "req.json", tmp_path / "resp.json"
    assert run("request", "-o", req)[0] == 0
    rc, _, err = run("export", src, "--request", req, "-o", resp, "--yes")
    assert_refused(rc, err)
    assert "--attachments" in err
    (att / FILE_ID).write_bytes(CANARY_FILE + b"x")
    rc, _, err = run("export", src, "--request", req, "-o", resp, "--yes", "--attachments", att)
    assert_refused(rc, err)
    assert "decryptedSize" in err
    (att / FILE_ID).write_bytes(CANARY_FILE[:-1] + b"?")
    rc, _, err = run("export", src, "--request", req, "-o", resp, "--yes", "--attachments", att)
    assert_refused(rc, err)
    assert "integrityHash" in err
    (att / FILE_ID).unlink()
    rc, _, err = run("seal", src, "-o", tmp_path / "v.cxp", "--attachments", att, *FAST_KDF)
    assert_refused(rc, err)
    assert not resp.exists() and not (tmp_path / "v.cxp").exists()


# --------------------------------------------------------------------------- canaries


def test_no_secret_is_printed(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, att = write_small(tmp_path)
    handover(run, tmp_path, src, att)
    monkeypatch.setenv("CXKIT_TEST_SECRET", CANARY_PASS)
    env = ["--passphrase-env", "CXKIT_TEST_SECRET"]
    assert (
        run("seal", src, "-o", tmp_path / "v1.cxp", "--attachments", att, *FAST_KDF, *env)[0] == 0
    )
    assert run("open", tmp_path / "v1.cxp", "-o", tmp_path / "o1.json", *env)[0] == 0
    assert run("open", tmp_path / "v1.cxp", "-o", tmp_path / "o1.json", *env)[0] == 2
    monkeypatch.setenv("CXKIT_TEST_SECRET", CANARY_PASS + "x")
    assert run("open", tmp_path / "v1.cxp", "-o", tmp_path / "o9.json", *env)[0] == 2
    rc, _, err = run("seal", src, "-o", tmp_path / "v2.cxp", "--attachments", att, *FAST_KDF)
    assert rc == 0
    code = re.findall(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){6}", err)[0]
    monkeypatch.setenv("CXKIT_TEST_SECRET", code)
    assert run("open", tmp_path / "v2.cxp", "-o", tmp_path / "o2.json", *env)[0] == 0
    assert len(run.printed) >= 9
    compact = code.replace("-", "")
    for command, text in run.printed:
        assert CANARY_PW not in text
        assert CANARY_PASS not in text
        assert CANARY_FILE.decode("latin-1") not in text
        if command != "seal":
            assert code not in text and compact not in text
    assert sum(text.count(code) for _, text in run.printed) == 1


def test_files_written_are_private(run: Run, tmp_path: Path) -> None:
    src, att = write_small(tmp_path)
    old = os.umask(0)
    try:
        handover(run, tmp_path, src, att)
    finally:
        os.umask(old)
    for name in ("req.json", "resp.json", "out.json", f"out.json.attachments/{FILE_ID}"):
        assert_private(tmp_path / name)
    assert stat.S_IMODE((tmp_path / "out.json.attachments").stat().st_mode) == 0o700


def test_passphrase_that_reads_as_a_bad_recovery_code(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, att = write_small(tmp_path)
    monkeypatch.setenv("CXKIT_TEST_SECRET", "canary passphrase Jv4 river lamp")
    rc, _, err = run(
        "seal", src, "-o", tmp_path / "v.cxp", "--attachments", att, *FAST_KDF,
        "--passphrase-env", "CXKIT_TEST_SECRET",
    )  # fmt: skip
    assert_refused(rc, err)
    assert "recovery code" in err and "river" not in err
    assert not (tmp_path / "v.cxp").exists()
