"""Regenerate the built-in sample vault ``src/cxkit/samples/sample-vault.cxf.json``.

    uv run python scripts/make_sample.py [--check]

Deterministic: keys are derived from fixed numbers, timestamps are fixed. Everything in it is
made up for demonstrations and tests (the passkeys are real keys of fake sites under
``.example``). ``--check`` fails if the committed file differs from what this script makes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

OUT = Path(__file__).resolve().parent.parent / "src" / "cxkit" / "samples" / "sample-vault.cxf.json"
ATTACHMENT = b"cxkit sample attachment: recovery codes for example.com\n1111-2222\n3333-4444\n"
T0 = 1_760_000_000


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ident(label: str) -> str:
    return b64u(hashlib.sha256(b"cxkit-sample/" + label.encode()).digest()[:16])


def pkcs8(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> str:
    return b64u(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def ef(value: str, field_type: str = "string", **extra: str) -> dict[str, str]:
    return {"fieldType": field_type, "value": value, **extra}


def build() -> dict[str, object]:
    p256 = ec.derive_private_key(0x5EED_0001_C0FFEE_0001, ec.SECP256R1())
    ed = ed25519.Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"cxkit-sample/ed25519").digest()
    )
    ssh = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"cxkit-sample/ssh").digest())
    items = [
        {
            "id": ident("forge"),
            "creationAt": T0,
            "modifiedAt": T0 + 86400,
            "title": "Code Forge",
            "favorite": True,
            "scope": {"urls": ["https://forge.example/login"], "androidApps": []},
            "credentials": [
                {
                    "type": "basic-auth",
                    "username": ef("sam.sample"),
                    "password": ef("Sample-Pa55word!", "concealed-string"),
                },
                {
                    "type": "totp",
                    "secret": "JBSWY3DPEHPK3PXP",
                    "period": 30,
                    "digits": 6,
                    "algorithm": "sha1",
                    "username": "sam.sample",
                    "issuer": "Code Forge",
                },
                {
                    "type": "passkey",
                    "credentialId": b64u(hashlib.sha256(b"forge-credential").digest()),
                    "rpId": "forge.example",
                    "username": "sam.sample",
                    "userDisplayName": "Sam Sample",
                    "userHandle": b64u(b"user-0001-forge"),
                    "key": pkcs8(p256),
                },
            ],
            "tags": ["work"],
        },
        {
            "id": ident("mail"),
            "creationAt": T0,
            "modifiedAt": T0,
            "title": "Mail",
            "credentials": [
                {
                    "type": "passkey",
                    "credentialId": b64u(hashlib.sha256(b"mail-credential").digest()[:16]),
                    "rpId": "mail.example",
                    "username": "sam@mail.example",
                    "userDisplayName": "Sam",
                    "userHandle": b64u(b"user-0002-mail"),
                    "key": pkcs8(ed),
                }
            ],
        },
        {
            "id": ident("card"),
            "creationAt": T0,
            "modifiedAt": T0,
            "title": "Travel card",
            "credentials": [
                {
                    "type": "credit-card",
                    "number": ef("4111111111111111", "concealed-string"),
                    "fullName": ef("SAM SAMPLE"),
                    "cardType": ef("Visa"),
                    "verificationNumber": ef("123", "concealed-string"),
                    "expiryDate": ef("2030-08", "year-month"),
                }
            ],
        },
        {
            "id": ident("identity"),
            "creationAt": T0,
            "modifiedAt": T0,
            "title": "Sam Sample",
            "credentials": [
                {"type": "person-name", "given": ef("Sam"), "surname": ef("Sample")},
                {
                    "type": "address",
                    "streetAddress": ef("1 Example Street\nFlat 2"),
                    "postalCode": ef("12345"),
                    "city": ef("Exampleton"),
                    "territory": ef("US-CA", "subdivision-code"),
                    "country": ef("US", "country-code"),
                },
                {
                    "type": "passport",
                    "issuingCountry": ef("US", "country-code"),
                    "passportType": ef("P"),
                    "passportNumber": ef("X1234567"),
                    "fullName": ef("Sam Sample"),
                    "birthDate": ef("1990-02-28", "date"),
                    "expiryDate": ef("2033-02-27", "date"),
                },
            ],
        },
        {
            "id": ident("note"),
            "creationAt": T0,
            "modifiedAt": T0,
            "title": "Door codes",
            "credentials": [{"type": "note", "content": ef("Front door: 4711\nGarage: 0815")}],
        },
        {
            "id": ident("wifi"),
            "creationAt": T0,
            "modifiedAt": T0,
            "title": "Home Wi-Fi",
            "credentials": [
                {
                    "type": "wifi",
                    "ssid": ef("SampleNet"),
                    "networkSecurityType": ef("wpa3-personal", "wifi-network-security-type"),
                    "passphrase": ef("correct horse battery staple", "concealed-string"),
                    "hidden": ef("false", "boolean"),
                }
            ],
        },
        {
            "id": ident("server"),
            "creationAt": T0,
            "modifiedAt": T0,
            "title": "Build server",
            "credentials": [
                {
                    "type": "ssh-key",
                    "keyType": "ssh-ed25519",
                    "privateKey": pkcs8(ssh),
                    "keyComment": "sam@laptop",
                },
                {
                    "type": "api-key",
                    "key": ef("sk_sample_0123456789abcdef", "concealed-string"),
                    "keyType": ef("Bearer"),
                    "url": ef("https://api.forge.example"),
                },
                {
                    "type": "custom-fields",
                    "label": "Server details",
                    "fields": [
                        ef("build.forge.example", label="Host"),
                        ef("2222", "number", label="Port"),
                        ef("ops@forge.example", "email", label="Contact"),
                    ],
                },
                {
                    "type": "file",
                    "id": ident("file-1"),
                    "name": "recovery-codes.txt",
                    "decryptedSize": len(ATTACHMENT),
                    "integrityHash": b64u(hashlib.sha256(ATTACHMENT).digest()),
                },
            ],
        },
        {
            "id": ident("future"),
            "creationAt": T0,
            "modifiedAt": T0,
            "title": "Loyalty card (from a newer exporter)",
            "credentials": [
                {"type": "example.com/loyalty-card", "number": "LC-0001", "tier": "gold"}
            ],
            "exampleVendorColor": "teal",
        },
    ]
    return {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "sample.cxkit.example",
        "exporterDisplayName": "cxkit built-in sample",
        "timestamp": T0 + 172800,
        "accounts": [
            {
                "id": ident("account"),
                "username": "sam",
                "email": "sam@mail.example",
                "fullName": "Sam Sample",
                "collections": [
                    {
                        "id": ident("collection-work"),
                        "title": "Work",
                        "items": [{"item": ident("forge")}, {"item": ident("server")}],
                    }
                ],
                "items": items,
            }
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if the committed sample differs")
    args = parser.parse_args()
    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    attachment_path = OUT.with_name("sample-vault.file-1.bin")
    if args.check:
        ok = OUT.read_text() == text and attachment_path.read_bytes() == ATTACHMENT
        print("sample is up to date" if ok else "sample differs: run scripts/make_sample.py")
        return 0 if ok else 1
    OUT.write_text(text)
    attachment_path.write_bytes(ATTACHMENT)
    print(f"wrote {OUT} and {attachment_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
