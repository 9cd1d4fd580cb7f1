"""Deterministic generator of large, realistic Bitwarden JSON exports for the benchmarks.

    uv run python benchmarks/gen_bitwarden.py 10000 -o /tmp/bitwarden-10k.json

A personal (unencrypted) export in the shape Bitwarden writes — every member present, ``null``
where unset, ``indent=2`` — with the mix of a real vault (fixed seed, so every run gets the same
bytes):

* one item in ten is a login with a **passkey** (a real P-256 PKCS#8 key derived from the seed,
  UUID credential id, Bitwarden's string counter/discoverable); a fifth of those have no
  password (passkey-only accounts);
* the other items: ~70 % logins (1-2 URIs, a fifth with TOTP — otpauth URIs and bare Base32
  secrets —, some with password history or notes), ~10 % secure notes, ~8 % cards, ~7 %
  identities (name, address, some with e-mail/phone/documents; most members ``null``), a few
  SSH keys (Ed25519, OpenSSH text) and the rest logins with nothing but a username;
* ~15 % of items have custom fields (text, hidden, boolean, the odd linked field), ~5 % are
  favourites, ~60 % sit in one of 25 folders.

Average: ~14 non-null source fields per item (what the migration report records).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import random
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from _common import generator_main

WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "falcon", "garnet", "harbor", "indigo",
         "juniper", "kestrel", "lumen", "meadow", "nimbus", "onyx", "prairie", "quartz", "raven",
         "summit", "tundra", "umber", "vortex", "willow", "xenon", "yarrow", "zephyr")  # fmt: skip
_IDENTITY_KEYS = ("title", "firstName", "middleName", "lastName", "address1", "address2",
                  "address3", "city", "state", "postalCode", "country", "company", "email",
                  "phone", "ssn", "username", "passportNumber", "licenseNumber")  # fmt: skip
DOMAINS = tuple(
    f"{w}.{tld}"
    for w in ("mail", "shop", "bank", "social", "cloud", "news", "travel", "games")
    for tld in ("example", "example.com", "example.org")
)
_DER, _PKCS8, _NOENC = (
    serialization.Encoding.DER,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
)
_T0 = 1_700_000_000


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def uuid(self) -> str:
        return str(uuid.UUID(bytes=self.rng.randbytes(16), version=4))

    def words(self, n: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n))

    def secret(self, n: int = 16) -> str:
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*"
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def date(self) -> str:
        seconds = _T0 + self.rng.randint(0, 60_000_000)
        millis = self.rng.randint(0, 999)
        when = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
        return when.strftime(f"%Y-%m-%dT%H:%M:%S.{millis:03d}Z")

    def base(self, name: str, btype: int, folders: list[str]) -> dict[str, Any]:
        created = self.date()
        return {
            "passwordHistory": None,
            "revisionDate": max(created, self.date()),
            "creationDate": created,
            "deletedDate": None,
            "id": self.uuid(),
            "organizationId": None,
            "folderId": self.rng.choice(folders) if self.rng.random() < 0.6 else None,
            "type": btype,
            "reprompt": 1 if self.rng.random() < 0.02 else 0,
            "name": name,
            "notes": None,
            "favorite": self.rng.random() < 0.05,
        }

    def fields(self) -> list[dict[str, Any]] | None:
        if self.rng.random() >= 0.15:
            return None
        out = []
        for _ in range(self.rng.randint(1, 3)):
            kind = self.rng.choices((0, 1, 2, 3), (50, 30, 18, 2))[0]
            name = self.words(self.rng.randint(1, 2)).title()
            if kind == 0:
                value: str | None = self.words(self.rng.randint(1, 3))
            elif kind == 1:
                value = self.secret(12)
            elif kind == 2:
                value = self.rng.choice(("true", "false"))
            else:
                value = None
            out.append(
                {"name": name, "value": value, "type": kind, "linkedId": 101 if kind == 3 else None}
            )
        return out

    def totp(self, user: str, domain: str) -> str:
        secret = base64.b32encode(self.rng.randbytes(20)).decode().rstrip("=")
        if self.rng.random() < 0.4:
            return secret
        issuer = domain.split(".")[0].title()
        return f"otpauth://totp/{issuer}:{user}?secret={secret}&issuer={issuer}"

    def passkey(self, domain: str, user: str) -> dict[str, Any]:
        key = ec.derive_private_key(self.rng.getrandbits(250) + 1, ec.SECP256R1())
        return {
            "credentialId": self.uuid(),
            "keyType": "public-key",
            "keyAlgorithm": "ECDSA",
            "keyCurve": "P-256",
            "keyValue": b64u(key.private_bytes(_DER, _PKCS8, _NOENC)),
            "rpId": domain,
            "userHandle": b64u(self.rng.randbytes(16)),
            "userName": user,
            "counter": "0",
            "rpName": domain.split(".")[0].title(),
            "userDisplayName": user.split("@")[0],
            "discoverable": "true",
            "creationDate": self.date(),
        }

    def login(self, folders: list[str], *, passkey: bool) -> dict[str, Any]:
        domain = self.rng.choice(DOMAINS)
        user = f"{self.rng.choice(WORDS)}.{self.rng.choice(WORDS)}@{domain}"
        item = self.base(f"{domain.split('.')[0].title()} ({self.words(1)})", 1, folders)
        passkey_only = passkey and self.rng.random() < 0.2
        roll = self.rng.random()
        uris = [{"match": None, "uri": f"https://{domain}/login"}]
        if self.rng.random() < 0.25:
            uris.append(
                {"match": self.rng.choice((None, 0, 1, 3)), "uri": f"https://app.{domain}/"}
            )
        item["login"] = {
            "fido2Credentials": [self.passkey(domain, user)] if passkey else [],
            "uris": uris,
            "username": user,
            "password": None if passkey_only or roll < 0.03 else self.secret(),
            "totp": self.totp(user, domain) if self.rng.random() < 0.2 else None,
        }
        if self.rng.random() < 0.15:
            item["notes"] = self.words(self.rng.randint(3, 20))
        if not passkey_only and self.rng.random() < 0.1:
            item["passwordHistory"] = [
                {"lastUsedDate": self.date(), "password": self.secret()}
                for _ in range(self.rng.randint(1, 3))
            ]
        return item

    def note(self, folders: list[str]) -> dict[str, Any]:
        item = self.base(self.words(2).title(), 2, folders)
        item["notes"] = "\n".join(
            self.words(self.rng.randint(4, 12)) for _ in range(self.rng.randint(1, 6))
        )
        item["secureNote"] = {"type": 0}
        return item

    def card(self, folders: list[str]) -> dict[str, Any]:
        item = self.base(f"{self.rng.choice(('Visa', 'Mastercard', 'Amex'))} card", 3, folders)
        item["card"] = {
            "cardholderName": self.words(2).title(),
            "brand": self.rng.choice(("Visa", "Mastercard", "Amex")),
            "number": "4" + "".join(self.rng.choice("0123456789") for _ in range(15)),
            "expMonth": str(self.rng.randint(1, 12)),
            "expYear": str(self.rng.randint(2026, 2034)),
            "code": f"{self.rng.randint(100, 999)}",
        }
        return item

    def identity(self, folders: list[str]) -> dict[str, Any]:
        item = self.base(f"{self.words(1).title()} identity", 4, folders)
        ident: dict[str, Any] = dict.fromkeys(_IDENTITY_KEYS)
        ident.update(
            title=self.rng.choice(("Mr", "Ms", "Mx", None)),
            firstName=self.rng.choice(WORDS).title(),
            lastName=self.rng.choice(WORDS).title(),
        )
        if self.rng.random() < 0.7:
            ident.update(
                address1=f"{self.rng.randint(1, 999)} {self.words(2).title()} St",
                city=self.rng.choice(WORDS).title(),
                postalCode=f"{self.rng.randint(10000, 99999)}",
                country=self.rng.choice(("US", "DE", "FR", "GB")),
            )
        if self.rng.random() < 0.5:
            ident["email"] = f"{ident['firstName'].lower()}@mail.example"
            ident["phone"] = f"+1 555 {self.rng.randint(1000000, 9999999)}"
        if self.rng.random() < 0.3:
            ident["passportNumber"] = f"P{self.rng.randint(10**7, 10**8)}"
        if self.rng.random() < 0.3:
            ident["licenseNumber"] = f"L{self.rng.randint(10**6, 10**7)}"
        item["identity"] = ident
        return item

    def ssh(self, folders: list[str]) -> dict[str, Any]:
        key = ed25519.Ed25519PrivateKey.from_private_bytes(self.rng.randbytes(32))
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        ).decode()
        public = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        blob = base64.b64decode(public.split(b" ")[1])
        fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip(
            "="
        )
        item = self.base(f"{self.words(1)} ssh key", 5, folders)
        item["sshKey"] = {
            "privateKey": private,
            "publicKey": public.decode(),
            "keyFingerprint": fingerprint,
        }
        return item

    def item(self, index: int, folders: list[str]) -> dict[str, Any]:
        if index % 10 == 0:
            item = self.login(folders, passkey=True)
        else:
            roll = self.rng.random()
            if roll < 0.70:
                item = self.login(folders, passkey=False)
            elif roll < 0.80:
                item = self.note(folders)
            elif roll < 0.88:
                item = self.card(folders)
            elif roll < 0.95:
                item = self.identity(folders)
            elif roll < 0.953:
                item = self.ssh(folders)
            else:
                item = self.base(self.words(2).title(), 1, folders)
                item["login"] = {
                    "fido2Credentials": [],
                    "uris": [],
                    "username": self.words(1),
                    "password": None,
                    "totp": None,
                }
        item["fields"] = self.fields()
        item["collectionIds"] = None
        return item


def generate_obj(n_items: int, seed: int = 2026) -> dict[str, Any]:
    gen = Gen(seed)
    folders = [{"id": gen.uuid(), "name": f"{gen.words(1).title()} {i}"} for i in range(25)]
    ids = [f["id"] for f in folders]
    items = [gen.item(i, ids) for i in range(n_items)]
    return {"encrypted": False, "folders": folders, "items": items}


def generate(n_items: int, seed: int = 2026) -> bytes:
    """A Bitwarden personal JSON export with *n_items* items, as Bitwarden writes it."""
    return json.dumps(generate_obj(n_items, seed), indent=2, ensure_ascii=False).encode("utf-8")


def main() -> int:
    return generator_main(generate, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
