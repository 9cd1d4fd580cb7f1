"""Start-up time of the ``cxkit`` command (issue #18).

Each command is run as a fresh process of the same interpreter, alternating with the floor
``python -c pass`` (``_common.alternate``) so that the machine's drift hits both alike; the
figure is the median of the runs, with the spread (min–max). Targets: ``cxkit --help`` and
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
import statistics
import subprocess
import sys
import tempfile
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


def _runner(cmd: list[str], env: dict[str, str], cache: str | None = None) -> object:
    def run() -> None:
        if cache is not None:  # a cold cache: emptied before each run
            for f in os.listdir(cache):
                os.remove(os.path.join(cache, f))
        subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )

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


def run(quick: bool, only: str | None = None) -> list[Figure]:
    rounds = 7 if quick else 21
    figures = []
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, CXKIT_CACHE_DIR=cache, COLUMNS="80")
        names = _samples(Path(work), env)
        floor = _runner([sys.executable, "-c", "pass"], env)
        for name, words, warm, held in CASES:
            if only is not None and only not in name:
                continue
            cmd = [sys.executable, "-m", "cxkit.cli.main", *(w.format(**names) for w in words)]
            subject = _runner(cmd, env, None if warm else cache)
            floors_s, values_s = alternate(floor, subject, rounds, warmup=1)
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
                        "spread_ms": spread(values),
                        "floor_spread_ms": spread(floors),
                        "target": f"delta <= {TARGET_DELTA_MS:.0f} ms" if held else "-",
                        "delta_ok": delta <= TARGET_DELTA_MS if held else None,
                    },
                )
            )
    return figures


if __name__ == "__main__":  # python benchmarks/suite_startup.py [NAME-PART] [--quick]
    args = [a for a in sys.argv[1:] if a != "--quick"]
    for fig in run("--quick" in sys.argv, args[0] if args else None):
        e = fig.extra
        print(
            f"{fig.name:40} {fig.value:7.0f} ms  (spread {e['spread_ms']})  floor "
            f"{fig.floor:5.0f} ms ({e['floor_spread_ms']})  delta {e['delta_ms']:+.0f} ms"
        )
