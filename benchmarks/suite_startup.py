"""Start-up time of the ``cxkit`` command (issue #18).

Each command is run as a fresh process of the same interpreter, alternating with the floor
``python -c pass`` (``_common.alternate``) so that the machine's drift hits both alike; the
figure is the median of the runs, with the spread (min–max); next to it the child's CPU time (user + system, from
``getrusage``), which a shared machine's wait for a core does not inflate. Targets: ``cxkit --help`` and
``cxkit formats`` within 100 ms of the floor (an absolute margin, shown as ``delta``);
``COMMAND --help`` is held to it too. ``formats`` and ``convert --help`` come from a cache
(``cxkit.cli._catalog``): measured warm (the normal case) and cold (the first run after an
install or an upgrade).

Per command (``detect``, ``inspect``, ``validate``, ``convert``) on a tiny file — the built-in
sample, a 3-item CXF document and its Bitwarden JSON, a 1-row Chrome CSV — the figure is what
the command costs to start and do almost nothing: its imports. ``inspect``/``validate`` of a
CXF file need only the CXF layer. Detection answers from the registry's static table and
imports only the readers whose evidence the file shows (issue #18; before, every reader was
imported: ~0.6 s): ``cxkit detect chrome.csv`` imports no reader, no CXF layer and no msgspec,
and is held to **delta <= 150 ms**: the 100 ms of ``--help`` plus what detection needs on top of
it (the adapter framework, the table of 87 adapters, the CSV sniffer, the entry-point scan for
plug-ins; measured ~40 ms of CPU more than ``--help``), a quarter of what it cost before.
``detect bw.json`` imports the two readers that look at an ``items`` member (and the CXF layer
the reader is built on), so it is shown, not held to a target.

Compiled modules: each child runs with a bytecode cache of its own (``PYTHONPYCACHEPREFIX`` in
a temporary folder, ``PYTHONDONTWRITEBYTECODE`` removed), filled by the warm-up run, as an
installed cxkit runs (pip compiles at install; Python caches at the first import otherwise).
Before 2026-12-07 the children inherited this machine's ``PYTHONDONTWRITEBYTECODE=1`` and so
compiled every cxkit module they imported on every start (``cxkit detect chrome.csv``: 160 ms
of CPU instead of 90; ``--help`` 40 instead of 30): a cost of the environment, not of cxkit.
``--no-pyc`` measures that way again.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

from _common import Figure, alternate, spread

SUITE = "startup"
TARGET_DELTA_MS = 100.0

#: A 1-row Chrome CSV export (``cxkit detect chrome.csv``)
CHROME_CSV: Final = b"name,url,username,password,note\r\nExample,https://example.com,alice,pw,\r\n"
DETECT_CSV_TARGET_MS: Final = 150.0

#: (name, arguments, cache warm, target delta in ms or None); ``{cxf}``/``{bw}``/``{csv}``/
#: ``{out}`` are the sample CXF file, the sample Bitwarden export, a Chrome CSV and a folder.
CASES: tuple[tuple[str, tuple[str, ...], bool, float | None], ...] = (
    ("cxkit --help", ("--help",), True, TARGET_DELTA_MS),
    ("cxkit formats", ("formats",), True, TARGET_DELTA_MS),
    ("cxkit --version", ("--version",), True, None),
    ("cxkit formats (cold cache)", ("formats",), False, None),
    ("cxkit convert --help", ("convert", "--help"), True, TARGET_DELTA_MS),
    ("cxkit convert --help (cold cache)", ("convert", "--help"), False, None),
    ("cxkit detect chrome.csv", ("detect", "{csv}"), True, DETECT_CSV_TARGET_MS),
    ("cxkit detect bw.json", ("detect", "{bw}"), True, None),
    ("cxkit inspect vault.cxf.json", ("inspect", "{cxf}"), True, None),
    ("cxkit validate vault.cxf.json", ("validate", "{cxf}"), True, None),
    ("cxkit inspect bw.json", ("inspect", "{bw}"), True, None),
    (
        "cxkit convert bw.json --dry-run",
        ("convert", "{bw}", "--dry-run", "--no-verify"),
        True,
        None,
    ),
    (
        "cxkit convert vault.cxf.json -o x.csv",
        (
            "convert",
            "{cxf}",
            "-o",
            "{out}/x.csv",
            "--to",
            "bitwarden-csv",
            "--plaintext",
            "--force",
            "--no-verify",
        ),
        True,
        None,
    ),
)


def _cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _runner(
    cmd: list[str], env: dict[str, str], cache: str | None = None, cpu: list[float] | None = None
) -> Callable[[], None]:
    """One run of *cmd*; its CPU time is appended to *cpu*: on a loaded machine the wall time
    of a child includes the time it waited for a core, its CPU time much less so."""

    def run() -> None:
        if cache is not None:  # a cold cache: emptied before each run
            for f in os.listdir(cache):
                os.remove(os.path.join(cache, f))
        before = _cpu()
        subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        if cpu is not None:
            cpu.append(_cpu() - before)

    return run


def _samples(folder: Path, env: dict[str, str]) -> dict[str, str]:
    subprocess.run(
        [sys.executable, "-m", "cxkit.cli.main", "demo", "--out", str(folder / "s"), "-q"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (folder / "chrome.csv").write_bytes(CHROME_CSV)
    return {
        "cxf": str(folder / "s" / "sample-vault.cxf.json"),
        "bw": str(folder / "s" / "sample-bitwarden.json"),
        "csv": str(folder / "chrome.csv"),
        "out": str(folder),
    }


def run(
    quick: bool, only: str | None = None, src: str | None = None, *, pyc: bool = True
) -> list[Figure]:
    """The figures; *only*: the cases whose name contains it; *src*: another cxkit source
    folder to measure (``PYTHONPATH``; e.g. ``git archive COMMIT src`` unpacked: before and
    after a change, with the same interpreter and packages)."""
    rounds = 7 if quick else 21
    figures = []
    with (
        tempfile.TemporaryDirectory() as cache,
        tempfile.TemporaryDirectory() as work,
        tempfile.TemporaryDirectory() as bytecode,
    ):
        env = dict(os.environ, CXKIT_CACHE_DIR=cache, COLUMNS="80")
        if pyc:  # compiled modules kept (in a folder of our own), as an installed cxkit has them
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = bytecode
        if src is not None:
            env["PYTHONPATH"] = src
        names = _samples(Path(work), env)
        for name, words, warm, target in CASES:
            if only is not None and only not in name:
                continue
            cmd = [sys.executable, "-m", "cxkit.cli.main", *(w.format(**names) for w in words)]
            floor_cpu: list[float] = []
            subject_cpu: list[float] = []
            floor = _runner([sys.executable, "-c", "pass"], env, cpu=floor_cpu)
            subject = _runner(cmd, env, None if warm else cache, cpu=subject_cpu)
            floors_s, values_s = alternate(floor, subject, rounds, warmup=1)
            cpu_ms = [c * 1000 for c in subject_cpu[-rounds:]]
            floor_cpu_ms = [c * 1000 for c in floor_cpu[-rounds:]]
            floors = [s * 1000 for s in floors_s]
            values = [s * 1000 for s in values_s]
            floor_ms, value = statistics.median(floors), statistics.median(values)
            delta = value - floor_ms
            figures.append(
                Figure(
                    SUITE,
                    name,
                    value,
                    "ms",
                    floor=floor_ms,
                    floor_name="python -c pass",
                    extra={
                        "delta_ms": round(delta, 1),
                        "cpu_ms": round(statistics.median(cpu_ms), 1),
                        "cpu_spread_ms": spread(cpu_ms),
                        "floor_cpu_ms": round(statistics.median(floor_cpu_ms), 1),
                        "spread_ms": spread(values),
                        "floor_spread_ms": spread(floors),
                        "target": f"delta <= {target:.0f} ms" if target is not None else "-",
                        "delta_ok": delta <= target if target is not None else None,
                    },
                )
            )
    return figures


if __name__ == "__main__":  # suite_startup.py [NAME-PART] [--quick] [--src DIR] [--no-pyc]
    argv = sys.argv[1:]
    src = argv[argv.index("--src") + 1] if "--src" in argv else None
    flags = ("--quick", "--no-pyc")
    words = [a for i, a in enumerate(argv) if a not in flags and "--src" not in argv[i - 1 : i + 1]]
    for fig in run("--quick" in argv, words[0] if words else None, src, pyc="--no-pyc" not in argv):
        e = fig.extra
        print(
            f"{fig.name:38} wall {fig.value:5.0f} ms ({e['spread_ms']}), floor {fig.floor:3.0f}"
            f" ms, delta {e['delta_ms']:+5.0f} ms | cpu {e['cpu_ms']:5.0f} ms "
            f"({e['cpu_spread_ms']}), floor {e['floor_cpu_ms']:3.0f} ms"
        )
