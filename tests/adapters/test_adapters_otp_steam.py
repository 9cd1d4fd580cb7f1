"""Steam Guard maFiles (``../shared/formats/totp-apps.md`` §12): ``shared_secret`` → a Steam
TOTP, the app's other secrets concealed custom fields."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from _otp_read import mutate_all, read, reference, rows
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.detection import detect, make_sample
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_path

_SEED = bytes(range(1, 21))


def _account(name: str = "gabe", seed: bytes = _SEED, **extra: Any) -> dict[str, Any]:
    return {"shared_secret": base64.b64encode(seed).decode(), "serial_number": "9876",
            "revocation_code": "R55555", "account_name": name, "token_gid": "abc",
            "identity_secret": "aWRlbnRpdHktc2VjcmV0LXZhbHVl", "secret_1": "c2Vjb25kLXNlY3JldA==",
            "server_time": 1700000000, "status": 1, "steamid": 76561190000000000,
            "device_id": "android:1234", "fully_enrolled": True,
            "Session": {"SessionID": "sess-id-value", "OAuthToken": "oauth-token-value"},
            **extra}  # fmt: skip


def _fields(item: m.Item) -> dict[str, tuple[str, str]]:
    return {f.label or "": (f.field_type, str(f.value)) for c in item.credentials
            if isinstance(c, m.CustomFields) for f in c.fields}  # fmt: skip


@pytest.mark.parametrize("path", ["steam/aegis/steam.json", "steam/aegis/steam_old.json"])
def test_shared_samples(path: str) -> None:
    data = shared_path("exports", path).read_bytes()
    assert detect(make_sample(data, path.rsplit("/", 1)[-1])).adapter.info.key == "steam"
    doc, report = read(data, "steam.json")
    steam = next(r for r in reference() if r[0] == "steam")
    assert rows(doc) == [("steam", "Steam", "Sophia", steam[3], "sha1", 5, 30)]
    item = doc.header.accounts[0].items[0]
    fields = _fields(item)
    for secret in ("identity_secret", "secret_1", "revocation_code"):
        assert fields[secret][0] == "concealed-string"
    assert fields[".serial_number"] == ("string", "12345678901234567890")
    dispositions = {r.path: r.disposition.value for r in report.fields}
    prefix = "$.accounts.abcdefg" if "accounts" in data.decode() else "$"
    assert dispositions[f"{prefix}.shared_secret"] == "member"
    assert dispositions[f"{prefix}.uri"] == "member"
    assert dispositions[f"{prefix}.identity_secret"] == "custom-field"


def test_own_accounts_file() -> None:
    bad = _account("broken")
    bad["shared_secret"] = "not base64 !!"
    doc = {"accounts": {"gabe": _account(), "broken": bad, "alyx": _account("alyx", b"\x07" * 10)}}
    data = json.dumps(doc).encode()
    assert detect(make_sample(data, "manifest.json")).adapter.info.key == "steam"
    out, report = read(data, "x.maFile")
    items = out.header.accounts[0].items
    assert [i.title for i in items] == ["Steam", "Steam"]
    totp = items[0].credentials[0]
    assert isinstance(totp, m.Totp) and totp.algorithm == "steam" and totp.digits == 5
    assert totp.secret == base64.b32encode(_SEED).decode().rstrip("=")
    fields = _fields(items[0])
    assert fields["Session.OAuthToken"][0] == "concealed-string"
    assert fields[".device_id"] == ("string", "android:1234")
    assert report.items_skipped == [("broken", "shared_secret is missing or not Base64")]
    assert "not Base64" in report.render() and "not base64 !!" not in report.render()


def test_other_objects_are_not_steam() -> None:
    for doc in ({"shared_secret": "x"}, {"accounts": [1]}, {"accounts": {"a": {"b": 1}}},
                {"accounts": {}, "other": 1}):  # fmt: skip
        sample = make_sample(json.dumps(doc).encode(), "x.json")
        from cxkit.adapters.otp.steam import SteamGuardAdapter

        assert SteamGuardAdapter().accepts(sample).name == "NO", doc


def test_mutations_raise_only_cxkit_errors() -> None:
    data = shared_path("exports", "steam/aegis/steam.json").read_bytes()
    assert mutate_all(data, lambda d: read(d, "x.json", "steam"), rounds=60) > 0


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["shared_secret", "account_name", "uri", "Session",
                                        "identity_secret", "steamid", "x"]), _VALUES),
       st.booleans())  # fmt: skip
def test_any_account_object_reads_or_fails_cleanly(rec: dict[str, Any], wrap: bool) -> None:
    rec.setdefault("shared_secret", base64.b64encode(_SEED).decode())
    rec["serial_number"] = "1"
    doc = {"accounts": {"a": rec}} if wrap else rec
    try:
        out, report = read(json.dumps(doc).encode(), "x.json", "steam")
    except CxkitError:
        return
    assert report.items_read + len(report.items_skipped) >= 1
    assert len(out.header.accounts[0].items) <= 1
