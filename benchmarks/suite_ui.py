"""The report page and ``cxkit ui`` (issue #19): what they cost next to what they show.

* ``report page`` — :func:`cxkit.ui.render_report_html` of the migration report of a generated
  Bitwarden export (``gen_bitwarden``) converted to KeePass, next to the floor ``json.dumps`` of
  the same report (what ``--report FILE.json`` writes). Target ≤ 3× the JSON. The page lists at
  most :data:`cxkit.ui.report_html.MAX_ROWS` rows, so its size stays bounded.
* ``import`` — importing ``cxkit.ui.server`` (http.server, email) in a fresh interpreter, next
  to bare ``python -c pass``: the price ``cxkit ui`` pays and no other command does.
"""

from __future__ import annotations

import json
import subprocess
import sys

from _common import Figure, best_time
from cxkit import adapters
from cxkit.adapters import MigrationReport, WriteOptions
from cxkit.ui import render_report_html
from gen_bitwarden import generate

SUITE = "ui"


def _report(n: int) -> dict[str, object]:
    report = MigrationReport()
    adapters.convert(generate(n), "bench.json", to="keepass-kdbx", report=report, verify=False,
                     write_options=WriteOptions(password=lambda _p: "bench"))  # fmt: skip
    return report.to_json()


def _python(code: str) -> float:
    def once() -> None:
        subprocess.run([sys.executable, "-c", code], check=True)

    return best_time(once, repeat=5)


def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for n in (100, 1_000) if quick else (100, 1_000, 10_000):
        data = _report(n)
        page = best_time(lambda data=data: render_report_html(data))
        floor = best_time(lambda data=data: json.dumps(data, indent=2, ensure_ascii=False))
        size = len(render_report_html(data).encode())
        figures.append(
            Figure(SUITE, f"report page, {n} items", page * 1e3, "ms", floor * 1e3,
                   "json.dumps of the report", 3.0,
                   extra={"page_bytes": size,
                          "json_bytes": len(json.dumps(data, indent=2).encode())})
        )  # fmt: skip
    base = _python("pass")
    server = _python("import cxkit.ui.server")
    figures.append(Figure(SUITE, "import cxkit.ui.server", server * 1e3, "ms", base * 1e3,
                          "python -c pass", None))  # fmt: skip
    return figures
