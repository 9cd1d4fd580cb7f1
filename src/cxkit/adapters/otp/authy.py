"""Authy's token store (``../shared/formats/totp-apps.md`` §12): Android shared preferences
(``com.authy.authy.xml``, root only — Authy has no export) whose
``com.authy.storage.tokens.authenticator.key`` string is a JSON array of tokens ``{accountType,
digits, decryptedSecret | encryptedSecret + salt, logo, originalIssuer, originalName, timestamp,
upload_state, hidden, id, isNew, name}``.

* Plain: ``decryptedSecret`` is the Base32 secret.
* Encrypted (Authy's backup password): ``encryptedSecret`` (base64) is AES-256-CBC (zero IV,
  PKCS#7) under PBKDF2-HMAC-SHA1(password, the token's ``salt`` as UTF-8, 1000 iterations, 32
  bytes) — ``key_derivation_iterations`` when a token names it, bounded before any work — and
  decrypts to the Base32 secret. One wrong decryption fails the read: the password is the same
  for every token.

Authy's own tokens (``accountType: "authy"``) are 7 digits every 10 s; the others SHA-1 every
30 s. The store of Authy-issued accounts (``com.authy.storage.tokens.authy.key``) holds seeds
encrypted with a device key: not carried.
"""

from __future__ import annotations

import json
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.otp import _android, _unlock
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, Rec, leaves
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError

__all__ = ["AuthyAdapter", "decrypt_secret"]

TOKENS_KEY: Final = "com.authy.storage.tokens.authenticator.key"
AUTHY_TOKENS_KEY: Final = "com.authy.storage.tokens.authy.key"
_MARKER: Final = b'"com.authy.storage.tokens.'
_WHAT: Final = "the Authy token store"
_ITERATIONS: Final = 1000
_TAKEN: Final = ("decryptedSecret", "encryptedSecret", "salt", "digits", "originalIssuer",
                 "originalName", "name", "accountType", "logo", "key_derivation_iterations")  # fmt: skip
_KNOWN: Final = {
    "timestamp": (NOT_CARRIED, "", "when Authy added the token"),
    "upload_state": (NOT_CARRIED, "", "Authy's cloud backup state"),
    "hidden": (NOT_CARRIED, "", "Authy's display flag"),
    "isNew": (NOT_CARRIED, "", "Authy's display flag"),
    "id": (Disposition.MEMBER, "item.id", "the item id derives from it"),
}


def decrypt_secret(token: dict[str, Any], password: str, where: str = "") -> str:
    """The Base32 secret of an encrypted token; a wrong password → the one clear error."""
    sealed_text, salt = token.get("encryptedSecret"), token.get("salt")
    if not isinstance(sealed_text, str) or not isinstance(salt, str):
        raise DecodeError("the token has no encryptedSecret and salt", location=where or None)
    if token.get("unique_iv") is not None:
        raise DecodeError("the token uses a per-token IV (unique_iv), which cxkit does not read",
                          location=where or None)  # fmt: skip
    iterations = token.get("key_derivation_iterations", _ITERATIONS)
    if not isinstance(iterations, int) or isinstance(iterations, bool):
        raise DecodeError("key_derivation_iterations is not a number", location=where or None)
    sealed = _unlock.base64_member(sealed_text, "encryptedSecret", where)
    key = _unlock.pbkdf2("sha1", password, salt.encode(), iterations, where)
    plain = _unlock.aes_cbc_open(key, bytes(16), sealed, _WHAT, where)
    try:
        text = plain.decode("ascii")
    except UnicodeDecodeError:
        raise _unlock.wrong_password(_WHAT, where) from None
    if not text.strip() or not all(c.isalnum() or c in " =-" for c in text):
        raise _unlock.wrong_password(_WHAT, where)
    return text


def _names(token: dict[str, Any]) -> tuple[str, str]:
    """(issuer, account): ``originalIssuer`` and the part of ``originalName`` (``Issuer:Name``)
    or ``name`` (``Issuer: Name``) after the issuer."""
    issuer = str(token.get("originalIssuer") or "").strip()
    for member in ("originalName", "name"):
        label = str(token.get(member) or "").strip()
        if not label:
            continue
        head, colon, rest = label.partition(":")
        if colon and (not issuer or head.strip() == issuer):
            return issuer or head.strip(), rest.strip()
        return issuer, label
    return issuer, ""


