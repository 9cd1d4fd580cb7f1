"""``cxkit.diff`` and ``cxkit.merge`` of two generated vaults, next to decoding both (issue #16).

OLD is ``gen_cxf.generate(n)``; NEW is the same vault as another app would give it back: items
in reverse order, every 100th item dropped, every 50th password changed, every 7th URL spelled
``HTTPS://WWW.…/``. A second NEW has every title re-spaced too, so that no item is equal as
decoded and every pair takes the full field comparison (as across formats). The floor is ``cxf.decode`` of OLD and NEW, measured in the same run; subject
and floor alternate (``rounds`` each) and each figure is the median, with the spread (min–max)
in ``extra``. Target: diff ≤ 3× the decode, merge ≤ 3× the decode; the per-item time should stay
flat from 1k to 100k items (linear). The diff is the library call on decoded documents (the
round trip through NEW's writer that ``cxkit diff`` adds is a write plus a read of that format,
measured by the adapters' own suites).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

import orjson

from _common import Figure
from cxkit import compare, cxf
from cxkit.compare._view import norm_url, site_of
from gen_cxf import generate

SUITE = "compare"


def _new_vault(old: bytes, *, reshape: bool = False) -> bytes:
    data = orjson.loads(old)
    for account in data["accounts"]:
        items = [it for n, it in enumerate(account["items"]) if n % 100 != 99]
        for n, item in enumerate(items):
            if reshape:  # as another format gives it back: every item differs in spelling
                item["title"] = "  " + item["title"]
            for c in item["credentials"]:
                if c["type"] == "basic-auth" and "password" in c and n % 50 == 0:
                    c["password"]["value"] += "!"
            scope = item.get("scope")
            if scope and scope["urls"] and n % 7 == 0:
                url = scope["urls"][0]
                scope["urls"][0] = url.replace("https://", "HTTPS://WWW.", 1).rstrip("/") + "/"
        account["items"] = items[::-1]
    return orjson.dumps(data)


def _time(fn: Callable[[], object]) -> float:
    norm_url.cache_clear()  # each run starts cold (no URL normalised by an earlier run)
    site_of.cache_clear()
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(quick: bool) -> list[Figure]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    figures: list[Figure] = []
    for n in sizes:
        figures += _measure(n, rounds=3 if n >= 100_000 or quick else 5)
    return figures


def _measure(n: int, rounds: int) -> list[Figure]:
    old_bytes = generate(n)
    new_bytes = _new_vault(old_bytes)
    old, new = cxf.decode(old_bytes), cxf.decode(new_bytes)
    result = compare.diff(old, new, held=old)
    check = {
        "lost_items": len(result.lost_items()),
        "changed_items": len(result.lossy_items()),
        "only_new": len(result.only_new),
    }
    reshaped = cxf.decode(_new_vault(old_bytes, reshape=True))
    decode: list[float] = []
    diff: list[float] = []
    diff_all: list[float] = []
    merge: list[float] = []
    for _ in range(rounds):  # alternate subject and floor
        decode.append(_time(lambda: (cxf.decode(old_bytes), cxf.decode(new_bytes))))
        diff.append(_time(lambda: compare.diff(old, new, held=old)))
        diff_all.append(_time(lambda: compare.diff(old, reshaped, held=old)))
        merge.append(_time(lambda: compare.merge([("old", old), ("new", new)])))
    floor = statistics.median(decode)
    tag = f"{n // 1000}k + {n // 1000}k items"
    figures = []
    for name, times in (
        ("diff", diff),
        ("diff, every item re-shaped", diff_all),
        ("merge", merge),
    ):
        value = statistics.median(times)
        figures.append(
            Figure(
                SUITE,
                f"{name} ({tag})",
                value,
                "s",
                floor=floor,
                floor_name="cxf.decode of both",
                target=3.0,
                extra={
                    "spread_s": [round(min(times), 4), round(max(times), 4)],
                    "floor_spread_s": [round(min(decode), 4), round(max(decode), 4)],
                    "us_per_item": round(value / (2 * n) * 1e6, 1),
                    "rounds": rounds,
                    **(check if name == "diff" else {}),
                },
            )
        )
    return figures
