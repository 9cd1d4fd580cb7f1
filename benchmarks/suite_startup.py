"""Start-up time of the ``cxkit`` command (issue #18).

Each command is run as a fresh process of the same interpreter, alternating with the floor
``python -c pass`` so that the machine's drift hits both alike; the figure is the median of
the runs, with the spread (min–max). Target: ``cxkit --help`` and ``cxkit formats`` within
100 ms of the floor (an absolute margin, shown as ``delta``); ``COMMAND --help`` is held to it
too. ``formats`` and ``convert --help`` come from a cache (``cxkit.cli._catalog``): measured
warm (the normal case) and cold (the first run after an install or an upgrade).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import Figure

SUITE = "startup"
TARGET_DELTA_MS = 100.0

#: (name, arguments, cache warm, held to the target)
CASES: tuple[tuple[str, tuple[str, ...], bool, bool], ...] = (
    ("cxkit --help", ("--help",), True, True),
    ("cxkit formats", ("formats",), True, True),
    ("cxkit --version", ("--version",), True, False),
    ("cxkit formats (cold cache)", ("formats",), False, False),
    ("cxkit convert --help", ("convert", "--help"), True, True),
    ("cxkit convert --help (cold cache)", ("convert", "--help"), False, False),
)


def _once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def run(quick: bool) -> list[Figure]:
    rounds = 7 if quick else 21
    figures = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, CXKIT_CACHE_DIR=cache)
        floor_cmd = [sys.executable, "-c", "pass"]
        for name, words, warm, held in CASES:
            cmd = [sys.executable, "-m", "cxkit.cli.main", *words]
            if warm:
                _once(cmd, env)  # fill the cache, warm the OS file cache
            floors, values = [], []
            for _ in range(rounds):
                floors.append(_once(floor_cmd, env))
                if not warm:
                    for f in os.listdir(cache):
                        os.remove(os.path.join(cache, f))
                values.append(_once(cmd, env))
            floor, value = statistics.median(floors), statistics.median(values)
            delta = value - floor
            figures.append(
                Figure(
                    SUITE,
                    name,
                    value,
                    "ms",
                    floor=floor,
                    floor_name="python -c pass",
                    extra={
                        "delta_ms": round(delta, 1),
                        "spread_ms": f"{min(values):.0f}-{max(values):.0f}",
                        "floor_spread_ms": f"{min(floors):.0f}-{max(floors):.0f}",
                        "target": f"delta <= {TARGET_DELTA_MS:.0f} ms" if held else "-",
                        "delta_ok": delta <= TARGET_DELTA_MS if held else None,
                    },
                )
            )
    return figures
