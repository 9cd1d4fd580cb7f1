"""Format detection on a large JSON export: the sniffers peek, the reader decodes once.

Workload: :mod:`gen_bitwarden` — 100,000 items (~100 MB; 10,000 with ``--quick``). Measured:
:func:`cxkit.adapters.make_sample` plus :func:`cxkit.adapters.detection` (top-level members as
``msgspec.Raw`` slices, the first entries of ``items`` decoded for evidence) against the floor of
one full ``msgspec.json.decode`` of the same bytes — what detection cost before, on top of the
reader's own decode. Target: detection within 0.5x of one full decode. Peak memory
(tracemalloc) of detection is shown next to the input size.

Method (issue #20 item 1): floor and subject alternate on the same bytes after a warm-up
(:func:`_common.alternate_cpu`); the figure is the median of the rounds with the min-max spread
and the ratio of the median CPU times. The collector is **paused** for both: in use
(:func:`cxkit.adapters.read`) the sniffers and the reader's decode both run with it paused.
Before, each was the best of 3 runs timed apart, the collector paused for both, so the
ratio's method only changes from "best, apart" to "median, alternating".
"""

from __future__ import annotations

import msgspec

from _common import Figure, alternate_cpu, median, peak_memory, spread
from cxkit import adapters
from gen_bitwarden import generate

SUITE = "detect"


def _detect(data: bytes) -> str:
    return str(adapters.detect(adapters.make_sample(data, "bitwarden.json")).key)


def run(quick: bool) -> list[Figure]:
    n = 10_000 if quick else 100_000
    data = generate(n)
    assert _detect(data) == "bitwarden-json"
    rounds = 7 if quick else 5
    floors, subjects, floors_cpu, subjects_cpu = alternate_cpu(
        lambda: msgspec.json.decode(data), lambda: _detect(data), rounds, collector="paused"
    )
    peak = peak_memory(lambda: _detect(data))
    size_mb = len(data) / 1e6
    return [
        Figure(SUITE, f"make_sample + detect, {n:,} items ({size_mb:.0f} MB)", median(subjects),
               "s", floor=median(floors), floor_name="one full msgspec decode", target=0.5,
               extra={"spread_s": spread(subjects), "floor_spread_s": spread(floors),
                      "cpu_ratio": round(median(subjects_cpu) / median(floors_cpu), 3),
                      "rounds": rounds, "collector": "paused"}),
        Figure(SUITE, "detection peak memory", peak / 1e6, "MB",
               extra={"input_mb": round(size_mb, 1)}),
    ]  # fmt: skip
