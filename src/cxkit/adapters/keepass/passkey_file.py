"""KeePassXC ``.passkey`` files: one passkey, unencrypted JSON (``formats/keepass.md`` §3).

Members: ``relyingParty``, ``url``, ``username``, ``credentialId`` (base64url), ``userHandle``
(base64url), ``privateKey`` (PKCS#8 PEM). Reading makes one CXF item with one passkey; writing
needs a document holding exactly one passkey (a ``.passkey`` file cannot hold more) and reports
every other credential as not carried.
"""

from __future__ import annotations

import json
import posixpath
from typing import Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
    converted_document,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import ItemBuilder, Val
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecodeError

__all__ = ["KeePassXCPasskeyAdapter"]

_REQUIRED: Final = frozenset({"relyingParty", "credentialId", "privateKey"})
_MEMBERS: Final = {
    "relyingParty": "passkey.rpId",
    "url": "scope.urls",
    "username": "passkey.username",
    "credentialId": "passkey.credentialId",
    "userHandle": "passkey.userHandle",
    "privateKey": "passkey.key",
}


def _title(name: str, rp_id: str) -> str:
    base = posixpath.basename(name.replace("\\", "/"))
    if base.lower().endswith(".passkey") and len(base) > len(".passkey"):
        return base[: -len(".passkey")]
    return rp_id


def _b64url(text: object, member: str) -> bytes:
    if not isinstance(text, str):
        raise AdapterError(f"'{member}' is not a string", location=f"$.{member}")
    try:
        return b64.decode(text.strip().rstrip("="))
    except b64.Base64Error:
        raise AdapterError(f"'{member}' is not base64url", location=f"$.{member}") from None


_ONE_PASSKEY: Final = "a .passkey file holds one passkey and nothing else"
_N = ledger.NOT_CARRIED
WRITTEN: Final = ledger.Declaration(
    "a KeePassXC .passkey file",
    {
        "": ledger.Table(
            {"scope.urls[0]": ledger.CARRIED},
            default=(_N, _ONE_PASSKEY),
            unknown=(_N, _ONE_PASSKEY),
        ),
        "other": ledger.Table(default=(_N, _ONE_PASSKEY), unknown=(_N, _ONE_PASSKEY)),
    },
    {
        "passkey": ledger.Table(
            dict.fromkeys(
                ("credentialId", "rpId", "username", "userHandle", "key"), ledger.CARRIED
            ),
            default=(_N, "a .passkey file holds no display name and no passkey extensions"),
            unknown=(_N, _ONE_PASSKEY),
        )
    },
    header=ledger.Table(default=(_N, _ONE_PASSKEY), unknown=(_N, _ONE_PASSKEY)),
    accounts=ledger.Table(default=(_N, _ONE_PASSKEY), unknown=(_N, _ONE_PASSKEY)),
    collections=ledger.Table(default=(_N, _ONE_PASSKEY), unknown=(_N, _ONE_PASSKEY)),
)
"""What the ``.passkey`` writer carries (:mod:`cxkit.adapters.kit.ledger`)."""


