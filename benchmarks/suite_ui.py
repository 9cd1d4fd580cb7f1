"""The report page and ``cxkit ui`` (issue #19): what they cost next to what they show.

* ``report page`` — :func:`cxkit.ui.render_report_html` of the migration report of a generated
  Bitwarden export (``gen_bitwarden``) converted to KeePass, next to the floor ``json.dumps`` of
  the same report (what ``--report FILE.json`` writes). Target ≤ 3× the JSON. The page lists at
  most :data:`cxkit.ui.report_html.MAX_ROWS` rows, so its size stays bounded.
* ``import`` — importing ``cxkit.ui.server`` (http.server, email) in a fresh interpreter, next
  to bare ``python -c pass``: the price ``cxkit ui`` pays and no other command does.
* ``migrate over HTTP`` — a generated Bitwarden export migrated to KeePass through a running
  server as a browser would (upload → preview page, convert → 303 → progress page → result; the
  conversion in its worker thread), next to the floor ``adapters.convert`` of the same bytes
  with the same options: what the pages, the upload parsing, the preview's read and the worker
  add. Target ≤ 2× (the upload reads the export once for the preview, the conversion again).
  Floor and subject alternate (``_common.alternate``); median and min-max spread.

Method (issue #20 item 1): every figure alternates floor and subject after a warm-up run each
(``_common.alternate_cpu``) and reports the median, the min-max spread and the ratio of the
median CPU times (for the import, the child processes' CPU from ``getrusage``). The collector
is on for both everywhere: neither the page nor ``json.dumps`` pauses it, and in the HTTP
migration floor and subject pause it alike (inside ``adapters.read``/``write``). Before, the
report page and its floor were each the best of 3 timed apart (collector paused by
``best_time``) and the import and its floor the best of 5 timed apart; the HTTP migration
already alternated (now 1 → CPU ratio added).
"""

from __future__ import annotations

import http.client
import json
import re
import resource
import statistics
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from html import unescape

from _common import Figure, alternate, alternate_cpu, median, spread
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _python(code: str, cpu: list[float]) -> Callable[[], None]:
    """One run of ``python -c CODE``; its CPU seconds are appended to *cpu*."""

    def once() -> None:
        before = _children_cpu()
        subprocess.run([sys.executable, "-c", code], check=True)
        cpu.append(_children_cpu() - before)

    return once


def _import_figure(rounds: int) -> Figure:
    base_cpu: list[float] = []
    server_cpu: list[float] = []
    floors, values = alternate(_python("pass", base_cpu),
                               _python("import cxkit.ui.server", server_cpu), rounds)  # fmt: skip
    base_ms = [c * 1e3 for c in base_cpu[-rounds:]]
    server_ms = [c * 1e3 for c in server_cpu[-rounds:]]
    return Figure(SUITE, "import cxkit.ui.server", median(values) * 1e3, "ms",
                  median(floors) * 1e3, "python -c pass", None,
                  extra={"spread_ms": spread([v * 1e3 for v in values]),
                         "floor_spread_ms": spread([f * 1e3 for f in floors]),
                         "cpu_ms": round(median(server_ms), 1),
                         "floor_cpu_ms": round(median(base_ms), 1), "rounds": rounds})  # fmt: skip


class _Client:
    """Just enough of a browser for the flow: one cookie, forms, a 303 and the progress page
    followed."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.cookie = port, ""
        _, headers, _ = self.request("GET", f"/?token={token}")
        self.cookie = headers["set-cookie"].split(";", 1)[0]
        found = re.search(r'name="csrf" value="([^"]+)"', self.request("GET", "/")[2].decode())
        assert found
        self.csrf = unescape(found.group(1))

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            h = {"Host": f"127.0.0.1:{self.port}", "Origin": f"http://127.0.0.1:{self.port}",
                 **({"Cookie": self.cookie} if self.cookie else {}), **(headers or {})}  # fmt: skip
            conn.request(method, path, body, h)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def post(self, path: str, fields: dict[str, str], file: bytes | None = None) -> bytes:
        b = uuid.uuid4().hex
        parts = [f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in {"csrf": self.csrf, **fields}.items()]  # fmt: skip
        if file is not None:
            parts.append(f'--{b}\r\nContent-Disposition: form-data; name="file"; '
                         f'filename="export.json"\r\n\r\n'.encode() + file + b"\r\n")  # fmt: skip
        body = b"".join(parts) + f"--{b}--\r\n".encode()
        status, headers, page = self.request(
            "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={b}"}
        )
        while status == 303 or b'http-equiv="refresh"' in page:
            where = headers.get("location") or f"/progress/{fields['job']}"
            status, headers, page = self.request("GET", where)
        assert status == 200, page[:300]
        return page


def _migrate_over_http(n: int, repeat: int) -> Figure:
    from cxkit.ui.server import make_server

    data = generate(n)
    srv = make_server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        client = _Client(srv.port, srv.app.token)

        def floor() -> object:
            return adapters.convert(data, "export.json", to="keepass-kdbx",
                                    write_options=WriteOptions(password=lambda _p: "bench"))  # fmt: skip

        def subject() -> object:
            page = client.post("/upload", {}, data).decode()
            job = re.search(r'name="job" value="([^"]+)"', page)
            assert job
            done = client.post("/convert", {"job": job.group(1), "to": "keepass-kdbx",
                                            "new_password": "bench", "new_password2": "bench"})  # fmt: skip
            assert b"Download " in done
            return done

        floors, subjects, floors_cpu, subjects_cpu = alternate_cpu(floor, subject, repeat)
    finally:
        srv.shutdown()
        thread.join()
        srv.server_close()
        srv.app.cleanup()
    f, s = statistics.median(floors), statistics.median(subjects)
    return Figure(SUITE, f"migrate over HTTP, {n} items", s * 1e3, "ms", f * 1e3,
                  "adapters.convert of the same bytes", 2.0,
                  extra={"spread_ms": spread([x * 1e3 for x in subjects]),
                         "floor_spread_ms": spread([x * 1e3 for x in floors]),
                         "cpu_ratio": round(median(subjects_cpu) / median(floors_cpu), 2),
                         "rounds": repeat})  # fmt: skip


def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for n in (100, 1_000) if quick else (100, 1_000, 10_000):
        data = _report(n)
        rounds = 7
        floors, pages, floors_cpu, pages_cpu = alternate_cpu(
            lambda data=data: json.dumps(data, indent=2, ensure_ascii=False),
            lambda data=data: render_report_html(data),
            rounds,
        )
        size = len(render_report_html(data).encode())
        figures.append(
            Figure(SUITE, f"report page, {n} items", median(pages) * 1e3, "ms",
                   median(floors) * 1e3, "json.dumps of the report", 3.0,
                   extra={"spread_ms": spread([x * 1e3 for x in pages]),
                          "floor_spread_ms": spread([x * 1e3 for x in floors]),
                          "cpu_ratio": round(median(pages_cpu) / median(floors_cpu), 2),
                          "rounds": rounds, "page_bytes": size,
                          "json_bytes": len(json.dumps(data, indent=2).encode())})
        )  # fmt: skip
    figures.append(_import_figure(7 if quick else 11))
    for n in (100, 1_000) if quick else (100, 1_000, 10_000):
        figures.append(_migrate_over_http(n, 5 if quick or n < 10_000 else 3))
    return figures
