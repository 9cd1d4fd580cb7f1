"""Padlock's encrypted JSON export (legacy Padlock 2.x by MaKleSoft, before Padloc 3;
``formats/other-managers.md`` "Padlock … JSON"; sample ``exports/padlock/pass-import/
padlock.json``, password unknown).

The file is an SJCL container (the Stanford Javascript Crypto Library, as Padlock's
``app/src/core/crypto.ts`` writes it): ``{"version": 1, "cipher": "aes", "mode": "ccm",
"keySize": 256, "iter": N, "ts": 64, "salt", "iv", "adata", "ct"}`` with base64 texts. The key
is PBKDF2-HMAC-SHA256(password, salt, iter) of ``keySize`` bits; ``ct`` is AES-CCM ciphertext
with the ``ts``-bit tag at its end; the nonce is the first ``15 - L`` bytes of ``iv``, where L
is 2, or 3 or 4 when the plaintext length needs more bytes (SJCL's rule); ``adata`` is the
authenticated data (base64-decoded in version 1; version-less containers of Padlock 1 passed
the base64 text itself, a bug this reader does not reproduce: they are refused clearly).

The decrypted content is a JSON array of records (``Record.raw()`` in Padlock's
``app/src/core/data.ts``): ``{name, fields: [{name, value, masked?}], tags: [..] (2.x) or
category: "..." (1.x), uuid, updated, removed, lastUsed?}``. Fields named ``username``,
``password``, ``url`` and ``notes`` become the login and note; the others custom fields
(hidden when ``masked``); a removed record (Padlock's trash; its name and fields are emptied)
follows the kit's trash policy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit import _kdfcost, cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    PasswordNeededError,
    ReadOptions,
    Sample,
)
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, truthy
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.kit.records import JsonRecordReader, RecordError
from cxkit.adapters.kit.targets import HOOK, MODIFIED, TAGS, TITLE, Column, Target
from cxkit.adapters.kit.values import scalar_text
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError, DecodeError, DecryptionError

__all__ = ["CONTAINER_KEYS", "MAX_ITERATIONS", "PadlockJsonAdapter", "decrypt_container"]

CONTAINER_KEYS: Final = frozenset(
    {"cipher", "mode", "keySize", "iter", "ts", "salt", "iv", "adata", "ct"}
)
"""The members of Padlock's SJCL container (plus ``version``): the detection evidence."""
MAX_ITERATIONS: Final = 1_000_000
"""PBKDF2 iterations above this (Padlock's own cap, ``pbkdf2MaxIter``) are refused before
any work."""
_WHAT: Final = "the Padlock export"
_KEY_SIZES: Final = (128, 192, 256)
_TAG_SIZES: Final = (64, 96, 128)
_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_ROLES: Final = {
    "username": "username", "user": "username", "user name": "username", "login": "username",
    "password": "password", "pass": "password",
    "url": "url", "website": "url", "site": "url",
    "notes": "note", "note": "note",
}  # fmt: skip


def _refused(message: str, where: str) -> AdapterError:
    return AdapterError(f"{_WHAT}: {message}", location=where or None,
                        hint="the file may be damaged, or not a Padlock export")  # fmt: skip


def _wrong_password(where: str) -> DecryptionError:
    """The one error of a wrong password (or a damaged file: CCM cannot tell them apart)."""
    return DecryptionError(
        f"cannot decrypt {_WHAT}: wrong password, or the file is damaged",
        location=where or None,
        hint="give the password chosen when the file was exported from Padlock",
    )


def _base64(value: Any, member: str, where: str) -> bytes:
    if not isinstance(value, str):
        raise _refused(f"member {member} is not text", where)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _refused(f"member {member} is not base64", where) from None


def _password(options: ReadOptions, where: str) -> bytes:
    """The password asked once (none given → :class:`PasswordNeededError`), as UTF-8 bytes
    (bytes from a file or the environment come back as surrogate escapes)."""
    if options.password is None:
        raise PasswordNeededError(
            f"{_WHAT} is encrypted", location=where or None,
            hint="give its password (--password-file, --password-env or at the prompt)",
        )  # fmt: skip
    try:
        return options.password(f"password of {_WHAT}").encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise AdapterError("the password is not valid text", location=where or None) from None


def _container(top: Any, where: str) -> dict[str, Any]:
    """The checked container members (types and Padlock's own allowed values)."""
    if not isinstance(top, dict) or not set(top) >= CONTAINER_KEYS:
        raise _refused("not an SJCL container (cipher, mode, iter, salt, iv, adata, ct)", where)
    version = top.get("version")
    if version is None:
        raise AdapterError(
            f"{_WHAT} is a version-less container of Padlock 1, which cxkit does not read",
            location=where or None,
            hint="open the file in Padlock 2 and export it again, or export CSV",
        )
    if version != 1 or isinstance(version, bool):
        raise _refused("an unknown container version (cxkit reads version 1)", where)
    cipher, mode = top["cipher"], top["mode"]
    if not isinstance(cipher, str) or cipher.lower() != "aes":
        raise _refused("an unknown cipher (Padlock uses aes)", where)
    if not isinstance(mode, str) or mode.lower() != "ccm":
        raise _refused("a cipher mode other than ccm, which cxkit does not read", where)
    for member, allowed in (("keySize", _KEY_SIZES), ("ts", _TAG_SIZES)):
        value = top[member]
        if isinstance(value, bool) or value not in allowed:
            raise _refused(f"member {member} is not one of {', '.join(map(str, allowed))}",
                           where)  # fmt: skip
    iterations = top["iter"]
    if not isinstance(iterations, int) or isinstance(iterations, bool):
        raise _refused("member iter is not a whole number", where)
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise AdapterError(
            f"{_WHAT} asks for a PBKDF2 work factor outside what cxkit allows "
            f"(1 to {MAX_ITERATIONS:,} iterations, Padlock's own limit)",
            location=where or None, hint="the file may be damaged or crafted",
        )  # fmt: skip
    return top


