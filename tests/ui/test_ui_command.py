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


@pytest.mark.parametrize("mode", ["--json", "-q"])
def test_json_and_quiet_print_the_address_at_once(mode: str) -> None:
    """``--json``: one JSON object with the URL and port, printed at start (the command runs
    until stopped); ``-q``: the address alone, no request log. The link logs a client in."""
    import http.client
    import json
    import signal
    from urllib.parse import urlsplit

    proc = subprocess.Popen(
        [sys.executable, "-m", "cxkit", "ui", "--no-browser", "--idle-timeout", "60", mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if mode == "--json":
            shown = json.loads(first)
            assert shown["command"] == "ui" and shown["host"] == "127.0.0.1"
            url = urlsplit(shown["url"])
            assert url.port == shown["port"]
        else:
            url = urlsplit(first.strip())
        assert url.hostname == "127.0.0.1" and url.query.startswith("token=")
        conn = http.client.HTTPConnection("127.0.0.1", url.port, timeout=30)
        conn.request("GET", f"/?{url.query}")
        assert conn.getresponse().status == 303
        conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out == ""  # nothing after the first line
    if mode == "-q":
        assert err == ""
    else:
        assert "GET / 303" in err and "token" not in err
