"""Peak memory of each command family against its input size (issue #17, README "Resource
bounds").

    uv run python benchmarks/run.py memory [--quick]
    uv run python benchmarks/suite_memory.py [--quick] [--sizes 1,10,50]

Each command runs in a child process (``cxkit.cli.main.main`` with the command's arguments);
the child reports its peak resident set (``resource.getrusage(RUSAGE_SELF).ru_maxrss``). The
floor of a command is the same command on a tiny input (20 items): its constant (the
interpreter, the modules it imports, a key derivation's memory). The figure is the command's
peak; ``ratio`` is peak over floor, and ``extra["multiple"]`` the number that matters,
(peak - floor) / input size. Inputs of about 1, 10 and 50 MB (``--quick``: 1 MB): generated
CXF (benchmarks/gen_cxf.py), Bitwarden JSON (gen_bitwarden.py) and a Chrome CSV. Each size runs
twice; the figure is the larger peak, the spread both. Memory is not timing: the load of the
machine changes it little.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import Figure

HERE = Path(__file__).resolve().parent
SUITE = "memory"
MB = 1_000_000
# Items per MB of generated input (measured: 2,000 CXF items ≈ 1 MB, 1,080 Bitwarden items ≈ 1 MB)
_CXF_ITEMS_PER_MB = 2_000
_BW_ITEMS_PER_MB = 1_080
_CSV_ROWS_PER_MB = 11_000
_PW = "benchmark-password"


def _child(out: str, argv: list[str]) -> None:
    """Run one cxkit command and write its exit code and peak RSS (KiB) to *out*."""
    import contextlib
    import resource

    from cxkit.cli.main import main

    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        code = main(argv)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(out).write_text(json.dumps({"code": code, "peak_kib": peak}))


def _measure(argv: list[str], env: dict[str, str]) -> tuple[int, int]:
    """(exit code, peak KiB) of ``cxkit ARGV`` in a fresh child process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "peak.json"
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(out), *argv],
            env=env,
            capture_output=True,
            check=False,
        )
        if not out.exists():
            raise RuntimeError(f"child failed: {argv[0]} (exit {proc.returncode})")
        result = json.loads(out.read_text())
    return int(result["code"]), int(result["peak_kib"])


def _make_inputs(folder: Path, mb: int) -> dict[str, Path]:
    """Inputs of about *mb* MB (0: 20 items, the floor)."""
    sys.path.insert(0, str(HERE))
    import gen_bitwarden
    import gen_cxf

    cxf = folder / f"in-{mb}.cxf.json"
    cxf.write_bytes(gen_cxf.generate(mb * _CXF_ITEMS_PER_MB or 20))
    bw = folder / f"in-{mb}.bitwarden.json"
    bw.write_bytes(gen_bitwarden.generate(mb * _BW_ITEMS_PER_MB or 20))
    csv = folder / f"in-{mb}.csv"
    rows = ["name,url,username,password,note"]
    rows += [
        f"site {i},https://login.site{i}.example/path?q={i},user{i}@example.com,"
        f"pw-{i:08d}-not-secret,a note {i}"
        for i in range(mb * _CSV_ROWS_PER_MB or 20)
    ]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {"cxf": cxf, "bitwarden": bw, "csv": csv}


def _commands(files: dict[str, Path], tmp: Path) -> list[tuple[str, str, list[str]]]:
    """(family, input kind, argv) in the order they must run (seal before open, request and
    export before import)."""
    cxf, bw, csv = str(files["cxf"]), str(files["bitwarden"]), str(files["csv"])
    o = str(tmp)
    return [
        ("convert CXF -> KDBX", "cxf",
         ["convert", cxf, "-o", f"{o}/out.kdbx", "--new-password-env", "BENCH_PW", "--force"]),
        ("convert Bitwarden JSON -> CXF", "bitwarden",
         ["convert", bw, "-o", f"{o}/bw.cxf.json", "--plaintext", "--force"]),
        ("convert CSV -> CXF", "csv",
         ["convert", csv, "--from", "chrome-csv", "-o", f"{o}/csv.cxf.json", "--plaintext",
          "--force"]),
        ("validate", "cxf", ["validate", cxf]),
        ("inspect", "cxf", ["inspect", cxf]),
        ("seal", "cxf",
         ["seal", cxf, "-o", f"{o}/sealed.cxp", "--passphrase-env", "BENCH_PW", "--force"]),
        ("open", "cxf",
         ["open", f"{o}/sealed.cxp", "-o", f"{o}/opened.cxf.json", "--plaintext",
          "--passphrase-env", "BENCH_PW", "--force"]),
        ("request", "cxf",
         ["request", "-o", f"{o}/request.json", "--key", f"{o}/key.json", "--force"]),
        ("export", "cxf",
         ["export", cxf, "--request", f"{o}/request.json", "-o", f"{o}/response.json", "--yes",
          "--force"]),
        ("import", "cxf",
         ["import", f"{o}/response.json", "--request", f"{o}/request.json", "--key",
          f"{o}/key.json", "-o", f"{o}/imported.cxf.json", "--plaintext", "--force"]),
    ]  # fmt: skip


