"""verify_passkey: positive ceremonies (cross-checked with py_webauthn) and every finding code."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from _passkey_data import KEYS, b64u
from webauthn import verify_authentication_response
from webauthn.helpers.exceptions import InvalidAuthenticationResponse
from webauthn.helpers.structs import AuthenticationCredential, AuthenticatorAssertionResponse

from cxkit.passkey import (
    FINDING_CODES,
    Algorithm,
    PasskeyCheck,
    load_private_key,
    rp_id_problem,
    verify_passkey,
)
from cxkit.passkey.verify import _make_assertion

CRED_ID = b"credential-id-0001"
USER = b"user-handle"


def check(der: bytes, **kw: Any) -> PasskeyCheck:
    args: dict[str, Any] = {
        "key": der,
        "credential_id": CRED_ID,
        "rp_id": "example.com",
        "user_handle": USER,
    }
    args.update(kw)
    return verify_passkey(**args)


def test_every_algorithm_verifies(key_case: tuple[str, dict[str, Any], bytes]) -> None:
    name, entry, der = key_case
    result = check(der)
    assert result.ok, result.findings
    assert result.findings == ()
    assert result.algorithm is Algorithm[name]
    assert result.cose_public_key is not None
    assert result.cose_public_key.hex() == entry["cose_public_key_hex"]
    assert result.public_key_fingerprint == entry["fingerprint"]
    # against the stored public key, with backup flags, from a loaded key
    stored = bytes.fromhex(entry["cose_public_key_hex"])
    assert check(der, public_key=stored, backup_eligible=True, backup_state=True).ok
    assert check(load_private_key(der), public_key=stored).ok


@pytest.mark.parametrize("flags", [0x05, 0x0D, 0x1D])
def test_assertion_verifies_with_py_webauthn(
    key_case: tuple[str, dict[str, Any], bytes], flags: int
) -> None:
    name, entry, der = key_case
    if name == "ES384":
        pytest.skip("py_webauthn 3.0.1 does not verify EC2 alg -35 (ES384); fido2 does")
    key = load_private_key(der)
    challenge, client_data, auth_data, signature = _make_assertion(key, "example.com", flags)
    assert auth_data[32] == flags
    assert auth_data[33:] == b"\x00\x00\x00\x00"
    credential = AuthenticationCredential(
        id=base64.urlsafe_b64encode(CRED_ID).rstrip(b"=").decode(),
        raw_id=CRED_ID,
        response=AuthenticatorAssertionResponse(
            client_data_json=client_data,
            authenticator_data=auth_data,
            signature=signature,
            user_handle=USER,
        ),
    )
    verified = verify_authentication_response(
        credential=credential,
        expected_challenge=challenge,
        expected_rp_id="example.com",
        expected_origin="https://example.com",
        credential_public_key=bytes.fromhex(entry["cose_public_key_hex"]),
        credential_current_sign_count=0,
        require_user_verification=True,
    )
    assert verified.new_sign_count == 0
    assert verified.user_verified
    # py_webauthn rejects a flipped signature bit and a wrong RP ID
    bad_sig = signature[:-1] + bytes([signature[-1] ^ 1])
    for kwargs in ({"signature": bad_sig}, {}):
        cred = AuthenticationCredential(
            id=base64.urlsafe_b64encode(CRED_ID).rstrip(b"=").decode(),
            raw_id=CRED_ID,
            response=AuthenticatorAssertionResponse(
                client_data_json=client_data,
                authenticator_data=auth_data,
                signature=kwargs.get("signature", signature),
            ),
        )
        with pytest.raises(InvalidAuthenticationResponse):
            verify_authentication_response(
                credential=cred,
                expected_challenge=challenge,
                expected_rp_id="example.org" if not kwargs else "example.com",
                expected_origin="https://example.com",
                credential_public_key=bytes.fromhex(entry["cose_public_key_hex"]),
                credential_current_sign_count=0,
            )


# --- negative cases: each gives its finding, none raises -------------------------------------


def test_key_not_matching_stored_public_key() -> None:
    es256 = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    other = bytes.fromhex(KEYS["supported"]["ES384"]["cose_public_key_hex"])
    result = check(es256, public_key=other)
    assert not result.ok
    assert result.codes == ("passkey.public-key-mismatch",)
    ed = b64u(KEYS["supported"]["EDDSA"]["pkcs8_b64url"])
    stored_ed = bytes.fromhex(KEYS["supported"]["EDDSA"]["cose_public_key_hex"])
    result = check(es256, public_key=stored_ed)
    assert result.codes == ("passkey.public-key-mismatch",)
    assert check(ed, public_key=stored_ed).ok


def test_corrupted_key_bit_flips() -> None:
    # Ed25519: any 32-byte seed is a valid key, so a flipped seed bit only shows against the
    # stored public key; a flipped structure bit is a malformed key.
    entry = KEYS["supported"]["EDDSA"]
    der = b64u(entry["pkcs8_b64url"])
    stored = bytes.fromhex(entry["cose_public_key_hex"])
    seed_flip = der[:-1] + bytes([der[-1] ^ 0x01])
    assert check(seed_flip).ok
    assert check(seed_flip, public_key=stored).codes == ("passkey.public-key-mismatch",)
    header_flip = der[:1] + bytes([der[1] ^ 0x01]) + der[2:]
    assert check(header_flip).codes == ("passkey.key-not-pkcs8",)
    # P-256 PKCS#8 embeds the public key: flipping d is caught while loading
    p256 = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    d_flip = p256[:40] + bytes([p256[40] ^ 0x80]) + p256[41:]
    assert check(d_flip).codes == ("passkey.key-not-pkcs8",)


def test_wrong_rp_id() -> None:
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    stored = bytes.fromhex(KEYS["supported"]["ES256"]["cose_public_key_hex"])
    # the passkey says example.com, the relying party doing the check is example.org
    result = check(der, public_key=stored, expected_rp_id="example.org")
    assert not result.ok
    assert result.codes == ("passkey.rp-id-mismatch",)
    # a sub-domain origin is fine for WebAuthn, but the rpIdHash still differs
    assert check(der, expected_rp_id="login.example.com").codes == ("passkey.rp-id-mismatch",)
    assert check(der, expected_rp_id="example.com").ok


def test_unsupported_truncated_and_small_keys() -> None:
    assert check(b64u(KEYS["unsupported"]["secp256k1"])).codes == ("passkey.unsupported-algorithm",)
    assert check(b64u(KEYS["unsupported"]["RSA-1024"])).codes == ("passkey.rsa-key-too-small",)
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    result = check(der[:-10])
    assert result.codes == ("passkey.key-not-pkcs8",)
    assert result.algorithm is None
    assert result.cose_public_key is None
    assert result.public_key_fingerprint is None
    assert check(b"", public_key=b"").codes == ("passkey.key-not-pkcs8",)
    assert check("text").codes == ("passkey.key-not-pkcs8",)


def test_member_checks() -> None:
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    assert check(der, credential_id=b"").codes == ("passkey.credential-id-empty",)
    assert check(der, credential_id=b"x" * 1024).codes == ("passkey.credential-id-too-long",)
    assert check(der, credential_id=b"x" * 1023).ok
    empty = check(der, user_handle=b"")
    assert empty.ok
    assert empty.codes == ("passkey.user-handle-empty",)
    assert empty.findings[0].severity == "warning"
    assert check(der, user_handle=None).codes == ("passkey.user-handle-empty",)
    assert check(der, user_handle=b"u" * 65).codes == ("passkey.user-handle-too-long",)
    assert check(der, user_handle=b"u" * 64).ok
    flags = check(der, backup_eligible=False, backup_state=True)
    assert flags.ok
    assert flags.codes == ("passkey.backup-flags-inconsistent",)


@pytest.mark.parametrize(
    "rp_id",
    [
        "",
        "https://example.com",
        "example.com:443",
        "example.com/login",
        "Example.com",
        "example.com.",
        "192.168.0.1",
        "[::1]",
        "exa mple.com",
        "-example.com",
        "bücher.example",
        "a" * 64 + ".com",
        "user@example.com",
    ],
)
def test_invalid_rp_ids(rp_id: str) -> None:
    assert rp_id_problem(rp_id) is not None
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    result = check(der, rp_id=rp_id)
    assert "passkey.rp-id-invalid" in result.codes
    assert not result.ok


@pytest.mark.parametrize(
    "rp_id", ["example.com", "webauthn.io", "localhost", "xn--bcher-kva.example", "a-b.c1.io"]
)
def test_valid_rp_ids(rp_id: str) -> None:
    assert rp_id_problem(rp_id) is None
    assert check(b64u(KEYS["supported"]["EDDSA"]["pkcs8_b64url"]), rp_id=rp_id).ok


def test_invalid_stored_public_keys() -> None:
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    for bad in (b"\x00", b"\xa1\x01\x02", b"not cbor \xff", b"\xa2\x01\x02\x03\x38\x2e"):
        assert check(der, public_key=bad).codes == ("passkey.public-key-invalid",)


def test_finding_codes_are_documented() -> None:
    for code, (severity, meaning) in FINDING_CODES.items():
        assert code.startswith("passkey.")
        assert severity in ("error", "warning", "info")
        assert meaning


def test_messages_never_contain_key_material(key_case: tuple[str, dict[str, Any], bytes]) -> None:
    _, _, der = key_case
    for variant in (der[:-3], der, der + b"\x00"):
        result = check(variant, public_key=b"\xa0", expected_rp_id="other.example")
        for finding in result.findings:
            assert der.hex()[:20] not in finding.message
            assert der[:12].decode("latin-1") not in finding.message
