"""Run a coverage-guided fuzzing campaign (atheris / libFuzzer) over the targets of targets.py.

    uv run python fuzz/run.py                         # every target, 60 s each
    uv run python fuzz/run.py cxf zip --seconds 600   # some targets, 10 min each
    uv run python fuzz/run.py cxf --runs 1000000      # a number of executions
    uv run python fuzz/run.py --list

Each target runs in its own process (``fuzz/run.py --child TARGET``) with a corpus folder
``fuzz/corpus/TARGET`` (kept between runs, git-ignored) seeded from the project's fixtures and,
when present, ``../shared`` (read in place, never copied into the project). A crash stops that
target: libFuzzer writes the input to ``fuzz/crashes/TARGET/`` and the summary says so. The
summary prints executions, coverage (libFuzzer's ``cov``/``ft``), corpus size and crashes per
target, and with ``--record FILE`` appends it as a Markdown table (docs/fuzzing.md).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
MAX_SEED = 256 << 10  # libFuzzer -max_len below; larger seeds are cut

_EXPORTS = (
    ".json",
    ".csv",
    ".xml",
    ".txt",
    ".zip",
    ".1pux",
    ".kdbx",
    ".2fas",
    ".yml",
    ".bin",
    ".js",
)
# Seeds: files under these folders whose suffix fits the target (recursive, capped in number).
_SEEDS: dict[str, tuple[tuple[Path, tuple[str, ...]], ...]] = {
    "cxf": ((ROOT / "src/cxkit/samples", (".json",)), (SHARED / "exports", (".json",))),
    "readers": (
        (ROOT / "src/cxkit/samples", (".json",)),
        (SHARED / "exports", _EXPORTS),
    ),
    "detect": ((SHARED / "exports", _EXPORTS),),
    "zip": ((SHARED / "exports", (".zip", ".1pux")), (SHARED / "vectors", (".zip",))),
    "kdbx": ((SHARED / "exports", (".kdbx",)), (SHARED / "vectors", (".kdbx",))),
    "cxp": ((SHARED / "vectors/cxp", (".json",)), (SHARED / "exports/cxp", (".json",))),
    "pairing": (),
}
_PAIRING_SEEDS = (
    b"cxkit-pair:1:127.0.0.1:8443:AAAA:BBBB",
    b"",
    # P0 §5.3 text form and the cxkit compact form (IPv4, IPv6) of one made-up pairing
    b"cxp-p0:eyJ1IjoiaHR0cDovLzEyNy4wLjAuMTo0NzExL2N4cC9wMC9BQUVDQXdRRkJnY0lDUW9MREEwT0R3LyIsI"
    b"mQiOiJFUkVSRVJFUkVSRVJFUkVSRVJFUkVSRVJFUkVSRVJFUkVSRVJFUkVSRVJFIiwiayI6IklpSWlJaUlpSWlJa"
    b"UlpSWlJaUlpSWlJaUlpSWlJaUlpSWlJaUlpSWlJaUkifQ",
    b"CXP-P0C:AR7QAAABCJTQAAICAMCAKBQHBAEQUCYMBUHA6EIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIR"
    b"CEIRCEIREIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRA",
    b"CXP-P0C:AYAAAAAAAAAAAAAAAAAAAAAAAAAREZYAAEBAGBAFAYDQQCIKBMGA2DQPCEIRCEIRCEIRCEIRCEIRCEIR"
    b"CEIRCEIRCEIRCEIRCEIRCEIRCEISEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIRCEIQ",
)


def _seed_files(target: str, limit: int = 400) -> list[Path]:
    found: list[Path] = []
    for folder, suffixes in _SEEDS.get(target, ()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in suffixes:
                found.append(path)
                if len(found) >= limit:
                    return found
    return found


def seed_corpus(target: str) -> Path:
    """The corpus folder of *target*, seeded on first use (file contents, never paths)."""
    corpus = HERE / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    seeded = any(corpus.iterdir())
    if target == "kdbx":  # databases the harness can open and a payload it wraps: added to an
        for name, data in _kdbx_seeds().items():  # existing corpus too (they are cheap)
            if not (corpus / f"seed-{name}").exists():
                (corpus / f"seed-{name}").write_bytes(data)
    if target == "pairing":  # both pairing forms: added to an existing corpus too (cheap)
        for i, data in enumerate(_PAIRING_SEEDS):
            if not (corpus / f"seed-{i}").exists():
                (corpus / f"seed-{i}").write_bytes(data)
    if seeded:
        return corpus
    from targets import reader_keys

    keys = reader_keys()
    for i, path in enumerate(_seed_files(target)):
        data = path.read_bytes()[:MAX_SEED]
        if target == "readers":  # one copy per plausible reader (the first byte picks it)
            for k, key in enumerate(keys):
                if key.split("-")[-1] in path.name.lower() or k % 16 == i % 16:
                    (corpus / f"seed-{i}-{k}").write_bytes(bytes([k]) + data)
        else:
            (corpus / f"seed-{i}").write_bytes(data)
    if target == "cxf" and not any(corpus.iterdir()):
        (corpus / "seed-min").write_bytes(b'{"version":{"major":1,"minor":0},"accounts":[]}')
    return corpus


def _kdbx_seeds() -> dict[str, bytes]:
    from cxkit.kdbx import Database, Entry, WriteOptions, write_kdbx

    db = Database()
    entry = Entry()
    entry.set("Title", "site")
    entry.set("Password", "pw", protected=True)
    db.root.entries.append(entry)
    seeds = {}
    for cipher in ("chacha20", "aes256"):
        for compress in (True, False):
            options = WriteOptions(
                cipher=cipher,
                argon2_memory_kib=64,
                argon2_iterations=1,
                argon2_parallelism=1,
                compress=compress,
            )
            seeds[f"{cipher}-{compress}"] = write_kdbx(db, password="fuzz", options=options)  # noqa: S106
    from targets import kdbx_payload_seed

    seeds["payload"] = kdbx_payload_seed()  # not a KDBX file: the harness wraps it (targets.py)
    return seeds


def _patch_atheris() -> None:
    """Work around an atheris 2.3 bug that miscompiled the code being fuzzed (CPython 3.11).

    After inserting its probes, atheris grows every jump whose argument no longer fits in one
    byte (an ``EXTENDED_ARG`` more) by comparing each instruction with the next one, so the
    function's *last* instruction is never checked. A function ending in a ``while True:`` loop
    whose instrumented body passes 255 code units ends in a ``JUMP_BACKWARD`` that grew without
    its argument being corrected: the loop jumps back two bytes too far, one instruction
    skipped, and the function computes nonsense (``_parse_header`` of KDBX raised
    ``TypeError`` on every database, which ``read_kdbx`` reported as "cannot be read", so no
    input ever got past the header). The patch re-checks the last instruction's invariant
    (offset + size + scaled argument == target) and applies atheris's own size adjustment.
    """
    from atheris import instrument_bytecode as ib  # type: ignore[import-untyped]

    original = ib.Instrumentor._handle_size_changes
    if getattr(original, "_cxkit_patched", False):
        return

    def handle_size_changes(self: object) -> None:
        while True:
            original(self)
            listing = self._get_linear_instruction_listing()  # type: ignore[attr-defined]
            last = listing[-1] if listing else None
            if last is None or last.reference is None or not last._is_relative:
                return
            scale = ib.rel_reference_scale(last.mnemonic)
            gap = (
                last.offset + last.get_size() + ib.jump_arg_bytes(last.arg) * scale
            ) - last.reference
            if gap == 0:
                return
            self._adjust(last.offset + 0.5, gap)  # type: ignore[attr-defined]

    handle_size_changes._cxkit_patched = True  # type: ignore[attr-defined]
    ib.Instrumentor._handle_size_changes = handle_size_changes


def _child(target: str, libfuzzer_args: list[str]) -> None:
    import atheris  # type: ignore[import-untyped]

    _patch_atheris()
    sys.path.insert(0, str(HERE))
    with atheris.instrument_imports(include=["cxkit"]):
        # every module a target reaches, imported (so instrumented) before the first input
        from targets import TARGETS, reader_keys

        import cxkit.adapters
        import cxkit.crypto.safezip
        import cxkit.cxf
        import cxkit.cxp.p0
        import cxkit.kdbx
        import cxkit.transfer.pairing  # noqa: F401

        reader_keys()  # loads every registered adapter module

    fn = TARGETS[target]
    atheris.Setup([sys.argv[0], *libfuzzer_args], fn)
    atheris.Fuzz()


_STAT = re.compile(rb"#(\d+)\s+(?:DONE|pulse|NEW|REDUCE|INITED)\s+cov: (\d+) ft: (\d+) corp: (\d+)")


def run_target(target: str, seconds: int | None, runs: int | None) -> dict[str, object]:
    corpus = seed_corpus(target)
    crashes = HERE / "crashes" / target
    crashes.mkdir(parents=True, exist_ok=True)
    args = [
        sys.executable,
        str(HERE / "run.py"),
        "--child",
        target,
        str(corpus),
        f"-artifact_prefix={crashes}/",
        f"-max_len={MAX_SEED}",
        "-timeout=20",
        "-rss_limit_mb=3072",
        "-print_final_stats=1",
    ]
    if seconds is not None:
        args.append(f"-max_total_time={seconds}")
    if runs is not None:
        args.append(f"-runs={runs}")
    started = time.monotonic()
    before = set(crashes.iterdir())
    proc = subprocess.run(args, capture_output=True, cwd=ROOT, check=False)  # noqa: S603
    elapsed = time.monotonic() - started
    log = proc.stdout + proc.stderr
    kept = log if len(log) <= 250_000 else log[:50_000] + b"\n[...]\n" + log[-200_000:]
    (HERE / "crashes" / f"{target}.log").write_bytes(kept)  # the head keeps the INITED line
    stats = _STAT.findall(log)
    execs, cov, ft, corp = (int(x) for x in stats[-1]) if stats else (0, 0, 0, 0)
    inited = re.search(rb"#\d+\s+INITED\s+cov: (\d+) ft: (\d+)", log)
    start = (int(inited.group(1)), int(inited.group(2))) if inited else (0, 0)
    done = re.search(rb"stat::number_of_executed_units: (\d+)", log)
    if done:
        execs = int(done.group(1))
    new_crashes = sorted(str(p.name) for p in set(crashes.iterdir()) - before)
    return {
        "target": target,
        "executions": execs,
        "seconds": round(elapsed),
        "cov": cov,
        "ft": ft,
        "cov_start": start[0],
        "ft_start": start[1],
        "corpus": corp,
        "exit": proc.returncode,
        "crashes": new_crashes,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2:])
        return 0
    sys.path.insert(0, str(HERE))
    from targets import TARGETS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help=f"default: all of {', '.join(TARGETS)}")
    parser.add_argument("--seconds", type=int, help="length per target (default 60)")
    parser.add_argument("--runs", type=int, help="executions per target instead of a time")
    parser.add_argument("--record", metavar="FILE", help="append the summary to a Markdown file")
    parser.add_argument("--list", action="store_true", help="list the targets")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(TARGETS))
        return 0
    names = args.targets or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")
    seconds = args.seconds if args.seconds is not None or args.runs is not None else 60
    rows = []
    for name in names:
        row = run_target(name, seconds, args.runs)
        rows.append(row)
        crashes = ", ".join(row["crashes"]) or "none"  # type: ignore[arg-type]
        print(
            f"{name:8} {row['executions']:>10,} execs in {row['seconds']:>5} s   "
            f"cov {row['cov_start']}->{row['cov']} ft {row['ft_start']}->{row['ft']} "
            f"corpus {row['corpus']:>5}   "
            f"exit {row['exit']}   crashes: {crashes}",
            flush=True,
        )
    if args.record:
        with open(args.record, "a", encoding="utf-8") as fh:
            fh.write(f"\n### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n")
            fh.write("| target | executions | seconds | cov start → end | ft start → end | corpus")
            fh.write(" | crashes |\n|---|---:|---:|---|---|---:|---|\n")
            for r in rows:
                crashes = ", ".join(r["crashes"]) or "none"  # type: ignore[arg-type]
                fh.write(
                    f"| {r['target']} | {r['executions']:,} | {r['seconds']} | "
                    f"{r['cov_start']} → {r['cov']} | {r['ft_start']} → {r['ft']} | "
                    f"{r['corpus']} | {crashes} |\n"
                )
    return 1 if any(r["crashes"] for r in rows) else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
