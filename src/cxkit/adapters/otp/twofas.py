"""2FAS Authenticator backups (``.2fas``), plain and encrypted (``../shared/formats/totp-apps.md``
§3).

``{services[], servicesEncrypted?, reference?, groups[], updatedAt, schemaVersion (1-4),
appVersionCode, appVersionName, appOrigin}``. A service is ``{name, secret, updatedAt, type?,
serviceTypeID?, otp{link?, label, account, issuer, digits, period, algorithm, tokenType (TOTP |
HOTP | STEAM), counter?, source}, order{position}, icon{…}, badge{…}, groupId?}``.

Encrypted: ``services`` is empty and ``servicesEncrypted`` is ``"<ciphertext‖tag>:<salt>:<iv>"``
(base64 each; 256-byte salt, 12-byte IV), key ``PBKDF2-HMAC-SHA256(password, salt, 10 000,
32)``, AES-256-GCM; the plaintext is the JSON array of services. ``reference`` (schema ≥ 3) has
the same form and decrypts to 2FAS's fixed check text: a wrong password is told from it.

Each service becomes one item through :func:`~cxkit.adapters.otp.entry.add_entry`: the title is
the service ``name``; the issuer ``otp.issuer`` (else the name), the account ``otp.account``;
parameters missing from ``otp`` come from ``otp.link`` (an ``otpauth://`` URI), else the
defaults. Schema 1-2 services carry no token type: they are TOTP (as 2FAS reads them). Groups
become collections; icons, badges and positions are not carried.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.kit.builder import Val, VaultBuilder, stable_id
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.otp import _unlock
from cxkit.adapters.otp._jsonread import as_int, as_text, leaves
from cxkit.adapters.otp._write import collect, declaration
from cxkit.adapters.otp.entry import (
    Entry,
    add_entry,
    check_kdf,
    entry_uri,
    normalize_algorithm,
    parse_uri,
    secret_base32,
)
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError

__all__ = ["REFERENCE", "TwoFasAdapter", "TwoFasEncryptedAdapter", "decrypt_field", "encrypt_field"]

_HOW_TO: Final = (
    "2FAS: Settings → 2FAS Backup → Export to file; with a password the services are "
    "encrypted (cxkit asks for it)."
)
REFERENCE: Final = (
    "tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfggogbBJhtYgpK6fMl1D6mtsy92R3Hk"
    "dGfwuXbzLebqVFJsR7IZ2w58t938iymwG4824igYy1wi6n2WDpO1Q1P69zwJGs2F5a1qP4MyIiDSD7NCV2OvidXQCBnD"
    "lGfmz0f1BQySRkkt4ryiJeCjD2o4QsveJ9uDBUn8ELyOrESv5R5DMDkD4iAF8TXU7KyoJujd"
)
"""The fixed text 2FAS encrypts as ``reference`` (the password check of schema ≥ 3)."""
ITERATIONS: Final = 10_000
_CARRIES: Final = frozenset({"totp", "custom-fields"})
_TOKEN_TYPES: Final = {"totp": "totp", "hotp": "hotp", "steam": "steam"}
_SERVICE_KNOWN: Final = frozenset({"name", "secret", "updatedAt", "type", "serviceTypeID", "otp",
                                   "order", "icon", "badge", "groupId"})  # fmt: skip
_OTP_KNOWN: Final = frozenset({"link", "label", "account", "issuer", "digits", "period",
                               "algorithm", "tokenType", "counter", "source"})  # fmt: skip
_FROM_LINK: Final = ("account", "issuer", "digits", "period", "algorithm", "tokenType")
_BOOKKEEPING: Final = "2FAS backup bookkeeping"
_ICON: Final = "icon: CXF 1.0 items have no icon"
_MAX_SERVICES: Final = 100_000
_APP: Final = "2FAS"
_ICON_COLLECTION: Final = "a5b3fb65-4ec5-43e6-8ec1-49e24ca9e7ad"  # 2FAS's default label icon set


def _fits(entry: Entry) -> str:
    if entry.kind.lower() not in _TOKEN_TYPES:
        return f"2FAS holds TOTP, HOTP and Steam tokens, not {entry.kind.upper()}"
    if normalize_algorithm(entry.algorithm) not in ("sha1", "sha256", "sha512"):
        return "2FAS holds SHA-1, SHA-256 and SHA-512 only"
    return ""


WRITTEN: Final = declaration(_APP, note=False, favorite=False)


def _is_twofas(sample: Sample) -> bool:
    keys = sample.json_keys
    return {"services", "schemaVersion"} <= keys and sample.json_member_is("services", list)


# =========================================================================== encryption


def _split(value: Any, what: str, where: str | None) -> tuple[bytes, bytes, bytes]:
    if not isinstance(value, str) or value.count(":") != 2:
        raise DecodeError(f"{what} is not '<data>:<salt>:<iv>'", location=where)
    data, salt, iv = (_unlock.base64_member(p, what, where or "") for p in value.split(":"))
    if len(iv) != 12 or len(data) < 16 or not salt:
        raise DecodeError(f"{what} has a bad IV, salt or length", location=where)
    return data, salt, iv


def _key(password: str, salt: bytes, where: str | None) -> bytes:
    check_kdf("pbkdf2", iterations=ITERATIONS, where=where)
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS, 32)


def decrypt_field(obj: dict[str, Any], password: str, where: str | None = None) -> Any:
    """The decrypted services (decoded JSON) of an encrypted 2FAS backup; ``reference`` is
    checked first when present. A wrong password is a :class:`~cxkit.errors.DecryptionError`."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data, salt, iv = _split(obj.get("servicesEncrypted"), "servicesEncrypted", where)
    key = _key(password, salt, where)
    if obj.get("reference") is not None:
        ref, ref_salt, ref_iv = _split(obj["reference"], "reference", where)
        ref_key = key if ref_salt == salt else _key(password, ref_salt, where)
        try:
            AESGCM(ref_key).decrypt(ref_iv, ref, None)
        except InvalidTag:
            raise _unlock.wrong_password("the 2FAS backup", where) from None
    try:
        plain = AESGCM(key).decrypt(iv, data, None)
    except InvalidTag:
        raise _unlock.wrong_password("the 2FAS backup", where) from None
    return parse_json(plain, name=where or "")


