"""The validator's bulk screen is sound: it never clears an item that has findings.

``validate`` screens an account in bulk and runs the precise per-item checks only on suspects;
``validate(..., _exhaustive=True)`` runs them on every item. Both must give the same findings.
"""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from importlib import resources
from typing import Any

import msgspec
import strategies as cst
from hypothesis import HealthCheck, given, settings

from cxkit import cxf


def _same_findings(data: bytes) -> None:
    doc = cxf.decode(data)
    screened = Counter(cxf.validate(doc))
    exhaustive = Counter(cxf.validate(doc, _exhaustive=True))
    assert screened == exhaustive


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cst.documents())
def test_screen_agrees_on_drawn_documents(value: Any) -> None:
    _same_findings(msgspec.json.encode(value))


def _sample() -> dict[str, Any]:
    data = resources.files("cxkit.samples").joinpath("sample-vault.cxf.json").read_bytes()
    value: dict[str, Any] = json.loads(data)
    return value


#: Small, targeted damage: each function breaks one thing the precise checks look at.
def _mutations(rng: random.Random, value: dict[str, Any]) -> None:
    items = value["accounts"][0]["items"]
    item = rng.choice(items)
    if not item["credentials"]:
        return
    credential = rng.choice(item["credentials"])
    fields = [k for k, v in credential.items() if isinstance(v, dict) and "fieldType" in v]
    choice = rng.randrange(12)
    if choice == 0 and fields:
        credential[rng.choice(fields)]["fieldType"] = rng.choice(
            ["string", "concealed-string", "date", "boolean", "weird"]
        )
    elif choice == 1 and fields:
        credential[rng.choice(fields)]["value"] = rng.choice(
            ["", "TRUE", "2024-13-01", "us", "x@", "1e5", "wep"]
        )
    elif choice == 2 and fields:
        credential[rng.choice(fields)]["id"] = rng.choice([items[0]["id"], "AQ", "AR", "A" * 90])
    elif choice == 3:
        item["id"] = rng.choice(items)["id"]  # duplicate (or the same)
    elif choice == 4:
        item["modifiedAt"] = 10**13
    elif choice == 5:
        item["credentials"] = []
    elif choice == 6:
        item["scope"] = {
            "urls": [rng.choice(["forge.example", "https://x.example"])],
            "androidApps": [],
        }
    elif choice == 7 and credential["type"] == "totp":
        credential[rng.choice(["algorithm", "secret", "digits", "period", "issuer"])] = rng.choice(
            ["SHA1", "md5", "jbsw y3dp", 0, 12, "Elsewhere"]
        )
    elif choice == 8 and credential["type"] == "passkey":
        key = rng.choice(["key", "credentialId", "userHandle", "rpId"])
        credential[key] = rng.choice(
            ["AAAA", "AR", "Example.COM", "a" * 2000, credential["key"][:-4]]
        )
    elif choice == 9 and credential["type"] == "custom-fields":
        credential["fields"][0]["fieldType"] = rng.choice(["number", "email", "zzz"])
    elif choice == 10:
        item["extensions"] = [
            {
                "name": "shared",
                "accessors": [
                    {"type": "robot", "accountId": "AQ", "name": "x", "permissions": ["read"]}
                ],
            }
        ]
    elif choice == 11 and credential["type"] == "wifi":
        credential["networkSecurityType"]["value"] = rng.choice(["WPA2", "wpa2-personal"])


def test_screen_agrees_on_damaged_samples() -> None:
    rng = random.Random(20261124)
    base = _sample()
    for _ in range(300):
        value = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            _mutations(rng, value)
        _same_findings(json.dumps(value).encode())
