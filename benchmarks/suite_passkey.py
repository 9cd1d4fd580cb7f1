"""Passkey self-verification throughput: cxkit.passkey.PasskeyVerifier vs bare cryptography.

Workload: 10,000 passkeys (1,000 with ``--quick``): 88 % ES256, 6 % EdDSA, 5 % ES384,
1 % RS256 — unique EC/Ed25519 keys, RS256 cycling through 4 RSA-2048 keys (RSA key generation is
slow). Keys are generated and serialised to PKCS#8 DER before any timing.

**rpIds — a migrated vault's distribution** (issue #20): mostly one passkey per site, a few
sites with several accounts. Of every 20 sites, 17 have one passkey, 2 have two and 1 has three
(1.2 passkeys per site; 7 passkeys in 24 share their site, 4 in 24 follow another one of the
same site), each site's passkeys next to each other as a vault sorted by title lists them. The
target figures use it; nothing in the batch is shared across sites.

Figures (all are **rates**, passkeys per second; ratio = cxkit rate / bare rate, target ≥ 0.8):

* ``verify <set> (from DER)`` — what ``cxkit passkeys verify`` does through ``check_document``:
  one ``PasskeyVerifier`` (one fresh challenge) per timed run, the passkeys as
  ``PasskeyRequest`` values (built in the timed run) through ``verify_many`` — per passkey:
  PKCS#8 check and load (a P-256/P-384 key in the fixed layout every library writes is built
  from its numbers — d range-checked, the embedded point checked against d·G by cryptography —
  instead of by OpenSSL's PKCS#8 decoder, ~1.3 µs of a ~17 µs load), COSE public key +
  fingerprint, a WebAuthn assertion signed by the key,
  and the relying-party side by ``fido2``: ``AuthenticatorData`` and ``CollectedClientData``
  parse what the authenticator returned (equal bytes once per batch: passkeys of one
  site), rpIdHash / flags / counter / type / challenge / origin checked against the relying
  party's own values, and the signature over authenticatorData ‖ SHA-256(clientDataJSON)
  verified by fido2's COSE key class, which builds the public key from the COSE coordinates
  itself. Floor: the same DER loaded with ``load_der_private_key`` + one sign + one verify with
  bare ``cryptography`` (the minimum crypto work for "this key can sign"). Sets: the mixed
  workload, and each algorithm alone (ES256 is where overhead shows most; RSA key loading,
  OpenSSL's key validation, dominates RS256 on both sides).
* ``verify mixed (pre-loaded keys)`` — the same with already loaded ``PasskeyKey`` objects vs
  bare sign+verify on the loaded keys (no DER parsing on either side).

Informational (no target), ES256 from DER, 2,000 passkeys:

* ``(own rpId each)`` — every passkey its own site: the worst case, nothing shared at all;
* ``(one rpId)`` — every passkey on ``example.com``: the best case (one clientDataJSON and
  authenticatorData for the batch), the workload of the figures before issue #20 item 4;
* ``(verify() each)`` — the realistic rpIds through ``PasskeyVerifier.verify`` one call per
  passkey (one passkey through all the phases at a time, as before ``verify_many``).

Fair method (``_common.alternate_cpu``): floor and subject alternate after a warm-up run of
each, collector on for both (neither pauses it); the figure is the median rate, ``spread`` the
min-max of the rates. ``cpu_ratio`` is the same ratio from each run's CPU time
(``time.process_time``; steadier on a loaded machine), median of the runs, ``cpu_spread`` the
min-max of the per-pair CPU ratios.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from _common import Figure, alternate_cpu, median, spread
from cxkit.passkey import PasskeyKey, PasskeyRequest, PasskeyVerifier, load_private_key

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


# passkeys per site for every 20 sites: 17 x 1, 2 x 2, 1 x 3
_PER_SITE = (1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1)


def vault_rp_ids(n: int) -> list[str]:
    """*n* rpIds distributed as a migrated vault's (see the module docstring)."""
    out: list[str] = []
    site = 0
    while len(out) < n:
        out += [f"site{site}.example"] * _PER_SITE[site % len(_PER_SITE)]
        site += 1
    return out[:n]


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
    keys: Sequence[bytes | PasskeyKey], ids: list[bytes], rp_ids: list[str]
) -> Callable[[], None]:
    """One verifier (one challenge) per run, the passkeys through ``verify_many``."""

    def run() -> None:
        requests = [
            PasskeyRequest(key, cid, rp_id, cid[:16])
            for key, cid, rp_id in zip(keys, ids, rp_ids, strict=True)
        ]
        for result in PasskeyVerifier().verify_many(requests):
            if not result.ok:  # pragma: no cover
                raise AssertionError(result.findings)

    return run


def _cxkit_each(keys: list[bytes], ids: list[bytes], rp_ids: list[str]) -> Callable[[], None]:
    """One verifier per run, one ``verify`` call per passkey."""

    def run() -> None:
        verify = PasskeyVerifier().verify
        for key, cid, rp_id in zip(keys, ids, rp_ids, strict=True):
            result = verify(key=key, credential_id=cid, rp_id=rp_id, user_handle=cid[:16])
            if not result.ok:  # pragma: no cover
                raise AssertionError(result.findings)

    return run


Times = tuple[list[float], list[float], list[float], list[float]]


def _figure(name: str, n: int, times: Times, note: str, target: float | None = 0.8) -> Figure:
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
    rps = vault_rp_ids(n)
    figures = []

    times = alternate_cpu(_bare_from_der(ders), _cxkit(ders, ids, rps), repeat)
    figures.append(_figure("verify mixed (from DER)", n, times, "load DER + sign + verify"))

    by_alg: dict[str, list[bytes]] = {}
    for der in ders:
        by_alg.setdefault(load_private_key(der).algorithm.name, []).append(der)
    for alg in ("ES256", "EDDSA", "ES384", "RS256"):
        # RSA-2048 loading (OpenSSL's key check) costs ~40 ms on either side: 20 keys suffice
        subset = by_alg.get(alg, [])[: 20 if alg == "RS256" else None]
        if not subset:
            continue
        count = len(subset)
        times = alternate_cpu(
            _bare_from_der(subset),
            _cxkit(subset, ids[:count], vault_rp_ids(count)),
            max(repeat, 5),
        )
        figures.append(
            _figure(f"verify {alg} (from DER)", count, times, "load DER + sign + verify")
        )

    loaded = [load_private_key(d) for d in ders]
    times = alternate_cpu(
        _bare_loaded([k.private_key for k in loaded]), _cxkit(loaded, ids, rps), repeat
    )
    figures.append(_figure("verify mixed (pre-loaded keys)", n, times, "sign + verify"))

    es256 = by_alg.get("ES256", [])[:2_000]
    if es256:
        count = len(es256)
        variants: tuple[tuple[str, Callable[[], None]], ...] = (
            (
                "own rpId each",
                _cxkit(es256, ids[:count], [f"site{i}.example" for i in range(count)]),
            ),
            ("one rpId", _cxkit(es256, ids[:count], ["example.com"] * count)),
            ("verify() each", _cxkit_each(es256, ids[:count], vault_rp_ids(count))),
        )
        for label, subject in variants:
            times = alternate_cpu(_bare_from_der(es256), subject, max(repeat, 5))
            figures.append(
                _figure(
                    f"verify ES256 (from DER, {label})",
                    count,
                    times,
                    "load DER + sign + verify",
                    target=None,
                )
            )
    return figures
