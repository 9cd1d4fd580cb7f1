"""Check every passkey of a CXF document: :func:`check_document` → :class:`PasskeyReport` list.

The bridge between the CXF model (:mod:`cxkit.cxf`) and :func:`~cxkit.passkey.verify_passkey`,
used by ``cxkit passkeys`` and by adapters. The passkey layer imports :mod:`cxkit.cxf`, never
the other way round.

How CXF members become :func:`verify_passkey` arguments (:func:`check_passkey`):

* ``credentialId``, ``key`` — base64url text → bytes (strict; the decoder has already
  canonicalised tolerated spellings). A member that is not base64url gives one
  ``passkey.unreadable`` error and no assertion is attempted.
* ``userHandle`` — ``""`` (some producers write it when the handle is unknown) is passed as
  ``None``: ``verify_passkey`` reports the *warning* ``passkey.user-handle-empty`` and the
  passkey still counts as verified (it can still sign in where the RP names the credential).
* backup flags — CXF 1.0 has no BE/BS members, so :func:`check_document` passes ``None`` for
  both: the assertion carries UP|UV only and nothing is claimed about backup state. Adapters
  whose source format stores them (KeePassXC) pass them to :func:`check_passkey`.
* ``rpId`` — passed as is; the RP ID rule is :func:`cxkit.cxf.rpid.rp_id_problem`.

A ``passkey`` credential that the decoder had to ignore (kept as
:class:`~cxkit.cxf.UnknownCredential` because a required member is missing or unusable) is
reported as failed with ``passkey.unreadable`` and the decoder's reason, never skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.cxf.codec import Document

from .keys import Algorithm
from .verify import FINDING_CODES, PasskeyCheck, PasskeyFinding, PasskeyRequest, PasskeyVerifier

__all__ = ["PasskeyReport", "check_document", "check_passkey", "count_passkeys"]

_UNREADABLE: Final = "passkey.unreadable"
_PASSKEY_TYPE: Final = "passkey"
_CHUNK: Final = 256
"""Passkeys verified together (:meth:`PasskeyVerifier.verify_many`) between progress calls."""


@dataclass(frozen=True)
class PasskeyReport:
    """One passkey of a document and the result of checking it.

    ``account``, ``item`` and ``credential`` are the model objects (the credential holds the
    private key: they are left out of ``repr``); the other fields are safe to show.
    """

    account_index: int
    item_index: int
    credential_index: int
    """Index of the credential in ``item.credentials`` (= in the JSON array)."""
    path: str
    """JSON path of the credential, e.g. ``$.accounts[0].items[3].credentials[1]``."""
    account_name: str
    """``Account.username`` (or the e-mail when the username is empty)."""
    item_title: str
    rp_id: str | None
    username: str | None
    check: PasskeyCheck
    decoded: bool
    """False when the CXF decoder could not read the credential (an UnknownCredential)."""
    account: m.Account = field(repr=False, compare=False)
    item: m.Item = field(repr=False, compare=False)
    credential: m.Passkey | m.UnknownCredential = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the passkey verified (warnings allowed)."""
        return self.check.ok

    @property
    def algorithm(self) -> Algorithm | None:
        return self.check.algorithm

    @property
    def codes(self) -> tuple[str, ...]:
        return self.check.codes


def _unreadable(*messages: str) -> PasskeyCheck:
    findings = tuple(
        PasskeyFinding(FINDING_CODES[_UNREADABLE][0], _UNREADABLE, msg) for msg in messages
    )
    return PasskeyCheck(False, None, findings, None, None)


def check_passkey(
    passkey: m.Passkey,
    *,
    backup_eligible: bool | None = None,
    backup_state: bool | None = None,
    public_key: bytes | None = None,
    expected_rp_id: str | None = None,
    verifier: PasskeyVerifier | None = None,
) -> PasskeyCheck:
    """:func:`~cxkit.passkey.verify_passkey` on a CXF :class:`~cxkit.cxf.Passkey` (see the
    module docstring for how members are mapped), within *verifier*'s batch when given. Never
    raises for bad passkey data."""
    request = _request(passkey, backup_eligible, backup_state, public_key, expected_rp_id)
    if isinstance(request, PasskeyCheck):
        return request
    return (verifier or PasskeyVerifier()).verify_many((request,))[0]


