"""1Password CSV exports (``../shared/formats/onepassword.md`` §2), on the kit's declarative CSV
reader; the 1Password 8 layout is also written (the file 1Password 8 imports).

=============  ==========================================================================
1Password 8    ``Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes``
               (``OTPAuth`` an otpauth URI; archived rows follow the trash policy)
1Password 6    one wide row per item with a column per field name seen in the vault
               (``ainfo``, ``Title``, ``Username``, ``Password``, ``URL``, ``Notes``, ``Type``,
               ``uuid``, ``scope``, ``section:…`` …): the login columns mapped, ``Type`` (the
               group pass-import also takes) the folder, every other filled cell a custom field
1Password 4    ``title,notes,username,password,url``
=============  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability, Confidence, Sample
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.kit.tabular import (
    FAVORITE,
    FOLDER,
    IGNORE,
    NOTE,
    PASSWORD,
    TAGS,
    TITLE,
    TOTP,
    TRASHED,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.onepassword.onepux import EXPORTER_RP_ID

__all__ = ["OnePassword4CsvAdapter", "OnePassword6CsvAdapter", "OnePassword8CsvAdapter"]

_V8: Final = ("Title", "Url", "Username", "Password", "OTPAuth", "Favorite", "Archived", "Tags",
              "Notes")  # fmt: skip
_V4: Final = ("title", "notes", "username", "password", "url")
#: Columns every 1Password 6 wide export has (``ainfo``: 1Password's own summary column).
_V6_EVIDENCE: Final = frozenset({"ainfo", "Title", "uuid", "scope"})
_HOW: Final = (
    "1Password 8: File → Export → choose the account → format 'CSV' (1PUX keeps more: cards, "
    "identities, sections, files — prefer it). 1Password 6/7 and 4 wrote other CSV layouts, "
    "also read. Archived items are skipped unless --include-trashed."
)


class OnePassword8CsvAdapter(CsvReader, w.CsvWriter):
    info = AdapterInfo(
        key="1password-csv",
        app="1Password",
        format="CSV export (1Password 8 layout; also written)",
        versions="1Password 8",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "totp", "note"}),
        how_to_import=(
            "1Password 8: File → Import → 'Other' / CSV → choose the file, and map the columns if "
            "asked. Delete the file after importing."
        ),
        how_to_export=_HOW,
        extensions=(".csv",),
        csv_header=frozenset(_V8),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Title": TITLE, "Url": URL, "Username": USERNAME, "Password": PASSWORD, "OTPAuth": TOTP,
        "Favorite": FAVORITE, "Archived": TRASHED, "Tags": TAGS, "Notes": NOTE,
    }  # fmt: skip
    rp_id = EXPORTER_RP_ID
    app = "1Password"
    totp_label = "OTPAuth"

    write_columns = (
        ("Title", w.TITLE), ("Url", w.URL), ("Username", w.USERNAME), ("Password", w.PASSWORD),
        ("OTPAuth", w.TOTP), ("Favorite", w.Out(w.FAVORITE, yes="true", no="false")),
        ("Archived", w.HOOK), ("Tags", w.HOOK), ("Notes", w.NOTE),
    )  # fmt: skip
    written_name = "1Password CSV"
    item_rules: ClassVar[Mapping[str, ledger.Rule]] = {"tags": ledger.CARRIED}

    def cell(self, column: str, row: w.Row) -> str:
        if column == "Archived":
            return "false"
        if column == "Tags":
            return ",".join(row.item.tags)
        return ""


class OnePassword4CsvAdapter(CsvReader):
    info = AdapterInfo(
        key="1password4-csv",
        app="1Password",
        format="CSV export (1Password 4 layout)",
        versions="1Password 4",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note"}),
        how_to_export=_HOW,
        extensions=(".csv",),
        csv_header=frozenset(_V4),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE, "notes": NOTE, "username": USERNAME, "password": PASSWORD, "url": URL,
    }  # fmt: skip
    rp_id = EXPORTER_RP_ID
    app = "1Password"


class OnePassword6CsvAdapter(CsvReader):
    info = AdapterInfo(
        key="1password6-csv",
        app="1Password",
        format="CSV export (1Password 6/7 wide layout)",
        versions="1Password 6 and 7",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export=_HOW,
        extensions=(".csv",),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Title": TITLE, "Username": USERNAME, "Password": PASSWORD, "URL": URL, "Notes": NOTE,
        "Type": FOLDER,
        "uuid": Column(IGNORE, why="1Password's item id"),
        "ainfo": Column(IGNORE, why="a summary 1Password derives from the fields"),
        "autosubmit": Column(IGNORE, why="1Password's auto-submit preference"),
        "scope": Column(IGNORE, why="1Password's autofill scope setting"),
        "master-password": Column(Target.CUSTOM, hidden=True),
        "secret key": Column(Target.CUSTOM, hidden=True),
    }  # fmt: skip
    rp_id = EXPORTER_RP_ID
    app = "1Password"

    @property
    def headers(self) -> tuple[frozenset[str], ...]:
        """Any header (the columns are the vault's field names): evidence is :meth:`accepts`'."""
        return ()

    def accepts(self, sample: Sample) -> Confidence:
        header = sample.csv_header
        if header is not None and {c.strip() for c in header} >= _V6_EVIDENCE:
            return Confidence.CERTAIN
        return Confidence.NO
