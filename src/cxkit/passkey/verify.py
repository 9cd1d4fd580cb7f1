"""Passkey self-verification: prove an imported passkey can still sign in.

:func:`verify_passkey` plays both sides of a WebAuthn authentication ceremony with the passkey's
members (CXF §3.3.12, cxf.md §5.1-§5.2):

1. **Authenticator** (our code, :mod:`cxkit.passkey.keys`): authenticatorData (WebAuthn L3
   §6.1) = SHA-256(rpId) ‖ flags (UP|UV, plus BE/BS when known) ‖ signCount 0 (4 bytes);
   clientDataJSON (§5.8.1) = ``{"type":"webauthn.get","challenge":<b64url of 32 fresh random
   bytes>,"origin":"https://<rpId>","crossOrigin":false}``; signature over authenticatorData ‖
   SHA-256(clientDataJSON) with the key's scheme (ECDSA with the curve's hash, Ed25519,
   RSASSA-PKCS1-v1_5/SHA-256).
2. **Relying party** (Yubico ``fido2``, an independent implementation): the steps of WebAuthn L3
   §7.2 "Verifying an Authentication Assertion" that apply — clientData parsed with
   ``fido2.webauthn.CollectedClientData`` (type, challenge, origin via ``fido2.rpid.
   verify_rp_id``), authenticatorData parsed with ``fido2.webauthn.AuthenticatorData`` (rpIdHash,
   UP, UV, BE/BS, signCount), the public key decoded from COSE bytes with ``fido2.cbor`` +
   ``fido2.cose.CoseKey.parse`` and the signature checked with ``CoseKey.verify``. This is the
   check ``Fido2Server.authenticate_complete`` performs; that method itself is not used because
   its JSON-object parsing costs ~1.5 ms per call (``typing.get_type_hints`` on every object).

The relying party compares the challenge with the one it issued and the rpIdHash with its own
SHA-256 of its RP ID (never with what the authenticator side computed), and verifies the
signature over authenticatorData ‖ SHA-256 of the clientDataJSON bytes fido2 parsed.

:class:`PasskeyVerifier` runs the same ceremony for a batch (a document's passkeys) with one
fresh challenge: every passkey still signs its own assertion and fido2 still parses each
assertion and verifies each signature under that passkey's COSE key.
:meth:`PasskeyVerifier.verify_many` takes up to 256 passkeys through each phase together (load
the keys; their COSE keys and the messages; sign; parse and check; verify), which keeps each
phase's code and data warm — the gain holds when every passkey has its own rpId (issue #20
item 4). The clientDataJSON of an rpId and the authenticatorData of an (rpId, flags) pair are
built once per batch, and fido2's readings of equal bytes (passkeys of one site) are kept by
value (bounded), so each distinct value is parsed once.

The RP verifies against the COSE public key derived from the private key — or, when given,
against the ``public_key`` the relying party stored, so a private key that does not belong to
the registered public key fails.

:func:`verify_passkey` never raises for bad passkey data: every problem is a
:class:`PasskeyFinding` with a stable dotted code (see :data:`FINDING_CODES`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha256
from hmac import compare_digest
from typing import Final, Literal, NamedTuple

from fido2 import cbor
from fido2.cose import CoseKey
from fido2.rpid import verify_rp_id
from fido2.webauthn import AuthenticatorData, CollectedClientData

from cxkit.cxf.b64 import encode as b64url_encode
from cxkit.cxf.rpid import rp_id_problem

from .convert import MAX_CREDENTIAL_ID_BYTES
from .keys import _COSE_ALG_OK, Algorithm, PasskeyKey, _inspect, _Rejection

__all__ = [
    "FINDING_CODES",
    "MAX_USER_HANDLE_BYTES",
    "PasskeyCheck",
    "PasskeyFinding",
    "PasskeyRequest",
    "PasskeyVerifier",
    "Severity",
    "rp_id_problem",
    "verify_passkey",
]

Severity = Literal["error", "warning", "info"]
MAX_USER_HANDLE_BYTES: Final = 64
"""WebAuthn L3 §5.4.3: ``user.id`` is 1-64 bytes."""

FINDING_CODES: Final[dict[str, tuple[Severity, str]]] = {
    "passkey.key-not-pkcs8": ("error", "key is not unencrypted PKCS#8 DER (or is malformed)"),
    "passkey.unsupported-algorithm": ("error", "key algorithm/curve/size cxkit does not handle"),
    "passkey.rsa-key-too-small": ("error", "RSA key below 2048 bits"),
    "passkey.credential-id-empty": ("error", "credential id missing or empty"),
    "passkey.credential-id-too-long": ("error", "credential id longer than 1023 bytes"),
    "passkey.user-handle-empty": ("warning", "user handle missing or empty"),
    "passkey.user-handle-too-long": ("error", "user handle longer than 64 bytes"),
    "passkey.rp-id-invalid": ("error", "rpId is not a valid RP ID (a lower-case domain name)"),
    "passkey.rp-id-mismatch": ("error", "assertion rejected: rpIdHash/origin not the RP's"),
    "passkey.backup-flags-inconsistent": ("warning", "backup state set but not backup eligible"),
    "passkey.public-key-invalid": ("error", "stored public key is not a usable COSE_Key"),
    "passkey.public-key-mismatch": ("error", "private key does not match the stored public key"),
    "passkey.signature-invalid": ("error", "assertion signature did not verify"),
    "passkey.assertion-invalid": ("error", "RP-side assertion checks failed (type/flags/...)"),
    "passkey.check-failed": ("error", "unexpected internal failure while checking"),
    "passkey.unreadable": ("error", "a member the check needs is missing or not base64url"),
}
"""Every finding code :func:`verify_passkey` can emit → (severity, meaning)."""

_UP: Final = 0x01
_UV: Final = 0x04
_BE: Final = 0x08
_BS: Final = 0x10
_COUNTER_ZERO: Final = b"\x00\x00\x00\x00"
_GET: Final = "webauthn.get"


@dataclass(frozen=True)
class PasskeyFinding:
    """One problem found in a passkey (``code`` is stable, ``message`` is for people and never
    contains key material)."""

    severity: Severity
    code: str
    message: str


@dataclass(frozen=True)
class PasskeyCheck:
    """The result of :func:`verify_passkey`. ``ok`` is False iff an error-level finding exists."""

    ok: bool
    algorithm: Algorithm | None
    findings: tuple[PasskeyFinding, ...]
    public_key_fingerprint: str | None
    """:func:`~cxkit.passkey.keys.public_key_fingerprint` of the key derived from ``key``."""
    cose_public_key: bytes | None
    """The COSE_Key (canonical CBOR) derived from ``key``, as an RP stores it."""

    @property
    def codes(self) -> tuple[str, ...]:
        """The finding codes, in order."""
        return tuple(f.code for f in self.findings)


def _finding(code: str, message: str) -> PasskeyFinding:
    return PasskeyFinding(FINDING_CODES[code][0], code, message)


# ---------------------------------------------------------------------------------------------
# RP ID

# The rule itself lives in the CXF layer (cxkit.cxf.rpid.rp_id_problem, re-exported here) so
# that the validator and the verifier agree.


# Characters a JSON string holds as they are (json.dumps escapes ", \\, controls, non-ASCII).
_JSON_PLAIN: Final = re.compile(r"[ !#-\[\]-~]*")


def _rp_context(rp_id: str) -> tuple[bytes, str, str]:
    """The authenticator's (SHA-256 of the RP ID, origin ``https://<rpId>``, the origin as a
    JSON string)."""
    digest = sha256(rp_id.encode("utf-8", "surrogatepass")).digest()
    origin = "https://" + rp_id
    quoted = '"' + origin + '"' if _JSON_PLAIN.fullmatch(origin) else json.dumps(origin)
    return digest, origin, quoted


# ---------------------------------------------------------------------------------------------
# Stored public keys

_RS256_ALGS: Final = frozenset({-257})
_ALLOWED_STORED_ALGS: Final = {**_COSE_ALG_OK, Algorithm.RS256: _RS256_ALGS}
_MATERIAL_LABELS: Final = (1, -1, -2, -3)
_FIDO2_COSE: Final = {alg: CoseKey.for_alg(int(alg)) for alg in Algorithm}


def _parse_cose(data: object) -> tuple[CoseKey, dict[int, object]] | str:
    """Decode COSE public key bytes as an RP would (``fido2``); a problem string on failure."""
    if not isinstance(data, bytes | bytearray | memoryview) or not data:
        return "stored public key must be non-empty COSE_Key bytes"
    try:
        decoded = cbor.decode(bytes(data))
    except Exception:  # fido2's decoder raises assorted builtins on garbage
        return "stored public key is not valid CBOR"
    if not isinstance(decoded, dict) or not all(isinstance(k, int) for k in decoded):
        return "stored public key is not a COSE_Key map"
    alg = decoded.get(3)
    if not any(alg in algs for algs in _ALLOWED_STORED_ALGS.values()) or isinstance(alg, bool):
        return f"stored public key has unsupported COSE alg {alg!r}"
    try:
        return CoseKey.parse(decoded), decoded
    except Exception:
        return "stored public key is not a COSE_Key"


def _normal(value: object) -> object:
    return value.lstrip(b"\x00") if isinstance(value, bytes) else value


def _same_key(
    algorithm: Algorithm, ours: Mapping[int, object], stored: Mapping[int, object]
) -> bool:
    if stored.get(3) not in _ALLOWED_STORED_ALGS[algorithm]:
        return False
    return all(_normal(ours.get(k)) == _normal(stored.get(k)) for k in _MATERIAL_LABELS)


# ---------------------------------------------------------------------------------------------
# The ceremony


def _read_auth_data(auth_data: bytes) -> tuple[bytes, int, int]:
    """fido2's reading of authenticatorData: (rpIdHash, flags, signCount)."""
    ad = AuthenticatorData(auth_data)
    return ad.rp_id_hash, int(ad.flags), ad.counter


