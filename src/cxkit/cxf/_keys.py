"""Identify the algorithm of a PKCS#8 DER private key (passkey ``key``, ssh-key ``privateKey``).

Used by the validator only to answer "does this parse, and as what?"; signing and verification
live in :mod:`cxkit.passkey`.
"""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_private_key

__all__ = ["KeyInfo", "pkcs8_info"]

#: WebAuthn (COSE) algorithm names cxkit can use for passkeys.
PASSKEY_ALGORITHMS = frozenset({"ES256", "ES384", "ES512", "EdDSA", "RS256"})

_CURVES: dict[str, tuple[str | None, str]] = {
    "secp256r1": ("ES256", "ecdsa-sha2-nistp256"),
    "secp384r1": ("ES384", "ecdsa-sha2-nistp384"),
    "secp521r1": ("ES512", "ecdsa-sha2-nistp521"),
}


class KeyInfo:
    """What a private key is: a short description, its WebAuthn algorithm (or None) and the SSH
    key type names it can be used with."""

    __slots__ = ("description", "ssh_types", "webauthn")

    def __init__(self, description: str, webauthn: str | None, ssh_types: tuple[str, ...]) -> None:
        self.description = description
        self.webauthn = webauthn
        self.ssh_types = ssh_types


def pkcs8_info(der: bytes) -> KeyInfo:
    """Parse PKCS#8 DER; raise ``ValueError`` (no key material in the message) if it is not."""
    try:
        key = load_der_private_key(der, None, unsafe_skip_rsa_key_validation=True)
    except UnsupportedAlgorithm as exc:
        raise ValueError("a PKCS#8 key of an algorithm this system does not support") from exc
    except (ValueError, TypeError) as exc:
        raise ValueError("not a PKCS#8 DER private key") from exc
    if isinstance(key, ec.EllipticCurvePrivateKey):
        name = key.curve.name
        webauthn, ssh_type = _CURVES.get(name, (None, ""))
        return KeyInfo(f"EC {name}", webauthn, (ssh_type,) if ssh_type else ())
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return KeyInfo("Ed25519", "EdDSA", ("ssh-ed25519",))
    if isinstance(key, rsa.RSAPrivateKey):
        bits = key.key_size
        rsa_types = ("ssh-rsa", "rsa-sha2-256", "rsa-sha2-512")
        return KeyInfo(f"RSA-{bits}", "RS256" if bits >= 2048 else None, rsa_types)
    if isinstance(key, ed448.Ed448PrivateKey):
        return KeyInfo("Ed448", None, ("ssh-ed448",))
    if isinstance(key, dsa.DSAPrivateKey):
        return KeyInfo("DSA", None, ("ssh-dss",))
    return KeyInfo(type(key).__name__, None, ())
