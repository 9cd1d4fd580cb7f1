"""TOTP Authenticator (BinaryBoot) backups and app data (``../shared/formats/totp-apps.md``
§12).

* **Encrypted backup** (``*.bin``): Base64 text of AES-256-CBC (PKCS#7) ciphertext; key =
  SHA-256(password), IV = 16 zero bytes. No key stretching, so there is no work factor to
  bound; the decrypted bytes are bounded by the input. The plain text is a JSON object whose
  one member's *name* is the JSON array of entries (its value: the backup time in seconds).
* **The app's shared preferences**: ``<string name="STATIC_TOTP_CODES_LIST">`` holds the same
  JSON array. ``DEFAULT_ENCRYPTION_KEY`` there is the backup password: never copied.

An entry is ``{issuer, name, key, base (16 hex | 32 Base32 | 64 Base64: how key is written),
digits ("6"), period ("30"), isFavorite, …display state}``. The app only makes SHA-1 codes.

The backup has no signature: detection takes a ``.bin`` file of Base64 text whose bytes are
whole AES blocks as a MAYBE only (``--from totp-authenticator`` for other names).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.otp import _android, _unlock
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, members
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import CxkitError, DecodeError

__all__ = ["TotpAuthenticatorAdapter", "decrypt_backup", "entry_secret"]

_FILE: Final = "(the backup)"
_PREFS: Final = "(the app's preferences)"
"""The item name of the records of fields outside any entry."""

LIST_KEY: Final = "STATIC_TOTP_CODES_LIST"
PASSWORD_KEY: Final = "DEFAULT_ENCRYPTION_KEY"  # noqa: S105 - a preference name
_WHAT: Final = "the TOTP Authenticator backup"
_MARKER: Final = f'name="{LIST_KEY}"'.encode()
_BASE64_TEXT: Final = re.compile(rb"[A-Za-z0-9+/=\s]+")
_TAKEN: Final = ("issuer", "name", "key", "base", "digits", "period", "isFavorite", "iconPath")
_DISPLAY: Final = "the app's display state"
_KNOWN: Final = dict.fromkeys(
    ("accountHeaderLabel", "allowNotifications", "fileName", "iconLabel", "isSelected",
     "isWidgetActive", "setIconFromDrawable", "source", "timeRemaining", "widgetId"),
    (NOT_CARRIED, "", _DISPLAY),
) | {"totpCode": (NOT_CARRIED, "", "the last code shown (it expires)")}  # fmt: skip


def decrypt_backup(data: bytes, password: str, where: str = "") -> bytes:
    """An encrypted backup (Base64 text) → the plain bytes; wrong password (bad padding) or
    text that is not Base64 → the project's errors."""
    try:
        raw = base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError(f"{_WHAT} is not Base64 text", location=where or None) from None
    key = hashlib.sha256(_unlock.password_bytes(password, where)).digest()
    return _unlock.aes_cbc_open(key, bytes(16), raw, _WHAT, where)


def entry_secret(key: str, base: Any) -> bytes | None:
    """The seed of an entry: *key* written in *base* 16, 32 or 64; None when it is not."""
    text = key.strip()
    if not text:
        return None
    try:
        if base == 16:
            return bytes.fromhex(text)
        if base == 32:
            padded = text.upper().replace(" ", "")
            return base64.b32decode(padded + "=" * (-len(padded) % 8))
        if base == 64:
            return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return None


def _number(value: Any, default: int) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value)
    return default


