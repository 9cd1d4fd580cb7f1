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
sample, a 3-item CXF document and its Bitwarden JSON — the figure is what the command costs
to start and do almost nothing: its imports. ``detect`` and the commands reading another app's
export pay for the adapter registry (every reader is imported to ask it about the file);
``inspect``/``validate`` of a CXF file need only the CXF layer.
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

from _common import Figure, alternate, spread

SUITE = "startup"
TARGET_DELTA_MS = 100.0

#: (name, arguments, cache warm, held to the target); ``{cxf}``/``{bw}``/``{out}`` are the
#: sample CXF file, the sample Bitwarden export and a folder for outputs.
CASES: tuple[tuple[str, tuple[str, ...], bool, bool], ...] = (
    ("cxkit --help", ("--help",), True, True),
    ("cxkit formats", ("formats",), True, True),
    ("cxkit --version", ("--version",), True, False),
    ("cxkit formats (cold cache)", ("formats",), False, False),
    ("cxkit convert --help", ("convert", "--help"), True, True),
    ("cxkit convert --help (cold cache)", ("convert", "--help"), False, False),
    ("cxkit detect bw.json", ("detect", "{bw}"), True, False),
    ("cxkit inspect vault.cxf.json", ("inspect", "{cxf}"), True, False),
    ("cxkit validate vault.cxf.json", ("validate", "{cxf}"), True, False),
    ("cxkit inspect bw.json", ("inspect", "{bw}"), True, False),
    (
        "cxkit convert bw.json --dry-run",
        ("convert", "{bw}", "--dry-run", "--no-verify"),
        True,
        False,
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
        False,
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
    return {
        "cxf": str(folder / "s" / "sample-vault.cxf.json"),
        "bw": str(folder / "s" / "sample-bitwarden.json"),
        "out": str(folder),
    }


def run(quick: bool, only: str | None = None, src: str | None = None) -> list[Figure]:
    """The figures; *only*: the cases whose name contains it; *src*: another cxkit source
    folder to measure (``PYTHONPATH``; e.g. ``git archive COMMIT src`` unpacked: before and
    after a change, with the same interpreter and packages)."""
    rounds = 7 if quick else 21
    figures = []
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, CXKIT_CACHE_DIR=cache, COLUMNS="80")
        if src is not None:
            env["PYTHONPATH"] = src
        names = _samples(Path(work), env)
        for name, words, warm, held in CASES:
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
                        "target": f"delta <= {TARGET_DELTA_MS:.0f} ms" if held else "-",
                        "delta_ok": delta <= TARGET_DELTA_MS if held else None,
                    },
                )
            )
    return figures


if __name__ == "__main__":  # python benchmarks/suite_startup.py [NAME-PART] [--quick] [--src DIR]
    argv = sys.argv[1:]
    src = argv[argv.index("--src") + 1] if "--src" in argv else None
    words = [a for i, a in enumerate(argv) if a != "--quick" and "--src" not in argv[i - 1 : i + 1]]
    for fig in run("--quick" in argv, words[0] if words else None, src):
        e = fig.extra
        print(
            f"{fig.name:38} wall {fig.value:5.0f} ms ({e['spread_ms']}), floor {fig.floor:3.0f}"
            f" ms, delta {e['delta_ms']:+5.0f} ms | cpu {e['cpu_ms']:5.0f} ms "
            f"({e['cpu_spread_ms']}), floor {e['floor_cpu_ms']:3.0f} ms"
        )
