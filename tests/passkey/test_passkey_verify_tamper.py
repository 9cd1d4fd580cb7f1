"""The relying-party side still refuses every tampered assertion after the issue #20 speed-ups
(authenticatorData read once per distinct value, COSE templates, no ABC isinstance checks).

Each test lets the authenticator side sign as usual and then spoils one thing between it and
``fido2``: the signature, the signing key, the rpIdHash, the flags, the counter, the challenge,
the client data type or origin. Every case must fail with the finding that names it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from _passkey_data import KEYS, SUPPORTED, b64u
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from cxkit.passkey import load_private_key, verify, verify_passkey
from cxkit.passkey.keys import _cose_encode, _cose_encode_general

Assertion = tuple[bytes, bytes, bytes, bytes]


def _run(
    der: bytes, spoil: Callable[[Assertion], Assertion], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, ...]:
    real = verify._make_assertion

    def spoilt(key: Any, rp_id: str, flags: int, batch: Any = None) -> Assertion:
        return spoil(real(key, rp_id, flags, batch))

    monkeypatch.setattr(verify, "_make_assertion", spoilt)
    result = verify_passkey(
        key=der, credential_id=b"cred", rp_id="example.com", user_handle=b"user"
    )
    assert not result.ok
    return result.codes


def _der(name: str) -> bytes:
    return b64u(KEYS["supported"][name]["pkcs8_b64url"])


@pytest.mark.parametrize("name", SUPPORTED)
def test_tampered_signature_fails(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def flip(a: Assertion) -> Assertion:
        sig = bytearray(a[3])
        sig[len(sig) // 2] ^= 0x01
        return a[0], a[1], a[2], bytes(sig)

    assert _run(_der(name), flip, monkeypatch) == ("passkey.signature-invalid",)


@pytest.mark.parametrize("name", SUPPORTED)
def test_signature_by_another_key_fails(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    other_name = "EDDSA" if name != "EDDSA" else "ES256"
    other = load_private_key(_der(other_name))
    same_kind = {
        "EDDSA": ed25519.Ed25519PrivateKey.generate,
        "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
    }

    def resign(a: Assertion) -> Assertion:
        message = a[2] + hashlib.sha256(a[1]).digest()
        key = other
        if name in same_kind:  # also a key of the same algorithm, not only another algorithm
            fresh = same_kind[name]().private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            key = load_private_key(fresh)
        return a[0], a[1], a[2], key.sign(message)

    assert _run(_der(name), resign, monkeypatch) == ("passkey.signature-invalid",)


def test_wrong_rp_id_hash_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def other_rp(a: Assertion) -> Assertion:
        return a[0], a[1], hashlib.sha256(b"evil.example").digest() + a[2][32:], a[3]

    codes = _run(_der("ES256"), other_rp, monkeypatch)
    assert "passkey.rp-id-mismatch" in codes
    assert "passkey.signature-invalid" in codes  # signed over the real authenticatorData


@pytest.mark.parametrize(
    ("offset", "value"), [(32, 0x00), (32, 0x01), (32, 0x04), (33, 0x01), (36, 0x07)]
)
def test_flags_and_counter_are_checked(
    offset: int, value: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    der = load_private_key(_der("ES256"))

    def resign(a: Assertion) -> Assertion:
        ad = bytearray(a[2])
        ad[offset] = value
        ad_bytes = bytes(ad)
        return a[0], a[1], ad_bytes, der.sign(ad_bytes + hashlib.sha256(a[1]).digest())

    assert _run(_der("ES256"), resign, monkeypatch) == ("passkey.assertion-invalid",)


@pytest.mark.parametrize(
    "change",
    [
        {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
        {"type": "webauthn.create"},
        {"origin": "https://evil.example"},
    ],
)
def test_client_data_is_checked(change: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    der = load_private_key(_der("ES256"))

    def resign(a: Assertion) -> Assertion:
        data = json.loads(a[1])
        data.update(change)
        cd = json.dumps(data, separators=(",", ":")).encode()
        return a[0], cd, a[2], der.sign(a[2] + hashlib.sha256(cd).digest())

    codes = _run(_der("ES256"), resign, monkeypatch)
    expected = "passkey.rp-id-mismatch" if "origin" in change else "passkey.assertion-invalid"
    assert codes == (expected,)


def test_auth_data_cache_keeps_values_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """A spoilt authenticatorData after a good one (same rpId) is read afresh, and the good
    one still passes afterwards."""
    der = _der("ES256")
    assert verify_passkey(key=der, credential_id=b"c", rp_id="example.com", user_handle=b"u").ok
    test_flags_and_counter_are_checked(32, 0x01, monkeypatch)
    monkeypatch.undo()
    assert verify_passkey(key=der, credential_id=b"c", rp_id="example.com", user_handle=b"u").ok


def test_cose_templates_equal_the_general_encoding() -> None:
    rnd = random.Random(20)
    for alg, size in ((-7, 32), (-35, 48), (-36, 66)):
        crv = {-7: 1, -35: 2, -36: 3}[alg]
        for _ in range(50):
            x = rnd.randbytes(size)
            y = bytes(rnd.randrange(2)) + rnd.randbytes(size - 1)  # leading zeros too
            params: dict[int, int | bytes] = {1: 2, 3: alg, -1: crv, -2: x, -3: y}
            assert _cose_encode(params) == _cose_encode_general(params)
            odd = {1: 2, 3: alg, -1: crv, -2: x[1:], -3: y}  # a short coordinate: general path
            assert _cose_encode(odd) == _cose_encode_general(odd)
    for _ in range(50):
        okp: dict[int, int | bytes] = {1: 1, 3: -8, -1: 6, -2: rnd.randbytes(32)}
        assert _cose_encode(okp) == _cose_encode_general(okp)
    assert _cose_encode({1: 1, 3: -8, -1: 7, -2: b"x" * 32}) == _cose_encode_general(
        {1: 1, 3: -8, -1: 7, -2: b"x" * 32}
    )
