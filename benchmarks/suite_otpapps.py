"""Authenticator apps, part 2 (issue #14): the readers of andOTP, FreeOTP+, Stratum and Google
Authenticator migration URIs, and the FreeOTP v2 backup's Java-serialisation parser.

Workloads: 10 000 entries (1 000 with ``--quick``) with random 20-byte seeds, written here in
each app's layout (``../shared/formats/totp-apps.md``); Google's as URIs of 10 entries each.

Subjects and floors, measured in the same run:

* andOTP / FreeOTP+ / Stratum JSON read — the whole reader (mapping, report) against
  ``json.loads`` of the file;
* Google migration URIs read — the reader against :func:`~cxkit.adapters.otp.gaqr.
  parse_migration_uri` of every line (base64 and protobuf only);
* FreeOTP v2 map — :func:`~cxkit.adapters.otp.freeotp.java_string_map` of a HashMap with three
  strings per token (no floor: nothing else parses the format).

Key derivations are the apps' own fixed costs and are not measured here. Floor and subject
alternate (:func:`_common.alternate`, after a warm-up of each); each figure is the median of
``REPEAT`` runs with the spread (min-max) shown.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Callable

from _common import Figure, alternate, median, spread
from cxkit import adapters
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.otp.freeotp import java_string_map
from cxkit.adapters.otp.gaqr import migration_uris, parse_migration_uri

SUITE = "otpapps"


REPEAT = 5


def _timed(
    subject: Callable[[], object], floor: Callable[[], object] | None = None
) -> tuple[float, float | None, dict[str, str]]:
    """Median seconds of *subject* and of *floor* (alternating; None without a floor) and
    their spreads."""
    floors, subjects = alternate(floor or (lambda: None), subject, REPEAT)
    extra = {"spread": spread(subjects)}
    if floor is None:
        return median(subjects), None, extra
    return median(subjects), median(floors), {**extra, "floor_spread": spread(floors)}


def _signed(raw: bytes) -> list[int]:
    return [b - 256 if b > 127 else b for b in raw]


def andotp(n: int) -> bytes:
    return json.dumps([{"secret": base64.b32encode(os.urandom(20)).decode(), "issuer": f"Site {i}",
                        "label": f"user{i}@example.com", "digits": 6, "type": "TOTP",
                        "algorithm": "SHA1", "thumbnail": "Default", "last_used": 0,
                        "used_frequency": 0, "period": 30, "tags": ["work"]}
                       for i in range(n)]).encode()  # fmt: skip


def freeotp_plus(n: int) -> bytes:
    tokens = [{"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": f"Site {i}",
               "issuerInt": f"Site {i}", "label": f"user{i}", "period": 30,
               "secret": _signed(os.urandom(20)), "type": "TOTP"} for i in range(n)]  # fmt: skip
    order = [f"Site {i}:user{i}" for i in range(n)]
    return json.dumps({"tokenOrder": order, "tokens": tokens}).encode()


def stratum(n: int) -> bytes:
    return json.dumps({"Authenticators": [
        {"Type": 2, "Icon": None, "Issuer": f"Site {i}", "Username": f"user{i}",
         "Secret": base64.b32encode(os.urandom(20)).decode(), "Pin": None, "Algorithm": 0,
         "Digits": 6, "Period": 30, "Counter": 0, "Ranking": i} for i in range(n)],
        "Categories": [], "AuthenticatorCategories": [], "CustomIcons": []}).encode()  # fmt: skip


def google(n: int) -> bytes:
    entries = [Entry(secret=os.urandom(20), issuer=f"Site {i}", account=f"user{i}")
               for i in range(n)]  # fmt: skip
    return "\n".join(migration_uris(entries, batch_id=7)).encode()


def java_map(n: int) -> bytes:
    out = bytearray(b"\xac\xed\x00\x05\x73\x72\x00\x11java.util.HashMap")
    out += bytes.fromhex("0507dac1c31660d1") + b"\x03\x00\x02"
    out += b"F\x00\x0aloadFactorI\x00\x09threshold\x78\x70" + struct.pack(">fi", 0.75, 12)
    out += b"\x77\x08" + struct.pack(">ii", 2 * n, 2 * n)
    for i in range(n):
        key = f"{i:08d}-0000-4000-8000-000000000000"
        for text in (key, json.dumps({"key": "x" * 300}), key + "-token", "{" + "y" * 120 + "}"):
            raw = text.encode()
            out += b"\x74" + struct.pack(">H", len(raw)) + raw
    return bytes(out + b"\x78")


def run(quick: bool) -> list[Figure]:
    count = 1_000 if quick else 10_000
    figures: list[Figure] = []
    for key, make, name in (("andotp", andotp, "a.json"), ("freeotp-plus", freeotp_plus,
                            "f.json"), ("stratum", stratum, "s.json")):  # fmt: skip
        data = make(count)
        took, floor, extra = _timed(
            lambda data=data, key=key, name=name: adapters.read(data, name, source_format=key),
            lambda data=data: json.loads(data),
        )
        assert floor is not None
        figures.append(Figure(SUITE, f"{key} read ({count} entries)", took * 1000, "ms",
                              floor * 1000, "json.loads",
                              extra={"entries_per_s": round(count / took), **extra}))  # fmt: skip
    data = google(count)
    lines = data.decode().splitlines()
    took, floor, extra = _timed(
        lambda: adapters.read(data, "g.txt", source_format="google-authenticator"),
        lambda: [parse_migration_uri(x) for x in lines],
    )
    assert floor is not None
    figures.append(Figure(SUITE, f"google migration URIs read ({count} entries)", took * 1000,
                          "ms", floor * 1000, "parse_migration_uri",
                          extra={"entries_per_s": round(count / took), **extra}))  # fmt: skip
    data = java_map(count)
    took, _, extra = _timed(lambda: java_string_map(data))
    figures.append(Figure(SUITE, f"FreeOTP v2 Java map ({count} tokens, {len(data)} B)",
                          took * 1000, "ms",
                          extra={"mb_per_s": round(len(data) / took / 1e6, 1), **extra}))  # fmt: skip
    return figures
