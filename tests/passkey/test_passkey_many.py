"""PasskeyVerifier.verify_many (issue #20 item 4): the passkeys of a batch go through the
ceremony a phase at a time, yet every one is checked on its own — in a batch of passkeys on
different sites, one spoilt assertion fails (with the finding that names it) and only that one.

The spoilers sit between the authenticator side (``verify._make_assertion``) and fido2, as in
``test_passkey_verify_tamper.py``, but inside one ``verify_many`` call among good assertions.
Each case fails if the relying-party check it targets is removed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from _passkey_data import KEYS, SUPPORTED, b64u
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cxkit.passkey import (
    PasskeyKey,
    PasskeyRequest,
    PasskeyVerifier,
    load_private_key,
    verify,
    verify_passkey,
)
from cxkit.passkey.keys import _ec_layout, _inspect, _Rejection

Assertion = tuple[bytes, bytes, bytes, bytes]
_DER = serialization.Encoding.DER
_PKCS8 = serialization.PrivateFormat.PKCS8
_NOENC = serialization.NoEncryption()
_P256_ORDER = int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)


def _fresh() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(_DER, _PKCS8, _NOENC)


def _site(i: int) -> str:
    return f"site{i}.example"


def _requests(ders: list[bytes]) -> list[PasskeyRequest]:
    return [PasskeyRequest(der, b"cred-%d" % i, _site(i), b"user") for i, der in enumerate(ders)]


def _resign(key: PasskeyKey, auth_data: bytes, client_data: bytes) -> bytes:
    return key.sign(auth_data + hashlib.sha256(client_data).digest())


def _with_client_data(change: dict[str, object]) -> Callable[[PasskeyKey, Assertion], Assertion]:
    def spoil(key: PasskeyKey, a: Assertion) -> Assertion:
        data = json.loads(a[1])
        data.update(change)
        cd = json.dumps(data, separators=(",", ":")).encode()
        return a[0], cd, a[2], _resign(key, a[2], cd)

    return spoil


def _with_auth_data(offset: int, value: int) -> Callable[[PasskeyKey, Assertion], Assertion]:
    def spoil(key: PasskeyKey, a: Assertion) -> Assertion:
        ad = bytearray(a[2])
        ad[offset] = value
        return a[0], a[1], bytes(ad), _resign(key, bytes(ad), a[1])

    return spoil


def _flip_signature(key: PasskeyKey, a: Assertion) -> Assertion:
    sig = bytearray(a[3])
    sig[len(sig) // 2] ^= 0x01
    return a[0], a[1], a[2], bytes(sig)


def _other_key(key: PasskeyKey, a: Assertion) -> Assertion:
    other = load_private_key(_fresh())
    return a[0], a[1], a[2], _resign(other, a[2], a[1])


def _other_rp_id_hash(key: PasskeyKey, a: Assertion) -> Assertion:
    ad = hashlib.sha256(b"evil.example").digest() + a[2][32:]
    return a[0], a[1], ad, _resign(key, ad, a[1])


_SPOILERS: dict[str, tuple[Callable[[PasskeyKey, Assertion], Assertion], tuple[str, ...]]] = {
    "signature": (_flip_signature, ("passkey.signature-invalid",)),
    "signed by another key": (_other_key, ("passkey.signature-invalid",)),
    "rpIdHash": (_other_rp_id_hash, ("passkey.rp-id-mismatch",)),
    "origin": (_with_client_data({"origin": "https://evil.example"}), ("passkey.rp-id-mismatch",)),
    "origin of a parent domain": (
        _with_client_data({"origin": "https://example"}),
        ("passkey.rp-id-mismatch",),
    ),
    "challenge": (_with_client_data({"challenge": "A" * 43}), ("passkey.assertion-invalid",)),
    "type": (_with_client_data({"type": "webauthn.create"}), ("passkey.assertion-invalid",)),
    "no UP, no UV": (_with_auth_data(32, 0x00), ("passkey.assertion-invalid",)),
    "UP without UV": (_with_auth_data(32, 0x01), ("passkey.assertion-invalid",)),
    "UV without UP": (_with_auth_data(32, 0x04), ("passkey.assertion-invalid",)),
    "extra flag BE": (_with_auth_data(32, 0x0D), ("passkey.assertion-invalid",)),
    "counter": (_with_auth_data(36, 0x01), ("passkey.assertion-invalid",)),
}


@pytest.mark.parametrize("spoiler", sorted(_SPOILERS))
def test_one_spoilt_assertion_in_a_batch_of_sites(
    spoiler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spoil, codes = _SPOILERS[spoiler]
    ders = [_fresh() for _ in range(6)]
    victim = _site(3)
    real = verify._make_assertion

    def maybe_spoilt(key: PasskeyKey, rp_id: str, flags: int, batch: Any = None) -> Assertion:
        assertion = real(key, rp_id, flags, batch)
        return spoil(key, assertion) if rp_id == victim else assertion

    monkeypatch.setattr(verify, "_make_assertion", maybe_spoilt)
    results = PasskeyVerifier().verify_many(_requests(ders))
    assert [r.codes for r in results] == [(), (), (), codes, (), ()]
    assert [r.ok for r in results] == [True, True, True, False, True, True]


def test_spoilt_assertion_among_good_ones_of_the_same_site(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Passkeys of one site share clientDataJSON and authenticatorData bytes (parsed once);
    a spoilt one among them is parsed afresh and fails alone."""
    ders = [_fresh() for _ in range(5)]
    requests = [PasskeyRequest(der, b"c%d" % i, "example.com", b"u") for i, der in enumerate(ders)]
    victim = load_private_key(ders[2]).cose_public_key
    real = verify._make_assertion
    spoil = _with_client_data({"type": "webauthn.create"})
    parsed: list[bytes] = []
    read = verify._read_client_data

    def counting(client_data: bytes) -> Any:
        parsed.append(client_data)
        return read(client_data)

    def maybe_spoilt(key: PasskeyKey, rp_id: str, flags: int, batch: Any = None) -> Assertion:
        assertion = real(key, rp_id, flags, batch)
        return spoil(key, assertion) if key.cose_public_key == victim else assertion

    monkeypatch.setattr(verify, "_make_assertion", maybe_spoilt)
    monkeypatch.setattr(verify, "_read_client_data", counting)
    results = PasskeyVerifier().verify_many(requests)
    assert [r.ok for r in results] == [True, True, False, True, True]
    assert results[2].codes == ("passkey.assertion-invalid",)
    assert len(parsed) == 2 and parsed[0] != parsed[1]  # the shared value once, the spoilt one


