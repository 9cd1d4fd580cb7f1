"""Proton Pass JSON and ZIP exports (read only; ``formats/protonpass.md``).

Every item type maps to CXF: logins (all URLs, username/e-mail, password, TOTP as an otpauth URI
or a bare Base32 secret, **every passkey**), aliases, notes, credit cards, identities (person
name, address and identity documents; the other members as custom fields), SSH keys, Wi-Fi,
custom items, extra fields and sections, attachments from ``files/`` in the ZIP (CXF ``file``
credentials, the bytes in :attr:`ReadOptions.attachments`), vaults as collections.

Passkeys: ``content`` is MessagePack ``{c: bytes, v: 1}`` whose ``c`` is MessagePack of a
passkey-rs ``Passkey`` (``key`` = COSE_Key with the private ``d``, ``cid``, ``rid``, ``uhd``,
``cnt``, ...); the COSE key becomes PKCS#8 through :func:`cxkit.passkey.cose_private_key_to_der`.

Trashed items (``state`` 2) are skipped and reported unless ``include_trashed``. Every non-null
source leaf is recorded in the migration report; members cxkit does not know become hidden custom
fields (format drift never drops a value).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import posixpath
import re
from collections.abc import Mapping
from typing import Any, Final

import msgspec

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    converted_document,
)
from cxkit.adapters.kit.input import parse_json, zip_archive
from cxkit.adapters.kit.values import (
    json_leaves,
    parse_totp,
    scalar_text,
    ssh_from_pkcs8,
    ssh_private_to_pkcs8,
)
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecodeError, InputTooLargeError

__all__ = ["EXTENSION", "ProtonPassAdapter", "decode_passkey_content"]

EXTENSION: Final = "cxkit/protonpass"
EXPORTER_RP_ID: Final = "proton.me"
MAX_PASSKEY_CONTENT: Final = 64 << 10
_PGP_ARMOR: Final = b"-----BEGIN PGP MESSAGE-----"
_COUNTRY_RE: Final = re.compile(r"[A-Z]{2}\Z")
_YEAR_MONTH_RE: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")
_CARD_TYPES: Final = {1: "Other", 2: "Visa", 3: "Mastercard", 4: "American Express"}
_WIFI_SECURITY: Final = {1: "wpa-personal", 2: "wpa2-personal", 3: "wpa3-personal", 4: "wep"}
_CARRIES: Final = frozenset(
    {"basic-auth", "passkey", "totp", "note", "credit-card", "person-name", "address",
     "identity-document", "passport", "drivers-license", "ssh-key", "wifi", "custom-fields",
     "file"}
)  # fmt: skip
_HOW_TO: Final = (
    "Proton Pass (web app, browser extension or desktop app): Settings → Export, choose 'ZIP' "
    "(JSON with attachments) or 'JSON' — not 'PGP-encrypted' (cxkit cannot decrypt OpenPGP; "
    "decrypt such a file with 'gpg --decrypt' first) and not CSV (no passkeys, cards or "
    "identities) — and confirm with your Proton password. Trashed items are skipped unless "
    "--include-trashed."
)
# identity members → (credential, attribute, field type); the rest become custom fields
_IDENTITY_NAME: Final = {"firstName": "given", "middleName": "given2", "lastName": "surname"}
_IDENTITY_ADDRESS: Final = {
    "streetAddress": ("street_address", "string"),
    "zipOrPostalCode": ("postal_code", "string"),
    "city": ("city", "string"),
    "stateOrProvince": ("territory", "string"),
    "countryOrRegion": ("country", "country-code"),
    "phoneNumber": ("tel", "string"),
}
_IDENTITY_DOCS: Final = {
    "socialSecurityNumber": (m.IdentityDocument, "identification_number"),
    "passportNumber": (m.Passport, "passport_number"),
    "licenseNumber": (m.DriversLicense, "license_number"),
}
_IDENTITY_LABELS: Final = {
    "fullName": "Full name", "email": "E-mail", "birthdate": "Birth date", "gender": "Gender",
    "organization": "Organization", "floor": "Floor", "county": "County",
    "website": "Website", "xHandle": "X handle", "secondPhoneNumber": "Second phone number",
    "linkedin": "LinkedIn", "reddit": "Reddit", "facebook": "Facebook", "yahoo": "Yahoo",
    "instagram": "Instagram", "company": "Company", "jobTitle": "Job title",
    "personalWebsite": "Personal website", "workPhoneNumber": "Work phone number",
    "workEmail": "Work e-mail",
}  # fmt: skip
_IDENTITY_EXTRA: Final = {
    "extraPersonalDetails": "Personal details",
    "extraAddressDetails": "Address details",
    "extraContactDetails": "Contact details",
    "extraWorkDetails": "Work details",
}


def _ef(value: str, field_type: str = "string", label: str | None = None) -> m.EditableField:
    return m.EditableField(field_type=field_type, value=value, label=label)


def _std_b64(text: object, what: str) -> bytes:
    """Proton's bytes: standard base64 (url-safe and unpadded tolerated)."""
    if not isinstance(text, str):
        raise AdapterError(f"{what} is not a string")
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise AdapterError(f"{what} is not base64") from None


