"""RFC 9180 Hybrid Public Key Encryption — hazmat layer.

A thin, typed wrapper around `pyhpke <https://pypi.org/project/pyhpke/>`_ that adds the checks
pyhpke leaves to the application and maps every failure to a cxkit error:

* modes ``base`` and ``psk`` (``auth`` modes are not offered: CXP has no member for the
  sender's static key); the mode follows from whether a PSK is given;
* a PSK must be at least :data:`MIN_PSK_LENGTH` (32) bytes, and ``psk``/``psk_id`` must be given
  together (RFC 9180 §5.1.1 ``VerifyPSKInputs``; pyhpke checks neither);
* public keys are validated when they are built: exact ``Npk`` length, uncompressed
  ``0x04‖x‖y`` on-curve points for the NIST curves; an all-zero Diffie-Hellman output (a
  low-order X25519/X448 point) is refused (RFC 9180 §7.1.4);
* every failure while opening — bad ``enc``, wrong key, wrong ``info``/PSK/AAD, tampering — is
  the one opaque :class:`~cxkit.errors.DecryptionError`. A recipient context that failed once is
  closed (its sequence number would otherwise be ambiguous) and refuses further use.

Supported: KEMs DHKEM(P-256/P-384/P-521, X25519, X448); KDFs HKDF-SHA256/384/512; AEADs
AES-128-GCM, AES-256-GCM, ChaCha20Poly1305 and export-only. All of them pass the official RFC 9180
test vectors (``tests/crypto/test_crypto_hpke.py``).

Deterministic ephemeral keys (for test vectors only) go through the underscore-private
``_ephemeral`` parameter; never use it in production.
"""

from __future__ import annotations

import functools
import hmac
from enum import IntEnum
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519
from pyhpke import AEADId, CipherSuite, KDFId, KEMId, KEMKey, KEMKeyPair

from cxkit.errors import (
    DecryptionError,
    InvalidKeyError,
    ProtocolError,
    UnsupportedAlgorithmError,
)

__all__ = [
    "AEAD",
    "KDF",
    "KEM",
    "MIN_PSK_LENGTH",
    "Mode",
    "PrivateKey",
    "PublicKey",
    "RecipientContext",
    "SenderContext",
    "Suite",
]

MIN_PSK_LENGTH: Final = 32
"""RFC 9180 §9.5: a PSK must carry at least 32 bytes of entropy; shorter PSKs are refused."""


class KEM(IntEnum):
    """HPKE KEM identifiers (IANA)."""

    DHKEM_P256_HKDF_SHA256 = 0x0010
    DHKEM_P384_HKDF_SHA384 = 0x0011
    DHKEM_P521_HKDF_SHA512 = 0x0012
    DHKEM_X25519_HKDF_SHA256 = 0x0020
    DHKEM_X448_HKDF_SHA512 = 0x0021


class KDF(IntEnum):
    """HPKE KDF identifiers (IANA)."""

    HKDF_SHA256 = 0x0001
    HKDF_SHA384 = 0x0002
    HKDF_SHA512 = 0x0003


class AEAD(IntEnum):
    """HPKE AEAD identifiers (IANA); ``EXPORT_ONLY`` contexts can only ``export``."""

    AES_128_GCM = 0x0001
    AES_256_GCM = 0x0002
    CHACHA20_POLY1305 = 0x0003
    EXPORT_ONLY = 0xFFFF


class Mode(IntEnum):
    """HPKE modes supported by cxkit (RFC 9180 §5); the CXP wire names are ``base``/``psk``."""

    BASE = 0x00
    PSK = 0x01

    @property
    def wire_name(self) -> str:
        return "base" if self is Mode.BASE else "psk"


# Npk (serialized public key length), Nsk (private key length) per KEM.
_KEM_SIZES: Final[dict[KEM, tuple[int, int]]] = {
    KEM.DHKEM_P256_HKDF_SHA256: (65, 32),
    KEM.DHKEM_P384_HKDF_SHA384: (97, 48),
    KEM.DHKEM_P521_HKDF_SHA512: (133, 66),
    KEM.DHKEM_X25519_HKDF_SHA256: (32, 32),
    KEM.DHKEM_X448_HKDF_SHA512: (56, 56),
}
_KDF_NH: Final[dict[KDF, int]] = {KDF.HKDF_SHA256: 32, KDF.HKDF_SHA384: 48, KDF.HKDF_SHA512: 64}
_AEAD_NK: Final[dict[AEAD, int]] = {
    AEAD.AES_128_GCM: 16,
    AEAD.AES_256_GCM: 32,
    AEAD.CHACHA20_POLY1305: 32,
    AEAD.EXPORT_ONLY: 0,
}