def _read_client_data(client_data: bytes) -> tuple[object, bytes, object, bytes]:
    """fido2's reading of clientDataJSON: (type, challenge, origin, SHA-256 of the bytes)."""
    cd = CollectedClientData(client_data)
    return cd.type, cd.challenge, cd.origin, sha256(cd).digest()


def verify_passkey(
    *,
    key: bytes | PasskeyKey,
    credential_id: bytes,
    rp_id: str,
    user_handle: bytes | None,
    backup_eligible: bool | None = None,
    backup_state: bool | None = None,
    public_key: bytes | None = None,
    expected_rp_id: str | None = None,
) -> PasskeyCheck:
    """Check that a passkey can authenticate: sign a fresh WebAuthn assertion with *key* and
    verify it as a relying party with ``fido2`` (see the module docstring), plus the member
    checks of CXF §3.3.12 / WebAuthn (credential id 1-1023 bytes, user handle 1-64 bytes, rpId a
    valid RP ID). One passkey, its own challenge; for many,
    :meth:`PasskeyVerifier.verify_many` is faster.

    :param key: the CXF ``key`` — PKCS#8 DER bytes (or an already loaded :class:`PasskeyKey`).
    :param credential_id: raw credential id bytes.
    :param rp_id: the passkey's RP ID; the assertion's rpIdHash is SHA-256 of it.
    :param user_handle: raw ``user.id`` bytes (``None``/empty: warning).
    :param backup_eligible: BE flag when known (KeePassXC stores it); sets BE in the assertion.
    :param backup_state: BS flag when known; BS without BE is reported and not set.
    :param public_key: the COSE_Key the relying party stored at registration, when known: the
        RP verifies against it instead of the derived key.
    :param expected_rp_id: the RP ID of the relying party doing the verification (defaults to
        *rp_id*); a different value simulates using the passkey at another site and must fail
        with ``passkey.rp-id-mismatch``.
    :return: a :class:`PasskeyCheck`; never raises for bad passkey data.
    """
    return PasskeyVerifier().verify(
        key=key,
        credential_id=credential_id,
        rp_id=rp_id,
        user_handle=user_handle,
        backup_eligible=backup_eligible,
        backup_state=backup_state,
        public_key=public_key,
        expected_rp_id=expected_rp_id,
    )


