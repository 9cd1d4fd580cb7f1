"""Bitwarden JSON exports: plain (personal and organisation) and password-protected encrypted.

Mapping: :mod:`cxkit.adapters.bitwarden.mapping`. Encryption (``formats/bitwarden.md`` §3): the master key
is PBKDF2-HMAC-SHA256(password, salt text as UTF-8) or Argon2id(password, SHA-256(salt text));
HKDF-Expand-SHA256 stretches it into an AES-256-CBC key (info ``enc``) and an HMAC-SHA256 key
(info ``mac``); values are EncStrings ``2.<iv>|<ciphertext>|<mac>`` (standard base64), the MAC
over ``iv ‖ ciphertext`` is checked first, in constant time.
``encKeyValidation_DO_NOT_EDIT`` lets a wrong password be reported before ``data`` is touched.
Account-restricted exports (encrypted with the account key) cannot be read by anyone but
Bitwarden: they get a clear message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any, Final

import msgspec
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from cxkit import _kdfcost, cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    PasswordNeededError,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.bitwarden.mapping import document_to_bitwarden, looks_like_item, read_export
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.report import MigrationReport
from cxkit.errors import AdapterError, DecodeError, DecryptionError, InputError

__all__ = [
    "BitwardenEncryptedJsonAdapter",
    "BitwardenJsonAdapter",
    "BitwardenWriteOptions",
    "KdfParams",
    "decrypt_export",
    "encrypt_export",
    "open_protected",
]

CARRIES: Final = frozenset(
    {"basic-auth", "passkey", "totp", "note", "credit-card", "person-name", "address",
     "identity-document", "passport", "drivers-license", "ssh-key", "custom-fields"}
)  # fmt: skip
_HOW_TO: Final = (
    "Bitwarden web vault, desktop app or browser extension: Tools → Export vault (or "
    "Vault → ⋯ → Export), choose the file format '.json' (or '.json (Encrypted)' with 'Password "
    "protected'), enter your master password. Organisation vaults are exported from the Admin "
    "Console → Export vault. Account-restricted encrypted exports cannot be read outside "
    "Bitwarden: choose 'Password protected' instead."
)
PBKDF2, ARGON2ID = 0, 1
MAX_PBKDF2_ITERATIONS: Final = 10_000_000
MAX_ARGON2_MEMORY_MIB: Final = 1024
MAX_ARGON2_ITERATIONS: Final = 20
MAX_ARGON2_PARALLELISM: Final = 16


@dataclass(frozen=True)
class KdfParams:
    kdf_type: int = PBKDF2
    iterations: int = 600_000
    memory_mib: int | None = None
    parallelism: int | None = None

    def check(self) -> None:
        if self.kdf_type == PBKDF2:
            if not 1 <= self.iterations <= MAX_PBKDF2_ITERATIONS:
                raise AdapterError(
                    f"PBKDF2 iterations must be 1 to {MAX_PBKDF2_ITERATIONS:,}",
                    location="$.kdfIterations",
                )
        elif self.kdf_type == ARGON2ID:
            memory, lanes = self.memory_mib, self.parallelism
            if not isinstance(memory, int) or not 1 <= memory <= MAX_ARGON2_MEMORY_MIB:
                raise AdapterError(
                    f"Argon2id memory must be 1 to {MAX_ARGON2_MEMORY_MIB} MiB",
                    location="$.kdfMemory",
                )
            if not isinstance(lanes, int) or not 1 <= lanes <= MAX_ARGON2_PARALLELISM:
                raise AdapterError(
                    f"Argon2id parallelism must be 1 to {MAX_ARGON2_PARALLELISM}",
                    location="$.kdfParallelism",
                )
            if not 1 <= self.iterations <= MAX_ARGON2_ITERATIONS:
                raise AdapterError(
                    f"Argon2id iterations must be 1 to {MAX_ARGON2_ITERATIONS}",
                    location="$.kdfIterations",
                )
            if memory * 1024 < 8 * lanes:
                raise AdapterError("Argon2id memory is too small for its parallelism")
        else:
            raise AdapterError(
                f"unknown Bitwarden kdfType {self.kdf_type!r} (0 = PBKDF2, 1 = Argon2id)",
                location="$.kdfType",
            )


DEFAULT_ARGON2: Final = KdfParams(ARGON2ID, 3, 64, 4)
DEFAULT_PBKDF2: Final = KdfParams(PBKDF2, 600_000)


def _master_key(password: str, salt: str, params: KdfParams) -> bytes:
    params.check()
    secret = password.encode("utf-8")
    if params.kdf_type == PBKDF2:
        _kdfcost.announce("PBKDF2-HMAC-SHA256/cryptography", iterations=params.iterations)
        return PBKDF2HMAC(
            algorithm=hashes.SHA256(),
            length=32,
            salt=salt.encode("utf-8"),
            iterations=params.iterations,
        ).derive(secret)
    assert params.memory_mib is not None and params.parallelism is not None
    _kdfcost.announce("Argon2id", memory_kib=params.memory_mib * 1024,
                      iterations=params.iterations, lanes=params.parallelism)  # fmt: skip
    return Argon2id(
        salt=hashlib.sha256(salt.encode("utf-8")).digest(),
        length=32,
        iterations=params.iterations,
        lanes=params.parallelism,
        memory_cost=params.memory_mib * 1024,
    ).derive(secret)


def _stretch(master: bytes) -> tuple[bytes, bytes]:
    enc = HKDFExpand(algorithm=hashes.SHA256(), length=32, info=b"enc").derive(master)
    mac = HKDFExpand(algorithm=hashes.SHA256(), length=32, info=b"mac").derive(master)
    return enc, mac


def _b64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError("an EncString part is not base64", location=where) from None


def dec_string(text: object, enc: bytes, mac: bytes, where: str) -> bytes:
    """Decrypt a type-2 EncString (MAC checked first, constant time)."""
    if not isinstance(text, str) or not text.startswith("2."):
        raise DecodeError("not a type-2 EncString (AES-CBC-256 + HMAC-SHA256)", location=where)
    parts = text[2:].split("|")
    if len(parts) != 3:
        raise DecodeError("an EncString has three parts: iv|data|mac", location=where)
    iv, ct, tag = (_b64(p, where) for p in parts)
    if len(iv) != 16 or len(tag) != 32 or not ct or len(ct) % 16:
        raise DecodeError("an EncString part has the wrong length", location=where)
    expected = hmac.new(mac, iv + ct, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, tag):
        raise DecryptionError("wrong password, or the export was modified", location=where)
    decryptor = Cipher(algorithms.AES(enc), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ct) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptionError("the export's padding is invalid", location=where) from None


def enc_string(plain: bytes, enc: bytes, mac: bytes) -> str:
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(enc), modes.CBC(iv)).encryptor()
    ct = encryptor.update(padded) + encryptor.finalize()
    tag = hmac.new(mac, iv + ct, hashlib.sha256).digest()
    return "2." + "|".join(base64.b64encode(x).decode("ascii") for x in (iv, ct, tag))


def _int(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DecodeError(f"'{key}' is not an integer", location=f"$.{key}")
    return value


def decrypt_export(obj: dict[str, Any], password: str) -> bytes:
    """A password-protected Bitwarden export object → the plain JSON export (bytes)."""
    salt = obj.get("salt")
    if not isinstance(salt, str) or not salt:
        raise DecodeError("no 'salt'", location="$.salt")
    kdf_type = _int(obj, "kdfType")
    params = KdfParams(
        kdf_type=PBKDF2 if kdf_type is None else kdf_type,
        iterations=_int(obj, "kdfIterations") or 0,
        memory_mib=_int(obj, "kdfMemory"),
        parallelism=_int(obj, "kdfParallelism"),
    )
    enc, mac = _stretch(_master_key(password, salt, params))
    dec_string(obj.get("encKeyValidation_DO_NOT_EDIT"), enc, mac, "$.encKeyValidation_DO_NOT_EDIT")
    return dec_string(obj.get("data"), enc, mac, "$.data")


def open_protected(
    obj: dict[str, Any], where: str, options: ReadOptions, report: MigrationReport
) -> Any:
    """A password-protected export object (read from *where*) → the decoded plain export: the
    password asked once, errors located at *where* (the JSON and ZIP readers)."""
    if options.password is None:
        raise PasswordNeededError(
            "this Bitwarden export is password-protected", location=where or None
        )
    try:
        plain = decrypt_export(obj, options.password("password of the Bitwarden export"))
    except (DecodeError, DecryptionError, AdapterError) as exc:
        exc.location = f"{where}: {exc.location}" if exc.location else where
        raise
    report.encrypted = True
    return parse_json(plain, name=f"{where} (decrypted data)")


def encrypt_export(plain: bytes, password: str, params: KdfParams = DEFAULT_PBKDF2) -> bytes:
    """Plain Bitwarden JSON export bytes → a password-protected export (bytes)."""
    if not password:
        raise InputError("the export password is empty")
    salt = base64.b64encode(os.urandom(16)).decode("ascii")
    enc, mac = _stretch(_master_key(password, salt, params))
    out = {
        "encrypted": True,
        "passwordProtected": True,
        "salt": salt,
        "kdfType": params.kdf_type,
        "kdfIterations": params.iterations,
        "kdfMemory": params.memory_mib,
        "kdfParallelism": params.parallelism,
        "encKeyValidation_DO_NOT_EDIT": enc_string(str(uuid.uuid4()).encode(), enc, mac),
        "data": enc_string(plain, enc, mac),
    }
    return json.dumps(out, indent=2).encode("utf-8")


_ENCODER: Final = msgspec.json.Encoder()


def dump_json(obj: Any) -> bytes:
    """Bitwarden's layout (``indent=2``, UTF-8 text, not ASCII-escaped) of a JSON object:
    msgspec's encoder + formatter (the C path); ``json.dumps`` for what msgspec refuses."""
    try:
        return msgspec.json.format(_ENCODER.encode(obj), indent=2)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8")


