"""The issue #20 verification speed-ups keep every check: the fixed-layout PKCS#8 path (COSE x/y
read from the embedded public key) and :class:`PasskeyVerifier` (one challenge per batch,
clientData/authenticatorData parsed by fido2 once per distinct value)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from _passkey_data import KEYS, SUPPORTED, b64u
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fido2 import cbor
from fido2.cose import CoseKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit.passkey import PasskeyVerifier, load_private_key, verify, verify_passkey
from cxkit.passkey.keys import _cose_params, _ec_layout, _inspect, _Rejection

_DER = serialization.Encoding.DER
_PKCS8 = serialization.PrivateFormat.PKCS8
_NOENC = serialization.NoEncryption()
_CURVES = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1()}


def _fresh(name: str) -> bytes:
    return ec.generate_private_key(_CURVES[name]).private_bytes(_DER, _PKCS8, _NOENC)


def _point(der: bytes) -> bytes:
    key = serialization.load_der_private_key(der, None)
    return key.public_key().public_bytes(  # type: ignore[union-attr]
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@pytest.mark.parametrize("name", sorted(_CURVES))
def test_fixed_layout_gives_the_derived_cose_key(name: str) -> None:
    for _ in range(20):
        der = _fresh(name)
        assert _ec_layout(der) is not None  # cryptography writes the fixed layout
        key = load_private_key(der)
        derived = _cose_params(key.algorithm, key.private_key.public_key())
        assert key.cose_params == derived
        fido = CoseKey.for_alg(int(key.algorithm)).from_cryptography_key(key.public_key)
        assert key.cose_public_key == cbor.encode(fido)


@pytest.mark.parametrize("name", sorted(_CURVES))
def test_embedded_point_of_another_key_is_refused(name: str) -> None:
    """The fixed-layout path trusts the embedded point only because cryptography refuses a
    key whose point is not d·G; if that ever changes, this test says so."""
    der, other = _fresh(name), _fresh(name)
    size = len(_point(der))
    spliced = der[:-size] + _point(other)
    assert _ec_layout(spliced) is not None
    loaded = _inspect(spliced)
    assert isinstance(loaded, _Rejection)
    assert loaded.code == "passkey.key-not-pkcs8"
    result = verify_passkey(key=spliced, credential_id=b"c", rp_id="example.com", user_handle=b"u")
    assert result.codes == ("passkey.key-not-pkcs8",)
    off_curve = der[:-1] + bytes((der[-1] ^ 0x01,))
    assert isinstance(_inspect(off_curve), _Rejection)


def _der_without_public_key(der: bytes, name: str) -> bytes:
    """The same P-256/P-384 key as PKCS#8 whose ECPrivateKey has no [1] public key."""
    size = {"ES256": 32, "ES384": 48}[name]
    layout = _ec_layout(der)
    assert layout is not None
    head_len = {"ES256": 36, "ES384": 35}[name]
    d = der[head_len : head_len + size]
    algid = {
        "ES256": bytes.fromhex("301306072a8648ce3d020106082a8648ce3d030107"),
        "ES384": bytes.fromhex("301006072a8648ce3d020106052b81040022"),
    }[name]
    ec_private = b"\x30" + bytes((5 + size,)) + b"\x02\x01\x01\x04" + bytes((size,)) + d
    body = b"\x02\x01\x00" + algid + b"\x04" + bytes((len(ec_private),)) + ec_private
    return b"\x30" + bytes((len(body),)) + body


@pytest.mark.parametrize("name", sorted(_CURVES))
def test_other_layouts_take_the_general_path(name: str) -> None:
    der = _fresh(name)
    bare = _der_without_public_key(der, name)
    assert _ec_layout(bare) is None
    assert load_private_key(bare).cose_public_key == load_private_key(der).cose_public_key
    assert verify_passkey(key=bare, credential_id=b"c", rp_id="example.com", user_handle=b"u").ok


_FIXED = {name: b64u(KEYS["supported"][name]["pkcs8_b64url"]) for name in ("ES256", "ES384")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(_FIXED)),
    st.data(),
)
def test_mutated_fixed_layout_never_gives_a_foreign_cose_key(name: str, data: Any) -> None:
    """Mutation test of the fixed-layout parser: any byte changed anywhere either is refused or
    loads a key whose COSE x/y are those of its own private key (never a foreign point)."""
    der = bytearray(_FIXED[name])
    assert _ec_layout(bytes(der)) is not None
    index = data.draw(st.integers(0, len(der) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != der[index]))
    der[index] = value
    loaded = _inspect(bytes(der))
    if isinstance(loaded, _Rejection):
        return
    assert loaded.cose_params == _cose_params(loaded.algorithm, loaded.private_key.public_key())
    check = verify_passkey(
        key=bytes(der), credential_id=b"c", rp_id="example.com", user_handle=b"u"
    )
    assert check.ok, check.findings


def _mixed_keys() -> list[bytes]:
    out = [b64u(KEYS["supported"][name]["pkcs8_b64url"]) for name in SUPPORTED]
    out += [_fresh("ES256") for _ in range(5)]
    out += [ed25519.Ed25519PrivateKey.generate().private_bytes(_DER, _PKCS8, _NOENC)]
    return out


