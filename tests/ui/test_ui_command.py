"""``cxkit ui`` as a command: its start-up stays cheap for every other command, and its
arguments are checked before anything listens."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cxkit.cli.main import main

_PROBE = """
import sys
from cxkit.cli.main import build_parser
build_parser({command!r})
heavy = [m for m in ("cxkit.ui", "cxkit.ui.server", "http.server", "email.parser")
         if m in sys.modules]
print(",".join(heavy))
"""


@pytest.mark.parametrize("command", ["convert", "ui", ""])
def test_parsing_imports_no_server(command: str) -> None:
    """Building the parser (of ``convert``, of ``ui`` itself, of none) imports neither the UI
    nor ``http.server``: only running ``cxkit ui`` (or writing a .html report) pays for them."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(command=command)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == ""


@pytest.mark.parametrize(
    "argv", [["--port", "70000"], ["--idle-timeout", "0"], ["--idle-timeout", "-5"]]
)
def test_bad_arguments_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--no-browser", *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("--port" in err or "--idle-timeout" in err)