def decrypt_container(top: Any, password: bytes, where: str = "") -> bytes:
    """The plaintext of Padlock's SJCL container *top* (a decoded JSON object). Bounds and
    member types are checked before the key derivation; a wrong password (or a damaged file:
    CCM cannot tell them apart) → the project's :class:`~cxkit.errors.DecryptionError`."""
    found = _container(top, where)
    raw = {m: _base64(found[m], m, where) for m in ("salt", "iv", "adata", "ct")}
    tag = found["ts"] // 8
    iv, ct = raw["iv"], raw["ct"]
    if len(ct) < tag or len(iv) < 7:
        raise _wrong_password(where)
    size = len(ct) - tag
    width = 2  # SJCL: L grows while the length does not fit, at most 4; at least 15 - |iv|
    while width < 4 and size >> (8 * width):
        width += 1
    width = max(width, 15 - len(iv))
    nonce = iv[: 15 - width]
    if not 7 <= len(nonce) <= 13:
        raise _wrong_password(where)
    _kdfcost.announce("PBKDF2-HMAC-SHA256", iterations=found["iter"])
    key = hashlib.pbkdf2_hmac(
        "sha256", password, raw["salt"], found["iter"],
        found["keySize"] // 8,
    )  # fmt: skip
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESCCM

    try:
        return AESCCM(key, tag_length=tag).decrypt(nonce, ct, raw["adata"] or None)
    except (InvalidTag, ValueError, OverflowError):
        raise _wrong_password(where) from None


class PadlockJsonAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="padlock-json",
        app="Padlock",
        format="encrypted JSON export",
        versions="2.x (legacy Padlock by MaKleSoft, before Padloc 3)",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export=(
            "Padlock 2: Settings → Export Data → Padlock (encrypted), with an export password; "
            "give cxkit that password."
        ),
        extensions=(".json",),
        plaintext=False,
    )
    id_member = "uuid"  # the item id derives from it (stable across exports)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE,
        "fields": HOOK,
        "tags[]": TAGS,
        "category": TAGS,
        "updated": MODIFIED,
        "uuid": HOOK,
        "removed": HOOK,
        "lastUsed": Column(Target.IGNORE, why="when Padlock last showed the record (usage)"),
    }
    rp_id = "padloc.app"
    app = "Padlock"
    tag_separator = None

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a JSON object whose members are exactly Padlock's SJCL container's
        (``keySize`` spelt so; SJCL's own ``sjcl.encrypt`` writes ``ks`` and ``v``)."""
        if not sample.json_ok:
            return Confidence.NO
        keys = sample.json_keys
        if keys in (CONTAINER_KEYS, CONTAINER_KEYS | {"version"}):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        top = sample.parsed_json()
        _container(top, name)  # the bounds before asking for a password
        plain = decrypt_container(top, _password(options, name), name)
        records = parse_json(plain, name=f"{name} (decrypted)" if name else "decrypted")
        if not isinstance(records, list):
            raise DecodeError(f"{_WHAT}: the decrypted content is not a list of records",
                              location=name or None)  # fmt: skip
        return super().read(Sample(name, b"", json=records), options, report)

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        if rec.get("uuid") is not None:
            b.rec(".uuid", _MEMBER, "item.id", "the item id derives from it")
        removed = scalar_text(rec.get("removed"))
        if removed is not None:
            if truthy(removed):
                if not b.title:  # Padlock empties a removed record's name and fields
                    b.title = "(a removed Padlock record)"
                b.trashed(Val(removed, ".removed"))
            else:
                b.rec(".removed", _MEMBER, "trash", "not in the trash")
        self._fields(b, rec.get("fields"))

    def _fields(self, b: ItemBuilder, fields: Any) -> None:
        if fields is None:
            return
        if not isinstance(fields, list):
            raise RecordError("member fields is not a list")
        taken: dict[str, Val] = {}
        urls: list[Val] = []
        for index, field in enumerate(fields):
            at = f".fields[{index}]"
            if not isinstance(field, dict):
                b.rec(at, _NOT_CARRIED, "", "not a field object")
                continue
            label = scalar_text(field.get("name")) or f"field {index + 1}"
            value = scalar_text(field.get("value"))
            if not value:
                b.rec(at, _NOT_CARRIED, "", "empty")
                continue
            v = Val(value, at)
            role = _ROLES.get(label.strip().lower())
            if role == "url":
                urls.append(v)
            elif role is not None and role not in taken:
                taken[role] = v
            else:
                hidden = field.get("masked") is True or role == "password"
                b.custom(label, v, hidden=hidden)
        if taken.get("username") or taken.get("password") or urls:
            b.login(taken.get("username"), taken.get("password"), urls)
        note = taken.get("note")
        if note is not None:
            b.note(note)
