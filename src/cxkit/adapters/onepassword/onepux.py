"""1Password 1PUX export (``../shared/formats/onepassword.md`` §1): a ZIP with
``export.attributes``, ``export.data`` (``{accounts: [{attrs, vaults: [{attrs, items}]}]}``) and
``files/<documentId>__<name>`` (documents and file attachments).

Every category through :mod:`.mapping`; vaults become collections (nested under their account's
name when the export holds several accounts); archived items follow the trash policy — skipped
and reported unless ``--include-trashed``; favourites (``favIndex``), tags, times; passkeys the
export names (``details.passkey``, no private key) are listed to re-create.

The usual items (logins, secure notes and passwords of the usual members) take a lean path
(:func:`_lean_items`) that makes the same item, report records and order as the item walk,
without its per-leaf bookkeeping; every other item goes through :func:`read_item`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import msgspec

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import CollectionTree, Val, VaultBuilder, stable_id, stable_ids
from cxkit.adapters.kit.input import parse_json, zip_archive
from cxkit.adapters.kit.values import json_leaves, parse_time, parse_totp, scalar_text
from cxkit.adapters.onepassword.mapping import (
    _ADDRESS,
    _CARD,
    _NAME,
    CREDENTIAL_TYPES,
    EXTENSION,
    ItemWalk,
    Layout,
    _convert,
    _date_text,
    _noise,
)
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecodeError, InputTooLargeError

__all__ = ["EXPORTER_RP_ID", "OnePuxAdapter", "read_item"]

EXPORTER_RP_ID: Final = "1password.com"
KEY: Final = "1password-1pux"
LAYOUT: Final = Layout(
    details="details",
    title=("overview", "title"),
    url=("overview", "url"),
    urls=("overview", "urls"),
    url_keys=("url", "label"),
    tags=("overview", "tags"),
    legacy=False,
)
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_MEMBER: Final = Disposition.MEMBER
_Rec = tuple[str, Disposition, str, str]  # a field record: (at, disposition, target, note)


def _leaf_records(
    report: MigrationReport,
    item: str,
    rows: list[tuple[str, Disposition, str, str]],
) -> None:
    """Record *rows* ``(path, disposition, target, note)`` of *item* as the item builders do:
    kept pending (:meth:`FieldRecords.add_item`, an empty path prefix) — ``add_field`` between
    two vaults' items would expand every pending record of the items before it."""
    if rows:
        report.field_records().add_item("", item, rows)


def _text(obj: Any, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) and value else None


_TIMES: Final = (
    ("createdAt", ".createdAt", True), ("updatedAt", ".updatedAt", False),
    ("created", ".created", True), ("updated", ".updated", False),
)  # fmt: skip
_MEMBERS: dict[int, tuple[Mapping[str, str], list[tuple[str, str, str]]]] = {}


