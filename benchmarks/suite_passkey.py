"""Passkey self-verification throughput: cxkit.passkey.verify_passkey vs bare cryptography.

Workload: 10,000 passkeys (1,000 with ``--quick``): 88 % ES256, 6 % EdDSA, 5 % ES384,
1 % RS256 — unique EC/Ed25519 keys, RS256 cycling through 4 RSA-2048 keys (RSA key generation is
slow). Keys are generated and serialised to PKCS#8 DER before any timing.

Figures (all are **rates**, passkeys per second; ratio = cxkit rate / bare rate, target ≥ 0.8):

* ``verify <set> (from DER)`` — per passkey, what ``cxkit passkeys verify`` does through
  ``check_document``: ``PasskeyVerifier.verify(key=<DER>, ...)`` (one verifier, i.e. one fresh
  challenge, per timed run = per batch): PKCS#8 check and load, COSE public key + fingerprint,
  WebAuthn assertion signed by the key, and the relying-party side by ``fido2`` — the signature
  checked by fido2's COSE key class, which builds the public key from the COSE coordinates
  itself; clientDataJSON and authenticatorData parsed and checked by fido2 once per distinct
  value (per rpId and flags in a batch; the workload has one rpId). Floor: the same DER loaded
  with ``load_der_private_key`` + one sign + one verify with bare ``cryptography`` (the minimum
  crypto work for "this key can sign"). Sets: the mixed workload, and each algorithm alone
  (ES256 is where overhead shows most; RSA key loading, OpenSSL's key validation, dominates
  RS256 on both sides).
* ``verify mixed (pre-loaded keys)`` — the same with already loaded ``PasskeyKey`` objects vs
  bare sign+verify on the loaded keys (no DER parsing on either side).
* ``verify ES256 (from DER, own rpId each)`` — informational (no target): every passkey with
  its own rpId, so nothing is shared in the batch (fido2 parses every clientDataJSON); about
  what ``verify_passkey`` (one call, one challenge) costs per passkey.

Fair method (``_common.alternate``): floor and subject alternate after a warm-up run of each,
collector on for both (neither pauses it); the figure is the median rate, ``spread`` the
min-max of the rates. ``cpu_ratio`` is the same ratio from each run's CPU time
(``time.process_time``; steadier on a loaded machine), median of the runs, ``cpu_spread`` the
min-max of the per-pair CPU ratios.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from _common import Figure, alternate, median, spread
from cxkit.passkey import PasskeyKey, PasskeyVerifier, load_private_key

SUITE = "passkey"
_DER = serialization.Encoding.DER
_PKCS8 = serialization.PrivateFormat.PKCS8
_NOENC = serialization.NoEncryption()


def _make_keys(n: int) -> list[bytes]:
    rsa_pool = [rsa.generate_private_key(65537, 2048) for _ in range(4)]
    out: list[bytes] = []
    for i in range(n):
        slot = i % 100
        private: object
        if slot < 88:
            private = ec.generate_private_key(ec.SECP256R1())
        elif slot < 94:
            private = ed25519.Ed25519PrivateKey.generate()
        elif slot < 99:
            private = ec.generate_private_key(ec.SECP384R1())
        else:
            private = rsa_pool[(i // 100) % len(rsa_pool)]
        out.append(private.private_bytes(_DER, _PKCS8, _NOENC))  # type: ignore[attr-defined]
    return out


_ECDSA = {"secp256r1": ec.ECDSA(hashes.SHA256()), "secp384r1": ec.ECDSA(hashes.SHA384())}


def _bare_sign_verify(key: object, message: bytes) -> None:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        scheme = _ECDSA[key.curve.name]
        key.public_key().verify(key.sign(message, scheme), message, scheme)
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        key.public_key().verify(key.sign(message), message)
    elif isinstance(key, rsa.RSAPrivateKey):
        pad, sha = padding.PKCS1v15(), hashes.SHA256()
        key.public_key().verify(key.sign(message, pad, sha), message, pad, sha)
    else:  # pragma: no cover
        raise TypeError(type(key))


def _bare_from_der(ders: list[bytes]) -> Callable[[], None]:
    def run() -> None:
        for der in ders:
            # same message size as an assertion: authenticatorData (37) + SHA-256 (32)
            _bare_sign_verify(serialization.load_der_private_key(der, None), os.urandom(69))

    return run


def _bare_loaded(keys: list[object]) -> Callable[[], None]:
    def run() -> None:
        for key in keys:
            _bare_sign_verify(key, os.urandom(69))

    return run


def _cxkit(
    keys: list[bytes] | list[PasskeyKey], ids: list[bytes], rp_ids: list[str] | None = None
) -> Callable[[], None]:
    rps = rp_ids or ["example.com"] * len(keys)

    def run() -> None:
        verify = PasskeyVerifier().verify  # one batch per run, as check_document does
        for key, cid, rp_id in zip(keys, ids, rps, strict=True):
            result = verify(key=key, credential_id=cid, rp_id=rp_id, user_handle=cid[:16])
            if not result.ok:  # pragma: no cover
                raise AssertionError(result.findings)

    return run


def _cpu(fn: Callable[[], None], out: list[float]) -> Callable[[], None]:
    """*fn*, appending each run's CPU seconds to *out*."""

    def run() -> None:
        c0 = time.process_time()
        fn()
        out.append(time.process_time() - c0)

    return run


