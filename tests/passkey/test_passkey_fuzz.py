"""Property tests for the conversions and a mutation fuzz of every public parse function:
only CxkitError subclasses escape (or, for verify_passkey, findings)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from _passkey_data import KEYS, b64u
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit.errors import CxkitError
from cxkit.passkey import (
    b64url_to_der,
    bitwarden_credential_id_to_bytes,
    bytes_to_bitwarden_credential_id,
    cose_private_key_to_der,
    credential_id_from_b64url,
    credential_id_to_b64url,
    der_to_b64url,
    der_to_cose_private_key,
    der_to_pem,
    keepassxc_flag_to_bool,
    load_private_key,
    parse_bitwarden_counter,
    parse_bitwarden_discoverable,
    pem_to_der,
    verify_passkey,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DERS = {name: b64u(entry["pkcs8_b64url"]) for name, entry in KEYS["supported"].items()}
EC_OKP = ["ES256", "ES384", "ES512", "EDDSA"]


@FAST
@given(st.binary(min_size=1, max_size=600))
def test_der_pem_b64url_round_trip(data: bytes) -> None:
    assert pem_to_der(der_to_pem(data)) == data
    assert b64url_to_der(der_to_b64url(data)) == data


@FAST
@given(st.binary(min_size=1, max_size=1023), st.booleans())
def test_credential_id_forms_round_trip(raw: bytes, uuid_form: bool) -> None:
    text = bytes_to_bitwarden_credential_id(raw, uuid_form=uuid_form)
    assert bitwarden_credential_id_to_bytes(text) == raw
    assert credential_id_from_b64url(credential_id_to_b64url(raw)) == raw


@FAST
@given(st.sampled_from(EC_OKP), st.integers(min_value=1, max_value=2**255))
def test_cose_private_round_trip(name: str, scalar: int) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    if name == "EDDSA":
        private: object = ed25519.Ed25519PrivateKey.from_private_bytes(
            scalar.to_bytes(32, "little")
        )
    else:
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[name]
        private = ec.derive_private_key(scalar, curve)
    der = private.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cose = der_to_cose_private_key(der)
    assert cose_private_key_to_der(cose) == der
    assert load_private_key(der).to_der() == der


def _mutate(data: bytes, positions: list[int], values: list[int], cut: int | None) -> bytes:
    out = bytearray(data)
    for pos, value in zip(positions, values, strict=False):
        if out:
            out[pos % len(out)] ^= value or 1
    if cut is not None and out:
        del out[cut % len(out) :]
    return bytes(out)


MUTATION = st.tuples(
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=4),
    st.lists(st.integers(min_value=0, max_value=255), min_size=1, max_size=4),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
)


def _only_cxkit_errors(fn: Callable[[], object]) -> None:
    with contextlib.suppress(CxkitError):
        fn()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(DERS)), MUTATION)
def test_mutated_der_never_escapes(name: str, mutation: tuple[list[int], list[int], int | None]):
    der = _mutate(DERS[name], *mutation)
    _only_cxkit_errors(lambda: load_private_key(der))
    _only_cxkit_errors(lambda: der_to_cose_private_key(der))
    pem = der_to_pem(DERS[name])
    _only_cxkit_errors(lambda: pem_to_der(_mutate(pem.encode(), *mutation).decode("latin-1")))
    text = der_to_b64url(DERS[name])
    _only_cxkit_errors(lambda: b64url_to_der(_mutate(text.encode(), *mutation).decode("latin-1")))
    stored = bytes.fromhex(KEYS["supported"][name]["cose_public_key_hex"])
    result = verify_passkey(
        key=der,
        credential_id=b"id",
        rp_id="example.com",
        user_handle=b"u",
        public_key=_mutate(stored, *mutation) if mutation[2] is not None else stored,
    )
    assert "passkey.check-failed" not in result.codes


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(EC_OKP), MUTATION)
def test_mutated_cose_never_escapes(name: str, mutation: tuple[list[int], list[int], int | None]):
    cose = der_to_cose_private_key(DERS[name])
    _only_cxkit_errors(lambda: cose_private_key_to_der(_mutate(cose, *mutation)))


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(
        ["a3e15f8b-27c1-42ae-90cf-a615ad87854f", "b64.o-FfiyfBQq6Qz6YVrYeFTw", "true", "0", "1"]
    ),
    MUTATION,
)
def test_mutated_strings_never_escape(
    text: str, mutation: tuple[list[int], list[int], int | None]
) -> None:
    mutated = _mutate(text.encode(), *mutation).decode("latin-1")
    for fn in (
        bitwarden_credential_id_to_bytes,
        credential_id_from_b64url,
        parse_bitwarden_counter,
        parse_bitwarden_discoverable,
        keepassxc_flag_to_bool,
        b64url_to_der,
        pem_to_der,
        cose_private_key_to_der,
        load_private_key,
    ):
        _only_cxkit_errors(lambda fn=fn: fn(mutated))  # type: ignore[operator]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=80), st.text(max_size=40))
def test_verify_random_inputs_never_raise(key: bytes, ident: bytes, rp_id: str) -> None:
    result = verify_passkey(key=key, credential_id=ident, rp_id=rp_id, user_handle=ident)
    assert not result.ok
    assert "passkey.check-failed" not in result.codes


@pytest.mark.parametrize("bad", [None, 5, [], {}, object()])
def test_wrong_types_raise_cxkit_errors(bad: object) -> None:
    for fn in (
        bitwarden_credential_id_to_bytes,
        credential_id_from_b64url,
        parse_bitwarden_counter,
        parse_bitwarden_discoverable,
        b64url_to_der,
        pem_to_der,
        load_private_key,
        der_to_pem,
        der_to_b64url,
    ):
        if fn is parse_bitwarden_counter and bad == 5:
            continue
        with pytest.raises(CxkitError):
            fn(bad)  # type: ignore[operator]
    result = verify_passkey(key=bad, credential_id=bad, rp_id=bad, user_handle=bad)  # type: ignore[arg-type]
    assert not result.ok
    assert "passkey.check-failed" not in result.codes
