"""1Password 1PIF export, the legacy format of 1Password 4-7 (``../shared/formats/
onepassword.md`` §3): one JSON object per line, the objects separated by lines
``***5642bee8-a5ff-11dc-8314-0800200c9a66***``.

Objects: items (``typeName`` ``webforms.WebForm``, ``wallet.financial.CreditCard`` …, with
``title``, ``location``, ``secureContents`` {``fields``, ``sections``, ``notesPlain``, ``URLs``,
``password``}, ``openContents.tags``, ``folderUuid``, ``faveIndex``, ``trashed``), folders
(``system.folder.Regular``, nested by ``folderUuid``) → collections, and deleted-item
tombstones (``system.Tombstone``, not carried). The item mapping is :mod:`.mapping`'s.
"""

from __future__ import annotations

import re
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import CollectionTree, VaultBuilder, stable_id
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.kit.values import json_leaves, scalar_text
from cxkit.adapters.onepassword.mapping import CREDENTIAL_TYPES, LEGACY_TYPES, Layout
from cxkit.adapters.onepassword.onepux import EXPORTER_RP_ID, read_item
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError

__all__ = ["MARKER", "OnePifAdapter"]

KEY: Final = "1password-1pif"
MARKER: Final = b"***5642bee8-a5ff-11dc-8314-0800200c9a66***"
_SEPARATOR: Final = re.compile(rb"^\*\*\*[0-9a-fA-F-]{36}\*\*\*[ \t\r]*$", re.MULTILINE)
LAYOUT: Final = Layout(
    details="secureContents",
    title=("title",),
    url=("location",),
    urls=("secureContents", "URLs"),
    url_keys=("url", "label"),
    tags=("openContents", "tags"),
    legacy=True,
)
_ITEM_MEMBERS: Final = {
    "uuid": "item.id",
    "typeName": "credential types (the item's category)",
    "folderUuid": "collection.items",
    "faveIndex": "item.favorite",
    "trashed": "trash",
}
_MAX_FOLDER_DEPTH: Final = 32
_NOT_CARRIED: Final = Disposition.NOT_CARRIED


class OnePifAdapter:
    info: Final = AdapterInfo(
        key=KEY,
        app="1Password",
        format="1PIF export (legacy, unencrypted)",
        versions="1Password 4 to 7",
        capabilities=Capability.READ,
        credential_types=CREDENTIAL_TYPES - {"file"},  # a 1PIF holds no file contents
        how_to_export=(
            "1Password 7 or older: File → Export → All Items → format '1Password Interchange "
            "Format (1PIF)'; cxkit reads the data.1pif file inside the exported folder. Trashed "
            "items are skipped unless --include-trashed."
        ),
        extensions=(".1pif",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        head = sample.data[: 1 << 20]
        if head.lstrip()[:1] == b"{" and MARKER in head:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        records: list[tuple[str, Any]] = []
        chunks = _SEPARATOR.split(sample.data)
        position = 0  # of the record among the file's records, broken ones included
        for index, chunk in enumerate(chunks):
            if not chunk.strip():
                continue
            at, position = f"$[{position}]", position + 1
            try:
                records.append((at, parse_json(chunk.strip(), name=f"{name}: record {index + 1}")))
            except DecodeError:  # one broken line never sinks the rest
                report.skip_item(at, f"record {index + 1} is not JSON")
                report.add_field(at, "", _NOT_CARRIED, "", "not JSON")
        folders: dict[str, tuple[str, str]] = {}
        for _at, rec in records:
            if isinstance(rec, dict) and str(rec.get("typeName", "")).startswith("system.folder"):
                uuid, title = scalar_text(rec.get("uuid")), scalar_text(rec.get("title"))
                if uuid:
                    folders[uuid] = (title or uuid, scalar_text(rec.get("folderUuid")) or "")
        tree = CollectionTree(lambda p: stable_id(KEY, "collection", *p))
        vault = VaultBuilder(report, key=KEY, rp_id=EXPORTER_RP_ID, app="1Password",
                             include_trashed=options.include_trashed, collections=tree)  # fmt: skip
        for at, rec in records:
            kind = str(rec.get("typeName", "")) if isinstance(rec, dict) else ""
            if kind.startswith("system.folder"):
                title = folders.get(scalar_text(rec.get("uuid")) or "", ("", ""))[0]
                for leaf in json_leaves(rec, at):
                    named = leaf == f"{at}.title"
                    report.add_field(leaf, title, Disposition.MEMBER if named else _NOT_CARRIED,
                                     "collection.title" if named else "",
                                     "" if named else "the folder's own bookkeeping")  # fmt: skip
                continue
            if kind == "system.Tombstone":
                for leaf in json_leaves(rec, at):
                    report.add_field(leaf, "", _NOT_CARRIED, "", "a deleted item (tombstone)")
                continue
            folder = scalar_text(rec.get("folderUuid")) if isinstance(rec, dict) else None
            fav = rec.get("faveIndex") if isinstance(rec, dict) else None
            read_item(
                vault, rec, at, key=KEY, layout=LAYOUT, category=LEGACY_TYPES.get(kind, ""),
                item_members=_ITEM_MEMBERS, collection=_folder_path(folders, folder),
                options=options, trashed=isinstance(rec, dict) and rec.get("trashed") is True,
                favorite=fav is not None and fav is not False,
                files_note="a 1PIF export holds no file contents",
            )  # fmt: skip
        return vault.build(account_id=stable_id(KEY, "account"))


def _folder_path(folders: dict[str, tuple[str, str]], uuid: str | None) -> tuple[str, ...]:
    """The names of folder *uuid* and its parents, from the top (cycles and depth bounded)."""
    path: list[str] = []
    seen: set[str] = set()
    while uuid and uuid in folders and uuid not in seen and len(path) < _MAX_FOLDER_DEPTH:
        seen.add(uuid)
        title, uuid = folders[uuid]
        path.append(title)
    return tuple(reversed(path))
