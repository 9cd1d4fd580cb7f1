"""The passkeys in ../shared verify: CXF vectors and Bitwarden sample exports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _passkey_data import b64u

from cxkit.passkey import (
    Algorithm,
    b64url_to_der,
    bitwarden_credential_id_to_bytes,
    der_to_pem,
    parse_bitwarden_counter,
    parse_bitwarden_discoverable,
    pem_to_der,
    verify_passkey,
)

pytestmark = pytest.mark.shared


def _passkeys(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "passkey":
            found.append(node)
        for value in node.values():
            found.extend(_passkeys(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_passkeys(value))
    return found


@pytest.mark.parametrize(
    ("parts", "algorithm"),
    [
        (("vectors", "cxf", "spec", "appendix-a.errata-20260309.json"), Algorithm.ES256),
        # the kitchen-sink passkey is P-256 too (its Ed25519 key is the ssh-key credential)
        (("vectors", "cxf", "synthetic", "kitchen-sink.json"), Algorithm.ES256),
    ],
)
def test_cxf_vector_passkeys_verify(
    shared: Path, parts: tuple[str, ...], algorithm: Algorithm
) -> None:
    doc = json.loads(shared.joinpath(*parts).read_text(encoding="utf-8"))
    passkeys = _passkeys(doc)
    assert passkeys
    for pk in passkeys:
        result = verify_passkey(
            key=b64u(pk["key"]),
            credential_id=b64u(pk["credentialId"]),
            rp_id=pk["rpId"],
            user_handle=b64u(pk["userHandle"]),
        )
        assert result.ok, result.findings
        assert result.findings == ()
        assert result.algorithm is algorithm
        # the KeePassXC path: CXF key -> PEM attribute -> DER
        assert pem_to_der(der_to_pem(b64u(pk["key"]))) == b64u(pk["key"])


def test_kitchen_sink_ed25519_key_as_passkey_key(shared: Path) -> None:
    path = shared / "vectors" / "cxf" / "synthetic" / "kitchen-sink.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    ssh = [c for c in _iter_credentials(doc) if c.get("type") == "ssh-key"]
    assert ssh
    result = verify_passkey(
        key=b64u(ssh[0]["privateKey"]),
        credential_id=b"ssh-key-as-passkey",
        rp_id="example.com",
        user_handle=b"u",
    )
    assert result.ok
    assert result.algorithm is Algorithm.EDDSA


def _iter_credentials(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node and "credentials" not in node:
            out.append(node)
        for value in node.values():
            out.extend(_iter_credentials(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_iter_credentials(value))
    return out


def _bitwarden_files(shared: Path) -> list[Path]:
    return sorted(
        p
        for p in (shared / "exports").rglob("*.json")
        if "fido2Credentials" in p.read_text(encoding="utf-8", errors="replace")
    )


def test_bitwarden_export_passkeys_verify(shared: Path) -> None:
    checked = 0
    for path in _bitwarden_files(shared):
        doc = json.loads(path.read_text(encoding="utf-8"))
        items = doc.get("items") if isinstance(doc, dict) else None
        for item in items if isinstance(items, list) else []:
            login = item.get("login") if isinstance(item, dict) else None
            creds = login.get("fido2Credentials") if isinstance(login, dict) else None
            for cred in creds or []:
                assert parse_bitwarden_counter(cred["counter"]) == 0
                assert parse_bitwarden_discoverable(cred["discoverable"]) in (True, False)
                result = verify_passkey(
                    key=b64url_to_der(cred["keyValue"]),
                    credential_id=bitwarden_credential_id_to_bytes(cred["credentialId"]),
                    rp_id=cred["rpId"],
                    user_handle=b64u(cred["userHandle"]),
                )
                assert result.ok, (path.name, result.findings)
                assert result.algorithm is Algorithm.ES256  # keyCurve "P-256"
                assert cred["keyCurve"] == "P-256"
                checked += 1
    assert checked >= 2  # bitwarden_passkey_export.json: the UUID and the b64. id forms
