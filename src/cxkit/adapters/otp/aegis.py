"""Aegis Authenticator vault exports, plain and encrypted (``../shared/formats/totp-apps.md`` §2).

``{version: 1, header: {slots, params}, db}``. Plain: ``slots`` and ``params`` are null and
``db`` is ``{version, entries[], groups[]?, icons_optimized?}``. Encrypted: ``db`` is the base64
of the AES-256-GCM ciphertext of that JSON under a 32-byte master key (``params``: hex
``nonce``, ``tag``); each password slot (``type`` 1) wraps the master key with
``scrypt(password, salt, N=n, r, p, 32)`` and AES-256-GCM (``key``, ``key_params``). Biometric
slots (type 2) need the phone's keystore and are skipped.

An entry ``{type (totp|hotp|steam|yandex|motp), uuid, name, issuer, note, favorite, icon,
icon_mime, info{secret, algo, digits, period|counter, pin}, groups[]}`` becomes one item through
:func:`~cxkit.adapters.otp.entry.add_entry` (``name`` is the account); groups become
collections; icons are not carried. The scrypt parameters of a file are bounded before any work
(N ≤ 2^20, r ≤ 32, p ≤ 16, memory ≤ 1 GiB).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import uuid
from typing import Any, Final

from cxkit import _kdfcost, cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.kit.builder import Val, VaultBuilder, encode_id, stable_id
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.otp import _unlock
from cxkit.adapters.otp._jsonread import as_int, as_number, as_text, leaves
from cxkit.adapters.otp._write import collect, declaration
from cxkit.adapters.otp.entry import (
    Entry,
    add_entry,
    check_kdf,
    normalize_algorithm,
    secret_base32,
)
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError, DecodeError

__all__ = ["AegisEncryptedAdapter", "AegisJsonAdapter", "decrypt_vault", "encrypt_vault"]

_HOW_TO: Final = (
    "Aegis: Settings → Import & Export → Export → 'Aegis (.JSON)'; with encryption on, the file "
    "is encrypted with the vault password (cxkit asks for it)."
)
_TYPES: Final = frozenset({"totp", "hotp", "steam", "yandex", "motp"})
_CARRIES: Final = frozenset({"totp", "note", "custom-fields"})
_ENTRY_KNOWN: Final = frozenset({"type", "uuid", "name", "issuer", "note", "favorite", "icon",
                                 "icon_mime", "icon_hash", "info", "groups", "group"})  # fmt: skip
_INFO_KNOWN: Final = frozenset({"secret", "algo", "digits", "period", "counter", "pin"})
_BOOKKEEPING: Final = "Aegis format bookkeeping"
_ICON: Final = "icon: CXF 1.0 items have no icon"
_MAX_ENTRIES: Final = 100_000
#: scrypt parameters written (those of Aegis itself) and the bounds of those read
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 15, 8, 1
_MAX_R, _MAX_P = 32, 16
_APP: Final = "Aegis"
WRITTEN: Final = declaration(_APP)


def _is_entries_db(db: Any) -> bool:
    return isinstance(db, dict) and isinstance(db.get("entries"), list)


def _accepts_plain(sample: Sample) -> Confidence:
    keys = sample.json_keys
    if not {"version", "header", "db"} <= keys or not sample.json_member_is("db", dict):
        return Confidence.NO
    header = sample.json_member("header")
    if not isinstance(header, dict) or not {"slots", "params"} <= set(header):
        return Confidence.NO
    return Confidence.CERTAIN if _is_entries_db(sample.json_member("db")) else Confidence.LIKELY


def _accepts_encrypted(sample: Sample) -> Confidence:
    keys = sample.json_keys
    if not {"version", "header", "db"} <= keys or not sample.json_member_is("db", str):
        return Confidence.NO
    header = sample.json_member("header")
    if isinstance(header, dict) and isinstance(header.get("slots"), list):
        return Confidence.CERTAIN
    return Confidence.NO


# =========================================================================== decryption


def _hex(value: Any, size: int | None, what: str, where: str) -> bytes:
    if not isinstance(value, str):
        raise DecodeError(f"{what} is missing or not hex text", location=where)
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise DecodeError(f"{what} is not hex", location=where) from None
    if size is not None and len(raw) != size:
        raise DecodeError(f"{what} is not {size} bytes", location=where)
    return raw


def _scrypt(password: str, slot: dict[str, Any], where: str) -> bytes:
    n, r, p = slot.get("n"), slot.get("r"), slot.get("p")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p)):
        raise DecodeError("the slot's scrypt parameters are not numbers", location=where)
    assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
    if n < 2 or n & (n - 1) or not 0 < r <= _MAX_R or not 0 < p <= _MAX_P:
        raise AdapterError(
            f"the slot's scrypt parameters are outside what cxkit allows (N a power of 2 up to "
            f"2^20, r 1-{_MAX_R}, p 1-{_MAX_P})", location=where,
            hint="the file may be damaged or crafted",
        )  # fmt: skip
    memory = 128 * n * r
    check_kdf("scrypt", memory=memory, iterations=n, where=where)
    salt = _hex(slot.get("salt"), None, "the slot's salt", where)
    _kdfcost.announce("scrypt", iterations=n, r=r, lanes=p)
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=2 * memory + (1 << 20), dklen=32
    )


def _gcm_open(key: bytes, params: Any, data: bytes, what: str, where: str) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not isinstance(params, dict):
        raise DecodeError(f"{what}: nonce and tag are missing", location=where)
    nonce = _hex(params.get("nonce"), 12, f"{what}: the nonce", where)
    tag = _hex(params.get("tag"), 16, f"{what}: the tag", where)
    try:
        return AESGCM(key).decrypt(nonce, data + tag, None)
    except InvalidTag:
        return None


def decrypt_vault(obj: dict[str, Any], password: str, where: str = "") -> Any:
    """The decrypted ``db`` of an encrypted Aegis vault (decoded JSON): the master key from the
    first password slot the password opens, then the database; a wrong password is a
    :class:`~cxkit.errors.DecryptionError`."""
    header = obj.get("header")
    slots = header.get("slots") if isinstance(header, dict) else None
    if not isinstance(slots, list):
        raise DecodeError("the vault has no key slots", location=where or None)
    password_slots = [s for s in slots if isinstance(s, dict) and s.get("type") == 1]
    if not password_slots:
        raise AdapterError(
            "the vault has no password slot (only biometric or other slots, which need the "
            "phone's keystore)", location=where or None,
            hint="in Aegis, set a password (Settings → Security) and export again",
        )  # fmt: skip
    master = None
    for index, slot in enumerate(password_slots):
        at = f"{where}:$.header.slots[{index}]" if where else f"$.header.slots[{index}]"
        kek = _scrypt(password, slot, at)
        wrapped = _hex(slot.get("key"), 32, "the slot's key", at)
        master = _gcm_open(kek, slot.get("key_params"), wrapped, "the slot's key", at)
        if master is not None:
            break
    if master is None:
        raise _unlock.wrong_password("the Aegis vault", where)
    db = obj.get("db")
    data = _unlock.base64_member(db, "the vault's db", where or "")
    plain = _gcm_open(master, header.get("params") if isinstance(header, dict) else None, data,
                      "the vault's db", where or "$.header.params")  # fmt: skip
    if plain is None:
        raise _unlock.wrong_password("the Aegis vault", where)
    return parse_json(plain, name=where)


def encrypt_vault(db: dict[str, Any], password: str) -> dict[str, Any]:
    """An encrypted Aegis vault of *db*: a fresh master key, one password slot (scrypt
    N=2^15, r=8, p=1, as Aegis writes), AES-256-GCM with fresh nonces."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    master, salt = os.urandom(32), os.urandom(32)
    kek = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                         maxmem=64 * 1024 * 1024, dklen=32)  # fmt: skip
    key_nonce, db_nonce = os.urandom(12), os.urandom(12)
    wrapped = AESGCM(kek).encrypt(key_nonce, master, None)
    sealed = AESGCM(master).encrypt(db_nonce, json.dumps(db, ensure_ascii=False).encode(), None)
    slot = {
        "type": 1, "uuid": str(uuid.uuid4()), "key": wrapped[:-16].hex(),
        "key_params": {"nonce": key_nonce.hex(), "tag": wrapped[-16:].hex()},
        "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt.hex(), "repaired": True,
        "is_backup": False,
    }  # fmt: skip
    return {
        "version": 1,
        "header": {"slots": [slot], "params": {"nonce": db_nonce.hex(), "tag": sealed[-16:].hex()}},
        "db": base64.b64encode(sealed[:-16]).decode("ascii"),
    }


