"""Format detection on a large JSON export: the sniffers peek, the reader decodes once.

Workload: :mod:`gen_bitwarden` — 100,000 items (~100 MB; 10,000 with ``--quick``). Measured:
:func:`cxkit.adapters.make_sample` plus :func:`cxkit.adapters.detection` (top-level members as
``msgspec.Raw`` slices, the first entries of ``items`` decoded for evidence) against the floor of
one full ``msgspec.json.decode`` of the same bytes — what detection cost before, on top of the
reader's own decode. Target: detection within 0.5x of one full decode. Peak memory
(tracemalloc) of detection is shown next to the input size.
"""

from __future__ import annotations

import gc

import msgspec

from _common import Figure, best_time, peak_memory
from cxkit import adapters
from gen_bitwarden import generate

SUITE = "detect"


def _detect(data: bytes) -> str:
    return str(adapters.detect(adapters.make_sample(data, "bitwarden.json")).adapter.info.key)


def run(quick: bool) -> list[Figure]:
    n = 10_000 if quick else 100_000
    data = generate(n)
    assert _detect(data) == "bitwarden-json"
    gc.collect()
    detect_s = best_time(lambda: _detect(data))
    decode_s = best_time(lambda: msgspec.json.decode(data))
    peak = peak_memory(lambda: _detect(data))
    size_mb = len(data) / 1e6
    return [
        Figure(SUITE, f"make_sample + detect, {n:,} items ({size_mb:.0f} MB)", detect_s, "s",
               floor=decode_s, floor_name="one full msgspec decode", target=0.5),
        Figure(SUITE, "detection peak memory", peak / 1e6, "MB",
               extra={"input_mb": round(size_mb, 1)}),
    ]  # fmt: skip
