"""Shared fixtures of the UI tests: the built-in Bitwarden sample with canary secrets planted."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

#: Values planted in the sample: none may ever appear in a page, a log line or a report.
CANARIES = {
    "password": "CanaryPassw0rd-7f3a9",
    "totp": "CANARYSEEDQQQQQQ",
    "card": "4000123412341234",
    "cvv": "9731",
    "ssn": "CANARY-SSN-55821",
    "note": "CanaryNoteText-448",
    "field": "CanaryFieldValue-992",
}


def planted_sample() -> tuple[bytes, list[str]]:
    """The built-in Bitwarden sample with :data:`CANARIES` as its secrets; also returns every
    passkey private key of it (which must not appear either)."""
    raw = files("cxkit.samples").joinpath("sample-bitwarden.json").read_bytes()
    data: dict[str, Any] = json.loads(raw)
    keys: list[str] = []
    for item in data["items"]:
        login = item.get("login")
        if login:
            if login.get("password"):
                login["password"] = CANARIES["password"]
            if login.get("totp"):
                login["totp"] = CANARIES["totp"]
            keys += [
                f["keyValue"] for f in login.get("fido2Credentials") or [] if f.get("keyValue")
            ]
        if item.get("card"):
            item["card"]["number"] = CANARIES["card"]
            item["card"]["code"] = CANARIES["cvv"]
        if item.get("identity"):
            item["identity"]["ssn"] = CANARIES["ssn"]
        if item.get("notes"):
            item["notes"] = CANARIES["note"]
        for f in item.get("fields") or []:
            f["value"] = CANARIES["field"]
    return json.dumps(data).encode(), keys


def assert_no_secret(text: str, keys: list[str]) -> None:
    for what, canary in CANARIES.items():
        assert canary not in text, f"the {what} canary leaked"
    for key in keys:
        assert key not in text, "a passkey private key leaked"
