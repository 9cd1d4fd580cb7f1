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


def server_values(app: Any) -> list[str]:
    """The random values a ``cxkit ui`` server writes into its pages, links and log lines: the
    one-time token, the session and CSRF tokens and the job ids (URL-safe Base64). A short
    canary made of those characters turns up in one of them now and then without anything
    having leaked (the sample's 3-digit card code in one browser-test run in ~1,400; the
    4-digit CVV canary here in one server-test run in ~50,000)."""
    return [app.token, app.session, app.csrf, *app.jobs]


def scrub(text: str, app: Any) -> str:
    """*text* with :func:`server_values` replaced by a NUL (a character of no canary, so that the
    text on either side does not join into one): what is left is what a leak would show in."""
    for value in server_values(app):
        text = text.replace(value, "\x00")
    return text


def assert_no_secret(text: str, keys: list[str], app: Any = None) -> None:
    """No canary and no passkey key in *text* (of a page of *app*'s server: its random values
    scrubbed first, see :func:`scrub`)."""
    if app is not None:
        text = scrub(text, app)
    for what, canary in CANARIES.items():
        assert canary not in text, f"the {what} canary leaked"
    for key in keys:
        assert key not in text, "a passkey private key leaked"
