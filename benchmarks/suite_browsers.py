"""Browsers: a generated Google Password Manager (Chrome) CSV → CXF and → KDBX, and CXF → the
same CSV (``chrome-csv``, ``formats/browsers-and-apple.md`` §1).

Workload: deterministic Chrome exports (``name,url,username,password,note``) of 1k, 10k and
100k rows (1k and 10k with ``--quick``): every row a login with a URL (~5 % Android apps,
``android://<hash>@<package>/``), ~20 % with a note (some multi-line), a few duplicates.

Subjects, as ``cxkit convert`` runs them: the whole reader (parsing, mapping, recording every
non-empty cell and credential in the report) → CXF; that plus the KDBX writer → KDBX bytes
(one-round AES-KDF, so that the key derivation — a fixed cost the user chooses — does not hide
the conversion); and the declarative writer (``kit/tabular_write``) → Chrome CSV bytes from the
read document (with its write report). Floors, measured in the same run on the same data:
``list(csv.reader(...))`` of the file for the readers, ``csv.writer`` of the parsed rows for
the writer. Floor and subject alternate (``repeat`` rounds each); each figure is the median
with the spread (min–max), and, in CPU time of the process (``cpu_us_per_row``, ``cpu_ratio``),
a view that a loaded machine disturbs less. The → KDBX path is also timed in parts
(:func:`suite_kdbx.kdbx_parts`: map, XML, the whole ``write_kdbx``) next to the same floor.
Floor and subject run with the collector paused, as the subjects run themselves
(``CXKIT_BENCH_COLLECTOR=on`` for the other view; :func:`suite_kdbx.collector`).
"""

from __future__ import annotations

import base64
import csv
import io
import random
import statistics
from collections.abc import Callable

from _common import Figure, alternate, spread
from cxkit import adapters, kdbx
from cxkit.adapters import WriteOptions
from cxkit.adapters.chrome import ChromeCsvAdapter
from cxkit.adapters.keepass.database import KeePassKdbxAdapter
from cxkit.adapters.report import MigrationReport
from suite_csv import _DOMAINS, _WORDS, _floor, _secret
from suite_kdbx import collector, cpu_figures, kdbx_parts, with_cpu

SUITE = "browsers"


def chrome_csv(rows: int, seed: int = 2026) -> bytes:
    """A Chrome password export of *rows* rows."""
    rng = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("name", "url", "username", "password", "note"))
    cert = base64.urlsafe_b64encode(bytes(range(32))).decode()
    for i in range(rows):
        user = f"{rng.choice(_WORDS)}{i}@example.com"
        if rng.random() < 0.05:
            package = f"com.{rng.choice(_WORDS)}.app"
            name, url = package, f"android://{cert}@{package}/"
        else:
            host = rng.choice(_DOMAINS)
            name, url = host, f"https://{host}/login"
        note = ""
        if rng.random() < 0.2:
            note = " ".join(rng.choices(_WORDS, k=6))
            if rng.random() < 0.3:
                note += "\nsecond line"
        writer.writerow((name, url, user, _secret(rng), note))
    return out.getvalue().encode("utf-8")


_KDBX = KeePassKdbxAdapter(kdbx.WriteOptions(kdf="aes-kdf", aes_rounds=1))
_CHROME = ChromeCsvAdapter()


def _to_kdbx(data: bytes) -> bytes:
    doc, report = adapters.read(data, "Chrome Passwords.csv")
    return _KDBX.write(doc, WriteOptions(password=lambda _p: "bench-password"), report)


def _write_floor(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def run(quick: bool, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    chosen = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    figures: list[Figure] = []
    per_row: dict[str, list[float]] = {"CXF": [], "KDBX": [], "Chrome CSV": []}
    for n in chosen:
        data = chrome_csv(n)
        doc, report = adapters.read(data, "Chrome Passwords.csv")
        assert report.items_read == n, (report.items_read, n)
        cells = len(report.fields)
        rows = _floor(data)
        repeat = 5 if n <= 10_000 else 3
        read_floor: Callable[[], object] = lambda data=data: _floor(data)  # noqa: E731
        subjects: dict[str, tuple[Callable[[], object], Callable[[], object], str]] = {
            "CXF": (read_floor, lambda data=data: adapters.read(data, "Chrome Passwords.csv"),
                    "csv.reader"),
            "KDBX": (read_floor, lambda data=data: _to_kdbx(data), "csv.reader"),
            "Chrome CSV": (lambda rows=rows: _write_floor(rows),  # type: ignore[misc]
                           lambda doc=doc: _CHROME.write_csv(doc, MigrationReport()),
                           "csv.writer"),
        }  # fmt: skip
        for label, (floor_fn, subject, floor_name) in subjects.items():
            floor_cpu, timed_floor = with_cpu(floor_fn)
            cpu, timed = with_cpu(subject)
            floors, times = alternate(timed_floor, timed, repeat, collector=collector())
            median, floor = statistics.median(times), statistics.median(floors)
            per_row[label].append(median / n)
            source = "CXF" if label == "Chrome CSV" else "Chrome CSV"
            figures.append(
                Figure(
                    SUITE,
                    f"{source} → {label}, {n:,} rows",
                    median,
                    "s",
                    floor=floor,
                    floor_name=floor_name,
                    extra={
                        "spread": spread(times),
                        "collector": collector(),
                        "floor_spread": spread(floors),
                        "cells": cells,
                        "us_per_row": round(median / n * 1e6, 1),
                        **cpu_figures(cpu, floor_cpu, n, "row"),
                        **({"under_1s": median < 1.0} if n == 10_000 else {}),
                    },
                )
            )
        figures += kdbx_parts(SUITE, "Chrome CSV", doc, n, read_floor, "csv.reader", repeat)
        del doc, report, rows
    for label, costs in per_row.items():
        if len(costs) > 1:
            name = f"→ {label}: per-row cost, largest / smallest"
            figures.append(Figure(SUITE, name, costs[-1] / costs[0], "×"))
    return figures


if __name__ == "__main__":
    import sys

    for fig in run(quick=False, sizes=tuple(int(a) for a in sys.argv[1:]) or None):
        print(fig.name, round(fig.value, 4), fig.unit, fig.extra)
