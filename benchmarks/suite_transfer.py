"""Live transfer (cxkit.transfer) on loopback next to the same seal/open in one process.

Payload: a generated vault (``gen_cxf.generate``; 10 000 items, 1 000 with --quick), its
timestamp set to now (the importer checks freshness). The end-to-end figure runs a
:class:`~cxkit.transfer.Receiver` on 127.0.0.1 and :func:`~cxkit.transfer.send` in a second
thread and times from the start of ``send`` (fetch + digest check, HPKE PSK seal, upload) to the
receiver's atomically written 0600 file (P0 checks, decryption, write). The floor is
``seal_response`` + ``open_response`` with the same PSK in one process, plus the same file write.
Target ratio <= 1.5: what the transport adds (HTTP on loopback, a thread hop, the digest check)
must stay small next to the cryptography and the zip.

Method (issue #20 item 1): the two alternate after a warm-up run each
(:func:`_common.alternate_timed`: each times its own part, so that the set-up — a fresh PSK and
request, the receiver started — stays outside the figure as before); the figure is the median
with the min-max spread. The collector is on for both: neither pauses it beyond the same CXF
decode inside ``open_response``, which both run. Before: the best of 3 of each, all floor runs
first, then all loopback runs. The atomic write alone (no floor) is the median and spread of 5
runs, not the best of 3.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

import orjson

from _common import Figure, alternate_timed, median, spread
from cxkit.cli._io import write_output
from cxkit.cxp import p0
from cxkit.transfer import Receiver, send
from gen_cxf import generate

SUITE = "transfer"


def _vault(n: int) -> bytes:
    doc = orjson.loads(generate(n))
    doc["timestamp"] = int(time.time())
    return orjson.dumps(doc)


def _in_process(cxf: bytes, out: Path) -> float:
    psk = secrets.token_bytes(32)
    request, key = p0.make_request(importer="bench", mode="direct", psk=psk)
    t0 = time.perf_counter()
    body = p0.seal_response(request, cxf, None, psk=psk)
    opened = p0.open_response(body, request, key)
    write_output(str(out), opened.cxf_json, force=True)
    elapsed = time.perf_counter() - t0
    assert opened.cxf_json == cxf
    return elapsed


def _loopback(cxf: bytes, out: Path) -> float:
    with Receiver(importer="bench", lifetime=300) as rx:
        pairing = rx.pairing
        box: dict[str, object] = {}

        def sender() -> None:
            try:
                box["sent"] = send(cxf, None, pairing)
            except Exception as exc:
                box["error"] = exc

        t0 = time.perf_counter()
        thread = threading.Thread(target=sender)
        thread.start()
        opened = rx.wait()
        write_output(str(out), opened.cxf_json, force=True)
        elapsed = time.perf_counter() - t0
        thread.join(60)
    if "error" in box:
        raise RuntimeError(f"send failed: {box['error']}")
    assert opened.cxf_json == cxf
    return elapsed


def _write(cxf: bytes, out: Path) -> float:
    t0 = time.perf_counter()
    write_output(str(out), cxf, force=True)
    return time.perf_counter() - t0


def run(quick: bool) -> list[Figure]:
    n = 1_000 if quick else 10_000
    cxf = _vault(n)
    repeat = 5
    with tempfile.TemporaryDirectory(prefix="cxkit-bench-") as tmp:
        out = Path(tmp) / "received.json"
        floors, e2es = alternate_timed(
            lambda: _in_process(cxf, out), lambda: _loopback(cxf, out), repeat
        )
        writes = [_write(cxf, out) for _ in range(5)]
        size = os.path.getsize(out)
    floor, e2e, write_t = median(floors), median(e2es), median(writes)
    return [
        Figure(
            SUITE,
            f"{n:,}-item vault: loopback send -> written file",
            e2e,
            "s",
            floor,
            "seal+open+write in one process",
            1.5,
            extra={
                "spread_s": spread(e2es),
                "floor_spread_s": spread(floors),
                "rounds": repeat,
                "cxf_bytes": size,
                "items_per_s": round(n / e2e),
            },
        ),
        Figure(
            SUITE,
            f"{n:,}-item vault: atomic 0600 write alone",
            write_t,
            "s",
            extra={"spread_s": spread(writes), "runs": len(writes)},
        ),
    ]
