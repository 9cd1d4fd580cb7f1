"""2FAS backups (``cxkit.adapters.otp.twofas``; ``../shared/formats/totp-apps.md`` §3): every
sample detected and read (encrypted ones with ``test``), a wrong password told by the
``reference`` check, plain and encrypted backups of the same tokens equal, cxkit → 2FAS → cxkit
exact for every TOTP parameter, an encrypted backup written by cxkit opened by an independent
implementation of the 2FAS scheme, and damaged backups refused with cxkit errors."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_adapters_aegis import _ENTRY, _summary, entries_document

from cxkit import adapters, cxf
from cxkit.adapters import ReadOptions, WriteOptions
from cxkit.adapters.contract import mutations
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.otp.twofas import REFERENCE
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, DecryptionError
from shared_evidence import shared_path

SAMPLES = [
    ("aegis", "2fas_authenticator.json", "2fas", None),
    ("aegis", "2fas_authenticator_plain.2fas", "2fas", None),
    ("aegis", "2fas_authenticator_encrypted.2fas", "2fas-encrypted", 4),
    ("aegis", "2fas_authenticator_plain_v3.2fas", "2fas", 6),
    ("aegis", "2fas_authenticator_encrypted_v3.2fas", "2fas-encrypted", 6),
    ("aegis", "2fas_authenticator_plain_v4.2fas", "2fas", None),
    ("proton", "decrypted.2fas", "2fas", 2),
    ("proton", "encrypted.2fas", "2fas-encrypted", 2),
    ("proton", "decrypted_ios.2fas", "2fas", 2),
    ("proton", "decrypted_with_hotp.2fas", "2fas", 2),
    ("proton", "decrypted_with_hotp_and_unsupported_algorithms.2fas", "2fas", 2),
    ("proton", "decrypted_with_hotp_missing_period.2fas", "2fas", None),
    ("proton", "decrypted_with_manual_entries.2fas", "2fas", 12),
    ("proton", "decrypted_with_missing_fields.2fas", "2fas", None),
]


def _read(data: bytes, name: str, password: str | None = None) -> tuple[cxf.Document, Any]:
    options = ReadOptions(password=None if password is None else (lambda _p: password))
    return adapters.read(data, name, options=options)


def _file(source: str, name: str) -> bytes:
    return shared_path("exports", "2fas", source, name).read_bytes()


@pytest.mark.parametrize(("source", "name", "key", "count"), SAMPLES)
def test_every_sample_is_detected_and_read(
    source: str, name: str, key: str, count: int | None
) -> None:
    data = _file(source, name)
    assert adapters.detect(adapters.make_sample(data, name)).adapter.info.key == key
    _doc, report = _read(data, name, "test")
    services = json.loads(data)["services"]
    assert report.items_read == (count if count is not None else len(services))
    assert report.items_read + len(report.items_skipped) >= (count or len(services))


@pytest.mark.parametrize(("plain", "sealed"), [
    (("aegis", "2fas_authenticator_plain.2fas"), ("aegis", "2fas_authenticator_encrypted.2fas")),
    (("aegis", "2fas_authenticator_plain_v3.2fas"),
     ("aegis", "2fas_authenticator_encrypted_v3.2fas")),
    (("proton", "decrypted.2fas"), ("proton", "encrypted.2fas")),
])  # fmt: skip
def test_plain_and_encrypted_backups_hold_the_same_entries(
    plain: tuple[str, str], sealed: tuple[str, str]
) -> None:
    a, _ = _read(_file(*plain), plain[1])
    b, _ = _read(_file(*sealed), sealed[1], "test")
    assert _summary(a) == _summary(b)
    assert _summary(a)


def test_schema_versions_read_the_reference_tokens_alike() -> None:
    """Schema 3 and 4 keep HOTP and Steam; the TOTPs have every parameter."""
    doc, _ = _read(_file("aegis", "2fas_authenticator_plain_v3.2fas"), "v3.2fas")
    totps = {c.issuer: c for _, i in doc.items() for c in i.credentials if isinstance(c, m.Totp)}
    assert (totps["SPDX"].algorithm, totps["SPDX"].digits, totps["SPDX"].period) == (
        "sha256",
        7,
        20,
    )
    assert (
        totps["Deno"].username == "Mason" and totps["Deno"].secret == "4SJHB4GSD43FZBAI7C2HLRJGPQ"
    )
    doc, _ = _read(_file("aegis", "2fas_authenticator_plain_v4.2fas"), "v4.2fas")
    hotp = [c for _, i in doc.items() for c in i.credentials if isinstance(c, m.CustomFields)]
    assert {f.label: f.value for f in hotp[0].fields}["counter"] == "1"
    steam = [c for _, i in doc.items() for c in i.credentials if isinstance(c, m.Totp)][-1]
    assert (steam.algorithm, steam.digits, steam.issuer) == ("steam", 5, "Boeing")


def test_missing_parameters_come_from_the_link() -> None:
    doc, report = _read(_file("proton", "decrypted_with_manual_entries.2fas"), "m.2fas")
    titles = [i.title for _, i in doc.items()]
    assert "GitHub" in titles
    text = report.render()
    for service in json.loads(_file("proton", "decrypted_with_manual_entries.2fas"))["services"]:
        if len(service["secret"]) >= 6:
            assert service["secret"] not in text


@pytest.mark.parametrize("name", ["2fas_authenticator_encrypted.2fas",
                                  "2fas_authenticator_encrypted_v3.2fas"])  # fmt: skip
def test_a_wrong_password_is_a_clear_error(name: str) -> None:
    with pytest.raises(DecryptionError, match="wrong password"):
        _read(_file("aegis", name), name, "nope")
    with pytest.raises(adapters.PasswordNeededError):
        _read(_file("aegis", name), name)


def _twofas_decrypt(field: str, password: str) -> bytes:
    """2FAS's scheme on ``cryptography``/``hashlib`` alone: PBKDF2-SHA256 10 000 → AES-GCM."""
    data, salt, iv = (base64.b64decode(p) for p in field.split(":"))
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000, 32)
    return AESGCM(key).decrypt(iv, data, None)


