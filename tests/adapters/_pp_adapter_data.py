"""A small Proton Pass export made up for the adapter tests: every item type, every identity
member, passkeys encoded as Proton Pass does (MessagePack ``{c, v}`` around a passkey-rs
``Passkey`` whose ``key`` is a COSE_Key with ``d``), a ZIP with attachments. Keys are derived
from fixed numbers; nothing here is real."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import msgspec
from _bw_adapter_data import PASSWORD_CANARY, TOTP_SECRET, ssh_ed25519
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cxkit.crypto.safezip import write_zip

ATTACHMENT = b"Proton attachment: recovery codes 1111-2222 3333-4444\n"
IDENTITY_MEMBERS = (
    "fullName", "email", "phoneNumber", "firstName", "middleName", "lastName", "birthdate",
    "gender", "organization", "streetAddress", "zipOrPostalCode", "city", "stateOrProvince",
    "countryOrRegion", "floor", "county", "socialSecurityNumber", "passportNumber",
    "licenseNumber", "website", "xHandle", "secondPhoneNumber", "linkedin", "reddit", "facebook",
    "yahoo", "instagram", "company", "jobTitle", "personalWebsite", "workPhoneNumber",
    "workEmail",
)  # fmt: skip


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def cose_p256(n: int, *, as_cbor: bool = False) -> Any:
    key = ec.derive_private_key(0xBEEF_0000 + n, ec.SECP256R1())
    nums = key.private_numbers()
    cose: dict[int, Any] = {
        1: 2,
        3: -7,
        -1: 1,
        -2: nums.public_numbers.x.to_bytes(32, "big"),
        -3: nums.public_numbers.y.to_bytes(32, "big"),
        -4: nums.private_value.to_bytes(32, "big"),
    }
    if as_cbor:
        from fido2 import cbor

        return cbor.encode(cose)
    return cose


def cose_ed25519(n: int) -> dict[int, Any]:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"pp-ed-%d" % n).digest())
    x = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {1: 1, 3: -8, -1: 6, -2: x, -4: hashlib.sha256(b"pp-ed-%d" % n).digest()}


def passkey(n: int, rp: str, cose: Any, *, counter: int = 0) -> dict[str, Any]:
    cid = hashlib.sha256(f"pp-cred-{n}".encode()).digest()[:16]
    handle = f"pp-user-{n}".encode()
    inner = {
        "key": cose,
        "cid": cid,
        "rid": rp,
        "uhd": handle,
        "cnt": counter,
        "ext": {},
        "udn": f"PP User {n}",
        "un": f"pp{n}@{rp}",
    }
    content = msgspec.msgpack.encode({"c": msgspec.msgpack.encode(inner), "v": 1})
    return {
        "keyId": f"key-{n}",
        "content": b64(content),
        "domain": rp,
        "rpId": rp,
        "rpName": rp.upper(),
        "userName": f"pp{n}@{rp}",
        "userDisplayName": f"PP User {n}",
        "userId": b64(handle),
        "createTime": 1700000000 + n,
        "note": f"created on my phone {n}",
        "credentialId": b64(cid),
        "userHandle": b64(handle),
        "creationData": {
            "osName": "Android",
            "osVersion": "14",
            "deviceName": "Pixel",
            "appVersion": "1.20",
        },
    }


def _item(name: str, kind: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "itemId": b64(hashlib.sha256(f"item-{name}".encode()).digest() * 2),
        "shareId": "SHARE_A",
        "data": {
            "metadata": {"name": name, "note": f"note of {name}", "itemUuid": name[:8]},
            "extraFields": [],
            "type": kind,
            "content": content,
        },
        "state": 1,
        "aliasEmail": None,
        "contentFormatVersion": 6,
        "createTime": 1700000000,
        "modifyTime": 1700000100,
        "pinned": False,
    }
    item.update(extra)
    return item


def _fields(prefix: str) -> list[dict[str, Any]]:
    return [
        {"fieldName": f"{prefix} text", "type": "text", "data": {"content": f"{prefix} value"}},
        {"fieldName": f"{prefix} hidden", "type": "hidden", "data": {"content": "hush"}},
    ]


def export() -> dict[str, Any]:
    private, public, fp = ssh_ed25519()
    login = _item(
        "Forge",
        "login",
        {
            "itemEmail": "sam@mail.example",
            "itemUsername": "sam",
            "password": PASSWORD_CANARY,
            "urls": ["https://forge.example/login", "https://git.forge.example"],
            "totpUri": f"otpauth://totp/Forge:sam?secret={TOTP_SECRET}&issuer=Forge",
            "passkeys": [
                passkey(1, "forge.example", cose_p256(1)),
                passkey(2, "git.forge.example", cose_p256(2, as_cbor=True), counter=5),
                passkey(3, "forge.example", cose_ed25519(3)),
            ],
        },
        pinned=True,
        files=[{"fileID": "FILE1", "fileName": "codes.txt", "mimeType": "text/plain"}],
    )
    login["data"]["extraFields"] = [
        *_fields("login"),
        {"fieldName": "second 2fa", "type": "totp", "data": {"totpUri": "JBSWY3DPEHPK3PXQ"}},
        {"fieldName": "bad 2fa", "type": "totp", "data": {"totpUri": "not base32!"}},
    ]
    login["data"]["platformSpecific"] = {
        "android": {
            "allowedApps": [
                {"packageName": "example.forge", "hashes": ["AB:CD"], "appName": "Forge"}
            ]
        }
    }
    bare = _item(
        "Bare",
        "login",
        {"itemEmail": "only@mail.example", "itemUsername": "", "password": "pw", "urls": [],
         "totpUri": TOTP_SECRET, "passkeys": []},
    )  # fmt: skip
    identity = _item(
        "Me",
        "identity",
        {k: f"{k}-value" for k in IDENTITY_MEMBERS}
        | {
            "countryOrRegion": "US",
            "extraPersonalDetails": _fields("personal"),
            "extraAddressDetails": _fields("address"),
            "extraContactDetails": _fields("contact"),
            "extraWorkDetails": _fields("work"),
            "extraSections": [{"sectionName": "Club", "sectionFields": _fields("club")}],
        },
    )
    items = [
        login,
        bare,
        _item("Alias", "alias", {}, aliasEmail="shop.x1@passmail.example"),
        _item("Plain note", "note", {}),
        _item(
            "Card",
            "creditCard",
            {
                "cardholderName": "Sam Doe",
                "cardType": 2,
                "number": "4111111111111111",
                "verificationNumber": "123",
                "expirationDate": "2031-03",
                "pin": "9876",
            },
        ),
        identity,
        _item(
            "Laptop key",
            "sshKey",
            {
                "privateKey": private,
                "publicKey": public,
                "fingerprint": fp,
                "sections": [{"sectionName": "Host", "sectionFields": _fields("host")}],
            },
        ),
        _item(
            "Home wifi",
            "wifi",
            {"ssid": "home", "password": "wifi-" + PASSWORD_CANARY, "security": 2, "sections": []},
        ),
        _item(
            "Locker",
            "custom",
            {"sections": [{"sectionName": "Combination", "sectionFields": _fields("locker")}]},
        ),
        _item("Old", "note", {}, state=2),
    ]
    second = _item("Other vault login", "login", {"itemEmail": "x@y.example", "password": "p",
                   "urls": ["https://y.example"], "totpUri": "", "passkeys": [],
                   "itemUsername": ""}, shareId="SHARE_B")  # fmt: skip
    return {
        "version": "1.30.0",
        "userId": "USER",
        "encrypted": False,
        "vaults": {
            "SHARE_A": {
                "name": "Personal",
                "description": "Personal vault",
                "display": {"color": 0, "icon": 0},
                "items": items,
            },
            "SHARE_B": {
                "name": "Work",
                "description": "",
                "display": {"color": 3, "icon": 1},
                "items": [second],
            },
        },
    }


def zip_export(data: dict[str, Any] | None = None) -> bytes:
    obj = copy.deepcopy(data) if data is not None else export()
    payload = msgspec.json.encode(obj)
    return write_zip(
        [
            ("Proton Pass/data.json", payload),
            ("Proton Pass/files/FILE1/codes.txt", ATTACHMENT),
        ]
    )
