"""Ente Auth's encrypted export: Argon2id (libsodium) + XChaCha20-Poly1305 secretstream
(``../shared/formats/totp-apps.md`` §7). The plain export is an otpauth:// list (otpauth-uris)."""

from __future__ import annotations

import base64
import json

import pytest
from _otp_read import mutate_all, read, rows
from nacl import bindings as sodium

from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.ente import decrypt_export
from cxkit.errors import AdapterError, CxkitError, DecryptionError
from shared_evidence import shared_path

KEY = "ente"
_URIS = (
    "otpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP&issuer=Site&algorithm=SHA1&digits=6&period=30"
    "&codeDisplay=%7B%22pinned%22%3Atrue%2C%22trashed%22%3Afalse%2C%22tags%22%3A%5B%22a%22%5D%2C"
    "%22note%22%3A%22hello%22%7D\n"
    "otpauth://hotp/Other:you?secret=GEZDGNBVGY3TQOJQ&issuer=Other&counter=4\n"
)


def _encrypt(plain: bytes, password: str, ops: int = 1, mem: int = 8192) -> bytes:
    """An encrypted Ente export made here, as Ente makes one (own code, libsodium)."""
    salt = b"0123456789abcdef"
    key = sodium.crypto_pwhash_alg(32, password.encode(), salt, ops, mem,
                                   sodium.crypto_pwhash_ALG_ARGON2ID13)  # fmt: skip
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    sealed = sodium.crypto_secretstream_xchacha20poly1305_push(
        state, plain, None, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
    )
    top = {"version": 1, "kdfParams": {"memLimit": mem, "opsLimit": ops,
                                       "salt": base64.b64encode(salt).decode()},
           "encryptedData": base64.b64encode(sealed).decode(),
           "encryptionNonce": base64.b64encode(header).decode()}  # fmt: skip
    return json.dumps(top).encode()


def _sample() -> bytes:
    return shared_path("exports", "ente", "proton", "encrypted.lowcomplexity.txt").read_bytes()


def test_real_sample() -> None:
    data = _sample()
    password = shared_path("exports", "ente", "proton", "password").read_text()
    assert detect(make_sample(data, "ente.txt")).adapter.info.key == KEY
    doc, report = read(data, "ente.txt", None, password)
    found = rows(doc)
    assert [(r[0], r[1]) for r in found] == [("hotp", "dfdf"), ("totp", "issuertest")]
    assert report.items_read == 3  # the third's secret is not Base32: kept as custom fields
    # decrypting gives otpauth:// lines with Ente's codeDisplay
    plain = decrypt_export(json.loads(data), password)
    assert plain.startswith(b"otpauth://") and b"codeDisplay" in plain


def test_own_export_equals_its_plain_text() -> None:
    data = _encrypt(_URIS.encode(), "correct horse")
    doc, _ = read(data, "ente-export.txt", None, "correct horse")
    assert rows(doc) == rows(read(_URIS.encode(), "plain.txt", "otpauth-uris")[0])
    item = doc.header.accounts[0].items[0]
    assert item.tags == ("a",) and item.favorite is True


def test_wrong_password() -> None:
    with pytest.raises(DecryptionError) as err:
        read(_sample(), "ente.txt", KEY, "passw0rd")
    assert "wrong password" in str(err.value) and "passw0rd" not in str(err.value)


@pytest.mark.parametrize(("mem", "ops"), [(1 << 34, 1), (1 << 20, 10**6), (10, 1), (8192, 0)])
def test_hostile_kdf_limits_are_refused_before_work(mem: int, ops: int) -> None:
    top = json.loads(_encrypt(b"x", "pw"))
    top["kdfParams"].update(memLimit=mem, opsLimit=ops)
    with pytest.raises(AdapterError) as err:
        read(json.dumps(top).encode(), "e.txt", KEY, "pw")
    assert "argon2id" in str(err.value).lower()


def test_not_final_and_damaged_fields() -> None:
    top = json.loads(_encrypt(b"x", "pw"))
    for member, value in (("encryptionNonce", "AAAA"), ("encryptedData", "!!"),
                          ("kdfParams", []), ("version", 2)):  # fmt: skip
        bad = dict(top, **{member: value})
        with pytest.raises(CxkitError):
            read(json.dumps(bad).encode(), "e.txt", KEY, "pw")


def test_mutations_raise_only_cxkit_errors() -> None:
    password = shared_path("exports", "ente", "proton", "password").read_text()
    assert mutate_all(_sample(), lambda d: read(d, "e.txt", KEY, password), rounds=40) > 0
