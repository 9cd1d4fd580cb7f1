"""Errors of a live transfer (all :class:`~cxkit.errors.ProtocolError`; none carries a secret)."""

from __future__ import annotations

from cxkit.cxp.messages import ErrorCode
from cxkit.errors import ProtocolError

__all__ = [
    "ImporterRefusedError",
    "RequestMismatchError",
    "TransferCanceledError",
    "TransferDeclinedError",
    "TransferError",
    "TransferExpiredError",
]


class TransferError(ProtocolError):
    """A live transfer failed: the other side cannot be reached, or answered nonsense."""


class TransferExpiredError(TransferError):
    """The receiver's time ran out before a valid response arrived."""


class TransferCanceledError(TransferError):
    """The transfer was canceled on this side (receiver closed, sender declined)."""


class TransferDeclinedError(TransferError):
    """The exporter reported an error (authenticated with the PSK), e.g. ``user-canceled``."""

    def __init__(self, message: str, code: ErrorCode | str, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.code = code


class RequestMismatchError(TransferError):
    """The request the listener serves does not hash to the digest in the pairing string."""


class ImporterRefusedError(TransferError):
    """The receiver answered the response with an ``ErrorResponse`` (``code``, HTTP ``status``)."""

    def __init__(self, message: str, code: ErrorCode | str, status: int, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.code = code
        self.status = status
