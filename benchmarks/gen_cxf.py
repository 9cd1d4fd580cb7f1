"""Deterministic generator of large, realistic CXF documents for the benchmarks.

    uv run python benchmarks/gen_cxf.py 100000 -o /tmp/vault-100k.cxf.json

The mix per item (fixed seed, so every run gets the same bytes): ~60 % logins (basic-auth with
URLs; a quarter with TOTP, one in six with a passkey, some with custom fields), notes, credit
cards, identities (person-name + address + identity document or driver's licence), Wi-Fi,
SSH keys, API keys; ~3 % of items carry something unknown: 1.5 % an unknown credential type, 1 % a
credential with an unknown member, 0.5 % an unknown item-level member; collections linking items. Passkey keys are real P-256 / Ed25519 PKCS#8 keys
derived from the seed.
"""

from __future__ import annotations

import base64
import hashlib
import random
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from _common import generator_main

WORDS = [
    "alpha",
    "bravo",
    "cedar",
    "delta",
    "ember",
    "falcon",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lumen",
    "meadow",
    "nimbus",
    "onyx",
    "prairie",
    "quartz",
    "raven",
    "summit",
    "tundra",
    "umber",
    "vortex",
    "willow",
    "xenon",
    "yarrow",
    "zephyr",
]
DOMAINS = ("example.com", "mail.example.org", "shop.example.net", "bank.example", "social.example")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counter = 0

    def ident(self) -> str:
        self.counter += 1
        return b64u(hashlib.sha256(self.counter.to_bytes(8, "big")).digest()[:16])

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def ef(self, value: str, field_type: str = "string", with_id: bool = False) -> dict[str, Any]:
        field: dict[str, Any] = {"fieldType": field_type, "value": value}
        if with_id:
            field["id"] = self.ident()
        return field

    def secret(self, n: int = 16) -> str:
        return "".join(
            self.rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%")
            for _ in range(n)
        )

    def passkey_key(self) -> bytes:
        if self.rng.random() < 0.8:
            key: Any = ec.derive_private_key(self.rng.getrandbits(250) + 1, ec.SECP256R1())
        else:
            key = ed25519.Ed25519PrivateKey.from_private_bytes(self.rng.randbytes(32))
        return key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def login(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        domain = self.rng.choice(DOMAINS)
        user = f"{self.rng.choice(WORDS)}.{self.rng.choice(WORDS)}@{domain}"
        creds: list[dict[str, Any]] = [
            {
                "type": "basic-auth",
                "username": self.ef(user, with_id=True),
                "password": self.ef(self.secret(), "concealed-string", with_id=True),
            }
        ]
        roll = self.rng.random()
        if roll < 0.25:
            creds.append(
                {
                    "type": "totp",
                    "secret": base64.b32encode(self.rng.randbytes(20)).decode().rstrip("="),
                    "period": 30,
                    "digits": 6,
                    "algorithm": "sha1",
                    "username": user,
                    "issuer": domain.split(".")[0],
                }
            )
        if self.rng.random() < 1 / 6:
            creds.append(
                {
                    "type": "passkey",
                    "credentialId": b64u(self.rng.randbytes(32)),
                    "rpId": domain,
                    "username": user,
                    "userDisplayName": user.split("@")[0],
                    "userHandle": b64u(self.rng.randbytes(16)),
                    "key": b64u(self.passkey_key()),
                }
            )
        if self.rng.random() < 0.12:
            creds.append(
                {
                    "type": "custom-fields",
                    "fields": [
                        self.ef(self.words(2), "string", with_id=True),
                        self.ef(self.secret(8), "concealed-string"),
                        self.ef("true", "boolean"),
                    ],
                }
            )
        scope = {"urls": [f"https://{domain}/login"], "androidApps": []}
        return creds, scope

    def other(self) -> list[dict[str, Any]]:
        roll = self.rng.random()
        if roll < 0.3:
            return [{"type": "note", "content": self.ef(self.words(self.rng.randint(5, 40)))}]
        if roll < 0.5:
            return [
                {
                    "type": "credit-card",
                    "number": self.ef(
                        "4" + "".join(self.rng.choice("0123456789") for _ in range(15)),
                        "concealed-string",
                    ),
                    "fullName": self.ef(self.words(2)),
                    "cardType": self.ef("Visa"),
                    "verificationNumber": self.ef(
                        f"{self.rng.randint(100, 999)}", "concealed-string"
                    ),
                    "expiryDate": self.ef(
                        f"20{self.rng.randint(26, 35)}-{self.rng.randint(1, 12):02d}", "year-month"
                    ),
                }
            ]
        if roll < 0.7:
            second = (
                {
                    "type": "identity-document",
                    "issuingCountry": self.ef("US", "country-code"),
                    "documentNumber": self.ef(f"D{self.rng.randint(10**7, 10**8)}"),
                    "fullName": self.ef(self.words(2)),
                    "birthDate": self.ef(
                        f"19{self.rng.randint(50, 99)}-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}",
                        "date",
                    ),
                }
                if self.rng.random() < 0.5
                else {
                    "type": "drivers-license",
                    "fullName": self.ef(self.words(2)),
                    "licenseNumber": self.ef(f"L{self.rng.randint(10**6, 10**7)}"),
                    "territory": self.ef("US-CA", "subdivision-code"),
                    "country": self.ef("US", "country-code"),
                    "expiryDate": self.ef("2031-05-20", "date"),
                }
            )
            return [
                {
                    "type": "person-name",
                    "given": self.ef(self.rng.choice(WORDS).title()),
                    "surname": self.ef(self.rng.choice(WORDS).title()),
                },
                {
                    "type": "address",
                    "streetAddress": self.ef(
                        f"{self.rng.randint(1, 999)} {self.words(2).title()} St"
                    ),
                    "postalCode": self.ef(f"{self.rng.randint(10000, 99999)}"),
                    "city": self.ef(self.rng.choice(WORDS).title()),
                    "country": self.ef("US", "country-code"),
                },
                second,
            ]
        if roll < 0.8:
            return [
                {
                    "type": "wifi",
                    "ssid": self.ef(self.words(1)),
                    "networkSecurityType": self.ef("wpa2-personal", "wifi-network-security-type"),
                    "passphrase": self.ef(self.secret(), "concealed-string"),
                    "hidden": self.ef("false", "boolean"),
                }
            ]
        if roll < 0.9:
            return [
                {
                    "type": "api-key",
                    "key": self.ef(self.secret(32), "concealed-string"),
                    "keyType": self.ef("Bearer"),
                    "url": self.ef("https://api.example.com"),
                }
            ]
        return [{"type": "generated-password", "password": self.secret(20)}]

    def item(self, ts: int) -> dict[str, Any]:
        scope = None
        if self.rng.random() < 0.6:
            creds, scope = self.login()
        else:
            creds = self.other()
        roll = self.rng.random()
        if roll < 0.015:
            creds.append(
                {
                    "type": "x-future-credential",
                    "payload": {"level": self.rng.randint(1, 9)},
                    "note": self.words(3),
                }
            )
        elif roll < 0.025:
            creds[0]["vendorHint"] = self.words(2)
        item: dict[str, Any] = {
            "id": self.ident(),
            "creationAt": ts - self.rng.randint(0, 10**7),
            "modifiedAt": ts,
            "title": self.words(self.rng.randint(1, 3)).title(),
        }
        if self.rng.random() < 0.1:
            item["favorite"] = True
        if scope is not None:
            item["scope"] = scope
        item["credentials"] = creds
        if self.rng.random() < 0.2:
            item["tags"] = [self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 3))]
        if roll > 0.995:
            item["vendorSyncState"] = {"rev": self.rng.randint(1, 10**6)}
        return item


def generate(n_items: int, seed: int = 2026) -> bytes:
    """A Header-rooted CXF document with ``n_items`` items (deterministic for a given seed)."""
    gen = Gen(seed)
    ts = 1_764_000_000
    items = [gen.item(ts) for _ in range(n_items)]
    collections = []
    for c in range(max(1, n_items // 5000)):
        members = gen.rng.sample(items, min(len(items), 50))
        collections.append(
            {
                "id": gen.ident(),
                "title": f"Folder {c}",
                "items": [{"item": it["id"]} for it in members],
            }
        )
    doc = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "bench.cxkit.example",
        "exporterDisplayName": "cxkit benchmark generator",
        "timestamp": ts,
        "accounts": [
            {
                "id": gen.ident(),
                "username": "bench",
                "email": "bench@example.com",
                "collections": collections,
                "items": items,
            }
        ],
    }
    return orjson.dumps(doc)


def main() -> int:
    return generator_main(generate, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
