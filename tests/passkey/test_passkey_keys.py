"""Key loading, COSE public keys, fingerprints and the key/metadata conversions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from _passkey_data import KEYS, b64u
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fido2 import cbor
from fido2.cose import CoseKey

from cxkit.errors import AdapterError, CxkitError, InvalidKeyError, UnsupportedAlgorithmError
from cxkit.passkey import (
    Algorithm,
    b64url_to_der,
    bitwarden_counter_to_str,
    bitwarden_credential_id_to_bytes,
    bitwarden_discoverable_to_str,
    bytes_to_bitwarden_credential_id,
    cose_private_key_to_der,
    credential_id_from_b64url,
    credential_id_to_b64url,
    der_to_b64url,
    der_to_cose_private_key,
    der_to_pem,
    keepassxc_flag_to_bool,
    keepassxc_flag_to_str,
    load_private_key,
    parse_bitwarden_counter,
    parse_bitwarden_discoverable,
    pem_to_der,
    public_key_fingerprint,
)


def test_fixture_keys_load_with_expected_cose_and_fingerprint(
    key_case: tuple[str, dict[str, Any], bytes],
) -> None:
    name, entry, der = key_case
    key = load_private_key(der)
    assert key.algorithm is Algorithm[name]
    assert int(key.algorithm) == entry["cose_alg"]
    assert key.cose_public_key.hex() == entry["cose_public_key_hex"]
    assert key.fingerprint == entry["fingerprint"]
    assert public_key_fingerprint(key.cose_public_key) == entry["fingerprint"]
    assert key.to_der() == der


def test_cose_encoding_matches_fido2_for_fresh_keys() -> None:
    for private in [
        *(ec.generate_private_key(c) for c in (ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1())),
        ed25519.Ed25519PrivateKey.generate(),
    ] * 5:
        der = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        key = load_private_key(der)
        expected = cbor.encode(
            CoseKey.for_alg(int(key.algorithm)).from_cryptography_key(private.public_key())
        )
        assert key.cose_public_key == expected


def test_repr_hides_the_private_key(key_case: tuple[str, dict[str, Any], bytes]) -> None:
    _, _, der = key_case
    key = load_private_key(der)
    text = repr(key)
    assert "private_key" not in text
    assert der.hex() not in text
    assert text.startswith("PasskeyKey(algorithm=")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("secp256k1", "secp256k1"),
        ("brainpoolP256r1", "brainpoolP256r1"),
        ("Ed448", "Ed448"),
        ("X25519", "X25519"),
        ("DSA", "DSA"),
        ("RSA-1024", "1024 bits"),
    ],
)
def test_unsupported_algorithms_are_named(name: str, expected: str) -> None:
    with pytest.raises(UnsupportedAlgorithmError, match=expected):
        load_private_key(b64u(KEYS["unsupported"][name]))


@pytest.mark.parametrize("name", sorted(KEYS["not_pkcs8"]))
def test_non_pkcs8_keys_are_invalid(name: str) -> None:
    with pytest.raises(InvalidKeyError, match="not a PKCS#8 DER private key"):
        load_private_key(b64u(KEYS["not_pkcs8"][name]))


def test_truncated_and_garbage_der(key_case: tuple[str, dict[str, Any], bytes]) -> None:
    _, _, der = key_case
    for bad in (b"", b"\x30", der[:-1], der[: len(der) // 2], der + b"\x00", b"\x00" * 40):
        with pytest.raises(InvalidKeyError, match="not a PKCS#8 DER private key") as info:
            load_private_key(bad)
        assert der.hex()[:16] not in str(info.value)
    with pytest.raises(InvalidKeyError):
        load_private_key("not bytes")  # type: ignore[arg-type]


def test_malformed_key_keeps_cause() -> None:
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    broken = der[:40] + bytes([der[40] ^ 0xFF]) + der[41:]
    with pytest.raises(InvalidKeyError) as info:
        load_private_key(broken)
    assert info.value.__cause__ is not None


# --- PEM / base64url -------------------------------------------------------------------------


def test_pem_round_trip_and_header(key_case: tuple[str, dict[str, Any], bytes]) -> None:
    _, _, der = key_case
    pem = der_to_pem(der)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
    assert pem.endswith("-----END PRIVATE KEY-----\n")
    assert all(len(line) <= 64 for line in pem.splitlines())
    assert pem_to_der(pem) == der
    assert pem_to_der(pem.replace("\n", "\r\n") + "\n\n") == der
    # cryptography reads our PEM the same way
    loaded = serialization.load_pem_private_key(pem.encode(), None)
    assert (
        loaded.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        == der
    )


def test_pem_errors() -> None:
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    pem = der_to_pem(der)
    with pytest.raises(InvalidKeyError, match="EC PRIVATE KEY"):
        pem_to_der(pem.replace("BEGIN PRIVATE", "BEGIN EC PRIVATE"))
    with pytest.raises(InvalidKeyError) as info:
        pem_to_der(der_to_b64url(der))  # KeePassXC's unwrapped-CXF-key bug class
    assert info.value.hint and "PEM armour" in info.value.hint
    with pytest.raises(InvalidKeyError, match="exactly one"):
        pem_to_der(pem + pem)
    with pytest.raises(InvalidKeyError, match="base64"):
        pem_to_der(pem.replace("M", "*", 1))
    with pytest.raises(InvalidKeyError):
        pem_to_der("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n")


def test_b64url_round_trip_and_strictness() -> None:
    der = b64u(KEYS["supported"]["EDDSA"]["pkcs8_b64url"])
    text = der_to_b64url(der)
    assert "=" not in text
    assert b64url_to_der(text) == der
    for bad in (text + "!", text[:5] + " " + text[5:], text[:-1] + "+", text[:-3], "", "===="):
        with pytest.raises(InvalidKeyError):
            b64url_to_der(bad)


# --- COSE private keys -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ES256", "ES384", "ES512", "EDDSA"])
def test_cose_private_round_trip(name: str) -> None:
    der = b64u(KEYS["supported"][name]["pkcs8_b64url"])
    cose = der_to_cose_private_key(der)
    decoded = cbor.decode(cose)
    assert isinstance(decoded, dict)
    assert decoded[3] == KEYS["supported"][name]["cose_alg"]
    assert cose_private_key_to_der(cose) == der
    assert cose_private_key_to_der(decoded) == der
    # only d is required
    minimal = {k: v for k, v in decoded.items() if k in (1, -1, -4)}
    assert cose_private_key_to_der(minimal) == der


def test_cose_private_errors() -> None:
    der = b64u(KEYS["supported"]["ES256"]["pkcs8_b64url"])
    decoded = cbor.decode(der_to_cose_private_key(der))
    assert isinstance(decoded, dict)
    with pytest.raises(InvalidKeyError, match="x does not match"):
        cose_private_key_to_der({**decoded, -2: bytes(32)})
    with pytest.raises(InvalidKeyError, match="no private parameter d"):
        cose_private_key_to_der({k: v for k, v in decoded.items() if k != -4})
    with pytest.raises(InvalidKeyError, match="out of range"):
        cose_private_key_to_der({1: 2, -1: 1, -4: b"\xff" * 32})
    with pytest.raises(InvalidKeyError, match="alg"):
        cose_private_key_to_der({**decoded, 3: -8})
    with pytest.raises(UnsupportedAlgorithmError, match="secp256k1"):
        cose_private_key_to_der({1: 2, -1: 8, -4: b"\x01" * 32})
    with pytest.raises(UnsupportedAlgorithmError, match="Ed448"):
        cose_private_key_to_der({1: 1, -1: 7, -4: b"\x01" * 57})
    with pytest.raises(UnsupportedAlgorithmError, match="RSA"):
        cose_private_key_to_der({1: 3, -1: b"\x01", -4: b"\x01"})
    with pytest.raises(InvalidKeyError, match="CBOR"):
        cose_private_key_to_der(b"\xff\x00")
    rsa_der = b64u(KEYS["supported"]["RS256"]["pkcs8_b64url"])
    with pytest.raises(UnsupportedAlgorithmError):
        der_to_cose_private_key(rsa_der)


# --- Bitwarden / KeePassXC metadata ----------------------------------------------------------


def test_bitwarden_credential_id_forms() -> None:
    raw = bitwarden_credential_id_to_bytes("a3e15f8b-27c1-42ae-90cf-a615ad87854f")
    assert raw == uuid.UUID("a3e15f8b-27c1-42ae-90cf-a615ad87854f").bytes
    assert bitwarden_credential_id_to_bytes("b64.o-FfiyfBQq6Qz6YVrYeFTw") == raw
    assert bitwarden_credential_id_to_bytes("A3E15F8B-27C1-42AE-90CF-A615AD87854F") == raw
    assert bytes_to_bitwarden_credential_id(raw) == "a3e15f8b-27c1-42ae-90cf-a615ad87854f"
    assert bytes_to_bitwarden_credential_id(raw, uuid_form=False) == "b64.o-FfiyfBQq6Qz6YVrYeFTw"
    assert bytes_to_bitwarden_credential_id(b"credentialIdExample").startswith("b64.")
    for bad in ("", "b64.", "b64.!!", "a3e15f8b27c142ae90cfa615ad87854f", "{a3e15f8b-27c1}", "x"):
        with pytest.raises(AdapterError):
            bitwarden_credential_id_to_bytes(bad)
    with pytest.raises(AdapterError):
        bytes_to_bitwarden_credential_id(b"")
    assert credential_id_from_b64url(credential_id_to_b64url(raw)) == raw


def test_bitwarden_counter_and_discoverable() -> None:
    assert parse_bitwarden_counter("0") == 0
    assert parse_bitwarden_counter("4294967295") == 2**32 - 1
    assert parse_bitwarden_counter(7) == 7
    for bad in ("", " 0", "-1", "+1", "01", "1.0", "4294967296", "٣", True):
        with pytest.raises(AdapterError):
            parse_bitwarden_counter(bad)  # type: ignore[arg-type]
    assert bitwarden_counter_to_str(12) == "12"
    assert parse_bitwarden_discoverable("true") is True
    assert parse_bitwarden_discoverable("false") is False
    assert parse_bitwarden_discoverable(False) is False
    for bad_d in ("True", "1", "", "yes", None):
        with pytest.raises(AdapterError):
            parse_bitwarden_discoverable(bad_d)  # type: ignore[arg-type]
    assert bitwarden_discoverable_to_str(True) == "true"


def test_keepassxc_flags() -> None:
    assert keepassxc_flag_to_bool("1") is True
    assert keepassxc_flag_to_bool("0") is False
    assert keepassxc_flag_to_bool("true") is True
    assert keepassxc_flag_to_bool("False") is False
    assert keepassxc_flag_to_bool(None) is None
    for bad in ("", "2", "yes", "on"):
        with pytest.raises(AdapterError):
            keepassxc_flag_to_bool(bad)
    assert keepassxc_flag_to_str(True) == "1"
    assert keepassxc_flag_to_str(False) == "0"


def test_all_errors_are_cxkit_errors() -> None:
    assert issubclass(AdapterError, CxkitError)
    assert issubclass(InvalidKeyError, CxkitError)
    assert issubclass(UnsupportedAlgorithmError, CxkitError)
