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

Built on the adapter kit (issue 12): each item is an :class:`~cxkit.adapters.kit.builder.ItemBuilder`
(records, credentials and their outcomes, the "Proton Pass" custom-fields group, skipping) and
the export a :class:`~cxkit.adapters.kit.builder.VaultBuilder` given the vaults as collections.
Kept here: Proton's own rules (TOTP forms and labels in the extension, raw epoch times, one
record per leaf, the sweep of members nobody took).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

import msgspec

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
)
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
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

__all__ = ["EXTENSION", "ProtonPassAdapter", "ProtonPassPgpAdapter", "decode_passkey_content"]

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
    "(JSON with attachments) or 'JSON' — or 'PGP-encrypted' (read with --from protonpass-pgp "
    "and the export's passphrase; needs gpg) — not CSV (no passkeys, cards or identities) — "
    "and confirm with your Proton password. Trashed items are skipped unless --include-trashed."
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

_PP: Final = "pp"  # the item's "Proton Pass" custom-fields group (members without a CXF place)
_DETAILS: Final = "Proton Pass details CXF has no member for, kept as custom fields"
_ALIAS: Final = "a Proton Pass alias (no CXF alias type): its address is a custom field"
_UNKNOWN: Final = "member unknown to cxkit, kept as a hidden custom field"
_PASSKEY_MEMBERS: Final = {
    "content": "passkey.key", "rpId": "passkey.rpId", "userName": "passkey.username",
    "userDisplayName": "passkey.userDisplayName", "credentialId": "passkey.credentialId",
    "userHandle": "passkey.userHandle", "userId": "passkey.userHandle",
}  # fmt: skip
_CARD: Final = (
    ("cardholderName", "full_name", "string"),
    ("number", "number", "concealed-string"),
    ("verificationNumber", "verification_number", "concealed-string"),
    ("pin", "pin", "concealed-string"),
)
_C: Final = ".data.content"


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    """``obj[key]`` when it is a non-empty string."""
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _leaves(value: Any, at: str) -> Iterator[tuple[str, Any]]:
    """(path, value) of every non-null leaf under *value* (the paths of ``json_leaves``)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{at}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{at}[{i}]")
    elif value is not None:
        yield at, value


class _Item:
    """One Proton Pass item on the kit's :class:`ItemBuilder` *b*: each source leaf is
    recorded once (paths relative to the item, ``.data.content.password``); the leaves no
    handler took are swept at the end (:meth:`sweep`)."""

    def __init__(self, b: ItemBuilder, raw: Mapping[str, Any], files: _Files | None) -> None:
        self.b = b
        self.raw = raw
        self.files = files
        self.seen: set[str] = set()
        self.lost: list[tuple[str, str]] = []  # (credential type, why) of credentials not read
        self.attachments: dict[str, bytes] = {}
        self.apps: list[m.AndroidAppId] = []
        data = raw.get("data")
        self.data: Mapping[str, Any] = data if isinstance(data, dict) else {}
        meta = self.data.get("metadata")
        self.meta: Mapping[str, Any] = meta if isinstance(meta, dict) else {}
        b.define_group(_PP, label="Proton Pass", outcome=Outcome.TRANSFORMED,
                       note=lambda _: _ALIAS if b.ext.get("alias") else _DETAILS)  # fmt: skip

    # -- recording
    def rec(self, at: str, disposition: Disposition, target: str = "", note: str = "") -> None:
        if at not in self.seen:
            self.seen.add(at)
            self.b.rec(at, disposition, target, note)

    def rec_all(
        self, value: Any, at: str, disposition: Disposition, target: str = "", note: str = ""
    ) -> None:
        for leaf in json_leaves(value, at):
            self.rec(leaf, disposition, target, note)

    def keep(self, key: str, value: Any, at: str) -> None:
        """*value* into the item's extension as *key*, every leaf recorded there."""
        self.b.ext[key] = value
        self.rec_all(value, at, Disposition.EXTENSION, f"extension.{key}")

    def pp_field(
        self, label: str, value: Any, at: str, *, concealed: bool = False, note: str = ""
    ) -> None:
        """A member CXF has no place for → a field of the item's "Proton Pass" custom fields
        (empty ones are left to the sweep)."""
        text = scalar_text(value)
        if not text or at in self.seen:
            return
        kind = "boolean" if isinstance(value, bool) else "concealed-string" if concealed else "string"  # fmt: skip
        self.seen.add(at)
        self.b.custom(label, Val(text, at), note=note, group=_PP, field=_ef(text, kind, label))

    # -- the item
    def build(self) -> None:
        raw, data, b = self.raw, self.data, self.b
        for key in ("itemId", "shareId", "state", "contentFormatVersion", "shareCount"):
            if raw.get(key) is not None:
                self.keep(key, raw[key], f".{key}")
        for key in ("createTime", "modifyTime"):
            value = raw.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                if key == "createTime":
                    b.created_at = value
                else:
                    b.modified_at = value
                self.rec(f".{key}", Disposition.MEMBER, f"item.{key}")
        if isinstance(raw.get("pinned"), bool):
            self.seen.add(".pinned")
            b.favorite(Val("", ".pinned"), raw["pinned"])
        if isinstance(self.meta.get("name"), str):
            self.rec(".data.metadata.name", Disposition.MEMBER, "item.title")
        if self.meta.get("itemUuid") is not None:
            self.keep("itemUuid", self.meta["itemUuid"], ".data.metadata.itemUuid")
        kind = data.get("type")
        if kind is not None:
            self.keep("type", kind, ".data.type")
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
        alias = _text(raw, "aliasEmail")
        if alias is not None:
            self.pp_field("Alias e-mail", alias, ".aliasEmail")
            if kind == "alias":
                b.ext["alias"] = True
        note = _text(self.meta, "note")
        if note is not None:
            self.seen.add(".data.metadata.note")
            b.note(Val(note, ".data.metadata.note"))
        self.extra_fields(data.get("extraFields"), ".data.extraFields", None)
        self.platform(data.get("platformSpecific"))
        self.attachments_of(raw.get("files"))
        self.sweep()
        if self.apps:
            urls = b.scope.urls if b.scope is not None else ()
            b.scope = m.CredentialScope(urls=urls, android_apps=tuple(self.apps))

    def sweep(self) -> None:
        """Every leaf not handled above: a hidden custom field (a member unknown to cxkit) or,
        when empty, the extension's ``empty`` list."""
        for at, value in _leaves(self.raw, ""):
            if at in self.seen:
                continue
            if scalar_text(value):
                self.pp_field(at.lstrip("."), value, at, concealed=True, note=_UNKNOWN)
            else:
                self.b.ext.setdefault("empty", []).append(at)
                self.rec(at, Disposition.EXTENSION, "extension.empty", "empty value")

    # -- login
    def login(self, c: Mapping[str, Any]) -> None:
        user, mail, pw = _text(c, "itemUsername"), _text(c, "itemEmail"), _text(c, "password")
        name = user or mail
        if name is not None or pw is not None:
            self.b.add(
                m.BasicAuth(
                    username=_ef(name) if name is not None else None,
                    password=_ef(pw, "concealed-string") if pw is not None else None,
                )
            )
            if user is not None:
                self.rec(f"{_C}.itemUsername", Disposition.MEMBER, "basic-auth.username")
                if mail is not None:
                    self.pp_field("E-mail", mail, f"{_C}.itemEmail")
            elif mail is not None:
                self.rec(f"{_C}.itemEmail", Disposition.MEMBER, "basic-auth.username")
                self.b.ext["usernameFrom"] = "itemEmail"
            if pw is not None:
                self.rec(f"{_C}.password", Disposition.MEMBER, "basic-auth.password")
        urls = c.get("urls")
        if isinstance(urls, list):
            found = [Val(u, f"{_C}.urls[{i}]") for i, u in enumerate(urls) if isinstance(u, str)]
            self.b.urls(found)
            self.seen.update(v.at for v in found if v.text)
        totp = _text(c, "totpUri")
        if totp is not None:
            self.totp(totp, f"{_C}.totpUri", "TOTP")
        passkeys = c.get("passkeys")
        if isinstance(passkeys, list):
            for i, entry in enumerate(passkeys):
                if isinstance(entry, dict):  # scalars: the sweep keeps them
                    self.passkey(entry, f"{_C}.passkeys[{i}]")

    def totp(self, text: str, at: str, label: str) -> bool:
        """A TOTP credential, or a hidden custom field when CXF cannot hold it (its own TOTP
        rules: an unregistered algorithm such as Steam is kept as text). True when carried."""
        parsed, form = parse_totp(text)
        if parsed is not None and parsed.algorithm in m.Totp.KNOWN_ALGORITHMS:
            self.b.add(parsed)
            self.rec(at, Disposition.MEMBER, "totp")
            self.b.ext.setdefault("totpForms", []).append(form)
            return True
        why = form if parsed is None else "an algorithm CXF does not register"
        self.pp_field(label, text, at, concealed=True, note=why)
        return False

    def passkey(self, entry: Mapping[str, Any], at: str) -> None:
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
        except CxkitError as exc:
            self.rec_all(entry, at, Disposition.NOT_CARRIED, "", exc.message)
            self.lost.append(("passkey", exc.message))
            return
        username = entry.get("userName")
        username = username if isinstance(username, str) else inner.get("un")
        display = entry.get("userDisplayName")
        display = display if isinstance(display, str) else inner.get("udn")
        counter = inner.get("cnt")
        counted = isinstance(counter, int) and counter != 0
        self.b.add(
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
                if counted
                else (Outcome.CARRIED, "")
            ),
        )
        meta: dict[str, Any] = {}
        for k, v in entry.items():
            if v is None or v == "":
                continue
            if k in _PASSKEY_MEMBERS and scalar_text(v) is not None:
                self.rec(f"{at}.{k}", Disposition.MEMBER, _PASSKEY_MEMBERS[k])
            elif k == "note" and isinstance(v, str):
                self.pp_field(f"Passkey note ({rp_id})", v, f"{at}.note")
            else:
                meta[k] = v
                self.rec_all(v, f"{at}.{k}", Disposition.EXTENSION, f"extension.passkeys.{k}")
        if counted:
            meta["counter"] = counter
        self.b.ext.setdefault("passkeys", []).append(meta)

    # -- credit card
    def card(self, c: Mapping[str, Any]) -> None:
        values: dict[str, m.EditableField] = {}
        for key, attr, ftype in _CARD:
            value = _text(c, key)
            if value is not None:
                values[attr] = _ef(value, ftype)
                self.rec(f"{_C}.{key}", Disposition.MEMBER, f"credit-card.{attr}")
        expiry = c.get("expirationDate")
        if isinstance(expiry, str) and _YEAR_MONTH_RE.match(expiry):
            values["expiry_date"] = _ef(expiry, "year-month")
            self.rec(f"{_C}.expirationDate", Disposition.MEMBER, "credit-card.expiryDate")
        elif isinstance(expiry, str):
            self.pp_field("Expiration date", expiry, f"{_C}.expirationDate", note="not YYYY-MM")
        kind = c.get("cardType")
        if isinstance(kind, int) and kind in _CARD_TYPES:
            values["card_type"] = _ef(_CARD_TYPES[kind])
            self.rec(f"{_C}.cardType", Disposition.MEMBER, "credit-card.cardType")
        elif kind is not None:
            self.keep("cardType", kind, f"{_C}.cardType")
        self.b.add(m.CreditCard(**values))  # type: ignore[arg-type]

    # -- identity
    def identity(self, c: Mapping[str, Any]) -> None:
        name = {a: _ef(v) for k, a in _IDENTITY_NAME.items() if (v := _text(c, k))}
        if name:
            self.b.add(m.PersonName(**name))  # type: ignore[arg-type]
            for k, a in _IDENTITY_NAME.items():
                if _text(c, k):
                    self.rec(f"{_C}.{k}", Disposition.MEMBER, f"person-name.{a}")
        address: dict[str, m.EditableField] = {}
        for k, (a, ftype) in _IDENTITY_ADDRESS.items():
            value = _text(c, k)
            if value is None:
                continue
            if ftype == "country-code" and not _COUNTRY_RE.match(value):
                ftype = "string"
            address[a] = _ef(value, ftype)
            self.rec(f"{_C}.{k}", Disposition.MEMBER, f"address.{a}")
        if address:
            self.b.add(m.Address(**address))  # type: ignore[arg-type]
        full_name = _text(c, "fullName")
        for k, (cls, a) in _IDENTITY_DOCS.items():
            value = _text(c, k)
            if value is None:
                continue
            members = {a: _ef(value)}
            if full_name is not None:
                members["full_name"] = _ef(full_name)
            self.b.add(cls(**members))
            self.rec(f"{_C}.{k}", Disposition.MEMBER, f"{cxf.credential_type(cls())}.{a}")
        for k, label in _IDENTITY_LABELS.items():
            value = _text(c, k)
            if value is not None:
                self.pp_field(label, value, f"{_C}.{k}")
        for k, label in _IDENTITY_EXTRA.items():
            self.extra_fields(c.get(k), f"{_C}.{k}", label)
        self.sections(c.get("extraSections"), f"{_C}.extraSections")

    # -- SSH key
    def ssh_key(self, c: Mapping[str, Any]) -> None:
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
                self.pp_field("Private key", private, f"{_C}.privateKey", concealed=True,
                           note=exc.message)  # fmt: skip
                self.pp_field("Public key", public, f"{_C}.publicKey")
            else:
                self.b.add(m.SshKey(key_type=key_type, private_key=der, key_comment=comment))
                self.rec(f"{_C}.privateKey", Disposition.MEMBER, "ssh-key.privateKey")
                if isinstance(public, str) and public:
                    if public.strip() != line:
                        self.b.ext["sshPublicKey"] = public
                    self.rec(f"{_C}.publicKey", Disposition.MEMBER, "ssh-key (public key)")
                fingerprint = _text(c, "fingerprint")
                if fingerprint is not None:
                    self.keep("sshFingerprint", fingerprint, f"{_C}.fingerprint")
        else:
            self.pp_field("Public key", public, f"{_C}.publicKey")
        self.sections(c.get("sections"), f"{_C}.sections")

    # -- Wi-Fi
    def wifi(self, c: Mapping[str, Any]) -> None:
        values: dict[str, m.EditableField] = {}
        ssid, password, security = _text(c, "ssid"), _text(c, "password"), c.get("security")
        if ssid is not None:
            values["ssid"] = _ef(ssid)
            self.rec(f"{_C}.ssid", Disposition.MEMBER, "wifi.ssid")
        if password is not None:
            values["passphrase"] = _ef(password, "concealed-string")
            self.rec(f"{_C}.password", Disposition.MEMBER, "wifi.passphrase")
        if isinstance(security, int) and security in _WIFI_SECURITY:
            security = _ef(_WIFI_SECURITY[security], "wifi-network-security-type")
        elif isinstance(security, str) and security:
            security = _ef(security, "string")
        elif security is not None:
            self.keep("wifiSecurity", security, f"{_C}.security")
        if isinstance(security, m.EditableField):
            values["network_security_type"] = security
            self.rec(f"{_C}.security", Disposition.MEMBER, "wifi.networkSecurityType")
        self.b.add(m.Wifi(**values))  # type: ignore[arg-type]
        self.sections(c.get("sections"), f"{_C}.sections")

    # -- custom item
    def custom(self, c: Mapping[str, Any]) -> None:
        self.sections(c.get("sections"), f"{_C}.sections")

    # -- fields and sections
    def extra_fields(self, fields: Any, at: str, label: str | None) -> None:
        """``[{fieldName, type, data: {content | totpUri | timestamp}}]`` → one custom-fields
        credential (*label*), TOTP fields → TOTP credentials."""
        if not isinstance(fields, list):
            return
        out: list[m.EditableField] = []
        target = f"custom-fields[{label or 'extra fields'}]"
        for i, f in enumerate(fields):
            if not isinstance(f, dict):
                continue
            f_at = f"{at}[{i}]"
            name = f.get("fieldName") if isinstance(f.get("fieldName"), str) else None
            kind = f.get("type")
            data: dict[str, Any] = f["data"] if isinstance(f.get("data"), dict) else {}
            totp = _text(data, "totpUri") if kind == "totp" else None
            if totp is not None:
                carried = self.totp(totp, f"{f_at}.data.totpUri", name or "TOTP")
                if carried and name:
                    labels = self.b.ext.setdefault("totpLabels", {})
                    labels[str(len(self.b.credentials) - 1)] = name
                    self.rec(f"{f_at}.fieldName", Disposition.EXTENSION, "extension.totpLabels")
                elif name:
                    self.rec(f"{f_at}.fieldName", Disposition.CUSTOM_FIELD,
                             "custom-fields[Proton Pass]")  # fmt: skip
                disposition = Disposition.EXTENSION if carried else Disposition.CUSTOM_FIELD
                self.rec(f"{f_at}.type", disposition, "totp")
                continue
            key = next((k for k in ("content", "timestamp", "totpUri") if data.get(k) is not None), None)  # fmt: skip
            value = scalar_text(data.get(key)) if key else None
            if value is None:
                continue
            field_type = "concealed-string" if kind in ("hidden", "totp") else "string"
            if kind == "timestamp" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                field_type = "date"
            out.append(_ef(value, field_type, name))
            for k in ("fieldName", "type"):
                if scalar_text(f.get(k)) is not None:  # (an object or a list: the sweep's)
                    self.rec(f"{f_at}.{k}", Disposition.CUSTOM_FIELD, target)
            self.rec(f"{f_at}.data.{key}", Disposition.CUSTOM_FIELD, target)
        if out:
            self.b.add(m.CustomFields(label=label, fields=tuple(out)))

    def sections(self, sections: Any, at: str) -> None:
        if not isinstance(sections, list):
            return
        for i, section in enumerate(sections):
            if not isinstance(section, dict):
                continue
            title = _text(section, "sectionName")
            before = len(self.b.credentials)
            fields_at = f"{at}[{i}].sectionFields"
            self.extra_fields(section.get("sectionFields"), fields_at, title or f"Section {i + 1}")
            if len(self.b.credentials) > before and title is not None:
                self.rec(f"{at}[{i}].sectionName", Disposition.MEMBER, "custom-fields.label")

    def platform(self, specific: Any) -> None:
        android = specific.get("android") if isinstance(specific, dict) else None
        apps = android.get("allowedApps") if isinstance(android, dict) else None
        if not isinstance(apps, list):
            return
        for i, app in enumerate(apps):
            at = f".data.platformSpecific.android.allowedApps[{i}]"
            package = app.get("packageName") if isinstance(app, dict) else app
            if not isinstance(package, str) or not package:
                continue
            if not isinstance(app, dict):
                self.apps.append(m.AndroidAppId(bundle_id=package))
                self.rec(at, Disposition.MEMBER, "scope.androidApps")
                continue
            app_name = app.get("appName") if isinstance(app.get("appName"), str) else None
            self.apps.append(m.AndroidAppId(bundle_id=package, name=app_name))
            self.rec(f"{at}.packageName", Disposition.MEMBER, "scope.androidApps")
            if app_name is not None:
                self.rec(f"{at}.appName", Disposition.MEMBER, "scope.androidApps.name")
            for k, v in app.items():
                if k not in ("packageName", "appName") and v is not None:
                    self.b.ext.setdefault("androidApps", {}).setdefault(package, {})[k] = v
                    self.rec_all(v, f"{at}.{k}", Disposition.EXTENSION, "extension.androidApps")

    # -- attachments
    def attachments_of(self, files: Any) -> None:
        if not isinstance(files, list):
            return
        for i, entry in enumerate(files):
            at = f".files[{i}]"
            if entry is None:
                continue
            found = self.files.find(entry) if self.files is not None else None
            if found is None:
                why, note = (
                    ("the JSON export holds no file contents",
                     "a JSON export holds no file contents (export as ZIP)")
                    if self.files is None
                    else ("file not in the ZIP", "file not in the ZIP")
                )  # fmt: skip
                self.rec_all(entry, at, Disposition.NOT_CARRIED, "", note)
                self.lost.append(("file", why))
                continue
            member, content = found
            name = None
            if isinstance(entry, dict):
                name = next((entry[k] for k in ("fileName", "name") if isinstance(entry.get(k), str)), None)  # fmt: skip
            file_id = _id("protonpass-file", member)
            self.attachments[file_id] = content
            self.b.add(
                m.File(
                    id=file_id,
                    name=name or posixpath.basename(member),
                    decrypted_size=len(content),
                    integrity_hash=b64.encode(hashlib.sha256(content).digest()),
                )
            )
            self.rec_all(entry, at, Disposition.MEMBER, "file")


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
        "this is an OpenPGP-encrypted export (Proton Pass 'PGP-encrypted' option)",
        location=name or None,
        hint="read it with --from protonpass-pgp (asks for the export's passphrase; needs gpg), "
        "or decrypt it straight into cxkit (gpg --decrypt FILE | cxkit convert - -o DEST)",
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
        # no magic hint: an OpenPGP-armoured export is named by detection, never claimed
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
            obj = sample.parsed_json()
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
        if key != "vaults":
            for leaf in json_leaves(value, f"$.{key}"):
                report.add_field(leaf, "", Disposition.EXTENSION, f"account.extension.{key}")
    builder = VaultBuilder(report, key="protonpass", rp_id=EXPORTER_RP_ID, app="Proton Pass",
                           include_trashed=options.include_trashed)  # fmt: skip
    collections = [
        _vault(builder, str(key), vault, options, files, name) for key, vault in vaults.items()
    ]
    if files is not None:
        for member in files.members:
            if member in files.used:
                report.add_field(f"zip:{member}", "", Disposition.MEMBER, "file (bytes)")
            else:
                report.add_field(f"zip:{member}", "", Disposition.NOT_CARRIED, "",
                                 "a file no item refers to")  # fmt: skip
    user = obj.get("userId")
    return builder.build(
        account_id=_id("protonpass-account", user if isinstance(user, str) else ""),
        account_extension=(
            EXTENSION,
            {k: v for k, v in obj.items() if k != "vaults" and v is not None},
        ),
        collections=tuple(c for c in collections if c is not None),
    )


