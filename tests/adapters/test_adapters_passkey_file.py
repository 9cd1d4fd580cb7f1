"""KeePassXC ``.passkey`` files (one passkey, PEM key): read, write, round trips, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _bw_adapter_data import p256_pkcs8, personal_export
from _pp_adapter_data import export as pp_export

from cxkit import adapters
from cxkit.adapters.kit.values import json_leaves as _leaves
from cxkit.cli.main import main
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, DecodeError
from cxkit.passkey import der_to_pem


def passkey_file(**extra: Any) -> dict[str, Any]:
    der = b64.decode(p256_pkcs8(42))
    out = {
        "relyingParty": "webauthn.example",
        "url": "https://webauthn.example/login",
        "username": "kp@webauthn.example",
        "credentialId": b64.encode(b"kpxc-credential-id-42"),
        "userHandle": b64.encode(b"kpxc-user-42"),
        "privateKey": der_to_pem(der),
    }
    out.update(extra)
    return out


def test_reads_one_passkey_that_verifies_and_accounts_every_member() -> None:
    source = passkey_file(note="mine")
    data = json.dumps(source).encode()
    sample = adapters.make_sample(data, "WebAuthn demo.passkey")
    assert adapters.detect(sample).adapter.info.key == "keepassxc-passkey"
    conversion = adapters.convert(data, "WebAuthn demo.passkey", to="cxf-json")
    (item,) = [i for _, i in conversion.document.items()]
    assert item.title == "WebAuthn demo"
    assert item.scope is not None and item.scope.urls == ("https://webauthn.example/login",)
    pk = item.credentials[0]
    assert isinstance(pk, m.Passkey) and b64.decode(pk.user_handle) == b"kpxc-user-42"
    assert conversion.report.passkeys_failed() == 0 and len(conversion.report.passkeys) == 1
    report = conversion.report
    assert {r.path for r in report.fields} == set(_leaves(source, "$"))
    assert "BEGIN PRIVATE KEY" not in json.dumps(report.to_json())


def test_write_then_read_round_trip_is_exact() -> None:
    source = passkey_file()
    first = adapters.convert(json.dumps(source).encode(), "a.passkey", to="cxf-json")
    assert first.output is not None
    back = adapters.convert(first.output, "a.cxf", to="keepassxc-passkey")
    assert back.output is not None and json.loads(back.output) == source


def test_proton_pass_single_passkey_to_passkey_file() -> None:
    pp = pp_export()
    login = pp["vaults"]["SHARE_A"]["items"][0]
    login["data"]["content"]["passkeys"] = login["data"]["content"]["passkeys"][:1]
    pp["vaults"]["SHARE_A"]["items"] = [login]
    pp["vaults"]["SHARE_B"]["items"] = []
    conversion = adapters.convert(json.dumps(pp).encode(), "pp.json", to="keepassxc-passkey")
    assert conversion.output is not None
    out = json.loads(conversion.output)
    assert out["relyingParty"] == "forge.example"
    assert out["privateKey"].startswith("-----BEGIN PRIVATE KEY-----")
    summary = conversion.report.credential_summary()
    assert summary["passkey"]["carried"] == 1 and summary["basic-auth"]["not_carried"] == 1
    again = adapters.convert(conversion.output, "x.passkey", to="cxf-json")
    assert again.report.passkeys_failed() == 0


def test_several_or_no_passkeys_cannot_be_one_file() -> None:
    data = json.dumps(personal_export()).encode()
    with pytest.raises(AdapterError, match="exactly one passkey; this source has 3"):
        adapters.convert(data, "bw.json", to="keepassxc-passkey")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"privateKey": "MIGHAgEAMBMGByqGSM49"}, "PEM"),
        ({"credentialId": "not base64!"}, "credentialId"),
        ({"privateKey": None}, "privateKey"),
        ({"relyingParty": 7}, "relyingParty"),
    ],
)
def test_malformed_files_are_clear_errors(change: dict[str, Any], error: str) -> None:
    data = json.dumps(passkey_file(**change)).encode()
    with pytest.raises((AdapterError, DecodeError), match=error) as caught:
        adapters.read(data, "bad.passkey", source_format="keepassxc-passkey")
    assert "MIGHAgEAMBMGByqGSM49" not in str(caught.value)


def test_cli_writes_a_passkey_file_0600(tmp_path: Path) -> None:
    src = tmp_path / "in.passkey"
    src.write_text(json.dumps(passkey_file()))
    dest = tmp_path / "out.passkey"
    argv = ["convert", str(src), "-o", str(dest), "--to", "keepassxc-passkey", "--plaintext", "-q"]
    assert main(argv) == 0
    assert dest.stat().st_mode & 0o777 == 0o600
    assert json.loads(dest.read_text()) == passkey_file()