# =========================================================================== reading


def _read_db(db: Any, name: str, key: str, options: ReadOptions, report: MigrationReport,
             *, encrypted: bool) -> cxf.Document:  # fmt: skip
    where = name or None
    if not _is_entries_db(db):
        raise DecodeError("not an Aegis vault: db has no entries list", location=where)
    entries = db["entries"]
    if len(entries) > _MAX_ENTRIES:
        raise DecodeError(f"more than {_MAX_ENTRIES} entries", location=where)
    vault = VaultBuilder(report, key=key, rp_id="getaegis.app", app="Aegis",
                         include_trashed=options.include_trashed)  # fmt: skip
    prefix = ""  # JSON paths as the contract names them ($.db.entries[0].name)
    report.add_field(f"{prefix}$.version", "", Disposition.NOT_CARRIED, "", _BOOKKEEPING)
    report.add_field(f"{prefix}$.header", "", Disposition.NOT_CARRIED, "",
                     "the encryption header (key slots)" if encrypted else _BOOKKEEPING)  # fmt: skip
    if encrypted:
        report.add_field(f"{prefix}$.db", "", Disposition.MEMBER, "items", "decrypted")
    group_names: dict[str, str] = {}
    for k, value in db.items():
        if k == "entries":
            continue
        if k == "groups" and isinstance(value, list):
            for g in value:
                if isinstance(g, dict) and isinstance(g.get("uuid"), str):
                    group_names[g["uuid"]] = as_text(g.get("name")) or g["uuid"]
            report.add_field(f"{prefix}$.db.groups", "", Disposition.MEMBER, "collection.title")
        else:
            report.add_field(f"{prefix}$.db.{k}", "", Disposition.NOT_CARRIED, "", _BOOKKEEPING)
    for index, raw in enumerate(entries):
        at = f"{prefix}$.db.entries[{index}]"
        if not isinstance(raw, dict):
            report.skip_item(f"entry {index + 1}", "not a JSON object")
            report.add_field(at, "", Disposition.NOT_CARRIED, "", "not an Aegis entry")
            continue
        _read_entry(vault, raw, at, index, name, key, group_names)
    return vault.build(account_id=stable_id(key, name, "account"))


