"""TOTP Authenticator backups (AES-256-CBC under SHA-256 of the password, Base64 text) and the
app's shared preferences (``../shared/formats/totp-apps.md`` §12)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from typing import Any

import pytest
from _otp_read import codes_match_reference, mutate_all, read, rows
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.base import PasswordNeededError
from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.totpauth import decrypt_backup, entry_secret
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, DecryptionError
from shared_evidence import shared_path

_BIN = "totp-authenticator/aegis/totp_authenticator.bin"
_XML = "totp-authenticator/aegis/totp_authenticator_internal.xml"
_PASSWORD = "Testtest1"


def encrypt_backup(entries: list[dict[str, Any]], password: str) -> bytes:
    """A backup as the app writes it (made here with the cryptography package)."""
    plain = json.dumps({json.dumps(entries): "1608293023"}).encode()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    key = hashlib.sha256(password.encode()).digest()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize())


def _entry(issuer: str, key: str, base: int, **extra: Any) -> dict[str, Any]:
    return {"issuer": issuer, "name": "me", "key": key, "base": base, "digits": "6",
            "period": "30", "isFavorite": True, "totpCode": "123456", "widgetId": 0, **extra}  # fmt: skip


def test_shared_backup_and_preferences_agree() -> None:
    sealed = shared_path("exports", _BIN).read_bytes()
    prefs = shared_path("exports", _XML).read_bytes()
    assert detect(make_sample(sealed, "totp_authenticator.bin")).adapter.info.key == (
        "totp-authenticator"
    )
    assert detect(make_sample(prefs, "prefs.xml")).adapter.info.key == "totp-authenticator"
    doc, report = read(sealed, "totp_authenticator.bin", password=_PASSWORD)
    assert rows(doc) == rows(read(prefs, "prefs.xml")[0])
    # the app keeps SHA-1 only: the reference tokens' secrets, digits and periods, as SHA-1
    assert [(r[1], r[5], r[6]) for r in rows(doc)] == [("Airbnb", 8, 50), ("Deno", 6, 30),
                                                       ("SPDX", 7, 20)]  # fmt: skip
    assert codes_match_reference(doc, only=frozenset({"Deno"})) == 1
    assert report.items_read == 3


def test_the_password_the_app_keeps_is_not_copied() -> None:
    prefs = shared_path("exports", _XML).read_bytes()
    doc, report = read(prefs, "prefs.xml")
    assert _PASSWORD not in report.render()
    assert _PASSWORD not in json.dumps(report.to_json())
    assert _PASSWORD.encode() not in repr(doc).encode()


def test_wrong_or_missing_password() -> None:
    sealed = shared_path("exports", _BIN).read_bytes()
    with pytest.raises(DecryptionError) as err:
        read(sealed, "t.bin", "totp-authenticator", "Testtest2")
    assert "wrong password" in str(err.value) and "Testtest2" not in err.value.diagnostics()
    with pytest.raises(PasswordNeededError):
        read(sealed, "t.bin", "totp-authenticator")
    # CBC has no tag: this wrong password passes the padding check (1 in ~256), then the text
    # is not JSON — still the wrong-password error, not "not JSON"
    decrypt_backup(sealed, "wrong164")
    with pytest.raises(DecryptionError, match="wrong password"):
        read(sealed, "t.bin", "totp-authenticator", "wrong164")


def test_own_backup_with_every_base() -> None:
    seed = os.urandom(20)
    entries = [
        _entry("Hex", seed.hex().upper(), 16),
        _entry("B32", base64.b32encode(seed).decode(), 32),
        _entry("B64", base64.b64encode(seed).decode(), 64),
        _entry("Odd", "abc", 10),
    ]
    data = encrypt_backup(entries, "pässword")
    doc, report = read(data, "backup.bin", "totp-authenticator", "pässword")
    items = doc.header.accounts[0].items
    secrets = {i.title: c.secret for i in items for c in i.credentials if isinstance(c, m.Totp)}
    assert set(secrets) == {"Hex", "B32", "B64"} and len(set(secrets.values())) == 1
    assert all(i.favorite for i in items)
    assert report.items_skipped[0][0] == "Odd"
    assert "123456" not in report.render()


def test_detection_needs_the_backup_shape() -> None:
    data = encrypt_backup([_entry("A", "00" * 10, 16)], "x")
    assert detect(make_sample(data, "backup.bin")).adapter.info.key == "totp-authenticator"
    with pytest.raises(CxkitError):
        detect(make_sample(data, "backup.txt"))  # no signature: the name is the only hint
    with pytest.raises(CxkitError):
        detect(make_sample(b"aGVsbG8gd29ybGQ=", "short.bin"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from([16, 32, 64, 8, "16", None]))
def test_entry_secret_takes_any_key(key: str, base: Any) -> None:
    found = entry_secret(key, base)
    assert found is None or isinstance(found, bytes)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.text(max_size=10))
def test_decrypt_takes_any_bytes(data: bytes, password: str) -> None:
    with contextlib.suppress(CxkitError):
        decrypt_backup(data, password, "x.bin")


def test_mutations_raise_only_cxkit_errors() -> None:
    sealed = shared_path("exports", _BIN).read_bytes()
    failed = mutate_all(sealed, lambda d: read(d, "x.bin", "totp-authenticator", _PASSWORD))
    assert failed > 0
    prefs = shared_path("exports", _XML).read_bytes()
    assert mutate_all(prefs, lambda d: read(d, "x.xml", "totp-authenticator"), rounds=60) > 0
    own = encrypt_backup([_entry("A", "00" * 10, 16, extra=[1, {"b": 2}])], "pw")
    mutate_all(own, lambda d: read(d, "x.bin", "totp-authenticator", "pw"), rounds=60)
