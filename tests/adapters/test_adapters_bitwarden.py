"""Bitwarden JSON and encrypted JSON: mapping, round trips, field accounting, the crypto scheme."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

import pytest
from _bw_adapter_data import PASSWORD_CANARY, organisation_export, personal_export
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from cxkit import adapters, cxf
from cxkit.adapters import ReadOptions, WriteOptions
from cxkit.adapters.bitwarden.json_export import (
    BitwardenWriteOptions,
    KdfParams,
    decrypt_export,
    encrypt_export,
)
from cxkit.adapters.kit.values import json_leaves as _leaves
from cxkit.adapters.kit.values import parse_totp
from cxkit.adapters.kit.values import same_ssh_key as _same_ssh_key
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecodeError, DecryptionError
from shared_evidence import shared_files

# --------------------------------------------------------------------------- helpers


def _norm(value: Any) -> Any:
    """Bitwarden JSON with null / absent / empty-list members treated alike."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


_DEFAULTS = {"reprompt": 0, "encrypted": False, "favorite": False}


def _differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Where *b* (the round trip) lost or changed something of *a* (the source)."""
    out: list[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k not in b:
                out.append(f"missing {path}.{k}")
            else:
                out.extend(_differences(a[k], b[k], f"{path}.{k}"))
        for k in set(b) - set(a):
            if _DEFAULTS.get(k, object()) != b[k]:
                out.append(f"added {path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"length {path}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            out.extend(_differences(x, y, f"{path}[{i}]"))
    elif a != b:
        same_totp = path.endswith(".totp") and parse_totp(a)[0] == parse_totp(b)[0]
        same_key = path.endswith(".privateKey") and _same_ssh_key(a, b)
        if not (same_totp or same_key):
            out.append(f"changed {path}")
    return out


def _via_cxf(data: bytes, password: str | None = None) -> tuple[bytes, adapters.Conversion]:
    """Bitwarden → CXF JSON bytes → Bitwarden JSON bytes."""
    opts = ReadOptions(password=(lambda _p: password) if password else None)  # type: ignore[return-value]
    first = adapters.convert(data, "src.json", to="cxf-json", read_options=opts)
    assert first.output is not None
    second = adapters.convert(first.output, "mid.cxf", to="bitwarden-json")
    assert second.output is not None
    return second.output, first


# --------------------------------------------------------------------------- mapping


def test_reads_every_cipher_type_and_all_passkeys() -> None:
    data = json.dumps(personal_export()).encode()
    doc, report = adapters.read(data, "bw.json")
    assert report.source_format == "bitwarden-json"
    items = {item.title: item for _, item in doc.items()}
    forge = items["Code Forge"]
    kinds = [type(c).__name__ for c in forge.credentials]
    assert kinds.count("Passkey") == 3
    assert {"BasicAuth", "Totp", "Note", "CustomFields"} <= set(kinds)
    assert forge.favorite is True
    assert forge.scope is not None and len(forge.scope.urls) == 3
    totp = next(c for c in forge.credentials if isinstance(c, m.Totp))
    assert (totp.algorithm, totp.digits, totp.period, totp.issuer) == ("sha256", 8, 60, "Forge")
    assert {type(c).__name__ for c in items["Me"].credentials} >= {
        "PersonName",
        "Address",
        "IdentityDocument",
        "Passport",
        "DriversLicense",
    }
    card = next(c for c in items["Visa"].credentials if isinstance(c, m.CreditCard))
    assert card.expiry_date is not None and card.expiry_date.value == "2031-03"
    ssh = next(c for c in items["Laptop key"].credentials if isinstance(c, m.SshKey))
    assert ssh.key_type == "ssh-ed25519" and ssh.key_comment == "me@laptop"
    assert [c.title for c in doc.accounts[0].collections] == ["Work/Git"]
    # the CXF produced is valid (no error-level findings) and every passkey verifies
    assert not [f for f in cxf.validate(doc) if str(f.severity) == "error"]
    adapters.verify_passkeys(doc, report)
    assert len(report.passkeys) == 3 and report.passkeys_failed() == 0


def test_counter_and_steam_are_reported_as_transformed() -> None:
    data = json.dumps(personal_export()).encode()
    _, report = adapters.read(data, "bw.json")
    summary = report.credential_summary()
    assert summary["passkey"]["transformed"] == 1
    assert "counter 7" in summary["passkey"]["transformed_items"][0]["how"]
    assert summary["totp"]["transformed"] == 1  # steam
    assert report.field_counts()["not-carried"] == 0


@pytest.mark.parametrize("export", [personal_export, organisation_export])
def test_report_accounts_for_every_source_field(export: Any) -> None:
    source = export()
    _, report = adapters.read(json.dumps(source).encode(), "bw.json")
    recorded = [r.path for r in report.fields]
    assert len(recorded) == len(set(recorded)), "a field was recorded twice"
    assert set(recorded) == set(_leaves(source, "$"))
    secret_free = json.dumps(report.to_json())
    assert PASSWORD_CANARY not in secret_free
    assert PASSWORD_CANARY not in report.render()


@pytest.mark.parametrize("export", [personal_export, organisation_export])
def test_round_trip_keeps_every_bitwarden_field(export: Any) -> None:
    source = export()
    out, _ = _via_cxf(json.dumps(source).encode())
    assert _differences(_norm(source), _norm(json.loads(out))) == []


def test_generic_cxf_to_bitwarden_reports_what_it_cannot_carry() -> None:
    item = m.Item(
        id="AAAAAAAAAAAAAAAAAAAAAA",
        title="Home",
        credentials=(
            m.Wifi(
                ssid=m.EditableField(field_type="string", value="home"),
                passphrase=m.EditableField(field_type="concealed-string", value="wifi-secret"),
            ),
            m.File(id="Zg", name="a.txt", decrypted_size=1, integrity_hash="AA"),
        ),
    )
    header = m.Header(
        version=m.CXF_VERSION,
        exporter_rp_id="x.example",
        exporter_display_name="x",
        timestamp=0,
        accounts=(m.Account(id="AQ", username="", email="", collections=(), items=(item,)),),
    )
    data, report = adapters.write(cxf.Document(header), "bitwarden-json")
    bw = json.loads(data)["items"][0]
    assert bw["type"] == 2
    assert {f["name"]: f["type"] for f in bw["fields"]} == {
        "wifi: ssid": 0,
        "wifi: passphrase": 1,
    }
    summary = report.credential_summary()
    assert summary["wifi"]["transformed"] == 1
    assert summary["file"]["not_carried"] == 1
    assert summary["file"]["not_carried_items"][0]["item"] == "Home"


def test_bad_items_are_skipped_and_reported_not_fatal() -> None:
    source = personal_export()
    source["items"].append(["not", "an", "item"])
    source["items"][0]["login"]["fido2Credentials"][0]["keyValue"] = None
    doc, report = adapters.read(json.dumps(source).encode(), "bw.json")
    assert report.items_skipped and report.items_skipped[0][1] == "not a JSON object"
    assert report.credential_summary()["passkey"]["not_carried"] == 1
    assert len(list(doc.items())) == len(source["items"]) - 1
    assert {r.path for r in report.fields} == set(_leaves(source, "$"))


def test_account_restricted_and_malformed_exports_are_clear_errors() -> None:
    restricted = json.dumps({"encrypted": True, "items": [], "encKeyValidation_DO_NOT_EDIT": "2.x"})
    with pytest.raises(AdapterError, match="account-restricted"):
        adapters.read(restricted.encode(), "r.json")
    with pytest.raises(DecodeError):
        adapters.read(
            b'{"encrypted": false, "items": [', "bad.json", source_format="bitwarden-json"
        )
    with pytest.raises(DecodeError, match="items"):
        adapters.read(b'{"encrypted": false}', "bad.json", source_format="bitwarden-json")


# --------------------------------------------------------------------------- encrypted JSON


def _independent_decrypt(obj: dict[str, Any], password: str) -> bytes:
    """The published scheme, written again from formats/bitwarden.md §3 with stdlib HMAC,
    PBKDF2 and a hand-written HKDF-Expand (AES and Argon2 from the primitives)."""
    salt = obj["salt"].encode()
    if obj["kdfType"] == 0:
        master = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, obj["kdfIterations"], 32)
    else:
        master = Argon2id(
            salt=hashlib.sha256(salt).digest(),
            length=32,
            iterations=obj["kdfIterations"],
            lanes=obj["kdfParallelism"],
            memory_cost=obj["kdfMemory"] * 1024,
        ).derive(password.encode())

    def expand(info: bytes) -> bytes:  # one block of HKDF-Expand (RFC 5869 §2.3)
        return hmac.new(master, info + b"\x01", hashlib.sha256).digest()

    enc, mac = expand(b"enc"), expand(b"mac")

    def dec(text: str) -> bytes:
        iv, ct, tag = (base64.b64decode(p) for p in text[2:].split("|"))
        assert text.startswith("2.")
        assert hmac.compare_digest(hmac.new(mac, iv + ct, hashlib.sha256).digest(), tag)
        d = Cipher(algorithms.AES(enc), modes.CBC(iv)).decryptor()
        u = padding.PKCS7(128).unpadder()
        return u.update(d.update(ct) + d.finalize()) + u.finalize()

    dec(obj["encKeyValidation_DO_NOT_EDIT"])
    return dec(obj["data"])


@pytest.mark.parametrize(
    "params", [KdfParams(0, 1000), KdfParams(1, 1, 8, 1)], ids=["pbkdf2", "argon2id"]
)
def test_encrypted_export_interoperates_with_independent_implementation(
    params: KdfParams,
) -> None:
    plain = json.dumps(personal_export()).encode()
    sealed = json.loads(encrypt_export(plain, "correct horse", params))
    assert sealed["encrypted"] is True and sealed["passwordProtected"] is True
    assert _independent_decrypt(sealed, "correct horse") == plain
    assert decrypt_export(sealed, "correct horse") == plain
    with pytest.raises(DecryptionError):
        decrypt_export(sealed, "wrong horse")


def test_tampered_mac_and_absurd_kdf_parameters_are_refused() -> None:
    sealed = json.loads(encrypt_export(b'{"encrypted":false,"items":[]}', "pw", KdfParams(0, 1000)))
    iv, ct, tag = sealed["data"][2:].split("|")
    flipped = bytearray(base64.b64decode(ct))
    flipped[0] ^= 1
    sealed["data"] = "2." + "|".join([iv, base64.b64encode(bytes(flipped)).decode(), tag])
    with pytest.raises(DecryptionError):
        decrypt_export(sealed, "pw")
    sealed["kdfType"], sealed["kdfMemory"], sealed["kdfParallelism"] = 1, 1 << 20, 1
    with pytest.raises(AdapterError, match="memory"):
        decrypt_export(sealed, "pw")


def test_encrypted_write_and_read_through_the_registry() -> None:
    source = personal_export()
    conv = adapters.convert(
        json.dumps(source).encode(),
        "bw.json",
        to="bitwarden-encrypted-json",
        write_options=WriteOptions(
            password=lambda _p: "s3cret",
            extra={BitwardenWriteOptions: BitwardenWriteOptions(kdf="argon2id")},
        ),
    )
    assert conv.output is not None and PASSWORD_CANARY.encode() not in conv.output
    assert conv.report.encrypted and not conv.report.plaintext
    assert json.loads(conv.output)["kdfType"] == 1  # the option set chose Argon2id
    back, report = adapters.read(
        conv.output, "enc.json", options=ReadOptions(password=lambda _p: "s3cret")
    )
    assert report.source_format == "bitwarden-encrypted-json"
    assert len([c for _, i in back.items() for c in i.credentials if isinstance(c, m.Passkey)]) == 3
    with pytest.raises(adapters.PasswordNeededError):
        adapters.read(conv.output, "enc.json")


# --------------------------------------------------------------------------- shared samples

_SAMPLES = shared_files("exports/bitwarden", "*.json") + shared_files(
    "exports/bitwarden-authenticator", "*.json"
)


@pytest.mark.shared
@pytest.mark.parametrize("path", _SAMPLES or [None], ids=lambda p: p.name if p else "absent")
def test_shared_samples_detect_read_and_round_trip(path: Path | None) -> None:
    if path is None:
        pytest.skip("../shared is absent")
    data = path.read_bytes()
    sample = adapters.make_sample(data, path.name)
    key = adapters.detect(sample).adapter.info.key
    encrypted = key == "bitwarden-encrypted-json"
    assert key == ("bitwarden-encrypted-json" if encrypted else "bitwarden-json")
    out, first = _via_cxf(data, "a" if encrypted else None)
    source = json.loads(data)
    if encrypted:
        source = json.loads(decrypt_export(source, "a"))
    assert not first.report.items_skipped
    assert first.report.passkeys_failed() == 0
    assert {r.path for r in first.report.fields} == set(_leaves(source, "$"))
    assert _differences(_norm(source), _norm(json.loads(out))) == []


def test_input_is_never_modified(tmp_path: Path) -> None:
    path = tmp_path / "bw.json"
    path.write_bytes(json.dumps(personal_export()).encode())
    before = path.read_bytes()
    adapters.convert(path.read_bytes(), str(path), to="cxf-json")
    assert path.read_bytes() == before
    assert os.stat(path).st_size == len(before)


def test_errors_never_carry_secret_values() -> None:
    source = personal_export()
    source["items"][0]["login"]["fido2Credentials"][0]["credentialId"] = PASSWORD_CANARY
    _, report = adapters.read(json.dumps(source).encode(), "bw.json")
    assert PASSWORD_CANARY not in json.dumps(report.to_json())
    with pytest.raises(CxkitError) as info:
        adapters.read(b'{"encrypted": false, "items": 5}', "x.json", source_format="bitwarden-json")
    assert "5" not in info.value.message or "items" in info.value.message


# --------------------------------------------------------------------------- CSV

_CSV = (
    b"\xef\xbb\xbffolder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,"
    b"login_password,login_totp\r\n"
    b'Work,1,login,Forge,"two\nlines","pin: 1234\nregion: eu",0,https://forge.example,sam,'
    b"Canary-Pa55word-7f3a,JBSWY3DPEHPK3PXP\r\n"
    b"\r\n"
    b",,note,Just a note,hello,,,,,,\r\n"
)


def test_bitwarden_csv_reads_and_accounts_for_every_cell() -> None:
    sample = adapters.make_sample(_CSV, "bw.csv")
    assert adapters.detect(sample).adapter.info.key == "bitwarden-csv"
    doc, report = adapters.read(_CSV, "bw.csv")
    items = {i.title: i for _, i in doc.items()}
    forge = items["Forge"]
    assert forge.favorite is True
    assert {type(c).__name__ for c in forge.credentials} >= {
        "BasicAuth",
        "Totp",
        "Note",
        "CustomFields",
    }
    assert [c.title for c in doc.accounts[0].collections] == ["Work"]
    cells = {r.path for r in report.fields}
    assert "bw.csv:2:login_password" in cells and "bw.csv:6:notes" in cells
    assert len(cells) == 11 + 3  # non-empty cells of both rows
    assert report.field_counts()["not-carried"] == 0
    assert PASSWORD_CANARY not in json.dumps(report.to_json())


@pytest.mark.shared
@pytest.mark.parametrize(
    "path",
    (
        shared_files("exports/bitwarden", "*.csv")
        + shared_files("exports/bitwarden-authenticator", "*.csv")
    )
    or [None],
    ids=lambda p: p.name if p else "absent",
)
def test_shared_bitwarden_csv_samples(path: Path | None) -> None:
    if path is None:
        pytest.skip("../shared is absent")
    data = path.read_bytes()
    assert (
        adapters.detect(adapters.make_sample(data, path.name)).adapter.info.key == "bitwarden-csv"
    )
    doc, report = adapters.read(data, path.name)
    assert report.items_read == len(list(doc.items())) > 0
    assert not report.items_skipped
