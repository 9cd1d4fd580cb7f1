"""The exception tree of cxkit: every error the library raises derives from :class:`CxkitError`.

::

    CxkitError                          .hint (what the user can do), .location (file, row, $.path)
    ├── InputError                      a file cannot be read as what it claims to be
    │   ├── DecodeError                 not JSON / not the expected shape (carries a JSON path)
    │   ├── UnsupportedVersionError     a CXF version or a draft-era shape cxkit does not accept
    │   └── InputTooLargeError          over a documented size limit (overridable)
    ├── ValidationError                 strict mode only: error-level findings (.findings)
    ├── CryptoError
    │   ├── DecryptionError             ONE opaque error for wrong key / tampering / truncation
    │   ├── InvalidKeyError             malformed key material
    │   └── UnsupportedAlgorithmError   an algorithm cxkit does not implement
    ├── ProtocolError                   CXP messages, negotiation, the P0 profile
    ├── AdapterError                    foreign export formats (reader / writer problems)
    └── OutputError                     refusing to overwrite, cannot write atomically

Problems inside a readable document are *findings* (data, see :mod:`cxkit.cxf.findings`),
not exceptions: one credential's problem never sinks the rest.

Messages never contain secret values (passwords, keys, TOTP secrets, card numbers): they name
the location and the kind of problem only.
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "CryptoError",
    "CxkitError",
    "DecodeError",
    "DecryptionError",
    "InputError",
    "InputTooLargeError",
    "InvalidKeyError",
    "OutputError",
    "ProtocolError",
    "UnsupportedAlgorithmError",
    "UnsupportedVersionError",
    "ValidationError",
]


class CxkitError(Exception):
    """Root of every error cxkit raises.

    ``location`` names where the problem is (a file, a row, a JSON path such as
    ``$.accounts[0].items[3]``); ``hint`` says what the user can do about it.
    """

    def __init__(self, message: str, *, location: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        if self.location:
            return f"{self.location}: {self.message}"
        return self.message

    def diagnostics(self) -> str:
        """The message plus the hint, as the CLI prints it."""
        text = str(self)
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class InputError(CxkitError):
    """An input cannot be read as what it is supposed to be."""


class DecodeError(InputError, ValueError):
    """Not JSON, or JSON whose shape is not the expected structure."""


class UnsupportedVersionError(InputError):
    """A version (or a draft-era document shape) that cxkit recognises but does not accept."""


class InputTooLargeError(InputError):
    """The input is larger than the configured limit."""


class ValidationError(CxkitError, ValueError):
    """Raised only in strict mode, when a document has error-level findings."""

    def __init__(self, message: str, findings: object, **kwargs: str | None) -> None:
        super().__init__(message, **kwargs)
        self.findings = findings


class CryptoError(CxkitError):
    """Base of cryptographic failures."""


class DecryptionError(CryptoError):
    """Decryption failed: wrong key or passphrase, or the data was modified or truncated.

    Deliberately opaque: which of these happened is not revealed.
    """

    def __init__(
        self,
        message: str = "decryption failed: wrong key or the data was modified",
        **kwargs: str | None,
    ) -> None:
        super().__init__(message, **kwargs)


class InvalidKeyError(CryptoError, ValueError):
    """Key material that cannot be parsed or is not acceptable."""


class UnsupportedAlgorithmError(CryptoError):
    """An algorithm, curve or cipher that cxkit does not implement."""


class ProtocolError(CxkitError):
    """A CXP message or exchange problem (negotiation, P0 profile checks)."""


class AdapterError(CxkitError):
    """A foreign export format cannot be read or written."""


class OutputError(CxkitError):
    """An output cannot be written (exists already, same as the input, not writable)."""
