"""Strict JWK <-> HPKE public key conversion — hazmat layer.

CXP carries HPKE public keys (the importer's ``pkR`` and the exporter's ``enc``) as JSON Web Keys:

* X25519 / X448 — ``{"kty": "OKP", "crv": "X25519" | "X448", "x": b64url}`` (RFC 8037 §2);
* P-256 / P-384 / P-521 — ``{"kty": "EC", "crv": "P-256" | …, "x": b64url, "y": b64url}``
  (RFC 7518 §6.2.1); the HPKE form is the uncompressed point ``0x04‖x‖y``.

Strict: ``kty``/``crv`` must match the KEM; coordinates must be canonical unpadded base64url of
exactly the right length; the point must be valid; a JWK with any private member (``d``, or the
RSA/oct members) is refused outright — a private key must never travel in a CXP message.
Unknown public members (``kid``, ``use``, …) are ignored as RFC 7517 §4 requires.
Every problem is an :class:`~cxkit.errors.InvalidKeyError` naming the member, never its value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from cxkit.crypto._b64 import b64u_decode, b64u_encode
from cxkit.crypto.hpke import KEM, PublicKey, kem_id
from cxkit.errors import InvalidKeyError, UnsupportedAlgorithmError

__all__ = ["JWK_PRIVATE_MEMBERS", "jwk_to_public_key", "kem_for_jwk", "public_key_to_jwk"]

JWK_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
"""Members that make a JWK private or symmetric; their presence is refused."""

# kem -> (kty, crv, coordinate length)
_PARAMS: Final[dict[KEM, tuple[str, str, int]]] = {
    KEM.DHKEM_X25519_HKDF_SHA256: ("OKP", "X25519", 32),
    KEM.DHKEM_X448_HKDF_SHA512: ("OKP", "X448", 56),
    KEM.DHKEM_P256_HKDF_SHA256: ("EC", "P-256", 32),
    KEM.DHKEM_P384_HKDF_SHA384: ("EC", "P-384", 48),
    KEM.DHKEM_P521_HKDF_SHA512: ("EC", "P-521", 66),
}


def public_key_to_jwk(key: PublicKey) -> dict[str, str]:
    """The JWK of an HPKE public key (members in the order ``kty``, ``crv``, ``x``, ``y``)."""
    kty, crv, n = _PARAMS[key.kem]
    raw = key.to_bytes()
    if kty == "OKP":
        return {"kty": kty, "crv": crv, "x": b64u_encode(raw)}
    return {
        "kty": kty,
        "crv": crv,
        "x": b64u_encode(raw[1 : 1 + n]),
        "y": b64u_encode(raw[1 + n :]),
    }


def kem_for_jwk(jwk: Mapping[str, object]) -> KEM:
    """The KEM whose keys look like *jwk* (by ``kty``/``crv``), without validating the key."""
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("a JWK must be a JSON object")
    for kem, (kty, crv, _) in _PARAMS.items():
        if jwk.get("kty") == kty and jwk.get("crv") == crv:
            return kem
    raise UnsupportedAlgorithmError("JWK kty/crv is not an HPKE key type cxkit supports")


def _coordinate(jwk: Mapping[str, object], name: str, length: int) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKeyError(f"JWK member {name!r} is missing or not a string")
    try:
        raw = b64u_decode(value)
    except ValueError:
        raise InvalidKeyError(f"JWK member {name!r} is not canonical unpadded base64url") from None
    if len(raw) != length:
        raise InvalidKeyError(f"JWK member {name!r} must encode {length} bytes")
    return raw


def jwk_to_public_key(jwk: Mapping[str, object], kem: KEM | int) -> PublicKey:
    """Parse *jwk* as a public key for *kem*; :class:`InvalidKeyError` on any deviation."""
    k = kem_id(kem)
    if k not in _PARAMS:  # pragma: no cover - every KEM cxkit knows has a JWK form
        raise UnsupportedAlgorithmError(f"no JWK form for {k.name}")
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("a JWK must be a JSON object")
    private = sorted(JWK_PRIVATE_MEMBERS.intersection(str(m) for m in jwk))
    if private:
        raise InvalidKeyError(
            f"the JWK contains private member(s) {', '.join(private)}; send the public key only"
        )
    kty, crv, n = _PARAMS[k]
    if jwk.get("kty") != kty:
        raise InvalidKeyError(f"JWK kty must be {kty!r} for {k.name}")
    if jwk.get("crv") != crv:
        raise InvalidKeyError(f"JWK crv must be {crv!r} for {k.name}")
    if kty == "OKP":
        if "y" in jwk:
            raise InvalidKeyError("an OKP JWK has no member 'y'")
        return PublicKey(k, _coordinate(jwk, "x", n))
    raw = b"\x04" + _coordinate(jwk, "x", n) + _coordinate(jwk, "y", n)
    return PublicKey(k, raw)
