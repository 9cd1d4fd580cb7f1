"""Authenticator Plus exports (``../shared/formats/totp-apps.md`` §12).

"Export" writes a zip encrypted with the backup password (traditional PKWARE ZipCrypto)
holding ``Accounts.txt``: one ``otpauth://`` URI per line, read as
:mod:`cxkit.adapters.otp.uris` reads such lists. The zip is opened in memory (nothing is
extracted): at most :data:`MAX_ENTRIES` members, ``Accounts.txt`` at most :data:`MAX_SIZE`
bytes, declared and real. ZipCrypto has no key derivation (no work factor to bound); a wrong
password fails its check byte or the member's CRC: one clear error.

The app's own backup (``authplus.db``) is an SQLCipher database: reading it would need
SQLCipher (``sqlcipher3``), which cxkit does not have; use the app's export instead.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
import zlib
from typing import Final

import msgspec

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    PasswordNeededError,
    ReadOptions,
    Sample,
)
from cxkit.adapters.otp import _unlock
from cxkit.adapters.otp.uris import _read as read_uri_lines
from cxkit.adapters.report import MigrationReport
from cxkit.errors import DecodeError, InputTooLargeError, UnsupportedVersionError

__all__ = ["MAX_ENTRIES", "MAX_SIZE", "AuthenticatorPlusAdapter", "accounts_text"]

MEMBER: Final = "Accounts.txt"
MAX_ENTRIES: Final = 64
MAX_SIZE: Final = 16 << 20
_WHAT: Final = "the Authenticator Plus export"
_AES: Final = 99  # WinZip AES "compression method"
#: What zipfile raises on a damaged or unusual archive (NotImplementedError: a newer version).
_ZIP_ERRORS: Final = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
                      NotImplementedError, RuntimeError)  # fmt: skip


def accounts_text(data: bytes, password: str | None, where: str = "") -> bytes:
    """The bytes of ``Accounts.txt`` in an Authenticator Plus zip (decrypted with *password*
    when the member is encrypted; an encrypted member and no password →
    :class:`PasswordNeededError`). Bounded; every failure is a cxkit error."""
    location = where or None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_ERRORS:
        raise DecodeError(f"{_WHAT} is not a zip archive cxkit can read",
                          location=location) from None  # fmt: skip
    if len(infos) > MAX_ENTRIES:
        raise InputTooLargeError(f"{_WHAT} has more than {MAX_ENTRIES} members", location=location)
    info = next((i for i in infos if i.filename == MEMBER), None)
    if info is None:
        raise DecodeError(f"{_WHAT} holds no {MEMBER}", location=location)
    if info.file_size > MAX_SIZE:
        raise InputTooLargeError(f"{MEMBER} is larger than {MAX_SIZE >> 20} MiB",
                                 location=location)  # fmt: skip
    if info.compress_type == _AES:
        raise UnsupportedVersionError(f"{_WHAT} is AES-encrypted; cxkit reads ZipCrypto zips "
                                      "(as Authenticator Plus writes them)", location=location)  # fmt: skip
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsupportedVersionError(f"{MEMBER} is compressed with a method cxkit does not read",
                                      location=location)  # fmt: skip
    encrypted = bool(info.flag_bits & 0x1)
    secret = _unlock.password_bytes(password, where) if encrypted and password is not None else None
    if encrypted and secret is None:
        raise PasswordNeededError(f"{_WHAT} is encrypted", location=location)
    try:
        with archive.open(info, pwd=secret) as member:
            content = member.read(MAX_SIZE + 1)
    except NotImplementedError:  # (a RuntimeError: before the password's clause)
        raise UnsupportedVersionError(f"{MEMBER} uses a zip feature cxkit does not read",
                                      location=location) from None  # fmt: skip
    except RuntimeError:  # zipfile: "Bad password for file"
        raise _unlock.wrong_password(_WHAT, where) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
        if encrypted:  # a wrong key that passed the check byte decrypts to garbage
            raise _unlock.wrong_password(_WHAT, where) from None
        raise DecodeError(f"{MEMBER} is damaged", location=location) from None
    if len(content) > MAX_SIZE:
        raise InputTooLargeError(f"{MEMBER} is larger than {MAX_SIZE >> 20} MiB",
                                 location=location)  # fmt: skip
    return content


def _encrypted(data: bytes) -> bool:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except _ZIP_ERRORS:
        return False
    return any(i.filename == MEMBER and i.flag_bits & 0x1 for i in infos[:MAX_ENTRIES])


class AuthenticatorPlusAdapter:
    info = AdapterInfo(
        key="authenticator-plus",
        app="Authenticator Plus",
        format="encrypted zip export with Accounts.txt (otpauth:// URIs)",
        versions="Authenticator Plus for Android 3.x",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "Authenticator Plus → Settings → Backup & Restore → Export as Text and HTML: a zip "
            "protected with the backup password. (The authplus.db backup is an SQLCipher "
            "database, which cxkit does not read.)"
        ),
        extensions=(".zip",),
        zip_members=(MEMBER,),
    )
    rp_id = "mufri.com"
    app = "Authenticator Plus"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a zip holding ``Accounts.txt`` (at most a few members); the names of an
        encrypted zip are those detection listed without the guarded reader (which refuses
        encrypted members)."""
        names = sample.zip_names
        if names is None and sample.extra.get("zip_encrypted"):
            names = sample.extra.get("zip_unchecked_names")
        if names is not None and MEMBER in names and len(names) <= MAX_ENTRIES:
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        password = _unlock.ask_password(options, _WHAT, name) if _encrypted(sample.data) else None
        text = accounts_text(sample.data, password, name)
        doc = read_uri_lines(text, f"{name or 'input'}/{MEMBER}", self.info.key, options, report)
        header = msgspec.structs.replace(doc.header, exporter_rp_id=self.rp_id,
                                         exporter_display_name=self.app)  # fmt: skip
        return dataclasses.replace(doc, header=header)