def _request(
    passkey: m.Passkey,
    backup_eligible: bool | None = None,
    backup_state: bool | None = None,
    public_key: bytes | None = None,
    expected_rp_id: str | None = None,
) -> PasskeyRequest | PasskeyCheck:
    """The :class:`PasskeyRequest` of a CXF passkey, or the failed check when a member is
    unreadable."""
    problems: list[str] = []
    raw: dict[str, bytes] = {}
    members: tuple[tuple[str, str, object], ...] = (
        ("credential_id", "credentialId", passkey.credential_id),
        ("user_handle", "userHandle", passkey.user_handle),
        ("key", "key", passkey.key),
    )
    for name, wire, text in members:
        if not isinstance(text, str):  # structs built by hand are not type-checked
            problems.append(f"{wire} is not base64url text")
            continue
        try:
            raw[name] = b64.decode(text)
        except b64.Base64Error as exc:
            problems.append(f"{wire}: {exc}")
    if problems:
        return _unreadable(*problems)
    return PasskeyRequest(
        raw["key"],
        raw["credential_id"],
        passkey.rp_id,
        raw["user_handle"] or None,
        backup_eligible,
        backup_state,
        public_key,
        expected_rp_id,
    )


_Candidate = tuple[int, m.Account, int, m.Item, int, m.Passkey | m.UnknownCredential, str]


def _candidates(doc: Document) -> Iterator[_Candidate]:
    """Every passkey credential, decoded or ignored by the decoder, in document order."""
    for a_index, account in enumerate(doc.header.accounts):
        prefix = "$" if doc.account_root else f"$.accounts[{a_index}]"
        for i_index, item in enumerate(account.items):
            for c_index, credential in enumerate(item.credentials):
                if isinstance(credential, m.Passkey) or (
                    isinstance(credential, m.UnknownCredential)
                    and credential.credential_type == _PASSKEY_TYPE
                ):
                    path = f"{prefix}.items[{i_index}].credentials[{c_index}]"
                    yield a_index, account, i_index, item, c_index, credential, path


def count_passkeys(doc: Document) -> int:
    """How many passkeys :func:`check_document` will report (cheap: no key is loaded)."""
    return sum(1 for _ in _candidates(doc))


def _member_text(members: object, name: str) -> str | None:
    if isinstance(members, Mapping):
        value = members.get(name)
        if isinstance(value, str):
            return value
    return None


def check_document(
    doc: Document, *, progress: Callable[[int, int], None] | None = None
) -> list[PasskeyReport]:
    """Check every passkey of *doc* (see :func:`check_passkey`), in document order.

    :param progress: called as ``progress(done, total)`` for each passkey, after its batch of
        up to 256 has been verified (the passkeys go through
        :meth:`~cxkit.passkey.PasskeyVerifier.verify_many` together).
    :return: one :class:`PasskeyReport` per ``passkey`` credential, including those the decoder
        had to ignore (failed, ``passkey.unreadable``, with the decoder's reason).
    """
    candidates = list(_candidates(doc))
    reasons = {
        f.path: f.message
        for f in doc.findings
        if f.code == "credential.invalid" and f.path.endswith("]")
    }
    reports: list[PasskeyReport] = []
    total = len(candidates)
    verifier = PasskeyVerifier()  # one challenge for the document (a batch, issue #20)
    for start in range(0, total, _CHUNK):
        chunk = candidates[start : start + _CHUNK]
        # the readable passkeys of the chunk go through the verifier together (phase by phase)
        checks: list[PasskeyCheck | None] = []
        requests: list[PasskeyRequest] = []
        for candidate in chunk:
            credential = candidate[5]
            if isinstance(credential, m.Passkey):
                request = _request(credential)
                if isinstance(request, PasskeyRequest):
                    requests.append(request)
                    checks.append(None)
                else:
                    checks.append(request)
            else:
                reason = reasons.get(candidate[6], "passkey credential ignored by the CXF decoder")
                checks.append(_unreadable(f"{reason}; the passkey cannot be imported or used"))
        verified = iter(verifier.verify_many(requests))
        for done, (candidate, check) in enumerate(zip(chunk, checks, strict=True), start + 1):
            a_index, account, i_index, item, c_index, credential, path = candidate
            if check is None:
                check = next(verified)
            rp_id: str | None
            username: str | None
            if isinstance(credential, m.Passkey):
                rp_id, username = credential.rp_id, credential.username
            else:
                rp_id = _member_text(credential.members, "rpId")
                username = _member_text(credential.members, "username")
            reports.append(
                PasskeyReport(
                    account_index=a_index,
                    item_index=i_index,
                    credential_index=c_index,
                    path=path,
                    account_name=account.username or account.email,
                    item_title=item.title,
                    rp_id=rp_id,
                    username=username,
                    check=check,
                    decoded=isinstance(credential, m.Passkey),
                    account=account,
                    item=item,
                    credential=credential,
                )
            )
            if progress is not None:
                progress(done, total)
    return reports