class AuthyAdapter:
    info = AdapterInfo(
        key="authy",
        app="Authy (Twilio)",
        format="the app's token store (Android shared preferences XML), plain or encrypted",
        versions="Authy for Android 24.x",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp"}),
        how_to_export=(
            "Authy has no export. On a rooted Android phone copy "
            "/data/data/com.authy.authy/shared_prefs/com.authy.storage.tokens.authenticator.xml "
            "(give the Authy backup password when its secrets are encrypted)."
        ),
        extensions=(".xml",),
    )
    rp_id = "authy.com"
    app = "Authy"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for shared preferences (``<map>``) naming Authy's token store."""
        if sample.xml_root == "map" and _MARKER in sample.data[: 4 << 20]:
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        strings, others = _android.prefs_strings(sample.data, name)
        vault = EntryVault.of(self, name, options, report)
        for at in others:
            report.add_field(f"{name}:{at}", "", NOT_CARRIED, "", "a preference, not a token")
        password: str | None = None
        found = False
        for pref in strings:
            prefix = f"{name}:{pref.at}"
            if pref.name != TOKENS_KEY:
                why = ("Authy's own accounts: seeds encrypted with a device key cxkit cannot "
                       "read" if pref.name == AUTHY_TOKENS_KEY else "a preference, not a token")  # fmt: skip
                report.add_field(prefix, "", NOT_CARRIED, "", why)
                continue
            found = True
            try:
                tokens = json.loads(pref.text)
            except (ValueError, RecursionError):
                raise DecodeError("the token list is not JSON", location=prefix) from None
            if not isinstance(tokens, list):
                raise DecodeError("the token list is not a JSON array", location=prefix)
            for index, token in enumerate(tokens):
                at = f"{prefix}[{index}]"
                if not isinstance(token, dict):
                    vault.skip(at, "the token is not a JSON object")
                    continue
                secret = token.get("decryptedSecret")
                if not isinstance(secret, str) and "encryptedSecret" in token:
                    if password is None:
                        password = _unlock.ask_password(options, _WHAT, name)
                    try:
                        secret = decrypt_secret(token, password, at)
                    except DecodeError as exc:
                        vault.skip(at, exc.message, ["." + k for k in token])
                        continue
                self._token(vault, token, secret if isinstance(secret, str) else "", at, index)
        if not found:
            raise DecodeError(f"no Authy token list ({TOKENS_KEY}) in the preferences",
                              location=name or None)  # fmt: skip
        return vault.document()

    def _token(self, vault: EntryVault, token: dict[str, Any], secret: str, at: str,
               index: int) -> None:  # fmt: skip
        issuer, account = _names(token)
        authy = token.get("accountType") == "authy"
        digits = token.get("digits")
        where = {"secret": ".decryptedSecret" if "decryptedSecret" in token else ".encryptedSecret"}
        if "digits" in token:
            where["digits"] = ".digits"
        if "originalIssuer" in token:
            where["issuer"] = ".originalIssuer"
        if "originalName" in token:
            where["account"] = ".originalName"
        if "accountType" in token:
            where["kind"] = ".accountType"
        if token.get("logo") is not None:
            where["icon"] = ".logo"
        entry = Entry(
            secret=secret, issuer=issuer, account=account,
            digits=digits if isinstance(digits, int) and not isinstance(digits, bool)
            else (7 if authy else 6),
            period=10 if authy else 30, at=where,
        )  # fmt: skip
        recs: list[Rec] = []
        rest: list[Val] = []
        if "salt" in token:
            recs.append((".salt", Disposition.MEMBER, "", "decrypts the secret"))
        if "key_derivation_iterations" in token:
            recs.append((".key_derivation_iterations", Disposition.MEMBER, "",
                         "decrypts the secret"))  # fmt: skip
        if "name" in token:
            recs.append((".name", Disposition.MEMBER, "item.title",
                         "the displayed name (issuer and account are carried)"))  # fmt: skip
        for key, value in token.items():
            if key in _TAKEN or value is None:
                continue
            if key in _KNOWN:
                disposition, target, note = _KNOWN[key]
                recs.append((f".{key}", disposition, target, note))
            else:
                rest.extend(leaves(value, f".{key}"))
        source_id = token.get("id")
        vault.add(at, entry, source_id=str(source_id) if source_id is not None else "",
                  index=index, recs=recs, leftovers=rest)  # fmt: skip
