"""LastPass Authenticator exports (``../shared/formats/totp-apps.md`` §11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _otp_read import mutate_all, read, rows
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.detection import detect, make_sample
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_path

_DEVICE_SECRET = "device-secret-value-0123"


def _account(issuer: str, user: str, secret: str, folder: int = 0, **extra: Any) -> dict[str, Any]:
    return {"accountID": f"id-{issuer}", "lmiUserId": "", "issuerName": issuer,
            "originalIssuerName": "orig", "userName": user, "originalUserName": "orig-user",
            "pushNotification": False, "secret": secret, "timeStep": 30, "digits": 6,
            "creationTimestamp": 1738075355820, "isFavorite": folder == 1,
            "algorithm": "SHA256", "folderData": {"folderId": folder, "position": 0}, **extra}  # fmt: skip


def _export(*accounts: dict[str, Any]) -> bytes:
    return json.dumps({
        "deviceId": "d", "deviceSecret": _DEVICE_SECRET, "localDeviceId": "l",
        "deviceName": "Pixel", "version": 3, "accounts": list(accounts),
        "folders": [{"id": 1, "name": "Favorites", "isOpened": True},
                    {"id": 0, "name": "Other accounts", "isOpened": True},
                    {"id": 7, "name": "Work", "isOpened": False}],
        "backupInfo": {"creationDate": "2025-01-28T16:55:54.040", "deviceOS": "android"},
    }).encode()  # fmt: skip


SAMPLES = ["lastpass.json", "lastpass_ios_export.json", "lastpass_missing_fields.json"]


@pytest.mark.parametrize("name", SAMPLES)
def test_shared_samples(name: str) -> None:
    data = shared_path("exports", "lastpass-authenticator", "proton", name).read_bytes()
    assert detect(make_sample(data, name)).adapter.info.key == "lastpass-authenticator"
    doc, report = read(data, name)
    accounts = json.loads(data)["accounts"]
    assert report.items_read == len(accounts)
    # the samples' seeds are Proton's test strings, some not valid Base32: those are kept as
    # concealed custom fields (as the Bitwarden readers keep them), the others are TOTP
    seeds = []
    for item in doc.header.accounts[0].items:
        for cred in item.credentials:
            if isinstance(cred, m.Totp):
                seeds.append(cred.secret)
            elif isinstance(cred, m.CustomFields) and cred.label == "TOTP":
                secret = next(f for f in cred.fields if f.label == "secret")
                assert secret.field_type == "concealed-string"
                seeds.append(str(secret.value))
    assert sorted(seeds) == sorted(a["secret"] for a in accounts)
    assert all(r[2] for r in rows(doc))
    paths = {r.path: r.disposition.value for r in report.fields}
    assert paths["$.accounts[0].originalIssuerName"] == "not-carried"
    assert "$.deviceName" in paths


def test_own_export_folders_favourites_and_secrets() -> None:
    data = _export(_account("GitHub", "octo", "JBSWY3DPEHPK3PXP", folder=7),
                   _account("Mail", "me", "GEZDGNBVGY3TQOJQ", folder=1, newField="kept"))  # fmt: skip
    doc, report = read(data, "lastpass.json")
    acc = doc.header.accounts[0]
    items = {i.title: i for i in acc.items}
    totp = items["GitHub"].credentials[0]
    assert isinstance(totp, m.Totp) and (totp.algorithm, totp.username) == ("sha256", "octo")
    assert items["Mail"].favorite is True
    assert items["GitHub"].creation_at == 1738075355  # milliseconds in the file
    assert [c.title for c in acc.collections] == ["Work"]
    assert [x.item for x in acc.collections[0].items] == [items["GitHub"].id]
    assert _DEVICE_SECRET not in report.render() and _DEVICE_SECRET not in json.dumps(
        report.to_json()
    )
    paths = {r.path: r.disposition.value for r in report.fields}
    assert paths["$.deviceSecret"] == "not-carried"
    assert paths["$.accounts[1].newField"] == "custom-field"


def test_mutations_raise_only_cxkit_errors() -> None:
    data = shared_path("exports", "lastpass-authenticator", "proton", "lastpass.json").read_bytes()
    assert mutate_all(data, lambda d: read(d, "x.json", "lastpass-authenticator"), rounds=60) > 0


_SCALARS = st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=20)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["secret", "issuerName", "userName", "timeStep",
                                                 "digits", "algorithm", "isFavorite",
                                                 "folderData", "x"]),
                                _SCALARS | st.dictionaries(st.sampled_from(["folderId", "y"]),
                                                           _SCALARS)), max_size=4),
       st.lists(st.dictionaries(st.sampled_from(["id", "name"]), _SCALARS), max_size=3))  # fmt: skip
def test_any_export_reads_or_fails_cleanly(accounts: list[Any], folders: list[Any]) -> None:
    doc = {"accounts": accounts, "deviceName": "x", "localDeviceId": None, "folders": folders}
    try:
        _, report = read(json.dumps(doc).encode(), "x.json", "lastpass-authenticator")
    except CxkitError:
        return
    assert report.items_read + len(report.items_skipped) == len(accounts)
