"""Microsoft Authenticator's app database (``../shared/formats/totp-apps.md`` §12), read-only."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from pathlib import Path

import pyotp
from _otp_read import mutate_all, read, reference, rows

from cxkit.adapters.detection import detect, make_sample
from cxkit.cxf import model as m
from shared_evidence import shared_path

_PATH = "microsoft-authenticator/aegis/microsoft_authenticator.sqlite"


def test_shared_sample_reads_without_changing_it() -> None:
    path = shared_path("exports", _PATH)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    data = path.read_bytes()
    assert detect(make_sample(data, path.name)).adapter.info.key == "microsoft-authenticator"
    doc, report = read(data, path.name)
    # every reference token stored as a plain TOTP account (type 0: SHA-1, 6 digits, 30 s)
    expected = sorted(("totp", r[1], r[2], r[3], "sha1", 6, 30) for r in reference())
    assert rows(doc) == expected
    assert report.items_read == 7
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    paths = {r.path: r.disposition.value for r in report.fields}
    assert paths[f"{path.name}:accounts[1].oath_secret_key"] == "member"
    assert paths[f"{path.name}:accounts[1].group_key"] == "not-carried"


def _database(tmp_path: Path) -> bytes:
    db = tmp_path / "PhoneFactor"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, name TEXT, username TEXT, "
                 "oath_secret_key TEXT, account_type INTEGER, cached_pin TEXT, extra TEXT)")  # fmt: skip
    seed = bytes(range(10, 30))
    rows_ = [("Contoso", "a@contoso.com", "JBSWY3DPEHPK3PXP", 0, "", None),
             ("Microsoft", "me@outlook.com", base64.b64encode(seed).decode(), 1, "pin-cache", "x"),
             ("Work", "me@work.example", "GEZDGNBVGY3TQOJQ", 2, "", None),
             ("Push only", "p@example.com", "", 2, "", None)]  # fmt: skip
    conn.executemany("INSERT INTO accounts (name, username, oath_secret_key, account_type, "
                     "cached_pin, extra) VALUES (?, ?, ?, ?, ?, ?)", rows_)  # fmt: skip
    conn.commit()
    conn.close()
    return db.read_bytes()


def test_own_database_account_types(tmp_path: Path) -> None:
    data = _database(tmp_path)
    doc, report = read(data, "PhoneFactor")
    items = {i.title: i for i in doc.header.accounts[0].items}
    assert set(items) == {"Contoso", "Microsoft", "Work"}
    ms = items["Microsoft"].credentials[0]
    assert isinstance(ms, m.Totp) and ms.digits == 8
    seed = bytes(range(10, 30))
    assert pyotp.TOTP(ms.secret, digits=8).at(1_700_000_000) == pyotp.TOTP(
        base64.b32encode(seed).decode(), digits=8
    ).at(1_700_000_000)
    work = items["Work"].credentials[0]
    assert isinstance(work, m.CustomFields)  # an account type cxkit does not know: kept
    assert [s for s in report.items_skipped if s[0] == "Push only"]
    paths = {r.path: (r.disposition.value, r.note) for r in report.fields}
    assert paths["PhoneFactor:accounts[2].cached_pin"][0] == "not-carried"
    assert paths["PhoneFactor:accounts[2].extra"][0] == "custom-field"
    assert "pin-cache" not in report.render()


def test_mutations_raise_only_cxkit_errors(tmp_path: Path) -> None:
    data = shared_path("exports", _PATH).read_bytes()
    mutate_all(data, lambda d: read(d, "x.db", "microsoft-authenticator"), rounds=40)
    own = _database(tmp_path)
    mutate_all(own, lambda d: read(d, "x.db", "microsoft-authenticator"), rounds=40)
