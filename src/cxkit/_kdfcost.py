"""Announcing slow-but-allowed key derivations (issue #17 item 4).

Every KDF parameter read from a file is bounded before any work (KDBX :class:`KdfLimits`, the
authenticator apps' ``check_kdf``, P0's ``Argon2Params.check``...); what a file may still ask
for within those bounds (a 1 GiB, 10-pass Argon2id) can take tens of seconds. Before such a
derivation the library calls :func:`announce` with an estimate from the parameters; when it is
at least :data:`THRESHOLD_SECONDS`, the registered announcer hears
"deriving the key (Argon2id, 1 GiB, 10 passes): about 10 s".

The library is silent by default: nothing is announced until a front end registers a callback
with :func:`set_announcer` (the CLI does, printing to standard error unless ``--quiet`` or
``--json``). The estimate is the parameters' work times a per-algorithm constant measured on
the project's reference machine (:data:`SECONDS_PER_UNIT`; re-measure with
``python -m cxkit._kdfcost``). Bottom layer: imports nothing of cxkit.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "SECONDS_PER_UNIT",
    "THRESHOLD_SECONDS",
    "KdfEstimate",
    "announce",
    "announce_to_stderr",
    "estimate",
    "set_announcer",
]

THRESHOLD_SECONDS: Final = 2.0
"""Estimates below this are not announced (a short wait needs no explanation)."""

# Seconds per unit of work, measured on the reference machine (2 cores, one busy with other
# work; median of 3 runs, two sessions agreeing within 20 %; under a load of 6 on 2 cores every
# figure was 2.5-5x higher). Units: Argon2 — KiB of memory x passes (lanes run one after
# another in both backends); PBKDF2 — iterations; scrypt — N x r x p; AES-KDF — rounds (both
# halves). README "Resource bounds".
SECONDS_PER_UNIT: Final[dict[str, float]] = {
    "Argon2id": 1.0e-6,  # cryptography (OpenSSL): KDBX, P0 archives, Bitwarden, Stratum
    "Argon2d": 1.0e-6,  # cryptography (OpenSSL): KDBX
    "Argon2id/libsodium": 0.6e-6,  # PyNaCl crypto_pwhash: Ente, Proton Authenticator
    "PBKDF2-HMAC-SHA1": 0.25e-6,  # hashlib
    "PBKDF2-HMAC-SHA256": 0.25e-6,  # hashlib
    "PBKDF2-HMAC-SHA256/cryptography": 0.14e-6,  # cryptography's PBKDF2HMAC: Bitwarden
    "PBKDF2-HMAC-SHA512": 0.6e-6,  # hashlib
    "scrypt": 0.4e-6,  # hashlib, per N x r x p
    "AES-KDF": 0.08e-6,  # KeePass AES-KDF, per round (both halves)
}


@dataclass(frozen=True)
class KdfEstimate:
    """How long a key derivation is expected to take, and what it is (never the salt or key)."""

    algorithm: str
    detail: str
    seconds: float

    def message(self) -> str:
        """``deriving the key (Argon2id, 1 GiB, 10 passes): about 10 s``."""
        return (
            f"deriving the key ({self.algorithm}, {self.detail}): about {_duration(self.seconds)}"
        )


Announcer = Callable[[KdfEstimate], None]
_announcer: Announcer | None = None


def set_announcer(announcer: Announcer | None) -> Announcer | None:
    """Register the callback told of slow derivations (``None``: silent); returns the previous."""
    global _announcer
    previous, _announcer = _announcer, announcer
    return previous


def announce_to_stderr(enabled: bool) -> None:
    """The CLI's registration: print each announcement on standard error, or stay silent."""
    set_announcer(_print if enabled else None)


def _print(est: KdfEstimate) -> None:
    print(f"cxkit: {est.message()}", file=sys.stderr, flush=True)


def _size(kib: int) -> str:
    if kib >= 1 << 20 and kib % (1 << 20) == 0:
        return f"{kib >> 20} GiB"
    if kib >= 1024:
        mib = kib / 1024
        return f"{mib:.0f} MiB" if mib == int(mib) or mib >= 10 else f"{mib:.1f} MiB"
    return f"{kib} KiB"


def _count(n: int) -> str:
    return f"{n:,}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{math.ceil(seconds / 60)} min"


