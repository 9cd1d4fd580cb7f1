"""Small CXF documents of the hostile classes of issue #17, built in code (no copied files)."""

from __future__ import annotations

import json
from typing import Any

ITEM_ID = "AAECAwQFBgcICQoLDA0ODw"


def passkey(**over: Any) -> dict[str, Any]:
    cred = {
        "type": "passkey",
        "credentialId": "AQIDBAUGBwgJCgsMDQ4PEA",
        "rpId": "example.com",
        "username": "sam",
        "userDisplayName": "Sam",
        "userHandle": "AQID",
        "key": "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg",
    }
    cred.update(over)
    return cred


def document(*credentials: dict[str, Any], item: dict[str, Any] | None = None,
             **header: Any) -> dict[str, Any]:  # fmt: skip
    it: dict[str, Any] = {
        "id": ITEM_ID,
        "title": "Example",
        "credentials": list(credentials)
        or [{"type": "basic-auth", "username": {"fieldType": "string", "value": "sam"}}],
    }
    it.update(item or {})
    doc: dict[str, Any] = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example",
        "exporterDisplayName": "Exporter",
        "timestamp": 1_700_000_000,
        "accounts": [
            {
                "id": "AAAA",
                "username": "sam",
                "email": "sam@example.com",
                "collections": [],
                "items": [it],
            }
        ],
    }
    doc.update(header)
    return doc


def dumps(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def deep(depth: int = 100_000) -> bytes:
    """A CXF Header whose item carries an unknown member nested *depth* arrays deep."""
    text = json.dumps(document(item={"vendorDeep": "@@"}))
    return text.replace('"@@"', "[" * depth + "]" * depth).encode()
