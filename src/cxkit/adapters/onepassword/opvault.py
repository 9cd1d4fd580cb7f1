"""1Password OPVault, the encrypted vault folder of 1Password 4-7 (``../shared/formats/
onepassword.md`` §4): ``<name>.opvault/default/`` with ``profile.js``, ``folders.js``,
``band_0.js`` … ``band_F.js`` and ``<item>_<attachment>.attachment`` files.

Opened with the master password: PBKDF2-HMAC-SHA512 (the profile's salt and iterations, bounded
before any work: at most :data:`MAX_ITERATIONS`) gives the key that decrypts the master and
overview keys (``opdata01`` blobs: AES-256-CBC, HMAC-SHA256 checked first); SHA-512 of each is
an encryption and a MAC key. Items: ``o`` (overview) under the overview keys, ``k`` (the item's
own keys) under the master keys, ``d`` (details) under the item keys; attachments
(``OPCLDAT`` header, metadata with an encrypted overview, icon, ``opdata01`` content under the
item keys) become CXF ``file`` credentials. The decrypted item is mapped by :mod:`.mapping`;
folders become collections; trashed items are skipped unless ``--include-trashed``.

The input is the ``.opvault`` folder (or its ``default`` folder), or a ZIP of it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import posixpath
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from cxkit import _kdfcost, cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    PasswordNeededError,
    ReadOptions,
    Sample,
)
from cxkit.adapters.kit.builder import CollectionTree, VaultBuilder, stable_id
from cxkit.adapters.kit.input import parse_json, zip_archive
from cxkit.adapters.kit.values import json_leaves, scalar_text
from cxkit.adapters.onepassword.mapping import CREDENTIAL_TYPES, ItemWalk, Layout, file_id
from cxkit.adapters.onepassword.onepux import EXPORTER_RP_ID, read_item
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import (
    AdapterError,
    CxkitError,
    DecodeError,
    DecryptionError,
    InputError,
    InputTooLargeError,
)

__all__ = ["MAX_ITERATIONS", "OpVaultAdapter", "decrypt_opdata", "open_profile"]

KEY: Final = "1password-opvault"
MAX_ITERATIONS: Final = 5_000_000
"""PBKDF2 iterations a profile may ask for (1Password wrote 40 000 to 100 000; 5 million take
a few seconds)."""
MIN_ITERATIONS: Final = 1
PROMPT: Final = "master password of the 1Password vault"
LAYOUT: Final = Layout(
    details="d",
    title=("o", "title"),
    url=("o", "url"),
    urls=("o", "URLs"),
    url_keys=("u", "l"),
    tags=("o", "tags"),
    legacy=True,
)
_ITEM_MEMBERS: Final = {
    "uuid": "item.id",
    "category": "credential types (the item's category)",
    "folder": "collection.items",
    "fave": "item.favorite",
    "trashed": "trash",
}
_BAND: Final = re.compile(r"band_[0-9A-Fa-f]\.js\Z")
_ATTACHMENT: Final = re.compile(r"([0-9A-Fa-f]{32})_([0-9A-Fa-f]{32})\.attachment\Z")
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_OPDATA: Final = b"opdata01"
_MAX_FILES: Final = 4096


# =========================================================================== crypto


def decrypt_opdata(blob: bytes, enc: bytes, mac: bytes, *, what: str) -> bytes:
    """An ``opdata01`` blob → its plaintext: ``opdata01`` ‖ length (8 bytes LE) ‖ IV ‖
    AES-256-CBC ciphertext ‖ HMAC-SHA256 of all before it (checked first); the plaintext is
    the last *length* bytes (random padding in front)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if len(blob) < 64 or not blob.startswith(_OPDATA) or (len(blob) - 64) % 16:
        raise DecodeError(f"{what} is not an opdata01 blob")
    tag = hmac.new(mac, blob[:-32], hashlib.sha256).digest()
    if not hmac.compare_digest(tag, blob[-32:]):
        raise DecryptionError(f"{what}: wrong key, or the vault was modified")
    (length,) = struct.unpack("<Q", blob[8:16])
    ciphertext = blob[32:-32]
    if length > len(ciphertext):
        raise DecodeError(f"{what}: the stated length is longer than the data")
    decryptor = Cipher(algorithms.AES(enc), modes.CBC(blob[16:32])).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    return plain[len(plain) - length :]