def _id(*parts: str) -> str:
    return b64.encode(hashlib.sha256("\x00".join(parts).encode("utf-8")).digest()[:16])


# =========================================================================== passkeys


def decode_passkey_content(content: bytes) -> dict[str, Any]:
    """Proton Pass passkey ``content`` (MessagePack ``{c, v}`` → passkey-rs ``Passkey``) → the
    inner map (``key``, ``cid``, ``rid``, ``uhd``, ``cnt``, ...). Raises :class:`AdapterError`."""
    if len(content) > MAX_PASSKEY_CONTENT:
        raise AdapterError("the passkey content is too large")
    try:
        outer = msgspec.msgpack.decode(content)
        inner_bytes = outer.get("c") if isinstance(outer, dict) else None
        if not isinstance(inner_bytes, bytes):
            raise AdapterError("the passkey content has no 'c' byte string")
        inner = msgspec.msgpack.decode(inner_bytes)
    except (msgspec.DecodeError, RecursionError, ValueError, TypeError):
        raise AdapterError("the passkey content is not valid MessagePack") from None
    if not isinstance(inner, dict) or "key" not in inner:
        raise AdapterError("the passkey content holds no key")
    return inner


def _cose_to_der(key: Any) -> bytes:
    from cxkit.passkey import cose_private_key_to_der

    if isinstance(key, dict):
        cose: dict[int, object] = {}
        for k, v in key.items():
            if isinstance(k, str) and re.fullmatch(r"-?\d{1,3}", k):
                k = int(k)
            if not isinstance(k, int):
                raise AdapterError("the passkey's COSE key has a non-integer label")
            if isinstance(v, list) and all(isinstance(x, int) and 0 <= x < 256 for x in v):
                v = bytes(v)  # byte strings serialised as integer arrays
            cose[k] = v
        return cose_private_key_to_der(cose)
    if isinstance(key, bytes):
        return cose_private_key_to_der(key)
    raise AdapterError("the passkey's key is not a COSE key")


# =========================================================================== one item


