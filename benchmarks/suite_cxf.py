"""CXF decode / validate / encode on generated 10k- and 100k-item documents (issue #20).

Floors, on the same bytes in the same run: ``orjson.loads`` (decode, decode + validate) and
``orjson.dumps`` of the loaded object (encode). Fair method (``_common.alternate_cpu``): floor
and subject alternate after one full collection and a warm-up run of each, each timed run with
the previous result freed, and the collector *paused for both* during the timed run (the strict
choice for the floor: orjson's dicts are tracked by the collector, cxkit's structs are not; the
first collection after a decode is reported on its own). Each figure is the median; ``spread``
is min-max; ``cpu_ratio`` is the ratio of the median CPU times (process time: the steadier
figure on a shared machine). Targets: decode ≤ 1.5× and decode + validate ≤ 2.4×
``orjson.loads`` (issue #20: the Bitwarden crate took 2.0× / 1.6× at 10k / 100k, as measured
there), encode ≤ 2× ``orjson.dumps``, peak memory of a decode ≤ 4× the input size. MB/s is
input bytes / median (comparable with the crate's 105 MB/s only on a quiet machine).
"""

from __future__ import annotations

import gc
import importlib
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import msgspec
import orjson

from _common import Figure, alternate, alternate_cpu, median, peak_memory, spread
from cxkit import cxf
from gen_cxf import generate

SUITE = "cxf"


def run(quick: bool) -> list[Figure]:
    sizes = (1_000, 10_000) if quick else (10_000, 100_000)
    figures: list[Figure] = []
    for n in sizes:
        figures += _measure(n)
    for n in sizes:
        figures += _stages(n)
    return figures


def _decode_validate(data: bytes) -> object:
    doc = cxf.decode(data)
    cxf.validate(doc)
    return doc


