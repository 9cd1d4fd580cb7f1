"""One vocabulary (issue #18): the same flag means the same thing in every command, no
abbreviations, "did you mean", every flag a message names exists, ``--json`` everywhere
(errors included), binary output never onto a terminal."""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

import pytest

from cxkit.cli.main import DEPRECATED_OPTIONS, _all_option_strings, build_parser, main

SRC = Path(__file__).resolve().parents[2] / "src" / "cxkit"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
#: Other programs whose flags cxkit's messages may quote ("gpg --decrypt FILE | cxkit ...").
OTHER_PROGRAMS = ("gpg", "lpass", "pass ")


def _leaves() -> dict[str, argparse.ArgumentParser]:
    """Every command, nested ones as "totp list", by name."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs and prefix:
            found[prefix] = parser
        for action in subs:
            for name, child in action.choices.items():
                walk(child, f"{prefix} {name}".strip())

    walk(build_parser(), "")
    return found


def _flags_in(text: str) -> list[str]:
    flags = []
    for segment in re.split(r"[|;()]", text):
        for m in FLAG.finditer(segment):
            if any(p in segment[: m.start()] for p in OTHER_PROGRAMS):
                continue  # another program's flag
            flags.append(m.group())
    return flags


def _messages(path: Path) -> list[tuple[int, str]]:
    """The texts of *path* a person reads from cxkit: in the CLI every string; elsewhere the
    ``hint=`` of errors and constants named like ``*HINT*``."""
    tree = ast.parse(path.read_text("utf-8"))
    cli = "cli" in path.relative_to(SRC).parts
    texts: list[tuple[int, str]] = []

    def strings(node: ast.AST) -> list[str]:
        return [
            n.value
            for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]

    for node in ast.walk(tree):
        if cli and isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append((node.lineno, node.value))
        elif isinstance(node, ast.keyword) and node.arg == "hint":
            texts += [(node.value.lineno, s) for s in strings(node.value)]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and "HINT" in t.id for t in targets) and node.value:
                texts += [(node.lineno, s) for s in strings(node.value)]
    return texts


def test_every_flag_a_message_names_exists() -> None:
    known = set(_all_option_strings(build_parser()))
    for renames in DEPRECATED_OPTIONS.values():
        known |= set(renames)
    wrong = [
        f"{path.relative_to(SRC)}:{line}: {flag}"
        for path in sorted(SRC.rglob("*.py"))
        for line, text in _messages(path)
        for flag in _flags_in(text)
        if flag not in known
    ]
    assert wrong == []


def test_the_walker_finds_a_wrong_flag() -> None:
    assert _flags_in("use --new-password-stdin") == ["--new-password-stdin"]
    assert _flags_in("gpg --decrypt FILE | cxkit convert - --from x") == ["--from"]


def test_every_command_takes_the_common_options() -> None:
    for name, parser in _leaves().items():
        flags = set(_all_option_strings(parser))
        assert {"-v", "--verbose", "--json", "--quiet", "-h"} <= flags, name
        if "--output" in flags or "--into" in flags:
            assert "--force" in flags or name in ("schema",) or "--output" not in flags, name


def test_the_same_flag_means_the_same_thing() -> None:
    """Timeouts are seconds; --password-* is always the SOURCE's password; --new-password-*
    the DEST's; --passphrase-* never a source password."""
    for name, parser in _leaves().items():
        for action in parser._actions:
            text = (action.help or "").lower()
            if "--timeout" in action.option_strings:
                assert "second" in text and action.metavar == "SEC", name
            if "--password-file" in action.option_strings:
                assert "source" in text or "file" in text, name
                assert "dest" not in text, name
            if "--new-password-file" in action.option_strings:
                assert "dest" in text, name