def _enum(cls: type[IntEnum], value: int | IntEnum, what: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnsupportedAlgorithmError(f"HPKE {what} identifier must be an integer")
    try:
        return cls(int(value))
    except ValueError:
        raise UnsupportedAlgorithmError(
            f"HPKE {what} 0x{int(value) & 0xFFFFFFFF:04x} is not supported by cxkit"
        ) from None


def kem_id(value: int | KEM) -> KEM:
    """The :class:`KEM` for *value*, or :class:`~cxkit.errors.UnsupportedAlgorithmError`."""
    return _enum(KEM, value, "KEM")  # type: ignore[no-any-return]


def kdf_id(value: int | KDF) -> KDF:
    """The :class:`KDF` for *value*, or :class:`~cxkit.errors.UnsupportedAlgorithmError`."""
    return _enum(KDF, value, "KDF")  # type: ignore[no-any-return]


def aead_id(value: int | AEAD) -> AEAD:
    """The :class:`AEAD` for *value*, or :class:`~cxkit.errors.UnsupportedAlgorithmError`."""
    return _enum(AEAD, value, "AEAD")  # type: ignore[no-any-return]


_EC_CURVES: Final[dict[KEM, ec.EllipticCurve]] = {
    KEM.DHKEM_P256_HKDF_SHA256: ec.SECP256R1(),
    KEM.DHKEM_P384_HKDF_SHA384: ec.SECP384R1(),
    KEM.DHKEM_P521_HKDF_SHA512: ec.SECP521R1(),
}


@functools.cache
def _pyhpke_kem(kem: KEM) -> Any:
    return CipherSuite.new(KEMId(kem.value), KDFId.HKDF_SHA256, AEADId.EXPORT_ONLY).kem


def _generate_raw(kem: KEM) -> Any:
    key: Any
    if kem in _EC_CURVES:
        key = ec.generate_private_key(_EC_CURVES[kem])
    elif kem is KEM.DHKEM_X25519_HKDF_SHA256:
        key = x25519.X25519PrivateKey.generate()
    else:
        key = x448.X448PrivateKey.generate()
    return KEMKey.from_pyca_cryptography_key(key)


class PublicKey:
    """A validated HPKE public key: ``SerializePublicKey`` bytes for one KEM."""

    __slots__ = ("_key", "_raw", "kem")

    def __init__(self, kem: KEM | int, data: bytes) -> None:
        self.kem: KEM = kem_id(kem)
        npk, _ = _KEM_SIZES[self.kem]
        if not isinstance(data, bytes | bytearray) or len(data) != npk:
            raise InvalidKeyError(f"{self.kem.name} public key must be {npk} bytes")
        data = bytes(data)
        try:
            if self.kem in _EC_CURVES:
                if data[0] != 0x04:
                    raise InvalidKeyError("EC public key must be an uncompressed point (0x04)")
                ec.EllipticCurvePublicKey.from_encoded_point(_EC_CURVES[self.kem], data)
            elif self.kem is KEM.DHKEM_X25519_HKDF_SHA256:
                x25519.X25519PublicKey.from_public_bytes(data)
            else:
                x448.X448PublicKey.from_public_bytes(data)
            self._key = _pyhpke_kem(self.kem).deserialize_public_key(data)
        except InvalidKeyError:
            raise
        except Exception as exc:
            raise InvalidKeyError(
                f"not a valid {self.kem.name} public key (point not on the curve)"
            ) from exc
        self._raw = data

    def to_bytes(self) -> bytes:
        """``SerializePublicKey(pk)`` (RFC 9180 §7.1.1)."""
        return self._raw

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self.kem == other.kem and hmac.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash((self.kem, self._raw))

    def __repr__(self) -> str:
        return f"PublicKey({self.kem.name}, {self._raw[:8].hex()}…)"


class PrivateKey:
    """An HPKE private key. Its ``repr`` never shows the key; :meth:`to_bytes` is secret."""

    __slots__ = ("_key", "_public", "kem")

    def __init__(self, kem: KEM, key: Any) -> None:
        # Internal: use generate(), derive() or from_bytes().
        self.kem = kem
        self._key = key
        pub = KEMKey.from_pyca_cryptography_key(key.raw.public_key())
        self._public = PublicKey(kem, bytes(pub.to_public_bytes()))

    @classmethod
    def generate(cls, kem: KEM | int) -> PrivateKey:
        """A fresh random key pair (``GenerateKeyPair``)."""
        k = kem_id(kem)
        return cls(k, _generate_raw(k))

    @classmethod
    def derive(cls, kem: KEM | int, ikm: bytes) -> PrivateKey:
        """``DeriveKeyPair(ikm)`` (RFC 9180 §7.1.3); *ikm* must have at least ``Nsk`` bytes."""
        k = kem_id(kem)
        _, nsk = _KEM_SIZES[k]
        if not isinstance(ikm, bytes | bytearray) or len(ikm) < nsk:
            raise InvalidKeyError(f"DeriveKeyPair input must be at least {nsk} bytes")
        try:
            pair = _pyhpke_kem(k).derive_key_pair(bytes(ikm))
        except Exception as exc:
            raise InvalidKeyError("key derivation failed") from exc
        return cls(k, pair.private_key)

    @classmethod
    def from_bytes(cls, kem: KEM | int, data: bytes) -> PrivateKey:
        """``DeserializePrivateKey`` (RFC 9180 §7.1.2)."""
        k = kem_id(kem)
        _, nsk = _KEM_SIZES[k]
        if not isinstance(data, bytes | bytearray) or len(data) != nsk:
            raise InvalidKeyError(f"{k.name} private key must be {nsk} bytes")
        try:
            key = _pyhpke_kem(k).deserialize_private_key(bytes(data))
        except Exception as exc:
            raise InvalidKeyError(f"not a valid {k.name} private key") from exc
        return cls(k, key)

    @property
    def public_key(self) -> PublicKey:
        return self._public

    def to_bytes(self) -> bytes:
        """``SerializePrivateKey`` — fixed ``Nsk`` bytes. Secret: never log it."""
        _, nsk = _KEM_SIZES[self.kem]
        raw = self._key.to_private_bytes()
        if self.kem in _EC_CURVES:
            return int.from_bytes(raw, "big").to_bytes(nsk, "big")
        return bytes(raw)

    def __repr__(self) -> str:
        return f"PrivateKey({self.kem.name}, public={self._public!r}, secret=<redacted>)"


def _check_psk(psk: bytes | None, psk_id: bytes | None) -> tuple[bytes, bytes, Mode]:
    if psk is None and psk_id is None:
        return b"", b"", Mode.BASE
    if psk is None or psk_id is None or len(psk_id) == 0:
        raise InvalidKeyError("psk and psk_id must be given together (and psk_id not empty)")
    if not isinstance(psk, bytes | bytearray) or not isinstance(psk_id, bytes | bytearray):
        raise InvalidKeyError("psk and psk_id must be bytes")
    if len(psk) < MIN_PSK_LENGTH:
        raise InvalidKeyError(f"the PSK must be at least {MIN_PSK_LENGTH} bytes")
    return bytes(psk), bytes(psk_id), Mode.PSK


def _as_bytes(value: object, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ProtocolError(f"{what} must be bytes")
    return bytes(value)


class _Context:
    __slots__ = ("_ctx", "_nh", "mode", "suite")

    def __init__(self, suite: Suite, ctx: Any, mode: Mode) -> None:
        self.suite = suite
        self.mode = mode
        self._ctx = ctx
        self._nh = _KDF_NH[suite.kdf]

    def export(self, exporter_context: bytes, length: int) -> bytes:
        """The secret exporter interface ``Context.Export`` (RFC 9180 §5.3)."""
        ctx = _as_bytes(exporter_context, "exporter_context")
        if (
            isinstance(length, bool)
            or not isinstance(length, int)
            or not 0 < length <= 255 * self._nh
        ):
            raise ProtocolError(f"export length must be between 1 and {255 * self._nh}")
        return bytes(self._ctx.export(ctx, length))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.suite!r}, mode={self.mode.wire_name})"