def test_an_encrypted_backup_written_by_cxkit_opens_with_the_2fas_scheme() -> None:
    doc, _ = _read(_file("aegis", "2fas_authenticator_plain_v4.2fas"), "v4.2fas")
    data, report = adapters.write(doc, "2fas-encrypted",
                                  options=WriteOptions(password=lambda _p: "pass word"))  # fmt: skip
    backup = json.loads(data)
    assert backup["services"] == [] and backup["schemaVersion"] == 4
    assert _twofas_decrypt(backup["reference"], "pass word").decode() == REFERENCE
    services = json.loads(_twofas_decrypt(backup["servicesEncrypted"], "pass word"))
    original = json.loads(_file("aegis", "2fas_authenticator_plain_v4.2fas"))["services"]
    for mine, theirs in zip(services, original, strict=True):
        assert mine["secret"] == theirs["secret"] and mine["name"] == theirs["name"]
        for member in ("digits", "algorithm", "tokenType", "counter", "account", "issuer"):
            assert mine["otp"].get(member) == theirs["otp"].get(member), member
    back, _ = _read(data, "back.2fas", "pass word")
    assert _summary(back) == _summary(doc)
    assert report.encrypted


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(_ENTRY, min_size=1, max_size=6))
def test_cxkit_to_2fas_to_cxkit_is_exact(entries: list[Entry]) -> None:
    doc = entries_document(entries)
    data, report = adapters.write(doc, "2fas")
    back, _ = _read(data, "back.2fas")
    assert report.items_written == len(entries)
    assert _summary(back) == _summary(doc)


@pytest.mark.parametrize("name", ["2fas_authenticator_encrypted_v3.2fas",
                                  "2fas_authenticator_plain_v4.2fas"])  # fmt: skip
def test_damaged_backups_are_refused_with_cxkit_errors(name: str) -> None:
    data = _file("aegis", name)
    for damaged in mutations(data, rounds=12, seed=3):
        try:
            _read(damaged, name, "test")
        except CxkitError as exc:
            assert exc.message and "4SJHB4GSD43FZBAI7C2HLRJGPQ" not in str(exc)