_MAX_BATCH_MESSAGES: Final = 1024
_CHUNK: Final = 256
"""Passkeys taken through each phase together by :meth:`PasskeyVerifier.verify_many`."""


class PasskeyRequest(NamedTuple):
    """The arguments of one :func:`verify_passkey` call, for
    :meth:`PasskeyVerifier.verify_many` (same meaning and defaults)."""

    key: bytes | PasskeyKey
    credential_id: bytes
    rp_id: str
    user_handle: bytes | None
    backup_eligible: bool | None = None
    backup_state: bool | None = None
    public_key: bytes | None = None
    expected_rp_id: str | None = None


class _Job:
    """One passkey on its way through the phases of :meth:`PasskeyVerifier.verify_many`."""

    __slots__ = (
        "algorithm",
        "assertion",
        "cose",
        "expected",
        "findings",
        "fingerprint",
        "flags",
        "key",
        "live",
        "mismatch",
        "rp_id",
        "rp_key",
        "signed",
    )

    def __init__(self) -> None:
        self.findings: list[PasskeyFinding] = []
        self.algorithm: Algorithm | None = None
        self.cose: bytes | None = None
        self.fingerprint: str | None = None
        self.live = True  # False once the ceremony cannot go on
        self.key: PasskeyKey | None = None
        self.rp_id = ""
        self.expected: str | None = None
        self.flags = _UP | _UV
        self.rp_key: CoseKey | None = None
        self.mismatch = False
        self.assertion: tuple[bytes, bytes, bytes, bytes] | None = None
        self.signed = b""  # what the relying party verifies the signature over

    def crashed(self, exc: BaseException) -> None:
        """A bug must not sink an import: report it on this passkey, stop its ceremony."""
        self.findings.append(
            _finding("passkey.check-failed", f"internal error while checking: {type(exc).__name__}")
        )
        self.live = False


