"""Run cxkit's benchmark suites and print each figure next to its floor.

    uv run python benchmarks/run.py [SUITE ...] [--quick] [--json]

Every ``benchmarks/suite_<name>.py`` is a suite: a module with ``run(quick: bool) ->
list[Figure]``. Figures are measured, not asserted: targets are shown as ``ok``/``MISS``, and
the script exits 0 either way (benchmarks are run on demand, never as timed unit tests). Suites
that time with ``_common.alternate`` (floor and subject alternating after a warm-up) report the
median as the figure and its ``spread`` (min-max) beside it; each suite ends with a summary line
saying which of its targets hold.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import Figure  # noqa: E402


def available_suites() -> list[str]:
    return sorted(p.stem.removeprefix("suite_") for p in HERE.glob("suite_*.py"))


def main(argv: list[str] | None = None) -> int:
    suites = available_suites()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "suites",
        nargs="*",
        metavar="SUITE",
        help=f"suites to run (default: all of {', '.join(suites)})",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    chosen = args.suites or suites
    unknown = [s for s in chosen if s not in suites]
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(unknown)}; available: {', '.join(suites)}")

    figures: list[Figure] = []
    for name in chosen:
        module = importlib.import_module(f"suite_{name}")
        if not args.json:
            print(f"== {name} ==", flush=True)
        suite_figures: list[Figure] = []
        for fig in module.run(quick=args.quick):
            suite_figures.append(fig)
            if not args.json:
                print(_format(fig), flush=True)
        figures += suite_figures
        if not args.json:
            print(_summary(name, suite_figures), flush=True)

    if args.json:
        print(
            json.dumps(
                {
                    "machine": {
                        "python": platform.python_version(),
                        "platform": platform.platform(),
                        "processor": platform.processor() or platform.machine(),
                    },
                    "date": time.strftime("%Y-%m-%d"),
                    "quick": args.quick,
                    "figures": [f.as_json() for f in figures],
                },
                indent=2,
            )
        )
    return 0


def _held(fig: Figure) -> bool | None:
    """Whether *fig*'s target holds: a ratio target (:attr:`Figure.ok`), or an absolute margin
    over the floor (``extra["delta_ok"]``, the start-up suite's), None without a target."""
    if fig.ok is not None:
        return fig.ok
    delta_ok = fig.extra.get("delta_ok")
    return delta_ok if isinstance(delta_ok, bool) else None


def _summary(suite: str, figures: list[Figure]) -> str:
    """One line per suite: how many of its targets hold, and which do not."""
    judged = [f for f in figures if _held(f) is not None]
    if not judged:
        return f"  -- {suite}: no targets"
    missed = [f.name for f in judged if not _held(f)]
    held = len(judged) - len(missed)
    text = f"  -- {suite}: {held} of {len(judged)} targets hold"
    if missed:
        text += "; MISS: " + "; ".join(missed)
    return text


def _format(fig: Figure) -> str:
    text = f"  {fig.name:<48} {fig.value:>12.4g} {fig.unit}"
    if fig.floor is not None:
        text += f"   floor {fig.floor_name}: {fig.floor:.4g} {fig.unit}   ratio {fig.ratio:.2f}"
    if fig.target is not None:
        cmp = "≥" if fig.extra.get("target_is_minimum") else "≤"
        text += f"   target {cmp} {fig.target:g}: {'ok' if fig.ok else 'MISS'}"
    for key, value in fig.extra.items():
        if key != "target_is_minimum":
            text += f"   {key}={value}"
    return text


if __name__ == "__main__":
    raise SystemExit(main())