def measure(
    sizes: list[int], repeat: int, say: Callable[[str], None] = lambda s: None
) -> list[dict[str, Any]]:
    """Rows of {family, mb, input_bytes, floor_kib, peaks_kib, codes} for each size; the floor
    of a family is its peak on the tiny input (size 0, measured first)."""
    rows: list[dict[str, Any]] = []
    floors: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="cxkit-mem-") as tmp_name:
        tmp = Path(tmp_name)
        env = dict(os.environ, BENCH_PW=_PW, CXKIT_CACHE_DIR=str(tmp / "cache"))
        for mb in [0, *sizes]:
            files = _make_inputs(tmp, mb)
            commands = _commands(files, tmp)
            export = next(argv for family, _, argv in commands if family == "export")
            for family, kind, argv in commands:
                peaks, codes = [], set()
                for i in range(repeat):
                    if family == "import" and i:  # a response is imported once: a fresh one
                        _measure(export, env)
                    code, peak = _measure(argv, env)
                    peaks.append(peak)
                    codes.add(code)
                if family in ("open", "import"):  # their input is the archive / response
                    size = (tmp / ("sealed.cxp" if family == "open" else "response.json")).stat()
                else:
                    size = files[kind].stat()
                if mb == 0:
                    floors[family] = max(peaks)
                    continue
                if family == "request":  # no input: a step export and import need
                    continue
                row = {
                    "family": family,
                    "mb": mb,
                    "input_bytes": size.st_size,
                    "floor_kib": floors[family],
                    "peaks_kib": peaks,
                    "codes": sorted(codes),
                }
                rows.append(row)
                say(_line(row))
            for path in files.values():
                path.unlink()
    return rows


def _line(row: dict[str, Any]) -> str:
    peak = max(row["peaks_kib"])
    extra = (peak - row["floor_kib"]) * 1024 / max(1, row["input_bytes"])
    spread = f"{min(row['peaks_kib']) / 1024:.0f}-{peak / 1024:.0f}"
    return (
        f"{row['family']:30} {row['input_bytes'] / MB:6.1f} MB in  peak {peak / 1024:7.0f} MiB "
        f"(runs {spread})  floor {row['floor_kib'] / 1024:4.0f} MiB  "
        f"(peak-floor)/input {extra:5.2f}x  exit {row['codes']}"
    )


def run(quick: bool = False) -> list[Figure]:
    sizes = [1] if quick else [1, 10, 50]
    figures = []
    for row in measure(sizes, 1 if quick else 2):
        peak = max(row["peaks_kib"])
        figures.append(
            Figure(
                SUITE,
                f"{row['family']} {row['mb']} MB",
                peak / 1024,
                "MiB",
                floor=row["floor_kib"] / 1024,
                floor_name="the command on 20 items",
                extra={
                    "input_mb": round(row["input_bytes"] / MB, 2),
                    "multiple": round(
                        (peak - row["floor_kib"]) * 1024 / max(1, row["input_bytes"]), 2
                    ),
                    "spread_mib": [round(p / 1024) for p in row["peaks_kib"]],
                    "exit": row["codes"],
                },
            )
        )
    return figures


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2:])
        return 0
    sizes = [1] if "--quick" in argv else [1, 10, 50]
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    measure(sizes, 1 if "--quick" in argv else 2, say=lambda s: print(s, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