class PasskeyVerifier:
    """Verifies a batch of passkeys (a document's) as :func:`verify_passkey` does, with one
    fresh 32-byte challenge for the whole batch (issue #20).

    Every passkey still signs its own assertion and ``fido2`` still parses each assertion's
    authenticatorData and clientDataJSON and verifies each signature under that passkey's COSE
    key. :meth:`verify_many` takes the passkeys through the ceremony a phase at a time (load
    the keys, then sign every assertion, then parse, then check and verify), which keeps each
    phase's code and data warm instead of alternating all of them per passkey — the gain holds
    when every passkey has its own rpId. What the batch shares is what does not depend on the
    key: the clientDataJSON of an rpId (WebAuthn L3 §5.8.1: type, challenge, origin) and the
    authenticatorData of an (rpId, flags) pair (§6.1) are built once, and fido2 parses equal
    bytes once (its readings are kept by value, bounded). Create one verifier per batch; it is
    not thread-safe.
    """

    __slots__ = (
        "_auth_seen",
        "_challenge",
        "_challenge_text",
        "_client_seen",
        "_messages",
        "_rp_seen",
    )

    def __init__(self) -> None:
        self._challenge = os.urandom(32)
        self._challenge_text = b64url_encode(self._challenge)
        self._messages: dict[tuple[str, int], tuple[bytes, bytes, bytes]] = {}
        # the relying party's readings by value (fido2's parse of equal bytes, its own hash of
        # an RP ID), kept across calls like the messages and bounded the same way
        self._auth_seen: dict[bytes, tuple[bytes, int, int]] = {}
        self._client_seen: dict[bytes, tuple[object, bytes, object, bytes]] = {}
        self._rp_seen: dict[str, tuple[bytes, str]] = {}

    def _message(self, rp_id: str, flags: int) -> tuple[bytes, bytes, bytes]:
        """(clientDataJSON, authenticatorData, the signed message authenticatorData ‖
        SHA-256(clientDataJSON)) for *rp_id* and *flags*, built once per batch."""
        cached = self._messages.get((rp_id, flags))
        if cached is None:
            rp_hash, _, origin_json = _rp_context(rp_id)
            client_data = (
                '{"type":"webauthn.get","challenge":"'
                + self._challenge_text
                + '","origin":'
                + origin_json
                + ',"crossOrigin":false}'
            ).encode()
            auth_data = rp_hash + bytes((flags,)) + _COUNTER_ZERO
            cached = (client_data, auth_data, auth_data + sha256(client_data).digest())
            if len(self._messages) >= _MAX_BATCH_MESSAGES:  # bounded: many distinct rpIds
                self._messages.clear()
            self._messages[(rp_id, flags)] = cached
        return cached

    def verify(
        self,
        *,
        key: bytes | PasskeyKey,
        credential_id: bytes,
        rp_id: str,
        user_handle: bytes | None,
        backup_eligible: bool | None = None,
        backup_state: bool | None = None,
        public_key: bytes | None = None,
        expected_rp_id: str | None = None,
    ) -> PasskeyCheck:
        """:func:`verify_passkey` (same parameters and result) within this batch."""
        request = PasskeyRequest(
            key,
            credential_id,
            rp_id,
            user_handle,
            backup_eligible,
            backup_state,
            public_key,
            expected_rp_id,
        )
        return self._run((request,))[0]

    def verify_many(self, requests: Iterable[PasskeyRequest]) -> list[PasskeyCheck]:
        """:func:`verify_passkey` for each request, in order, within this batch: the same
        results as :meth:`verify` one by one, faster for many passkeys (see the class
        docstring). Never raises for bad passkey data."""
        items = list(requests)
        out: list[PasskeyCheck] = []
        for start in range(0, len(items), _CHUNK):
            out += self._run(items[start : start + _CHUNK])
        return out

    def _run(self, requests: Sequence[PasskeyRequest]) -> list[PasskeyCheck]:
        """The ceremony for each request, a phase at a time over all of them."""
        jobs = [_prepare(request) for request in requests]
        # The keys: PKCS#8 checked and loaded by cryptography.
        for job, request in zip(jobs, requests, strict=True):
            if job.live:
                try:
                    key = request.key
                    loaded = key if isinstance(key, PasskeyKey) else _inspect(key)
                    if isinstance(loaded, _Rejection):
                        job.findings.append(_finding(loaded.code, loaded.message))
                        job.live = False
                    else:
                        job.key = loaded
                except Exception as exc:
                    job.crashed(exc)
        # Their public parts, the relying party's COSE key, and the messages to sign.
        for job, request in zip(jobs, requests, strict=True):
            ready = job.key
            if job.live and ready is not None:
                try:
                    job.algorithm = ready.algorithm
                    job.cose = ready.cose_public_key
                    job.fingerprint = ready.fingerprint
                    _relying_party_key(job, ready, request.public_key)
                    self._message(job.rp_id, job.flags)
                except Exception as exc:
                    job.crashed(exc)
        # Authenticator side: every passkey signs its own assertion.
        for job in jobs:
            if job.live and job.key is not None:
                try:
                    job.assertion = _make_assertion(job.key, job.rp_id, job.flags, self)
                except Exception as exc:
                    job.crashed(exc)
        # Relying-party side (WebAuthn L3 §7.2, fido2): parse what the authenticator returned
        # (equal bytes once: passkeys of one site) and check it, then verify the signatures.
        auth_seen, client_seen, rp_seen = self._auth_seen, self._client_seen, self._rp_seen
        if len(client_seen) + len(auth_seen) + len(rp_seen) >= _MAX_BATCH_MESSAGES:
            auth_seen.clear()  # bounded: many distinct rpIds
            client_seen.clear()
            rp_seen.clear()
        challenge = self._challenge
        for job in jobs:
            assertion = job.assertion
            if job.live and assertion is not None:
                try:
                    auth_data, client_data = assertion[2], assertion[1]
                    parsed_ad = auth_seen.get(auth_data)
                    if parsed_ad is None:
                        parsed_ad = auth_seen[auth_data] = _read_auth_data(auth_data)
                    parsed_cd = client_seen.get(client_data)
                    if parsed_cd is None:
                        parsed_cd = client_seen[client_data] = _read_client_data(client_data)
                    expected = job.expected
                    own = None
                    if expected is not None:
                        own = rp_seen.get(expected)
                        if own is None:
                            own = rp_seen[expected] = _relying_party_rp(expected)
                    _relying_party_checks(job, challenge, parsed_ad, parsed_cd, own)
                    job.signed = auth_data + parsed_cd[3]
                except Exception as exc:
                    job.crashed(exc)
        for job in jobs:
            if job.live and job.assertion is not None:
                try:
                    _relying_party_signature(job)
                except Exception as exc:
                    job.crashed(exc)
        results = []
        for job in jobs:
            findings = job.findings
            ok = not findings or not any(f.severity == "error" for f in findings)
            results.append(
                PasskeyCheck(ok, job.algorithm, tuple(findings), job.fingerprint, job.cose)
            )
        return results


