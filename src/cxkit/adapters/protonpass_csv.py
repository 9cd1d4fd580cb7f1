"""Proton Pass CSV export (read; ``formats/protonpass.md`` §4).

``type,name,url,email,username,password,note,totp,createTime,modifyTime,vault`` (older files
without ``email``; newer ones add ``autofillUrls`` after ``url``: a JSON array of the URLs with
their autofill mode). Logins, notes and aliases as columns; credit cards and identities as the
JSON of their content in ``note`` (Proton's own exporter writes them so; no passkeys, extra
fields or attachments — the JSON or ZIP export has them: :mod:`cxkit.adapters.protonpass`).
URLs are joined with ``", "`` in one cell; the user name is ``username``, else ``email`` (with
both, the e-mail is kept as the custom field "E-mail", as the JSON reader does); ``totp`` an
otpauth URI or a bare secret; times in epoch seconds (or ISO 8601); the vault's name becomes a
collection; ``type`` is kept in the item's ``cxkit/protonpass`` extension. A card's JSON gives a
CXF ``credit-card``, an identity's JSON custom fields (the note member the note).

A kit CSV reader (:class:`~cxkit.adapters.kit.tabular.CsvReader`) whose row hook makes the
login from the columns that need Proton's own rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

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
from cxkit.adapters.kit.values import scalar_text
from cxkit.adapters.report import Disposition
from cxkit.cxf import model as m

__all__ = ["ProtonPassCsvAdapter"]

EXTENSION: Final = "cxkit/protonpass"
_COLUMNS: Final = ("type", "name", "url", "email", "username", "password", "note", "totp",
                   "createTime", "modifyTime", "vault")  # fmt: skip
_OLDER: Final = tuple(c for c in _COLUMNS if c != "email")
_NEWER: Final = (*_COLUMNS[:3], "autofillUrls", *_COLUMNS[3:])
#: card content members → (CXF member, field type), as the JSON reader maps them
_CARD: Final = {
    "cardholderName": ("full_name", "string"),
    "number": ("number", "concealed-string"),
    "verificationNumber": ("verification_number", "concealed-string"),
    "pin": ("pin", "concealed-string"),
}
_CARD_TYPES: Final = {1: "Other", 2: "Visa", 3: "Mastercard", 4: "American Express"}
_YEAR_MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z")
_SECRET_MEMBERS: Final = frozenset({"socialSecurityNumber", "passportNumber", "licenseNumber"})


class ProtonPassCsvAdapter(CsvReader):
    info = AdapterInfo(
        key="protonpass-csv",
        app="Proton Pass",
        format="CSV export (logins, notes, aliases; cards and identities as JSON in the note; "
        "no passkeys)",
        versions="1.x (email column since 2024, autofillUrls since 2025)",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "totp", "note", "credit-card", "custom-fields"}),
        how_to_export=(
            "Proton Pass: Settings → Export → CSV. CSV leaves out passkeys, extra fields and "
            "attachments: prefer 'ZIP' or 'JSON' (--from protonpass), or 'PGP-encrypted' "
            "(--from protonpass-pgp)."
        ),
        extensions=(".csv",),
        csv_header=frozenset(_COLUMNS),
        csv_headers=(frozenset(_OLDER), frozenset(_NEWER)),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE, "createTime": CREATED, "modifyTime": MODIFIED, "vault": FOLDER,
        "type": HOOK, "url": HOOK, "email": HOOK, "username": HOOK, "password": HOOK,
        "note": HOOK, "totp": HOOK, "autofillUrls": HOOK,
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
        urls += _autofill_urls(b, cells.get("autofillUrls", ""), {v.text for v in urls})
        username = Val(user, "username") if user else (Val(mail, "email") if mail else None)
        b.login(username, Val(password, "password") if password else None, urls)
        if user and mail:
            b.custom("E-mail", Val(mail, "email"))
        elif mail:
            b.ext["usernameFrom"] = "itemEmail"
        if totp := cells.get("totp", ""):
            b.totp(Val(totp, "totp"))
        kind = cells.get("type", "")
        note = cells.get("note", "")
        content = _json_object(note) if kind in ("creditCard", "identity") else None
        if content is not None:
            _content(b, kind, content)
        elif note:
            b.note(Val(note, "note"))
        if kind:
            b.ext["type"] = kind
            b.rec("type", Disposition.EXTENSION, "extension.type")


def _autofill_urls(b: ItemBuilder, cell: str, known: set[str]) -> list[Val]:
    """The URLs of the ``autofillUrls`` cell (a JSON array of ``{url, mode}`` or of strings) that
    the ``url`` cell does not list; the array is kept in the extension (the modes)."""
    if not cell.strip():
        return []
    try:
        found = json.loads(cell)
    except ValueError:
        found = None
    if not isinstance(found, list):
        b.custom("autofillUrls", Val(cell, "autofillUrls"), note="not a JSON array of URLs")
        return []
    b.ext["autofillUrls"] = found
    urls = [e.get("url") if isinstance(e, dict) else e for e in found]
    extra = [u for u in urls if isinstance(u, str) and u.strip() and u not in known]
    if not extra:
        b.rec("autofillUrls", Disposition.EXTENSION, "extension.autofillUrls")
    return [Val(u.strip(), "autofillUrls") for u in dict.fromkeys(extra)]


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


def _content(b: ItemBuilder, kind: str, content: dict[str, Any]) -> None:
    """A card's or an identity's content, JSON in the note cell: each member recorded as
    ``note.<member>``; a card becomes a ``credit-card``, the rest custom fields."""
    card: dict[str, m.EditableField] = {}
    for key, value in content.items():
        at = f"note.{key}"
        text = scalar_text(value) if not isinstance(value, list | dict) else json.dumps(value)
        if not text:
            b.rec(at, Disposition.NOT_CARRIED, "", "empty")
        elif key == "note":
            b.note(Val(text, at))
        elif kind == "creditCard" and key in _CARD:
            member, ftype = _CARD[key]
            card[member] = m.EditableField(field_type=ftype, value=text)
            b.rec(at, Disposition.MEMBER, f"credit-card.{member}")
        elif kind == "creditCard" and key == "expirationDate" and _YEAR_MONTH.match(text):
            card["expiry_date"] = m.EditableField(field_type="year-month", value=text)
            b.rec(at, Disposition.MEMBER, "credit-card.expiryDate")
        elif kind == "creditCard" and key == "cardType" and (brand := _card_type(value)):
            card["card_type"] = m.EditableField(field_type="string", value=brand)
            b.rec(at, Disposition.MEMBER, "credit-card.cardType")
        else:
            b.custom(key, Val(text, at), hidden=key in _SECRET_MEMBERS)
    if card:
        b.add(m.CreditCard(**card))  # type: ignore[arg-type]
    b.rec("note", Disposition.MEMBER, f"{kind} (its content as JSON)")


def _card_type(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return _CARD_TYPES.get(value)
    return None