def _read_entry(vault: VaultBuilder, raw: dict[str, Any], at: str, index: int, name: str,
                key: str, group_names: dict[str, str]) -> None:  # fmt: skip
    info = raw.get("info") if isinstance(raw.get("info"), dict) else {}
    assert isinstance(info, dict)
    source_id = raw.get("uuid")
    item_id = stable_id(key, name, str(index))
    if isinstance(source_id, str):
        with contextlib.suppress(ValueError):
            item_id = encode_id(uuid.UUID(source_id).bytes)
    b = vault.item(at, item_id=item_id)
    places: dict[str, str] = {}
    for attr, member, value in (
        ("kind", ".type", raw.get("type")), ("account", ".name", raw.get("name")),
        ("issuer", ".issuer", raw.get("issuer")), ("note", ".note", raw.get("note")),
        ("favorite", ".favorite", raw.get("favorite")), ("icon", ".icon", raw.get("icon")),
        ("secret", ".info.secret", info.get("secret")),
        ("algorithm", ".info.algo", info.get("algo")),
        ("digits", ".info.digits", info.get("digits")),
        ("period", ".info.period", info.get("period")),
        ("counter", ".info.counter", info.get("counter")),
        ("groups", ".groups", raw.get("groups")), ("groups", ".group", raw.get("group")),
    ):  # fmt: skip
        if value is not None:
            places[attr] = member
    kind = as_text(raw.get("type")).lower() or "totp"
    groups: list[str] = []
    if isinstance(raw.get("groups"), list):
        groups = [group_names.get(g, g) for g in raw["groups"] if isinstance(g, str) and g]
    elif isinstance(raw.get("group"), str) and raw["group"]:
        groups = [raw["group"]]
    secret = info.get("secret")
    entry = Entry(
        secret=secret if isinstance(secret, str) else "",
        kind=kind if kind in _TYPES else "other",
        issuer=as_text(raw.get("issuer")),
        account=as_text(raw.get("name")),
        algorithm=normalize_algorithm(as_text(info.get("algo")) or "sha1"),
        digits=as_number(info.get("digits"), 6),
        period=as_number(info.get("period"), 30),
        counter=as_int(info.get("counter")),
        note=as_text(raw.get("note")),
        groups=tuple(groups),
        favorite=raw["favorite"] if isinstance(raw.get("favorite"), bool) else None,
        at=places,
    )
    if add_entry(b, entry) == "skipped":
        return
    if source_id is not None:
        b.rec(".uuid", Disposition.MEMBER, "item.id")
    for member in ("icon_mime", "icon_hash"):
        if raw.get(member) is not None:
            b.rec(f".{member}", Disposition.NOT_CARRIED, "", _ICON)
    if isinstance(info.get("pin"), str) and info["pin"]:
        b.custom("PIN", Val(info["pin"], ".info.pin"), hidden=True,
                 note=f"the PIN of a {kind} entry (not part of a TOTP)")  # fmt: skip
    leftovers: list[Val] = []
    for k, value in raw.items():
        if k not in _ENTRY_KNOWN:
            leftovers.extend(leaves(value, f".{k}"))
    for k, value in info.items():
        if k not in _INFO_KNOWN:
            leftovers.extend(leaves(value, f".info.{k}"))
    vault.add(b, leftovers)