def encrypt_field(plain: bytes, key: bytes, salt: bytes) -> str:
    """``<ciphertext‖tag>:<salt>:<iv>`` of *plain* (a fresh IV)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    iv = os.urandom(12)
    sealed = AESGCM(key).encrypt(iv, plain, None)
    return ":".join(base64.b64encode(p).decode("ascii") for p in (sealed, salt, iv))


# =========================================================================== reading


def _read(obj: dict[str, Any], services: Any, name: str, key: str, options: ReadOptions,
          report: MigrationReport, *, encrypted: bool) -> cxf.Document:  # fmt: skip
    where = name or None
    if not isinstance(services, list):
        raise DecodeError("not a 2FAS backup: the services are not a list", location=where)
    if len(services) > _MAX_SERVICES:
        raise DecodeError(f"more than {_MAX_SERVICES} services", location=where)
    vault = VaultBuilder(report, key=key, rp_id="2fas.com", app="2FAS",
                         include_trashed=options.include_trashed)  # fmt: skip
    group_names: dict[str, str] = {}
    for k, value in obj.items():
        if k == "groups" and isinstance(value, list):
            for g in value:
                if isinstance(g, dict) and isinstance(g.get("id"), str):
                    group_names[g["id"]] = as_text(g.get("name")) or g["id"]
            report.add_field("$.groups", "", Disposition.MEMBER, "collection.title")
        elif k == "services":
            if encrypted and value:
                report.add_field("$.services", "", Disposition.NOT_CARRIED, "",
                                 "plain services beside encrypted ones")  # fmt: skip
        elif k == "servicesEncrypted":
            report.add_field("$.servicesEncrypted", "", Disposition.MEMBER, "items", "decrypted")
        elif k == "reference":
            report.add_field("$.reference", "", Disposition.NOT_CARRIED, "",
                             "the password check")  # fmt: skip
        else:
            report.add_field(f"$.{k}", "", Disposition.NOT_CARRIED, "", _BOOKKEEPING)
    base = "$.servicesEncrypted" if encrypted else "$.services"
    for index, raw in enumerate(services):
        at = f"{base}[{index}]"
        if not isinstance(raw, dict):
            report.skip_item(f"service {index + 1}", "not a JSON object")
            report.add_field(at, "", Disposition.NOT_CARRIED, "", "not a 2FAS service")
            continue
        _read_service(vault, raw, at, index, name, key, group_names)
    return vault.build(account_id=stable_id(key, name, "account"))


def _read_service(vault: VaultBuilder, raw: dict[str, Any], at: str, index: int, name: str,
                  key: str, group_names: dict[str, str]) -> None:  # fmt: skip
    otp = raw.get("otp") if isinstance(raw.get("otp"), dict) else {}
    assert isinstance(otp, dict)
    b = vault.item(at, item_id=stable_id(key, name, str(index)))
    # the link is read only for what the service's own members lack (older and manual ones)
    lacking = any(otp.get(k) is None for k in _FROM_LINK)
    link = parse_uri(otp["link"]) if lacking and isinstance(otp.get("link"), str) else None
    from_link = link if isinstance(link, Entry) else None
    title = as_text(raw.get("name")).strip()
    token = as_text(otp.get("tokenType")).lower() or (from_link.kind if from_link else "totp")
    kind = _TOKEN_TYPES.get(token, token or "totp")

    def number(member: str, default: int) -> int:
        found = as_int(otp.get(member))
        if found is not None:
            return found
        if from_link is not None:
            return int(getattr(from_link, member))
        return default

    places: dict[str, str] = {}
    for attr, member, value in (
        ("secret", ".secret", raw.get("secret")), ("uri", ".otp.link", otp.get("link")),
        ("account", ".otp.account", otp.get("account")),
        ("issuer", ".otp.issuer", otp.get("issuer")), ("digits", ".otp.digits", otp.get("digits")),
        ("period", ".otp.period", otp.get("period")),
        ("algorithm", ".otp.algorithm", otp.get("algorithm")),
        ("kind", ".otp.tokenType", otp.get("tokenType")),
        ("counter", ".otp.counter", otp.get("counter")), ("groups", ".groupId", raw.get("groupId")),
    ):  # fmt: skip
        if value is not None:
            places[attr] = member
    account = as_text(otp.get("account")) or (from_link.account if from_link else "")
    issuer = as_text(otp.get("issuer")) or (from_link.issuer if from_link else "")
    if "issuer" not in otp:  # (an empty issuer written by the app stays empty)
        issuer = issuer or title
    algorithm = as_text(otp.get("algorithm")) or (from_link.algorithm if from_link else "sha1")
    group = raw.get("groupId")
    counter = as_int(otp.get("counter"))
    secret = raw.get("secret")
    entry = Entry(
        secret=secret if isinstance(secret, str) else "",
        kind=kind,
        issuer=issuer,
        account=account,
        algorithm=normalize_algorithm(algorithm),
        digits=number("digits", 5 if kind == "steam" else 6),
        period=number("period", 30),
        counter=counter if counter is not None or kind != "hotp" else 0,
        groups=(group_names.get(group, group),) if isinstance(group, str) and group else (),
        at=places,
    )
    if kind != "hotp" and "counter" in places:
        places.pop("counter")  # TOTP services of iOS exports carry counter 0: bookkeeping
        b.rec(".otp.counter", Disposition.NOT_CARRIED, "", "a TOTP has no counter")
    if add_entry(b, entry) == "skipped":
        return
    if title:
        b.title = title
        b.rec(".name", Disposition.MEMBER, "item.title")
    if isinstance(otp.get("label"), str):
        b.rec(".otp.label", Disposition.MEMBER, "totp.issuer+username")
    if raw.get("updatedAt") is not None:
        b.modified(Val(str(raw["updatedAt"]), ".updatedAt"))
    for member, why in (
        (".otp.source", "how the service was added (link or manual)"),
        (".type", "2FAS schema 1 service type"), (".serviceTypeID", _ICON), (".icon", _ICON),
        (".badge", "badge colour: CXF 1.0 items have none"),
        (".order", "the position (items keep the file's order)"),
    ):  # fmt: skip
        value = otp.get(member[5:]) if member.startswith(".otp.") else raw.get(member[1:])
        if value is not None:
            b.rec(member, Disposition.NOT_CARRIED, "", why)
    found: list[Val] = []
    for k, value in raw.items():
        if k not in _SERVICE_KNOWN:
            found.extend(leaves(value, f".{k}"))
    for k, value in otp.items():
        if k not in _OTP_KNOWN:
            found.extend(leaves(value, f".otp.{k}"))
    vault.add(b, found)


# =========================================================================== writing


def _label(text: str) -> str:
    letters = "".join(c for c in text if c.isalnum())[:2].upper()
    return letters or "2F"


def build_backup(doc: cxf.Document, report: MigrationReport) -> dict[str, Any]:
    """The 2FAS backup of *doc* (schema 4, services in the clear)."""
    written = collect(doc, report, WRITTEN, _APP, fits=_fits)
    now = int(time.time() * 1000)
    groups: dict[str, str] = {}
    services: list[dict[str, Any]] = []
    for position, w in enumerate(written):
        e = w.entry
        kind = e.kind.lower()
        name = w.item.title or e.issuer or e.account
        otp: dict[str, Any] = {
            "link": entry_uri(e), "label": e.account, "account": e.account, "issuer": e.issuer,
            "digits": 5 if kind == "steam" else e.digits,
            "period": 30 if kind == "steam" else e.period,
            "algorithm": "SHA1" if kind == "steam" else normalize_algorithm(e.algorithm).upper(),
            "tokenType": kind.upper(), "source": "Link",
        }  # fmt: skip
        if kind == "hotp":
            otp["counter"] = e.counter or 0
            otp.pop("period")
        modified = w.item.modified_at
        service: dict[str, Any] = {
            "name": name, "secret": secret_base32(e.secret),
            "updatedAt": modified * 1000 if modified else now, "otp": otp,
            "order": {"position": position},
            "icon": {"selected": "Label", "label": {"text": _label(name),
                                                    "backgroundColor": "Indigo"},
                     "iconCollection": {"id": _ICON_COLLECTION}},
        }  # fmt: skip
        if e.groups:
            title = e.groups[0]
            service["groupId"] = groups.setdefault(
                title, str(uuid.uuid5(uuid.NAMESPACE_URL, "cxkit:2fas-group:" + title))
            )
        services.append(service)
    return {
        "services": services,
        "groups": [{"id": g, "name": t, "isExpanded": True, "updatedAt": now}
                   for t, g in groups.items()],
        "updatedAt": now, "schemaVersion": 4, "appVersionCode": 5000031,
        "appVersionName": "5.5.0", "appOrigin": "android",
    }  # fmt: skip


# =========================================================================== the adapters


class TwoFasAdapter:
    info: Final = AdapterInfo(
        key="2fas",
        app="2FAS Authenticator",
        format="2FAS backup (.2fas), unencrypted (read and write)",
        versions="schema versions 1-4 (Android and iOS)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=_CARRIES,
        how_to_import=(
            "2FAS: Settings → 2FAS Backup → Import from file → choose the .2fas file. Delete the "
            "file after importing."
        ),
        how_to_export=_HOW_TO,
        extensions=(".2fas",),
        json_keys=frozenset({"services", "schemaVersion"}),
    )

    def accepts(self, sample: Sample) -> Confidence:
        if not _is_twofas(sample) or "servicesEncrypted" in sample.json_keys:
            return Confidence.NO
        return Confidence.CERTAIN

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        obj = sample.parsed_json()
        if not isinstance(obj, dict) or "servicesEncrypted" in obj:
            raise DecodeError("not an unencrypted 2FAS backup", location=sample.name or None)
        return _read(obj, obj.get("services"), sample.name, self.info.key, options, report,
                     encrypted=False)  # fmt: skip

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        backup = build_backup(doc, report)
        report.plaintext, report.encrypted = True, False
        return json.dumps(backup, ensure_ascii=False).encode()


class TwoFasEncryptedAdapter:
    info: Final = AdapterInfo(
        key="2fas-encrypted",
        app="2FAS Authenticator",
        format="2FAS backup (.2fas) encrypted with a password (PBKDF2-SHA256 + AES-GCM)",
        versions="schema versions 2-4",
        capabilities=Capability.READ | Capability.WRITE | Capability.ENCRYPTED,
        credential_types=_CARRIES,
        how_to_import=(
            "2FAS: Settings → 2FAS Backup → Import from file → choose the .2fas file and enter "
            "the password cxkit set."
        ),
        how_to_export=_HOW_TO,
        extensions=(".2fas",),
        plaintext=False,
    )

    def accepts(self, sample: Sample) -> Confidence:
        if _is_twofas(sample) and sample.json_member_is("servicesEncrypted", str):
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        where = sample.name or None
        obj = sample.parsed_json()
        if not isinstance(obj, dict) or not isinstance(obj.get("servicesEncrypted"), str):
            raise DecodeError("not an encrypted 2FAS backup", location=where)
        password = _unlock.ask_password(options, "the 2FAS backup", sample.name)
        services = decrypt_field(obj, password, where)
        return _read(obj, services, sample.name, self.info.key, options, report, encrypted=True)

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        backup = build_backup(doc, report)
        report.encrypted, report.plaintext = True, False
        if report.dry_run:
            return b""
        password = _unlock.write_password(options, "the 2FAS backup")
        salt = os.urandom(256)
        key = _key(password, salt, None)
        plain = json.dumps(backup.pop("services"), ensure_ascii=False).encode()
        out = {"services": [], **backup}
        out["servicesEncrypted"] = encrypt_field(plain, key, salt)
        out["reference"] = encrypt_field(REFERENCE.encode(), key, salt)
        return json.dumps(out).encode()
