"""Stratum / Authenticator Pro backups (``../shared/formats/totp-apps.md`` §12).

* Plain: JSON ``{Authenticators[{Type, Icon, Issuer, Username, Secret, Pin, Algorithm (0 SHA1,
  1 SHA256, 2 SHA512), Digits, Period, Counter, Ranking}], Categories[{Id, Name, Ranking}],
  AuthenticatorCategories[{CategoryId, AuthenticatorSecret, Ranking}], CustomIcons[{Id,
  Data}]}``; ``Type`` 1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex (the app's enum).
* Encrypted: ``AUTHENTICATORPRO`` ‖ 16-byte salt ‖ 12-byte IV ‖ AES-256-GCM ciphertext ‖ tag;
  key = Argon2id(password, salt, 64 MiB, 3 passes, 4 lanes, 32 bytes) — fixed by the app.
* Legacy encrypted: ``AuthenticatorPro`` ‖ 20-byte salt ‖ 16-byte IV ‖ AES-256-CBC (PKCS#7);
  key = PBKDF2-HMAC-SHA1(password, salt, 64 000, 32) — fixed by the app.
* The app's internal SQLite database (``authenticator``, ``category``,
  ``authenticatorcategory``, ``customicon`` tables, lower-case columns): read too, read-only on
  a private copy.

Categories become collections; PINs (mOTP, Yandex) are kept with the entry's custom fields;
custom icons are not carried (CXF 1.0 items have no icon).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.otp import _android, _unlock
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, Rec, leaves
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError, DecodeError

__all__ = ["StratumAdapter", "decrypt_backup"]

MAGIC: Final = b"AUTHENTICATORPRO"
MAGIC_LEGACY: Final = b"AuthenticatorPro"
_WHAT: Final = "the Stratum backup"
_KINDS: Final = {1: "hotp", 2: "totp", 3: "motp", 4: "steam", 5: "yandex"}
_ALGORITHMS: Final = {0: "sha1", 1: "sha256", 2: "sha512"}
_DB_TABLES: Final = {
    "authenticator": frozenset({"type", "issuer", "username", "secret", "algorithm", "digits",
                                "period", "counter"}),
    "category": frozenset({"id", "name"}),
    "authenticatorcategory": frozenset({"categoryId", "authenticatorSecret"}),
}  # fmt: skip
#: The members of an authenticator (lower case: the JSON's and the database's names alike).
_TAKEN: Final = {"type": "kind", "issuer": "issuer", "username": "account", "secret": "secret",
                 "algorithm": "algorithm", "digits": "digits", "period": "period",
                 "counter": "counter", "icon": "icon"}  # fmt: skip
_KNOWN: Final = {
    "ranking": (NOT_CARRIED, "", "the entry's place in the app's list"),
    "copycount": (NOT_CARRIED, "", "the app's usage statistics"),
}
_ARGON2_MEMORY_KIB: Final = 64 * 1024
_ARGON2_PASSES: Final = 3
_ARGON2_LANES: Final = 4
_LEGACY_ITERATIONS: Final = 64_000


def decrypt_backup(data: bytes, password: str, where: str = "") -> bytes:
    """An encrypted Stratum backup (either header) → the plain JSON bytes."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    if data.startswith(MAGIC):
        body = data[len(MAGIC) :]
        if len(body) < 16 + 12 + 16:
            raise _unlock.wrong_password(_WHAT, where)
        salt, iv, sealed = body[:16], body[16:28], body[28:]
        kdf = Argon2id(salt=salt, length=32, iterations=_ARGON2_PASSES, lanes=_ARGON2_LANES,
                       memory_cost=_ARGON2_MEMORY_KIB)  # fmt: skip
        try:
            key = kdf.derive(_unlock.password_bytes(password, where))
        except UnsupportedAlgorithm:
            raise AdapterError("this build of cryptography/OpenSSL has no Argon2id (needed by "
                               "Stratum backups)", location=where or None) from None  # fmt: skip
        return _unlock.aes_gcm_open(key, iv, sealed, None, _WHAT, where)
    if data.startswith(MAGIC_LEGACY):
        body = data[len(MAGIC_LEGACY) :]
        if len(body) < 20 + 16 + 16:
            raise _unlock.wrong_password(_WHAT, where)
        salt, iv, sealed = body[:20], body[20:36], body[36:]
        key = _unlock.pbkdf2("sha1", password, salt, _LEGACY_ITERATIONS, where)
        return _unlock.aes_cbc_open(key, iv, sealed, _WHAT, where)
    raise DecodeError("not an encrypted Stratum backup (no AUTHENTICATORPRO header)",
                      location=where or None)  # fmt: skip


