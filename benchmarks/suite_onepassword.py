"""1Password 1PUX reader: a generated 1PUX export → CXF and → KDBX (``adapters.read`` /
``adapters.write``).

Workload: deterministic 1PUX exports (``../shared/formats/onepassword.md`` §1) of 1k, 10k and
100k items (1k and 10k with ``--quick``) in two vaults: ~70 % logins (user name and password
login fields, 1-2 URLs, a fifth with a TOTP section field, some notes and tags, a few
favourites), ~10 % credit cards (sections of cardholder, number, CVV, expiry), ~10 % secure
notes, ~5 % identities (name and address sections), ~5 % passwords (category 005).

Subjects, as ``cxkit convert`` runs them: the whole reader (ZIP, JSON, mapping every field,
recording every source leaf and credential in the report) → CXF; and that plus the KDBX writer
→ KDBX bytes, written with a one-round AES-KDF so that the key derivation (a fixed cost a
user chooses) does not hide the conversion. The floor, measured in the same run on the same
data, is ``json.loads`` of the ``export.data`` bytes; floor and subject alternate (``repeat``
rounds each) and the figure is the median, the spread (min–max) shown, with its CPU-time view
(``cpu_us_per_item``, ``cpu_ratio``); the → KDBX path is also timed in parts
(:func:`suite_kdbx.kdbx_parts`). Floor and subject run with the collector paused, as the
subjects run themselves (``CXKIT_BENCH_COLLECTOR=on`` for the other view: ``json.loads`` of
6.5 MB then pays full collections the reader avoids).
"""

from __future__ import annotations

import io
import json
import random
import statistics
import zipfile
from collections.abc import Callable
from typing import Any

from _common import Figure, alternate, spread
from cxkit import adapters, kdbx
from cxkit.adapters import WriteOptions
from cxkit.adapters.keepass.database import KeePassKdbxAdapter
from suite_kdbx import collector, cpu_figures, kdbx_parts, with_cpu

SUITE = "onepassword"
_WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "falcon", "garnet", "harbor", "indigo",
          "juniper", "kestrel", "lumen", "meadow", "nimbus", "onyx", "prairie")  # fmt: skip
_DOMAINS = ("mail.example", "shop.example.com", "bank.example.org", "news.example")


def _secret(rng: random.Random, n: int = 16) -> str:
    return "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGH23456789!#%&*") for _ in range(n))


def _field(fid: str, title: str, kind: str, value: Any) -> dict[str, Any]:
    return {"title": title, "id": fid, "value": {kind: value}, "guarded": False,
            "multiline": False, "dontGenerate": False}  # fmt: skip


def _item(rng: random.Random, i: int) -> dict[str, Any]:
    roll = rng.random()
    title = f"{rng.choice(_WORDS).title()} {i}"
    details: dict[str, Any] = {}
    overview: dict[str, Any] = {"title": title, "subtitle": "", "ps": 60, "pbe": 80.0}
    if roll < 0.70:
        category = "001"
        user = f"{rng.choice(_WORDS)}{i}@example.com"
        details["loginFields"] = [
            {
                "value": user,
                "id": "",
                "name": "username",
                "fieldType": "E",
                "designation": "username",
            },
            {
                "value": _secret(rng),
                "id": "",
                "name": "password",
                "fieldType": "P",
                "designation": "password",
            },
        ]
        urls = [f"https://{rng.choice(_DOMAINS)}/login" for _ in range(rng.randint(1, 2))]
        overview["url"] = urls[0]
        overview["urls"] = [{"label": "", "url": u} for u in urls]
        if rng.random() < 0.2:
            secret = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
            details["sections"] = [{"title": "", "name": "s1", "fields": [
                _field("otp", "one-time password", "totp", f"otpauth://totp/x:{user}?secret={secret}")]}]  # fmt: skip
        if rng.random() < 0.3:
            overview["tags"] = [rng.choice(_WORDS)]
    elif roll < 0.80:
        category = "002"
        details["sections"] = [{"title": "", "name": "", "fields": [
            _field("cardholder", "cardholder name", "string", f"{rng.choice(_WORDS).title()} Doe"),
            _field("ccnum", "number", "creditCardNumber", "4111111111111111"),
            _field("cvv", "verification number", "concealed", f"{rng.randint(100, 999)}"),
            _field("expiry", "expiry date", "monthYear", 202000 + rng.randint(25, 35) * 100 + rng.randint(1, 12)),
        ]}]  # fmt: skip
    elif roll < 0.90:
        category = "003"
        details["notesPlain"] = " ".join(rng.choices(_WORDS, k=30))
    elif roll < 0.95:
        category = "004"
        details["sections"] = [
            {"title": "Identification", "name": "name", "fields": [
                _field("firstname", "first name", "string", rng.choice(_WORDS).title()),
                _field("lastname", "last name", "string", rng.choice(_WORDS).title())]},
            {"title": "Address", "name": "address", "fields": [
                _field("address", "address", "address", {"street": "1 Main St", "city": "Town", "country": "us", "zip": "12345", "state": ""})]},
        ]  # fmt: skip
    else:
        category = "005"
        details["password"] = _secret(rng, 24)
    if rng.random() < 0.2 and "notesPlain" not in details:
        details["notesPlain"] = "line one\nline two"
    return {"uuid": f"{i:026x}", "favIndex": 1 if rng.random() < 0.05 else 0,
            "createdAt": 1600000000 + i, "updatedAt": 1700000000 + i, "state": "active",
            "categoryUuid": category, "details": details, "overview": overview}  # fmt: skip


