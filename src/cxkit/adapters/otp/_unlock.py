"""Opening the authenticator apps' encrypted backups (``../shared/formats/totp-apps.md`` §4, §7,
§8, §12): the password asked once, key derivations whose cost a file states bounded *before*
any work, and authenticated decryption that fails with one clear error, never a traceback.

Shared by every authenticator reader of an encrypted backup, and by the Aegis and 2FAS writers
(:func:`write_password`). Heavy libraries (``cryptography``, PyNaCl) are imported inside the
functions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from cxkit import _kdfcost
from cxkit.adapters.base import PasswordNeededError, ReadOptions, WriteOptions
from cxkit.adapters.otp.entry import check_kdf
from cxkit.errors import AdapterError, DecodeError, DecryptionError

__all__ = [
    "aes_cbc_open",
    "aes_gcm_open",
    "argon2id_sodium",
    "ask_password",
    "base64_member",
    "password_bytes",
    "pbkdf2",
    "write_password",
    "wrong_password",
]


def ask_password(options: ReadOptions, what: str, where: str) -> str:
    """The password of *what* (``"the andOTP backup"``), asked once; none given → the
    project's :class:`PasswordNeededError`."""
    if options.password is None:
        raise PasswordNeededError(
            f"{what} is encrypted", location=where or None,
            hint="give its password (--password-file, --password-env or at the prompt)",
        )  # fmt: skip
    return options.password(f"password of {what}")


def base64_member(value: Any, what: str, where: str) -> bytes:
    """The bytes of the standard-base64 text *value* (a member of an encrypted backup named
    *what*: ``"kdfParams.salt"``); anything else → a :class:`DecodeError` naming it."""
    if not isinstance(value, str):
        raise DecodeError(f"{what} is not text", location=where or None)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError(f"{what} is not base64", location=where or None) from None


def write_password(options: WriteOptions, what: str) -> str:
    """The new password for an encrypted *what* from *options* (asked once)."""
    if options.password is None:
        raise PasswordNeededError(f"a password is needed to write {what}")
    password = options.password(f"new password for {what}")
    if not password:
        raise AdapterError(f"the password for {what} is empty")
    return password


def password_bytes(password: str, where: str = "") -> bytes:
    """The password's UTF-8 bytes (bytes that came from an environment variable or file as
    surrogate escapes are given back as they were); text that has no bytes → a clear error."""
    try:
        return password.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise AdapterError("the password is not valid text", location=where or None) from None


def wrong_password(what: str, where: str | None) -> DecryptionError:
    """The one error of a wrong password (or a damaged file: they cannot be told apart)."""
    return DecryptionError(
        f"cannot decrypt {what}: wrong password, or the file is damaged",
        location=where or None,
        hint="check the password (it is the one set when the backup was made)",
    )


def pbkdf2(hash_name: str, password: str, salt: bytes, iterations: int, where: str) -> bytes:
    """PBKDF2-HMAC-*hash_name* → 32 bytes, the iteration count bounded first
    (:func:`~cxkit.adapters.otp.entry.check_kdf`)."""
    check_kdf("pbkdf2", iterations=iterations, where=where or None)
    _kdfcost.announce(f"PBKDF2-HMAC-{hash_name.upper()}", iterations=iterations)
    return hashlib.pbkdf2_hmac(hash_name, password_bytes(password, where), salt, iterations, 32)


def argon2id_sodium(password: str, salt: bytes, ops: int, mem: int, what: str,
                    where: str) -> bytes:  # fmt: skip
    """libsodium ``crypto_pwhash`` Argon2id (one lane) → 32 bytes; *mem* in bytes. The limits
    read from a file are bounded before any work (:func:`~cxkit.adapters.otp.entry.check_kdf`:
    at most 1 GiB and 64 passes) and checked against libsodium's own minimums."""
    from nacl import bindings as sodium

    check_kdf("argon2id", memory=mem, iterations=ops, where=where or None)
    low_mem = sodium.crypto_pwhash_argon2id_MEMLIMIT_MIN
    low_ops = sodium.crypto_pwhash_argon2id_OPSLIMIT_MIN
    if mem < low_mem or ops < low_ops:
        raise AdapterError(
            f"{what} asks for Argon2id with {mem} bytes of memory and {ops} passes; libsodium "
            f"needs at least {low_mem} bytes and {low_ops} pass",
            location=where or None,
        )
    if len(salt) != sodium.crypto_pwhash_SALTBYTES:
        raise AdapterError(
            f"{what}: the Argon2id salt has {len(salt)} bytes, not "
            f"{sodium.crypto_pwhash_SALTBYTES}",
            location=where or None,
        )
    _kdfcost.announce("Argon2id/libsodium", memory_kib=mem // 1024, iterations=ops)
    try:
        return bytes(
            sodium.crypto_pwhash_alg(
                32,
                password_bytes(password, where),
                salt,
                ops,
                mem,
                sodium.crypto_pwhash_ALG_ARGON2ID13,
            )
        )
    except Exception:
        raise AdapterError(
            f"{what}: the Argon2id key derivation failed (not enough memory?)",
            location=where or None,
        ) from None


def aes_gcm_open(key: bytes, nonce: bytes, data: bytes, aad: bytes | None, what: str,
                 where: str) -> bytes:  # fmt: skip
    """AES-GCM decryption (the tag is the last 16 bytes of *data*); failure → a wrong password."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(data) < 16 or not 8 <= len(nonce) <= 128 or len(key) not in (16, 24, 32):
        raise wrong_password(what, where)
    try:
        return AESGCM(key).decrypt(nonce, data, aad)
    except (InvalidTag, ValueError):
        raise wrong_password(what, where) from None


def aes_cbc_open(key: bytes, iv: bytes, data: bytes, what: str, where: str) -> bytes:
    """AES-CBC with PKCS#7 padding; bad padding (the only check CBC has) → a wrong password."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if not data or len(data) % 16 or len(iv) != 16:
        raise wrong_password(what, where)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise wrong_password(what, where) from None