def _item_key(blob: bytes, enc: bytes, mac: bytes) -> tuple[bytes, bytes]:
    """An item's ``k``: IV ‖ AES-256-CBC ciphertext ‖ HMAC-SHA256 → (encryption, MAC) key."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if len(blob) < 16 + 64 + 32 or (len(blob) - 48) % 16:
        raise DecodeError("the item key 'k' has the wrong length")
    tag = hmac.new(mac, blob[:-32], hashlib.sha256).digest()
    if not hmac.compare_digest(tag, blob[-32:]):
        raise DecryptionError("the item key 'k' does not match the master key (modified)")
    decryptor = Cipher(algorithms.AES(enc), modes.CBC(blob[:16])).decryptor()
    plain = decryptor.update(blob[16:-32]) + decryptor.finalize()
    return plain[:32], plain[32:64]


def _b64(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise DecodeError(f"{what} is not base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DecodeError(f"{what} is not base64") from None


class _Keys:
    """The master and overview (encryption, MAC) key pairs of an opened profile."""

    def __init__(self, master: tuple[bytes, bytes], overview: tuple[bytes, bytes]) -> None:
        self.master = master
        self.overview = overview


def open_profile(profile: Any, password: str) -> _Keys:
    """The profile's keys from the master *password* (iterations bounded before any work)."""
    if not isinstance(profile, dict):
        raise DecodeError("profile.js holds no profile object")
    iterations = profile.get("iterations")
    if isinstance(iterations, bool) or not isinstance(iterations, int):
        raise DecodeError("profile.js: 'iterations' is not a number")
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise AdapterError(
            f"profile.js asks for {iterations:,} PBKDF2 iterations; cxkit allows "
            f"{MIN_ITERATIONS} to {MAX_ITERATIONS:,}",
            hint="a real OPVault uses 40,000 to 100,000; this profile may be damaged or hostile",
        )
    salt = _b64(profile.get("salt"), "profile.js: 'salt'")
    if not 8 <= len(salt) <= 64:
        raise DecodeError("profile.js: the salt has an unusual length")
    master_blob = _b64(profile.get("masterKey"), "profile.js: 'masterKey'")
    overview_blob = _b64(profile.get("overviewKey"), "profile.js: 'overviewKey'")
    _kdfcost.announce("PBKDF2-HMAC-SHA512", iterations=iterations)
    derived = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, 64)
    try:
        master = decrypt_opdata(master_blob, derived[:32], derived[32:], what="the master key")
    except DecryptionError:
        raise DecryptionError(
            "wrong master password (or profile.js was modified)",
            hint="give the master password of this 1Password vault",
        ) from None
    overview = decrypt_opdata(overview_blob, derived[:32], derived[32:], what="the overview key")
    mk, ok = hashlib.sha512(master).digest(), hashlib.sha512(overview).digest()
    return _Keys((mk[:32], mk[32:]), (ok[:32], ok[32:]))


# =========================================================================== the folder


class _Files:
    """The files of one OPVault profile folder (``default/``): from a folder on disk or a ZIP;
    names without the folder, each read once with the size limit."""

    def __init__(self, names: list[str], read: Callable[[str], bytes], where: str) -> None:
        self.names = names
        self._read = read
        self.where = where

    def read(self, name: str) -> bytes:
        return self._read(name)


def _profile_dir(folder: Path) -> Path | None:
    for candidate in (folder / "default", folder):
        if (candidate / "profile.js").is_file():
            return candidate
    return None