def _int(value: Any, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default


class StratumAdapter:
    info = AdapterInfo(
        key="stratum",
        app="Stratum (Authenticator Pro)",
        format="backup: plain JSON, encrypted (.authpro), legacy encrypted; the app database",
        versions="Authenticator Pro 1.x–2.x, Stratum",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "Stratum → Settings → Backup → Back up now (with or without a password). The "
            "app's internal database (authenticator.db3, root only) is read as well."
        ),
        extensions=(".json", ".authpro", ".bin", ".db3"),
        magic=(MAGIC, MAGIC_LEGACY),
    )
    rp_id = "stratumauth.com"
    app = "Stratum"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for the encrypted headers and for the app's database (its tables and
        columns); LIKELY for JSON with an ``Authenticators`` list."""
        data = sample.data
        if data.startswith((MAGIC, MAGIC_LEGACY)):
            return Confidence.CERTAIN
        if sample.json_ok and sample.json_member_is("Authenticators", list):
            return Confidence.LIKELY
        tables = _android.sample_tables(sample)
        if tables is not None and all(
            cols <= tables.get(t, frozenset()) for t, cols in _DB_TABLES.items()
        ):
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        data = sample.data
        vault = EntryVault.of(self, name, options, report)
        if data.startswith(_android.SQLITE_MAGIC):
            self._database(vault, data, name)
            return vault.document()
        if data.startswith((MAGIC, MAGIC_LEGACY)):
            password = _unlock.ask_password(options, _WHAT, name)
            top = parse_json(decrypt_backup(data, password, name), name=name)
        else:
            top = sample.json if sample.json_ok else parse_json(data, name=name)
        if not isinstance(top, dict) or not isinstance(top.get("Authenticators"), list):
            raise DecodeError("not a Stratum backup: no list at $.Authenticators",
                              location=name or None)  # fmt: skip
        groups = self._json_groups(top, report)
        for index, raw in enumerate(top["Authenticators"]):
            at = f"$.Authenticators[{index}]"
            if not isinstance(raw, dict):
                vault.skip(at, "the entry is not a JSON object")
                continue
            lowered = {k.lower(): (v, f".{k}") for k, v in raw.items() if isinstance(k, str)}
            self._entry(vault, lowered, at, index, groups)
        return vault.document()

    # ------------------------------------------------------------------ categories

    def _json_groups(self, top: dict[str, Any], report: MigrationReport) -> dict[str, list[str]]:
        """Secret → names of its categories; the lists outside the entries recorded."""
        names: dict[str, str] = {}
        for index, cat in enumerate(_list(top.get("Categories"))):
            at = f"$.Categories[{index}]"
            if isinstance(cat, dict) and isinstance(cat.get("Id"), str):
                names[cat["Id"]] = str(cat.get("Name") or cat["Id"])
                report.add_field(at, "", Disposition.MEMBER, "collection",
                                 "a category: a collection")  # fmt: skip
            else:
                report.add_field(at, "", NOT_CARRIED, "", "not a category object")
        groups: dict[str, list[str]] = {}
        for index, link in enumerate(_list(top.get("AuthenticatorCategories"))):
            at = f"$.AuthenticatorCategories[{index}]"
            if isinstance(link, dict) and link.get("CategoryId") in names:
                secret = link.get("AuthenticatorSecret")
                if isinstance(secret, str):
                    groups.setdefault(secret, []).append(names[link["CategoryId"]])
                    report.add_field(at, "", Disposition.MEMBER, "collection.items",
                                     "the entry's category")  # fmt: skip
                    continue
            report.add_field(at, "", NOT_CARRIED, "", "a link to no known category")
        for index, _ in enumerate(_list(top.get("CustomIcons"))):
            report.add_field(f"$.CustomIcons[{index}]", "", NOT_CARRIED, "",
                             "a custom icon: CXF 1.0 items have no icon")  # fmt: skip
        for key, value in top.items():
            if key not in ("Authenticators", "Categories", "AuthenticatorCategories",
                           "CustomIcons") and value is not None:  # fmt: skip
                report.add_field(f"$.{key}", "", NOT_CARRIED, "",
                                 "a member of the backup, not of an entry")  # fmt: skip
        return groups

    # ------------------------------------------------------------------ one entry

    def _entry(self, vault: EntryVault, raw: Mapping[str, tuple[Any, str]], at: str,
               index: int, groups: Mapping[str, list[str]]) -> None:  # fmt: skip
        def value(key: str) -> Any:
            return raw[key][0] if key in raw else None

        kind_code = _int(value("type"), 2)
        kind = _KINDS.get(kind_code, f"type {kind_code}")
        algo_code = _int(value("algorithm"), 0)
        secret = value("secret")
        secret_text = secret if isinstance(secret, str) else ""
        where = {name: raw[key][1] for key, name in _TAKEN.items()
                 if key in raw and raw[key][0] is not None}  # fmt: skip
        counter = value("counter")
        entry = Entry(
            secret=secret_text, kind=kind,
            issuer=str(value("issuer") or ""), account=str(value("username") or ""),
            algorithm=_ALGORITHMS.get(algo_code, f"algorithm {algo_code}"),
            digits=_int(value("digits"), 6), period=_int(value("period"), 30),
            counter=_int(counter, 0) if kind == "hotp" else None,
            groups=tuple(groups.get(secret_text, ())), at=where,
        )  # fmt: skip
        recs: list[Rec] = []
        rest: list[Val] = []
        pin: list[Val] = []
        for key, (item, path) in raw.items():
            if key in _TAKEN or item is None:
                continue
            if key == "pin":  # a secret: a concealed custom field ("" is recorded empty)
                pin.append(Val(str(item), path))
            elif key in _KNOWN:
                disposition, target, note = _KNOWN[key]
                recs.append((path, disposition, target, note))
            else:
                rest.extend(leaves(item, path))
        vault.add(at, entry, index=index, recs=recs, leftovers=rest, hidden=pin)

    # ------------------------------------------------------------------ the database

    def _database(self, vault: EntryVault, data: bytes, name: str) -> None:
        with _android.open_sqlite(data, name) as conn:
            tables = _android.sqlite_tables(conn)
            if not _DB_TABLES["authenticator"] <= tables.get("authenticator", frozenset()):
                raise DecodeError("not a Stratum database: no authenticator table",
                                  location=name or None)  # fmt: skip
            names: dict[str, str] = {}
            if _DB_TABLES["category"] <= tables.get("category", frozenset()):
                for cat_id, cat_name in conn.execute("SELECT id, name FROM category"):
                    names[str(cat_id)] = str(cat_name or cat_id)
            groups: dict[str, list[str]] = {}
            if _DB_TABLES["authenticatorcategory"] <= tables.get("authenticatorcategory",
                                                                 frozenset()):  # fmt: skip
                query = "SELECT categoryId, authenticatorSecret FROM authenticatorcategory"
                for cat_id, secret in conn.execute(query):
                    if str(cat_id) in names and isinstance(secret, str):
                        groups.setdefault(secret, []).append(names[str(cat_id)])
            cursor = conn.execute("SELECT * FROM authenticator")
            columns = [str(d[0]) for d in cursor.description]
            for index, row in enumerate(cursor):
                at = f"{name}:authenticator[{index + 1}]"
                raw = {c.lower(): (v, f".{c}") for c, v in zip(columns, row, strict=True)}
                self._entry(vault, raw, at, index, groups)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
