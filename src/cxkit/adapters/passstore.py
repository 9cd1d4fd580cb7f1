"""pass (password-store) and gopass stores, read and written (``formats/other-managers.md`` §6).

A store is a folder: ``.gpg-id`` (the recipients' key ids, one a line) and one OpenPGP-encrypted
file per entry, ``Folder/Sub/title.gpg``; sub-folders are CXF collections. An entry's plaintext
follows pass's conventions (``passwordstore.org``, and pass-import's reading of them): the first
line is the password; then ``key: value`` lines — ``login``/``username``/``user`` (else
``email``) the user name, ``url``/``website``/… the URLs, ``otpauth://`` lines (or a
``totp:``/``otp:`` key) the TOTP, ``comments``/``notes`` the start of the note — and the other
lines the note. Other keys become custom fields. For pass-import's sake a first line that is
``key: value`` with a key of those (``comments: …``) is read as a field (the entry has no
password). gopass writes the same layout (its YAML marker line ``---`` is skipped);
``key: |`` starts a block of lines indented by two spaces (a multi-line value, as cxkit writes).

Decryption is the user's own GnuPG: ``gpg --batch --quiet --decrypt`` with their keys and agent
(:mod:`cxkit.adapters.kit.gpg`); cxkit never sees the key's passphrase. Writing encrypts each
entry to the recipients of the destination's ``.gpg-id`` (or ``--recipient``; pass's
``PASSWORD_STORE_KEY`` overrides as in pass), plaintext only on gpg's standard input. The
writer's bytes are a zip of the new files; the CLI adds them to the DEST folder, never
replacing an existing entry (``cxkit.cli._io.write_folder``).

Inputs: a store folder (detected by its ``.gpg-id``), a zip of one (``.gpg-id`` at its top), or
one ``.gpg`` entry with ``--from password-store``.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
    accepts_by_hints,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import Val, VaultBuilder, stable_id
from cxkit.adapters.kit.values import credential_members, format_totp
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError, OutputError

__all__ = [
    "GPG_ID",
    "PassEntry",
    "PassStoreAdapter",
    "PassStoreWriteOptions",
    "format_entry",
    "parse_entry",
    "store_recipients",
]

GPG_ID: Final = ".gpg-id"
KEY: Final = "password-store"
#: Bounds of a store read: entries, and bytes of one encrypted or decrypted entry
MAX_ENTRIES: Final = 100_000
MAX_ENTRY: Final = 16 << 20
_DECRYPT_WORKERS: Final = 4

_USER_KEYS: Final = ("login", "username", "user", "user name")
_MAIL_KEYS: Final = ("email", "e-mail", "mail")
_URL_KEYS: Final = frozenset({"url", "urls", "website", "site", "link", "uri", "web"})
_TOTP_KEYS: Final = frozenset({"totp", "otp", "otpauth"})
_NOTE_KEYS: Final = frozenset({"comments", "comment", "notes", "note", "description"})
_PASSWORD_KEYS: Final = frozenset({"password", "pass", "pw"})
_FIRST_LINE_KEYS: Final = (
    frozenset(_USER_KEYS) | frozenset(_MAIL_KEYS) | _URL_KEYS | _NOTE_KEYS | _PASSWORD_KEYS
)
_HIDDEN_WORDS: Final = frozenset({"pin", "secret", "token", "password", "passphrase", "pass",
                                  "pw", "cvv", "cvc", "key", "code", "number", "seed"})  # fmt: skip
_WORD: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_KV: Final = re.compile(r"([^:\s][^:\n]{0,63}?):(?: (.*)|)\Z", re.DOTALL)


# =========================================================================== entries


@dataclass
class PassEntry:
    """One decrypted entry, as pass's conventions read it (values are secrets: no repr)."""

    password: str | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    """``key: value`` lines in order (key as written; multi-line ``key: |`` blocks joined)."""
    otpauth: list[str] = field(default_factory=list)
    note: str = ""
    note_key: str | None = None
    """The key that started the note (``comments``), or None for free lines."""

    def __repr__(self) -> str:
        return f"PassEntry(fields={[k for k, _ in self.fields]!r})"