def _vault(
    builder: VaultBuilder,
    key: str,
    vault: Any,
    options: ReadOptions,
    files: _Files | None,
    name: str,
) -> m.Collection | None:
    """One vault → a collection of its items (read into *builder*)."""
    report, at = builder.report, f"$.vaults.{key}"
    if not isinstance(vault, dict):
        for leaf in json_leaves(vault, at):
            report.add_field(leaf, "", Disposition.NOT_CARRIED, "", "vault is not an object")
        return None
    title: str = vault["name"] if isinstance(vault.get("name"), str) else ""
    description = _text(vault, "description")
    ext: dict[str, Any] = {"shareId": key}
    for k, v in vault.items():
        if k == "items" or v is None:
            continue
        if k == "name" and isinstance(v, str):
            report.add_field(f"{at}.name", title, Disposition.MEMBER, "collection.title")
        elif k == "description" and description is not None:
            report.add_field(f"{at}.description", title, Disposition.MEMBER, "collection.subtitle")
        else:
            ext[k] = v
            for leaf in json_leaves(v, f"{at}.{k}"):
                report.add_field(leaf, title, Disposition.EXTENSION, f"collection.extension.{k}")
    raw_items = vault.get("items")
    if raw_items is not None and not isinstance(raw_items, list):
        raise DecodeError("'items' is not an array", location=f"{name}: {at}.items")
    members: list[m.LinkedItem] = []
    for i, raw in enumerate(raw_items or []):
        item = _read_item(builder, raw, f"{at}.items[{i}]", key, options, files)
        if item is not None:
            members.append(m.LinkedItem(item=item.id))
    return m.Collection(
        id=_id("protonpass-vault", key),
        title=title,
        subtitle=description,
        items=tuple(members),
        extensions=(m.UnknownExtension(extension_name=EXTENSION, members=ext),),
    )