def test_relying_party_uses_its_own_challenge(monkeypatch: pytest.MonkeyPatch) -> None:
    """An authenticator that answers with a challenge of its choosing (and says so) fails: the
    relying party compares with the challenge it issued, not the one handed back."""
    der = _fresh()
    real = verify._make_assertion

    def own_challenge(key: PasskeyKey, rp_id: str, flags: int, batch: Any = None) -> Assertion:
        a = real(key, rp_id, flags, batch)
        chosen = bytes(32)
        data = json.loads(a[1])
        data["challenge"] = "A" * 43  # base64url of 32 zero bytes
        cd = json.dumps(data, separators=(",", ":")).encode()
        return chosen, cd, a[2], _resign(key, a[2], cd)

    monkeypatch.setattr(verify, "_make_assertion", own_challenge)
    result = PasskeyVerifier().verify_many(_requests([der]))[0]
    assert result.codes == ("passkey.assertion-invalid",)


def test_relying_party_hashes_its_own_rp_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rpIdHash is compared with the relying party's own SHA-256 of its RP ID, not with
    the hash the authenticator side computed: a wrong authenticator-side hash fails."""
    real = verify._rp_context

    def wrong_hash(rp_id: str) -> tuple[bytes, str, str]:
        _, origin, quoted = real(rp_id)
        return hashlib.sha256(b"evil.example").digest(), origin, quoted

    monkeypatch.setattr(verify, "_rp_context", wrong_hash)
    results = PasskeyVerifier().verify_many(_requests([_fresh(), _fresh()]))
    assert [r.codes for r in results] == [("passkey.rp-id-mismatch",)] * 2


def test_verify_many_equals_verify_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Good and bad passkeys of every kind, across chunk boundaries: the same results, in
    order, as one verify_passkey call each."""
    monkeypatch.setattr(verify, "_CHUNK", 4)
    good = [b64u(KEYS["supported"][name]["pkcs8_b64url"]) for name in SUPPORTED]
    stored = bytes.fromhex(KEYS["supported"]["ES256"]["cose_public_key_hex"])
    es256 = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    requests = [PasskeyRequest(der, b"c", _site(i), b"u") for i, der in enumerate(good)]
    requests += [
        PasskeyRequest(es256[:-10], b"c", "example.com", b"u"),  # truncated key
        PasskeyRequest(es256, b"", "example.com", None),  # members
        PasskeyRequest(es256, b"c", "Example.COM", b"u"),  # invalid rpId
        PasskeyRequest(es256, b"c", "example.com", b"u", public_key=stored),
        PasskeyRequest(_fresh(), b"c", "example.com", b"u", public_key=stored),  # mismatch
        PasskeyRequest(es256, b"c", "example.com", b"u", public_key=b"\xa0"),  # bad COSE
        PasskeyRequest(es256, b"c", "example.com", b"u", expected_rp_id="example.org"),
        PasskeyRequest(es256, b"c", "example.com", b"u", backup_eligible=True),
        PasskeyRequest(es256, b"c", "example.com", b"u", False, True),  # BS without BE
        PasskeyRequest(load_private_key(es256), b"c", "example.com", b"u"),
        PasskeyRequest(b"not a key", b"c", "example.com", b"u"),
    ]
    many = PasskeyVerifier().verify_many(requests)
    single = [verify_passkey(**r._asdict()) for r in requests]
    assert [r.codes for r in many] == [r.codes for r in single]
    assert many == single
    assert [r.ok for r in many] == [True] * len(good) + [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        True,
        True,
        True,
        False,
    ]
    assert PasskeyVerifier().verify_many([]) == []