def parse_entry(text: str) -> PassEntry:
    """The text of one entry → :class:`PassEntry` (see the module docstring). Never fails."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    entry = PassEntry()
    start = 0
    if lines and not _first_line_field(lines[0]):
        entry.password = lines[0]
        start = 1
    note: list[str] = []
    index = start
    while index < len(lines):
        line = lines[index]
        index += 1
        if entry.note_key is not None:
            note.append(line)
            continue
        if line.strip() == "---" and not note:
            continue  # gopass's YAML marker
        if line.startswith("otpauth://"):
            entry.otpauth.append(line.strip())
            continue
        found = _KV.match(line)
        if found is None:
            note.append(line)
            continue
        key, value = found.group(1).strip(), found.group(2) or ""
        if value.strip() in ("|", "|-"):  # a block of indented lines
            block = []
            while index < len(lines) and lines[index].startswith("  "):
                block.append(lines[index][2:])
                index += 1
            value = "\n".join(block)
        if key.lower() in _NOTE_KEYS:
            entry.note_key = key
            note.insert(0, value)  # the note starts with it; free lines seen so far follow
            continue
        entry.fields.append((key, value))
    while note and not note[-1].strip():
        note.pop()
    entry.note = "\n".join(note)
    return entry


def _lines(text: str) -> str:
    """*text* with its line breaks as ``\n`` (pass entries are lines; a lone CR breaks one)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _field_line(key: str, value: str) -> str:
    value = _lines(value)
    if "\n" in value or value.strip() in ("|", "|-"):
        return f"{key}: |\n" + "\n".join("  " + line for line in value.split("\n"))
    return f"{key}: {value}"


def format_entry(entry: PassEntry) -> str:
    """:class:`PassEntry` → the text of an entry (what :func:`parse_entry` reads back)."""
    lines = [(entry.password or "").split("\n", 1)[0]]
    lines += [_field_line(k, v) for k, v in entry.fields]
    lines += entry.otpauth
    if entry.note:
        lines.append(f"{entry.note_key or 'comments'}: {_lines(entry.note)}")
    return "\n".join(lines) + "\n"


# =========================================================================== reading


def _walk(root: Path, report: MigrationReport, max_bytes: int) -> Iterator[tuple[str, Path]]:
    """The entries of the store at *root*: (relative path with ``/``, file), sorted; hidden
    folders and files (``.git``, ``.gpg-id``) skipped, symbolic links not followed."""
    found: list[tuple[str, Path]] = []
    links = 0
    total = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(".gpg"):
                continue
            path = Path(folder) / name
            if path.is_symlink():
                links += 1
                continue
            rel = path.relative_to(root).as_posix()
            try:
                total += path.stat().st_size
            except OSError:
                continue
            if total > max_bytes:
                raise InputTooLargeError(
                    f"the store holds more than {max_bytes:,} bytes of entries",
                    location=str(root),
                    hint="pass --max-size with a larger number of bytes",
                )
            found.append((rel, path))
            if len(found) > MAX_ENTRIES:
                raise InputTooLargeError(
                    f"the store holds more than {MAX_ENTRIES:,} entries", location=str(root)
                )
    if links:
        report.warnings.append(
            f"{links} symbolic link{'s' if links != 1 else ''} in the store not followed"
        )
    found.sort()
    yield from found


def _zip_root(names: list[str] | tuple[str, ...]) -> str:
    """The folder of a zip that is the store (``""``, or ``pass/`` when the zip holds the store's
    folder): where the shallowest ``.gpg-id`` is."""
    ids = [n for n in names if n == GPG_ID or n.endswith("/" + GPG_ID)]
    if not ids:
        return ""
    shallowest = min(ids, key=lambda n: n.count("/"))
    return shallowest[: -len(GPG_ID)]


def _read_file(path: Path, location: str) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_ENTRY + 1)
    except OSError as exc:
        raise AdapterError(f"cannot read: {exc.strerror}", location=location) from None
    if len(data) > MAX_ENTRY:
        raise InputTooLargeError(f"larger than {MAX_ENTRY:,} bytes", location=location)
    return data