def _members(item_members: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(member, its path, target)`` of *item_members* (each reader passes one constant
    table for every item: the paths made once)."""
    found = _MEMBERS.get(id(item_members))
    if found is not None and found[0] is item_members:
        return found[1]
    out = [(member, f".{member}", target) for member, target in item_members.items()]
    if len(_MEMBERS) < 16:
        _MEMBERS[id(item_members)] = (item_members, out)
    return out


def read_item(
    vault: VaultBuilder,
    raw: Any,
    path: str,
    *,
    key: str,
    layout: Layout,
    category: str,
    item_members: Mapping[str, str],
    collection: tuple[str, ...],
    options: ReadOptions,
    files: Any = None,
    files_note: str = "export.data alone holds no file contents (read the .1pux)",
    trashed: bool = False,
    trash_word: str = "in the trash",
    favorite: bool | None = None,
    extra: Any = None,
) -> None:
    """One 1Password item (any of the JSON shapes) → the vault: *item_members* names the
    item-level members already interpreted by the caller (member → the record's target);
    *extra*: a hook ``(walk) → None`` adding what only this format has (OPVault attachments).
    An item that cannot be read is skipped (every leaf not carried); the others go on."""
    report = vault.report
    if not isinstance(raw, dict):
        report.skip_item(path, "not a JSON object")
        _leaf_records(report, "", [(leaf, _NOT_CARRIED, "", "item is not an object")
                                   for leaf in json_leaves(raw, path)])  # fmt: skip
        return
    uuid = _text(raw, "uuid")
    item_id = stable_id(key, uuid or path)
    used: set[str] = vault.state.setdefault("ids", set())
    if item_id in used:
        item_id = stable_id(key, path)
    used.add(item_id)
    title: Any = raw
    for part in layout.title:
        title = title.get(part) if isinstance(title, dict) else None
    b = vault.item(
        path, item_id=item_id, title=title if isinstance(title, str) else "", extension=EXTENSION
    )
    walk = ItemWalk(b, raw, layout, category, files=files, files_note=files_note)
    try:
        for member, at, target in _members(item_members):
            value = raw.get(member)
            if value is None:
                continue
            if type(value) is str or type(value) is int:  # the usual leaf: no walk
                walk.rec(at, _MEMBER, target)
            else:
                for leaf in json_leaves(value, at):
                    walk.rec(leaf, _MEMBER, target)
        for member, at, created in _TIMES:
            value = raw.get(member)
            if type(value) is int and value > 0:
                if created:
                    b.created_text(str(value), at)
                else:
                    b.modified_text(str(value), at)
                walk.seen.add(at)
        if favorite is not None:
            b.favorite_flag = favorite or None
        b.collection(collection, None)
        walk.build()
        if extra is not None:
            extra(walk)
        walk.sweep()
        if trashed and not options.include_trashed:
            b.fail(f"{trash_word} (--include-trashed reads it)", note=trash_word)
            return
        if trashed:
            b.ext["trashed"] = True
    except InputTooLargeError:
        raise
    except (CxkitError, msgspec.ValidationError, ValueError, TypeError) as exc:
        why = exc.message if isinstance(exc, CxkitError) else "a value cannot be read"
        b.fail(f"cannot be read: {why}", [Val("?", leaf) for leaf in json_leaves(raw, "")])
        return
    for kind, why in walk.lost:
        report.add_credential("read", kind, b.title, Outcome.NOT_CARRIED, why)
    if vault.add(b) is not None:
        options.attachments.update(walk.attachments)


class _Files:
    """``files/<documentId>__<name>`` of a 1PUX by document id (or, without one, by name)."""

    def __init__(self, archive: Any, names: list[str]) -> None:
        self.archive = archive
        self.members = [n for n in names if n.startswith("files/") and not n.endswith("/")]
        self.used: set[str] = set()
        self.by_id: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for member in self.members:
            document_id, _, file_name = member[len("files/") :].partition("__")
            self.by_id.setdefault(document_id, member)
            self.by_name.setdefault(file_name or document_id, member)

    def __call__(self, document_id: str, name: str) -> bytes | None:
        member = self.by_id.get(document_id) if document_id else self.by_name.get(name)
        if member is None:
            return None
        self.used.add(member)
        data: bytes = self.archive.read(member)
        return data


class OnePuxAdapter:
    info: Final = AdapterInfo(
        key=KEY,
        app="1Password",
        format="1PUX export (ZIP, unencrypted)",
        versions="1Password 8 (1PUX version 3)",
        capabilities=Capability.READ,
        credential_types=CREDENTIAL_TYPES,
        how_to_export=(
            "1Password 8 (desktop): File → Export → choose the account → format '1PUX'. "
            "Archived items are skipped unless --include-trashed. Passkeys are not exported by "
            "1Password (the report lists the sites to re-create them on)."
        ),
        extensions=(".1pux",),
        zip_members=("export.data",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        names = sample.zip_names
        if names is None:  # export.data taken out of the ZIP: accounts of {attrs, vaults}
            entries = sample.json_entries("accounts", 4) if sample.json_ok else None
            if entries and all(isinstance(e, dict) and {"attrs", "vaults"} <= e.keys() for e in entries):  # fmt: skip
                return Confidence.LIKELY
            return Confidence.NO
        if "export.data" not in names:
            return Confidence.NO
        if "export.attributes" in names:
            return Confidence.CERTAIN
        return Confidence.LIKELY

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        if not sample.data.startswith(b"PK"):  # export.data on its own (no files)
            data = sample.parsed_json()
            return read_data(data, report, options, name=name)
        archive = zip_archive(sample.data, name=name)
        names = archive.names()
        if "export.data" not in names:
            raise AdapterError("no export.data in this ZIP: not a 1Password 1PUX export",
                               location=name or None)  # fmt: skip
        data = parse_json(archive.read("export.data"), name=f"{name}: export.data")
        if "export.attributes" in names:
            attrs = parse_json(archive.read("export.attributes"), name=f"{name}: export.attributes")
            for leaf in json_leaves(attrs, "export.attributes:$"):
                report.add_field(leaf, "", _NOT_CARRIED, "", "the export's own metadata")
        files = _Files(archive, names)
        doc = read_data(data, report, options, name=name, files=files)
        _leaf_records(report, "", [
            (f"zip:{member}", _MEMBER, "file (bytes)", "") if member in files.used
            else (f"zip:{member}", _NOT_CARRIED, "", "a file no item refers to")
            for member in files.members
        ])  # fmt: skip
        return doc


_ITEM_MEMBERS: Final = {
    "uuid": "item.id",
    "categoryUuid": "credential types (the item's category)",
    "favIndex": "item.favorite",
    "state": "trash",
    "trashed": "trash",
}


def read_data(
    data: Any, report: MigrationReport, options: ReadOptions, *, name: str = "", files: Any = None
) -> cxf.Document:
    """The decoded ``export.data`` → a CXF document."""
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise DecodeError("export.data has no 'accounts' list: not a 1PUX export",
                          location=f"{name}: export.data" if name else "export.data")  # fmt: skip
    accounts: list[Any] = data["accounts"]
    tree = CollectionTree(lambda p: stable_id(KEY, "collection", *p))
    vault = VaultBuilder(report, key=KEY, rp_id=EXPORTER_RP_ID, app="1Password",
                         include_trashed=options.include_trashed, collections=tree)  # fmt: skip
    for key, value in data.items():
        if key != "accounts":
            _leaf_records(report, "", [(leaf, _NOT_CARRIED, "", "member unknown to cxkit")
                                       for leaf in json_leaves(value, f"$.{key}")])  # fmt: skip
    several = len(accounts) > 1
    for ai, account in enumerate(accounts):
        a_at = f"$.accounts[{ai}]"
        if not isinstance(account, dict):
            _leaf_records(report, "", [(leaf, _NOT_CARRIED, "", "account is not an object")
                                       for leaf in json_leaves(account, a_at)])  # fmt: skip
            continue
        attrs: dict[str, Any] = account["attrs"] if isinstance(account.get("attrs"), dict) else {}
        account_name = _text(attrs, "accountName") or _text(attrs, "name") or f"account {ai + 1}"
        rows: list[tuple[str, Disposition, str, str]] = []
        for k, v in attrs.items():
            target, why = "", "the 1Password account's details (not credentials)"
            if k in ("accountName", "name") and several:
                target, why = "collection.title", ""
            disposition = _MEMBER if target else _NOT_CARRIED
            rows += [(leaf, disposition, target, why) for leaf in json_leaves(v, f"{a_at}.attrs.{k}")]  # fmt: skip
        _leaf_records(report, account_name, rows)
        _leaf_records(report, "", [
            (leaf, _NOT_CARRIED, "", "member unknown to cxkit")
            for k, v in account.items() if k not in ("attrs", "vaults")
            for leaf in json_leaves(v, f"{a_at}.{k}")
        ])  # fmt: skip
        vaults = account.get("vaults")
        for vi, v in enumerate(vaults if isinstance(vaults, list) else []):
            _vault(vault, v, f"{a_at}.vaults[{vi}]", (account_name,) if several else (), options,
                   files)  # fmt: skip
    return vault.build(account_id=stable_id(KEY, "account"))


def _vault(
    vault: VaultBuilder,
    v: Any,
    at: str,
    parent: tuple[str, ...],
    options: ReadOptions,
    files: Any,
) -> None:
    report = vault.report
    if not isinstance(v, dict):
        _leaf_records(report, "", [(leaf, _NOT_CARRIED, "", "vault is not an object")
                                   for leaf in json_leaves(v, at)])  # fmt: skip
        return
    attrs: dict[str, Any] = v["attrs"] if isinstance(v.get("attrs"), dict) else {}
    title = _text(attrs, "name") or _text(attrs, "uuid") or "vault"
    path = (*parent, title)
    vault.tree.add(path)
    rows: list[tuple[str, Disposition, str, str]] = []
    for k, value in attrs.items():
        target, why = {
            "name": ("collection.title", ""),
            "desc": ("", "the vault's description"),
        }.get(k, ("", "the vault's own settings"))
        disposition = _MEMBER if target else _NOT_CARRIED
        rows += [(leaf, disposition, target, why) for leaf in json_leaves(value, f"{at}.attrs.{k}")]  # fmt: skip
    rows += [
        (leaf, _NOT_CARRIED, "", "member unknown to cxkit")
        for k, value in v.items() if k not in ("attrs", "items")
        for leaf in json_leaves(value, f"{at}.{k}")
    ]  # fmt: skip
    _leaf_records(report, title, rows)
    items = v.get("items")
    found = vault.state.get("lean")
    if found is None:
        found = vault.state["lean"] = _lean_items(vault)
    prepare, lean = found
    if isinstance(items, list):
        prepare(items)
    for ii, raw in enumerate(items if isinstance(items, list) else []):
        if lean(raw, f"{at}.items[{ii}]", path):
            continue
        category = scalar_text(raw.get("categoryUuid")) if isinstance(raw, dict) else None
        fav = raw.get("favIndex") if isinstance(raw, dict) else None
        read_item(
            vault, raw, f"{at}.items[{ii}]", key=KEY, layout=LAYOUT, category=category or "",
            item_members=_ITEM_MEMBERS, collection=path, options=options, files=files,
            trashed=isinstance(raw, dict) and (raw.get("state") == "archived" or raw.get("trashed") is True),
            trash_word="in the trash" if isinstance(raw, dict) and raw.get("trashed") is True else "archived in 1Password",
            favorite=isinstance(fav, int) and not isinstance(fav, bool) and fav > 0,
        )  # fmt: skip


# =========================================================================== the lean path

_LEAN_TOP: Final = frozenset(
    {"uuid", "favIndex", "createdAt", "updatedAt", "state", "categoryUuid", "details", "overview"}
)
_LEAN_DETAILS: Final = frozenset(
    {"loginFields", "notesPlain", "sections", "password", "passwordHistory"}
)
_LEAN_HISTORY: Final = frozenset({"value", "time"})
_EMPTY_KEYS: Final = frozenset({"notesPlain", "password"})
_HISTORY_TARGET: Final = "custom-fields[Password history]"
_HISTORY_OUTCOME: Final = (
    Outcome.TRANSFORMED,
    "1Password password history as hidden custom fields",
)
_CUSTOM: Final = Disposition.CUSTOM_FIELD
_LEAN_LOGIN: Final = frozenset({"value", "id", "name", "fieldType", "designation"})
_LEAN_SECTION: Final = frozenset({"title", "name", "fields"})
_LEAN_FIELD: Final = frozenset(
    {"title", "id", "value", "guarded", "multiline", "dontGenerate", "inputTraits"}
)
_LEAN_URL: Final = frozenset({"url", "label"})
_LEAN_CATEGORIES: Final = frozenset({"001", "002", "003", "004", "005"})
_SCALARS: Final = (str, int, float, bool, type(None))
#: Records of the lean path (``(at, disposition, target, note)``, as the item walk makes them)
_UUID_REC: Final = (".uuid", _MEMBER, "item.id", "")
_CATEGORY_REC: Final = (".categoryUuid", _MEMBER, "credential types (the item's category)", "")
_FAVORITE_REC: Final = (".favIndex", _MEMBER, "item.favorite", "")
_STATE_REC: Final = (".state", _MEMBER, "trash", "")
_CREATED_REC: Final = (".createdAt", _MEMBER, "item.creationAt", "")
_MODIFIED_REC: Final = (".updatedAt", _MEMBER, "item.modifiedAt", "")
_TITLE_REC: Final = (".overview.title", _MEMBER, "item.title", "")
_NOTES_REC: Final = (".details.notesPlain", _MEMBER, "note.content", "")
_MAIN_URL_REC: Final = (".overview.url", _MEMBER, "scope.urls", "")
_EMPTY_URL_REC: Final = (".overview.url", _NOT_CARRIED, "", "empty")
_CARRIED_PLAIN: Final = (Outcome.CARRIED, "")
_STEAM: Final = (Outcome.TRANSFORMED, "Steam Guard: algorithm 'steam' is not registered in CXF 1.0")
_LOGIN_AT: Final = tuple(f".details.loginFields[{i}]" for i in range(8))
_LABEL_NOTE: Final = "a URL's label (CXF URLs have none)"


def _leaf_rec(at: str, value: object, disposition: Disposition, target: str) -> _Rec:
    """The record of one scalar leaf at *at*: not carried ("empty") when it holds nothing,
    else *disposition* to *target* (the walk's rule for every leaf it records)."""
    if value is None or value == "":
        return (at, _NOT_CARRIED, "", "empty")
    return (at, disposition, target, "")


def _meta(
    f: dict[str, Any], at: str, target: str, out: list[tuple[str, Disposition, str, str]]
) -> bool:
    """The records of a section field's describing members (all but its value) as the walk's
    ``rec_meta`` makes them, or False for a member that is not a scalar (left to the walk)."""
    for member, value in f.items():
        if member == "value":
            continue
        if type(value) is dict and member == "inputTraits":  # (its leaves: display settings)
            for key, v in value.items():
                if not isinstance(v, _SCALARS):
                    return False
                empty = v is None or v == ""
                out.append((f"{at}.inputTraits.{key}", _NOT_CARRIED, "",
                            "empty" if empty else "1Password display attributes"))  # fmt: skip
            continue
        if not isinstance(value, _SCALARS):
            return False
        out.append(_leaf_rec(f"{at}.{member}", value, _MEMBER, target))
    return True


_LeanItem = Callable[[Any, str, tuple[str, ...]], bool]
_LeanPrepare = Callable[[list[Any]], None]


def _lean_items(vault: VaultBuilder) -> tuple[_LeanPrepare, _LeanItem]:
    """The lean path of the usual 1PUX items: ``prepare(items)`` once per vault (the ids of its
    items made at once), then ``item(raw, path, collection)`` per item makes
    the item, its records and its credentials' outcomes as :func:`read_item` and the item walk
    make them — the same item, records and order (tested against them on generated and mutated
    exports) — and returns True; or returns False, having done nothing, for an item it leaves to
    them. It takes a login, secure note or password (categories 001, 003, 005) whose members
    are the usual ones of the usual types: designated user name and password login fields,
    sections of TOTP fields CXF can hold, notes, URLs, tags, times; 1Password's own overview
    members (``ps``, ``subtitle`` …) recorded not carried as the sweep records them. Anything
    else (an archived item, a custom field, an empty note, a member it does not know) goes to
    the item walk."""
    report = vault.report
    add_fields = report.field_records().add_item
    add_credentials = report.credential_records().add_made
    keep = vault.keep
    used: set[str] = vault.state.setdefault("ids", set())
    field, basic_auth, note_cls, scope_cls, item_cls = (
        m.EditableField, m.BasicAuth, m.Note, m.CredentialScope, m.Item,
    )  # fmt: skip
    card_cls, address_cls, person_cls, custom_cls = (
        m.CreditCard,
        m.Address,
        m.PersonName,
        m.CustomFields,
    )
    date_text = _date_text
    scalars, noise, carried, convert = _SCALARS, _noise, _CARRIED_PLAIN, _convert
    make_ids = stable_ids(KEY)

    noisy: dict[str, tuple[str, str | None]] = {}
    """An overview member's path and the sweep's reason for it (None: none) by its name."""
    ids: dict[str, str] = {}
    homes: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    """A vault's collection path → the item's collection paths (one per vault)."""

    def prepare(items: list[Any]) -> None:
        """Make the ids of the items of a vault at once (:meth:`Uuid5Ids.many`)."""
        names = [u for raw in items if type(raw) is dict and type(u := raw.get("uuid")) is str and u]  # fmt: skip
        ids.clear()
        ids.update(zip(names, make_ids.many(names), strict=True))

    def item(raw: Any, path: str, collection: tuple[str, ...]) -> bool:
        if type(raw) is not dict or not raw.keys() <= _LEAN_TOP:
            return False
        category = raw.get("categoryUuid")
        if type(category) is not str or category not in _LEAN_CATEGORIES:
            return False
        uuid = raw.get("uuid")
        if type(uuid) is not str or not uuid:
            return False
        recs: list[tuple[str, Disposition, str, str]] = [_UUID_REC, _CATEGORY_REC]
        favorite = False
        if "favIndex" in raw:
            fav = raw["favIndex"]
            if type(fav) is not int:
                return False
            favorite = fav > 0
            recs.append(_FAVORITE_REC)
        if "state" in raw:
            if raw["state"] != "active":
                return False
            recs.append(_STATE_REC)
        created = modified = None
        try:  # (a time it cannot read: the walk keeps it as a custom field)
            if "createdAt" in raw:
                created = _lean_seconds(raw["createdAt"])
                if created is None:
                    return False
                recs.append(_CREATED_REC)
            if "updatedAt" in raw:
                modified = _lean_seconds(raw["updatedAt"])
                if modified is None:
                    return False
                recs.append(_MODIFIED_REC)
        except (CxkitError, ValueError):
            return False
        overview = raw.get("overview", {})
        details = raw.get("details", {})
        if type(overview) is not dict or type(details) is not dict:
            return False
        if not details.keys() <= _LEAN_DETAILS:
            return False
        # the overview: title, URLs, tags; the rest 1Password's own (noise) or empty
        title = overview.get("title", "")
        if type(title) is not str:
            return False
        if title:
            recs.append(_TITLE_REC)
        urls: list[str] = []
        url_recs: list[tuple[str, Disposition, str, str]] = []
        main = overview.get("url", "")
        if type(main) is not str:
            return False
        if main:  # (first: the entries of urls are compared with it)
            urls.append(main)
            url_recs.append(_MAIN_URL_REC)
        swept: list[tuple[str, Disposition, str, str]] = []
        tags: tuple[str, ...] = ()
        for key, value in overview.items():
            known = noisy.get(key)  # (1Password's own members first: most of an overview)
            if known is not None:
                if not isinstance(value, scalars):
                    return False
                at, why = known
                if why is None:
                    text = scalar_text(value)
                    if text is not None and text.strip():
                        return False  # a custom field
                    why = "empty"
                swept.append((at, _NOT_CARRIED, "", why))
            elif key == "title":
                continue
            elif key == "url":
                if not main:
                    swept.append(_EMPTY_URL_REC)
            elif key == "urls":
                if type(value) is not list:
                    return False
                for i, entry in enumerate(value):
                    if type(entry) is not dict or not entry.keys() <= _LEAN_URL:
                        return False
                    url, label = entry.get("url", ""), entry.get("label", "")
                    if type(url) is not str or type(label) is not str or (label and not url):
                        return False
                    at = f".overview.urls[{i}]"
                    if url:
                        if url in urls:  # the main URL listed again
                            recs.append((f"{at}.url", _MEMBER, "scope.urls", "the same URL again"))
                        else:
                            urls.append(url)
                            url_recs.append((f"{at}.url", _MEMBER, "scope.urls", ""))
                        if label:
                            recs.append((f"{at}.label", _NOT_CARRIED, "", _LABEL_NOTE))
                    for member, text in entry.items():  # (in the entry's order)
                        if not text:
                            swept.append((f"{at}.{member}", _NOT_CARRIED, "", "empty"))
            elif key == "tags":
                if type(value) is not list or not all(type(t) is str and t for t in value):
                    return False
                tags = tuple(value)
            else:
                if not isinstance(value, scalars):
                    return False
                at = f".overview.{key}"  # (seen for the first time: its reason remembered)
                why = noise(at)
                if len(noisy) < 256:
                    noisy[key] = (at, why)
                if why is None:
                    text = scalar_text(value)
                    if text is not None and text.strip():
                        return False  # a custom field
                    why = "empty"
                swept.append((at, _NOT_CARRIED, "", why))
        # the login fields: a designated user name and password, each once
        username = password = ""
        username_at = password_at = ""
        fields = details.get("loginFields", [])
        if type(fields) is not list:
            return False
        for i, f in enumerate(fields):
            if type(f) is not dict or not f.keys() <= _LEAN_LOGIN:
                return False
            text, designation = f.get("value"), f.get("designation")
            if type(text) is not str or not text:
                return False
            at = _LOGIN_AT[i] if i < 8 else f".details.loginFields[{i}]"
            if designation == "username" and not username:
                username, username_at, target = text, f"{at}.value", "basic-auth.username"
            elif designation == "password" and not password:
                password, password_at, target = text, f"{at}.value", "basic-auth.password"
            else:
                return False
            for member, value in f.items():
                if member == "value":
                    continue
                if not isinstance(value, scalars):
                    return False
                recs.append(_leaf_rec(f"{at}.{member}", value, _MEMBER, target))
        if "password" in details:
            text = details["password"]
            if type(text) is not str or (text and password):
                return False  # (a second password: a custom field)
            if text:
                password, password_at = text, ".details.password"
        # sections of TOTP fields
        totps: list[tuple[m.Totp, list[tuple[str, Disposition, str, str]]]] = []
        card: dict[str, m.EditableField] = {}
        names: dict[str, m.EditableField] = {}
        addresses: list[m.Address] = []
        card_recs: list[tuple[str, Disposition, str, str]] = []
        sections = details.get("sections", [])
        if type(sections) is not list:
            return False
        for i, section in enumerate(sections):
            if type(section) is not dict or not section.keys() <= _LEAN_SECTION:
                return False
            s_at = f".details.sections[{i}]"
            if "title" in section:
                s_title = section["title"]
                if type(s_title) is not str:
                    return False
                recs.append(_leaf_rec(f"{s_at}.title", s_title, _MEMBER, "custom-fields.label"))
            if "name" in section:
                if type(section["name"]) is not str:
                    return False
                recs.append((f"{s_at}.name", _NOT_CARRIED, "", "1Password's section id"))
            s_fields = section.get("fields", [])
            if type(s_fields) is not list:
                return False
            for j, f in enumerate(s_fields):
                if type(f) is not dict or not f.keys() <= _LEAN_FIELD:
                    return False
                holder = f.get("value")
                if type(holder) is not dict or len(holder) != 1:
                    return False
                f_at = f"{s_at}.fields[{j}]"
                if category == "002":  # a card's members by field name, as the walk takes them
                    kind, value = next(iter(holder.items()))
                    if kind == "totp" or not isinstance(value, scalars) or value in (None, ""):
                        return False
                    name = f.get("id")
                    found = _CARD.get(name) if type(name) is str else None
                    if found is None or found[0] in card:
                        return False  # a custom field
                    attr, ftype = found
                    try:
                        text = None if ftype == "date" and kind != "date" else convert(value, ftype)
                    except (CxkitError, ValueError):
                        return False
                    if text is None:
                        return False
                    card[attr] = field(field_type=ftype, value=text)
                    target = f"credit-card.{attr}"
                    card_recs.append((f"{f_at}.value.{kind}", _MEMBER, target, ""))
                    if not _meta(f, f_at, target, card_recs):
                        return False
                    continue
                if category == "004":  # names and addresses, as the walk's identity() takes them
                    kind, value = next(iter(holder.items()))
                    name = f.get("id")
                    given = _NAME.get(name) if type(name) is str else None
                    if kind == "totp" or value is None or value == "":
                        return False
                    if given is not None and kind != "address":
                        text = scalar_text(value)
                        if not text or given in names:
                            return False  # a custom field
                        names[given] = field(field_type="string", value=text)
                        target = f"person-name.{given}"
                        card_recs.append((f"{f_at}.value.{kind}", _MEMBER, target, ""))
                    elif kind == "address" and type(value) is dict:
                        address: dict[str, m.EditableField] = {}
                        for key, v in value.items():
                            at = f"{f_at}.value.address.{key}"
                            if not isinstance(v, scalars):
                                return False
                            text = scalar_text(v)
                            if not text:
                                card_recs.append((at, _NOT_CARRIED, "", "empty"))
                                continue
                            spec = _ADDRESS.get(key)
                            try:
                                text = convert(v, spec[1]) if spec is not None else None
                            except (CxkitError, ValueError):
                                return False
                            if spec is None or text is None:
                                return False  # a custom field
                            address[spec[0]] = field(field_type=spec[1], value=text)
                            card_recs.append((at, _MEMBER, f"address.{spec[0]}", ""))
                        target = "address"
                        if address:
                            addresses.append(address_cls(**address))  # type: ignore[arg-type]
                    else:
                        return False  # a custom field
                    if not _meta(f, f_at, target, card_recs):
                        return False
                    continue
                text = holder.get("totp")
                if type(text) is not str or not text.strip():
                    return False
                try:
                    totp = parse_totp(text)[0]
                except (CxkitError, ValueError):
                    return False
                if totp is None:
                    return False
                meta: list[tuple[str, Disposition, str, str]] = [
                    (f"{f_at}.value.totp", _MEMBER, "totp", "")
                ]
                if not _meta(f, f_at, "totp", meta):
                    return False
                totps.append((totp, meta))
        notes = details.get("notesPlain", "")
        if type(notes) is not str:
            return False
        # the password history: hidden custom fields of their own
        history: list[m.EditableField] = []
        history_recs: list[tuple[str, Disposition, str, str]] = []
        if "passwordHistory" in details:
            entries = details["passwordHistory"]
            if type(entries) is not list:
                return False
            for i, entry in enumerate(entries):
                if type(entry) is not dict or not entry.keys() <= _LEAN_HISTORY:
                    return False
                value, when = entry.get("value"), entry.get("time")
                if type(value) is not str or not value or not isinstance(when, scalars):
                    return False
                when = date_text(when)
                label = f"password until {when}" if when else "old password"
                history.append(field(field_type="concealed-string", value=value, label=label))
                at = f".details.passwordHistory[{i}]"
                for key, v in entry.items():
                    history_recs.append(_leaf_rec(f"{at}.{key}", v, _CUSTOM, _HISTORY_TARGET))
        # an empty note or password: swept (empty), in the item's order of its members
        empty = [(f".details.{key}", _NOT_CARRIED, "", "empty")
                 for key in details if key in _EMPTY_KEYS and details[key] == ""]  # fmt: skip
        if empty:
            details_first = next(k == "details" for k in raw if k in ("details", "overview"))
            swept = empty + swept if details_first else swept + empty
        # nothing below leaves the item to the walk
        item_id = ids.get(uuid) or stable_id(KEY, uuid)
        if item_id in used:
            item_id = stable_id(KEY, path)
        used.add(item_id)
        credentials: list[Any] = []
        outcomes: list[tuple[Outcome, str]] = []
        if username or password:
            if username:
                recs.append((username_at, _MEMBER, "basic-auth.username", ""))
            if password:
                recs.append((password_at, _MEMBER, "basic-auth.password", ""))
            credentials.append(basic_auth(
                username=field(field_type="string", value=username) if username else None,
                password=field(field_type="concealed-string", value=password) if password else None,
            ))  # fmt: skip
            outcomes.append(carried)
        if urls:
            recs += url_recs
        for totp, meta in totps:
            credentials.append(totp)
            outcomes.append(_STEAM if totp.algorithm == "steam" else carried)
            recs += meta
        if notes:
            credentials.append(note_cls(content=field(field_type="string", value=notes)))
            outcomes.append(carried)
            recs.append(_NOTES_REC)
        if card:
            credentials.append(card_cls(**card))  # type: ignore[arg-type]
            outcomes.append(carried)
        credentials += addresses  # (the walk adds each as it reads it, the name after them)
        outcomes += [carried] * len(addresses)
        if names:
            credentials.append(person_cls(**names))  # type: ignore[arg-type]
            outcomes.append(carried)
        recs += card_recs
        if history:
            credentials.append(custom_cls(label="Password history", fields=tuple(history)))
            outcomes.append(_HISTORY_OUTCOME)
            recs += history_recs
        if tags:
            recs += [(f".overview.tags[{i}]", _MEMBER, "item.tags", "") for i in range(len(tags))]
        recs += swept
        made = tuple(credentials)
        add_fields(path, title, recs)
        report.items_read += 1
        if made:
            add_credentials("read", title, item_id, made, outcomes)
        parts = homes.get(collection)
        if parts is None:
            parts = homes[collection] = (tuple(filter(None, collection)),)
            if not parts[0]:
                parts = homes[collection] = ()
        keep(
            item_cls(
                id=item_id,
                creation_at=created,
                modified_at=modified,
                title=title,
                favorite=favorite or None,
                scope=scope_cls(urls=tuple(urls), android_apps=()) if urls else None,
                credentials=made,
                tags=tags,
                extensions=(),
            ),
            parts,
        )
        return True

    return prepare, item


def _lean_seconds(value: object) -> int | None:
    """The seconds of a 1PUX time as the lean path takes it: a positive integer (up to 11
    digits are seconds: what parse_time makes of them, without the text); None when the walk
    must take the item (it keeps an odd time as a custom field)."""
    if type(value) is not int or value <= 0:
        return None
    return value if value < 100_000_000_000 else parse_time(str(value))
