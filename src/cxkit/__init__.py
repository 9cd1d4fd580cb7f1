"""cxkit — move credentials between credential managers, losslessly and encrypted.

Layers (dependencies flow one way, top to bottom):

* :mod:`cxkit.cxf` — the FIDO Credential Exchange Format 1.0: model, codec, validator.
* :mod:`cxkit.passkey` — passkey key handling and WebAuthn self-verification ("hazmat").
* :mod:`cxkit.crypto` — HPKE, JWE and passphrase envelopes ("hazmat").
* :mod:`cxkit.cxp` — the Credential Exchange Protocol messages and the P0 profile.
* :mod:`cxkit.transfer` — the live P0 transfer between two devices (QR-code pairing).
* :mod:`cxkit.kdbx` — KeePass KDBX 3.1/4 reading and writing.
* :mod:`cxkit.adapters` — readers and writers for other applications' export formats.
* :mod:`cxkit.compare` — :func:`diff` (did everything arrive?) and :func:`merge` (several vaults
  into one) on CXF documents; ``cxkit.diff`` / ``cxkit.merge`` are these two functions.
* :mod:`cxkit.cli` — the ``cxkit`` command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxkit.errors import CxkitError

if TYPE_CHECKING:  # imported on first use (below): ``cxkit`` itself stays light to import
    from cxkit.compare import diff, merge

__version__ = "0.1.0.dev0"

__all__ = ["CxkitError", "__version__", "diff", "merge"]


def __getattr__(name: str) -> object:
    """``cxkit.diff`` and ``cxkit.merge``, imported on first use (CLI start-up time)."""
    if name in ("diff", "merge"):
        from cxkit import compare

        return getattr(compare, name)
    raise AttributeError(f"module 'cxkit' has no attribute {name!r}")