def _entries(
    sample: Sample, report: MigrationReport, options: ReadOptions
) -> list[tuple[str, Any]]:
    """(relative path, bytes or a Path to read) of every entry of the input."""
    if sample.folder is not None:
        return list(_walk(sample.folder, report, options.max_size))
    if sample.kind == "zip" or sample.data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        from cxkit.adapters.kit.input import zip_archive

        archive = zip_archive(sample.data, name=sample.name)
        every = archive.names()
        top = _zip_root(every)
        names = sorted(
            n for n in every
            if n.startswith(top) and n.endswith(".gpg")
            and not any(p.startswith(".") for p in n[len(top):].split("/"))
        )  # fmt: skip
        if len(names) > MAX_ENTRIES:
            raise InputTooLargeError(f"more than {MAX_ENTRIES:,} entries", location=sample.name)
        return [(n[len(top) :], archive.read(n)) for n in names]
    from cxkit.adapters.detection import openpgp_kind

    if openpgp_kind(sample.data) == "message":
        return [(posixpath.basename(sample.name.replace("\\", "/")) or "entry.gpg", sample.data)]
    raise AdapterError(
        "not a password store: give the store's folder (it holds .gpg-id and the .gpg entries), "
        "a zip of it, or one .gpg entry",
        location=sample.name or None,
    )


def _decrypt_all(entries: list[tuple[str, Any]], name: str) -> list[tuple[str, bytes | CxkitError]]:
    """Each entry decrypted (or the error that one got): the first alone (the agent may ask
    for the key's passphrase once), the rest a few at a time."""
    from concurrent.futures import ThreadPoolExecutor

    from cxkit.adapters.kit import gpg
    from cxkit.adapters.kit.gpg import ProgramMissingError

    gpg.gpg_program()  # a missing gpg is one clear error before any work

    def one(entry: tuple[str, Any]) -> tuple[str, bytes | CxkitError]:
        rel, source = entry
        location = f"{name}/{rel}" if name else rel
        try:
            data = source if isinstance(source, bytes) else _read_file(source, location)
            return rel, gpg.decrypt(data, location=location, max_output=MAX_ENTRY)
        except ProgramMissingError:
            raise
        except CxkitError as exc:
            return rel, exc

    if not entries:
        return []
    first = one(entries[0])
    if len(entries) == 1:
        return [first]
    with ThreadPoolExecutor(max_workers=_DECRYPT_WORKERS) as pool:
        return [first, *pool.map(one, entries[1:])]


def _hidden(key: str) -> bool:
    """Whether a field is a secret by a word of its name (``pin``, ``privateKey``, ``cvv``)."""
    return any(word.lower() in _HIDDEN_WORDS for word in _WORD.findall(key))


def _read_entry(vault: VaultBuilder, rel: str, plain: bytes | CxkitError) -> None:
    parts = rel[: -len(".gpg")].split("/") if rel.endswith(".gpg") else rel.split("/")
    b = vault.item(f"{rel}:", item_id=stable_id(KEY, rel), title=parts[-1])
    b.collection(parts[:-1], None)
    if isinstance(plain, CxkitError):
        b.fail(f"cannot be decrypted: {plain.message}",
               [Val("?", "entry")], note="not decrypted")  # fmt: skip
        return
    try:
        text = plain.decode("utf-8")
    except UnicodeDecodeError:
        b.fail("binary content (not text): cxkit carries text entries only",
               [Val("?", "entry")], note="binary content, not text")  # fmt: skip
        return
    if text.startswith("\ufeff"):
        text = text[1:]
    entry = parse_entry(text)
    username: Val | None = None
    password = Val(entry.password, "password") if entry.password else None
    urls: list[Val] = []
    rest: list[tuple[str, Val]] = []
    seen: dict[str, int] = {}
    for key, value in entry.fields:
        count = seen[key.lower()] = seen.get(key.lower(), 0) + 1
        v = Val(value, key if count == 1 else f"{key} ({count})")
        rest.append((key, v))
    keys = [k.lower() for k, _ in rest]
    user_key = next((k for k in (*_USER_KEYS, *_MAIL_KEYS) if k in keys), None)
    taken: set[int] = set()
    for index, (key, v) in enumerate(rest):
        lowered = key.lower()
        if lowered == user_key and username is None and v.text:
            username = v
        elif lowered in _URL_KEYS and v.text:
            urls.append(v)
        elif lowered in _PASSWORD_KEYS and password is None and v.text:
            password = v
        else:
            continue
        taken.add(index)
    b.login(username, password, urls)
    for number, uri in enumerate(entry.otpauth, 1):
        b.totp(Val(uri, "otpauth" if number == 1 else f"otpauth ({number})"))
    for index, (key, v) in enumerate(rest):
        if index in taken:
            continue
        if not v.text:
            b.rec(v.at, Disposition.NOT_CARRIED, "", "empty")
        elif key.lower() in _TOTP_KEYS:
            b.totp(v, label=key)
        else:
            b.custom(key, v, hidden=_hidden(key))
    if entry.note:
        b.note(Val(entry.note, entry.note_key or "note"))
    vault.add(b)