def estimate(
    algorithm: str,
    *,
    memory_kib: int = 0,
    iterations: int = 1,
    lanes: int = 1,
    r: int = 1,
) -> KdfEstimate:
    """The estimate for *algorithm* (a key of :data:`SECONDS_PER_UNIT`; another name gets the
    slowest constant of its family, "PBKDF2-HMAC-MD5" PBKDF2's) with these parameters:
    Argon2 takes *memory_kib*, *iterations* (passes) and *lanes*; PBKDF2 and AES-KDF take
    *iterations* (rounds); scrypt takes *iterations* = N, *r* and *lanes* = p."""
    per_unit = SECONDS_PER_UNIT.get(algorithm)
    if per_unit is None:  # another hash or backend: the slowest constant of its family
        family = [
            v for k, v in SECONDS_PER_UNIT.items() if k.split("-")[0] == algorithm.split("-")[0]
        ]
        per_unit = max(family, default=max(SECONDS_PER_UNIT.values()))
    name = algorithm.split("/")[0]
    if name.startswith("Argon2"):
        units = memory_kib * iterations
        passes = "pass" if iterations == 1 else "passes"
        detail = f"{_size(memory_kib)}, {iterations} {passes}"
        if lanes > 1:
            detail += f", {lanes} lanes"
    elif name == "scrypt":
        units = iterations * r * lanes
        detail = f"N={_count(iterations)}, r={r}, p={lanes}"
    elif name == "AES-KDF":
        units = iterations
        detail = f"{_count(iterations)} rounds"
    else:
        units = iterations
        detail = f"{_count(iterations)} iterations"
    return KdfEstimate(name, detail, units * per_unit)


def announce(algorithm: str, **params: int) -> KdfEstimate:
    """Estimate a derivation about to run (:func:`estimate`) and, when it is expected to take
    at least :data:`THRESHOLD_SECONDS` and an announcer is registered, tell it — before any
    work. Returns the estimate (callers need not use it). Never raises for the announcer's
    sake: a failing callback is the front end's bug, not a reason to refuse a file."""
    est = estimate(algorithm, **params)
    announcer = _announcer
    if announcer is not None and est.seconds >= THRESHOLD_SECONDS:
        announcer(est)
    return est


def _measure() -> None:  # pragma: no cover - a calibration script, run by hand
    """Print this machine's seconds per unit next to the constants (median of 3 runs)."""
    import hashlib
    import os
    import statistics
    import time

    from cryptography.hazmat.primitives.kdf.argon2 import Argon2d, Argon2id

    salt = os.urandom(16)

    def timed(fn: Callable[[], object], units: int) -> float:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - start)
        return statistics.median(runs) / units

    def aes(rounds: int) -> bytes:  # KeePass AES-KDF as cxkit.kdbx runs it (CBC in bulk)
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        block = bytes(16)
        for _ in range(2):
            left = rounds
            while left > 0:
                n = min(left, 1 << 16)
                enc = Cipher(algorithms.AES(bytes(32)), modes.CBC(block)).encryptor()
                block = enc.update(bytes(16 * n))[-16:]
                left -= n
        return block

    def sodium() -> bytes:
        from nacl import bindings

        alg = bindings.crypto_pwhash_ALG_ARGON2ID13
        return bytes(bindings.crypto_pwhash_alg(32, b"pw", salt, 3, 64 << 20, alg))

    m = 65536
    found = {
        "Argon2id": timed(
            lambda: Argon2id(salt=salt, length=32, iterations=3, lanes=1, memory_cost=m).derive(
                b"pw"
            ),
            m * 3,
        ),
        "Argon2d": timed(
            lambda: Argon2d(salt=salt, length=32, iterations=3, lanes=1, memory_cost=m).derive(
                b"pw"
            ),
            m * 3,
        ),
        "Argon2id/libsodium": timed(sodium, m * 3),
        "PBKDF2-HMAC-SHA1": timed(
            lambda: hashlib.pbkdf2_hmac("sha1", b"pw", salt, 300_000), 300_000
        ),
        "PBKDF2-HMAC-SHA256": timed(
            lambda: hashlib.pbkdf2_hmac("sha256", b"pw", salt, 300_000), 300_000
        ),
        "PBKDF2-HMAC-SHA512": timed(
            lambda: hashlib.pbkdf2_hmac("sha512", b"pw", salt, 300_000), 300_000
        ),
        "scrypt": timed(
            lambda: hashlib.scrypt(b"pw", salt=salt, n=1 << 15, r=8, p=1, maxmem=1 << 30),
            (1 << 15) * 8,
        ),
        "AES-KDF": timed(lambda: aes(3_000_000), 3_000_000),
    }
    for name, value in found.items():
        print(f"{name:20} measured {value:.3g} s/unit   constant {SECONDS_PER_UNIT[name]:.3g}")


if __name__ == "__main__":  # pragma: no cover
    _measure()
