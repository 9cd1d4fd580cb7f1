"""TOTP codes (RFC 4226 HOTP, RFC 6238 TOTP, Steam Guard) and the TOTP proof of a conversion.

A layer of its own on :mod:`cxkit.cxf` (README "Architecture"): :func:`hotp` / :func:`totp` compute
codes from the raw secret, :func:`credential_codes` the codes of a CXF ``totp`` credential at
fixed instants, and :func:`prove` checks that every TOTP of one document gives the same codes in
another (the destination of a conversion read back) — so a seed changed by one bit, a lost
period or a wrong algorithm is caught. CXF ``totp`` is ``../shared/spec/cxf.md`` §3.17.
"""

from __future__ import annotations

from cxkit.totp.codes import (
    INSTANTS,
    SHORT_SECRET_BITS,
    STEAM_ALPHABET,
    credential_codes,
    hotp,
    short_secret_warnings,
    totp,
    totp_problem,
)
from cxkit.totp.proof import Proof, Unmatched, prove

__all__ = [
    "INSTANTS",
    "SHORT_SECRET_BITS",
    "STEAM_ALPHABET",
    "Proof",
    "Unmatched",
    "credential_codes",
    "hotp",
    "prove",
    "short_secret_warnings",
    "totp",
    "totp_problem",
]
