"""RFC 9180 HPKE: official vectors, the shared subset, cross-checks with cryptography, checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hpke as chpke
from cryptography.hazmat.primitives.asymmetric import ec, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cxkit.crypto.hpke import AEAD, KEM, PrivateKey, PublicKey, Suite
from cxkit.errors import DecryptionError, InvalidKeyError, UnsupportedAlgorithmError
from shared_evidence import shared_path

H = bytes.fromhex


def _official() -> list[dict[str, object]]:
    try:
        import cryptography_vectors
    except ImportError:  # pragma: no cover
        return []
    path = Path(cryptography_vectors.__file__).parent / "HPKE" / "test-vectors.json"
    return json.loads(path.read_text()) if path.exists() else []


OFFICIAL = _official()


def _id(v: dict[str, object]) -> str:
    return f"mode{v['mode']}-kem{v['kem_id']}-kdf{v['kdf_id']}-aead{v['aead_id']}"


def _run_vector(v: dict[str, object]) -> None:
    suite = Suite(v["kem_id"], v["kdf_id"], v["aead_id"])  # type: ignore[arg-type]
    sk = PrivateKey.derive(suite.kem, H(v["ikmR"]))  # type: ignore[arg-type]
    assert sk.public_key.to_bytes().hex() == v["pkRm"]
    assert sk.to_bytes().hex() == v["skRm"]
    eph = PrivateKey.derive(suite.kem, H(v["ikmE"]))  # type: ignore[arg-type]
    kw = {}
    if v["mode"] == 1:
        kw = {"psk": H(v["psk"]), "psk_id": H(v["psk_id"])}  # type: ignore[arg-type]
    info = H(v["info"])  # type: ignore[arg-type]
    enc, sender = suite.setup_sender(sk.public_key, info, _ephemeral=eph, **kw)
    assert enc.hex() == v["enc"]
    recipient = suite.setup_recipient(enc, sk, info, **kw)
    if suite.aead is not AEAD.EXPORT_ONLY:
        for e in v["encryptions"]:  # type: ignore[attr-defined]
            assert sender.seal(H(e["pt"]), H(e["aad"])).hex() == e["ct"]
            assert recipient.open(H(e["ct"]), H(e["aad"])).hex() == e["pt"]
    for x in v["exports"]:  # type: ignore[attr-defined]
        ctx = H(x["exporter_context"])
        assert sender.export(ctx, x["L"]).hex() == x["exported_value"]
        assert recipient.export(ctx, x["L"]).hex() == x["exported_value"]


@pytest.mark.parametrize("vector", OFFICIAL or [None], ids=_id if OFFICIAL else None)
def test_official_rfc9180_vectors(vector: dict[str, object] | None) -> None:
    if vector is None:
        pytest.skip("cryptography-vectors is not installed")
    if vector["mode"] not in (0, 1):
        pytest.skip("auth / auth-psk modes are not implemented by cxkit (no CXP member for pkS)")
    _run_vector(vector)


def test_official_vectors_cover_supported_suites() -> None:
    if not OFFICIAL:
        pytest.skip("cryptography-vectors is not installed")
    run = [v for v in OFFICIAL if v["mode"] in (0, 1)]
    assert len(run) == 64
    assert {(v["kem_id"], v["aead_id"]) for v in run} >= {(32, 2), (16, 1), (32, 65535)}


def test_shared_subset() -> None:
    doc = json.loads(
        shared_path("vectors", "cxp", "rfc9180-hpke-test-vectors-subset.json").read_text()
    )
    ran = 0
    for v in doc["vectors"]:
        if v["mode"] != 0:
            continue
        suite = Suite(v["kem_id"], v["kdf_id"], v["aead_id"])
        sk = PrivateKey.derive(suite.kem, H(v["ikmR"]))
        assert sk.public_key.to_bytes().hex() == v["pkRm"]
        ctx = suite.setup_recipient(H(v["enc"]), sk, H(v["info"]))
        for x in v["exports"]:
            assert ctx.export(H(x["exporter_context"]), x["L"]).hex() == x["exported_value"]
        if suite.aead is not AEAD.EXPORT_ONLY:
            first = v["encryptions"][0]
            assert first["seq"] == 0
            assert ctx.open(H(first["ct"]), H(first["aad"])).hex() == first["pt"]
        ran += 1
    assert ran == 5


_CRYPTO_SUITES = [
    (KEM.DHKEM_X25519_HKDF_SHA256, AEAD.AES_128_GCM, chpke.KEM.X25519, chpke.AEAD.AES_128_GCM),
    (KEM.DHKEM_X25519_HKDF_SHA256, AEAD.AES_256_GCM, chpke.KEM.X25519, chpke.AEAD.AES_256_GCM),
    (KEM.DHKEM_P256_HKDF_SHA256, AEAD.AES_128_GCM, chpke.KEM.P256, chpke.AEAD.AES_128_GCM),
    (KEM.DHKEM_P256_HKDF_SHA256, AEAD.AES_256_GCM, chpke.KEM.P256, chpke.AEAD.AES_256_GCM),
]


@pytest.mark.parametrize(("kem", "aead", "ckem", "caead"), _CRYPTO_SUITES)
def test_cross_check_with_cryptography(kem: KEM, aead: AEAD, ckem: object, caead: object) -> None:
    csuite = chpke.Suite(ckem, chpke.KDF.HKDF_SHA256, caead)  # type: ignore[arg-type]
    ours = Suite(kem, 1, aead)
    info, pt = b"cross info", os.urandom(100)
    # cryptography -> cxkit
    csk = (
        x25519.X25519PrivateKey.generate() if kem == 32 else ec.generate_private_key(ec.SECP256R1())
    )
    cpk = csk.public_key()
    raw_pk = (
        cpk.public_bytes(Encoding.Raw, PublicFormat.Raw)
        if kem == 32
        else cpk.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    blob = csuite.encrypt(pt, cpk, info=info)
    nenc = len(raw_pk)
    if kem == 32:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        raw_sk = csk.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    else:
        raw_sk = csk.private_numbers().private_value.to_bytes(32, "big")  # type: ignore[union-attr]
    sk = PrivateKey.from_bytes(kem, raw_sk)
    assert sk.public_key.to_bytes() == raw_pk
    assert ours.open(blob[:nenc], sk, blob[nenc:], info=info) == pt
    # cxkit -> cryptography
    enc, ct = ours.seal(PublicKey(kem, raw_pk), pt, info=info)
    assert csuite.decrypt(enc + ct, csk, info=info) == pt


def test_psk_rules() -> None:
    suite = Suite(32, 1, 2)
    sk = PrivateKey.generate(32)
    with pytest.raises(InvalidKeyError, match="at least 32"):
        suite.setup_sender(sk.public_key, psk=b"short", psk_id=b"id")
    with pytest.raises(InvalidKeyError, match="together"):
        suite.setup_sender(sk.public_key, psk=os.urandom(32))
    with pytest.raises(InvalidKeyError, match="together"):
        suite.setup_sender(sk.public_key, psk_id=b"id")
    with pytest.raises(InvalidKeyError, match="together"):
        suite.setup_recipient(b"\x00" * 32, sk, psk=os.urandom(32), psk_id=b"")
    psk = os.urandom(32)
    enc, ct = suite.seal(sk.public_key, b"hi", psk=psk, psk_id=b"id")
    assert suite.open(enc, sk, ct, psk=psk, psk_id=b"id") == b"hi"
    with pytest.raises(DecryptionError):
        suite.open(enc, sk, ct, psk=os.urandom(32), psk_id=b"id")
    with pytest.raises(DecryptionError):
        suite.open(enc, sk, ct)  # base mode on a psk message


def test_all_zero_and_invalid_points() -> None:
    suite = Suite(32, 1, 2)
    zero = PublicKey(32, b"\x00" * 32)  # a low-order point: the DH output is all zero
    with pytest.raises(InvalidKeyError, match="low-order"):
        suite.setup_sender(zero)
    sk = PrivateKey.generate(32)
    with pytest.raises(DecryptionError):
        suite.setup_recipient(b"\x00" * 32, sk)
    with pytest.raises(InvalidKeyError):
        PublicKey(16, b"\x04" + b"\x01" * 64)  # not on the curve
    with pytest.raises(InvalidKeyError):
        PublicKey(16, b"\x02" + b"\x01" * 64)
    with pytest.raises(InvalidKeyError):
        PublicKey(32, b"\x01" * 31)
    with pytest.raises(DecryptionError):
        Suite(16, 1, 1).setup_recipient(b"\x04" + b"\x01" * 64, PrivateKey.generate(16))


def test_open_failures_are_opaque_and_close_the_context() -> None:
    suite = Suite(16, 1, 1)
    sk = PrivateKey.generate(16)
    enc, ctx = suite.setup_sender(sk.public_key, b"info")
    c1 = ctx.seal(b"one")
    c2 = ctx.seal(b"two")
    rctx = suite.setup_recipient(enc, sk, b"info")
    with pytest.raises(DecryptionError):
        rctx.open(c2)  # out of order
    with pytest.raises(DecryptionError):
        rctx.open(c1)  # closed after a failure
    with pytest.raises(DecryptionError):
        suite.open(enc, sk, c1, info=b"other")


def test_unsupported_ids_and_export_only() -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        Suite(0x30, 1, 2)
    with pytest.raises(UnsupportedAlgorithmError):
        Suite(32, 1, 7)
    suite = Suite(32, 1, 0xFFFF)
    sk = PrivateKey.generate(32)
    enc, ctx = suite.setup_sender(sk.public_key)
    with pytest.raises(UnsupportedAlgorithmError):
        ctx.seal(b"x")
    assert suite.setup_recipient(enc, sk).export(b"c", 32) == ctx.export(b"c", 32)


def test_private_key_repr_is_redacted() -> None:
    sk = PrivateKey.generate(32)
    assert sk.to_bytes().hex() not in repr(sk)
    assert "redacted" in repr(sk)
