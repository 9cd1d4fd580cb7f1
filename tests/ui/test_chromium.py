"""In a real headless Chromium, when one is installed (Debian's ``chromium``; skipped
otherwise): the report page's script runs under its own Content-Security-Policy, and the
one-time link of ``cxkit ui`` logs a real browser in (token → cookie → redirect).

These drive Chromium's command line (``--dump-dom``); the flows by clicks, with Playwright, are
in ``test_browser.py``."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from ui_canaries import assert_no_secret, planted_sample

from cxkit import adapters
from cxkit.adapters import MigrationReport, WriteOptions
from cxkit.ui import render_report_html
from cxkit.ui.server import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed (apt-get install chromium)"),
]


def _dump_dom(url: str, tmp_path: Path) -> str:
    assert CHROMIUM
    argv = [CHROMIUM, "--headless", "--disable-gpu", "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.insert(1, "--no-sandbox")  # Chromium refuses its sandbox as root (CI containers)
    done = subprocess.run(argv, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.decode("utf-8", "replace")


def test_the_report_script_runs_under_its_policy(tmp_path: Path) -> None:
    data, keys = planted_sample()
    report = MigrationReport()
    adapters.convert(data, "planted.json", to="keepass-kdbx", report=report,
                     write_options=WriteOptions(password=lambda _p: "pw-of-test"))  # fmt: skip
    page = tmp_path / "report.html"
    page.write_text(render_report_html(report.to_json()), "utf-8")
    dom = _dump_dom(page.as_uri(), tmp_path)
    assert_no_secret(dom, keys)

    assert " rows shown" in dom  # written by the script: it ran, CSP allowed it


def test_the_one_time_link_logs_a_real_browser_in(tmp_path: Path) -> None:
    srv = make_server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        dom = _dump_dom(srv.url, tmp_path)
        assert "Migrate a vault" in dom and 'name="csrf"' in dom
        assert srv.app.token_used
    finally:
        srv.shutdown()
        thread.join()
        srv.server_close()
        srv.app.cleanup()
