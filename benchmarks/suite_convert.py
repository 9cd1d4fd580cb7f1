"""``cxkit convert``: a generated Bitwarden JSON export → CXF JSON → Bitwarden JSON.

Workload: :mod:`gen_bitwarden` — 10,000 items with 1,000 passkeys (1,000 items / 100 passkeys
with ``--quick``), ~14 non-null source fields per item. Both directions go through
:func:`cxkit.adapters.convert` exactly as ``cxkit convert`` does (format detection, reading with
per-field accounting in the migration report, **every passkey verified** — a WebAuthn assertion
signed and checked by ``fido2`` —, writing), with the collector on.

Floors, measured in the same run on the same files (stdlib ``json``, the C encoder): for each
direction ``json.loads`` of its input plus ``json.dumps`` of its output object; the total floor
is the bare JSON round trip of the whole conversion (parse the export, serialise the CXF, parse
the CXF, serialise the export). Targets (issue 5): the whole conversion under 2 s (absolute, on
a 2-core machine) and within 10× the floor. Peak memory (tracemalloc) of each direction is
shown next to its input size. Each timing runs with nothing else large alive but its input.
"""

from __future__ import annotations

import gc
import json
from typing import Any

from _common import Figure, best_time, peak_memory
from cxkit import adapters
from gen_bitwarden import generate

SUITE = "convert"


def run(quick: bool) -> list[Figure]:
    n = 1_000 if quick else 10_000
    return _measure(n, repeat=3)


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


def _json_floor(data: bytes, output: bytes) -> float:
    """json.loads of *data* + json.dumps of *output*'s object (each best of 3)."""
    gc.collect()
    t_loads = best_time(lambda: json.loads(data), 3, gc_off=False)
    t_dumps = _dumps_time(json.loads(output))
    gc.collect()
    return t_loads + t_dumps


def _dumps_time(obj: Any) -> float:
    return best_time(lambda: json.dumps(obj), 3, gc_off=False)


def _measure(n: int, repeat: int) -> list[Figure]:
    bw = generate(n)
    tag = f"{n // 1000}k items, {n // 10} passkeys"

    gc.collect()
    t_to_cxf = best_time(lambda: _to_cxf(bw), repeat, gc_off=False)
    first = _to_cxf(bw)
    assert first.output is not None
    cxf_bytes = first.output
    facts_1 = _facts(first)
    del first
    gc.collect()

    t_to_bw = best_time(lambda: _to_bitwarden(cxf_bytes), repeat, gc_off=False)
    second = _to_bitwarden(cxf_bytes)
    assert second.output is not None
    bw_out = second.output
    facts_2 = _facts(second)
    del second
    gc.collect()

    peak_1 = peak_memory(lambda: _to_cxf(bw))
    peak_2 = peak_memory(lambda: _to_bitwarden(cxf_bytes))

    floor_1 = _json_floor(bw, cxf_bytes)
    floor_2 = _json_floor(cxf_bytes, bw_out)
    same_items = len(json.loads(bw_out)["items"]) == n
    total = t_to_cxf + t_to_bw
    floor = floor_1 + floor_2
    mb_bw, mb_cxf = len(bw) / 1e6, len(cxf_bytes) / 1e6
    return [
        Figure(
            SUITE,
            f"Bitwarden → CXF ({tag})",
            t_to_cxf,
            "s",
            floor_1,
            "json.loads+dumps",
            None,
            {
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
            floor_2,
            "json.loads+dumps",
            None,
            {
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
            {"under 2 s": total < 2.0},
        ),
        Figure(
            SUITE,
            f"round trip total vs 2 s ({tag})",
            total,
            "s",
            2.0,
            "absolute target",
            1.0,
        ),
        Figure(SUITE, f"Bitwarden → CXF peak memory ({tag})", peak_1 / 1e6, "MB", mb_bw, "input"),
        Figure(SUITE, f"CXF → Bitwarden peak memory ({tag})", peak_2 / 1e6, "MB", mb_cxf, "input"),
    ]
