"""Proton Pass CSV export (read; ``formats/protonpass.md`` §4).

``type,name,url,email,username,password,note,totp,createTime,modifyTime,vault`` (older files
without ``email``): logins, notes and aliases only — no cards, identities or passkeys (the JSON
or ZIP export has them: :mod:`cxkit.adapters.protonpass`). URLs are comma-joined in one cell;
the user name is ``username``, else ``email`` (with both, the e-mail is kept as the custom field
"E-mail", as the JSON reader does); ``totp`` an otpauth URI or a bare secret; times in epoch
seconds (or ISO 8601); the vault's name becomes a collection; ``type`` is kept in the item's
``cxkit/protonpass`` extension.

A kit CSV reader (:class:`~cxkit.adapters.kit.tabular.CsvReader`) whose row hook makes the
login from the columns that need Proton's own rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.tabular import (
    CREATED,
    FOLDER,
    HOOK,
    MODIFIED,
    TITLE,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.report import Disposition

__all__ = ["ProtonPassCsvAdapter"]

EXTENSION: Final = "cxkit/protonpass"
_COLUMNS: Final = ("type", "name", "url", "email", "username", "password", "note", "totp",
                   "createTime", "modifyTime", "vault")  # fmt: skip
_OLDER: Final = tuple(c for c in _COLUMNS if c != "email")


class ProtonPassCsvAdapter(CsvReader):
    info = AdapterInfo(
        key="protonpass-csv",
        app="Proton Pass",
        format="CSV export (logins, notes, aliases; no cards, identities or passkeys)",
        versions="1.x (email column since 2024)",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "totp", "note", "custom-fields"}),
        how_to_export=(
            "Proton Pass: Settings → Export → CSV. CSV leaves out cards, identities, passkeys "
            "and attachments: prefer 'ZIP' or 'JSON' (--from protonpass), or 'PGP-encrypted' "
            "(--from protonpass-pgp)."
        ),
        extensions=(".csv",),
        csv_header=frozenset(_COLUMNS),
        csv_headers=(frozenset(_OLDER),),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE, "createTime": CREATED, "modifyTime": MODIFIED, "vault": FOLDER,
        "type": HOOK, "url": HOOK, "email": HOOK, "username": HOOK, "password": HOOK,
        "note": HOOK, "totp": HOOK,
    }  # fmt: skip
    rp_id = "proton.me"
    app = "Proton Pass"
    folder_separator = None  # a vault's name is one name, "/" and all
    item_extension = EXTENSION
    short_rows = True

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        """The login (user name or e-mail, password, every URL), TOTP, note and type."""
        user, mail = cells.get("username", ""), cells.get("email", "")
        password = cells.get("password", "")
        urls = [Val(u.strip(), "url") for u in cells.get("url", "").split(",") if u.strip()]
        username = Val(user, "username") if user else (Val(mail, "email") if mail else None)
        b.login(username, Val(password, "password") if password else None, urls)
        if user and mail:
            b.custom("E-mail", Val(mail, "email"))
        elif mail:
            b.ext["usernameFrom"] = "itemEmail"
        if totp := cells.get("totp", ""):
            b.totp(Val(totp, "totp"))
        if note := cells.get("note", ""):
            b.note(Val(note, "note"))
        if kind := cells.get("type", ""):
            b.ext["type"] = kind
            b.rec("type", Disposition.EXTENSION, "extension.type")