# =========================================================================== writing


def _group_uuid(title: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "cxkit:aegis-group:" + title))


def _entry_uuid(item_id: str, index: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cxkit:aegis-entry:{item_id}:{index}"))


def build_db(doc: cxf.Document, report: MigrationReport) -> dict[str, Any]:
    """The Aegis ``db`` object of *doc* (the report records what was carried)."""
    written = collect(doc, report, WRITTEN, _APP, make_id=lambda item, i: _entry_uuid(item.id, i))
    entries: list[dict[str, Any]] = []
    groups: dict[str, str] = {}
    for w in written:
        e = w.entry
        kind = e.kind.lower()
        info: dict[str, Any] = {
            "secret": secret_base32(e.secret),
            "algo": normalize_algorithm(e.algorithm).upper(),
            "digits": e.digits,
        }
        if kind == "hotp":
            info["counter"] = e.counter or 0
        else:
            info["period"] = e.period
        if kind == "steam":
            info.update(algo="SHA1", digits=5, period=30)
        for title in e.groups:
            groups.setdefault(title, _group_uuid(title))
        entries.append({
            "type": kind, "uuid": w.uid, "name": e.account, "issuer": e.issuer, "note": e.note,
            "favorite": bool(e.favorite), "icon": None, "info": info,
            "groups": [groups[t] for t in e.groups],
        })  # fmt: skip
    return {
        "version": 3,
        "entries": entries,
        "groups": [{"uuid": u, "name": t} for t, u in groups.items()],
        "icons_optimized": True,
    }


# =========================================================================== the adapters


class AegisJsonAdapter:
    info: Final = AdapterInfo(
        key="aegis-json",
        app="Aegis Authenticator",
        format="Aegis vault JSON export, unencrypted (read and write)",
        versions="Aegis 1.x-3.x (db versions 1-3: groups, notes, favourites)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=_CARRIES,
        how_to_import=(
            "Aegis: Settings → Import & Export → Import from file → 'Aegis' → choose the file. "
            "Delete the file after importing."
        ),
        how_to_export=_HOW_TO,
        extensions=(".json",),
        json_keys=frozenset({"version", "header", "db"}),
    )

    def accepts(self, sample: Sample) -> Confidence:
        return _accepts_plain(sample)

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        obj = sample.parsed_json()
        if not isinstance(obj, dict) or not isinstance(obj.get("db"), dict):
            raise DecodeError("not an unencrypted Aegis vault", location=sample.name or None)
        return _read_db(obj["db"], sample.name, self.info.key, options, report, encrypted=False)

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        db = build_db(doc, report)
        report.plaintext, report.encrypted = True, False
        out = {"version": 1, "header": {"slots": None, "params": None}, "db": db}
        return json.dumps(out, indent=4, ensure_ascii=False).encode() + b"\n"


class AegisEncryptedAdapter:
    info: Final = AdapterInfo(
        key="aegis-encrypted-json",
        app="Aegis Authenticator",
        format="Aegis vault JSON export, encrypted with a password (scrypt + AES-GCM)",
        versions="Aegis 1.x-3.x",
        capabilities=Capability.READ | Capability.WRITE | Capability.ENCRYPTED,
        credential_types=_CARRIES,
        how_to_import=(
            "Aegis: Settings → Import & Export → Import from file → 'Aegis' → choose the file and "
            "enter the password cxkit set."
        ),
        how_to_export=_HOW_TO,
        extensions=(".json",),
        plaintext=False,
    )

    def accepts(self, sample: Sample) -> Confidence:
        return _accepts_encrypted(sample)

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        where = sample.name or None
        obj = sample.parsed_json()
        if not isinstance(obj, dict) or not isinstance(obj.get("db"), str):
            raise DecodeError("not an encrypted Aegis vault", location=where)
        password = _unlock.ask_password(options, "the Aegis vault", sample.name)
        db = decrypt_vault(obj, password, sample.name)
        return _read_db(db, sample.name, self.info.key, options, report, encrypted=True)

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        db = build_db(doc, report)
        report.encrypted, report.plaintext = True, False
        if report.dry_run:
            return b""
        password = _unlock.write_password(options, "the Aegis vault")
        return json.dumps(encrypt_vault(db, password), indent=4).encode() + b"\n"
