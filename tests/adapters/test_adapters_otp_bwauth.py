"""Bitwarden Authenticator exports (``../shared/formats/totp-apps.md`` §10) are Bitwarden's
JSON and CSV exports: the Bitwarden readers take them, TOTP included (no reader of their own)."""

from __future__ import annotations

import pytest
from _otp_read import read

from cxkit.adapters.detection import detect, make_sample
from cxkit.cxf import model as m
from shared_evidence import shared_path

#: file → (reader, the TOTP credentials' (title, algorithm, digits, period, secret) expected)
SAMPLES = {
    "aegis/bitwarden.json": "bitwarden-json",
    "aegis/bitwarden.csv": "bitwarden-csv",
    "proton/bitwarden.json": "bitwarden-json",
    "proton/bitwarden.csv": "bitwarden-csv",
    "proton/bitwarden_app.json": "bitwarden-json",
    "proton/bitwarden_sample.csv": "bitwarden-csv",
}


def _totps(path: str) -> list[tuple[str, str, int, int, str]]:
    data = shared_path("exports", "bitwarden-authenticator", path).read_bytes()
    doc, _ = read(data, path.rsplit("/", 1)[-1])
    return sorted((i.title, c.algorithm, int(c.digits), int(c.period), c.secret)
                  for i in doc.header.accounts[0].items for c in i.credentials
                  if isinstance(c, m.Totp))  # fmt: skip


@pytest.mark.parametrize("path", SAMPLES)
def test_detected_as_bitwarden(path: str) -> None:
    data = shared_path("exports", "bitwarden-authenticator", path).read_bytes()
    assert detect(make_sample(data, path.rsplit("/", 1)[-1])).adapter.info.key == SAMPLES[path]


@pytest.mark.parametrize("path", ["aegis/bitwarden.json", "aegis/bitwarden.csv"])
def test_aegis_samples_carry_the_totp_and_steam_tokens(path: str) -> None:
    found = _totps(path)
    assert [t[1:] for t in found] == [
        ("sha1", 6, 30, "4SJHB4GSD43FZBAI7C2HLRJGPQ"),
        ("sha256", 7, 20, "5OM4WOOGPLQEF6UGN3CPEOOLWU"),
        ("sha512", 8, 50, "7ELGJSGXNCCTV3O6LKJWYFV2RA"),
        ("steam", 5, 30, "JRZCL47CMXVOQMNPZR2F7J4RGI"),
    ]


def test_proton_samples_json_and_csv_agree() -> None:
    assert _totps("proton/bitwarden.json") == _totps("proton/bitwarden.csv")
    assert [t[0] for t in _totps("proton/bitwarden_app.json")] == ["ItemWithTOTP"]
    # the third row's seed has 17 Base32 characters (not a whole number of bytes): not TOTP
    assert [t[0].strip() for t in _totps("proton/bitwarden_sample.csv")] == ["Code 2", "Code 3"]
