"""1Password 1PUX export (``../shared/formats/onepassword.md`` §1): a ZIP with
``export.attributes``, ``export.data`` (``{accounts: [{attrs, vaults: [{attrs, items}]}]}``) and
``files/<documentId>__<name>`` (documents and file attachments).

Every category through :mod:`.mapping`; vaults become collections (nested under their account's
name when the export holds several accounts); archived items follow the trash policy — skipped
and reported unless ``--include-trashed``; favourites (``favIndex``), tags, times; passkeys the
export names (``details.passkey``, no private key) are listed to re-create.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import CollectionTree, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.input import parse_json, zip_archive
from cxkit.adapters.kit.values import json_leaves, scalar_text
from cxkit.adapters.onepassword.mapping import CREDENTIAL_TYPES, EXTENSION, ItemWalk, Layout
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
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


def _leaf_records(
    report: MigrationReport,
    item: str,
    rows: list[tuple[str, Disposition, str, str]],
) -> None:
    """Record *rows* ``(path, disposition, target, note)`` of *item* as the item builders do:
    kept pending (:meth:`FieldRecords.add_item`, an empty path prefix) — ``add_field`` between
    two vaults' items would expand every pending record of the items before it."""
    if rows:
        report._own_fields().add_item("", item, rows)


def _text(obj: Any, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) and value else None


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
        for member, target in item_members.items():
            value = raw.get(member)
            if value is None:
                continue
            if type(value) is str or type(value) is int:  # the usual leaf: no walk
                walk.rec(f".{member}", _MEMBER, target)
            else:
                for leaf in json_leaves(value, f".{member}"):
                    walk.rec(leaf, _MEMBER, target)
        for member, why in (("createdAt", "created"), ("updatedAt", "modified"),
                            ("created", "created"), ("updated", "modified")):  # fmt: skip
            value = raw.get(member)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                if why == "created":
                    b.created(Val(str(value), f".{member}"))
                else:
                    b.modified(Val(str(value), f".{member}"))
                walk.seen.add(f".{member}")
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
    for ii, raw in enumerate(items if isinstance(items, list) else []):
        category = scalar_text(raw.get("categoryUuid")) if isinstance(raw, dict) else None
        fav = raw.get("favIndex") if isinstance(raw, dict) else None
        read_item(
            vault, raw, f"{at}.items[{ii}]", key=KEY, layout=LAYOUT, category=category or "",
            item_members=_ITEM_MEMBERS, collection=path, options=options, files=files,
            trashed=isinstance(raw, dict) and (raw.get("state") == "archived" or raw.get("trashed") is True),
            trash_word="in the trash" if isinstance(raw, dict) and raw.get("trashed") is True else "archived in 1Password",
            favorite=isinstance(fav, int) and not isinstance(fav, bool) and fav > 0,
        )  # fmt: skip