# =========================================================================== writing


@dataclass(frozen=True)
class PassStoreWriteOptions:
    """Where a store is written and to whom its entries are encrypted: *folder* (the DEST
    store or a new sub-folder of one; its ``.gpg-id`` names the recipients, and its existing
    entries are never replaced), *recipients* (``--recipient``: for a new store, written to its
    ``.gpg-id``)."""

    folder: str | None = None
    recipients: tuple[str, ...] = ()


def _read_gpg_id(path: Path) -> tuple[str, ...]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError("cannot read the store's .gpg-id", location=str(path)) from exc
    ids = tuple(w for line in text.splitlines() if (w := line.split("#", 1)[0].strip()))
    if not ids:
        raise OutputError("the store's .gpg-id names no key", location=str(path))
    return ids


def store_recipients(options: PassStoreWriteOptions) -> tuple[tuple[str, ...], bool]:
    """(the recipients, whether a new ``.gpg-id`` is written): ``--recipient``, else pass's
    ``PASSWORD_STORE_KEY``, else the nearest ``.gpg-id`` in the DEST folder or above it."""
    folder = Path(options.folder) if options.folder else None
    own = folder / GPG_ID if folder is not None else None
    if options.recipients:
        if own is not None and own.is_file() and _read_gpg_id(own) != options.recipients:
            raise OutputError(
                "this store already names its recipients in .gpg-id",
                location=str(own),
                hint="leave out --recipient to encrypt to them, or write to a new sub-folder",
            )
        return options.recipients, not (own is not None and own.is_file())
    env = os.environ.get("PASSWORD_STORE_KEY", "").split()
    if env:
        return tuple(env), False
    if folder is not None:
        for place in (folder.absolute(), *folder.absolute().parents):
            if (place / GPG_ID).is_file():
                return _read_gpg_id(place / GPG_ID), False
    raise OutputError(
        "no recipients to encrypt the entries to: the DEST folder is not in a password store",
        location=options.folder,
        hint="name your key with --recipient KEYID (a new store: .gpg-id is written), or "
        "give a folder of an existing store (pass init KEYID makes one)",
    )


_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_AS_LINES: Final = "as 'name: value' lines of the entry"
_NO_FILES: Final = "a pass entry is text: it holds no attachment"
WRITTEN: Final = ledger.Declaration(
    "pass",
    ledger.Table(
        {"title": (_C, "as the entry's file name"),
         "scope.urls": (_C, "as 'url:' lines"),
         "scope.androidApps": (_N, "pass entries hold no Android app")},
        default=(_N, "a pass entry is text: password, 'name: value' lines and a note"),
    ),
    {
        "basic-auth": ledger.Table(
            {**ledger.editable("password"), "username.value": (_C, "as the 'login:' line"),
             "username.fieldType": _C}
        ),
        "totp": ledger.Table(default=(_C, "as an otpauth:// line")),
        "note": ledger.Table(ledger.editable("content")),
        "custom-fields": ledger.Table(
            {"fields[].value": _C, "fields[].label": _C,
             "fields[].fieldType": (_T, "plain 'name: value' text")},
            default=(_N, "a pass entry has no custom-field groups"),
        ),
    },
    header=ledger.Table(default=(_N, "a password store has no export header")),
    accounts=ledger.Table(default=(_N, "a password store names no account")),
    collections=ledger.Table(
        {"title": (_C, "as a folder name"), "items[].item": (_C, "as the entry's folder")},
        default=(_N, "a store's folders have only a name"),
    ),
)  # fmt: skip
"""What the pass writer carries (:mod:`cxkit.adapters.kit.ledger`): logins, TOTP, notes and
custom fields as pass's text lines; other credentials flattened into ``name: value`` lines."""

_BAD_NAME: Final = re.compile(r"[\x00-\x1f/\\]")