def test_no_abbreviations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "x.json"
    with pytest.raises(SystemExit) as exc:
        main(["convert", str(src), "-o", str(tmp_path / "y.json"), "--fo"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --fo" in err and "'--force'" in err


def test_did_you_mean_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["conver", "x"])
    assert exc.value.code == 2
    assert "did you mean 'convert'?" in capsys.readouterr().err


def test_did_you_mean_a_format_before_anything_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    assert main(["convert", str(missing), "--from", "bitwardn-json", "-o", "x.json"]) == 2
    err = capsys.readouterr().err
    assert "unknown format 'bitwardn-json'" in err and "bitwarden-json" in err
    assert "no such file" not in err


def test_verbose_anywhere(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["formats", "-v"]) == 0
    assert "how to export" in capsys.readouterr().out
    assert main(["-v", "formats", "--quiet"]) == 0
    assert "cxf-json" in capsys.readouterr().out.split()


def test_old_spellings_work_with_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOPE", "x")
    missing = str(tmp_path / "missing.json")
    assert main(["passkeys", "list", missing, "--source-password-env", "NOPE"]) == 2
    err = capsys.readouterr().err
    assert "--source-password-env is deprecated; use --password-env" in err
    assert "no such file" in err  # parsed: the command ran
    assert main(["convert", missing, "--passphrase-env", "NOPE", "-o", "y.json"]) == 2
    assert "--passphrase-env is deprecated; use --password-env" in capsys.readouterr().err


def _failing_argv(tmp_path: Path) -> dict[str, list[str]]:
    """For every command, a command line that fails on its input (a missing file, or an output
    that exists)."""
    missing = str(tmp_path / "missing.json")
    exists = tmp_path / "exists.json"
    exists.write_text("{}")
    out = str(tmp_path / "out.json")
    return {
        "demo": ["--out", str(exists)],
        "convert": [missing, "-o", out],
        "detect": [missing],
        "validate": [missing],
        "inspect": [missing],
        "fmt": [missing, "-o", out],
        "schema": ["-o", str(exists)],
        "passkeys list": [missing],
        "passkeys verify": [missing],
        "totp list": [missing],
        "totp verify": [missing],
        "totp qr": [missing],
        "request": ["-o", str(exists)],
        "export": [missing, "--request", missing, "-o", out, "--yes"],
        "import": [missing, "--request", missing, "-o", out],
        "seal": [missing, "-o", out],
        "open": [missing, "-o", out],
        "receive": ["-o", str(exists)],
        "send": [missing, "-", "--yes"],
        "diff": [missing, missing],
        "merge": [missing, "-o", out],
        "ui": ["--port", "70000", "--no-browser"],
    }


def test_json_everywhere_errors_included(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command with --json prints exactly one JSON object on standard output, also when
    it fails: exit code 2 and the error's type, message and hint."""
    failing = _failing_argv(tmp_path)
    leaves = set(_leaves()) - {"formats"}
    assert leaves <= set(failing), leaves - set(failing)
    for name in sorted(leaves):
        argv = [*name.split(), *failing[name], "--json"]
        code = main(argv)
        assert code == 2, (name, code)
        result = json.loads(capsys.readouterr().out)
        assert isinstance(result, dict), name
        if "error" in result and result.get("ok") is False:
            assert result["exit_code"] == 2
            assert result["error"]["message"], name


def test_json_of_a_command_without_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "schema.json"
    assert main(["schema", "-o", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {
        "command": "schema",
        "ok": True,
        "exit_code": 0,
        "output": str(out),
        "messages": result["messages"],
    }
    assert json.loads(out.read_text())  # the schema itself went to the file


def test_quiet_prints_nothing_on_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "schema.json"
    assert main(["schema", "-o", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    # -o - is the data, not a summary: it is still written
    assert main(["schema", "-o", "-", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_binary_output_is_not_written_to_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxkit.cli import _io

    assert _io.is_binary(b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5")  # a KDBX file's start
    assert _io.is_binary(b"PK\x03\x04")
    assert not _io.is_binary('{"a": "é"}\n'.encode())
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with pytest.raises(Exception, match="binary output is not written to a terminal"):
        _io.write_output("-", b"PK\x03\x04\x00")
    _io.write_output("-", b'{"text": 1}\n')  # text still goes
    assert capsys.readouterr().out == '{"text": 1}\n'


def test_receive_into_asks_every_password_before_listening(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a terminal and without --new-password-*, receive --into an encrypted format
    fails before any listener starts (nobody is told "accepted" and then kept waiting)."""
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    dest = tmp_path / "vault.kdbx"
    assert main(["receive", "--into", str(dest)]) == 2
    err = capsys.readouterr().err
    assert "listening on" not in err
    assert "--new-password-file" in err
    assert not dest.exists()


def test_every_command_has_an_example_that_parses() -> None:
    from cxkit.cli.main import EXAMPLES

    parser = build_parser()
    for name, leaf in _leaves().items():
        examples = EXAMPLES.get(name, ())
        assert examples, f"cxkit {name} --help has no example"
        assert "examples:\n  cxkit " + name in leaf.format_help()
        for example in examples:
            words = example.split()
            assert words[0] == "cxkit"
            args = parser.parse_args(words[1:])  # exits (fails the test) when it does not parse
            assert args.handler is not None


def test_help_has_no_source_markup() -> None:
    for name, leaf in _leaves().items():
        text = leaf.format_help()
        assert "``" not in text and ":func:" not in text, name


def test_tables_fit_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxkit.cli import _console as out

    rows = [["cxf-json", "read/write", "FIDO CXF", "CXF 1.0 JSON " + "x" * 100]] * 3
    for columns in (40, 60, 80, 120):
        text = out.table(rows, header=["format", "can", "app", "description"], max_width=columns)
        assert max(len(line) for line in text.splitlines()) <= columns
    monkeypatch.setenv("COLUMNS", "72")
    assert out.width() == 72


def test_formats_fits_80_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["formats", "-v"]) == 0
    shown = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # colour takes no column
    assert max(len(line) for line in shown.splitlines()) <= 80
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)  # a pipe: every value whole
    assert main(["formats", "-v"]) == 0
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) > 80


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from cxkit.cli import _console as out

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert out.style("ok", "green", stream=Tty()) == "\x1b[32mok\x1b[0m"
    assert out.style("ok", "green", stream=io.StringIO()) == "ok"
    monkeypatch.setenv("NO_COLOR", "1")
    assert out.style("ok", "green", stream=Tty()) == "ok"
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(out, "COLOR", False)  # what --no-color sets
    assert out.style("ok", "green", stream=Tty()) == "ok"


def test_fit_wraps_long_lines_keeping_their_indent() -> None:
    from cxkit.cli import _console as out

    text = "head\n  not carried: " + " ".join(["word"] * 40) + "\nshort"
    fitted = out.fit(text, 40).split("\n")
    assert fitted[0] == "head" and fitted[-1] == "short"
    assert all(len(line) <= 40 for line in fitted)
    assert fitted[1].startswith("  not carried:") and fitted[2].startswith("      word")
    assert " ".join(" ".join(fitted).split()) == " ".join(text.split())  # nothing lost


def test_detect_json_for_an_unknown_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = tmp_path / "x.bin"
    unknown.write_bytes(b"\x00\x01 nothing cxkit reads")
    assert main(["detect", str(unknown), "--json"]) == 2
    result = json.loads(capsys.readouterr().out)
    assert result["format"] is None and result["verdict"] and result["message"]


def test_a_usage_error_is_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["convert", "x.json", "--json", "--fo"])
    assert exc.value.code == 2
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and result["command"] == "convert"
    assert result["error"]["type"] == "UsageError" and "--force" in result["error"]["message"]
    with pytest.raises(SystemExit):
        main(["convert", "x.json", "--fo"])  # without --json: text only
    assert capsys.readouterr().out == ""
