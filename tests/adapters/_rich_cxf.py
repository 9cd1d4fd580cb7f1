"""A rich CXF document for the write-side accounting tests: every credential type a writer
maps, passkey extensions, tags, subtitles, Android apps with certificate fingerprints, unknown
members and an unknown credential type; an account with an extension, collections with a
subtitle, a nested collection and an unknown member. Built here, never copied from ../shared."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from cxkit import cxf
from cxkit.cxf import b64

ATTACHMENT = b"attachment bytes of the rich document\n"
SECRET_CANARY = "Canary-Secret-Value-91"


def _id(n: int) -> str:
    return b64.encode(hashlib.sha256(f"rich-{n}".encode()).digest()[:16])


def _pkcs8(key: Any) -> str:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return b64.encode(der)


def _ef(value: str, field_type: str = "string", label: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"fieldType": field_type, "value": value}
    if label is not None:
        out["label"] = label
    return out


def rich_json() -> dict[str, Any]:
    passkey_key = _pkcs8(ec.generate_private_key(ec.SECP256R1()))
    ssh_key = _pkcs8(ed25519.Ed25519PrivateKey.generate())
    login = {
        "id": _id(1),
        "creationAt": 1700000000,
        "modifiedAt": 1700000500,
        "title": "Example login",
        "subtitle": "work account",
        "favorite": True,
        "tags": ["work", "2fa"],
        "usageStats": {"lastUsed": 1700000900, "count": 7},
        "scope": {
            "urls": ["https://example.com/login", "https://accounts.example.com"],
            "androidApps": [
                {
                    "bundleId": "com.example.app",
                    "name": "Example",
                    "certificate": {"fingerprint": b64.encode(b"\x01" * 32), "hashAlg": "sha256"},
                }
            ],
        },
        "credentials": [
            {
                "type": "basic-auth",
                "username": _ef("alice@example.com"),
                "password": _ef(SECRET_CANARY, "concealed-string"),
            },
            {
                "type": "passkey",
                "credentialId": b64.encode(b"\x02" * 16),
                "rpId": "example.com",
                "username": "alice",
                "userDisplayName": "Alice Example",
                "userHandle": b64.encode(b"\x03" * 16),
                "key": passkey_key,
                "fido2Extensions": {
                    "hmacCredentials": {
                        "algorithm": "hmac-sha256",
                        "credWithUV": b64.encode(b"\x04" * 32),
                        "credWithoutUV": b64.encode(b"\x05" * 32),
                    },
                    "credBlob": b64.encode(b"blob"),
                },
            },
            {
                "type": "totp",
                "secret": "JBSWY3DPEHPK3PXP",
                "period": 30,
                "digits": 6,
                "algorithm": "sha1",
                "issuer": "Example",
                "username": "alice",
            },
            {"type": "note", "content": _ef("a note on the login")},
            {
                "type": "custom-fields",
                "fields": [
                    _ef("blue", label="favourite colour"),
                    _ef("1234", "concealed-string", label="door code"),
                ],
            },
            {
                "type": "file",
                "id": b64.encode(b"file-1"),
                "name": "readme.txt",
                "decryptedSize": len(ATTACHMENT),
                "integrityHash": b64.encode(hashlib.sha256(ATTACHMENT).digest()),
            },
            {"type": "com.example.loyalty-card", "memberNumber": "55-1234", "tier": "gold"},
        ],
    }
    card = {
        "id": _id(2),
        "title": "Example card",
        "credentials": [
            {
                "type": "credit-card",
                "number": _ef("4111111111111111", "concealed-string"),
                "fullName": _ef("Alice Example"),
                "cardType": _ef("Visa"),
                "verificationNumber": _ef("123", "concealed-string"),
                "pin": _ef("9876", "concealed-string"),
                "expiryDate": _ef("2031-04", "year-month"),
                "validFrom": _ef("2026-04", "year-month"),
            }
        ],
    }
    identity = {
        "id": _id(3),
        "title": "Example identity",
        "credentials": [
            {
                "type": "person-name",
                "given": _ef("Alice"),
                "surname": _ef("Example"),
                "generation": _ef("Jr."),
            },
            {
                "type": "address",
                "streetAddress": _ef("1 Example Street"),
                "city": _ef("Exampleton"),
                "postalCode": _ef("12345"),
                "country": _ef("DE", "country-code"),
            },
            {
                "type": "passport",
                "passportNumber": _ef("P1234567"),
                "issuingCountry": _ef("DE", "country-code"),
            },
        ],
    }
    ssh = {
        "id": _id(4),
        "title": "Example SSH key",
        "credentials": [
            {
                "type": "ssh-key",
                "keyType": "ssh-ed25519",
                "privateKey": ssh_key,
                "keyComment": "alice@laptop",
                "creationDate": _ef("2024-01-02", "date"),
            }
        ],
    }
    wifi = {
        "id": _id(5),
        "title": "Home Wi-Fi",
        "credentials": [
            {
                "type": "wifi",
                "ssid": _ef("home"),
                "passphrase": _ef("wifi pass phrase", "concealed-string"),
                "networkSecurityType": _ef("wpa2-personal", "wifi-network-security-type"),
            }
        ],
    }
    note = {
        "id": _id(6),
        "title": "Plain note",
        "credentials": [{"type": "note", "content": _ef("just text")}],
    }
    return {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "example.com",
        "exporterDisplayName": "Example",
        "timestamp": 1700001000,
        "accounts": [
            {
                "id": _id(100),
                "username": "alice",
                "email": "alice@example.com",
                "fullName": "Alice Example",
                "extensions": [{"name": "com.example.account-info", "plan": "family"}],
                "collections": [
                    {
                        "id": _id(200),
                        "creationAt": 1700000100,
                        "modifiedAt": 1700000200,
                        "title": "Work",
                        "subtitle": "office things",
                        "items": [{"item": _id(1)}],
                        "subCollections": [
                            {"id": _id(201), "title": "Cards", "items": [{"item": _id(2)}]},
                        ],
                    },
                    {
                        "id": _id(202),
                        "title": "Home",
                        "items": [{"item": _id(5)}, {"item": _id(6)}],
                        "rank": 3,
                    },
                ],
                "items": [login, card, identity, ssh, wifi, note],
            }
        ],
    }


def rich_document() -> cxf.Document:
    return cxf.decode(json.dumps(rich_json()).encode())


def attachments() -> dict[str, bytes]:
    return {b64.encode(b"file-1"): ATTACHMENT}
