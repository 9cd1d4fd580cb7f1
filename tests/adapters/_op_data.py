"""Synthetic 1Password exports for the tests, written from ``../shared/formats/onepassword.md``
(no public 1PUX or 1PIF sample exists there): every category and field kind the notes list."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

PIF_MARKER = "***5642bee8-a5ff-11dc-8314-0800200c9a66***"
SECRET_TOTP = "JBSWY3DPEHPK3PXP"
ATTACHMENT = b"%PDF-1.4 synthetic attachment\n"
DOCUMENT = b"scan of a passport page"


def ssh_private_key() -> str:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()


def _field(fid: str, title: str, kind: str, value: Any) -> dict[str, Any]:
    return {
        "title": title,
        "id": fid,
        "value": {kind: value},
        "guarded": False,
        "multiline": False,
        "dontGenerate": False,
        "inputTraits": {
            "keyboard": "default",
            "correction": "default",
            "capitalization": "default",
        },
    }


def _item(
    uuid: str, category: str, title: str, details: dict[str, Any], **over: Any
) -> dict[str, Any]:
    item = {
        "uuid": uuid,
        "favIndex": 0,
        "createdAt": 1700000000,
        "updatedAt": 1700000500,
        "state": "active",
        "categoryUuid": category,
        "details": details,
        "overview": {
            "subtitle": "",
            "title": title,
            "url": "",
            "ps": 0,
            "pbe": 0.0,
            "pgrng": False,
        },
    }
    for k, v in over.items():
        if k == "overview":
            item["overview"].update(v)
        else:
            item[k] = v
    return item


def _section(title: str, fields: list[dict[str, Any]], name: str = "") -> dict[str, Any]:
    return {"title": title, "name": name or title.lower().replace(" ", "_"), "fields": fields}


def items() -> list[dict[str, Any]]:
    """One item per category (and every field kind of the notes)."""
    login = _item(
        "login1",
        "001",
        "Example login",
        {
            "loginFields": [
                {
                    "value": "alice",
                    "id": "",
                    "name": "username",
                    "fieldType": "T",
                    "designation": "username",
                },
                {
                    "value": "correct-horse-battery",
                    "id": "",
                    "name": "password",
                    "fieldType": "P",
                    "designation": "password",
                },
                {
                    "value": "PIN-4821-extra",
                    "id": "",
                    "name": "pin",
                    "fieldType": "P",
                    "designation": "",
                },
                {"value": "✓", "id": "", "name": "remember", "fieldType": "C", "designation": ""},
            ],
            "notesPlain": "login notes\nsecond line",
            "sections": [
                _section(
                    "Security",
                    [
                        _field(
                            "otp1",
                            "one-time password",
                            "totp",
                            f"otpauth://totp/Example:alice?secret={SECRET_TOTP}&issuer=Example",
                        ),
                        _field("q1", "security question", "string", "first pet"),
                        _field("a1", "answer", "concealed", "Rex-the-dog-99"),
                        _field(
                            "mail",
                            "recovery email",
                            "email",
                            {"email_address": "alice@example.org", "provider": None},
                        ),
                        _field("ph", "phone", "phone", "+1 555 0100"),
                        _field("site", "backup site", "url", "https://backup.example.org"),
                        _field("dob", "since", "date", 1262304000),
                        _field("m", "plan", "menu", "premium"),
                        _field("ref", "linked item", "reference", "card1"),
                        _field(
                            "att",
                            "",
                            "file",
                            {
                                "fileName": "recovery.pdf",
                                "documentId": "doc-att-1",
                                "decryptedSize": len(ATTACHMENT),
                            },
                        ),
                    ],
                ),
            ],
            "passwordHistory": [{"value": "old-password-1234", "time": 1690000000}],
            "passkey": {"credentialId": "cred-abc", "rpId": "example.com", "userHandle": "dXNlcg"},
        },
        favIndex=1,
        overview={
            "url": "https://example.com/login",
            "urls": [
                {"label": "", "url": "https://example.com/login"},
                {"label": "alt", "url": "https://www.example.net"},
            ],
            "tags": ["work", "web/important"],
            "subtitle": "alice",
        },
    )
    card = _item(
        "card1",
        "002",
        "Visa card",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("cardholder", "cardholder name", "string", "Alice Liddell"),
                        _field("type", "type", "creditCardType", "visa"),
                        _field("ccnum", "number", "creditCardNumber", "4111111111111111"),
                        _field("cvv", "verification number", "concealed", "737"),
                        _field("expiry", "expiry date", "monthYear", 202812),
                        _field("validFrom", "valid from", "monthYear", 202212),
                        _field("bank", "issuing bank", "string", "Example Bank"),
                        _field("pin", "PIN", "concealed", "9931"),
                    ],
                    name="",
                )
            ]
        },
    )
    note = _item("note1", "003", "A secure note", {"notesPlain": "the secret note text"})
    identity = _item(
        "ident1",
        "004",
        "Identity",
        {
            "sections": [
                _section(
                    "Identification",
                    [
                        _field("firstname", "first name", "string", "Alice"),
                        _field("initial", "initial", "string", "P"),
                        _field("lastname", "last name", "string", "Liddell"),
                        _field("sex", "sex", "gender", "female"),
                        _field("birthdate", "birth date", "date", 631152000),
                        _field("occupation", "occupation", "string", "Engineer"),
                    ],
                    name="name",
                ),
                _section(
                    "Address",
                    [
                        _field(
                            "address",
                            "address",
                            "address",
                            {
                                "street": "1 Main St",
                                "city": "Springfield",
                                "country": "us",
                                "zip": "12345",
                                "state": "Illinois",
                            },
                        ),
                        _field("defphone", "default phone", "phone", "+1 555 0101"),
                    ],
                    name="address",
                ),
            ]
        },
    )
    password = _item(
        "pw1", "005", "Bare password", {"password": "standalone-secret-77", "notesPlain": ""}
    )
    document = _item(
        "docitem",
        "006",
        "Passport scan",
        {
            "documentAttributes": {
                "fileName": "scan.png",
                "documentId": "doc-main-1",
                "decryptedSize": len(DOCUMENT),
            }
        },
    )
    software = _item(
        "sw1",
        "100",
        "Editor licence",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("product_version", "version", "string", "5.1"),
                        _field("reg_code", "license key", "concealed", "LIC-KEY-123456"),
                        _field(
                            "reg_email",
                            "registered email",
                            "email",
                            {"email_address": "alice@example.org", "provider": None},
                        ),
                    ],
                )
            ]
        },
    )
    bank = _item(
        "bank1",
        "101",
        "Bank account",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("bankName", "bank name", "string", "Example Bank"),
                        _field("accountNo", "account number", "string", "00012345678"),
                        _field("routingNo", "routing number", "string", "021000021"),
                        _field("iban", "IBAN", "string", "DE89370400440532013000"),
                        _field("telephonePin", "PIN", "concealed", "bank-pin-4455"),
                    ],
                )
            ]
        },
    )
    database = _item(
        "db1",
        "102",
        "Database",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("database_type", "type", "menu", "postgresql"),
                        _field("hostname", "server", "string", "db.example.com"),
                        _field("port", "port", "string", "5432"),
                        _field("username", "username", "string", "dbadmin"),
                        _field("password", "password", "concealed", "db-secret-pass-1"),
                    ],
                )
            ]
        },
    )
    licence = _item(
        "dl1",
        "103",
        "Driver licence",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("fullname", "full name", "string", "Alice Liddell"),
                        _field("number", "number", "string", "D1234567"),
                        _field("class", "license class", "string", "B"),
                        _field("country", "country", "string", "gb"),
                        _field("expiry_date", "expiry date", "monthYear", 203001),
                        _field("birthdate", "date of birth", "date", 631152000),
                        _field("height", "height", "string", "170 cm"),
                    ],
                )
            ]
        },
    )
    passport = _item(
        "pp1",
        "106",
        "Passport",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("type", "type", "string", "P"),
                        _field("issuing_country", "issuing country", "string", "gb"),
                        _field("number", "number", "string", "123456789"),
                        _field("fullname", "full name", "string", "Alice Liddell"),
                        _field("nationality", "nationality", "string", "British"),
                        _field("birthdate", "date of birth", "date", 631152000),
                        _field("issue_date", "issued on", "date", 1577836800),
                        _field("expiry_date", "expiry date", "date", 1893456000),
                    ],
                )
            ]
        },
    )
    ssn = _item(
        "ssn1",
        "108",
        "SSN",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("name", "name", "string", "Alice Liddell"),
                        _field("number", "number", "concealed", "078-05-1120"),
                    ],
                )
            ]
        },
    )
    wifi = _item(
        "wifi1",
        "109",
        "Home Wi-Fi",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("name", "base station name", "string", "router"),
                        _field(
                            "password", "base station password", "concealed", "router-admin-pass"
                        ),
                        _field("network_name", "network name", "string", "HomeNet"),
                        _field("wireless_security", "wireless security", "menu", "wpa2p"),
                        _field(
                            "wireless_password",
                            "wireless network password",
                            "concealed",
                            "wifi-pass-phrase-9",
                        ),
                    ],
                )
            ]
        },
    )
    server = _item(
        "srv1",
        "110",
        "Server",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("url", "URL", "string", "https://admin.example.com"),
                        _field("username", "username", "string", "root"),
                        _field("password", "password", "concealed", "server-root-pass-1"),
                    ],
                )
            ]
        },
    )
    api = _item(
        "api1",
        "112",
        "API token",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field("username", "username", "string", "svc"),
                        _field("credential", "credential", "concealed", "api-token-abcdef123456"),
                        _field("type", "type", "menu", "bearer"),
                        _field("hostname", "hostname", "string", "api.example.com"),
                        _field("expires", "expires", "date", 1893456000),
                    ],
                )
            ]
        },
    )
    ssh = _item(
        "ssh1",
        "114",
        "SSH key",
        {
            "sections": [
                _section(
                    "",
                    [
                        _field(
                            "private_key",
                            "private key",
                            "sshKey",
                            {
                                "privateKey": ssh_private_key(),
                                "metadata": {
                                    "publicKey": "ssh-ed25519 AAAA comment@host",
                                    "fingerprint": "SHA256:x",
                                    "keyType": "ed25519",
                                },
                            },
                        ),
                    ],
                )
            ]
        },
    )
    archived = _item(
        "arch1",
        "001",
        "Old archived login",
        {
            "loginFields": [
                {
                    "value": "bob",
                    "id": "",
                    "name": "username",
                    "fieldType": "T",
                    "designation": "username",
                },
                {
                    "value": "archived-pass-999",
                    "id": "",
                    "name": "password",
                    "fieldType": "P",
                    "designation": "password",
                },
            ]
        },
        state="archived",
    )
    return [
        login,
        card,
        note,
        identity,
        password,
        document,
        software,
        bank,
        database,
        licence,
        passport,
        ssn,
        wifi,
        server,
        api,
        ssh,
        archived,
    ]


def export_data(*, accounts: int = 1) -> dict[str, Any]:
    all_items = items()
    account_list = []
    for n in range(accounts):
        vaults = [
            {
                "attrs": {
                    "uuid": f"v{n}a",
                    "desc": "",
                    "avatar": "",
                    "name": "Personal",
                    "type": "P",
                },
                "items": all_items if n == 0 else all_items[:2],
            },
            {
                "attrs": {
                    "uuid": f"v{n}b",
                    "desc": "shared",
                    "avatar": "",
                    "name": "Shared",
                    "type": "U",
                },
                "items": [],
            },
        ]
        account_list.append(
            {
                "attrs": {
                    "accountName": f"Account {n + 1}",
                    "name": "Alice",
                    "avatar": "",
                    "email": "alice@example.org",
                    "uuid": f"acc{n}",
                    "domain": "https://my.1password.com/",
                },
                "vaults": vaults,
            }
        )
    return {"accounts": account_list}


def onepux(data: dict[str, Any] | None = None, *, files: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "export.attributes",
            json.dumps(
                {
                    "version": 3,
                    "description": "1Password Unencrypted Export",
                    "timestamp": 1700001000,
                }
            ),
        )
        z.writestr("export.data", json.dumps(data if data is not None else export_data()))
        if files:
            z.writestr("files/doc-att-1__recovery.pdf", ATTACHMENT)
            z.writestr("files/doc-main-1__scan.png", DOCUMENT)
    return buf.getvalue()


def _legacy_field(n: str, t: str, k: str, v: Any) -> dict[str, Any]:
    return {"n": n, "t": t, "k": k, "v": v, "a": {"guarded": "yes"}}


def pif_records() -> list[dict[str, Any]]:
    return [
        {
            "uuid": "F1",
            "typeName": "system.folder.Regular",
            "title": "Work",
            "createdAt": 1,
            "updatedAt": 2,
        },
        {"uuid": "F2", "typeName": "system.folder.Regular", "title": "Mail", "folderUuid": "F1"},
        {
            "uuid": "A1",
            "typeName": "webforms.WebForm",
            "title": "Example",
            "location": "https://example.com",
            "locationKey": "example.com",
            "folderUuid": "F2",
            "faveIndex": 1,
            "createdAt": 1600000000,
            "updatedAt": 1600000100,
            "securityLevel": "SL5",
            "contentsHash": "abcd",
            "openContents": {"tags": ["pif-tag"]},
            "secureContents": {
                "fields": [
                    {"value": "alice", "name": "username", "type": "T", "designation": "username"},
                    {
                        "value": "pif-password-123",
                        "name": "password",
                        "type": "P",
                        "designation": "password",
                    },
                ],
                "URLs": [
                    {"label": "website", "url": "https://example.com"},
                    {"label": "", "url": "https://login.example.com"},
                ],
                "notesPlain": "pif notes",
                "sections": [
                    {
                        "name": "extra",
                        "title": "Extra",
                        "fields": [
                            _legacy_field(
                                "TOTP_1",
                                "otp",
                                "concealed",
                                f"otpauth://totp/x?secret={SECRET_TOTP}",
                            ),
                            _legacy_field("q", "question", "string", "colour"),
                            _legacy_field("a", "answer", "concealed", "blue-answer-42"),
                        ],
                    }
                ],
            },
        },
        {
            "uuid": "C1",
            "typeName": "wallet.financial.CreditCard",
            "title": "Card",
            "secureContents": {
                "sections": [
                    {
                        "name": "",
                        "title": "",
                        "fields": [
                            _legacy_field("cardholder", "cardholder name", "string", "Alice"),
                            _legacy_field("ccnum", "number", "string", "5555555555554444"),
                            _legacy_field("cvv", "verification number", "concealed", "123"),
                            _legacy_field("expiry", "expiry date", "monthYear", 202611),
                            _legacy_field("type", "type", "cctype", "mc"),
                        ],
                    }
                ]
            },
        },
        {
            "uuid": "T1",
            "typeName": "webforms.WebForm",
            "title": "Trashed",
            "trashed": True,
            "secureContents": {
                "fields": [
                    {
                        "value": "trash-pass-555",
                        "name": "password",
                        "type": "P",
                        "designation": "password",
                    }
                ]
            },
        },
        {"uuid": "X1", "typeName": "system.Tombstone", "title": "Deleted"},
        {
            "uuid": "N1",
            "typeName": "securenotes.SecureNote",
            "title": "Note",
            "secureContents": {"notesPlain": "pif secure note"},
        },
    ]


def onepif() -> bytes:
    lines = []
    for rec in pif_records():
        lines.append(json.dumps(rec))
        lines.append(PIF_MARKER)
    return ("\n".join(lines) + "\n").encode()
