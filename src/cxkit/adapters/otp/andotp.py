"""andOTP backups (``../shared/formats/totp-apps.md`` §4); GNOME Authenticator writes the same
JSON.

* Plain: a JSON array of ``{secret (Base32, maybe padded), issuer, label, digits, type (TOTP |
  HOTP | STEAM), algorithm, thumbnail, last_used (ms), used_frequency, period, counter,
  tags[]}``. Old backups have no ``issuer``: the label is ``Issuer - Issuer:Account``.
* Encrypted, old format: 12-byte nonce ‖ AES-256-GCM ciphertext ‖ tag, key = SHA-256(password).
* Encrypted, new format: 4-byte big-endian PBKDF2 iteration count ‖ 12-byte salt ‖ 12-byte nonce
  ‖ AES-GCM ciphertext ‖ tag, key = PBKDF2-HMAC-SHA1(password, salt, iterations, 32) — the
  iteration count bounded before any work (:func:`cxkit.adapters.otp.entry.check_kdf`).

The encrypted backups have no signature: only a file named ``*.json.aes`` (andOTP's own name)
whose bytes are not text is taken as one by detection; any other name needs ``--from andotp``.
Random bytes may look like anything for a few bytes (JSON, XML, an OpenPGP packet header), so
neither the sniffed kind nor the first byte decides: being text or not does.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.otp import _unlock
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, members
from cxkit.adapters.otp.entry import MAX_ITERATIONS, Entry
from cxkit.adapters.report import MigrationReport
from cxkit.errors import DecodeError, DecryptionError

__all__ = ["AndOtpAdapter", "decrypt_backup"]

_WHAT: Final = "the andOTP backup"
_RECORD_KEYS: Final = frozenset({"secret", "label", "digits", "type", "algorithm"})
_TAKEN: Final = ("secret", "issuer", "label", "digits", "type", "algorithm", "period",
                 "counter", "tags", "thumbnail")  # fmt: skip
_KNOWN: Final = {
    "last_used": (NOT_CARRIED, "", "andOTP's usage statistics"),
    "used_frequency": (NOT_CARRIED, "", "andOTP's usage statistics"),
}
_NONCE: Final = 12
_TAG: Final = 16


def decrypt_backup(data: bytes, password: str, where: str = "") -> bytes:
    """An encrypted andOTP backup → the plain JSON bytes: the old format is tried first (a
    SHA-256, cheap), then the new one (PBKDF2, its iteration count bounded)."""
    if len(data) < _NONCE + _TAG:
        raise _unlock.wrong_password(_WHAT, where)
    old_key = hashlib.sha256(_unlock.password_bytes(password, where)).digest()
    try:
        return _unlock.aes_gcm_open(old_key, data[:_NONCE], data[_NONCE:], None, _WHAT, where)
    except DecryptionError:
        pass
    head = 4 + 12 + _NONCE
    if len(data) < head + _TAG:
        raise _unlock.wrong_password(_WHAT, where)
    iterations = int.from_bytes(data[:4], "big")
    if not 1 <= iterations <= MAX_ITERATIONS["pbkdf2"]:
        raise _unlock.wrong_password(_WHAT, where)  # not the new format: the old one failed
    key = _unlock.pbkdf2("sha1", password, data[4:16], iterations, where)
    return _unlock.aes_gcm_open(key, data[16:head], data[head:], None, _WHAT, where)


def _is_text(data: bytes) -> bool:
    """Plain backups are UTF-8 text; an encrypted one is random bytes whose nonce may well start
    with ``[`` (one in 256), so the first byte alone does not tell the two apart."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value) < 12:
        return int(value)
    return default


def _names(rec: dict[str, Any]) -> tuple[str, str]:
    """(issuer, account) of an entry; old backups: ``Issuer - Issuer:Account`` in the label."""
    issuer, label = _text(rec.get("issuer")).strip(), _text(rec.get("label")).strip()
    if not issuer and " - " in label:
        issuer, _, label = label.partition(" - ")
    prefix = f"{issuer}:"
    if issuer and label.startswith(prefix):
        label = label[len(prefix) :].strip()
    return issuer.strip(), label


class AndOtpAdapter:
    info = AdapterInfo(
        key="andotp",
        app="andOTP (also GNOME Authenticator)",
        format="JSON backup, plain or encrypted (.json.aes)",
        versions="andOTP 0.6+ (old and new encryption); GNOME Authenticator 3.x/4.x",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "andOTP → Backups → Backup (plain) or Backup (password-protected). An encrypted "
            "backup not named *.json.aes needs --from andotp. OpenPGP backups: decrypt with gpg "
            "first. GNOME Authenticator → Backup → andOTP."
        ),
        extensions=(".json", ".json.aes"),
    )
    rp_id = "andotp.org"
    app = "andOTP"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a JSON array whose first entries have secret, label, digits, type and
        algorithm; LIKELY too for a file named ``*.json.aes`` whose bytes are not UTF-8 text (the
        encrypted backup has no signature; its random bytes may pass the OpenPGP, JSON or XML
        sniffers, so the sniffed kind is not asked)."""
        keys = sample.json_array_keys
        if keys and keys >= _RECORD_KEYS:
            return Confidence.LIKELY
        if (
            sample.name.lower().endswith(".json.aes")
            and len(sample.data) >= _NONCE + _TAG
            and not _is_text(sample.data)
        ):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        data = sample.data
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if sample.json_ok:
            top = sample.json
        elif head == b"[" and _is_text(data):
            top = parse_json(data, name=name)  # malformed plain JSON: say where
        else:
            password = _unlock.ask_password(options, _WHAT, name)
            top = parse_json(decrypt_backup(data, password, name), name=name)
        if not isinstance(top, list):
            raise DecodeError("not an andOTP backup: the JSON is not a list of entries",
                              location=name or None)  # fmt: skip
        vault = EntryVault.of(self, name, options, report)
        for index, rec in enumerate(top):
            at = f"$[{index}]"
            if not isinstance(rec, dict):
                vault.skip(at, "the entry is not a JSON object")
                continue
            self._entry(vault, rec, at, index)
        return vault.document()

    def _entry(self, vault: EntryVault, rec: dict[str, Any], at: str, index: int) -> None:
        issuer, account = _names(rec)
        kind = _text(rec.get("type")).lower() or "totp"
        tags = rec.get("tags")
        tag_list = tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()
        members_at = ("secret", "digits", "algorithm", "period", "counter")
        where: dict[str, str] = {k: f".{k}" for k in members_at if k in rec}
        if "type" in rec:
            where["kind"] = ".type"
        if "issuer" in rec:
            where["issuer"] = ".issuer"
        if "label" in rec:
            where["account"] = ".label"
        if "tags" in rec:
            where["tags"] = ".tags"
        if "thumbnail" in rec:
            where["icon"] = ".thumbnail"
        counter = rec.get("counter")
        entry = Entry(
            secret=_text(rec.get("secret")), kind=kind, issuer=issuer, account=account,
            algorithm=_text(rec.get("algorithm")) or "sha1",
            digits=_number(rec.get("digits"), 5 if kind == "steam" else 6),
            period=_number(rec.get("period"), 30),
            counter=_number(counter, 0) if counter is not None else None,
            tags=tag_list, at=where,
        )  # fmt: skip
        recs, rest = members(rec, _TAKEN, _KNOWN)
        if isinstance(tags, list) and len(tag_list) != len(tags):
            rest.append(Val("(tags that are not text)", ".tags"))
        vault.add(at, entry, index=index, recs=recs, leftovers=rest)
