"""Proton Authenticator export (``../shared/formats/totp-apps.md`` §9): JSON ``{version: 1,
entries[{id (uuid), content{uri (otpauth://…), entry_type ("Totp" | "Steam"), name}, note}]}``.

The password-protected export (not in the notes, no sample; the layout of proton-pass-common's
``password_exporter.rs``, tested with our own files): ``{version: 1, salt (base64, 16 bytes),
content (base64: 12-byte nonce ‖ AES-256-GCM ciphertext ‖ tag)}``; key = Argon2id(password,
salt, 19 MiB, 2 passes, 1 lane, 32 bytes) — fixed by the app, not read from the file — and the
AAD is ``proton.authenticator.export.v1``; the plaintext is the plain export.
"""

from __future__ import annotations

from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.otp import _unlock
from cxkit.adapters.otp._reader import EntryVault, Rec, leaves
from cxkit.adapters.otp.entry import Entry, parse_uri
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError, UnsupportedVersionError

__all__ = ["ProtonAuthenticatorAdapter", "decrypt_export"]

_AAD: Final = b"proton.authenticator.export.v1"
_ARGON2_MEMORY: Final = 19 * 1024 * 1024  # bytes (19456 KiB)
_ARGON2_PASSES: Final = 2
_WHAT: Final = "the Proton Authenticator export"
_ENTRY_MEMBERS: Final = frozenset({"id", "content", "note"})


def decrypt_export(top: dict[str, Any], password: str, where: str = "") -> bytes:
    """A password-protected export (decoded JSON) → the plain export's bytes."""
    if top.get("version") != 1:
        raise UnsupportedVersionError(
            "only version 1 of the encrypted Proton Authenticator export is known",
            location=where or None,
        )
    salt = _unlock.base64_member(top.get("salt"), "member salt", where)
    content = _unlock.base64_member(top.get("content"), "member content", where)
    if len(salt) != 16 or len(content) < 12 + 16:
        raise _unlock.wrong_password(_WHAT, where)
    key = _unlock.argon2id_sodium(password, salt, _ARGON2_PASSES, _ARGON2_MEMORY, _WHAT, where)
    return _unlock.aes_gcm_open(key, content[:12], content[12:], _AAD, _WHAT, where)


def _encrypted(top: Any) -> bool:
    return isinstance(top, dict) and {"salt", "content"} <= top.keys() and "entries" not in top


class ProtonAuthenticatorAdapter:
    info = AdapterInfo(
        key="proton-authenticator",
        app="Proton Authenticator",
        format="JSON export (plain or password-protected)",
        versions="1.x (export version 1)",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp", "note", "custom-fields"}),
        how_to_export=(
            "Proton Authenticator → Settings → Export (with or without a password). HOTP is "
            "not in Proton Authenticator; Steam tokens become algorithm 'steam'."
        ),
        extensions=(".json",),
    )
    rp_id = "proton.me"
    app = "Proton Authenticator"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for ``{version, entries[…]}`` whose first entries have ``content.uri`` and
        ``content.entry_type``; LIKELY for ``{version, salt, content}`` with no other member."""
        if not sample.json_ok:
            return Confidence.NO
        keys = sample.json_keys
        if keys == {"version", "salt", "content"} and sample.json_member_is("content", str):
            return Confidence.LIKELY
        if "version" not in keys or "entries" not in keys:
            return Confidence.NO
        first = sample.json_entries("entries", 4)
        if not first:
            return Confidence.NO
        for entry in first:
            content = entry.get("content") if isinstance(entry, dict) else None
            if not isinstance(content, dict) or not {"uri", "entry_type"} <= content.keys():
                return Confidence.NO
        return Confidence.LIKELY

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        top = sample.parsed_json()
        if _encrypted(top):
            password = _unlock.ask_password(options, _WHAT, name)
            plain = decrypt_export(top, password, name)
            top = parse_json(plain, name=name)
            report.add_field("$.salt", "", Disposition.MEMBER, "", "the key derivation's salt")
            report.add_field("$.content", "", Disposition.MEMBER, "", "the encrypted export")
            report.add_field("$.version", "", Disposition.MEMBER, "", "the format's version")
            prefix = "$.content(decrypted)"
        else:
            prefix = "$"
        if not isinstance(top, dict) or not isinstance(top.get("entries"), list):
            raise DecodeError("no list of entries at $.entries", location=name or None)
        vault = EntryVault.of(self, name, options, report)
        for member in top:
            if member != "entries":
                report.add_field(f"{prefix}.{member}", "", Disposition.MEMBER, "",
                                 "the format's version" if member == "version" else
                                 "a member of the export, not of an entry")  # fmt: skip
        for index, raw in enumerate(top["entries"]):
            self._entry(vault, raw, f"{prefix}.entries[{index}]", index)
        return vault.document()

    def _entry(self, vault: EntryVault, raw: Any, at: str, index: int) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("content"), dict):
            vault.skip(at, "the entry is not an object with a content object")
            return
        content = raw["content"]
        uri = content.get("uri")
        found = parse_uri(uri) if isinstance(uri, str) else "the entry has no otpauth URI"
        if isinstance(found, str):
            vault.skip(at, found, ["." + k for k in raw], title=str(content.get("name") or ""))
            return
        kind = content.get("entry_type")
        entry_kind = "steam" if kind == "Steam" else found.kind
        note = raw.get("note")
        where = {"uri": ".content.uri", "note": ".note"}
        entry = Entry(
            secret=found.secret, kind=entry_kind, issuer=found.issuer,
            account=found.account or str(content.get("name") or ""),
            algorithm=found.algorithm, digits=found.digits, period=found.period,
            counter=found.counter, note=note if isinstance(note, str) else "", at=where,
        )  # fmt: skip
        recs: list[Rec] = []
        leftovers: list[Val] = []
        if "entry_type" in content:
            recs.append((".content.entry_type", Disposition.MEMBER, "totp.algorithm", ""))
        if "name" in content:
            recs.append((".content.name", Disposition.MEMBER, "item.title",
                         "the account name (also in the URI)"))  # fmt: skip
        if "id" in raw:
            recs.append((".id", Disposition.MEMBER, "item.id", "the item id derives from it"))
        for key, value in raw.items():
            if key not in _ENTRY_MEMBERS:
                leftovers.extend(leaves(value, f".{key}"))
        for key, value in content.items():
            if key not in ("uri", "entry_type", "name"):
                leftovers.extend(leaves(value, f".content.{key}"))
        source_id = raw.get("id") if isinstance(raw.get("id"), str) else ""
        vault.add(at, entry, source_id=str(source_id), index=index, recs=recs,
                  leftovers=leftovers)  # fmt: skip