def _measure(n: int) -> list[Figure]:
    data = generate(n)
    mb = len(data) / 1e6
    tag = f"{n // 1000}k items, {mb:.1f} MB"
    repeat = 9 if n <= 10_000 else 5

    def loads() -> object:
        return orjson.loads(data)

    floors_d, decodes, floors_d_cpu, decodes_cpu = alternate_cpu(
        loads, lambda: cxf.decode(data), repeat, collector="paused"
    )
    floors_v, both, floors_v_cpu, both_cpu = alternate_cpu(
        loads, lambda: _decode_validate(data), repeat, collector="paused"
    )
    peak = peak_memory(lambda: cxf.decode(data))
    gc_after = _collection_after_decode(data)

    doc = cxf.decode(data)
    obj = orjson.loads(data)
    floors_e, encodes = alternate(
        lambda: orjson.dumps(obj), lambda: doc.encode(), repeat, collector="paused"
    )
    t_normalize = median(alternate(lambda: None, lambda: doc.encode(normalize=True), 1)[1])
    lossless = doc.encode() == data
    doc = None  # type: ignore[assignment]
    obj = None
    gc.collect()

    t_loads, t_decode = median(floors_d), median(decodes)
    t_loads_v, t_both = median(floors_v), median(both)
    t_dumps, t_encode = median(floors_e), median(encodes)
    return [
        Figure(
            SUITE,
            f"decode ({tag})",
            t_decode,
            "s",
            t_loads,
            "orjson.loads",
            1.5,
            {
                "spread": spread(decodes),
                "floor_spread": spread(floors_d),
                "cpu_ratio": round(median(decodes_cpu) / median(floors_d_cpu), 2),
                "MB/s": f"{mb / t_decode:.0f}",
                "floor_MB/s": f"{mb / t_loads:.0f}",
                "items/s": f"{n / t_decode:,.0f}",
                "first GC after": f"{gc_after:.3f}s",
            },
        ),
        Figure(
            SUITE,
            f"decode+validate ({tag})",
            t_both,
            "s",
            t_loads_v,
            "orjson.loads",
            2.4,
            {
                "spread": spread(both),
                "floor_spread": spread(floors_v),
                "cpu_ratio": round(median(both_cpu) / median(floors_v_cpu), 2),
                "MB/s": f"{mb / t_both:.0f}",
            },
        ),
        Figure(
            SUITE,
            f"encode, lossless ({tag})",
            t_encode,
            "s",
            t_dumps,
            "orjson.dumps",
            2.0,
            {"spread": spread(encodes), "byte-identical": lossless, "MB/s": f"{mb / t_encode:.0f}"},
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


class _Nothing(msgspec.Struct):
    """Every member skipped: what parsing the items' encoding costs without building anything."""


_PARSE_ONLY = msgspec.json.Decoder(list[_Nothing])
_ENCODER = msgspec.json.Encoder()


def _stages(n: int) -> list[Figure]:
    """Where decode + validate spends its CPU (issue #20), stage by stage in the order
    ``cxf.validate`` runs them, each on a freshly decoded document (the caches as a caller has
    them), alternating with ``orjson.loads`` of the same bytes, collector paused for both; each
    figure is the median CPU time and its ratio to the floor's median. Informational (no target):
    these are the parts of the decode + validate ratio (each stage pays its own first touch of
    the decoded model, so they add up to a little more than the whole). The scan of the strict
    items works a chunk at a time; its parts are also timed alone on the whole encoding, after
    it (in brackets: floors, not stages). ``parse floor`` is a decode of the same encoding that
    builds nothing (every member skipped): the least any screen decoding that text in C can
    cost."""
    validate = importlib.import_module("cxkit.cxf.validate")
    vscreen = importlib.import_module("cxkit.cxf._vscreen")
    data = generate(n)
    tag = f"{n // 1000}k items"
    repeat = 9 if n <= 10_000 else 5
    cpu: dict[str, list[float]] = {}

    def timed(name: str, fn: Callable[[], object]) -> object:
        gc.disable()
        try:
            c0 = time.process_time()
            result = fn()
            cpu.setdefault(name, []).append(time.process_time() - c0)
        finally:
            gc.enable()
        return result

    def one_round(record: bool) -> None:
        timed("floor", lambda: orjson.loads(data))
        doc: cxf.Document = timed("decode", lambda: cxf.decode(data))  # type: ignore[assignment]
        strict: dict[int, Any] = timed(  # type: ignore[assignment]
            "validate: strict items scanned (encoded, screen decode, identifiers)",
            lambda: validate._strict_items(doc),
        )
        for part in strict.values():
            if part.scan is None:
                continue
            items = part.items
            # the scan's parts alone, on the whole encoding (the scan works a chunk at a time)
            encoded: bytes = timed(  # type: ignore[assignment]
                "(scan part alone: encode)", partial(_ENCODER.encode, items)
            )
            timed("(scan part alone: screen decode)", partial(vscreen.screen_items, items, encoded))
            timed(
                "(scan part alone: parse floor of that text)", partial(_PARSE_ONLY.decode, encoded)
            )
            timed(
                "(scan part alone: identifier findall)", partial(vscreen.ID_MEMBER.findall, encoded)
            )
            timed("validate: identifier checks", partial(validate._ids_ok, part.scan.ids, []))
        validate._SHARED.made = (doc, strict)
        try:
            timed("validate: duplicate-member proof", lambda: validate._proven_unique(doc))
        finally:
            validate._SHARED.made = None
        fresh = cxf.decode(data)
        timed("validate (whole, another fresh document)", lambda: cxf.validate(fresh))
        if not record:
            cpu.clear()

    gc.collect()
    one_round(record=False)
    for _ in range(repeat):
        one_round(record=True)
    floor = median(cpu.pop("floor"))
    return [
        Figure(SUITE, f"stage {name} ({tag})", median(times), "s CPU", floor, "orjson.loads", None)
        for name, times in cpu.items()
    ]