class TotpAuthenticatorAdapter:
    info = AdapterInfo(
        key="totp-authenticator",
        app="TOTP Authenticator (BinaryBoot)",
        format="encrypted backup (.bin) or the app's shared preferences",
        versions="TOTP Authenticator for Android 6.x/7.x",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "TOTP Authenticator → Settings → Backup → Backup to file (a .bin file protected "
            "with a password). A backup with another extension needs --from totp-authenticator."
        ),
        extensions=(".bin", ".xml"),
    )
    rp_id = "binaryboot.com"
    app = "TOTP Authenticator"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for shared preferences (``<map>``) with ``STATIC_TOTP_CODES_LIST``; MAYBE for
        a ``.bin`` file of Base64 text of whole AES blocks (the backup has no signature)."""
        if sample.xml_root == "map" and _MARKER in sample.data[: 4 << 20]:
            return Confidence.LIKELY
        data = sample.data
        if (
            sample.name.lower().endswith(".bin")
            and sample.kind == "text"
            and len(data) >= 44
            and _BASE64_TEXT.fullmatch(data) is not None
        ):
            try:
                raw = base64.b64decode(b"".join(data.split()), validate=True)
            except (binascii.Error, ValueError):
                return Confidence.NO
            if len(raw) >= 32 and len(raw) % 16 == 0:
                return Confidence.MAYBE
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        vault = EntryVault.of(self, name, options, report)
        if sample.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            self._prefs(vault, sample.data, name, report)
            return vault.document()
        password = _unlock.ask_password(options, _WHAT, name)
        plain = decrypt_backup(sample.data, password, name)
        try:
            top = parse_json(plain, name=name)
        except CxkitError:  # CBC has no tag: a wrong key passes the padding 1 time in ~256
            raise _unlock.wrong_password(_WHAT, name) from None
        if not isinstance(top, dict) or not top:
            raise DecodeError(f"{_WHAT} does not hold the app's list of entries",
                              location=name or None)  # fmt: skip
        for index, member in enumerate(top):
            at = f"{name}:$[{index}]"
            try:
                entries = parse_json(member.encode("utf-8", "surrogatepass"), name=name)
            except (CxkitError, UnicodeError):
                entries = None
            if not isinstance(entries, list):
                report.add_field(at, _FILE, NOT_CARRIED, "", "not the app's list of entries")
                continue
            report.add_field(f"{at}:value", _FILE, NOT_CARRIED, "", "when the backup was made")
            self._entries(vault, entries, at)
        return vault.document()

    def _prefs(self, vault: EntryVault, data: bytes, name: str, report: MigrationReport) -> None:
        strings, others = _android.prefs_strings(data, name)
        for at in others:
            report.add_field(f"{name}:{at}", _PREFS, NOT_CARRIED, "", "a setting of the app")
        found = False
        for pref in strings:
            where = f"{name}:{pref.at}"
            if pref.name == PASSWORD_KEY:
                report.add_field(where, _PREFS, NOT_CARRIED, "",
                                 "the backup password the app keeps: never copied")  # fmt: skip
                continue
            if pref.name != LIST_KEY:
                report.add_field(where, _PREFS, NOT_CARRIED, "", "a setting of the app")
                continue
            found = True
            try:
                entries = parse_json(pref.text.encode("utf-8", "surrogatepass"), name=name)
            except (CxkitError, UnicodeError):
                entries = None
            if not isinstance(entries, list):
                raise DecodeError("the app's list of entries is not a JSON list",
                                  location=where)  # fmt: skip
            self._entries(vault, entries, where)
        if not found:
            raise DecodeError(f"no {LIST_KEY} in these preferences", location=name or None)

    def _entries(self, vault: EntryVault, entries: list[Any], at: str) -> None:
        for index, rec in enumerate(entries):
            prefix = f"{at}[{index}]"
            if not isinstance(rec, dict):
                vault.skip(prefix, "the entry is not a JSON object")
                continue
            key, base = rec.get("key"), rec.get("base")
            secret = entry_secret(key, base) if isinstance(key, str) else None
            if secret is None:
                why = ("its key is not written in a base cxkit knows (16, 32, 64)"
                       if base not in (16, 32, 64) else "its key is not valid for its base")  # fmt: skip
                vault.skip(prefix, f"the entry cannot be read: {why}", [f".{k}" for k in rec],
                           title=str(rec.get("issuer") or ""))  # fmt: skip
                continue
            where = {k: f".{m}" for k, m in (("secret", "key"), ("issuer", "issuer"),
                                              ("account", "name"), ("digits", "digits"),
                                              ("period", "period"), ("favorite", "isFavorite"),
                                              ("icon", "iconPath")) if m in rec}  # fmt: skip
            issuer, account, favorite = rec.get("issuer"), rec.get("name"), rec.get("isFavorite")
            entry = Entry(
                secret=secret, issuer=issuer if isinstance(issuer, str) else "",
                account=account if isinstance(account, str) else "",
                digits=_number(rec.get("digits"), 6), period=_number(rec.get("period"), 30),
                favorite=favorite if isinstance(favorite, bool) else None, at=where,
            )  # fmt: skip
            recs, rest = members(rec, _TAKEN, _KNOWN)
            if "base" in rec:
                recs.append((".base", Disposition.MEMBER, "totp.secret", "how the key is written"))
            vault.add(prefix, entry, index=index, recs=recs, leftovers=rest)