class KeePassXCPasskeyAdapter:
    info: Final = AdapterInfo(
        key="keepassxc-passkey",
        app="KeePassXC",
        format=".passkey file (one passkey, unencrypted JSON with a PKCS#8 PEM key)",
        versions="2.7.7+",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"passkey"}),
        how_to_import=("KeePassXC: Database → Passkeys → Import, one .passkey file at a time."),
        how_to_export=(
            "KeePassXC: Database → Passkeys → Export (or select a passkey entry and use "
            "'Export passkey' from the Entries menu); KeePassXC warns that the file is "
            "unencrypted. cxkit writes one passkey per file (--to keepassxc-passkey)."
        ),
        extensions=(".passkey",),
        json_keys=_REQUIRED,
    )

    def accepts(self, sample: Sample) -> Confidence:
        keys = sample.json_keys
        if keys >= _REQUIRED:
            return Confidence.CERTAIN
        if sample.name.lower().endswith(".passkey") and sample.json_ok:
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        """One item with one passkey, built on the kit's item builder (every member recorded at
        ``$.member``); members cxkit does not know → hidden custom fields ``KeePassXC``."""
        from cxkit.passkey import load_private_key, pem_to_der

        obj = sample.parsed_json()
        if not isinstance(obj, dict):
            raise DecodeError("a .passkey file is a JSON object", location=sample.name or None)
        missing = sorted(k for k in _REQUIRED if not obj.get(k))
        if missing:
            raise DecodeError(
                "not a KeePassXC .passkey file: no " + ", ".join(missing),
                location=sample.name or None,
            )
        rp_id = obj["relyingParty"]
        if not isinstance(rp_id, str):
            raise DecodeError("'relyingParty' is not a string", location=f"{sample.name}: $.relyingParty")  # fmt: skip
        try:
            cred_id = _b64url(obj["credentialId"], "credentialId")
            handle = _b64url(obj.get("userHandle") or "", "userHandle")
            pem = obj["privateKey"]
            if not isinstance(pem, str):
                raise AdapterError("'privateKey' is not a string", location="$.privateKey")
            der = pem_to_der(pem)
            load_private_key(der)  # the algorithm must be one a passkey can have
        except CxkitError as exc:
            where = f"{sample.name}: {exc.location}" if exc.location else sample.name
            raise AdapterError(exc.message, location=where or None, hint=exc.hint) from None
        username = obj.get("username")
        username = username if isinstance(username, str) else ""
        b = ItemBuilder(report, "$.", title=_title(sample.name, rp_id),
                        item_id=b64.encode(cred_id[:64]) if cred_id else "AA")  # fmt: skip
        b.add(m.Passkey(credential_id=b64.encode(cred_id), rp_id=rp_id, username=username,
                        user_display_name=username, user_handle=b64.encode(handle),
                        key=b64.encode(der)))  # fmt: skip
        b.define_group("other", label="KeePassXC", outcome=Outcome.TRANSFORMED,
                       note="unknown members as custom fields")  # fmt: skip
        for k, v in obj.items():
            if v is None:
                continue
            if k in _MEMBERS and (isinstance(v, str) or k not in ("username", "url")):
                if k == "url" and v:
                    b.urls([Val(v, k)])
                elif v != "" or k in _REQUIRED:
                    b.rec(k, Disposition.MEMBER, _MEMBERS[k])
                else:
                    b.rec(k, Disposition.EXTENSION, "extension.empty", "empty value")
                continue
            text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            b.custom(k, Val(text, k), hidden=True, group="other",
                     note="member unknown to cxkit, kept as a hidden custom field")  # fmt: skip
        item = b.finish()
        assert item is not None  # (never trashed)
        account = m.Account(id="AA", username="", email="", collections=(), items=(item,))
        return converted_document(
            account, rp_id="keepassxc.org", app="KeePassXC .passkey", timestamp=0
        )

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        from cxkit.passkey import der_to_pem

        found: list[tuple[m.Item, int, m.Passkey]] = []
        for _, item in doc.items():
            for index, credential in enumerate(item.credentials):
                if isinstance(credential, m.Passkey):
                    found.append((item, index, credential))
        if len(found) != 1:
            raise AdapterError(
                f"a KeePassXC .passkey file holds exactly one passkey; this source has {len(found)}",
                hint="convert to keepass-kdbx, bitwarden-json or cxf-json instead"
                if found
                else "the source holds no passkey",
            )
        item, index, passkey = found[0]
        try:
            der = b64.decode(passkey.key)
        except b64.Base64Error:
            raise AdapterError("the passkey's key is not base64url", location=item.title) from None
        url = item.scope.urls[0] if item.scope is not None and item.scope.urls else ""
        out = {
            "relyingParty": passkey.rp_id,
            "url": url or f"https://{passkey.rp_id}",
            "username": passkey.username,
            "credentialId": passkey.credential_id,
            "userHandle": passkey.user_handle,
            "privateKey": der_to_pem(der),
        }
        report.items_written += 1
        WRITTEN.record_document(report, doc)
        for a_index, account in enumerate(doc.accounts):
            for i_index, other in enumerate(account.items):
                modes: list[tuple[str, str]] = []
                for c_index, credential in enumerate(other.credentials):
                    carried = other is item and c_index == index
                    report.add_credential(
                        "write",
                        cxf.credential_type(credential),
                        other.title,
                        Outcome.CARRIED if carried else Outcome.NOT_CARRIED,
                        "" if carried else _ONE_PASSKEY,
                        key=(other.id, c_index),
                    )
                    modes.append(("passkey", "") if carried else (ledger.DROPPED, _ONE_PASSKEY))
                where = f"$.accounts[{a_index}].items[{i_index}]"
                WRITTEN.record(report, where, other, modes, "" if other is item else "other")
        return json.dumps(out, indent=4).encode("utf-8")