class _ItemReader:
    """Builds one CXF item from one Proton Pass item and records every source leaf once."""

    def __init__(
        self,
        raw: Mapping[str, Any],
        path: str,
        report: MigrationReport,
        item_id: str,
        files: _Files | None,
        options: ReadOptions,
    ) -> None:
        self.raw = raw
        self.path = path
        self.report = report
        self.item_id = item_id
        self.files = files
        self.options = options
        data = raw.get("data")
        self.data: Mapping[str, Any] = data if isinstance(data, dict) else {}
        meta = self.data.get("metadata")
        self.meta: Mapping[str, Any] = meta if isinstance(meta, dict) else {}
        name = self.meta.get("name")
        self.title: str = name if isinstance(name, str) else ""
        self.credentials: list[Any] = []
        self.notes: list[tuple[str, Outcome, str]] = []
        self.ext: dict[str, Any] = {}
        self.extra: list[m.EditableField] = []  # members without a CXF place
        self.recorded: set[str] = set()
        self.urls: list[str] = []
        self.apps: list[m.AndroidAppId] = []

    # -- recording
    def rec(self, sub: str, disposition: Disposition, target: str = "", note: str = "") -> None:
        path = f"{self.path}{sub}"
        if path not in self.recorded:
            self.recorded.add(path)
            self.report.add_field(path, self.title, disposition, target, note)

    def rec_all(
        self, value: Any, sub: str, disposition: Disposition, target: str = "", note: str = ""
    ) -> None:
        for leaf in json_leaves(value, f"{self.path}{sub}"):
            if leaf not in self.recorded:
                self.recorded.add(leaf)
                self.report.add_field(leaf, self.title, disposition, target, note)

    def add(self, credential: Any, outcome: Outcome = Outcome.CARRIED, note: str = "") -> None:
        self.credentials.append(credential)
        self.notes.append((cxf.credential_type(credential), outcome, note))

    def extra_field(
        self, label: str, value: Any, sub: str, *, concealed: bool = False, note: str = ""
    ) -> None:
        """A member CXF has no place for → a field of the item's "Proton Pass" custom fields."""
        text = scalar_text(value)
        if text is None or text == "" or f"{self.path}{sub}" in self.recorded:
            return  # empty: left to the final sweep
        field_type = "concealed-string" if concealed else "string"
        if isinstance(value, bool):
            field_type = "boolean"
        self.extra.append(_ef(text, field_type, label))
        self.rec(sub, Disposition.CUSTOM_FIELD, f"custom-fields[Proton Pass].{label}", note)

    # -- the item
    def build(self) -> m.Item:
        raw, data = self.raw, self.data
        for key in ("itemId", "shareId", "state", "contentFormatVersion", "shareCount"):
            if raw.get(key) is not None:
                self.ext[key] = raw[key]
                self.rec_all(raw[key], f".{key}", Disposition.EXTENSION, f"extension.{key}")
        created, modified = raw.get("createTime"), raw.get("modifyTime")
        for key, value in (("createTime", created), ("modifyTime", modified)):
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                self.rec(f".{key}", Disposition.MEMBER, f"item.{key}")
        pinned = raw.get("pinned")
        if isinstance(pinned, bool):
            self.rec(".pinned", Disposition.MEMBER, "item.favorite")
        if isinstance(self.meta.get("name"), str):
            self.rec(".data.metadata.name", Disposition.MEMBER, "item.title")
        if self.meta.get("itemUuid") is not None:
            self.ext["itemUuid"] = self.meta["itemUuid"]
            self.rec_all(self.meta["itemUuid"], ".data.metadata.itemUuid", Disposition.EXTENSION,
                         "extension.itemUuid")  # fmt: skip
        kind = data.get("type")
        if kind is not None:
            self.ext["type"] = kind
            self.rec_all(kind, ".data.type", Disposition.EXTENSION, "extension.type")
        content = data.get("content")
        content = content if isinstance(content, dict) else {}
        handler = {
            "login": self.login,
            "creditCard": self.card,
            "identity": self.identity,
            "sshKey": self.ssh_key,
            "wifi": self.wifi,
            "custom": self.custom,
        }.get(kind if isinstance(kind, str) else "")
        if handler is not None:
            handler(content)
        alias = raw.get("aliasEmail")
        if isinstance(alias, str) and alias:
            self.extra_field("Alias e-mail", alias, ".aliasEmail")
            if kind == "alias":
                self.ext["alias"] = True
        note = self.meta.get("note")
        if isinstance(note, str) and note:
            self.add(m.Note(content=_ef(note)))
            self.rec(".data.metadata.note", Disposition.MEMBER, "note.content")
        self.extra_fields(data.get("extraFields"), ".data.extraFields", None)
        self.platform(data.get("platformSpecific"))
        self.attachments(raw.get("files"))
        self.sweep()
        if self.extra:
            outcome, why = (Outcome.TRANSFORMED,
                            "Proton Pass details CXF has no member for, kept as custom fields")  # fmt: skip
            if self.ext.get("alias"):
                why = "a Proton Pass alias (no CXF alias type): its address is a custom field"
            self.add(m.CustomFields(label="Proton Pass", fields=tuple(self.extra)), outcome, why)
        scope = None
        if self.urls or self.apps:
            scope = m.CredentialScope(urls=tuple(self.urls), android_apps=tuple(self.apps))
        return m.Item(
            id=self.item_id,
            creation_at=created if isinstance(created, int) and created >= 0 else None,
            modified_at=modified if isinstance(modified, int) and modified >= 0 else None,
            title=self.title,
            favorite=pinned if isinstance(pinned, bool) else None,
            scope=scope,
            credentials=tuple(self.credentials),
            extensions=(m.UnknownExtension(extension_name=EXTENSION, members=self.ext),),
        )

    def sweep(self) -> None:
        """Every leaf not handled above: a hidden custom field (unknown member) or, when empty,
        the extension."""
        for leaf in json_leaves(self.raw, self.path):
            if leaf in self.recorded:
                continue
            value = _value_at(self.raw, leaf[len(self.path) :])
            sub = leaf[len(self.path) :]
            text = scalar_text(value)
            if text:
                self.extra_field(sub.lstrip("."), value, sub, concealed=True,
                                 note="member unknown to cxkit, kept as a hidden custom field")  # fmt: skip
            else:
                self.ext.setdefault("empty", []).append(sub)
                self.rec(sub, Disposition.EXTENSION, "extension.empty", "empty value")

    # -- login
    def login(self, c: Mapping[str, Any]) -> None:
        base = ".data.content"
        username, email = c.get("itemUsername"), c.get("itemEmail")
        password = c.get("password")
        user = username if isinstance(username, str) and username else None
        mail = email if isinstance(email, str) and email else None
        pw = password if isinstance(password, str) and password else None
        login_name = user or mail
        if login_name is not None or pw is not None:
            self.add(
                m.BasicAuth(
                    username=_ef(login_name) if login_name is not None else None,
                    password=_ef(pw, "concealed-string") if pw is not None else None,
                )
            )
            if user is not None:
                self.rec(f"{base}.itemUsername", Disposition.MEMBER, "basic-auth.username")
                if mail is not None:
                    self.extra_field("E-mail", mail, f"{base}.itemEmail")
            elif mail is not None:
                self.rec(f"{base}.itemEmail", Disposition.MEMBER, "basic-auth.username")
                self.ext["usernameFrom"] = "itemEmail"
            if pw is not None:
                self.rec(f"{base}.password", Disposition.MEMBER, "basic-auth.password")
        urls = c.get("urls")
        if isinstance(urls, list):
            for i, url in enumerate(urls):
                if isinstance(url, str) and url:
                    self.urls.append(url)
                    self.rec(f"{base}.urls[{i}]", Disposition.MEMBER, "scope.urls")
        totp = c.get("totpUri")
        if isinstance(totp, str) and totp:
            self.totp(totp, f"{base}.totpUri", "TOTP")
        passkeys = c.get("passkeys")
        if isinstance(passkeys, list):
            for i, entry in enumerate(passkeys):
                self.passkey(entry, f"{base}.passkeys[{i}]")

    def totp(self, text: str, sub: str, label: str) -> None:
        parsed, form = parse_totp(text)
        if parsed is not None and parsed.algorithm in m.Totp.KNOWN_ALGORITHMS:
            self.add(parsed)
            self.rec(sub, Disposition.MEMBER, "totp")
            self.ext.setdefault("totpForms", []).append(form)
        else:
            why = form if parsed is None else "an algorithm CXF does not register"
            self.extra_field(label, text, sub, concealed=True, note=why)

    def passkey(self, entry: Any, sub: str) -> None:
        if not isinstance(entry, dict):
            return  # scalars: the sweep keeps them
        try:
            inner = decode_passkey_content(_std_b64(entry.get("content"), "content"))
            der = _cose_to_der(inner.get("key"))
            cid = inner.get("cid")
            if not isinstance(cid, bytes) or not cid:
                cid = _std_b64(entry.get("credentialId"), "credentialId")
            rp_id = entry.get("rpId") if isinstance(entry.get("rpId"), str) else inner.get("rid")
            if not isinstance(rp_id, str) or not rp_id:
                raise AdapterError("the passkey has no rpId")
            handle = inner.get("uhd")
            if not isinstance(handle, bytes):
                source = entry.get("userId") or entry.get("userHandle")
                handle = _std_b64(source, "userId") if source else b""
            counter = inner.get("cnt")
        except CxkitError as exc:
            self.rec_all(entry, sub, Disposition.NOT_CARRIED, "", exc.message)
            self.report.add_credential(
                "read", "passkey", self.title, Outcome.NOT_CARRIED, exc.message
            )
            return
        username = (
            entry.get("userName") if isinstance(entry.get("userName"), str) else inner.get("un")
        )
        display = (
            entry.get("userDisplayName")
            if isinstance(entry.get("userDisplayName"), str)
            else inner.get("udn")
        )
        self.add(
            m.Passkey(
                credential_id=b64.encode(cid),
                rp_id=rp_id,
                username=username if isinstance(username, str) else "",
                user_display_name=display if isinstance(display, str) else "",
                user_handle=b64.encode(handle),
                key=b64.encode(der),
            ),
            *(
                (Outcome.TRANSFORMED, f"signature counter {counter} (CXF requires 0)")
                if isinstance(counter, int) and counter
                else (Outcome.CARRIED, "")
            ),
        )
        members = {
            "content": "passkey.key",
            "rpId": "passkey.rpId",
            "userName": "passkey.username",
            "userDisplayName": "passkey.userDisplayName",
            "credentialId": "passkey.credentialId",
            "userHandle": "passkey.userHandle",
            "userId": "passkey.userHandle",
        }
        meta: dict[str, Any] = {}
        for k, v in entry.items():
            if v is None or v == "":
                continue
            if k in members:
                self.rec(f"{sub}.{k}", Disposition.MEMBER, members[k])
            elif k == "note" and isinstance(v, str):
                self.extra_field(f"Passkey note ({rp_id})", v, f"{sub}.note")
            else:
                meta[k] = v
                self.rec_all(v, f"{sub}.{k}", Disposition.EXTENSION, f"extension.passkeys.{k}")
        if isinstance(counter, int) and counter:
            meta["counter"] = counter
        self.ext.setdefault("passkeys", []).append(meta)

    # -- credit card
    def card(self, c: Mapping[str, Any]) -> None:
        base = ".data.content"
        values: dict[str, m.EditableField] = {}
        for key, attr, ftype in (
            ("cardholderName", "full_name", "string"),
            ("number", "number", "concealed-string"),
            ("verificationNumber", "verification_number", "concealed-string"),
            ("pin", "pin", "concealed-string"),
        ):
            value = c.get(key)
            if isinstance(value, str) and value:
                values[attr] = _ef(value, ftype)
                self.rec(f"{base}.{key}", Disposition.MEMBER, f"credit-card.{attr}")
        expiry = c.get("expirationDate")
        if isinstance(expiry, str) and _YEAR_MONTH_RE.match(expiry):
            values["expiry_date"] = _ef(expiry, "year-month")
            self.rec(f"{base}.expirationDate", Disposition.MEMBER, "credit-card.expiryDate")
        elif isinstance(expiry, str):
            self.extra_field("Expiration date", expiry, f"{base}.expirationDate",
                             note="not YYYY-MM")  # fmt: skip
        kind = c.get("cardType")
        if isinstance(kind, int) and kind in _CARD_TYPES:
            values["card_type"] = _ef(_CARD_TYPES[kind])
            self.rec(f"{base}.cardType", Disposition.MEMBER, "credit-card.cardType")
        elif kind is not None:
            self.ext["cardType"] = kind
            self.rec_all(kind, f"{base}.cardType", Disposition.EXTENSION, "extension.cardType")
        self.add(m.CreditCard(**values))  # type: ignore[arg-type]

    # -- identity
    def identity(self, c: Mapping[str, Any]) -> None:
        base = ".data.content"

        def text(key: str) -> str | None:
            value = c.get(key)
            return value if isinstance(value, str) and value else None

        name = {a: _ef(text(k) or "") for k, a in _IDENTITY_NAME.items() if text(k)}
        if name:
            self.add(m.PersonName(**name))  # type: ignore[arg-type]
            for k, a in _IDENTITY_NAME.items():
                if text(k):
                    self.rec(f"{base}.{k}", Disposition.MEMBER, f"person-name.{a}")
        address: dict[str, m.EditableField] = {}
        for k, (a, ftype) in _IDENTITY_ADDRESS.items():
            value = text(k)
            if value is None:
                continue
            if ftype == "country-code" and not _COUNTRY_RE.match(value):
                ftype = "string"
            address[a] = _ef(value, ftype)
            self.rec(f"{base}.{k}", Disposition.MEMBER, f"address.{a}")
        if address:
            self.add(m.Address(**address))  # type: ignore[arg-type]
        full_name = text("fullName")
        for k, (cls, a) in _IDENTITY_DOCS.items():
            value = text(k)
            if value is None:
                continue
            members = {a: _ef(value)}
            if full_name is not None:
                members["full_name"] = _ef(full_name)
            self.add(cls(**members))
            self.rec(f"{base}.{k}", Disposition.MEMBER, f"{cxf.credential_type(cls())}.{a}")
        for k, label in _IDENTITY_LABELS.items():
            value = text(k)
            if value is not None:
                self.extra_field(label, value, f"{base}.{k}")
        for k, label in _IDENTITY_EXTRA.items():
            self.extra_fields(c.get(k), f"{base}.{k}", label)
        self.sections(c.get("extraSections"), f"{base}.extraSections")

    # -- SSH key
    def ssh_key(self, c: Mapping[str, Any]) -> None:
        base = ".data.content"
        private, public = c.get("privateKey"), c.get("publicKey")
        if isinstance(private, str) and private:
            try:
                der, key_type = ssh_private_to_pkcs8(private)
                comment = None
                if isinstance(public, str):
                    parts = public.split(None, 2)
                    comment = parts[2] if len(parts) == 3 else None
                _, line, _fp = ssh_from_pkcs8(der, comment)
            except AdapterError as exc:
                self.extra_field("Private key", private, f"{base}.privateKey", concealed=True,
                                 note=exc.message)  # fmt: skip
                self.extra_field("Public key", public, f"{base}.publicKey")
            else:
                self.add(m.SshKey(key_type=key_type, private_key=der, key_comment=comment))
                self.rec(f"{base}.privateKey", Disposition.MEMBER, "ssh-key.privateKey")
                if isinstance(public, str) and public:
                    if public.strip() != line:
                        self.ext["sshPublicKey"] = public
                    self.rec(f"{base}.publicKey", Disposition.MEMBER, "ssh-key (public key)")
                fingerprint = c.get("fingerprint")
                if isinstance(fingerprint, str) and fingerprint:
                    self.ext["sshFingerprint"] = fingerprint
                    self.rec(f"{base}.fingerprint", Disposition.EXTENSION, "extension.sshFingerprint")  # fmt: skip
        else:
            self.extra_field("Public key", public, f"{base}.publicKey")
        self.sections(c.get("sections"), f"{base}.sections")

    # -- Wi-Fi
    def wifi(self, c: Mapping[str, Any]) -> None:
        base = ".data.content"
        values: dict[str, m.EditableField] = {}
        ssid, password, security = c.get("ssid"), c.get("password"), c.get("security")
        if isinstance(ssid, str) and ssid:
            values["ssid"] = _ef(ssid)
            self.rec(f"{base}.ssid", Disposition.MEMBER, "wifi.ssid")
        if isinstance(password, str) and password:
            values["passphrase"] = _ef(password, "concealed-string")
            self.rec(f"{base}.password", Disposition.MEMBER, "wifi.passphrase")
        if isinstance(security, int) and security in _WIFI_SECURITY:
            values["network_security_type"] = _ef(
                _WIFI_SECURITY[security], "wifi-network-security-type"
            )
            self.rec(f"{base}.security", Disposition.MEMBER, "wifi.networkSecurityType")
        elif isinstance(security, str) and security:
            values["network_security_type"] = _ef(security, "string")
            self.rec(f"{base}.security", Disposition.MEMBER, "wifi.networkSecurityType")
        elif security is not None:
            self.ext["wifiSecurity"] = security
            self.rec_all(security, f"{base}.security", Disposition.EXTENSION, "extension.wifiSecurity")  # fmt: skip
        self.add(m.Wifi(**values))  # type: ignore[arg-type]
        self.sections(c.get("sections"), f"{base}.sections")

    # -- custom item
    def custom(self, c: Mapping[str, Any]) -> None:
        self.sections(c.get("sections"), ".data.content.sections")

    # -- fields and sections
    def extra_fields(self, fields: Any, sub: str, label: str | None) -> None:
        """``[{fieldName, type, data: {content | totpUri | timestamp}}]`` → one custom-fields
        credential (*label*), TOTP fields → TOTP credentials."""
        if not isinstance(fields, list):
            return
        out: list[m.EditableField] = []
        for i, f in enumerate(fields):
            if not isinstance(f, dict):
                continue
            fsub = f"{sub}[{i}]"
            name = f.get("fieldName") if isinstance(f.get("fieldName"), str) else None
            kind = f.get("type")
            data: dict[str, Any] = f["data"] if isinstance(f.get("data"), dict) else {}
            if kind == "totp" and isinstance(data.get("totpUri"), str) and data["totpUri"]:
                before = len(self.credentials)
                self.totp(data["totpUri"], f"{fsub}.data.totpUri", name or "TOTP")
                carried = len(self.credentials) > before
                if carried and name:
                    self.ext.setdefault("totpLabels", {})[str(len(self.credentials) - 1)] = name
                    self.rec(f"{fsub}.fieldName", Disposition.EXTENSION, "extension.totpLabels")
                elif name:
                    self.rec(f"{fsub}.fieldName", Disposition.CUSTOM_FIELD, "custom-fields[Proton Pass]")  # fmt: skip
                self.rec(f"{fsub}.type", Disposition.EXTENSION if carried else Disposition.CUSTOM_FIELD, "totp")  # fmt: skip
                continue
            value_key = next((k for k in ("content", "timestamp", "totpUri") if data.get(k) is not None), None)  # fmt: skip
            value = scalar_text(data.get(value_key)) if value_key else None
            if value is None:
                continue
            field_type = "concealed-string" if kind in ("hidden", "totp") else "string"
            if kind == "timestamp" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                field_type = "date"
            out.append(_ef(value, field_type, name))
            target = f"custom-fields[{label or 'extra fields'}]"
            for k in ("fieldName", "type"):
                if f.get(k) is not None:
                    self.rec(f"{fsub}.{k}", Disposition.CUSTOM_FIELD, target)
            self.rec(f"{fsub}.data.{value_key}", Disposition.CUSTOM_FIELD, target)
        if out:
            self.add(m.CustomFields(label=label, fields=tuple(out)))

    def sections(self, sections: Any, sub: str) -> None:
        if not isinstance(sections, list):
            return
        for i, section in enumerate(sections):
            if not isinstance(section, dict):
                continue
            title = section.get("sectionName")
            label = title if isinstance(title, str) and title else f"Section {i + 1}"
            before = len(self.credentials)
            self.extra_fields(section.get("sectionFields"), f"{sub}[{i}].sectionFields", label)
            if len(self.credentials) > before and isinstance(title, str) and title:
                self.rec(f"{sub}[{i}].sectionName", Disposition.MEMBER, "custom-fields.label")

    def platform(self, specific: Any) -> None:
        if not isinstance(specific, dict):
            return
        android = specific.get("android")
        apps = android.get("allowedApps") if isinstance(android, dict) else None
        if not isinstance(apps, list):
            return
        for i, app in enumerate(apps):
            sub = f".data.platformSpecific.android.allowedApps[{i}]"
            package = app.get("packageName") if isinstance(app, dict) else app
            if not isinstance(package, str) or not package:
                continue
            app_name = app.get("appName") if isinstance(app, dict) else None
            self.apps.append(
                m.AndroidAppId(
                    bundle_id=package, name=app_name if isinstance(app_name, str) else None
                )
            )
            if isinstance(app, dict):
                self.rec(f"{sub}.packageName", Disposition.MEMBER, "scope.androidApps")
                if isinstance(app_name, str):
                    self.rec(f"{sub}.appName", Disposition.MEMBER, "scope.androidApps.name")
                for k, v in app.items():
                    if k not in ("packageName", "appName") and v is not None:
                        self.ext.setdefault("androidApps", {}).setdefault(package, {})[k] = v
                        self.rec_all(v, f"{sub}.{k}", Disposition.EXTENSION, "extension.androidApps")  # fmt: skip
            else:
                self.rec(sub, Disposition.MEMBER, "scope.androidApps")

    # -- attachments
    def attachments(self, files: Any) -> None:
        if not isinstance(files, list):
            return
        for i, entry in enumerate(files):
            sub = f".files[{i}]"
            if entry is None:
                continue
            if self.files is None:
                self.rec_all(entry, sub, Disposition.NOT_CARRIED, "",
                             "a JSON export holds no file contents (export as ZIP)")  # fmt: skip
                self.report.add_credential("read", "file", self.title, Outcome.NOT_CARRIED,
                                           "the JSON export holds no file contents")  # fmt: skip
                continue
            found = self.files.find(entry)
            if found is None:
                self.rec_all(entry, sub, Disposition.NOT_CARRIED, "", "file not in the ZIP")
                self.report.add_credential(
                    "read", "file", self.title, Outcome.NOT_CARRIED, "file not in the ZIP"
                )
                continue
            member, content = found
            name = None
            if isinstance(entry, dict):
                name = next((entry[k] for k in ("fileName", "name") if isinstance(entry.get(k), str)), None)  # fmt: skip
            file_id = _id("protonpass-file", member)
            self.options.attachments[file_id] = content
            self.add(
                m.File(
                    id=file_id,
                    name=name or posixpath.basename(member),
                    decrypted_size=len(content),
                    integrity_hash=b64.encode(hashlib.sha256(content).digest()),
                )
            )
            self.rec_all(entry, sub, Disposition.MEMBER, "file")


