"""Proton Pass CSV (read) and the PGP-encrypted export (decrypted with gpg, then read as the
JSON/ZIP/CSV export): fields, detection, wrong passphrase, no gpg, and mutation fuzz of both."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _gnupg import needs_gpg
from _pp_adapter_data import export as proton_export
from _pp_adapter_data import zip_export as proton_zip
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import Confidence, ReadOptions, contract
from cxkit.adapters.base import PasswordNeededError
from cxkit.adapters.detection import make_sample
from cxkit.adapters.kit import gpg
from cxkit.adapters.protonpass import ProtonPassPgpAdapter
from cxkit.adapters.protonpass_csv import ProtonPassCsvAdapter
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, DecryptionError

SECRET = "pp-csv-Secret-0042!"
TOTP = "otpauth://totp/Mail:alice?secret=JBSWY3DPEHPK3PXP&issuer=Mail"
HEADER = "type,name,url,email,username,password,note,totp,createTime,modifyTime,vault"
CSV = (
    f"{HEADER}\n"
    f'login,Mail,"https://mail.example,https://webmail.example",alice@mail.example,alice,'
    f'{SECRET},"two\nlines",{TOTP},1700000000,1700000500,Personal\n'
    "login,Bank,https://bank.example,bob@bank.example,,pw-bank-7777,,,1700000000,,Work\n"
    'note,Plans,,,,,"{""a"": 1}",,1700000000,1700000001,Personal\n'
    "alias,alias@passmail.net,,alias@passmail.net,,,,,,,Personal\n"
).encode()


def _summary(doc: cxf.Document) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for _, item in doc.items():
        found: dict[str, Any] = {"urls": list(item.scope.urls) if item.scope else []}
        for cred in item.credentials:
            if isinstance(cred, m.BasicAuth):
                found["username"] = cred.username.value if cred.username else None
                found["password"] = cred.password.value if cred.password else None
            elif isinstance(cred, m.Note):
                found["note"] = cred.content.value
            elif isinstance(cred, m.Totp):
                found["totp"] = cred.secret
            elif isinstance(cred, m.CustomFields):
                found["custom"] = {f.label: f.value for f in cred.fields}
            else:
                found.setdefault("other", []).append(cxf.credential_type(cred))
        out[item.title] = found
    return out


def test_csv_fields() -> None:
    sample = make_sample(CSV, "Proton Pass_export.csv")
    assert ProtonPassCsvAdapter().accepts(sample) == Confidence.CERTAIN
    assert adapters.detect(sample).adapter.info.key == "protonpass-csv"
    doc, report = adapters.read(CSV, "Proton Pass_export.csv")
    got = _summary(doc)
    assert got["Mail"] == {
        "urls": ["https://mail.example", "https://webmail.example"], "username": "alice",
        "password": SECRET, "custom": {"E-mail": "alice@mail.example"},
        "totp": "JBSWY3DPEHPK3PXP", "note": "two\nlines",
    }  # fmt: skip
    assert got["Bank"]["username"] == "bob@bank.example"
    assert got["Plans"] == {"urls": [], "note": '{"a": 1}'}
    assert got["alias@passmail.net"]["username"] == "alias@passmail.net"
    mail = next(i for _, i in doc.items() if i.title == "Mail")
    assert mail.creation_at == 1700000000 and mail.modified_at == 1700000500
    ext = next(e for e in mail.extensions if isinstance(e, m.UnknownExtension))
    assert ext.extension_name == "cxkit/protonpass" and ext.members["type"] == "login"
    titles = {c.title for a in doc.accounts for c in a.collections}
    assert titles == {"Personal", "Work"}
    assert not contract.check_accounting(
        adapters.get("protonpass-csv"), contract.Sample("Proton Pass_export.csv", CSV)
    )
    assert SECRET not in report.render()


CARD_NUMBER = "4111111111111111"


def test_newer_csv_with_autofill_urls_cards_and_identities() -> None:
    card = json.dumps({"cardholderName": "Ann Card", "number": CARD_NUMBER, "cardType": 2,
                       "verificationNumber": "123", "expirationDate": "2030-07", "pin": "0000",
                       "note": "the card's note", "extra": [1]})  # fmt: skip
    identity = json.dumps({"fullName": "Ann", "passportNumber": "P1234567", "note": "",
                           "extraSections": []})  # fmt: skip
    auto = json.dumps([{"url": "https://a.example", "mode": 1}, {"url": "https://b.example",
                                                                 "mode": 2}])  # fmt: skip
    rows = [
        ["type", "name", "url", "autofillUrls", "email", "username", "password", "note",
         "totp", "createTime", "modifyTime", "vault"],
        ["login", "A", "https://a.example", auto, "", "ann", "pw-a-123456", "", "", "1", "2",
         "V"],
        ["creditCard", "Card", "", "", "", "", "", card, "", "1", "2", "V"],
        ["identity", "Me", "", "", "", "", "", identity, "", "1", "2", "V"],
        ["creditCard", "Broken", "", "", "", "", "", "{not json", "", "1", "2", "V"],
    ]  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode()
    assert adapters.detect(make_sample(data, "x.csv")).adapter.info.key == "protonpass-csv"
    doc, report = adapters.read(data, "x.csv")
    got = _summary(doc)
    assert got["A"]["urls"] == ["https://a.example", "https://b.example"]
    assert got["Card"]["other"] == ["credit-card"] and got["Card"]["note"] == "the card's note"
    cc = next(c for _, i in doc.items() for c in i.credentials if isinstance(c, m.CreditCard))
    assert cc.number is not None and cc.number.value == CARD_NUMBER
    assert cc.card_type is not None and cc.card_type.value == "Visa"
    assert cc.expiry_date is not None and cc.expiry_date.value == "2030-07"
    assert got["Card"]["custom"] == {"extra": "[1]"}
    assert got["Me"]["custom"] == {"fullName": "Ann", "passportNumber": "P1234567",
                                   "extraSections": "[]"}  # fmt: skip
    assert got["Broken"]["note"] == "{not json"
    assert CARD_NUMBER not in report.render()
    sample = contract.Sample("x.csv", data)
    adapter = adapters.get("protonpass-csv")
    assert not contract.check_accounting(adapter, sample)
    assert not contract.check_mutations(adapter, sample, 60)
    assert not contract.check_secrets(adapter, sample, 30)


def test_older_csv_without_email() -> None:
    older = (
        b"type,name,url,username,password,note,totp,createTime,modifyTime,vault\n"
        b"login,A,https://a.example,u,p,,,2024-01-02T03:04:05Z,,V\n"
    )
    doc, _ = adapters.read(older, "export.csv")
    assert _summary(doc)["A"]["username"] == "u"


def test_csv_contract_checks() -> None:
    adapter = adapters.get("protonpass-csv")
    sample = contract.Sample("Proton Pass_export.csv", CSV)
    assert not contract.check_mutations(adapter, sample, 60)
    assert not contract.check_secrets(adapter, sample, 30)


# --------------------------------------------------------------------------- PGP


@pytest.fixture(scope="module")
def _home() -> Iterator[Path]:
    """One GnuPG home for the test's encryption (gpg needs its agent to encrypt; starting one
    takes seconds here). Reading needs none: a passphrase on a pipe."""
    needs_gpg()
    with gpg.private_home() as home:
        yield home


_HOME: list[Path] = []


@pytest.fixture(autouse=True)
def _encryption_home(_home: Path) -> None:
    _HOME[:] = [_home]


def _encrypt(data: bytes, passphrase: str, *, armor: bool = True) -> bytes:
    """*data* encrypted as Proton Pass does (a passphrase; cheap S2K for the tests' speed)."""
    command = ["gpg", "--homedir", str(_HOME[0]), "--batch", "--quiet", "--pinentry-mode",
               "loopback", "--passphrase", passphrase, "--s2k-count", "65536", "--symmetric",
               "--output", "-"]  # fmt: skip
    if armor:
        command.insert(-3, "--armor")
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


def _options(passphrase: str | None) -> ReadOptions:
    return ReadOptions(password=None if passphrase is None else (lambda _prompt: passphrase))


PASSPHRASE = "correct horse battery staple"


def test_pgp_json_export_reads_as_the_json() -> None:
    plain = json.dumps(proton_export()).encode()
    encrypted = _encrypt(plain, PASSPHRASE)
    name = "Proton Pass_export_2025-01-01.pgp"
    sample = make_sample(encrypted, name)
    assert ProtonPassPgpAdapter().accepts(sample) == Confidence.LIKELY
    assert adapters.detect(sample).adapter.info.key == "protonpass-pgp"
    doc, report = adapters.read(encrypted, name, options=_options(PASSPHRASE))
    expected, _ = adapters.read(plain, "export.json")
    assert _summary(doc) == _summary(expected)
    assert report.items_read == len(list(expected.items()))
    # another name: an OpenPGP file is refused by detection, read with --from
    with pytest.raises(adapters.DetectionError) as refused:
        adapters.detect(make_sample(encrypted, "backup.pgp"))
    assert getattr(refused.value, "verdict", "") == "openpgp"
    doc2, _ = adapters.read(encrypted, "backup.pgp", source_format="protonpass-pgp",
                            options=_options(PASSPHRASE))  # fmt: skip
    assert _summary(doc2) == _summary(expected)


def test_pgp_zip_and_csv_exports() -> None:
    attachments: dict[str, bytes] = {}
    options = _options(PASSPHRASE)
    encrypted = _encrypt(proton_zip(), PASSPHRASE, armor=False)
    doc, _ = adapters.read(encrypted, "Proton Pass_export.pgp", options=options)
    attachments.update(options.attachments)
    assert attachments and any(isinstance(c, m.File) for _, i in doc.items() for c in i.credentials)
    encrypted = _encrypt(CSV, PASSPHRASE)
    doc, _ = adapters.read(encrypted, "Proton Pass_export.pgp", options=_options(PASSPHRASE))
    assert _summary(doc)["Mail"]["password"] == SECRET


def test_pgp_wrong_or_missing_passphrase() -> None:
    encrypted = _encrypt(CSV, PASSPHRASE)
    with pytest.raises(DecryptionError, match="wrong passphrase") as caught:
        adapters.read(encrypted, "Proton Pass_export.pgp", options=_options("wrong horse"))
    assert "horse" not in caught.value.message + (caught.value.hint or "")
    with pytest.raises(PasswordNeededError):
        adapters.read(encrypted, "Proton Pass_export.pgp", options=_options(None))
    with pytest.raises(CxkitError, match="not a Proton Pass export"):
        adapters.read(_encrypt(b"hello world\n", "p"), "x.pgp", source_format="protonpass-pgp",
                      options=_options("p"))  # fmt: skip


def test_pgp_without_gpg(monkeypatch: pytest.MonkeyPatch) -> None:
    encrypted = _encrypt(CSV, PASSPHRASE)
    monkeypatch.setattr(gpg.shutil, "which", lambda _name: None)
    asked: list[str] = []
    options = ReadOptions(password=lambda prompt: asked.append(prompt) or PASSPHRASE)
    with pytest.raises(gpg.ProgramMissingError) as caught:
        adapters.read(encrypted, "Proton Pass_export.pgp", options=options)
    assert "apt install gnupg" in (caught.value.hint or "") and not asked


def test_pgp_mutation_fuzz() -> None:
    """Damaged encrypted exports give cxkit errors only, never a secret (the contract does not
    reach this format: no shared sample)."""
    encrypted = _encrypt(CSV, PASSPHRASE, armor=False)
    rng = random.Random(3)
    for _ in range(12):
        data = bytearray(encrypted)
        at = rng.randrange(len(data))
        if rng.random() < 0.5:
            data[at] ^= 1 << rng.randrange(8)
        else:
            del data[at:]
        try:
            _doc, report = adapters.read(bytes(data), "Proton Pass_export.pgp",
                                         source_format="protonpass-pgp",
                                         options=_options(PASSPHRASE))  # fmt: skip
        except CxkitError as exc:
            assert SECRET not in str(exc) + (exc.hint or "")
            continue
        assert SECRET not in report.render()


def test_the_json_reader_points_to_the_pgp_reader() -> None:
    encrypted = _encrypt(CSV, PASSPHRASE)
    with pytest.raises(CxkitError) as caught:
        adapters.read(encrypted, "x.pgp", source_format="protonpass")
    assert "--from protonpass-pgp" in (caught.value.hint or "")


def test_gpg_decrypt_with_a_passphrase_and_its_bounds() -> None:
    encrypted = _encrypt(b"hello", "right horse")
    with gpg.private_home() as home:
        assert gpg.decrypt(encrypted, home=home, passphrase="right horse") == b"hello"
        with pytest.raises(DecryptionError, match="wrong passphrase") as e:
            gpg.decrypt(encrypted, home=home, passphrase="wrong horse", location="x.pgp")
        assert "horse" not in str(e.value.message) + str(e.value.hint)
        # a compressed message that expands beyond the bound
        big = subprocess.run(
            ["gpg", "--homedir", str(_HOME[0]), "--batch", "--quiet", "--pinentry-mode",
             "loopback", "--passphrase", "p", "--s2k-count", "65536", "--symmetric",
             "--compress-algo", "zlib", "--output", "-"],
            input=b"\x00" * (4 << 20), capture_output=True, check=True,
        ).stdout  # fmt: skip
        assert len(big) < 100_000
        with pytest.raises(CxkitError, match="larger than the limit"):
            gpg.decrypt(big, home=home, passphrase="p", max_output=1 << 20)
        with pytest.raises(gpg.GpgError, match="not an OpenPGP message"):
            gpg.decrypt(b"not pgp at all", home=home, passphrase="p")


def test_cli_reads_a_pgp_export_with_the_passphrase_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cxkit.cli.main import main

    source = tmp_path / "Proton Pass_export_2025-01-01.pgp"
    source.write_bytes(_encrypt(CSV, PASSPHRASE))
    monkeypatch.setenv("PP_PASSPHRASE", PASSPHRASE)
    assert main(["detect", str(source)]) == 0
    assert capsys.readouterr().out.startswith("protonpass-pgp")
    code = main(["convert", str(source), "--dry-run", "--password-env", "PP_PASSPHRASE"])
    out = capsys.readouterr().out
    assert code == 0 and "4 read" in out and SECRET not in out
    monkeypatch.setenv("PP_PASSPHRASE", "not it")
    code = main(["convert", str(source), "--dry-run", "--password-env", "PP_PASSPHRASE"])
    err = capsys.readouterr().err
    assert code == 2 and "wrong passphrase" in err and "not it" not in err


def _skesk_v6(passes: int, lanes: int, exponent: int) -> bytes:
    """A version 6 symmetric-key session key packet with an Argon2 S2K (RFC 9580 §5.3)."""
    s2k = bytes([4]) + bytes(16) + bytes([passes, lanes, exponent])
    body = bytes([6, 3 + len(s2k), 9, 2, len(s2k)]) + s2k + bytes(16 + 32)
    return bytes([0xC3, len(body)]) + body


def test_the_passphrase_kdf_is_bounded_before_gpg_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    ran: list[Any] = []
    monkeypatch.setattr(gpg, "_run", lambda *a, **k: ran.append(a) or (2, b"", []))
    heavy = _skesk_v6(3, 4, 22) + bytes([0xD2, 0x05, 2, 9, 2, 6, 0])
    armored = (b"-----BEGIN PGP MESSAGE-----\n\n"
               + base64.encodebytes(heavy) + b"-----END PGP MESSAGE-----\n")  # fmt: skip
    for data in (heavy, armored):
        with pytest.raises(CxkitError, match="over cxkit's bound of 1,048,576 KiB") as caught:
            adapters.read(data, "Proton Pass_export.pgp", source_format="protonpass-pgp",
                          options=_options(PASSPHRASE))  # fmt: skip
        assert "4,194,304 KiB" in caught.value.message
    assert not ran
    for light in (_skesk_v6(3, 4, 16), _skesk_v6(1, 1, 20)):
        gpg.check_passphrase_kdf(light)  # 64 MiB, 1 GiB: within the bound
    with pytest.raises(CxkitError, match="passes"):
        gpg.check_passphrase_kdf(_skesk_v6(200, 4, 16))
    gpg.check_passphrase_kdf(_encrypt(b"x", "p"))  # iterated and salted: bounded by the format
    gpg.check_passphrase_kdf(b"\xff\x00junk")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_the_kdf_check_reads_any_bytes(data: bytes) -> None:
    for candidate in (data, _skesk_v6(3, 4, 16)[:7] + data, b"\xc3" + data):
        with contextlib.suppress(CxkitError):
            gpg.check_passphrase_kdf(candidate)
