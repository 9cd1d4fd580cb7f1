"""Identify the algorithm of a PKCS#8 DER private key (passkey ``key``, ssh-key ``privateKey``).

Used by the validator only to answer "is this a well-formed PKCS#8 key, and of what?"; signing
and verification live in :mod:`cxkit.passkey`.

The common passkey shapes (EC P-256/384/521 after RFC 5915, Ed25519 after RFC 8410) are checked
by a strict DER walk: every length, tag and version, the curve, the private scalar's size and
range, the shape of an embedded public key, nothing left over (~10× faster than loading the key
with ``cryptography``, which handles everything else). Whether an embedded public key belongs to
the private scalar needs a point multiplication: ``cxkit passkeys verify`` proves that (it signs
with the key and verifies the signature), the validator does not.
"""

from __future__ import annotations

from typing import Final

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_private_key

__all__ = ["KeyInfo", "is_common_webauthn_key", "pkcs8_info"]

# DER encodings (tag + length + value) of the object identifiers we recognise.
_OID_EC: Final = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1 id-ecPublicKey
_OID_ED25519: Final = bytes.fromhex("06032b6570")  # 1.3.101.112
#: curve OID (DER) → (name, WebAuthn alg, SSH key type, scalar size, group order)
_CURVES: Final[dict[bytes, tuple[str, str, str, int, int]]] = {
    bytes.fromhex("06082a8648ce3d030107"): (
        "secp256r1",
        "ES256",
        "ecdsa-sha2-nistp256",
        32,
        0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    ),
    bytes.fromhex("06052b81040022"): (
        "secp384r1",
        "ES384",
        "ecdsa-sha2-nistp384",
        48,
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    ),
    bytes.fromhex("06052b81040023"): (
        "secp521r1",
        "ES512",
        "ecdsa-sha2-nistp521",
        66,
        0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
    ),
}
_SSH_RSA: Final = ("ssh-rsa", "rsa-sha2-256", "rsa-sha2-512")


class KeyInfo:
    """What a private key is: a short description, its WebAuthn algorithm (or None) and the SSH
    key type names it can be used with."""

    __slots__ = ("description", "ssh_types", "webauthn")

    def __init__(self, description: str, webauthn: str | None, ssh_types: tuple[str, ...]) -> None:
        self.description = description
        self.webauthn = webauthn
        self.ssh_types = ssh_types


class _FallbackError(Exception):
    """Not one of the shapes the DER walk knows; let ``cryptography`` decide."""