def _prepare(request: PasskeyRequest) -> _Job:
    """The member checks and the flags of one passkey."""
    job = _Job()
    findings = job.findings
    _, credential_id, rp_id, user_handle, backup_eligible, backup_state, _, expected_rp_id = request
    try:
        if not (  # the common case in two type checks; the details only when it fails
            type(credential_id) is bytes
            and 0 < len(credential_id) <= MAX_CREDENTIAL_ID_BYTES
            and type(user_handle) is bytes
            and 0 < len(user_handle) <= MAX_USER_HANDLE_BYTES
        ):
            _check_members(findings, credential_id, user_handle)
        rp_ok = _check_rp_id(findings, rp_id)
        if expected_rp_id is None:
            job.expected = rp_id if rp_ok else None
        else:
            job.expected = expected_rp_id if _check_rp_id(findings, expected_rp_id) else None
        job.rp_id = rp_id if isinstance(rp_id, str) else ""
        if backup_eligible:
            job.flags |= _BE
        if backup_state:
            if backup_eligible is False:
                findings.append(
                    _finding(
                        "passkey.backup-flags-inconsistent",
                        "backup state (BS) is set but backup eligible (BE) is not; WebAuthn "
                        "§6.1.3 forbids it, BS left unset",
                    )
                )
            else:
                job.flags |= _BS
    except Exception as exc:
        job.crashed(exc)
    return job


