"""CXF decode / validate / encode on generated 10k- and 100k-item documents.

Floors, measured in the same run on the same bytes: ``orjson.loads`` with the garbage collector
disabled (decode, validate+decode) and ``orjson.dumps`` of the loaded object (encode). Each
timing runs with nothing else large alive in the process, the floors included. Targets
(issue "The foundation"): decode ≤ 1.5×, validate+decode ≤ 3×, encode ≤ 2×, peak memory of a
decode ≤ 4× the input size. cxkit's decode manages the collector itself, so it is timed with
the collector on.
"""

from __future__ import annotations

import gc
import time

import orjson

from _common import Figure, best_time, peak_memory
from cxkit import cxf
from gen_cxf import generate

SUITE = "cxf"


def run(quick: bool) -> list[Figure]:
    sizes = (1_000, 10_000) if quick else (10_000, 100_000)
    figures: list[Figure] = []
    for n in sizes:
        figures += _measure(n)
    return figures


def _measure(n: int) -> list[Figure]:
    data = generate(n)
    mb = len(data) / 1e6
    tag = f"{n // 1000}k items, {mb:.1f} MB"
    repeat = 5 if n <= 10_000 else 3

    # Decoders first, each with nothing else large alive; then the encoders.
    gc.collect()
    t_loads = best_time(lambda: orjson.loads(data), repeat, gc_off=True)
    t_decode = best_time(lambda: cxf.decode(data), repeat, gc_off=False)
    peak = peak_memory(lambda: cxf.decode(data))
    gc_after = _collection_after_decode(data)

    doc = cxf.decode(data)
    t_validate = best_time(lambda: cxf.validate(doc), repeat, gc_off=False)
    t_encode = best_time(lambda: doc.encode(), repeat, gc_off=False)
    t_normalize = best_time(lambda: doc.encode(normalize=True), 1, gc_off=False)
    lossless = orjson.loads(doc.encode()) == orjson.loads(data)
    doc = None  # type: ignore[assignment]
    gc.collect()

    obj = orjson.loads(data)
    t_dumps = best_time(lambda: orjson.dumps(obj), repeat, gc_off=True)

    return [
        Figure(
            SUITE,
            f"decode ({tag})",
            t_decode,
            "s",
            t_loads,
            "orjson.loads, GC off",
            1.5,
            {
                "items/s": f"{n / t_decode:,.0f}",
                "MB/s": f"{mb / t_decode:.0f}",
                "first GC after": f"{gc_after:.3f}s",
            },
        ),
        Figure(
            SUITE,
            f"validate+decode ({tag})",
            t_decode + t_validate,
            "s",
            t_loads,
            "orjson.loads, GC off",
            3.0,
            {"validate": f"{t_validate:.3f}s"},
        ),
        Figure(
            SUITE,
            f"encode, lossless ({tag})",
            t_encode,
            "s",
            t_dumps,
            "orjson.dumps",
            2.0,
            {"lossless": lossless, "MB/s": f"{mb / t_encode:.0f}"},
        ),
        Figure(
            SUITE,
            f"encode, --normalize ({tag})",
            t_normalize,
            "s",
            t_dumps,
            "orjson.dumps",
            None,
        ),
        Figure(SUITE, f"decode peak memory ({tag})", peak / 1e6, "MB", mb, "input size", 4.0),
    ]


def _collection_after_decode(data: bytes) -> float:
    """Seconds of the first full collection after a decode: the part of GC cost a caller pays
    (the decoded document is alive during the collection)."""
    gc.collect()
    doc = cxf.decode(data)
    t0 = time.perf_counter()
    gc.collect()
    elapsed = time.perf_counter() - t0
    assert doc.header is not None
    return elapsed
