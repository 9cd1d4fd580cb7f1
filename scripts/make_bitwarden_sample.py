"""Regenerate the built-in Bitwarden sample export ``src/cxkit/samples/sample-bitwarden.json``.

    uv run python scripts/make_bitwarden_sample.py [--check]

What ``cxkit demo`` migrates to CXF: a plain (unencrypted) personal Bitwarden JSON export in the
shape Bitwarden writes (every member present, ``null`` where unset) with a login holding a
password, a TOTP, a passkey and custom fields, a passkey-only login, a card, an identity and a
secure note, two of them in a folder. Deterministic: keys are derived from fixed numbers, ids
from fixed labels, timestamps are fixed. Everything in it is made up (the passkeys are real
P-256 keys of fake sites under ``.example``). ``--check`` fails if the committed file differs
from what this script makes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

OUT = Path(__file__).resolve().parent.parent / "src" / "cxkit" / "samples" / "sample-bitwarden.json"
CREATED = "2025-10-09T08:26:40.000Z"
REVISED = "2025-10-10T08:26:40.000Z"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ident(label: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(b"cxkit-bw-sample/" + label.encode()).digest()[:16]))


def p256_pkcs8(seed: int) -> str:
    key = ec.derive_private_key(seed, ec.SECP256R1())
    return b64u(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def passkey(label: str, seed: int, rp_id: str, user: str, display: str) -> dict[str, Any]:
    return {
        "credentialId": ident(f"credential-{label}"),
        "keyType": "public-key",
        "keyAlgorithm": "ECDSA",
        "keyCurve": "P-256",
        "keyValue": p256_pkcs8(seed),
        "rpId": rp_id,
        "userHandle": b64u(f"user-{label}".encode()),
        "userName": user,
        "counter": "0",
        "rpName": rp_id.split(".")[0].title(),
        "userDisplayName": display,
        "discoverable": "true",
        "creationDate": CREATED,
    }


def item(label: str, name: str, btype: int, folder: str | None = None) -> dict[str, Any]:
    return {
        "passwordHistory": None,
        "revisionDate": REVISED,
        "creationDate": CREATED,
        "deletedDate": None,
        "id": ident(label),
        "organizationId": None,
        "folderId": folder,
        "type": btype,
        "reprompt": 0,
        "name": name,
        "notes": None,
        "favorite": False,
        "fields": None,
        "collectionIds": None,
    }


def build() -> dict[str, Any]:
    work = ident("folder-work")
    forge = item("forge", "Code Forge", 1, work)
    forge["favorite"] = True
    forge["login"] = {
        "fido2Credentials": [
            passkey("forge", 0x5EED_B17_0001, "forge.example", "sam.sample", "Sam Sample")
        ],
        "uris": [{"match": None, "uri": "https://forge.example/login"}],
        "username": "sam.sample",
        "password": "Sample-Pa55word!",
        "totp": "otpauth://totp/Code%20Forge:sam.sample?secret=JBSWY3DPEHPK3PXP&issuer=Code%20Forge",
    }
    forge["fields"] = [
        {"name": "Recovery e-mail", "value": "sam@mail.example", "type": 0, "linkedId": None},
        {"name": "Deploy token", "value": "sample-token-0001", "type": 1, "linkedId": None},
    ]
    shop = item("shop", "Shop (passkey only)", 1)
    shop["login"] = {
        "fido2Credentials": [
            passkey("shop", 0x5EED_B17_0002, "shop.example", "sam@mail.example", "Sam")
        ],
        "uris": [{"match": None, "uri": "https://shop.example/"}],
        "username": "sam@mail.example",
        "password": None,
        "totp": None,
    }
    card = item("card", "Travel card", 3)
    card["card"] = {
        "cardholderName": "Sam Sample",
        "brand": "Visa",
        "number": "4111111111111111",
        "expMonth": "8",
        "expYear": "2030",
        "code": "123",
    }
    person = item("identity", "Sam Sample", 4, work)
    person["identity"] = {
        "title": "Mx",
        "firstName": "Sam",
        "middleName": None,
        "lastName": "Sample",
        "address1": "1 Example Street",
        "address2": "Flat 2",
        "address3": None,
        "city": "Exampleton",
        "state": "CA",
        "postalCode": "12345",
        "country": "US",
        "company": "Example Ltd",
        "email": "sam@mail.example",
        "phone": "+1 555 0100",
        "ssn": None,
        "username": "sam",
        "passportNumber": "X1234567",
        "licenseNumber": None,
    }
    note = item("note", "Wi-Fi at home", 2)
    note["notes"] = "Network: Example-Home\nAsk Sam for the guest password."
    note["secureNote"] = {"type": 0}
    return {
        "encrypted": False,
        "folders": [{"id": work, "name": "Work"}],
        "items": [forge, shop, card, person, note],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if the committed sample differs")
    args = parser.parse_args()
    text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
    if args.check:
        ok = OUT.exists() and OUT.read_text() == text
        print(
            "Bitwarden sample is up to date"
            if ok
            else "Bitwarden sample differs: run scripts/make_bitwarden_sample.py"
        )
        return 0 if ok else 1
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
