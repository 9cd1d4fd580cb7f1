"""Stratum / Authenticator Pro: plain JSON, encrypted (Argon2id + AES-GCM), legacy encrypted
(PBKDF2 + AES-CBC) and the app database (``../shared/formats/totp-apps.md`` §12)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from _otp_read import codes_match_reference, mutate_all, read, reference, rows
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.stratum import MAGIC_LEGACY, decrypt_backup
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, DecodeError, DecryptionError
from shared_evidence import shared_path

SAMPLES = {
    "stratum_plain.json": None,
    "stratum_encrypted.bin": "test",
    "stratum_encrypted_legacy.bin": "test",
    "stratum_internal.db": None,
}

_OWN = {
    "Authenticators": [
        {"Type": 2, "Icon": "github", "Issuer": "GitHub", "Username": "octo",
         "Secret": "JBSWY3DPEHPK3PXP", "Pin": None, "Algorithm": 1, "Digits": 6, "Period": 30,
         "Counter": 0, "Ranking": 2, "CopyCount": 5, "Future": "kept"},
        {"Type": 3, "Icon": None, "Issuer": "Bank", "Username": "me",
         "Secret": "GEZDGNBVGY3TQOJQ", "Pin": "1234", "Algorithm": 0, "Digits": 6,
         "Period": 10, "Counter": 0, "Ranking": 0},
    ],
    "Categories": [{"Id": "c1", "Name": "Work", "Ranking": 0}],
    "AuthenticatorCategories": [{"CategoryId": "c1", "AuthenticatorSecret": "JBSWY3DPEHPK3PXP",
                                 "Ranking": 0}],
    "CustomIcons": [{"Id": "i1", "Data": "AAAA"}],
}  # fmt: skip


def _legacy(plain: bytes, password: str) -> bytes:
    salt, iv = os.urandom(20), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha1", password.encode(), salt, 64_000, 32)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return MAGIC_LEGACY + salt + iv + encryptor.update(padded) + encryptor.finalize()


def _sample(name: str) -> bytes:
    return shared_path("exports", "stratum", "aegis", name).read_bytes()


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_is_detected_and_holds_the_reference_tokens(name: str) -> None:
    data = _sample(name)
    assert detect(make_sample(data, name)).adapter.info.key == "stratum"
    doc, report = read(data, name, None, SAMPLES[name])
    assert report.source_format == "stratum"
    assert rows(doc) == reference()
    assert codes_match_reference(doc) == 3


def test_wrong_passwords() -> None:
    for name in ("stratum_encrypted.bin", "stratum_encrypted_legacy.bin"):
        with pytest.raises(DecryptionError) as err:
            read(_sample(name), name, "stratum", "tset")
        assert "wrong password" in str(err.value) and "tset" not in str(err.value)


def test_own_backup_categories_pin_and_unknown_members() -> None:
    doc, report = read(json.dumps(_OWN).encode(), "backup.json", "stratum")
    account = doc.header.accounts[0]
    assert [c.title for c in account.collections] == ["Work"]
    assert [li.item for li in account.collections[0].items] == [account.items[0].id]
    by_path = {r.path: r for r in report.fields}
    assert by_path["$.Authenticators[0].Future"].disposition.value == "custom-field"
    assert by_path["$.Authenticators[1].Pin"].disposition.value == "custom-field"
    assert by_path["$.CustomIcons[0]"].disposition.value == "not-carried"
    assert rows(doc)[0][:2] == ("motp", "Bank")  # mOTP: kept as custom fields
    pins = [f for c in account.items[1].credentials if isinstance(c, m.CustomFields)
            for f in c.fields if f.label == "Pin"]  # fmt: skip
    assert [(f.value, f.field_type) for f in pins] == [("1234", "concealed-string")]


def test_own_legacy_backup_round() -> None:
    plain = json.dumps(_OWN).encode()
    data = _legacy(plain, "pw")
    assert decrypt_backup(data, "pw") == plain
    assert rows(read(data, "b.authpro", None, "pw")[0]) == rows(read(plain, "b.json")[0])


def test_database_is_read_from_a_private_copy(tmp_path: Path) -> None:
    path = tmp_path / "authenticator.db3"
    path.write_bytes(_sample("stratum_internal.db"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    doc, _ = read(path.read_bytes(), str(path), "stratum")
    assert rows(doc) == reference()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["authenticator.db3"]


def test_other_sqlite_database_is_not_stratum(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE authenticator (name TEXT)")
    data = path.read_bytes()
    with pytest.raises(CxkitError):  # no reader claims it (an SQLite database: not an export)
        detect(make_sample(data, "other.db"))
    with pytest.raises(DecodeError):
        read(data, "other.db", "stratum")


def test_truncated_headers() -> None:
    for data in (b"AUTHENTICATORPRO" + bytes(10), MAGIC_LEGACY + bytes(40)):
        with pytest.raises(CxkitError):
            read(data, "x.authpro", "stratum", "pw")


@pytest.mark.parametrize("name", ["stratum_plain.json", "stratum_encrypted_legacy.bin",
                                  "stratum_internal.db"])  # fmt: skip
def test_mutations_raise_only_cxkit_errors(name: str) -> None:
    rounds = 8 if name.endswith(".bin") else 40
    data = _sample(name)
    mutate_all(data, lambda d: read(d, name, "stratum", "test"), rounds=rounds)