def _value_at(obj: Any, sub: str) -> Any:
    """The value at a relative path built by ``_leaves`` (``.a.b[2].c``)."""
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", sub):
        key, index = part
        if key:
            obj = obj.get(key) if isinstance(obj, dict) else None
        else:
            obj = obj[int(index)] if isinstance(obj, list) and int(index) < len(obj) else None
    return obj


# =========================================================================== ZIP files


class _Files:
    """The ``files/`` members of a Proton Pass ZIP, found by file id or name."""

    def __init__(self, archive: Any, names: list[str]) -> None:
        self.archive = archive
        self.members = [n for n in names if "files" in n.split("/")[:-1] and not n.endswith("/")]
        self.used: set[str] = set()

    def find(self, entry: Any) -> tuple[str, bytes] | None:
        ids: list[str] = []
        names: list[str] = []
        if isinstance(entry, str):
            ids.append(entry)
        elif isinstance(entry, dict):
            for k in ("fileID", "fileId", "fileUid", "id"):
                if isinstance(entry.get(k), str) and entry[k]:
                    ids.append(entry[k])
            for k in ("fileName", "name"):
                if isinstance(entry.get(k), str) and entry[k]:
                    names.append(entry[k])
        for member in self.members:
            after = member.split("/files/", 1)[-1] if "/files/" in member else member[6:]
            parts = after.split("/")
            stem = posixpath.splitext(parts[-1])[0]
            if any(i in parts or i == stem for i in ids):
                return member, self._read(member)
        for member in self.members:
            if member not in self.used and posixpath.basename(member) in names:
                return member, self._read(member)
        return None

    def _read(self, member: str) -> bytes:
        self.used.add(member)
        data: bytes = self.archive.read(member)
        return data