class SenderContext(_Context):
    """``ContextS``: ``seal`` messages in order and ``export`` secrets."""

    __slots__ = ()

    def seal(self, plaintext: bytes, aad: bytes = b"") -> bytes:
        if self.suite.aead is AEAD.EXPORT_ONLY:
            raise UnsupportedAlgorithmError("an export-only HPKE context cannot seal")
        pt = _as_bytes(plaintext, "plaintext")
        try:
            return bytes(self._ctx.seal(pt, _as_bytes(aad, "aad")))
        except Exception as exc:
            raise ProtocolError("HPKE seal failed") from exc


class RecipientContext(_Context):
    """``ContextR``: ``open`` messages in order and ``export`` secrets.

    After one failed :meth:`open` the context is closed: further calls raise
    :class:`~cxkit.errors.DecryptionError`.
    """

    __slots__ = ("_failed",)

    def __init__(self, suite: Suite, ctx: Any, mode: Mode) -> None:
        super().__init__(suite, ctx, mode)
        self._failed = False

    def open(self, ciphertext: bytes, aad: bytes = b"") -> bytes:
        if self.suite.aead is AEAD.EXPORT_ONLY:
            raise UnsupportedAlgorithmError("an export-only HPKE context cannot open")
        if self._failed:
            raise DecryptionError()
        try:
            return bytes(self._ctx.open(_as_bytes(ciphertext, "ciphertext"), _as_bytes(aad, "aad")))
        except Exception as exc:
            self._failed = True
            raise DecryptionError() from exc