def test_batch_gives_the_same_results_as_single_calls() -> None:
    verifier = PasskeyVerifier()
    for i, der in enumerate(_mixed_keys()):
        for rp_id in ("example.com", f"site{i}.example.org"):
            for be, bs in ((None, None), (True, True), (False, True)):
                kw: dict[str, Any] = {
                    "key": der,
                    "credential_id": b"cred",
                    "rp_id": rp_id,
                    "user_handle": b"user",
                    "backup_eligible": be,
                    "backup_state": bs,
                }
                batch, single = verifier.verify(**kw), verify_passkey(**kw)
                assert batch.ok and single.ok
                assert batch == single
                other = verifier.verify(**kw, expected_rp_id="evil.example")
                assert not other.ok
                assert other.codes == (*single.codes, "passkey.rp-id-mismatch")


def test_one_challenge_per_batch_fresh_between_batches() -> None:
    key = load_private_key(_fresh("ES256"))
    first, second = PasskeyVerifier(), PasskeyVerifier()
    a1 = verify._make_assertion(key, "example.com", 0x05, first)
    a2 = verify._make_assertion(key, "example.org", 0x05, first)
    b1 = verify._make_assertion(key, "example.com", 0x05, second)
    assert a1[0] == a2[0] != b1[0]
    assert len(a1[0]) == 32
    assert json.loads(a1[1])["origin"] == "https://example.com"
    assert json.loads(a2[1])["origin"] == "https://example.org"
    assert a1[1] != b1[1]  # another challenge, other clientDataJSON
    assert a1[3] != a2[3]  # each assertion signed on its own


def test_batch_message_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "_MAX_BATCH_MESSAGES", 3)
    verifier = PasskeyVerifier()
    der = _fresh("ES256")
    for i in range(10):
        assert verifier.verify(
            key=der, credential_id=b"c", rp_id=f"s{i}.example", user_handle=b"u"
        ).ok
        assert len(verifier._messages) <= 3


Assertion = tuple[bytes, bytes, bytes, bytes]


@pytest.mark.parametrize("spoil", ["signature", "challenge", "type"])
def test_spoilt_assertion_after_good_ones_in_the_same_batch(
    spoil: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch caches by value: after good assertions for an rpId, a spoilt one (same rpId,
    same verifier) is parsed afresh and fails; good ones pass again afterwards."""
    der = _fresh("ES256")
    key = load_private_key(der)
    verifier = PasskeyVerifier()
    args: dict[str, Any] = {
        "key": der,
        "credential_id": b"c",
        "rp_id": "example.com",
        "user_handle": b"u",
    }
    assert verifier.verify(**args).ok
    real = verify._make_assertion

    def spoilt(k: Any, rp_id: str, flags: int, batch: Any = None) -> Assertion:
        challenge, client_data, auth_data, signature = real(k, rp_id, flags, batch)
        if spoil == "signature":
            sig = bytearray(signature)
            sig[len(sig) // 2] ^= 0x01
            return challenge, client_data, auth_data, bytes(sig)
        data = json.loads(client_data)
        if spoil == "challenge":
            data["challenge"] = "A" * 43
        else:
            data["type"] = "webauthn.create"
        cd = json.dumps(data, separators=(",", ":")).encode()
        return challenge, cd, auth_data, key.sign(auth_data + hashlib.sha256(cd).digest())

    monkeypatch.setattr(verify, "_make_assertion", spoilt)
    expected = "passkey.signature-invalid" if spoil == "signature" else "passkey.assertion-invalid"
    assert verifier.verify(**args).codes == (expected,)
    monkeypatch.undo()
    assert verifier.verify(**args).ok


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_check_document_uses_one_verifier(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxkit import cxf
    from cxkit.passkey import check_document, report

    made: list[PasskeyVerifier] = []
    real = report.PasskeyVerifier

    def counting() -> PasskeyVerifier:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(report, "PasskeyVerifier", counting)
    passkeys = [
        {
            "id": _b64(b"item-%d" % i),
            "title": f"site {i}",
            "credentials": [
                {
                    "type": "passkey",
                    "credentialId": _b64(b"cred-%d" % i),
                    "rpId": "example.com" if i < 3 else "example.org",
                    "username": f"u{i}",
                    "userDisplayName": f"U{i}",
                    "userHandle": _b64(b"handle-%d" % i),
                    "key": _b64(_fresh("ES256")),
                }
            ],
        }
        for i in range(5)
    ]
    doc = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example",
        "exporterDisplayName": "Test exporter",
        "timestamp": 1760000000,
        "accounts": [
            {
                "id": _b64(b"a"),
                "username": "t",
                "email": "t@example.com",
                "collections": [],
                "items": passkeys,
            }
        ],
    }
    reports = check_document(cxf.decode(json.dumps(doc).encode()))
    assert len(made) == 1
    assert [r.ok for r in reports] == [True] * 5
