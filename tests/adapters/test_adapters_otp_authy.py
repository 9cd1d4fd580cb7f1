"""Authy's token store, plain and encrypted (``../shared/formats/totp-apps.md`` §12)."""

from __future__ import annotations

import base64
import hashlib
import html
import json

import pytest
from _otp_read import codes_match_reference, mutate_all, read, reference, rows
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.base import PasswordNeededError
from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.authy import decrypt_secret
from cxkit.errors import AdapterError, DecryptionError
from shared_evidence import shared_path

KEY = "authy"
#: The three TOTP reference tokens with the parameters Authy can hold (SHA-1, 30 s)
AUTHY_ROWS = [("totp", "Airbnb", "Elijah"), ("totp", "Deno", "Mason"), ("totp", "SPDX", "James")]


def _sample(name: str) -> bytes:
    return shared_path("exports", "authy", "aegis", name).read_bytes()


def _store(tokens: list[dict[str, object]]) -> bytes:
    text = html.escape(json.dumps(tokens), quote=True)
    return (
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
        '    <int name="key_version" value="121" />\n'
        f'    <string name="com.authy.storage.tokens.authenticator.key">{text}</string>\n'
        '    <string name="com.authy.storage.tokens.authy.key">[]</string>\n</map>\n'
    ).encode()


def _encrypt(secret: str, password: str, salt: str, iterations: int = 1000) -> str:
    key = hashlib.pbkdf2_hmac("sha1", password.encode(), salt.encode(), iterations, 32)
    padder = padding.PKCS7(128).padder()
    data = padder.update(secret.encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return base64.b64encode(enc.update(data) + enc.finalize()).decode()


@pytest.mark.parametrize(("name", "password"), [("authy_plain.xml", None),
                                                ("authy_encrypted.xml", "testtest")])  # fmt: skip
def test_samples(name: str, password: str | None) -> None:
    data = _sample(name)
    assert detect(make_sample(data, name)).adapter.info.key == KEY
    doc, report = read(data, name, None, password)
    assert [r[:3] for r in rows(doc)] == AUTHY_ROWS
    secrets = {r[1]: r[3] for r in reference()}
    assert all(r[3] == secrets[r[1]] for r in rows(doc))
    assert [r[5] for r in rows(doc)] == [8, 6, 7]  # digits kept
    assert report.items_read == 3


def test_plain_and_encrypted_agree_and_codes_are_right() -> None:
    plain = read(_sample("authy_plain.xml"), "p.xml")[0]
    sealed = read(_sample("authy_encrypted.xml"), "e.xml", None, "testtest")[0]
    assert rows(plain) == rows(sealed)
    # Deno is SHA-1/6/30 in the reference too (Authy cannot hold the others' parameters)
    assert codes_match_reference(plain, only=frozenset({"Deno"})) == 1


def test_wrong_or_missing_password() -> None:
    with pytest.raises(DecryptionError) as err:
        read(_sample("authy_encrypted.xml"), "e.xml", KEY, "testtesT")
    assert "wrong password" in str(err.value) and "testtesT" not in str(err.value)
    with pytest.raises(PasswordNeededError):
        read(_sample("authy_encrypted.xml"), "e.xml", KEY)


def test_own_store_authy_token_iterations_and_skips() -> None:
    tokens: list[dict[str, object]] = [
        {"accountType": "authy", "decryptedSecret": "JBSWY3DPEHPK3PXP", "digits": 7,
         "originalName": "Twitch", "id": "1", "newMember": "kept"},
        {"accountType": "authenticator", "digits": 6, "originalIssuer": "Site",
         "originalName": "Site:me", "salt": "abc", "key_derivation_iterations": 5000,
         "encryptedSecret": _encrypt("GEZDGNBVGY3TQOJQ", "pw", "abc", 5000)},
        {"accountType": "authenticator", "encryptedSecret": "AAAA", "salt": "s",
         "unique_iv": "x"},
    ]  # fmt: skip
    doc, report = read(_store(tokens), "com.authy.authy.xml", KEY, "pw")
    assert [r[0:3] + r[5:] for r in rows(doc)] == [("totp", "", "Twitch", 7, 10),
                                                   ("totp", "Site", "me", 6, 30)]  # fmt: skip
    assert len(report.items_skipped) == 1 and "unique_iv" in report.items_skipped[0][1]
    notes = {r.path.rsplit(":", 1)[-1]: r for r in report.fields}
    assert notes["/map/string[3]"].disposition.value == "not-carried"
    assert any(p.endswith(".newMember") and r.disposition.value == "custom-field"
               for p, r in ((r.path, r) for r in report.fields))  # fmt: skip


def test_hostile_iteration_count_is_refused() -> None:
    token = {"accountType": "authenticator", "salt": "s", "encryptedSecret": "AAAAAAAAAAAAAAAAAAAAAA==",
             "key_derivation_iterations": 10**12}  # fmt: skip
    with pytest.raises(AdapterError, match="10000000"):
        read(_store([token]), "a.xml", KEY, "pw")


def test_mutations_raise_only_cxkit_errors() -> None:
    for name, rounds in (("authy_plain.xml", 48), ("authy_encrypted.xml", 24)):
        mutate_all(_sample(name), lambda d, n=name: read(d, n, KEY, "testtest"), rounds=rounds)


@given(
    st.from_regex(r"[A-Z2-7]{16,40}", fullmatch=True),
    st.text(min_size=1, max_size=16),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=32),
)
@settings(max_examples=40, deadline=None)
def test_decrypt_secret_property(secret: str, password: str, salt: str) -> None:
    token = {"encryptedSecret": _encrypt(secret, password, salt, 10), "salt": salt,
             "key_derivation_iterations": 10}  # fmt: skip
    assert decrypt_secret(token, password) == secret