def _from_folder(folder: Path, max_size: int) -> _Files:
    found = _profile_dir(folder)
    if found is None:
        raise InputError("no default/profile.js in this folder: not a 1Password OPVault",
                         location=str(folder))  # fmt: skip
    base = found
    names: list[str] = []
    try:
        with os.scandir(base) as entries:
            for entry in entries:
                if len(names) >= _MAX_FILES:
                    raise InputTooLargeError(f"more than {_MAX_FILES} files in the vault folder",
                                             location=str(base))  # fmt: skip
                if entry.is_file(follow_symlinks=False):
                    names.append(entry.name)
    except OSError as exc:
        raise InputError(f"cannot list the folder: {exc.strerror}", location=str(base)) from None
    budget = [max_size]

    def read(name: str) -> bytes:
        path = base / name
        try:
            with path.open("rb") as fh:
                data = fh.read(budget[0] + 1)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", location=str(path)) from None
        if len(data) > budget[0]:
            raise InputTooLargeError(f"the vault is larger than the limit of {max_size:,} bytes",
                                     location=str(path),
                                     hint="pass --max-size with a larger number of bytes")  # fmt: skip
        budget[0] -= len(data)
        return data

    return _Files(sorted(names), read, str(base))


def _zip_prefix(names: tuple[str, ...] | list[str]) -> str | None:
    """The folder of ``profile.js`` in a ZIP of an OPVault, when band or folder files are next
    to it (``x.opvault/default/``, ``default/`` or the top)."""
    for name in names:
        if posixpath.basename(name) != "profile.js":
            continue
        prefix = name[: -len("profile.js")]
        siblings = {n[len(prefix) :] for n in names if n.startswith(prefix)}
        if "folders.js" in siblings or any(_BAND.match(s) for s in siblings):
            return prefix
    return None


def _from_zip(sample: Sample) -> _Files:
    archive = zip_archive(sample.data, name=sample.name)
    all_names = archive.names()
    prefix = _zip_prefix(all_names)
    if prefix is None:
        raise AdapterError("no OPVault profile.js with band files in this ZIP",
                           location=sample.name or None)  # fmt: skip
    names = [n[len(prefix) :] for n in all_names if n.startswith(prefix) and "/" not in n[len(prefix) :]]  # fmt: skip

    def read(name: str) -> bytes:
        data: bytes = archive.read(prefix + name)
        return data

    return _Files(sorted(n for n in names if n), read, f"{sample.name}: {prefix}")


def _js_object(data: bytes, prefix: bytes, where: str) -> Any:
    """``var profile={…};`` / ``ld({…});`` / ``loadFolders({…});`` → the decoded object."""
    text = data.strip()
    if not text.startswith(prefix):
        raise DecodeError(f"does not start with {prefix.decode()!r}", location=where)
    body = text[len(prefix) :].rstrip(b";").rstrip()
    if prefix.endswith(b"(") and body.endswith(b")"):
        body = body[:-1]
    return parse_json(body, name=where)


# =========================================================================== the adapter


