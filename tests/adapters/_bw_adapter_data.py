"""A small Bitwarden JSON export made up for the adapter tests (every cipher type, every field
kind, several passkeys per item). Keys are derived from fixed numbers; nothing here is real."""

from __future__ import annotations

import base64
import copy
import hashlib
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

PASSWORD_CANARY = "Canary-Pa55word-7f3a"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uuid(label: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(label.encode()).digest()[:16]))


def p256_pkcs8(n: int) -> str:
    key = ec.derive_private_key(0xC0FFEE_0000 + n, ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return b64u(der)


def ssh_ed25519() -> tuple[str, str, str]:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bw-test-ssh").digest())
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    blob = base64.b64decode(public.split(b" ")[1])
    fp = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return private, public.decode() + " me@laptop", fp


def passkey(n: int, rp: str, *, b64_form: bool = False, counter: str = "0") -> dict[str, Any]:
    raw = hashlib.sha256(f"cred-{n}".encode()).digest()[:16]
    return {
        "credentialId": ("b64." + b64u(raw)) if b64_form else str(uuid.UUID(bytes=raw)),
        "keyType": "public-key",
        "keyAlgorithm": "ECDSA",
        "keyCurve": "P-256",
        "keyValue": p256_pkcs8(n),
        "rpId": rp,
        "userHandle": b64u(f"user-{n}".encode()),
        "userName": f"user{n}@{rp}",
        "counter": counter,
        "rpName": rp.title(),
        "userDisplayName": f"User {n}",
        "discoverable": "true",
        "creationDate": "2025-01-02T03:04:05.678Z",
    }


def _base(name: str, btype: int, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "passwordHistory": None,
        "revisionDate": "2025-02-03T04:05:06.789Z",
        "creationDate": "2024-12-31T23:59:59.001Z",
        "deletedDate": None,
        "id": _uuid(name),
        "organizationId": None,
        "folderId": None,
        "type": btype,
        "reprompt": 0,
        "name": name,
        "notes": None,
        "favorite": False,
        "fields": [],
        "collectionIds": None,
    }
    item.update(extra)
    return item


def personal_export() -> dict[str, Any]:
    private, public, fp = ssh_ed25519()
    folder = _uuid("folder-work")
    items = [
        _base(
            "Code Forge",
            1,
            folderId=folder,
            favorite=True,
            reprompt=1,
            notes="recovery codes\nline two",
            fields=[
                {"name": "PIN", "value": "1234", "type": 1, "linkedId": None},
                {"name": "region", "value": "eu-west", "type": 0, "linkedId": None},
                {"name": "trusted", "value": "true", "type": 2, "linkedId": None},
                {"name": "user alias", "value": None, "type": 3, "linkedId": 100},
            ],
            passwordHistory=[
                {"lastUsedDate": "2024-06-01T10:00:00.000Z", "password": "old-" + PASSWORD_CANARY}
            ],
            login={
                "uris": [
                    {"match": None, "uri": "https://forge.example/login"},
                    {"match": 3, "uri": "https://git.forge.example"},
                    {"match": None, "uri": "androidapp://example.forge"},
                ],
                "username": "sam",
                "password": PASSWORD_CANARY,
                "totp": f"otpauth://totp/Forge:sam?secret={TOTP_SECRET}&issuer=Forge&algorithm=SHA256&digits=8&period=60",
                "fido2Credentials": [
                    passkey(1, "forge.example"),
                    passkey(2, "forge.example", b64_form=True),
                    passkey(3, "git.forge.example", counter="7"),
                ],
            },
        ),
        _base("Bare TOTP", 1, login={"username": None, "password": None, "totp": TOTP_SECRET}),
        _base(
            "Steam", 1, login={"username": "gamer", "password": "pw", "totp": "steam://ABCDEFGH"}
        ),
        _base("Odd TOTP", 1, login={"username": "x", "password": "", "totp": "ABC"}),
        _base("Wifi notes", 2, notes="SSID home\npassphrase somewhere", secureNote={"type": 0}),
        _base(
            "Visa",
            3,
            card={
                "cardholderName": "Sam Doe",
                "brand": "Visa",
                "number": "4111111111111111",
                "expMonth": "3",
                "expYear": "2031",
                "code": "123",
            },
        ),
        _base(
            "Me",
            4,
            identity={
                "title": "Dr",
                "firstName": "Sam",
                "middleName": "Q",
                "lastName": "Doe",
                "address1": "1 Main St",
                "address2": None,
                "address3": "Flat 2",
                "city": "Springfield",
                "state": "IL",
                "postalCode": "62701",
                "country": "US",
                "company": "ACME",
                "email": "sam@mail.example",
                "phone": "+1 555 0100",
                "ssn": "000-00-0000",
                "username": "samd",
                "passportNumber": "P1234567",
                "licenseNumber": "D7654321",
            },
        ),
        _base(
            "Laptop key",
            5,
            sshKey={"privateKey": private, "publicKey": public, "keyFingerprint": fp},
        ),
    ]
    return {
        "encrypted": False,
        "folders": [{"id": folder, "name": "Work/Git"}],
        "items": items,
    }


def organisation_export() -> dict[str, Any]:
    data = personal_export()
    org = _uuid("org")
    coll = [
        {"id": _uuid("c1"), "organizationId": org, "name": "Shared", "externalId": None},
        {"id": _uuid("c2"), "organizationId": org, "name": "Ops", "externalId": "ext-2"},
    ]
    items = copy.deepcopy(data["items"][:3])
    for i, item in enumerate(items):
        item["folderId"] = None
        item["organizationId"] = org
        item["collectionIds"] = [coll[0]["id"]] + ([coll[1]["id"]] if i == 0 else [])
    return {"encrypted": False, "collections": coll, "items": items}
