"""Helpers shared by the benchmark suites: timing, peak memory, and the Figure record.

A *figure* is one measured number next to its *floor*: the same work done by a baseline
(``orjson``, bare ``cryptography``, ...) measured in the same run, so that machines and
noise cancel out in the ratio.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    """One benchmark result; ``ratio`` = value / floor, compared with ``target`` (a max ratio)."""

    suite: str
    name: str
    value: float
    unit: str
    floor: float | None = None
    floor_name: str | None = None
    target: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0):
            return None
        return self.value / self.floor  # type: ignore[operator]

    @property
    def ok(self) -> bool | None:
        """Whether the target holds; ``target`` is a ceiling on the ratio unless
        ``extra['target_is_minimum']`` is set (then a floor, e.g. throughput ratios)."""
        r = self.ratio
        if self.target is None or r is None:
            return None
        if self.extra.get("target_is_minimum"):
            return r >= self.target
        return r <= self.target

    def as_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "floor": self.floor,
            "floor_name": self.floor_name,
            "ratio": self.ratio,
            "target": self.target,
            "ok": self.ok,
            **({"extra": self.extra} if self.extra else {}),
        }


def best_time(fn: Callable[[], object], repeat: int = 3, *, gc_off: bool = True) -> float:
    """Best wall-clock seconds of ``repeat`` runs of ``fn`` (GC paused when ``gc_off``)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        was_enabled = gc.isenabled()
        if gc_off:
            gc.disable()
        try:
            t0 = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t0)
            del result  # freeing the result is not part of the measured work
        finally:
            if was_enabled:
                gc.enable()
    return best


def peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes allocated through Python's allocators while ``fn`` runs (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak


def generator_main(generate: Callable[[int, int], bytes], doc: str | None) -> int:
    """Command line of a document generator: ``ITEMS [-o OUT] [--seed N]``."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("items", type=int)
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    data = generate(args.items, args.seed)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as fh:
            fh.write(data)
    return 0


def alternate(
    floor: Callable[[], object],
    subject: Callable[[], object],
    repeat: int,
    *,
    warmup: int = 1,
    collector: str = "on",
) -> tuple[list[float], list[float]]:
    """Seconds of *repeat* runs each of *floor* and *subject*, alternating, after one full
    collection and *warmup* untimed runs of each (caches, lazy imports, allocator arenas and
    free lists warm for both).

    Both run in the same process state: each timed run starts with the previous result freed,
    and *collector* is ``"on"`` (enabled during the run, as in use: each pays the collections
    its allocations trigger) or ``"paused"`` (disabled during the run for both; the collection
    of the result is then not timed for either). There is deliberately no ``gc.collect()``
    right before a timed run: measured on the 2-core VM (issue #20), ``list(csv.reader(...))``
    of 1,000 rows takes 1.1 ms (median of 40) without one and 5.6 ms right after one with the
    collector on (1.7 ms with it paused) — a fixed cost of the harness, not of the code, that
    made the 1k-row figures look slower and their ratios smaller."""
    floors, subjects, _, _ = alternate_cpu(
        floor, subject, repeat, warmup=warmup, collector=collector
    )
    return floors, subjects


def median(values: list[float]) -> float:
    """The median of *values* (what every figure reports)."""
    return statistics.median(values)


def spread(values: list[float]) -> str:
    """``min-max`` of *values* (3 significant digits), printed next to a median."""
    return f"{min(values):.3g}-{max(values):.3g}"


def alternate_cpu(
    floor: Callable[[], object],
    subject: Callable[[], object],
    repeat: int,
    *,
    warmup: int = 1,
    collector: str = "on",
) -> tuple[list[float], list[float], list[float], list[float]]:
    """:func:`alternate` (same warm-up, order and process state), also giving each run's CPU
    seconds (``time.process_time``: every thread of this process, user + system): *floors*,
    *subjects*, *floors_cpu*, *subjects_cpu*. On a shared machine a run's wall time includes
    the time it waited for a core; its CPU time much less so, so the CPU ratio is the steadier
    one under load."""
    if collector not in ("on", "paused"):
        raise ValueError(f"collector must be 'on' or 'paused', not {collector!r}")
    pause = collector == "paused"
    gc.collect()
    for _ in range(warmup):
        for fn in (floor, subject):
            result = fn()
            del result
    walls: tuple[list[float], list[float]] = ([], [])
    cpus: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for i, fn in enumerate((floor, subject)):
            wall, cpu = _timed_cpu(fn, pause)
            walls[i].append(wall)
            cpus[i].append(cpu)
    return walls[0], walls[1], cpus[0], cpus[1]


def _timed_cpu(fn: Callable[[], object], pause: bool) -> tuple[float, float]:
    was_enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        if was_enabled:
            gc.enable()
    del result  # freeing the result is not part of the measured work
    return elapsed, cpu


def alternate_timed(
    floor: Callable[[], float],
    subject: Callable[[], float],
    repeat: int,
    *,
    warmup: int = 1,
    collector: str = "on",
) -> tuple[list[float], list[float]]:
    """:func:`alternate` for work whose set-up is not part of the figure (a server started, a
    key made): each callable times its own measured part and returns those seconds; the
    order, warm-up and process state are :func:`alternate`'s."""
    if collector not in ("on", "paused"):
        raise ValueError(f"collector must be 'on' or 'paused', not {collector!r}")
    pause = collector == "paused"
    gc.collect()
    for _ in range(warmup):
        floor()
        subject()
    floors: list[float] = []
    subjects: list[float] = []
    for _ in range(repeat):
        for fn, out in ((floor, floors), (subject, subjects)):
            was_enabled = gc.isenabled()
            if pause:
                gc.disable()
            try:
                out.append(fn())
            finally:
                if was_enabled:
                    gc.enable()
    return floors, subjects