class OpVaultAdapter:
    info: Final = AdapterInfo(
        key=KEY,
        app="1Password",
        format="OPVault vault folder (encrypted)",
        versions="1Password 4 to 7 (the .opvault folder, e.g. a Dropbox or local vault)",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=CREDENTIAL_TYPES,
        how_to_export=(
            "Give cxkit the .opvault folder itself (or a ZIP of it) and the vault's master "
            "password: cxkit convert ~/Dropbox/1Password.opvault -o vault.kdbx. Trashed items are "
            "skipped unless --include-trashed."
        ),
        extensions=(".opvault",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        folder = getattr(sample, "folder", None)
        if isinstance(folder, Path):
            found = _profile_dir(folder)
            if found is None:
                return Confidence.NO
            try:
                with (found / "profile.js").open("rb") as fh:
                    head = fh.read(64)
            except OSError:
                return Confidence.NO
            return Confidence.CERTAIN if head.lstrip().startswith(b"var profile=") else Confidence.NO  # fmt: skip
        if sample.zip_names is not None and _zip_prefix(sample.zip_names) is not None:
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        folder = getattr(sample, "folder", None)
        files = (
            _from_folder(folder, options.max_size)
            if isinstance(folder, Path)
            else _from_zip(sample)
        )
        if "profile.js" not in files.names:
            raise AdapterError("no profile.js: not a 1Password OPVault", location=files.where)
        where = f"{files.where.rstrip('/')}/profile.js"
        profile = _js_object(files.read("profile.js"), b"var profile=", where)
        if options.password is None:
            raise PasswordNeededError("this 1Password vault is encrypted with its master password",
                                      location=files.where)  # fmt: skip
        password = options.password(PROMPT)
        try:
            keys = open_profile(profile, password)
        except CxkitError as exc:
            exc.location = exc.location or where
            raise
        finally:
            del password
        report.encrypted = True
        for leaf in json_leaves(profile, "profile.js:$"):
            report.add_field(leaf, "", _NOT_CARRIED, "", "the vault's own keys and settings")
        return _read_vault(files, keys, options, report)


def _read_vault(
    files: _Files, keys: _Keys, options: ReadOptions, report: MigrationReport
) -> cxf.Document:
    folders = _folders(files, keys, report)
    tree = CollectionTree(lambda p: stable_id(KEY, "collection", *p))
    vault = VaultBuilder(report, key=KEY, rp_id=EXPORTER_RP_ID, app="1Password",
                         include_trashed=options.include_trashed, collections=tree)  # fmt: skip
    attachments: dict[str, list[str]] = {}
    for name in files.names:
        found = _ATTACHMENT.match(name)
        if found:
            attachments.setdefault(found.group(1).upper(), []).append(name)
    used: set[str] = set()
    for band in (n for n in files.names if _BAND.match(n)):
        where = f"{files.where.rstrip('/')}/{band}"
        items = _js_object(files.read(band), b"ld(", where)
        if not isinstance(items, dict):
            raise DecodeError("a band file holds no object of items", location=where)
        for uuid, raw in items.items():
            path = f"{band}:$.{uuid}"
            _one(vault, raw, path, keys, folders, attachments, files, used, options)
    for name in files.names:
        if _ATTACHMENT.match(name) and name not in used:
            report.add_field(f"file:{name}", "", _NOT_CARRIED, "", "an attachment of no item read")
        elif (
            name not in used and not _BAND.match(name) and name not in ("profile.js", "folders.js")
        ):
            report.add_field(f"file:{name}", "", _NOT_CARRIED, "", "not a file of the vault format")
    return vault.build(account_id=stable_id(KEY, "account"))


def _folders(files: _Files, keys: _Keys, report: MigrationReport) -> dict[str, tuple[str, str]]:
    """``folders.js``: folder uuid → (title, parent uuid); titles decrypted."""
    if "folders.js" not in files.names:
        return {}
    where = f"{files.where.rstrip('/')}/folders.js"
    data = _js_object(files.read("folders.js"), b"loadFolders(", where)
    found: dict[str, tuple[str, str]] = {}
    if not isinstance(data, dict):
        return found
    for uuid, folder in data.items():
        at = f"folders.js:$.{uuid}"
        title = ""
        if isinstance(folder, dict) and isinstance(folder.get("overview"), str):
            try:
                plain = decrypt_opdata(_b64(folder["overview"], "a folder's overview"),
                                       *keys.overview, what="a folder's overview")  # fmt: skip
                overview = json.loads(plain)
                title = scalar_text(overview.get("title")) or "" if isinstance(overview, dict) else ""  # fmt: skip
            except (CxkitError, ValueError):
                title = ""
        parent = scalar_text(folder.get("parent")) if isinstance(folder, dict) else None
        found[str(uuid)] = (title or str(uuid), parent or "")
        for leaf in json_leaves(folder, at):
            named = leaf == f"{at}.overview" and bool(title)
            report.add_field(leaf, title, Disposition.MEMBER if named else _NOT_CARRIED,
                             "collection.title" if named else "",
                             "" if named else "the folder's own bookkeeping")  # fmt: skip
    return found


def _folder_path(folders: dict[str, tuple[str, str]], uuid: str | None) -> tuple[str, ...]:
    path: list[str] = []
    seen: set[str] = set()
    while uuid and uuid in folders and uuid not in seen and len(path) < 32:
        seen.add(uuid)
        title, uuid = folders[uuid]
        path.append(title)
    return tuple(reversed(path))


def _one(
    vault: VaultBuilder,
    raw: Any,
    path: str,
    keys: _Keys,
    folders: dict[str, tuple[str, str]],
    attachments: dict[str, list[str]],
    files: _Files,
    used: set[str],
    options: ReadOptions,
) -> None:
    """Decrypt one item (``o``, ``k``, ``d``) and read it; an item that cannot be decrypted is
    skipped and reported (its fields not carried), the others are read."""
    report = vault.report
    if not isinstance(raw, dict):
        report.skip_item(path, "not a JSON object")
        report.add_field(path, "", _NOT_CARRIED, "", "item is not an object")
        return
    item = dict(raw)
    item_keys: tuple[bytes, bytes] | None = None
    try:
        if raw.get("o") is not None:
            item["o"] = json.loads(decrypt_opdata(_b64(raw["o"], "the item's overview"),
                                                  *keys.overview, what="the item's overview"))  # fmt: skip
        item_keys = _item_key(_b64(raw.get("k"), "the item key"), *keys.master)
        if raw.get("d") is not None:
            item["d"] = json.loads(decrypt_opdata(_b64(raw["d"], "the item's details"),
                                                  *item_keys, what="the item's details"))  # fmt: skip
    except (CxkitError, ValueError) as exc:
        why = exc.message if isinstance(exc, CxkitError) else "its decrypted data is not JSON"
        report.skip_item(path, f"cannot be decrypted: {why}")
        for leaf in json_leaves(raw, path):
            report.add_field(leaf, "", _NOT_CARRIED, "", "item cannot be decrypted")
        return
    del item["k"]
    report.add_field(f"{path}.k", "", _NOT_CARRIED, "", "the item's own key (used to decrypt it)")
    for member, why in (("tx", "1Password's sync time"), ("hmac", "1Password's integrity tag")):
        if member in item:
            del item[member]
            report.add_field(f"{path}.{member}", "", _NOT_CARRIED, "", why)
    uuid = scalar_text(raw.get("uuid")) or ""
    mine = attachments.get(uuid.upper(), []) if uuid else []

    def extra(walk: ItemWalk) -> None:
        for name in mine:
            used.add(name)
            _attachment(walk, name, files, keys, item_keys)

    fave = raw.get("fave")
    read_item(
        vault, item, path, key=KEY, layout=LAYOUT,
        category=scalar_text(raw.get("category")) or "", item_members=_ITEM_MEMBERS,
        collection=_folder_path(folders, scalar_text(raw.get("folder"))), options=options,
        trashed=raw.get("trashed") is True, favorite=fave is not None and fave is not False,
        extra=extra if mine else None,
    )  # fmt: skip


def _attachment(
    walk: ItemWalk, name: str, files: _Files, keys: _Keys, item_keys: tuple[bytes, bytes] | None
) -> None:
    """One ``.attachment`` file: ``OPCLDAT`` ‖ version ‖ metadata length (u16) ‖ 2 bytes ‖ icon
    length (u32) ‖ metadata JSON (``overview`` encrypted: the file name) ‖ icon ‖ the content
    (``opdata01`` under the item keys) → a CXF file credential."""
    at = f"file:{name}"
    try:
        data = files.read(name)
        if len(data) < 16 or not data.startswith(b"OPCLDAT") or item_keys is None:
            raise DecodeError("not an OPVault attachment")
        meta_len, icon_len = struct.unpack("<H", data[8:10])[0], struct.unpack("<I", data[12:16])[0]
        meta = json.loads(data[16 : 16 + meta_len])
        overview = json.loads(decrypt_opdata(_b64(meta.get("overview"), "attachment overview"),
                                             *keys.overview, what="the attachment's overview"))  # fmt: skip
        content = decrypt_opdata(data[16 + meta_len + icon_len :], *item_keys,
                                 what="the attachment")  # fmt: skip
    except InputTooLargeError:
        raise
    except (CxkitError, ValueError, AttributeError) as exc:
        why = exc.message if isinstance(exc, CxkitError) else "its metadata cannot be read"
        walk.b.rec(at, _NOT_CARRIED, "", f"attachment: {why}")
        walk.lost.append(("file", why))
        return
    file_name = scalar_text(overview.get("filename")) if isinstance(overview, dict) else None
    fid = file_id(name)
    walk.attachments[fid] = content
    walk.b.add(
        m.File(
            id=fid,
            name=file_name or name,
            decrypted_size=len(content),
            integrity_hash=b64.encode(hashlib.sha256(content).digest()),
        )
    )
    walk.b.rec(at, Disposition.MEMBER, "file")