# =========================================================================== the export


def _is_pgp(sample: Sample) -> bool:
    head = sample.data[:64].lstrip()
    if head.startswith(_PGP_ARMOR):
        return True
    lowered = sample.name.lower()
    return (
        lowered.endswith((".pgp", ".gpg")) and bool(sample.data[:1]) and sample.data[0] & 0x80 != 0
    )


def _pgp_error(name: str) -> AdapterError:
    return AdapterError(
        "this is an OpenPGP-encrypted export (Proton Pass 'PGP-encrypted' option): cxkit does "
        "not decrypt OpenPGP",
        location=name or None,
        hint="decrypt it straight into cxkit (gpg --decrypt FILE | cxkit convert - -o DEST), "
        "or export again choosing 'ZIP' or 'JSON'",
    )


def _data_json_name(names: tuple[str, ...] | list[str]) -> str | None:
    candidates = [n for n in names if n == "data.json" or n.endswith("/data.json")]
    preferred = [n for n in candidates if n == "Proton Pass/data.json"]
    return (preferred or candidates)[0] if candidates else None


class ProtonPassAdapter:
    info: Final = AdapterInfo(
        key="protonpass",
        app="Proton Pass",
        format="JSON or ZIP export (unencrypted; ZIP with attachments)",
        versions="1.x+ (contentFormatVersion 1-7; passkeys, identities, SSH keys, Wi-Fi, files)",
        capabilities=Capability.READ,
        credential_types=_CARRIES,
        how_to_export=_HOW_TO,
        extensions=(".zip", ".json"),
        json_keys=frozenset({"version", "vaults"}),
        zip_members=("Proton Pass/data.json",),
        magic=(_PGP_ARMOR,),
    )

    def accepts(self, sample: Sample) -> Confidence:
        if sample.zip_names is not None:
            name = _data_json_name(sample.zip_names)
            if name == "Proton Pass/data.json":
                return Confidence.CERTAIN
            return Confidence.MAYBE if name is not None else Confidence.NO
        keys = sample.json_keys
        if "vaults" in keys and sample.json_member_is("vaults", dict):
            if keys & {"version", "userId", "encrypted"}:
                return Confidence.CERTAIN
            return Confidence.LIKELY
        return Confidence.NO  # an OpenPGP file is named by detection, not claimed

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        if _is_pgp(sample):
            raise _pgp_error(sample.name)
        files: _Files | None = None
        if sample.data[:4] == b"PK\x03\x04" or sample.data[:4] == b"PK\x05\x06":
            archive = zip_archive(sample.data, name=sample.name)
            names = archive.names()
            inner = _data_json_name(names)
            if inner is None:
                raise AdapterError(
                    "no data.json in this ZIP: not a Proton Pass export",
                    location=sample.name or None,
                )
            data = archive.read(inner)
            if data.lstrip()[:27] == _PGP_ARMOR:
                raise _pgp_error(f"{sample.name}: {inner}")
            obj = parse_json(data, name=f"{sample.name}: {inner}")
            files = _Files(archive, names)
        else:
            obj = sample.json if sample.json_ok else parse_json(sample.data, name=sample.name)
        return read_export(obj, report, options, name=sample.name, files=files)