def _plain_bytes(doc: cxf.Document, report: MigrationReport) -> bytes:
    return dump_json(document_to_bitwarden(doc, report))


class BitwardenJsonAdapter:
    info: Final = AdapterInfo(
        key="bitwarden-json",
        app="Bitwarden",
        format="JSON export (personal or organisation, unencrypted)",
        versions="2021+ (fido2Credentials since 2023, SSH keys since 2024.12)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=CARRIES,
        how_to_import=(
            "Bitwarden web vault or desktop app: Tools → Import data → format 'Bitwarden (json)' "
            "→ choose the file (an organisation vault: Admin Console → Import data). Delete the "
            "file after importing."
        ),
        how_to_export=_HOW_TO,
        extensions=(".json",),
        json_keys=frozenset({"encrypted", "items"}),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """Evidence (``formats/bitwarden.md`` §1): an ``items`` array whose entries are Bitwarden
        items (``type`` 1–5, Bitwarden's members); an empty one only with ``encrypted: false``."""
        keys = sample.json_keys
        if "items" not in keys or not sample.json_member_is("items", list):
            return Confidence.NO
        encrypted = sample.json_member("encrypted") if "encrypted" in keys else None
        if encrypted not in (False, None):
            return Confidence.NO
        entries = sample.json_entries("items", limit=32) or []
        if not entries:  # an empty export: only Bitwarden's own members
            if encrypted is False:
                return Confidence.LIKELY
            return (
                Confidence.MAYBE if keys <= {"items", "folders", "collections"} else Confidence.NO
            )
        ours = sum(1 for e in entries if looks_like_item(e))
        if 2 * ours > len(entries):
            return Confidence.CERTAIN if encrypted is False else Confidence.LIKELY
        return Confidence.MAYBE if ours else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        obj = sample.parsed_json()
        if isinstance(obj, dict) and obj.get("encrypted") is True:
            raise AdapterError(
                "this Bitwarden export is encrypted",
                location=sample.name or None,
                hint="read it with --from bitwarden-encrypted-json",
            )
        return read_export(obj, report, name=sample.name, include_trashed=options.include_trashed)

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        report.plaintext = True
        return _plain_bytes(doc, report)


@dataclass(frozen=True)
class BitwardenWriteOptions:
    """Options of the password-protected Bitwarden writer (``AdapterInfo.write_options``)."""

    kdf: str = "pbkdf2"
    """``pbkdf2`` (PBKDF2-SHA256, 600,000 iterations) or ``argon2id`` (``--kdf``)."""


class BitwardenEncryptedJsonAdapter:
    info: Final = AdapterInfo(
        key="bitwarden-encrypted-json",
        app="Bitwarden",
        format="password-protected encrypted JSON export (PBKDF2-SHA256 or Argon2id)",
        versions="2022+",
        capabilities=Capability.READ | Capability.WRITE | Capability.ENCRYPTED,
        credential_types=CARRIES,
        how_to_import=(
            "Bitwarden web vault or desktop app: Tools → Import data → format 'Bitwarden (json)' "
            "→ choose the file and enter the file password cxkit set."
        ),
        how_to_export=_HOW_TO,
        extensions=(".json",),
        json_keys=frozenset({"encrypted", "passwordProtected", "data"}),
        plaintext=False,
        write_options=(BitwardenWriteOptions,),
    )

    def accepts(self, sample: Sample) -> Confidence:
        keys = sample.json_keys
        if "encrypted" not in keys or "vaults" in keys:
            return Confidence.NO  # ("vaults": a Proton Pass export)
        return Confidence.CERTAIN if sample.json_member("encrypted") is True else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        obj = sample.parsed_json()
        if not isinstance(obj, dict) or obj.get("encrypted") is not True:
            raise DecodeError("not an encrypted Bitwarden export", location=sample.name or None)
        if obj.get("passwordProtected") is not True:
            raise AdapterError(
                "this is an account-restricted Bitwarden export: it is encrypted with your "
                "account's key, which only Bitwarden itself can use",
                location=sample.name or None,
                hint="export again choosing 'Password protected' (or plain '.json')",
            )
        inner = open_protected(obj, sample.name, options, report)
        return read_export(inner, report, name=f"{sample.name} (decrypted data)",
                           include_trashed=options.include_trashed)  # fmt: skip

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        if report.dry_run:  # nothing is written: no password asked, no key derived
            report.encrypted = True
            return _plain_bytes(doc, report)
        if options.password is None:
            raise PasswordNeededError("a password is needed to write an encrypted export")
        kdf = options.get(BitwardenWriteOptions).kdf
        params = DEFAULT_ARGON2 if kdf == "argon2id" else DEFAULT_PBKDF2
        plain = _plain_bytes(doc, report)
        password = options.password("new password for the Bitwarden export")
        report.encrypted = True
        report.plaintext = False
        return encrypt_export(plain, password, params)
