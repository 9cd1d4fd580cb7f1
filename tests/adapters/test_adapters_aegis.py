"""Aegis vault JSON (``cxkit.adapters.otp.aegis``; ``../shared/formats/totp-apps.md`` §2): every
sample detected and read (encrypted ones with their passwords), a wrong password a clear error,
plain and encrypted vaults of the same tokens equal, cxkit → Aegis → cxkit exact for every TOTP
parameter, an encrypted vault written by cxkit opened by an independent implementation of
Aegis's scheme, bounded scrypt parameters, and damaged vaults refused with cxkit errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import ReadOptions, WriteOptions
from cxkit.adapters.base import converted_document
from cxkit.adapters.contract import mutations
from cxkit.adapters.otp.entry import Entry
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecryptionError
from shared_evidence import shared_path

PASSWORDS = {"aegis_encrypted.json": "test", "aegiscipher.json": "correct horse battery staple",
             "aegis-json-encrypted-test.json": "test"}  # fmt: skip
SAMPLES = [
    ("aegis", "aegis_plain.json", "aegis-json", 7),
    ("aegis", "aegis_encrypted.json", "aegis-encrypted-json", 7),
    ("pass-import", "aegis.json", "aegis-json", 2),
    ("pass-import", "aegiscipher.json", "aegis-encrypted-json", 2),
    ("proton", "aegis-json-encrypted-test.json", "aegis-encrypted-json", 3),
    ("proton", "aegis-json-unencrypted-hotp.json", "aegis-json", 2),
    ("proton", "aegis-json-unencrypted-with-bad-period-digits.json", "aegis-json", 2),
    ("proton", "aegis-json-unencrypted-with-missing-fields.json", "aegis-json", 3),
    ("proton", "aegis-json-unencrypted.json", "aegis-json", 3),
]


def _options(password: str | None) -> ReadOptions:
    return ReadOptions(password=None if password is None else (lambda _p: password))


def _read(data: bytes, name: str, password: str | None = None) -> cxf.Document:
    return adapters.read(data, name, options=_options(password))[0]


def _totps(doc: cxf.Document) -> list[tuple[str, m.Totp]]:
    return [(i.title, c) for _, i in doc.items() for c in i.credentials if isinstance(c, m.Totp)]


def _summary(doc: cxf.Document) -> list[tuple[Any, ...]]:
    out = []
    for _, item in doc.items():
        for c in item.credentials:
            if isinstance(c, m.Totp):
                out.append((item.title, "totp", c.secret, c.algorithm, c.digits, c.period,
                            c.issuer, c.username))  # fmt: skip
            elif isinstance(c, m.CustomFields):
                out.append((item.title, c.label, tuple((f.label, f.value) for f in c.fields)))
    return out


@pytest.mark.parametrize(("source", "name", "key", "count"), SAMPLES)
def test_every_sample_is_detected_and_read(source: str, name: str, key: str, count: int) -> None:
    data = shared_path("exports", "aegis", source, name).read_bytes()
    sample = adapters.make_sample(data, name)
    assert adapters.detect(sample).adapter.info.key == key
    doc, report = adapters.read(data, name, options=_options(PASSWORDS.get(name)))
    assert report.items_read == count
    assert sum(1 for _ in doc.items()) == count


def test_the_reference_tokens() -> None:
    """The seven tokens of ``otpauth-uris/aegis/plain.txt``: three TOTPs with every parameter,
    three HOTPs kept as custom fields (secret hidden, counter kept), one Steam token."""
    doc = _read(shared_path("exports", "aegis", "aegis", "aegis_plain.json").read_bytes(), "a.json")
    totps = {t.issuer: t for _, t in _totps(doc)}
    assert (totps["SPDX"].algorithm, totps["SPDX"].digits, totps["SPDX"].period) == (
        "sha256",
        7,
        20,
    )
    assert (totps["Airbnb"].algorithm, totps["Airbnb"].digits, totps["Airbnb"].period) == (
        "sha512", 8, 50)  # fmt: skip
    assert totps["Boeing"].algorithm == "steam" and totps["Deno"].username == "Mason"
    hotps = [c for _, i in doc.items() for c in i.credentials if isinstance(c, m.CustomFields)]
    assert [h.label for h in hotps] == ["HOTP"] * 3
    fields = {f.label: f for f in hotps[2].fields}
    assert fields["secret"].field_type == "concealed-string"
    assert (fields["counter"].value, fields["algorithm"].value, fields["digits"].value) == (
        "10300", "SHA512", "8")  # fmt: skip


def test_the_report_names_what_is_not_totp() -> None:
    data = shared_path("exports", "aegis", "proton",
                       "aegis-json-unencrypted-with-bad-period-digits.json").read_bytes()  # fmt: skip
    doc, report = adapters.read(data, "bad.json")
    assert not _totps(doc)
    notes = [r.note for r in report.credentials if r.stage == "read"]
    assert all("out of the range" in n for n in notes) and len(notes) == 2
    text = report.render()
    secret = json.loads(data)["db"]["entries"][0]["info"]["secret"]
    assert secret not in text and secret not in json.dumps(report.to_json())


@pytest.mark.parametrize(("folder", "plain", "sealed"), [
    ("aegis", "aegis_plain.json", "aegis_encrypted.json"),
    ("proton", "aegis-json-unencrypted.json", "aegis-json-encrypted-test.json"),
])  # fmt: skip
def test_plain_and_encrypted_vaults_hold_the_same_entries(
    folder: str, plain: str, sealed: str
) -> None:
    a = _read(shared_path("exports", "aegis", folder, plain).read_bytes(), "p")
    b = _read(shared_path("exports", "aegis", folder, sealed).read_bytes(), "e", "test")
    assert _summary(a) == _summary(b) and _summary(a)


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_a_wrong_password_is_a_clear_error(name: str) -> None:
    folder = {"aegiscipher.json": "pass-import", "aegis-json-encrypted-test.json": "proton"}
    data = shared_path("exports", "aegis", folder.get(name, "aegis"), name).read_bytes()
    with pytest.raises(DecryptionError) as caught:
        _read(data, name, "wrong password")
    assert "wrong password" in str(caught.value)
    with pytest.raises(adapters.PasswordNeededError):
        _read(data, name)


def test_scrypt_parameters_are_bounded_before_any_work() -> None:
    data = json.loads(shared_path("exports", "aegis", "aegis", "aegis_encrypted.json").read_text())
    for n, r, p in (
        (1 << 30, 8, 1),
        (3, 8, 1),
        (1 << 15, 1000, 1),
        (1 << 15, 8, 99),
        (1 << 20, 32, 1),
    ):
        data["header"]["slots"][0].update(n=n, r=r, p=p)
        with pytest.raises(AdapterError) as caught:
            _read(json.dumps(data).encode(), "x.json", "test")
        assert "cxkit allows" in caught.value.message


def test_a_vault_with_only_a_biometric_slot_says_so() -> None:
    data = json.loads(shared_path("exports", "aegis", "aegis", "aegis_encrypted.json").read_text())
    data["header"]["slots"][0]["type"] = 2
    with pytest.raises(AdapterError, match="no password slot"):
        _read(json.dumps(data).encode(), "x.json", "test")


# --------------------------------------------------------------------------- writing


def _aegis_decrypt(vault: dict[str, Any], password: str) -> Any:
    """Aegis's published scheme, written here on ``cryptography`` alone: scrypt KEK → AES-GCM
    unwrap of the master key → AES-GCM of the db."""
    for slot in vault["header"]["slots"]:
        if slot["type"] != 1:
            continue
        kek = Scrypt(salt=bytes.fromhex(slot["salt"]), length=32, n=slot["n"], r=slot["r"],
                     p=slot["p"]).derive(password.encode())  # fmt: skip
        params = slot["key_params"]
        master = AESGCM(kek).decrypt(bytes.fromhex(params["nonce"]),
                                     bytes.fromhex(slot["key"] + params["tag"]), None)  # fmt: skip
        params = vault["header"]["params"]
        db = base64.b64decode(vault["db"]) + bytes.fromhex(params["tag"])
        return json.loads(AESGCM(master).decrypt(bytes.fromhex(params["nonce"]), db, None))
    raise AssertionError("no password slot")


def _write(doc: cxf.Document, key: str, password: str = "pw") -> tuple[bytes, Any]:
    return adapters.write(doc, key, options=WriteOptions(password=lambda _p: password))


def test_an_encrypted_vault_written_by_cxkit_opens_with_aegis_scheme() -> None:
    doc = _read(shared_path("exports", "aegis", "aegis", "aegis_plain.json").read_bytes(), "p")
    data, report = _write(doc, "aegis-encrypted-json", "s3cret pass")
    vault = json.loads(data)
    assert vault["header"]["slots"][0]["n"] == 32768 and "s3cret" not in data.decode()
    db = _aegis_decrypt(vault, "s3cret pass")
    original = json.loads(shared_path("exports", "aegis", "aegis", "aegis_plain.json").read_text())
    for mine, theirs in zip(db["entries"], original["db"]["entries"], strict=True):
        assert (mine["type"], mine["name"], mine["issuer"], mine["info"]) == (
            theirs["type"], theirs["name"], theirs["issuer"], theirs["info"])  # fmt: skip
    assert report.encrypted and not report.plaintext
    back = _read(data, "back.json", "s3cret pass")
    assert _summary(back) == _summary(doc)


_ENTRY = st.builds(
    lambda seed, kind, issuer, account, algorithm, digits, period, counter, note, group: Entry(
        secret=seed, kind=kind, issuer=issuer, account=account, algorithm=algorithm,
        digits=5 if kind == "steam" else digits, period=30 if kind == "steam" else period,
        counter=counter if kind == "hotp" else None, note=note,
        groups=(group,) if group else (),
    ),
    st.binary(min_size=5, max_size=40), st.sampled_from(["totp", "totp", "hotp", "steam"]),
    st.text(max_size=12).map(str.strip), st.text(max_size=12).map(str.strip),
    st.sampled_from(["sha1", "sha256", "sha512"]), st.integers(min_value=1, max_value=10),
    st.integers(min_value=1, max_value=65535), st.integers(min_value=0, max_value=2**40),
    st.text(max_size=20), st.sampled_from(["", "Work", "Home"]),
)  # fmt: skip


def entries_document(entries: list[Entry]) -> cxf.Document:
    """A CXF document of *entries* made through the entry mapping (the readers' path)."""
    from cxkit.adapters.kit.builder import VaultBuilder
    from cxkit.adapters.otp.entry import add_entry
    from cxkit.adapters.report import MigrationReport

    vault = VaultBuilder(MigrationReport(), key="test", rp_id="test", app="test")
    for index, entry in enumerate(entries):
        b = vault.item(f"$[{index}]", item_id=b64.encode(index.to_bytes(16, "big")))
        assert add_entry(b, entry) in ("totp", "kept")
        vault.add(b)
    return vault.build(account_id="YWNjb3VudA")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(_ENTRY, min_size=1, max_size=6))
