"""Strict JWK conversion and JWE compact (dir + AES-GCM)."""

from __future__ import annotations

import json
import os

import pytest

from cxkit.crypto import jwe
from cxkit.crypto.hpke import PrivateKey
from cxkit.crypto.jwk import jwk_to_public_key, kem_for_jwk, public_key_to_jwk
from cxkit.errors import DecryptionError, InvalidKeyError, UnsupportedAlgorithmError
from shared_evidence import shared_path

X = {"kty": "OKP", "crv": "X25519", "x": "OUjP4K0d22ldeA5ZB3GV2mxWUGsCcyl5SrAryoCBXE0"}
P = {
    "kty": "EC",
    "crv": "P-256",
    "x": "_owZzgkFGR68KYqSRXklMfJvDOziRgY56Lw5y39waoI",
    "y": "anebTPlpuKDlOcf2L7PTCtaqj4DjDx0Siq_WiiznLqA",
}


def test_round_trip_all_kems() -> None:
    for kem in (16, 17, 18, 32, 33):
        pk = PrivateKey.generate(kem).public_key
        jwk = public_key_to_jwk(pk)
        assert jwk_to_public_key(jwk, kem) == pk
        assert kem_for_jwk(jwk) == kem


def test_shared_request_keys_parse() -> None:
    req = json.loads(
        shared_path("vectors", "cxp", "cxp-wd-20241003-export-request.example.json").read_text()
    )
    for entry in req["hpke"]:
        assert public_key_to_jwk(jwk_to_public_key(entry["key"], entry["kem"])) == entry["key"]


@pytest.mark.parametrize(
    ("jwk", "kem", "match"),
    [
        ({**X, "kty": "EC"}, 32, "kty"),
        ({**X, "crv": "X448"}, 32, "crv"),
        (P, 32, "kty"),
        (X, 16, "kty"),
        ({**X, "x": X["x"] + "="}, 32, "base64url"),
        ({**X, "x": X["x"][:-1] + "F"}, 32, "base64url"),  # non-canonical trailing bits
        ({**P, "x": P["x"].replace("_", "/")}, 16, "base64url"),
        ({**X, "x": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"}, 32, "32 bytes"),
        ({**X, "x": 5}, 32, "string"),
        ({**X, "d": "AAAA"}, 32, "private"),
        ({**P, "d": "AAAA"}, 16, "private"),
        ({**P, "y": P["x"]}, 16, "curve"),
        ({**P, "y": P["y"][:-3]}, 16, "32 bytes"),
        ({k: v for k, v in P.items() if k != "y"}, 16, "'y'"),
        ({**X, "y": "AAAA"}, 32, "'y'"),
    ],
)
def test_jwk_strictness(jwk: dict[str, object], kem: int, match: str) -> None:
    with pytest.raises(InvalidKeyError, match=match):
        jwk_to_public_key(jwk, kem)


def test_jwk_not_an_object_and_unknown_type() -> None:
    with pytest.raises(InvalidKeyError):
        jwk_to_public_key(["x"], 32)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedAlgorithmError):
        kem_for_jwk({"kty": "RSA"})
    assert jwk_to_public_key({**X, "kid": "k1", "use": "enc"}, 32)  # unknown public members ok


def test_jwe_round_trip_and_header() -> None:
    for n, enc in ((16, "A128GCM"), (32, "A256GCM")):
        key = os.urandom(n)
        token = jwe.encrypt_compact(b"hello", key)
        header = token.split(b".")[0]
        assert json.loads(
            __import__("base64").urlsafe_b64decode(header + b"=" * (-len(header) % 4))
        ) == {
            "alg": "dir",
            "enc": enc,
        }
        assert token.split(b".")[1] == b""
        assert jwe.decrypt_compact(token, key) == b"hello"
        assert jwe.decrypt_compact(token.decode(), key) == b"hello"


def test_jwe_tamper_and_malformed() -> None:
    key = os.urandom(32)
    token = jwe.encrypt_compact(b"secret payload", key)
    for i in range(len(token)):
        bad = bytearray(token)
        bad[i] ^= 0x01
        with pytest.raises(DecryptionError):
            jwe.decrypt_compact(bytes(bad), key)
    for bad_token in (b"", b"a.b.c.d", token + b".x", token.replace(b"..", b".AA.", 1), "é"):
        with pytest.raises(DecryptionError):
            jwe.decrypt_compact(bad_token, key)
    with pytest.raises(DecryptionError):
        jwe.decrypt_compact(token, os.urandom(32))
    with pytest.raises(DecryptionError):
        jwe.decrypt_compact(token, key[:16])  # A128GCM key for an A256GCM token
    with pytest.raises(InvalidKeyError):
        jwe.encrypt_compact(b"x", b"short")


def test_jwe_interop_with_shared_vector() -> None:
    vec = json.loads(shared_path("vectors", "cxp", "proposal-profile-p0-vector.json").read_text())
    for e in vec["intermediate"]["entries"]:
        cek, iv = bytes.fromhex(e["cek_hex"]), bytes.fromhex(e["iv_hex"])
        pt = jwe.decrypt_compact(e["jwe_compact"], cek)
        assert jwe.encrypt_compact(pt, cek, _iv=iv).decode() == e["jwe_compact"]
