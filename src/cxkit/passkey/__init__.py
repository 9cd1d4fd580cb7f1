"""Passkey key handling and self-verification (CXF 1.0 §3.3.12; cxf.md §5.1-§5.2).

* :mod:`cxkit.passkey.keys` — the *hazmat* fence: PKCS#8 loading with the algorithm read from
  the ``AlgorithmIdentifier``, the COSE public key an RP stores, the display fingerprint, and the
  key conversions (DER ⇄ PEM ⇄ base64url, COSE private ⇄ PKCS#8).
* :mod:`cxkit.passkey.convert` — Bitwarden / KeePassXC passkey metadata ⇄ plain values.
* :mod:`cxkit.passkey.verify` — :func:`verify_passkey`: sign a WebAuthn assertion (WebAuthn L3
  §6.1 authenticator data) and verify it as a relying party with ``fido2`` (§7.2 verifying an
  assertion); every problem is a :class:`PasskeyFinding`. :class:`PasskeyVerifier` does the
  same for a batch of passkeys with one challenge
  (:meth:`PasskeyVerifier.verify_many` over :class:`PasskeyRequest` values, phase by phase).
* :mod:`cxkit.passkey.report` — :func:`check_document`: every passkey of a decoded CXF document
  (:class:`PasskeyReport`), for ``cxkit passkeys`` and the adapters.

Functions take plain values (bytes / str), not CXF model objects — except
:mod:`~cxkit.passkey.report`, the bridge from the CXF model. See ``docs/passkeys.md``.
"""

from __future__ import annotations

from .convert import (
    MAX_CREDENTIAL_ID_BYTES,
    MAX_SIGN_COUNT,
    bitwarden_counter_to_str,
    bitwarden_credential_id_to_bytes,
    bitwarden_discoverable_to_str,
    bytes_to_bitwarden_credential_id,
    credential_id_from_b64url,
    credential_id_to_b64url,
    keepassxc_flag_to_bool,
    keepassxc_flag_to_str,
    parse_bitwarden_counter,
    parse_bitwarden_discoverable,
)
from .keys import (
    MAX_RSA_BITS,
    MIN_RSA_BITS,
    Algorithm,
    PasskeyKey,
    b64url_to_der,
    cose_private_key_to_der,
    der_to_b64url,
    der_to_cose_private_key,
    der_to_pem,
    load_private_key,
    pem_to_der,
    public_key_fingerprint,
)
from .report import PasskeyReport, check_document, check_passkey, count_passkeys
from .verify import (
    FINDING_CODES,
    MAX_USER_HANDLE_BYTES,
    PasskeyCheck,
    PasskeyFinding,
    PasskeyRequest,
    PasskeyVerifier,
    Severity,
    rp_id_problem,
    verify_passkey,
)

__all__ = [
    "FINDING_CODES",
    "MAX_CREDENTIAL_ID_BYTES",
    "MAX_RSA_BITS",
    "MAX_SIGN_COUNT",
    "MAX_USER_HANDLE_BYTES",
    "MIN_RSA_BITS",
    "Algorithm",
    "PasskeyCheck",
    "PasskeyFinding",
    "PasskeyKey",
    "PasskeyReport",
    "PasskeyRequest",
    "PasskeyVerifier",
    "Severity",
    "b64url_to_der",
    "bitwarden_counter_to_str",
    "bitwarden_credential_id_to_bytes",
    "bitwarden_discoverable_to_str",
    "bytes_to_bitwarden_credential_id",
    "check_document",
    "check_passkey",
    "cose_private_key_to_der",
    "count_passkeys",
    "credential_id_from_b64url",
    "credential_id_to_b64url",
    "der_to_b64url",
    "der_to_cose_private_key",
    "der_to_pem",
    "keepassxc_flag_to_bool",
    "keepassxc_flag_to_str",
    "load_private_key",
    "parse_bitwarden_counter",
    "parse_bitwarden_discoverable",
    "pem_to_der",
    "public_key_fingerprint",
    "rp_id_problem",
    "verify_passkey",
]
