"""Abine Blur JSON export (``formats/other-managers.md`` §6; ``exports/blur/pass-import/
blur.json``): ``{"dntmeExport": true, "accounts": [...], "cards": [...], "addresses": [...],
"notes": [...], "identities": [...]}``. An account is ``{id, label, domain, login_url,
username, email, password, createdAt, modifiedAt, times_used, is_favorite, …}``; a note
``{id, label, description, domain, createdAt, modifiedAt, …}``. Blur writes ``undefined`` for a
value it does not have (recorded not carried). The sample's ``cards``, ``addresses`` and
``identities`` are empty: their entries are read with the same field map (unknown members kept
as custom fields).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.records import JsonRecordReader, Records
from cxkit.adapters.kit.targets import (
    CREATED,
    FAVORITE,
    HOOK,
    MODIFIED,
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.report import Disposition

__all__ = ["BlurJsonAdapter"]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_UNDEFINED: Final = "undefined"


def _defined(text: str) -> str:
    return "" if text == _UNDEFINED else text


class BlurJsonAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="blur-json",
        app="Abine Blur",
        format="JSON export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export="Blur: Settings → Export data → Export JSON.",
        extensions=(".json",),
        json_keys=frozenset({"dntmeExport", "accounts"}),
    )
    records = tuple(Records((kind,), kind) for kind in
                    ("accounts", "notes", "cards", "addresses", "identities"))  # fmt: skip
    id_member = "id"  # the item id derives from it (stable across exports)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "label": Column(TITLE, parse=_defined),
        "domain": Column(URL, parse=_defined),
        "login_url": HOOK,
        "username": Column(USERNAME, parse=_defined),
        "password": Column(PASSWORD, parse=_defined),
        "description": Column(NOTE, parse=_defined),
        "email": Column(Target.CUSTOM, label="email", parse=_defined),
        "createdAt": CREATED,
        "modifiedAt": MODIFIED,
        "is_favorite": FAVORITE,
        "id": HOOK,
        "times_used": Column(Target.IGNORE, why="how often Blur filled it in"),
        "user_modified_sortable": Column(Target.IGNORE, why="Blur's sort key"),
        "user_modified_at": Column(Target.IGNORE, why="Blur's sort time (modifiedAt is read)"),
        "pushed": Column(Target.IGNORE, why="Blur's sync flag"),
    }
    rp_id = "abine.com"
    app = "Abine Blur"

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        if rec.get("id") is not None:
            b.rec(".id", _MEMBER, "item.id", "the item id derives from it")
        login_url = rec.get("login_url")
        if isinstance(login_url, str) and _defined(login_url).strip():
            if login_url == rec.get("domain"):
                b.rec(".login_url", _MEMBER, "scope.urls", "the same URL as domain")
            else:
                b.urls([Val(login_url, ".login_url")])
        elif login_url is not None and login_url != _UNDEFINED:
            b.rec(".login_url", _NOT_CARRIED, "", "empty or not a text")
        for key, value in rec.items():
            if value == _UNDEFINED and key in self.fields:
                b.rec(f".{key}", _NOT_CARRIED, "", "Blur's word for no value")