class Suite:
    """An HPKE cipher suite (KEM, KDF, AEAD)."""

    __slots__ = ("_suite", "aead", "kdf", "kem")

    def __init__(self, kem: KEM | int, kdf: KDF | int, aead: AEAD | int) -> None:
        self.kem: KEM = kem_id(kem)
        self.kdf: KDF = kdf_id(kdf)
        self.aead: AEAD = aead_id(aead)
        self._suite = CipherSuite.new(
            KEMId(self.kem.value), KDFId(self.kdf.value), AEADId(self.aead.value)
        )

    @property
    def key_length(self) -> int:
        """``Nk`` of the AEAD (0 for export-only)."""
        return _AEAD_NK[self.aead]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Suite):
            return NotImplemented
        return (self.kem, self.kdf, self.aead) == (other.kem, other.kdf, other.aead)

    def __hash__(self) -> int:
        return hash((self.kem, self.kdf, self.aead))

    def __repr__(self) -> str:
        return f"Suite({self.kem.name}, {self.kdf.name}, {self.aead.name})"

    def _check_key(self, key: PublicKey | PrivateKey) -> None:
        if key.kem is not self.kem:
            raise InvalidKeyError(f"the key is for {key.kem.name}, the suite uses {self.kem.name}")

    def setup_sender(
        self,
        recipient: PublicKey,
        info: bytes = b"",
        *,
        psk: bytes | None = None,
        psk_id: bytes | None = None,
        _ephemeral: PrivateKey | None = None,
    ) -> tuple[bytes, SenderContext]:
        """``SetupBaseS`` / ``SetupPSKS``: returns ``(enc, context)``."""
        if not isinstance(recipient, PublicKey):
            raise InvalidKeyError("recipient must be an HPKE PublicKey")
        self._check_key(recipient)
        psk_b, psk_id_b, mode = _check_psk(psk, psk_id)
        info_b = _as_bytes(info, "info")
        eks = None
        if _ephemeral is not None:
            self._check_key(_ephemeral)
            eks = KEMKeyPair(_ephemeral._key, _ephemeral.public_key._key)
        try:
            enc, ctx = self._suite.create_sender_context(
                recipient._key, info=info_b, psk=psk_b, psk_id=psk_id_b, eks=eks
            )
        except Exception as exc:
            # cryptography refuses an all-zero X25519/X448 shared secret (low-order point).
            raise InvalidKeyError(
                "the recipient public key is not usable (low-order point)"
            ) from exc
        return bytes(enc), SenderContext(self, ctx, mode)

    def setup_recipient(
        self,
        enc: bytes,
        recipient: PrivateKey,
        info: bytes = b"",
        *,
        psk: bytes | None = None,
        psk_id: bytes | None = None,
    ) -> RecipientContext:
        """``SetupBaseR`` / ``SetupPSKR``. A bad ``enc`` is a :class:`DecryptionError`."""
        if not isinstance(recipient, PrivateKey):
            raise InvalidKeyError("recipient must be an HPKE PrivateKey")
        self._check_key(recipient)
        psk_b, psk_id_b, mode = _check_psk(psk, psk_id)
        info_b = _as_bytes(info, "info")
        try:
            enc_key = PublicKey(self.kem, _as_bytes(enc, "enc"))
            ctx = self._suite.create_recipient_context(
                enc_key.to_bytes(), recipient._key, info=info_b, psk=psk_b, psk_id=psk_id_b
            )
        except Exception as exc:
            raise DecryptionError() from exc
        return RecipientContext(self, ctx, mode)

    def seal(
        self,
        recipient: PublicKey,
        plaintext: bytes,
        *,
        info: bytes = b"",
        aad: bytes = b"",
        psk: bytes | None = None,
        psk_id: bytes | None = None,
        _ephemeral: PrivateKey | None = None,
    ) -> tuple[bytes, bytes]:
        """Single-shot ``Seal`` (RFC 9180 §6.1): returns ``(enc, ciphertext)``."""
        enc, ctx = self.setup_sender(recipient, info, psk=psk, psk_id=psk_id, _ephemeral=_ephemeral)
        return enc, ctx.seal(plaintext, aad)

    def open(
        self,
        enc: bytes,
        recipient: PrivateKey,
        ciphertext: bytes,
        *,
        info: bytes = b"",
        aad: bytes = b"",
        psk: bytes | None = None,
        psk_id: bytes | None = None,
    ) -> bytes:
        """Single-shot ``Open``; every failure is :class:`~cxkit.errors.DecryptionError`."""
        ctx = self.setup_recipient(enc, recipient, info, psk=psk, psk_id=psk_id)
        return ctx.open(ciphertext, aad)
