"""Zoho Vault CSV exports (``formats/other-managers.md`` §6; ``exports/zoho/pass-import/``), both
UTF-8 with a BOM:

* the short layout ``Secret Name,Secret URL,Notes`` whose rows go on with unnamed cells: the
  secret's fields in order — user name, password, then any further field (``column 4``,
  ``column 5``, ``column 6`` …; the further ones kept as hidden custom fields ``field N``);
* the full layout ``Secret Name,Description,Secret URL,SecretData,Notes,CustomData,Tags,
  Classification,Favorite,ChamberName``: ``SecretData`` and ``CustomData`` hold ``key:value``
  lines (``SecretType:Web Account``, ``User Name:…``, ``Password:…``; custom ones such as
  ``pin:…``, kept as hidden custom fields), ``ChamberName`` the chamber (folder; nested levels
  separated by line breaks), ``Classification`` Zoho's sharing class (``P`` personal, ``E``
  enterprise), ``Favorite`` ``0``/``1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.targets import (
    FAVORITE,
    HOOK,
    NOTE,
    TAGS,
    TITLE,
    URL,
    Column,
    Target,
)
from cxkit.adapters.longtail._rows import LooseCsvReader
from cxkit.adapters.report import Disposition

__all__ = ["ZohoCsvAdapter", "ZohoVaultCsvAdapter"]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_TYPES: Final = frozenset({"basic-auth", "note", "custom-fields"})
_HOW: Final = "Zoho Vault: Tools → Export Secrets → CSV (unencrypted)."


class ZohoCsvAdapter(LooseCsvReader):
    info = AdapterInfo(
        key="zoho-csv",
        app="Zoho Vault",
        format="CSV export (short layout)",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_TYPES,
        how_to_export=_HOW,
        extensions=(".csv",),
        csv_header=frozenset({"Secret Name", "Secret URL", "Notes"}),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Secret Name": TITLE, "Secret URL": URL, "Notes": NOTE,
    }  # fmt: skip
    rp_id = "vault.zoho.com"
    app = "Zoho Vault"
    extra_cells = True
    short_rows = True

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        extra = [(c, t) for c, t in cells.items() if c.startswith("column ")]
        user = Val(extra[0][1], extra[0][0]) if extra else None
        secret = Val(extra[1][1], extra[1][0]) if len(extra) > 1 else None
        b.login(user, secret)
        for number, (c, t) in enumerate(extra[2:], start=3):
            if t:
                b.custom(f"field {number}", Val(t, c), hidden=True,
                         note="an unnamed field of the secret")  # fmt: skip


class ZohoVaultCsvAdapter(LooseCsvReader):
    info = AdapterInfo(
        key="zoho-vault-csv",
        app="Zoho Vault",
        format="CSV export (full layout)",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_TYPES,
        how_to_export=_HOW,
        extensions=(".csv",),
        csv_header=frozenset(
            {
                "Secret Name",
                "Description",
                "Secret URL",
                "SecretData",
                "Notes",
                "CustomData",
                "Tags",
                "Classification",
                "Favorite",
                "ChamberName",
            }
        ),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Secret Name": TITLE, "Secret URL": URL, "Notes": NOTE, "Tags": TAGS,
        "Favorite": FAVORITE, "Description": Column(Target.CUSTOM, label="Description"),
        "SecretData": HOOK, "CustomData": HOOK, "ChamberName": HOOK,
        "Classification": Column(Target.IGNORE, why="Zoho's sharing class (personal/enterprise)"),
    }  # fmt: skip
    rp_id = "vault.zoho.com"
    app = "Zoho Vault"
    extra_cells = True

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        user = secret = None
        for column in ("SecretData", "CustomData"):
            text = cells[column]
            pairs = [line.partition(":") for line in text.splitlines() if line.strip()]
            if text and not any(sep for _, sep, _ in pairs):
                b.custom(column, Val(text, column), hidden=True, note="not key:value lines")
                continue
            told = False  # the column recorded (once, whatever its lines hold)
            for key, sep, value in pairs:
                if not sep:
                    continue
                if column == "SecretData" and key == "User Name" and value:
                    user, told = Val(value, column), True
                elif column == "SecretData" and key == "Password" and value:
                    secret, told = Val(value, column), True
                elif key == "SecretType" and not told:
                    b.rec(column, _MEMBER, "item credentials", "the kind of secret")
                    told = True
                elif value:
                    b.custom(key, Val(value, column), hidden=True, record=not told)
                    told = True
            if text and not told:
                b.rec(column, _NOT_CARRIED, "", "no values")
        b.login(user, secret)
        chamber = cells["ChamberName"]
        if chamber.strip():
            b.collection([level.strip() for level in chamber.splitlines()], "ChamberName")
        for c, t in cells.items():
            if c.startswith("column ") and t:
                b.custom(c, Val(t, c), note="a cell beyond the header")
