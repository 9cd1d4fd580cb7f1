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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported on first use (below): the sender needs no asyncio listener
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

#: Where each public name lives: ``cxkit.transfer.X`` imports its module on first use, so
#: ``cxkit send`` (the sender) does not pay for the listener's asyncio.
_WHERE: dict[str, str] = {
    **dict.fromkeys(
        (
            "ImporterRefusedError",
            "RequestMismatchError",
            "TransferCanceledError",
            "TransferDeclinedError",
            "TransferError",
            "TransferExpiredError",
        ),
        "errors",
    ),
    **dict.fromkeys(("COMPACT_PREFIX", "PAIRING_PREFIX", "Pairing", "render_qr"), "pairing"),
    **dict.fromkeys(("Receiver", "TransferEvent"), "receiver"),
    **dict.fromkeys(
        ("SendResult", "fetch_request", "post_response", "report_error", "send"), "sender"
    ),
}

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


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'cxkit.transfer' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cxkit.transfer.{where}"), name)
    globals()[name] = value
    return value
