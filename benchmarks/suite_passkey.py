"""Passkey self-verification throughput: cxkit.passkey.verify_passkey vs bare cryptography.

Workload: 10,000 passkeys (1,000 with ``--quick``): 88 % ES256, 6 % EdDSA, 5 % ES384,
1 % RS256 — unique EC/Ed25519 keys, RS256 cycling through 4 RSA-2048 keys (RSA key generation is
slow). Keys are generated and serialised to PKCS#8 DER before any timing.

Figures (all are **rates**, passkeys per second; ratio = cxkit rate / bare rate, target ≥ 0.8):

* ``verify mixed (from DER)`` — ``verify_passkey(key=<DER>, ...)`` per passkey: PKCS#8 check and
  load, COSE public key + fingerprint, WebAuthn assertion (authenticatorData, clientDataJSON),
  sign, fido2-side parsing/checks and ``CoseKey.verify``. Floor: the same DER loaded with
  ``load_der_private_key`` + one sign + one verify with bare ``cryptography`` (the minimum crypto
  work for "this key can sign"). RSA key loading (OpenSSL's key validation, ~40 ms) is in both.
* ``verify ES256 (from DER)`` — the same for the ES256 passkeys alone (where overhead shows most).
* ``verify mixed (pre-loaded keys)`` — ``verify_passkey(key=<PasskeyKey>)`` vs bare sign+verify
  on already loaded keys (no DER parsing on either side).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from _common import Figure, best_time
from cxkit.passkey import PasskeyKey, load_private_key, verify_passkey

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


def _cxkit(keys: list[bytes] | list[PasskeyKey], ids: list[bytes]) -> Callable[[], None]:
    def run() -> None:
        for key, cid in zip(keys, ids, strict=True):
            result = verify_passkey(
                key=key, credential_id=cid, rp_id="example.com", user_handle=cid[:16]
            )
            if not result.ok:  # pragma: no cover
                raise AssertionError(result.findings)

    return run


def _figure(name: str, n: int, cx: float, bare: float, note: str) -> Figure:
    return Figure(
        suite=SUITE,
        name=name,
        value=n / cx,
        unit="passkeys/s",
        floor=n / bare,
        floor_name="bare cryptography sign+verify",
        target=0.8,
        extra={"target_is_minimum": True, "n": n, "floor_is": note},
    )


def run(quick: bool) -> list[Figure]:
    n = 1_000 if quick else 10_000
    repeat = 3 if quick else 2
    ders = _make_keys(n)
    ids = [os.urandom(32) for _ in range(n)]
    figures = []

    cx = best_time(_cxkit(ders, ids), repeat)
    bare = best_time(_bare_from_der(ders), repeat)
    figures.append(_figure("verify mixed (from DER)", n, cx, bare, "load DER + sign + verify"))

    es256 = [d for d in ders if load_private_key(d).algorithm.name == "ES256"]
    cx = best_time(_cxkit(es256, ids[: len(es256)]), repeat)
    bare = best_time(_bare_from_der(es256), repeat)
    figures.append(
        _figure("verify ES256 (from DER)", len(es256), cx, bare, "load DER + sign + verify")
    )

    loaded = [load_private_key(d) for d in ders]
    cx = best_time(_cxkit(loaded, ids), repeat)
    bare = best_time(_bare_loaded([k.private_key for k in loaded]), repeat)
    figures.append(_figure("verify mixed (pre-loaded keys)", n, cx, bare, "sign + verify"))
    return figures