def pkcs8_info(der: bytes) -> KeyInfo:
    """Check PKCS#8 DER; raise ``ValueError`` (no key material in the message) if it is not."""
    try:
        return _fast(der)
    except _FallbackError:
        return _slow(der)


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the DER element at ``pos``."""
    if pos + 2 > end:
        raise ValueError("not a PKCS#8 DER private key: truncated")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 3 or pos + count > end or data[pos] == 0:
            raise ValueError("not a PKCS#8 DER private key: bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        if length < 0x80:
            raise ValueError("not a PKCS#8 DER private key: non-minimal length")
        pos += count
    if pos + length > end:
        raise ValueError("not a PKCS#8 DER private key: truncated")
    return tag, pos, pos + length


def _fast(der: bytes) -> KeyInfo:
    tag, start, end = _tlv(der, 0, len(der))
    if tag != 0x30 or end != len(der):
        raise ValueError("not a PKCS#8 DER private key")
    tag, v0, v1 = _tlv(der, start, end)  # version
    if tag != 0x02 or der[v0:v1] != b"\x00":
        raise _FallbackError
    tag, a0, a1 = _tlv(der, v1, end)  # AlgorithmIdentifier
    if tag != 0x30:
        raise _FallbackError
    algorithm = der[a0:a1]
    tag, k0, k1 = _tlv(der, a1, end)  # privateKey OCTET STRING
    if tag != 0x04:
        raise _FallbackError
    if k1 != end:
        raise _FallbackError  # [0] attributes / [1] publicKey (RFC 5958)
    if algorithm == _OID_ED25519:
        tag, s0, s1 = _tlv(der, k0, k1)
        if tag != 0x04 or s1 - s0 != 32 or s1 != k1:
            raise ValueError("not a PKCS#8 DER private key: bad Ed25519 key")
        return KeyInfo("Ed25519", "EdDSA", ("ssh-ed25519",))
    if not algorithm.startswith(_OID_EC):
        raise _FallbackError
    curve = _CURVES.get(algorithm[len(_OID_EC) :])
    if curve is None:
        raise _FallbackError
    name, webauthn, ssh_type, size, order = curve
    tag, e0, e1 = _tlv(der, k0, k1)  # ECPrivateKey
    if tag != 0x30 or e1 != k1:
        raise ValueError("not a PKCS#8 DER private key: bad ECPrivateKey")
    tag, n0, n1 = _tlv(der, e0, e1)
    if tag != 0x02 or der[n0:n1] != b"\x01":
        raise ValueError("not a PKCS#8 DER private key: bad ECPrivateKey version")
    tag, d0, d1 = _tlv(der, n1, e1)
    if tag != 0x04 or d1 - d0 != size:
        raise ValueError("not a PKCS#8 DER private key: bad EC private scalar")
    scalar = int.from_bytes(der[d0:d1], "big")
    if not 0 < scalar < order:
        raise ValueError("not a PKCS#8 DER private key: EC private scalar out of range")
    pos = d1
    if pos < e1 and der[pos] == 0xA0:  # [0] ECParameters: must name the same curve
        tag, p0, pos = _tlv(der, pos, e1)
        if der[p0:pos] != algorithm[len(_OID_EC) :]:
            raise ValueError("not a PKCS#8 DER private key: conflicting curve parameters")
    if pos < e1 and der[pos] == 0xA1:  # [1] publicKey: an uncompressed point of the curve
        tag, b0, pos = _tlv(der, pos, e1)
        tag, q0, q1 = _tlv(der, b0, pos)
        if tag != 0x03 or q1 != pos or q1 - q0 != 2 + 2 * size or der[q0 : q0 + 2] != b"\x00\x04":
            raise _FallbackError  # another point encoding: let cryptography decide
    if pos != e1:
        raise ValueError("not a PKCS#8 DER private key: bad ECPrivateKey member")
    return KeyInfo(f"EC {name}", webauthn, (ssh_type,))


#: The exact DER that ``cryptography`` (and most authenticators) write for the two common passkey
#: keys: a P-256 key after RFC 5915 with its public key, and an Ed25519 key after RFC 8410.
_P256_HEAD: Final = bytes.fromhex(
    "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420"
)  # SEQUENCE(135) version 0, id-ecPublicKey secp256r1, OCTET STRING(109) ECPrivateKey v1 d(32)
_P256_POINT: Final = bytes.fromhex("a14403420004")  # [1] BIT STRING(66) 0 unused, uncompressed
_P256_ORDER: Final = _CURVES[bytes.fromhex("06082a8648ce3d030107")][4]
_ED25519_HEAD: Final = bytes.fromhex("302e020100300506032b657004220420")


def is_common_webauthn_key(der: bytes) -> bool:
    """Whether ``der`` is a P-256 or Ed25519 PKCS#8 key in the fixed shape above (byte
    comparisons and the scalar's range: about 5 times faster than :func:`pkcs8_info`, issue
    #20). True means :func:`pkcs8_info` returns ES256 / EdDSA for it; False means "not this
    shape" (ask :func:`pkcs8_info`)."""
    size = len(der)
    if size == 138:
        return (
            der.startswith(_P256_HEAD)
            and der.startswith(_P256_POINT, 68)
            and 0 < int.from_bytes(der[36:68], "big") < _P256_ORDER
        )
    return size == 48 and der.startswith(_ED25519_HEAD)


def _slow(der: bytes) -> KeyInfo:
    try:
        key = load_der_private_key(der, None, unsafe_skip_rsa_key_validation=True)
    except UnsupportedAlgorithm as exc:
        raise ValueError("a PKCS#8 key of an algorithm this system does not support") from exc
    except Exception as exc:
        raise ValueError("not a PKCS#8 DER private key") from exc
    if isinstance(key, ec.EllipticCurvePrivateKey):
        for name, webauthn, ssh_type, _, _ in _CURVES.values():
            if key.curve.name == name:
                return KeyInfo(f"EC {name}", webauthn, (ssh_type,))
        return KeyInfo(f"EC {key.curve.name}", None, ())
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return KeyInfo("Ed25519", "EdDSA", ("ssh-ed25519",))
    if isinstance(key, rsa.RSAPrivateKey):
        bits = key.key_size
        return KeyInfo(f"RSA-{bits}", "RS256" if bits >= 2048 else None, _SSH_RSA)
    if isinstance(key, ed448.Ed448PrivateKey):
        return KeyInfo("Ed448", None, ("ssh-ed448",))
    if isinstance(key, dsa.DSAPrivateKey):
        return KeyInfo("DSA", None, ("ssh-dss",))
    return KeyInfo(type(key).__name__, None, ())