def _safe_name(text: str) -> str:
    name = _BAD_NAME.sub("-", text).strip().lstrip(".")[:120]
    return name or "untitled"


def _homes(doc: cxf.Document) -> dict[str, tuple[str, ...]]:
    """Item id → the folder path of its first collection (depth first)."""
    homes: dict[str, tuple[str, ...]] = {}

    def visit(collection: m.Collection, path: tuple[str, ...]) -> None:
        here = (*path, _safe_name(collection.title))
        for link in collection.items:
            homes.setdefault(link.item, here)
        for sub in collection.sub_collections:
            visit(sub, here)

    for account in doc.accounts:
        for collection in account.collections:
            visit(collection, ())
    return homes


def _item_entry(item: m.Item) -> tuple[PassEntry, list[tuple[str, str] | None]]:
    """An item → its entry and the ledger mode of each credential."""
    entry = PassEntry()
    modes: list[tuple[str, str] | None] = []
    logins = groups = 0
    for cred in item.credentials:
        ctype = cxf.credential_type(cred)
        if isinstance(cred, m.BasicAuth) and logins == 0:
            logins += 1
            if cred.password is not None:
                entry.password = cred.password.value
            if cred.username is not None and cred.username.value:
                entry.fields.append(("login", cred.username.value))
            modes.append(ledger.written_as("basic-auth"))
        elif isinstance(cred, m.Totp):
            uri = format_totp(cred, "uri")
            if uri.startswith("otpauth://"):
                entry.otpauth.append(uri)
            else:  # steam://: a totp: line (read back as a TOTP too)
                entry.fields.append(("totp", uri))
            modes.append(ledger.written_as("totp"))
        elif isinstance(cred, m.Note) and not entry.note:
            entry.note = cred.content.value
            modes.append(ledger.written_as("note"))
        elif isinstance(cred, m.CustomFields):
            for f in cred.fields:
                entry.fields.append((_safe_key(f.label or "field"), f.value))
            # one group is read back as one custom-fields credential; further groups merge
            modes.append(ledger.written_as("custom-fields" if groups == 0 else ledger.FIELDS))
            groups += 1
        elif isinstance(cred, m.File):
            modes.append((ledger.DROPPED, _NO_FILES))
        else:
            for member in credential_members(cred, ctype):
                if member.text:
                    entry.fields.append((_safe_key(member.name.replace(": ", ".")), member.text))
            modes.append(ledger.written_as(ledger.FIELDS))
    for url in item.scope.urls if item.scope is not None else ():
        entry.fields.append(("url", url))
    password = entry.password
    if password is not None and (_lines(password) != password or _first_line_field(password)):
        entry.fields.insert(0, ("password", password))
        entry.password = None
    return entry, modes


def _first_line_field(line: str) -> bool:
    """Whether a first line would be read as a ``key: value`` field (pass-import's rule)."""
    found = _KV.match(line)
    return found is not None and found.group(1).strip().lower() in _FIRST_LINE_KEYS


def _safe_key(text: str) -> str:
    key = re.sub(r"[:\n\r]", "-", text).strip()[:64]
    if not key or key.lower() in _FIRST_LINE_KEYS | _TOTP_KEYS:
        key = f"field {key}".strip()
    return key


