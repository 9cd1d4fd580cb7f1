"""Live transfer between two devices (CXP ``direct`` mode over profile P0's loopback/LAN
transport, ``docs/transfer.md``).

Importer::

    from cxkit.transfer import Receiver
    with Receiver(importer="example.org") as rx:
        show_qr(rx.pairing.qr_text())         # compact CXP-P0C: form; render_qr(...) on a tty
        show_text(rx.pairing.to_string())     # the P0 §5.3 cxp-p0: text, to copy and paste
        opened = rx.wait()                     # cxkit.cxp.p0.OpenedExport

Exporter::

    from cxkit.transfer import send
    send(cxf_json, attachments, pairing_text, confirm=ask_user)

Nothing is written to disk by either side; the pairing string carries the PSK and must only be
shown to the user (QR code or text), never logged.
"""

from __future__ import annotations

from cxkit.transfer.errors import (
    ImporterRefusedError,
    RequestMismatchError,
    TransferCanceledError,
    TransferDeclinedError,
    TransferError,
    TransferExpiredError,
)
from cxkit.transfer.pairing import COMPACT_PREFIX, PAIRING_PREFIX, Pairing, render_qr
from cxkit.transfer.receiver import Receiver, TransferEvent
from cxkit.transfer.sender import (
    SendResult,
    fetch_request,
    post_response,
    report_error,
    send,
)

__all__ = [
    "COMPACT_PREFIX",
    "PAIRING_PREFIX",
    "ImporterRefusedError",
    "Pairing",
    "Receiver",
    "RequestMismatchError",
    "SendResult",
    "TransferCanceledError",
    "TransferDeclinedError",
    "TransferError",
    "TransferEvent",
    "TransferExpiredError",
    "fetch_request",
    "post_response",
    "render_qr",
    "report_error",
    "send",
]