def test_cxkit_to_aegis_to_cxkit_is_exact(entries: list[Entry]) -> None:
    doc = entries_document(entries)
    data, report = _write(doc, "aegis-json")
    back = _read(data, "back.json")
    assert report.items_written == len(entries)

    def strip(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [r[1:] for r in rows]  # (titles: the issuer, else the account)

    assert strip(_summary(back)) == strip(_summary(doc))
    notes = [
        c.content.value for _, i in back.items() for c in i.credentials if isinstance(c, m.Note)
    ]
    assert notes == [e.note for e in entries if e.note]


def test_items_without_otp_are_reported_not_carried() -> None:
    account = m.Account(id="YWNjb3VudA", username="", email="", collections=(), items=(
        m.Item(id="aXRlbTE", title="Mail", credentials=(
            m.BasicAuth(password=m.EditableField(field_type="concealed-string", value="pw1")),)),
    ))  # fmt: skip
    data, report = _write(converted_document(account, rp_id="t", app="t"), "aegis-json")
    assert json.loads(data)["db"]["entries"] == [] and report.items_written == 0
    record = next(r for r in report.credentials if r.stage == "write")
    assert record.outcome == "not-carried" and "one-time passwords only" in record.note


@pytest.mark.parametrize("name", ["aegis_encrypted.json", "aegis_plain.json"])
def test_damaged_vaults_are_refused_with_cxkit_errors(name: str) -> None:
    data = shared_path("exports", "aegis", "aegis", name).read_bytes()
    for damaged in mutations(data, rounds=16, seed=7):
        try:
            _read(damaged, name, "test")
        except CxkitError as exc:
            assert exc.message and "4SJHB4GSD43FZBAI7C2HLRJGPQ" not in str(exc)


def _pass_import_rows(manager: type, path: str) -> list[tuple[str, str, str, str, int]]:
    """(type, issuer+name, Base32 secret, algorithm, digits) of each entry as pass-import (an
    independent Aegis reader, dev dependency) reads *path*."""
    import urllib.parse

    with manager(path) as reader:
        reader.parse()
        rows = []
        for entry in reader.data:
            parts = urllib.parse.urlsplit(entry["otpauth"])
            query = dict(urllib.parse.parse_qsl(parts.query))
            rows.append((parts.netloc, entry["title"], query["secret"].rstrip("="),
                         query.get("algorithm", "SHA1").lower(), int(query.get("digits", 6))))  # fmt: skip
    return rows


def test_pass_import_reads_what_cxkit_writes(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pass_import.managers import aegis as theirs

    source = shared_path("exports", "aegis", "aegis", "aegis_plain.json")
    expected = _pass_import_rows(theirs.Aegis, str(source))
    doc = _read(source.read_bytes(), "a.json")
    plain, _ = _write(doc, "aegis-json")
    (tmp_path / "plain.json").write_bytes(plain)
    assert _pass_import_rows(theirs.Aegis, str(tmp_path / "plain.json")) == expected
    sealed, _ = _write(doc, "aegis-encrypted-json", "their test")
    (tmp_path / "sealed.json").write_bytes(sealed)
    monkeypatch.setattr(theirs, "getpassword", lambda *_a, **_k: "their test")
    assert _pass_import_rows(theirs.AegisCipher, str(tmp_path / "sealed.json")) == expected


def test_an_unknown_member_with_a_dot_in_its_name_is_kept() -> None:
    """Bug fixed: the leaves of an unknown member were found again by re-parsing their path, so
    a member named ``a.b`` or ``c[0]`` raised KeyError (an internal error) instead of being kept."""
    entry = {"type": "totp", "uuid": "0b9a7c9e-1f0e-4d8a-9b1a-3c1d2e3f4a5b", "name": "me",
             "issuer": "X", "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6,
                                     "period": 30, "x.y": "in info"},
             "extra": {"a.b": "kept", "c[0]": "too", "empty": ""}}  # fmt: skip
    vault = {"version": 1, "header": {"slots": None, "params": None},
             "db": {"version": 3, "entries": [entry], "groups": []}}  # fmt: skip
    doc, _ = adapters.read(json.dumps(vault).encode(), "a.json", source_format="aegis-json")
    (item,) = [i for _, i in doc.items()]
    kept = {f.value for c in item.credentials if isinstance(c, m.CustomFields) for f in c.fields}
    assert {"kept", "too", "in info"} <= kept and "" not in kept