def _check_members(
    findings: list[PasskeyFinding], credential_id: object, user_handle: object
) -> None:
    if not isinstance(credential_id, bytes | bytearray | memoryview) or not len(credential_id):
        findings.append(
            _finding("passkey.credential-id-empty", "credential id is missing or empty")
        )
    elif len(credential_id) > MAX_CREDENTIAL_ID_BYTES:
        findings.append(
            _finding(
                "passkey.credential-id-too-long",
                f"credential id is {len(credential_id)} bytes; WebAuthn allows at most "
                f"{MAX_CREDENTIAL_ID_BYTES}",
            )
        )
    if not isinstance(user_handle, bytes | bytearray | memoryview) or not len(user_handle):
        findings.append(
            _finding(
                "passkey.user-handle-empty",
                "user handle is missing or empty; discoverable sign-in will not identify the user",
            )
        )
    elif len(user_handle) > MAX_USER_HANDLE_BYTES:
        findings.append(
            _finding(
                "passkey.user-handle-too-long",
                f"user handle is {len(user_handle)} bytes; WebAuthn allows 1 to "
                f"{MAX_USER_HANDLE_BYTES}",
            )
        )


def _check_rp_id(findings: list[PasskeyFinding], rp_id: object) -> bool:
    problem = rp_id_problem(rp_id)
    if problem is not None:
        findings.append(_finding("passkey.rp-id-invalid", problem))
        return False
    return True


