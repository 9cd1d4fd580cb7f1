"""``cxkit convert``: a generated Bitwarden JSON export → CXF JSON → Bitwarden JSON.

Workload: :mod:`gen_bitwarden` — 10,000 items with 1,000 passkeys (1,000 items / 100 passkeys
with ``--quick``), ~14 non-null source fields per item. Both directions go through
:func:`cxkit.adapters.convert` exactly as ``cxkit convert`` does (format detection, reading with
per-field accounting in the migration report, **every passkey verified** — a WebAuthn assertion
signed and checked by ``fido2`` —, writing).

Floors, measured in the same run on the same bytes (stdlib ``json``, the C encoder): for each
direction ``json.loads`` of its input plus ``json.dumps`` of its output object; the total floor
is the bare JSON round trip of the whole conversion (parse the export, serialise the CXF, parse
the CXF, serialise the export). Targets (issue 5): the whole conversion under 2 s (absolute, on
a 2-core machine) and within 10× the floor. Peak memory (tracemalloc) of each direction is
shown next to its input size.

Method (issue #20 item 1): each direction alternates floor and subject
(:func:`_common.alternate`, one warm-up run each) and reports the median with the min-max
spread, and the ratio of the median CPU times (``process_time``, steadier under load); the
round-trip figures pair the runs of one round (total of round *i* = direction 1 +
direction 2 of round *i*), median and spread of those totals. The collector is **paused** for
both: :func:`cxkit.adapters.read` and :func:`~cxkit.adapters.write` pause it around the reading
and the writing (most of the work), so a floor with the collector on paid for collections the
subject avoids (before: best of 3, subject and floor timed apart, the floor with the collector
on and each part after a full collection).
"""

from __future__ import annotations

import gc
import json
from typing import Any

from _common import Figure, alternate_cpu, median, peak_memory, spread
from cxkit import adapters
from gen_bitwarden import generate

SUITE = "convert"


def run(quick: bool) -> list[Figure]:
    n = 1_000 if quick else 10_000
    return _measure(n, repeat=5)


def _to_cxf(data: bytes) -> adapters.Conversion:
    return adapters.convert(data, "bitwarden.json", to="cxf-json")


def _to_bitwarden(data: bytes) -> adapters.Conversion:
    return adapters.convert(data, "vault.cxf.json", to="bitwarden-json")


def _facts(conversion: adapters.Conversion) -> dict[str, Any]:
    report = conversion.report
    return {
        "items": report.items_read,
        "fields": len(report.fields),
        "passkeys": len(report.passkeys),
        "failed": report.passkeys_failed(),
    }


def _measure(n: int, repeat: int) -> list[Figure]:
    bw = generate(n)
    tag = f"{n // 1000}k items, {n // 10} passkeys"

    first = _to_cxf(bw)
    assert first.output is not None
    cxf_bytes = first.output
    facts_1 = _facts(first)
    del first
    second = _to_bitwarden(cxf_bytes)
    assert second.output is not None
    bw_out = second.output
    facts_2 = _facts(second)
    del second
    gc.collect()

    peak_1 = peak_memory(lambda: _to_cxf(bw))
    peak_2 = peak_memory(lambda: _to_bitwarden(cxf_bytes))

    cxf_obj, bw_obj = json.loads(cxf_bytes), json.loads(bw_out)  # the floors' dumps input

    def floor_1() -> object:
        return json.loads(bw), json.dumps(cxf_obj)

    def floor_2() -> object:
        return json.loads(cxf_bytes), json.dumps(bw_obj)

    f1, s1, fc1, sc1 = alternate_cpu(floor_1, lambda: _to_cxf(bw), repeat, collector="paused")
    f2, s2, fc2, sc2 = alternate_cpu(
        floor_2, lambda: _to_bitwarden(cxf_bytes), repeat, collector="paused"
    )
    cpu_totals = [a + b for a, b in zip(sc1, sc2, strict=True)]
    cpu_floors = [a + b for a, b in zip(fc1, fc2, strict=True)]
    totals = [a + b for a, b in zip(s1, s2, strict=True)]
    floors = [a + b for a, b in zip(f1, f2, strict=True)]
    t_to_cxf, t_to_bw, total = median(s1), median(s2), median(totals)
    floor_1_s, floor_2_s, floor = median(f1), median(f2), median(floors)
    same_items = len(json.loads(bw_out)["items"]) == n
    mb_bw, mb_cxf = len(bw) / 1e6, len(cxf_bytes) / 1e6
    rounds = {"rounds": repeat, "collector": "paused"}
    return [
        Figure(
            SUITE,
            f"Bitwarden → CXF ({tag})",
            t_to_cxf,
            "s",
            floor_1_s,
            "json.loads+dumps",
            None,
            {
                "spread_s": spread(s1),
                "floor_spread_s": spread(f1),
                "cpu_ratio": round(median(sc1) / median(fc1), 2),
                **rounds,
                "MB": f"{mb_bw:.1f}→{mb_cxf:.1f}",
                "fields": facts_1["fields"],
                "passkeys ok": f"{facts_1['passkeys'] - facts_1['failed']}/{facts_1['passkeys']}",
            },
        ),
        Figure(
            SUITE,
            f"CXF → Bitwarden ({tag})",
            t_to_bw,
            "s",
            floor_2_s,
            "json.loads+dumps",
            None,
            {
                "spread_s": spread(s2),
                "floor_spread_s": spread(f2),
                "cpu_ratio": round(median(sc2) / median(fc2), 2),
                "passkeys ok": f"{facts_2['passkeys'] - facts_2['failed']}/{facts_2['passkeys']}",
                "items kept": same_items,
            },
        ),
        Figure(
            SUITE,
            f"round trip total ({tag})",
            total,
            "s",
            floor,
            "json round trip",
            10.0,
            {
                "spread_s": spread(totals),
                "floor_spread_s": spread(floors),
                "cpu_s": round(median(cpu_totals), 3),
                "cpu_ratio": round(median(cpu_totals) / median(cpu_floors), 2),
                "under 2 s": total < 2.0,
            },
        ),
        Figure(
            SUITE,
            f"round trip total vs 2 s ({tag})",
            total,
            "s",
            2.0,
            "absolute target",
            1.0,
            {"spread_s": spread(totals)},
        ),
        Figure(SUITE, f"Bitwarden → CXF peak memory ({tag})", peak_1 / 1e6, "MB", mb_bw, "input"),
        Figure(SUITE, f"CXF → Bitwarden peak memory ({tag})", peak_2 / 1e6, "MB", mb_cxf, "input"),
    ]
