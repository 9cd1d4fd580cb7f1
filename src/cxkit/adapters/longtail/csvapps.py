"""CSV exports of the long tail that are a column map and little more (``formats/
other-managers.md`` §6, the header lines of the pass-import samples ``exports/<app>/``): Abine
Blur, Password Gorilla, Myki, Padlock, SafeInCloud, SaferPass, Synology C2 Password, Encryptr
(logins, notes and cards) and Passpack (JSON inside cells). Each is a metadata block and a
column map on :class:`~cxkit.adapters.kit.tabular.CsvReader` (Blur on this package's
:class:`~cxkit.adapters.longtail._rows.LooseCsvReader`, for its ``undefined`` cells).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.tabular import (
    FAVORITE,
    HOOK,
    NOTE,
    PASSWORD,
    TAGS,
    TITLE,
    TOTP,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.kit.targets import RecordError
from cxkit.adapters.kit.values import parse_card_expiry
from cxkit.adapters.longtail._rows import LooseCsvReader
from cxkit.adapters.report import Disposition
from cxkit.cxf import model as m

__all__ = [
    "BlurCsvAdapter",
    "EncryptrCsvAdapter",
    "GorillaCsvAdapter",
    "MykiCsvAdapter",
    "PadlockCsvAdapter",
    "PasspackCsvAdapter",
    "SafeInCloudCsvAdapter",
    "SaferPassCsvAdapter",
    "SynologyCsvAdapter",
]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_LOGIN: Final = frozenset({"basic-auth", "note", "custom-fields"})


def _cols(*names: str) -> frozenset[str]:
    return frozenset(names)


class BlurCsvAdapter(LooseCsvReader):
    """Abine Blur CSV: ``domain,label,username,email,password``; Blur writes ``undefined`` for
    a value it does not have (recorded not carried)."""

    info = AdapterInfo(
        key="blur-csv",
        app="Abine Blur",
        format="CSV export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_LOGIN,
        how_to_export="Blur: Settings → Export data → Export CSV.",
        extensions=(".csv",),
        csv_header=_cols("domain", "label", "username", "email", "password"),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "label": TITLE, "domain": URL, "username": USERNAME, "password": PASSWORD,
        "email": Column(Target.CUSTOM, label="email"),
    }  # fmt: skip
    rp_id = "abine.com"
    app = "Abine Blur"

    def skip_cell(self, column: str, text: str) -> str | None:
        return "Blur's word for no value" if text == "undefined" else None


class GorillaCsvAdapter(CsvReader):
    """Password Gorilla CSV: ``uuid,group,title,url,user,password,notes``; groups are levels
    joined by ``.`` (a dot in a name escaped ``\\.``), as Password Safe writes them."""

    info = AdapterInfo(
        key="gorilla-csv",
        app="Password Gorilla",
        format="CSV export",
        versions="1.5+",
        capabilities=Capability.READ,
        credential_types=_LOGIN,
        how_to_export="Password Gorilla: File → Export → CSV (include the notes).",
        extensions=(".csv",),
        csv_header=_cols("uuid", "group", "title", "url", "user", "password", "notes"),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE, "url": URL, "user": USERNAME, "password": PASSWORD, "notes": NOTE,
        "group": HOOK, "uuid": HOOK,
    }  # fmt: skip
    rp_id = "github.com/zdia/gorilla"
    app = "Password Gorilla"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        uuid, group = cells["uuid"].strip(), cells["group"]
        if uuid:
            b.item_id = stable_id(self.info.key, uuid)
            b.rec("uuid", _MEMBER, "item.id", "the item id derives from it")
        if group.strip():
            b.collection([p.replace("\\.", ".") for p in _DOT.split(group)], "group")


_DOT: Final = re.compile(r"(?<!\\)\.")


class MykiCsvAdapter(CsvReader):
    """Myki CSV: ``url,username,password,additionalInfo,nickname,twofaSecret`` (a bare Base32
    TOTP secret)."""

    info = AdapterInfo(
        key="myki-csv",
        app="Myki",
        format="CSV export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_LOGIN | {"totp"},
        how_to_export="Myki: Settings → Export → CSV (passwords).",
        extensions=(".csv",),
        csv_header=_cols(
            "url", "username", "password", "additionalInfo", "nickname", "twofaSecret"
        ),
        csv_headers=(_cols("url", "username", "password", "additionalInfo", "nickname"),),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "nickname": TITLE, "url": URL, "username": USERNAME, "password": PASSWORD,
        "additionalInfo": NOTE, "twofaSecret": TOTP,
    }  # fmt: skip
    rp_id = "myki.com"
    app = "Myki"


class PadlockCsvAdapter(CsvReader):
    """Padlock CSV: ``name,tags,url,username,password,notes``; ``tags`` comma-separated (kept
    as CXF tags: Padlock has tags, not folders)."""

    info = AdapterInfo(
        key="padlock-csv",
        app="Padlock",
        format="CSV export",
        versions="2.x",
        capabilities=Capability.READ,
        credential_types=_LOGIN,
        how_to_export="Padlock: Settings → Export → CSV.",
        extensions=(".csv",),
        csv_header=_cols("name", "tags", "url", "username", "password", "notes"),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE, "url": URL, "username": USERNAME, "password": PASSWORD, "notes": NOTE,
        "tags": TAGS,
    }  # fmt: skip
    rp_id = "padloc.app"
    app = "Padlock"


class SafeInCloudCsvAdapter(CsvReader):
    """SafeInCloud CSV: ``Title,Login,Password,URL,Notes,OTP``."""

    info = AdapterInfo(
        key="safeincloud-csv",
        app="SafeInCloud",
        format="CSV export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_LOGIN | {"totp"},
        how_to_export="SafeInCloud: File → Export → As CSV.",
        extensions=(".csv",),
        csv_header=_cols("Title", "Login", "Password", "URL", "Notes", "OTP"),
        csv_headers=(_cols("Title", "Login", "Password", "URL", "Notes"),),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Title": TITLE, "URL": URL, "Login": USERNAME, "Password": PASSWORD, "Notes": NOTE,
        "OTP": TOTP,
    }  # fmt: skip
    rp_id = "safe-in-cloud.com"
    app = "SafeInCloud"


class SaferPassCsvAdapter(CsvReader):
    """SaferPass CSV (UTF-8 with BOM): ``modelType,modelVersion,url,username,password,notes,
    favorite,title,text,color``; ``text`` is the body of a note entry."""

    info = AdapterInfo(
        key="saferpass-csv",
        app="SaferPass",
        format="CSV export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_LOGIN,
        how_to_export="SaferPass: Settings → Export → CSV.",
        extensions=(".csv",),
        csv_header=_cols(
            "modelType",
            "modelVersion",
            "url",
            "username",
            "password",
            "notes",
            "favorite",
            "title",
            "text",
            "color",
        ),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE, "url": URL, "username": USERNAME, "password": PASSWORD, "notes": NOTE,
        "text": NOTE, "favorite": FAVORITE, "modelType": HOOK,
        "modelVersion": Column(Target.IGNORE, why="the version of SaferPass's record layout"),
        "color": Column(Target.IGNORE, why="the entry's display colour"),
    }  # fmt: skip
    rp_id = "saferpass.net"
    app = "SaferPass"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        if cells["modelType"]:
            b.rec("modelType", _MEMBER, "item credentials", "the kind of entry")


class SynologyCsvAdapter(CsvReader):
    """Synology C2 Password CSV (UTF-8 with BOM): ``Display_Name,Login_Username,
    Login_Password,Login_URLs,Login_TOTP,Notes,Favorite``; several URLs separated by commas."""

    info = AdapterInfo(
        key="synology-csv",
        app="Synology C2 Password",
        format="CSV export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_LOGIN | {"totp"},
        how_to_export="C2 Password: Settings → Export → CSV.",
        extensions=(".csv",),
        csv_header=_cols(
            "Display_Name",
            "Login_Username",
            "Login_Password",
            "Login_URLs",
            "Login_TOTP",
            "Notes",
            "Favorite",
        ),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Display_Name": TITLE, "Login_Username": USERNAME, "Login_Password": PASSWORD,
        "Login_URLs": HOOK, "Login_TOTP": TOTP, "Notes": NOTE, "Favorite": FAVORITE,
    }  # fmt: skip
    rp_id = "c2.synology.com"
    app = "Synology C2 Password"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        text = cells["Login_URLs"]
        if text.strip():
            b.urls([Val(u.strip(), "Login_URLs") for u in text.split(",") if u.strip()])


#: Encryptr's card columns → CXF credit-card members (field type)
_CARD: Final = (
    ("Card Number", "number", "concealed-string"),
    ("Name on card", "full_name", "string"),
    ("Type", "card_type", "string"),
    ("CVV", "verification_number", "concealed-string"),
)


class EncryptrCsvAdapter(CsvReader):
    """Encryptr CSV: ``Entry Type,Label,Password,Username,Site URL,Notes,Text,Type,Name on card,
    Card Number,CVV,Expiry`` — ``Entry Type`` ``Password``, ``General`` (``Text``) or ``Credit
    Card`` (the card columns → a CXF ``credit-card``; ``Expiry`` as written, ``MM/YY`` read as
    a year-month, anything else kept as a custom field)."""

    info = AdapterInfo(
        key="encryptr-csv",
        app="Encryptr",
        format="CSV export",
        versions="2.x",
        capabilities=Capability.READ,
        credential_types=_LOGIN | {"credit-card"},
        how_to_export="Encryptr: menu → Export to CSV.",
        extensions=(".csv",),
        csv_header=_cols(
            "Entry Type",
            "Label",
            "Password",
            "Username",
            "Site URL",
            "Notes",
            "Text",
            "Type",
            "Name on card",
            "Card Number",
            "CVV",
            "Expiry",
        ),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Label": TITLE, "Site URL": URL, "Username": USERNAME, "Password": PASSWORD,
        "Notes": NOTE, "Text": NOTE, "Entry Type": HOOK, "Type": HOOK, "Name on card": HOOK,
        "Card Number": HOOK, "CVV": HOOK, "Expiry": HOOK,
    }  # fmt: skip
    rp_id = "spideroak.com"
    app = "Encryptr"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        if cells["Entry Type"]:
            b.rec("Entry Type", _MEMBER, "item credentials", "the kind of entry")
        values: dict[str, m.EditableField] = {}
        for col, attr, ftype in _CARD:
            if cells[col]:
                values[attr] = m.EditableField(field_type=ftype, value=cells[col])
                b.rec(col, _MEMBER, f"credit-card.{attr}")
        expiry = cells["Expiry"]
        if expiry:
            found = parse_card_expiry(expiry)
            if found is None:
                b.custom("Expiry", Val(expiry, "Expiry"),
                         note="not a month and year cxkit can read; kept as text")  # fmt: skip
            else:
                values["expiry_date"] = m.EditableField(field_type="year-month",
                                                        value=f"{found[0]:04d}-{found[1]:02d}")  # fmt: skip
                b.rec("Expiry", _MEMBER, "credit-card.expiryDate")
        if values:
            b.add(m.CreditCard(**values))  # type: ignore[arg-type]


class PasspackCsvAdapter(CsvReader):
    """Passpack CSV: ``Entry Name,URL,User ID,Password,Notes,Shared Notes,Tags,Extra Fields,
    Email``; ``Tags`` is JSON ``{"tags": ["{\\"tag\\": …}"]}`` (JSON texts inside JSON) and
    ``Extra Fields`` ``{"extraFields": ["{\\"name\\", \\"type\\", \\"data\\"}"]}`` (custom
    fields; ``type`` ``password`` hidden)."""

    info = AdapterInfo(
        key="passpack-csv",
        app="Passpack",
        format="CSV export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=_LOGIN,
        how_to_export="Passpack: Tools → Export → comma-separated values (CSV).",
        extensions=(".csv",),
        csv_header=_cols(
            "Entry Name",
            "URL",
            "User ID",
            "Password",
            "Notes",
            "Shared Notes",
            "Tags",
            "Extra Fields",
            "Email",
        ),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Entry Name": TITLE, "URL": URL, "User ID": USERNAME, "Password": PASSWORD,
        "Notes": NOTE, "Shared Notes": Column(Target.CUSTOM, label="Shared Notes"),
        "Email": Column(Target.CUSTOM, label="email"), "Tags": HOOK, "Extra Fields": HOOK,
    }  # fmt: skip
    rp_id = "passpack.com"
    app = "Passpack"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        tags = [_member(entry, "tag", "Tags") for entry in _list(cells["Tags"], "tags", "Tags")]
        if tags:
            b.tags(Val(cells["Tags"], "Tags"), [t for t in tags if t])
        elif cells["Tags"]:
            b.rec("Tags", _NOT_CARRIED, "", "no tags")
        fields = _list(cells["Extra Fields"], "extraFields", "Extra Fields")
        if not fields and cells["Extra Fields"]:
            b.rec("Extra Fields", _NOT_CARRIED, "", "no extra fields")
        for number, entry in enumerate(fields, start=1):
            label = _member(entry, "name", "Extra Fields") or f"field {number}"
            hidden = _member(entry, "type", "Extra Fields") == "password"
            b.custom(label, Val(_member(entry, "data", "Extra Fields"), "Extra Fields"),
                     hidden=hidden, record=number == 1)  # fmt: skip


def _list(text: str, key: str, column: str) -> list[Any]:
    """The list *key* of the JSON object in a Passpack cell (its entries JSON texts, decoded)."""
    if not text.strip():
        return []
    try:
        found = json.loads(text)
        entries = found.get(key, []) if isinstance(found, dict) else None
        if not isinstance(entries, list):
            raise RecordError(f"column {column} is not a JSON object with a list {key}")
        return [json.loads(e) if isinstance(e, str) else e for e in entries]
    except (ValueError, RecursionError):
        raise RecordError(f"column {column} is not valid JSON") from None


def _member(entry: Any, key: str, column: str) -> str:
    if not isinstance(entry, dict):
        raise RecordError(f"an entry of column {column} is not a JSON object")
    value = entry.get(key, "")
    return value if isinstance(value, str) else str(value)