def read_export(
    obj: Any,
    report: MigrationReport,
    options: ReadOptions,
    *,
    name: str = "",
    files: _Files | None = None,
) -> cxf.Document:
    """A decoded Proton Pass export → CXF document."""
    if not isinstance(obj, dict):
        raise DecodeError("a Proton Pass export is a JSON object", location=name or None)
    if obj.get("encrypted") is True:
        raise _pgp_error(name)
    vaults = obj.get("vaults")
    if not isinstance(vaults, dict):
        raise DecodeError(
            "no 'vaults' object: not a Proton Pass export", location=f"{name}: $.vaults"
        )
    for key, value in obj.items():
        if key == "vaults" or value is None:
            continue
        disposition = Disposition.EXTENSION
        for leaf in json_leaves(value, f"$.{key}"):
            report.add_field(leaf, "", disposition, f"account.extension.{key}")
    user = obj.get("userId")
    collections: list[m.Collection] = []
    items: list[m.Item] = []
    used_ids: set[str] = set()
    for vault_key, vault in vaults.items():
        vpath = f"$.vaults.{vault_key}"
        if not isinstance(vault, dict):
            for leaf in json_leaves(vault, vpath):
                report.add_field(leaf, "", Disposition.NOT_CARRIED, "", "vault is not an object")
            continue
        vname: str = vault["name"] if isinstance(vault.get("name"), str) else ""
        vext: dict[str, Any] = {"shareId": vault_key}
        for k, v in vault.items():
            if k == "items" or v is None:
                continue
            if k == "name" and isinstance(v, str):
                report.add_field(f"{vpath}.name", vname, Disposition.MEMBER, "collection.title")
            elif k == "description" and isinstance(v, str) and v:
                report.add_field(f"{vpath}.description", vname, Disposition.MEMBER,
                                 "collection.subtitle")  # fmt: skip
            else:
                vext[k] = v
                for leaf in json_leaves(v, f"{vpath}.{k}"):
                    report.add_field(leaf, vname, Disposition.EXTENSION, f"collection.extension.{k}")  # fmt: skip
        members: list[m.LinkedItem] = []
        raw_items = vault.get("items")
        if raw_items is not None and not isinstance(raw_items, list):
            raise DecodeError("'items' is not an array", location=f"{name}: {vpath}.items")
        for i, raw in enumerate(raw_items or []):
            path = f"{vpath}.items[{i}]"
            item = _read_item(raw, path, report, options, files, vault_key, used_ids)
            if item is not None:
                items.append(item)
                members.append(m.LinkedItem(item=item.id))
        description = vault.get("description")
        collections.append(
            m.Collection(
                id=_id("protonpass-vault", str(vault_key)),
                title=vname,
                subtitle=description if isinstance(description, str) and description else None,
                items=tuple(members),
                extensions=(m.UnknownExtension(extension_name=EXTENSION, members=vext),),
            )
        )
    if files is not None:
        for member in files.members:
            if member not in files.used:
                report.add_field(f"zip:{member}", "", Disposition.NOT_CARRIED, "",
                                 "a file no item refers to")  # fmt: skip
            else:
                report.add_field(f"zip:{member}", "", Disposition.MEMBER, "file (bytes)")
    account = m.Account(
        id=_id("protonpass-account", user if isinstance(user, str) else ""),
        username="",
        email="",
        collections=tuple(collections),
        items=tuple(items),
        extensions=(
            m.UnknownExtension(
                extension_name=EXTENSION,
                members={k: v for k, v in obj.items() if k != "vaults" and v is not None},
            ),
        ),
    )
    return converted_document(account, rp_id=EXPORTER_RP_ID, app="Proton Pass")


