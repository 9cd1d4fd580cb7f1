"""The WebAuthn RP ID rule, in one place for the whole of cxkit (CXF §3.3.12 ``rpId``).

The CXF validator (:mod:`cxkit.cxf.validate`) and passkey verification
(:mod:`cxkit.passkey.verify`) both use :func:`rp_id_problem`, so a document that validates has
RP IDs the verifier accepts and the other way round.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

__all__ = ["is_valid_rp_id", "rp_id_problem"]

_LABEL: Final = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN_RE: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def rp_id_problem(rp_id: object) -> str | None:
    """Why *rp_id* is not a valid WebAuthn RP ID, or ``None`` when it is.

    cxkit's rule (WebAuthn L3 §5.1.2: an RP ID is a valid domain string): a lower-case ASCII
    domain name of LDH labels (1-63 characters, no leading/trailing hyphen; ``xn--`` A-labels
    allowed), at most 253 characters, no trailing dot; no scheme, port, path or user info; not
    an IP literal (a name whose last label is all digits). Single-label names (``localhost``)
    are accepted; public suffixes are not rejected.

    The message names the problem and shows at most 80 characters of the RP ID (not a secret).
    """
    if not isinstance(rp_id, str):
        return f"rpId must be a string, not {type(rp_id).__name__}"
    return _rp_id_problem(rp_id)


def is_valid_rp_id(rp_id: str) -> bool:
    """True when :func:`rp_id_problem` finds nothing wrong with *rp_id*."""
    return rp_id_problem(rp_id) is None


@lru_cache(maxsize=4096)
def _rp_id_problem(rp_id: str) -> str | None:
    if not rp_id:
        return "rpId is empty"
    shown = repr(rp_id[:80])
    if len(rp_id) > 253:
        return "rpId is longer than 253 characters"
    if "://" in rp_id:
        return f"rpId {shown} contains a URL scheme; an RP ID is a bare domain (example.com)"
    if any(c in rp_id for c in "/?#@"):
        return f"rpId {shown} contains a path, query or user info; an RP ID is a bare domain"
    if ":" in rp_id or rp_id.startswith("["):
        return f"rpId {shown} contains a port or is an IPv6 literal"
    if not rp_id.isascii():
        return f"rpId {shown} is not ASCII; use the punycode (xn--) form"
    if rp_id != rp_id.lower():
        return f"rpId {shown} is not lower-case (browsers hash the lower-case form)"
    if rp_id.endswith("."):
        return f"rpId {shown} ends with a dot"
    if not _DOMAIN_RE.fullmatch(rp_id):
        return f"rpId {shown} is not a domain name (dot-separated letters, digits, hyphens)"
    if rp_id.rsplit(".", 1)[-1].isdigit():
        return f"rpId {shown} is an IP address; RP IDs are domain names"
    return None
