"""Errors of :mod:`cxkit.kdbx`, all inside cxkit's hierarchy (:mod:`cxkit.errors`).

::

    DecodeError
    └── KdbxFormatError          not a KDBX file, corrupted header, truncated file, bad payload
        └── KdbxTruncatedError   the file ends before its structure does
    DecryptionError
    ├── KdbxCredentialsError     wrong password and/or key file (one opaque message)
    └── KdbxIntegrityError       the encrypted payload was modified or damaged (HMAC/hash mismatch)
    InputTooLargeError
    └── KdfCostError             KDF parameters above the configured limits (refused before work)
    UnsupportedAlgorithmError    Twofish, Argon2 1.0, unknown ciphers/KDFs/inner streams
    UnsupportedVersionError      KDBX 1.x/2.x/5+, unknown VariantDictionary versions
    InvalidKeyError              unreadable key file, key file v2 hash mismatch, no credentials

Messages never contain a password, a key or a protected value.
"""

from __future__ import annotations

from cxkit.errors import DecodeError, DecryptionError, InputTooLargeError

__all__ = [
    "KdbxCredentialsError",
    "KdbxFormatError",
    "KdbxIntegrityError",
    "KdbxTruncatedError",
    "KdfCostError",
]


class KdbxFormatError(DecodeError):
    """The bytes are not a well-formed KDBX database (bad signature, corrupted header, ...)."""


class KdbxTruncatedError(KdbxFormatError):
    """The file ends before its structure does."""

    def __init__(self, message: str = "the KDBX file is truncated", **kw: str | None) -> None:
        super().__init__(message, **kw)


class KdbxCredentialsError(DecryptionError):
    """The password and/or key file do not open this database."""

    def __init__(
        self,
        message: str = "wrong password or key file (or the file header was modified)",
        **kw: str | None,
    ) -> None:
        kw.setdefault("hint", "check the password, and whether this database needs a key file")
        super().__init__(message, **kw)


class KdbxIntegrityError(DecryptionError):
    """The credentials are right but the encrypted content fails its integrity check."""

    def __init__(
        self,
        message: str = "the database content was modified or damaged (integrity check failed)",
        **kw: str | None,
    ) -> None:
        super().__init__(message, **kw)


class KdfCostError(InputTooLargeError):
    """The file asks for more key-derivation work than the configured limits allow."""
