"""Authenticator Plus exports (``../shared/formats/totp-apps.md`` §12): a ZipCrypto zip with
``Accounts.txt`` (otpauth:// URIs). The test writes its own encrypted zips (PKWARE APPNOTE
§6.1, traditional encryption) so that the reader is checked on more than the one sample."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest
from _otp_read import mutate_all, read, reference, rows

from cxkit.adapters.base import PasswordNeededError
from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.authplus import accounts_text
from cxkit.errors import DecodeError, DecryptionError
from shared_evidence import shared_path

_PATH = "authenticator-plus/aegis/authenticator_plus.zip"
_PASSWORD = "testtesttest"
_M = 0xFFFFFFFF


def _step(crc: int, byte: int) -> int:
    return zlib.crc32(bytes([byte]), crc ^ _M) ^ _M


def _zipcrypto(plain: bytes, password: bytes, check: int) -> bytes:
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(byte: int) -> None:
        keys[0] = _step(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & _M
        keys[2] = _step(keys[2], keys[1] >> 24)

    for byte in password:
        update(byte)
    out = bytearray()
    for byte in os.urandom(11) + bytes([check]) + plain:
        temp = (keys[2] | 2) & 0xFFFF
        out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
        update(byte)
    return bytes(out)


def encrypted_zip(name: str, content: bytes, password: str) -> bytes:
    """A zip of one stored member encrypted with ZipCrypto (as Authenticator Plus writes)."""
    crc = zlib.crc32(content)
    body = _zipcrypto(content, password.encode(), crc >> 24)
    raw = name.encode()
    fields = (20, 1, 0, 0, 0x21, crc, len(body), len(content), len(raw), 0)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + raw + body
    central = struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
    central += struct.pack("<HHHII", 0, 0, 0, 0, 0) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


def test_shared_sample() -> None:
    data = shared_path("exports", _PATH).read_bytes()
    assert detect(make_sample(data, "authenticator_plus.zip")).adapter.info.key == (
        "authenticator-plus"
    )
    doc, report = read(data, "authenticator_plus.zip", password=_PASSWORD)
    assert rows(doc) == reference()
    assert report.source_format == "authenticator-plus"


def test_wrong_or_missing_password_is_clear() -> None:
    data = shared_path("exports", _PATH).read_bytes()
    with pytest.raises(DecryptionError) as err:
        read(data, "a.zip", "authenticator-plus", "not-the-password")
    assert "wrong password" in str(err.value) and "not-the-password" not in err.value.diagnostics()
    with pytest.raises(PasswordNeededError):
        read(data, "a.zip", "authenticator-plus")


def test_own_encrypted_zip_and_a_plain_one() -> None:
    text = b"otpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP&issuer=Site\nnot a uri\n"
    data = encrypted_zip("Accounts.txt", text, "pässwörd")
    assert zipfile.ZipFile(io.BytesIO(data)).read("Accounts.txt", pwd="pässwörd".encode()) == text
    assert detect(make_sample(data, "export.zip")).adapter.info.key == "authenticator-plus"
    doc, report = read(data, "export.zip", password="pässwörd")
    assert rows(doc) == [("totp", "Site", "me", "JBSWY3DPEHPK3PXP", "sha1", 6, 30)]
    assert len(report.items_skipped) == 1  # the line that is not a URI
    for password in ("passwörd", "", "x" * 100):
        with pytest.raises(DecryptionError):
            read(data, "export.zip", "authenticator-plus", password)
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Accounts.txt", text)
    doc, _ = read(plain.getvalue(), "export.zip", "authenticator-plus")
    assert len(rows(doc)) == 1


def test_a_zip_without_accounts_is_refused() -> None:
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("Other.txt", b"x")
    with pytest.raises(DecodeError, match=r"no Accounts\.txt"):
        accounts_text(plain.getvalue(), None, "x.zip")


def test_mutations_raise_only_cxkit_errors() -> None:
    data = shared_path("exports", _PATH).read_bytes()
    assert mutate_all(data, lambda d: read(d, "x.zip", "authenticator-plus", _PASSWORD),
                      rounds=80) > 0  # fmt: skip
    own = encrypted_zip("Accounts.txt", b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n", "pw")
    assert mutate_all(own, lambda d: read(d, "x.zip", "authenticator-plus", "pw"), rounds=80) > 0
