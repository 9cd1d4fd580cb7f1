"""Authenticator formats and TOTP codes (issue #14): the readers of Aegis, 2FAS and otpauth://
lists, and the TOTP proof of ``cxkit convert``.

Workloads: 10 000 TOTP entries (1 000 with ``--quick``) with random 20-byte seeds, written by
cxkit's own writers (Aegis JSON, 2FAS, an otpauth:// list).

Subjects and floors, measured in the same run:

* Aegis / 2FAS read — the whole reader (mapping, report) against ``json.loads`` of the file;
* otpauth list read — the reader against ``urllib.parse`` splitting each line (``urlsplit`` +
  ``parse_qsl``), the least any URI reader does;
* proof — :func:`cxkit.totp.prove` of the document against itself (6 codes per TOTP on each
  side) against bare ``hmac`` computing the same number of HOTP values.
"""

from __future__ import annotations

import hmac
import json
import os
import time
import urllib.parse

from _common import Figure
from cxkit import adapters
from cxkit.adapters.kit.builder import VaultBuilder
from cxkit.adapters.otp.entry import Entry, add_entry
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import b64
from cxkit.totp import INSTANTS, prove

SUITE = "totp"


def _timed(work: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def _document(count: int) -> object:
    vault = VaultBuilder(MigrationReport(), key="bench", rp_id="bench", app="bench")
    for i in range(count):
        b = vault.item(f"$[{i}]", item_id=b64.encode(i.to_bytes(16, "big")))
        add_entry(b, Entry(secret=os.urandom(20), issuer=f"Site {i}", account=f"user{i}@example.com",
                           algorithm=("sha1", "sha256", "sha512")[i % 3], digits=6 + i % 3,
                           period=30, groups=("Work",) if i % 4 == 0 else ()))  # fmt: skip
        vault.add(b)
    return vault.build(account_id="YmVuY2g")


def run(quick: bool) -> list[Figure]:
    count = 1_000 if quick else 10_000
    doc = _document(count)
    figures: list[Figure] = []
    for key, name in (("aegis-json", "bench.json"), ("2fas", "bench.2fas")):
        data, _ = adapters.write(doc, key)  # type: ignore[arg-type]
        took = _timed(lambda data=data, name=name: adapters.read(data, name))
        floor = _timed(lambda data=data: json.loads(data))
        figures.append(Figure(SUITE, f"{key} read ({count} entries)", took * 1000, "ms",
                              floor * 1000, "json.loads", target=None,
                              extra={"entries_per_s": round(count / took)}))  # fmt: skip
    data, _ = adapters.write(doc, "otpauth-uris")  # type: ignore[arg-type]
    lines = data.decode().splitlines()
    took = _timed(lambda: adapters.read(data, "bench.txt"))
    floor = _timed(lambda: [urllib.parse.parse_qsl(urllib.parse.urlsplit(x).query) for x in lines])
    figures.append(Figure(SUITE, f"otpauth list read ({count} URIs)", took * 1000, "ms",
                          floor * 1000, "urlsplit+parse_qsl",
                          extra={"entries_per_s": round(count / took)}))  # fmt: skip
    took = _timed(lambda: prove(doc, doc), repeat=1)  # type: ignore[arg-type]
    key = os.urandom(20)
    values = 2 * count * len(INSTANTS)
    floor = _timed(lambda: [hmac.new(key, i.to_bytes(8, "big"), "sha1").digest()
                            for i in range(values)], repeat=1)  # fmt: skip
    figures.append(Figure(SUITE, f"TOTP proof ({count} TOTPs, {len(INSTANTS)} instants)",
                          took * 1000, "ms", floor * 1000, f"{values} bare hmac",
                          extra={"totps_per_s": round(count / took)}))  # fmt: skip
    return figures
