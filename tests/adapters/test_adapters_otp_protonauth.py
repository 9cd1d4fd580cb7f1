"""Proton Authenticator exports, plain and password-protected (``../shared/formats/
totp-apps.md`` §9; the encrypted layout from proton-pass-common, tested with files made here)."""

from __future__ import annotations

import base64
import json
import os

import pytest
from _otp_read import codes_match_reference, mutate_all, read, reference, rows
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from cxkit.adapters.detection import detect, make_sample
from cxkit.errors import CxkitError, DecryptionError, UnsupportedVersionError
from shared_evidence import shared_path

KEY = "proton-authenticator"
_OWN = {
    "version": 1,
    "entries": [
        {"id": "0b6c1b8e-0000-4000-8000-000000000001",
         "content": {"uri": "otpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP&issuer=Site",
                     "entry_type": "Totp", "name": "me"}, "note": "my note"},
        {"id": "0b6c1b8e-0000-4000-8000-000000000002",
         "content": {"uri": "otpauth://totp/Steam:gamer?secret=GEZDGNBVGY3TQOJQ&issuer=Steam",
                     "entry_type": "Steam", "name": "gamer"}, "note": None, "future": 1},
        {"id": "0b6c1b8e-0000-4000-8000-000000000003",
         "content": {"uri": "nonsense", "entry_type": "Totp", "name": "broken"}, "note": None},
    ],
}  # fmt: skip


def _encrypt(plain: bytes, password: str) -> bytes:
    """A password-protected export made here (Argon2id 19 MiB / 2 passes / 1 lane, AES-GCM with
    the export AAD), the layout of proton-pass-common's exporter."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = Argon2id(salt=salt, length=32, iterations=2, lanes=1, memory_cost=19456).derive(
        password.encode()
    )
    sealed = nonce + AESGCM(key).encrypt(nonce, plain, b"proton.authenticator.export.v1")
    top = {"version": 1, "salt": base64.b64encode(salt).decode(),
           "content": base64.b64encode(sealed).decode()}  # fmt: skip
    return json.dumps(top).encode()


def test_real_sample() -> None:
    data = shared_path("exports", "proton-authenticator", "aegis",
                       "proton_authenticator.json").read_bytes()  # fmt: skip
    assert detect(make_sample(data, "export.json")).adapter.info.key == KEY
    doc, _ = read(data, "export.json")
    assert rows(doc) == [r for r in reference() if r[0] == "totp"]
    assert codes_match_reference(doc) == 3


def test_own_export_steam_note_and_a_broken_entry() -> None:
    doc, report = read(json.dumps(_OWN).encode(), "export.json")
    items = doc.header.accounts[0].items
    assert [i.title for i in items] == ["Site", "Steam"]
    assert items[1].credentials[0].algorithm == "steam"  # type: ignore[union-attr]
    assert report.items_skipped[0][0] == "broken"
    by_path = {r.path: r.disposition.value for r in report.fields}
    assert by_path["$.entries[1].future"] == "custom-field"
    assert by_path["$.entries[0].note"] == "member"


def test_encrypted_export_equals_plain() -> None:
    plain = json.dumps(_OWN).encode()
    data = _encrypt(plain, "hunter22")
    assert detect(make_sample(data, "export.json")).adapter.info.key == KEY
    assert rows(read(data, "e.json", None, "hunter22")[0]) == rows(read(plain, "p.json")[0])
    with pytest.raises(DecryptionError) as err:
        read(data, "e.json", KEY, "hunter23")
    assert "hunter23" not in str(err.value)


def test_encrypted_export_damage() -> None:
    top = json.loads(_encrypt(b"{}", "pw"))
    with pytest.raises(UnsupportedVersionError):
        read(json.dumps(dict(top, version=2)).encode(), "e.json", KEY, "pw")
    for bad in (dict(top, salt="AAAA"), dict(top, content="not base64!"), dict(top, salt=5)):
        with pytest.raises(CxkitError):
            read(json.dumps(bad).encode(), "e.json", KEY, "pw")


def test_mutations_raise_only_cxkit_errors() -> None:
    data = json.dumps(_OWN).encode()
    mutate_all(data, lambda d: read(d, "x.json", KEY), rounds=60)
    sealed = _encrypt(data, "pw")
    mutate_all(sealed, lambda d: read(d, "x.json", KEY, "pw"), rounds=8)
