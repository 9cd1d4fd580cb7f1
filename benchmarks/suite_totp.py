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

Floor and subject alternate (:func:`_common.alternate`, after a warm-up of each); each figure is
the median of ``REPEAT`` runs (``PROOF_REPEAT`` for the proof, which takes seconds) with the
spread (min-max) shown.
"""

from __future__ import annotations

import hmac
import json
import os
import urllib.parse
from collections.abc import Callable

from _common import Figure, alternate, median, spread
from cxkit import adapters
from cxkit.adapters.kit.builder import VaultBuilder
from cxkit.adapters.otp.entry import Entry, add_entry
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import b64
from cxkit.totp import INSTANTS, prove

SUITE = "totp"


REPEAT = 5
PROOF_REPEAT = 3


def _timed(
    subject: Callable[[], object], floor: Callable[[], object], repeat: int = REPEAT
) -> tuple[float, float, dict[str, str]]:
    """Median seconds of *subject* and *floor* (alternating) and their spreads."""
    floors, subjects = alternate(floor, subject, repeat)
    return median(subjects), median(floors), {"spread": spread(subjects),
                                              "floor_spread": spread(floors)}  # fmt: skip


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
        took, floor, extra = _timed(lambda data=data, name=name: adapters.read(data, name),
                                    lambda data=data: json.loads(data))  # fmt: skip
        figures.append(Figure(SUITE, f"{key} read ({count} entries)", took * 1000, "ms",
                              floor * 1000, "json.loads", target=None,
                              extra={"entries_per_s": round(count / took), **extra}))  # fmt: skip
    data, _ = adapters.write(doc, "otpauth-uris")  # type: ignore[arg-type]
    lines = data.decode().splitlines()
    took, floor, extra = _timed(
        lambda: adapters.read(data, "bench.txt"),
        lambda: [urllib.parse.parse_qsl(urllib.parse.urlsplit(x).query) for x in lines],
    )
    figures.append(Figure(SUITE, f"otpauth list read ({count} URIs)", took * 1000, "ms",
                          floor * 1000, "urlsplit+parse_qsl",
                          extra={"entries_per_s": round(count / took), **extra}))  # fmt: skip
    key = os.urandom(20)
    values = 2 * count * len(INSTANTS)
    took, floor, extra = _timed(
        lambda: prove(doc, doc),  # type: ignore[arg-type]
        lambda: [hmac.new(key, i.to_bytes(8, "big"), "sha1").digest() for i in range(values)],
        PROOF_REPEAT,
    )
    figures.append(Figure(SUITE, f"TOTP proof ({count} TOTPs, {len(INSTANTS)} instants)",
                          took * 1000, "ms", floor * 1000, f"{values} bare hmac",
                          extra={"totps_per_s": round(count / took), **extra}))  # fmt: skip
    return figures