def export_data(items: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    all_items = [_item(rng, i) for i in range(items)]
    half = items * 3 // 4
    data = {"accounts": [{"attrs": {"accountName": "Bench", "name": "Bench", "email": "b@example.com",
                                    "uuid": "acc", "domain": "https://my.1password.com/"},
                          "vaults": [{"attrs": {"uuid": "v1", "name": "Personal", "type": "P"}, "items": all_items[:half]},
                                     {"attrs": {"uuid": "v2", "name": "Shared", "type": "U"}, "items": all_items[half:]}]}]}  # fmt: skip
    return json.dumps(data).encode()


def onepux(data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export.attributes", json.dumps({"version": 3, "description": "bench", "timestamp": 1}))  # fmt: skip
        z.writestr("export.data", data)
    return buf.getvalue()


_KDBX = KeePassKdbxAdapter(kdbx.WriteOptions(kdf="aes-kdf", aes_rounds=1))


def _to_kdbx(pux: bytes) -> bytes:
    doc, report = adapters.read(pux, "bench.1pux")
    return _KDBX.write(doc, WriteOptions(password=lambda _p: "bench-password"), report)


def run(quick: bool, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    chosen = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    figures: list[Figure] = []
    per_item: dict[str, list[float]] = {"CXF": [], "KDBX": []}
    for n in chosen:
        data = export_data(n)
        pux = onepux(data)
        doc, report = adapters.read(pux, "bench.1pux")
        assert report.items_read == n, (report.items_read, n)
        leaves = len(report.fields)
        del doc, report
        repeat = 5 if n <= 10_000 else 3
        subjects: dict[str, Callable[[], object]] = {
            "CXF": lambda pux=pux: adapters.read(pux, "bench.1pux"),
            "KDBX": lambda pux=pux: _to_kdbx(pux),
        }
        for label, subject in subjects.items():
            floor_cpu, timed_floor = with_cpu(lambda data=data: json.loads(data))
            cpu, timed = with_cpu(subject)
            floors, times = alternate(timed_floor, timed, repeat, collector=collector())
            median, floor = statistics.median(times), statistics.median(floors)
            per_item[label].append(median / n)
            figures.append(
                Figure(
                    SUITE,
                    f"1PUX → {label}, {n:,} items",
                    median,
                    "s",
                    floor=floor,
                    floor_name="json.loads(export.data)",
                    extra={
                        "spread": spread(times),
                        "collector": collector(),
                        "floor_spread": spread(floors),
                        "source_fields": leaves,
                        "us_per_item": round(median / n * 1e6, 1),
                        **cpu_figures(cpu, floor_cpu, n, "item"),
                        "bytes": len(data),
                    },
                )
            )
        floor = lambda data=data: json.loads(data)  # noqa: E731
        doc, _report = adapters.read(pux, "bench.1pux")
        figures += kdbx_parts(SUITE, "1PUX", doc, n, floor, "json.loads(export.data)", repeat,
                              unit="item")  # fmt: skip
        del doc, _report
    for label, costs in per_item.items():
        if len(costs) > 1:
            figures.append(
                Figure(
                    SUITE,
                    f"1PUX → {label}: per-item cost, largest / smallest",
                    costs[-1] / costs[0],
                    "×",
                )
            )
    return figures


if __name__ == "__main__":
    import sys

    for fig in run(quick=False, sizes=tuple(int(a) for a in sys.argv[1:]) or None):
        print(fig.name, round(fig.value, 4), fig.unit, fig.extra)