def write_store(
    doc: cxf.Document, options: PassStoreWriteOptions, report: MigrationReport
) -> bytes:
    """*doc* as a password store: a zip of ``Folder/title.gpg`` files encrypted to the
    recipients (and ``.gpg-id`` for a new store). Entries already in the DEST folder are refused
    before anything is encrypted (the error names the entry, never its content)."""
    from cxkit.adapters.kit import gpg

    recipients, new_store = store_recipients(options)
    gpg.gpg_program()
    homes = _homes(doc)
    folder = Path(options.folder) if options.folder else None
    planned: list[tuple[str, m.Item, PassEntry, list[tuple[str, str] | None], str]] = []
    used: set[str] = set()
    for a_index, account in enumerate(doc.accounts):
        for i_index, item in enumerate(account.items):
            path = (*homes.get(item.id, ()), _safe_name(item.title))
            rel = "/".join(path)
            number = 1
            while rel.lower() in used:
                number += 1
                rel = "/".join((*path[:-1], f"{path[-1]} ({number})"))
            used.add(rel.lower())
            if folder is not None and (folder / f"{rel}.gpg").exists():
                raise OutputError(
                    f"the entry {rel} already exists in the store; nothing was written",
                    location=str(folder),
                    hint="write to a new sub-folder of the store (pass never overwrites either)",
                )
            entry, modes = _item_entry(item)
            planned.append((rel, item, entry, modes, f"$.accounts[{a_index}].items[{i_index}]"))
    WRITTEN.record_document(report, doc)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        if new_store or folder is None:  # a store of its own (a zip): its .gpg-id too
            _add(archive, GPG_ID, ("\n".join(recipients) + "\n").encode())
        for rel, item, entry, modes, where in planned:
            data = gpg.encrypt(format_entry(entry).encode("utf-8"), recipients, location=rel)
            _add(archive, f"{rel}.gpg", data)
            WRITTEN.record(report, where, item, modes)
            for index, cred in enumerate(item.credentials):
                mode = modes[index]
                if mode is not None and mode[0] == ledger.DROPPED:
                    outcome, note = Outcome.NOT_CARRIED, mode[1]
                elif mode is not None and mode[0] == ledger.FIELDS:
                    outcome, note = Outcome.TRANSFORMED, _AS_LINES
                else:
                    outcome, note = Outcome.CARRIED, ""
                report.add_credential("write", cxf.credential_type(cred), item.title, outcome,
                                      note, key=(item.id, index))  # fmt: skip
            report.items_written += 1
    report.plaintext = False
    report.encrypted = True
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o600 << 16
    archive.writestr(info, data)


# =========================================================================== the adapter


class PassStoreAdapter:
    info: Final = AdapterInfo(
        key=KEY,
        app="pass (password-store), gopass",
        format="a store folder of OpenPGP-encrypted entries (.gpg-id, **/*.gpg), via gpg",
        versions="pass 1.x; gopass (same layout)",
        capabilities=Capability.READ | Capability.WRITE | Capability.ENCRYPTED | Capability.FOLDER,
        credential_types=frozenset({"basic-auth", "totp", "note", "custom-fields"}),
        how_to_import=(
            "pass and gopass use the folder as it is (pass show NAME); to add entries to a store "
            "you already use, write them into a new sub-folder of it "
            "(-o ~/.password-store/imported): cxkit never replaces an entry."
        ),
        how_to_export=(
            "Nothing to export: give cxkit the store's folder (~/.password-store, or "
            "$PASSWORD_STORE_DIR; gopass: ~/.local/share/gopass/stores/root). Each entry is "
            "decrypted by your own gpg and its agent (GNUPGHOME is respected), which asks for "
            "your key's passphrase itself. Writing: -o DIR --to password-store encrypts to the "
            "keys in DIR's .gpg-id (or --recipient KEYID for a new store)."
        ),
        folder_marker=GPG_ID,
        zip_members=(GPG_ID,),
        plaintext=False,
        write_options=(PassStoreWriteOptions,),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """A folder holding ``.gpg-id`` or a sub-folder of one (pass reads those as stores
        too), or a zip with ``.gpg-id`` at its top or in its one top folder (LIKELY)."""
        found = accepts_by_hints(self.info, sample)
        if found is Confidence.NO and sample.folder is not None:
            above = sample.folder.absolute().parents
            if any((p / GPG_ID).is_file() for p in list(above)[:16]):
                return Confidence.LIKELY
        names = sample.zip_names
        if found is Confidence.NO and names is not None:  # a zip of the store's folder
            top = _zip_root(names)
            if top and top.count("/") == 1 and any(n.startswith(top) and n.endswith(".gpg")
                                                   for n in names):  # fmt: skip
                return Confidence.LIKELY
        return found

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        entries = _entries(sample, report, options)
        vault = VaultBuilder(report, key=KEY, rp_id="passwordstore.org", app="pass",
                             include_trashed=options.include_trashed)  # fmt: skip
        results = _decrypt_all(entries, sample.name)
        errors = [r for _, r in results if isinstance(r, CxkitError)]
        if results and len(errors) == len(results):
            raise errors[0]  # nothing could be decrypted: one clear error, not N skipped items
        for rel, plain in results:
            _read_entry(vault, rel, plain)
        return vault.build(account_id=stable_id(KEY, "account"))

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        return write_store(doc, options.get(PassStoreWriteOptions), report)