def _read_item(
    raw: Any,
    path: str,
    report: MigrationReport,
    options: ReadOptions,
    files: _Files | None,
    vault_key: str,
    used_ids: set[str],
) -> m.Item | None:
    if not isinstance(raw, dict):
        report.skip_item(path, "not a JSON object")
        for leaf in json_leaves(raw, path):
            report.add_field(leaf, "", Disposition.NOT_CARRIED, "", "item is not an object")
        return None
    if raw.get("state") == 2 and not options.include_trashed:
        probe = _ItemReader(raw, path, MigrationReport(), "", None, options)
        report.skip_item(probe.title, "in the trash (--include-trashed reads it)")
        for leaf in json_leaves(raw, path):
            report.add_field(leaf, probe.title, Disposition.NOT_CARRIED, "", "item in the trash")
        return None
    raw_id = raw.get("itemId")
    item_id = _id("protonpass-item", vault_key, raw_id if isinstance(raw_id, str) else path)
    if item_id in used_ids:
        item_id = _id("protonpass-item", vault_key, path)
    used_ids.add(item_id)
    scratch = MigrationReport()
    attachments: dict[str, bytes] = {}
    reader = _ItemReader(raw, path, scratch, item_id, files, ReadOptions(attachments=attachments))
    try:
        item = reader.build()
    except InputTooLargeError:
        raise  # a zip bomb stops the whole read
    except (CxkitError, msgspec.ValidationError, ValueError, TypeError) as exc:
        message = exc.message if isinstance(exc, CxkitError) else type(exc).__name__
        report.skip_item(reader.title, f"cannot be read: {message}")
        for leaf in json_leaves(raw, path):
            report.add_field(leaf, reader.title, Disposition.NOT_CARRIED, "", "item skipped")
        return None
    report.fields.extend(scratch.fields)
    report.credentials.extend(scratch.credentials)
    options.attachments.update(attachments)
    report.items_read += 1
    for c_index, (ctype, outcome, note) in enumerate(reader.notes):
        report.add_credential("read", ctype, item.title, outcome, note, key=(item.id, c_index))
    return item