def test_a_crash_fails_only_its_passkey(monkeypatch: pytest.MonkeyPatch) -> None:
    real = verify._make_assertion

    def crashing(key: PasskeyKey, rp_id: str, flags: int, batch: Any = None) -> Assertion:
        if rp_id == _site(1):
            raise RuntimeError("boom")
        return real(key, rp_id, flags, batch)

    monkeypatch.setattr(verify, "_make_assertion", crashing)
    results = PasskeyVerifier().verify_many(_requests([_fresh() for _ in range(3)]))
    assert [r.codes for r in results] == [(), ("passkey.check-failed",), ()]
    assert "boom" not in results[1].findings[0].message


def _with_d(der: bytes, d: int) -> bytes:
    return der[:36] + d.to_bytes(32, "big") + der[68:]


def _with_point_of(der: bytes, d: int) -> bytes:
    """*der* with its embedded public point replaced by d·G."""
    point = (
        ec.derive_private_key(d % _P256_ORDER, ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return der[: -len(point)] + point


@pytest.mark.parametrize("d", [0, _P256_ORDER, _P256_ORDER + 1, 2**256 - 1])
def test_fixed_layout_refuses_a_private_value_out_of_range(d: int) -> None:
    """d must be in 1..n-1 as OpenSSL's PKCS#8 decoder requires — also when the embedded point
    is (d mod n)·G, which cryptography's number-based loader alone would accept."""
    der = _fresh()
    spoilt = _with_d(der, d)
    if d % _P256_ORDER:
        spoilt = _with_point_of(spoilt, d)
    assert _ec_layout(spoilt) is not None
    with pytest.raises(ValueError):
        serialization.load_der_private_key(spoilt, None)  # what the DER loader says
    rejected = _inspect(spoilt)
    assert isinstance(rejected, _Rejection)
    assert rejected.code == "passkey.key-not-pkcs8"


@pytest.mark.parametrize("d", [1, 2, _P256_ORDER - 1])
def test_fixed_layout_loads_the_edge_private_values(d: int) -> None:
    spoilt = _with_point_of(_with_d(_fresh(), d), d)
    loaded = serialization.load_der_private_key(spoilt, None)
    key = _inspect(spoilt)
    assert isinstance(key, PasskeyKey)
    assert key.private_key.private_numbers() == loaded.private_numbers()  # type: ignore[union-attr]
    assert verify_passkey(key=spoilt, credential_id=b"c", rp_id="example.com", user_handle=b"u").ok


def test_check_document_reports_progress_for_every_passkey(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cxkit import cxf
    from cxkit.passkey import check_document, report

    monkeypatch.setattr(report, "_CHUNK", 2)

    def b64(data: bytes) -> str:
        return base64url(data)

    credentials = [
        {
            "type": "passkey",
            "credentialId": b64(b"cred-%d" % i),
            "rpId": _site(i),
            "username": f"u{i}",
            "userDisplayName": f"U{i}",
            "userHandle": b64(b"handle-%d" % i),
            "key": b64(_fresh() if i != 2 else b"not a key"),
        }
        for i in range(5)
    ]
    items = [
        {"id": b64(b"item-%d" % i), "title": f"site {i}", "credentials": [c]}
        for i, c in enumerate(credentials)
    ]
    doc = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example",
        "exporterDisplayName": "Test exporter",
        "timestamp": 1760000000,
        "accounts": [
            {
                "id": b64(b"a"),
                "username": "t",
                "email": "t@example.com",
                "collections": [],
                "items": items,
            }
        ],
    }
    calls: list[tuple[int, int]] = []
    reports = check_document(
        cxf.decode(json.dumps(doc).encode()), progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(i, 5) for i in range(1, 6)]
    assert [r.rp_id for r in reports] == [_site(i) for i in range(5)]
    assert [r.ok for r in reports] == [True, True, False, True, True]
    assert reports[2].codes == ("passkey.key-not-pkcs8",)


def base64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_relying_party_readings_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """fido2's readings kept across calls (by value) stay bounded with many sites."""
    monkeypatch.setattr(verify, "_MAX_BATCH_MESSAGES", 3)
    verifier = PasskeyVerifier()
    der = _fresh()
    for i in range(10):
        assert verifier.verify(key=der, credential_id=b"c", rp_id=_site(i), user_handle=b"u").ok
        seen = (verifier._auth_seen, verifier._client_seen, verifier._rp_seen)
        assert all(0 < len(values) <= 3 for values in seen)
    results = verifier.verify_many(_requests([der] * 10))
    assert all(r.ok for r in results)
    assert len(verifier._client_seen) <= 3 + 10