def _measure(
    floor: Callable[[], None], subject: Callable[[], None], repeat: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """``alternate`` wall seconds plus the CPU seconds of the same timed runs (warm-up
    dropped)."""
    floor_cpu: list[float] = []
    subject_cpu: list[float] = []
    floors, subjects = alternate(_cpu(floor, floor_cpu), _cpu(subject, subject_cpu), repeat)
    return floors, subjects, floor_cpu[-repeat:], subject_cpu[-repeat:]


def _figure(
    name: str,
    n: int,
    times: tuple[list[float], list[float], list[float], list[float]],
    note: str,
    target: float | None = 0.8,
) -> Figure:
    floors, subjects, floor_cpu, subject_cpu = times
    pairs = [f / s for f, s in zip(floor_cpu, subject_cpu, strict=True)]
    return Figure(
        suite=SUITE,
        name=name,
        value=n / median(subjects),
        unit="passkeys/s",
        floor=n / median(floors),
        floor_name="bare cryptography sign+verify",
        target=target,
        extra={
            "target_is_minimum": True,
            "n": n,
            "spread": spread([n / t for t in subjects]),
            "floor_spread": spread([n / t for t in floors]),
            "cpu_ratio": round(median(floor_cpu) / median(subject_cpu), 3),
            "cpu_spread": spread(pairs),
            "floor_is": note,
        },
    )


def run(quick: bool) -> list[Figure]:
    n = 1_000 if quick else 10_000
    repeat = 5 if quick else 3
    ders = _make_keys(n)
    ids = [os.urandom(32) for _ in range(n)]
    figures = []

    times = _measure(_bare_from_der(ders), _cxkit(ders, ids), repeat)
    figures.append(_figure("verify mixed (from DER)", n, times, "load DER + sign + verify"))

    by_alg: dict[str, list[bytes]] = {}
    for der in ders:
        by_alg.setdefault(load_private_key(der).algorithm.name, []).append(der)
    for alg in ("ES256", "EDDSA", "ES384", "RS256"):
        # RSA-2048 loading (OpenSSL's key check) costs ~40 ms on either side: 20 keys suffice
        subset = by_alg.get(alg, [])[: 20 if alg == "RS256" else None]
        if not subset:
            continue
        times = _measure(_bare_from_der(subset), _cxkit(subset, ids[: len(subset)]), max(repeat, 5))
        figures.append(
            _figure(f"verify {alg} (from DER)", len(subset), times, "load DER + sign + verify")
        )

    loaded = [load_private_key(d) for d in ders]
    times = _measure(_bare_loaded([k.private_key for k in loaded]), _cxkit(loaded, ids), repeat)
    figures.append(_figure("verify mixed (pre-loaded keys)", n, times, "sign + verify"))

    es256 = by_alg.get("ES256", [])[:2_000]
    if es256:
        own = [f"site{i}.example" for i in range(len(es256))]
        times = _measure(
            _bare_from_der(es256), _cxkit(es256, ids[: len(es256)], own), max(repeat, 5)
        )
        figures.append(
            _figure(
                "verify ES256 (from DER, own rpId each)",
                len(es256),
                times,
                "load DER + sign + verify",
                target=None,
            )
        )
    return figures
