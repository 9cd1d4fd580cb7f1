"""Duo Mobile's account list (``../shared/formats/totp-apps.md`` §12)."""

from __future__ import annotations

import json
from typing import Any

from _otp_read import mutate_all, read, rows
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.detection import detect, make_sample
from cxkit.errors import CxkitError
from shared_evidence import shared_path


def _account(name: str, secret: str, **generator: Any) -> dict[str, Any]:
    return {"version": 1.0, "accountType": "OtpAccount", "name": name,
            "otpGenerator": {"otpSecret": secret, **generator},
            "logoUri": "file:///logo.png", "pkey": f"pk-{name}",
            "serviceTypeLabelIsCustom": False, "newMember": "kept"}  # fmt: skip


def test_shared_sample() -> None:
    data = shared_path("exports", "duo/aegis/duo.json").read_bytes()
    assert detect(make_sample(data, "duo.json")).adapter.info.key == "duo"
    doc, report = read(data, "duo.json")
    assert rows(doc) == [
        ("hotp", "", "James", "YOOMIXWS5GN6RTBPUFFWKTW5M4", "sha1", 6, 3),
        ("totp", "", "Mason", "4SJHB4GSD43FZBAI7C2HLRJGPQ", "sha1", 6, 30),
    ]
    paths = {r.path: r.disposition.value for r in report.fields}
    assert paths["$[0].otpGenerator.otpSecret"] == "member"
    assert paths["$[1].otpGenerator.counter"] == "custom-field"  # HOTP: kept, not as TOTP
    assert paths["$[0].logoUri"] == "not-carried"


def test_own_list_with_a_push_account() -> None:
    push = {"accountType": "DuoPushAccount", "name": "Work", "pkey": "p", "otpGenerator": None}
    data = json.dumps([_account("GitHub", "JBSWY3DPEHPK3PXP"), push]).encode()
    doc, report = read(data, "accounts.json", "duo")
    assert [i.title for i in doc.header.accounts[0].items] == ["GitHub"]
    assert report.items_skipped == [("Work", "a Duo Push account: it has no OTP seed to carry")]
    paths = {r.path: r.disposition.value for r in report.fields}
    assert paths["$[0].newMember"] == "custom-field"


def test_mutations_raise_only_cxkit_errors() -> None:
    data = shared_path("exports", "duo/aegis/duo.json").read_bytes()
    assert mutate_all(data, lambda d: read(d, "x.json", "duo"), rounds=60) > 0


_SCALARS = st.none() | st.booleans() | st.integers(-5, 10**12) | st.text(max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({"accountType": _SCALARS, "name": _SCALARS},
                                      optional={"otpGenerator": st.dictionaries(
                                          st.sampled_from(["otpSecret", "counter", "x"]),
                                          _SCALARS) | _SCALARS, "pkey": _SCALARS}),
                max_size=4))  # fmt: skip
def test_any_list_reads_or_fails_cleanly(accounts: list[dict[str, Any]]) -> None:
    try:
        _doc, report = read(json.dumps(accounts).encode(), "x.json", "duo")
    except CxkitError:
        return
    assert report.items_read + len(report.items_skipped) == len(accounts)