def _read_item(
    builder: VaultBuilder,
    raw: Any,
    path: str,
    vault_key: str,
    options: ReadOptions,
    files: _Files | None,
) -> m.Item | None:
    """One item through an :class:`ItemBuilder`: skipped (every leaf not carried) when it is
    trashed or cannot be read."""
    report = builder.report
    if not isinstance(raw, dict):
        report.skip_item(path, "not a JSON object")
        for leaf in json_leaves(raw, path):
            report.add_field(leaf, "", Disposition.NOT_CARRIED, "", "item is not an object")
        return None
    used: set[str] = builder.state.setdefault("ids", set())
    raw_id = raw.get("itemId")
    item_id = _id("protonpass-item", vault_key, raw_id if isinstance(raw_id, str) else path)
    if item_id in used:
        item_id = _id("protonpass-item", vault_key, path)
    data = raw.get("data")
    meta = data.get("metadata") if isinstance(data, dict) else None
    title = meta.get("name") if isinstance(meta, dict) else None
    title = title if isinstance(title, str) else ""

    def skip(reason: str, note: str) -> None:
        b = builder.item(path, item_id=item_id, title=title)
        for leaf in json_leaves(raw, ""):
            b.rec(leaf, Disposition.NOT_CARRIED)
        b.fail(reason, note=note)

    if raw.get("state") == 2 and not options.include_trashed:
        skip("in the trash (--include-trashed reads it)", "item in the trash")
        return None
    used.add(item_id)
    reader = _Item(builder.item(path, item_id=item_id, title=title, extension=EXTENSION,
                                empty_extension=True), raw, files)  # fmt: skip
    try:
        reader.build()
    except InputTooLargeError:
        raise  # a zip bomb stops the whole read
    except (CxkitError, msgspec.ValidationError, ValueError, TypeError) as exc:
        skip(f"cannot be read: {exc.message if isinstance(exc, CxkitError) else type(exc).__name__}",
             "item skipped")  # fmt: skip
        return None
    for kind, why in reader.lost:
        report.add_credential("read", kind, title, Outcome.NOT_CARRIED, why)
    options.attachments.update(reader.attachments)
    return builder.add(reader.b)


