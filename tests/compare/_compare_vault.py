"""A small vault for the diff/merge tests: logins with TOTP, a passkey, notes, a card, custom
fields, tags, folders and an attachment. Built here (never copied from ../shared); every secret
holds a canary so that tests can prove no value reaches any output."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cxkit import cxf
from cxkit.cxf import b64

CANARY = "Canary7"
PASSWORDS = [f"{CANARY}-pw-{n}" for n in range(4)]
TOTP_SECRETS = ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"]
NOTE = f"{CANARY} the door code is 4711"
CARD = "4111111111111111"
CUSTOM = f"{CANARY}-recovery"
ATTACHMENT = b"attachment bytes\n"


def ident(n: int | str) -> str:
    return b64.encode(hashlib.sha256(f"cmp-{n}".encode()).digest()[:16])


def passkey_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return b64.encode(der)


def ef(value: str, field_type: str = "string", label: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"fieldType": field_type, "value": value}
    if label is not None:
        out["label"] = label
    return out


def login(
    n: int, title: str, url: str, user: str, password: str, *extra: dict[str, Any], **members: Any
) -> dict[str, Any]:
    return {
        "id": ident(n),
        "title": title,
        "scope": {"urls": [url], "androidApps": []},
        "credentials": [
            {
                "type": "basic-auth",
                "username": ef(user),
                "password": ef(password, "concealed-string"),
            },
            *extra,
        ],
        **members,
    }


def totp(secret: str, issuer: str | None = None, user: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "totp", "secret": secret, "period": 30, "digits": 6,
                           "algorithm": "sha1"}  # fmt: skip
    if issuer:
        out["issuer"] = issuer
    if user:
        out["username"] = user
    return out


def passkey(rp: str, user: str, key: str, n: int = 1) -> dict[str, Any]:
    return {
        "type": "passkey",
        "credentialId": b64.encode(bytes([n]) * 16),
        "rpId": rp,
        "username": user,
        "userDisplayName": user,
        "userHandle": b64.encode(bytes([n + 1]) * 16),
        "key": key,
    }


def vault_json(key: str | None = None) -> dict[str, Any]:
    key = key or passkey_key()
    digest = b64.encode(hashlib.sha256(ATTACHMENT).digest())
    items = [
        login(
            1,
            "Forge",
            "https://forge.example/login",
            "alice",
            PASSWORDS[0],
            totp(TOTP_SECRETS[0], "Forge", "alice"),
            {"type": "custom-fields", "fields": [ef(CUSTOM, "concealed-string", "Recovery")]},
            {"type": "note", "content": ef(NOTE)},
            {
                "type": "file",
                "id": ident("file"),
                "name": "codes.txt",
                "decryptedSize": len(ATTACHMENT),
                "integrityHash": digest,
            },
            tags=["work"],
        ),
        login(
            2,
            "Mail",
            "https://mail.example",
            "bob@mail.example",
            PASSWORDS[1],
            passkey("mail.example", "bob@mail.example", key),
        ),
        login(3, "Shop", "https://shop.example", "carol", PASSWORDS[2]),
        {
            "id": ident(4),
            "title": "Door codes",
            "credentials": [{"type": "note", "content": ef(NOTE + " 2")}],
        },
        {
            "id": ident(5),
            "title": "Visa",
            "credentials": [
                {
                    "type": "credit-card",
                    "number": ef(CARD, "concealed-string"),
                    "fullName": ef("Carol Card"),
                }
            ],
        },
        {
            "id": ident(6),
            "title": "Authenticator only",
            "credentials": [totp(TOTP_SECRETS[1], "Other", "dave")],
        },
    ]
    return {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "cxkit.test",
        "exporterDisplayName": "cxkit tests",
        "timestamp": 1700000000,
        "accounts": [
            {
                "id": ident("account"),
                "username": "",
                "email": "",
                "collections": [
                    {"id": ident("c1"), "title": "Work", "items": [{"item": ident(1)}]}
                ],
                "items": items,
            }
        ],
    }


def vault(key: str | None = None) -> cxf.Document:
    return cxf.decode(json.dumps(vault_json(key)))


def secrets() -> list[str]:
    """Every secret value of the vault (none may appear in any output)."""
    return [*PASSWORDS[:3], *TOTP_SECRETS, NOTE, CARD, CUSTOM, CANARY]
