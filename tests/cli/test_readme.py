"""The README's "Command line" statements, checked against the command itself: the commands it
lists, the exit codes, the input limits, the vocabulary, and that no secret is taken from an
argument."""

from __future__ import annotations

import argparse
import re
import stat
from pathlib import Path

import pytest
from test_vocabulary import _leaves

from cxkit.cli import main as cli
from cxkit.cxf import DEFAULT_MAX_SIZE
from cxkit.cxp.messages import MAX_MESSAGE_SIZE

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text("utf-8")
    start = text.index("## Command line")
    return text[start : text.index("\n## ", start + 1)]


def test_every_command_is_in_the_readme_and_back() -> None:
    section = _section()
    listed = set(re.findall(r"`cxkit ([a-z]+)", section))
    commands = {name.split()[0] for name in _leaves()}
    assert commands <= listed, commands - listed
    assert listed <= commands, listed - commands


def test_exit_code_table() -> None:
    rows = re.findall(r"^\s*\| (\d+) \| ", _section(), flags=re.M)
    assert [int(r) for r in rows] == [
        cli.EXIT_OK,
        cli.EXIT_FINDINGS,
        cli.EXIT_INPUT,
        cli.EXIT_BUG,
        cli.EXIT_INTERRUPTED,
    ]


def test_input_limits() -> None:
    section = _section()
    assert DEFAULT_MAX_SIZE == 256 << 20 and "256 MiB" in section
    assert MAX_MESSAGE_SIZE == 1 << 30 and "1 GiB" in section
    messages = {"import", "open", "receive"}  # they read the encrypted exchange files
    for name, parser in _leaves().items():
        for action in parser._actions:
            if "--max-size" in action.option_strings:
                want = MAX_MESSAGE_SIZE if name in messages else DEFAULT_MAX_SIZE
                assert action.default == want, name


def test_vocabulary_table_names_real_options() -> None:
    section = _section()
    table = section[section.index("| option | meaning |") :].split("\n\n")[0]
    options = set(cli._all_option_strings(cli.build_parser()))
    for cell in re.findall(r"^\s*\| `([^|]+)` \|", table, flags=re.M):
        for flag in re.findall(r"(?<![\w/-])--?[a-z][a-z-]*", cell):
            assert flag in options, flag
    for prefix in ("--password", "--new-password", "--passphrase"):
        assert f"{prefix}-file" in options and f"{prefix}-env" in options


def test_no_secret_is_taken_from_an_argument() -> None:
    """An option about a password, passphrase or key takes a FILE, a VAR, or nothing."""
    secret_words = ("password", "passphrase", "secret", "psk", "recovery")
    for name, parser in _leaves().items():
        for action in parser._actions:
            flags = [o for o in action.option_strings if o.startswith("--")]
            if not any(w in o for o in flags for w in secret_words):
                continue
            if action.nargs == 0:
                continue  # a switch (--passphrase: "ask me for one")
            assert all(o.endswith(("-file", "-env")) for o in flags), (name, flags)
            assert action.metavar in ("FILE", "VAR"), (name, flags)


def test_outputs_get_mode_0600(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schema.json"
    assert cli.main(["schema", "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # and an existing file is replaced only with --force
    assert cli.main(["schema", "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert cli.main(["schema", "-o", str(out), "--force"]) == 0


def test_documented_flows_parse() -> None:
    """Every ``cxkit ...`` line of the README's command-line examples is a valid command line
    (the placeholders as file names)."""
    parser = cli.build_parser()
    blocks = re.findall(r"```sh\n(.*?)```", _section(), flags=re.S)
    lines = [
        line.split("#")[0].split()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("cxkit ")
    ]
    assert lines
    for words in lines:
        args = parser.parse_args(words[1:])
        assert isinstance(args, argparse.Namespace)