# =========================================================================== PGP-encrypted


class ProtonPassPgpAdapter:
    """Proton Pass's 'PGP-encrypted' export (``formats/protonpass.md`` §5): the ZIP or JSON
    export in an OpenPGP message encrypted with a passphrase the user chose. Decrypted by the
    ``gpg`` program in a private throw-away GnuPG home (the passphrase on a pipe of its own,
    :mod:`cxkit.adapters.kit.gpg`; the plaintext never on disk), then read as the ZIP/JSON (or
    CSV) export. Taken by detection only with positive evidence: an OpenPGP message whose file
    name says Proton Pass (``Proton Pass_export….pgp``); else ``--from protonpass-pgp``."""

    info: Final = AdapterInfo(
        key="protonpass-pgp",
        app="Proton Pass",
        format="PGP-encrypted export (the ZIP or JSON export under a passphrase), via gpg",
        versions="1.x",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=_CARRIES,
        how_to_export=(
            "Proton Pass: Settings → Export → 'PGP-encrypted', choose a passphrase. cxkit asks "
            "for it (or --password-file/-env/-stdin) and decrypts with gpg (GnuPG must be "
            "installed), in memory."
        ),
        extensions=(".pgp",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for an OpenPGP message named as Proton Pass names its exports."""
        if sample.kind != "openpgp" or sample.extra.get("openpgp") != "message":
            return Confidence.NO
        base = posixpath.basename(sample.name.replace("\\", "/")).lower()
        if base.startswith(("proton pass", "proton_pass", "protonpass")):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        from cxkit.adapters.base import PasswordNeededError
        from cxkit.adapters.detection import make_sample, openpgp_kind
        from cxkit.adapters.kit import gpg

        name = sample.name
        if sample.folder is not None or openpgp_kind(sample.data) != "message":
            raise AdapterError(
                "not an OpenPGP message: not a Proton Pass PGP-encrypted export",
                location=name or None,
            )
        gpg.gpg_program()  # a missing gpg: one clear error before the passphrase is asked
        gpg.check_passphrase_kdf(sample.data, location=name or None)  # before any work
        if options.password is None:
            raise PasswordNeededError(
                "the export is encrypted with a passphrase", location=name or None,
                hint="give the passphrase chosen when exporting (--password-file, "
                "--password-env or --password-stdin)",
            )  # fmt: skip
        passphrase = options.password("passphrase of the Proton Pass PGP export")
        with gpg.private_home() as home:
            plain = gpg.decrypt(sample.data, location=name or None, home=home,
                                passphrase=passphrase, max_output=options.max_size)  # fmt: skip
        del passphrase
        inner_name = name[:-4] if name.lower().endswith((".pgp", ".gpg")) else name
        inner = make_sample(plain, inner_name)
        if inner.csv_header is not None and inner.kind == "csv":
            from cxkit.adapters.protonpass_csv import ProtonPassCsvAdapter

            csv_reader = ProtonPassCsvAdapter()
            if csv_reader.accepts(inner) >= Confidence.LIKELY:
                return csv_reader.read(inner, options, report)
        reader = ProtonPassAdapter()
        if reader.accepts(inner) < Confidence.MAYBE:
            raise AdapterError(
                "decrypted, but the content is not a Proton Pass export (JSON, ZIP or CSV)",
                location=name or None,
            )
        return reader.read(inner, options, report)