def _make_assertion(
    key: PasskeyKey, rp_id: str, flags: int, batch: PasskeyVerifier | None = None
) -> tuple[bytes, bytes, bytes, bytes]:
    """Authenticator side: (challenge, clientDataJSON, authenticatorData, signature); the
    challenge is *batch*'s (a fresh one without a batch)."""
    if batch is None:
        batch = PasskeyVerifier()
    client_data, auth_data, message = batch._message(rp_id, flags)
    return batch._challenge, client_data, auth_data, key.sign(message)


def _relying_party_key(job: _Job, key: PasskeyKey, public_key: object) -> None:
    """The COSE key the relying party verifies with: fido2's COSE class over the derived COSE
    map (whose CBOR bytes the tests prove identical to fido2's own encoding), or the stored
    *public_key* as fido2 decodes it — which must be *key*'s. Ends the job when there is
    nothing to verify with."""
    if public_key is None:
        job.rp_key = _FIDO2_COSE[key.algorithm](key.cose_params)
        return
    parsed = _parse_cose(public_key)
    if isinstance(parsed, str):
        job.findings.append(_finding("passkey.public-key-invalid", parsed))
        job.live = False
        return
    job.rp_key, stored = parsed
    if not _same_key(key.algorithm, key.cose_params, stored):
        job.mismatch = True
        job.findings.append(
            _finding(
                "passkey.public-key-mismatch",
                f"the {key.algorithm.label} private key does not belong to the stored "
                "public key: the relying party would reject every sign-in",
            )
        )


def _relying_party_rp(rp_id: str) -> tuple[bytes, str]:
    """The relying party's own (SHA-256 of its RP ID, origin ``https://<rpId>``) — computed
    here, never taken from the authenticator side."""
    return sha256(rp_id.encode("utf-8", "surrogatepass")).digest(), "https://" + rp_id


def _relying_party_checks(
    job: _Job,
    challenge: bytes,
    parsed_ad: tuple[bytes, int, int],
    parsed_cd: tuple[object, bytes, object, bytes],
    own: tuple[bytes, str] | None,
) -> None:
    """WebAuthn L3 §7.2 on fido2's readings of the assertion: type, challenge (the batch's,
    which the relying party issued), origin and rpIdHash against the relying party's *own*
    values (:func:`_relying_party_rp` of ``job.expected``), flags, counter."""
    findings, flags, expected_rp_id = job.findings, job.flags, job.expected
    rp_id_hash, got, counter = parsed_ad
    cd_type, cd_challenge, origin, _ = parsed_cd
    if cd_type != _GET or not compare_digest(cd_challenge, challenge):
        findings.append(_finding("passkey.assertion-invalid", "clientData type or challenge"))
    if expected_rp_id is not None and own is not None:
        rp_hash, expected_origin = own
        origin_ok = origin == expected_origin or (
            isinstance(origin, str) and verify_rp_id(expected_rp_id, origin)
        )
        if not origin_ok or not compare_digest(rp_id_hash, rp_hash):
            findings.append(
                _finding(
                    "passkey.rp-id-mismatch",
                    f"the relying party {expected_rp_id!r} rejects the assertion: its rpIdHash "
                    "is SHA-256 of another RP ID (the passkey is bound to a different rpId)",
                )
            )
    if got != flags or got & (_UP | _UV) != _UP | _UV or counter:
        findings.append(_finding("passkey.assertion-invalid", "authenticatorData flags/counter"))


def _relying_party_signature(job: _Job) -> None:
    """§7.2 step 21: the signature over authenticatorData ‖ SHA-256(clientDataJSON) (the hash
    of the bytes fido2 parsed), by fido2's COSE key class, which builds the public key from the
    COSE x/y or n/e itself."""
    assertion, key, rp_key = job.assertion, job.key, job.rp_key
    if assertion is None or key is None or rp_key is None:  # pragma: no cover
        raise AssertionError("signature check without an assertion")
    try:
        rp_key.verify(job.signed, assertion[3])
        verified = True
    except Exception:  # InvalidSignature; fido2 raises ValueError for curve mismatches and such
        verified = False
    if not verified and not job.mismatch:
        job.findings.append(
            _finding(
                "passkey.signature-invalid",
                f"an assertion signed with the {key.algorithm.label} key did not verify under "
                "its public key",
            )
        )
