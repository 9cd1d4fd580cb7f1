"""Universal Password Manager CSV export (``formats/other-managers.md`` §6; ``exports/upm/
pass-import/upm.csv``): no header row — every line is ``account,user,password,url,notes``.
Detection refuses a CSV without a header by design (its first row is data: a user name and a
password, never shown), so this reader is only used when named: ``--from upm-csv``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.targets import NOTE, PASSWORD, TITLE, URL, USERNAME, Column, Target
from cxkit.adapters.longtail._rows import LooseCsvReader

__all__ = ["UpmCsvAdapter"]


class UpmCsvAdapter(LooseCsvReader):
    info = AdapterInfo(
        key="upm-csv",
        app="Universal Password Manager",
        format="CSV export (no header row; --from upm-csv)",
        versions="1.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note"}),
        how_to_export="UPM: Database → Export (CSV). Convert with --from upm-csv.",
        extensions=(".csv",),
    )
    headerless = ("account", "user", "password", "url", "notes")
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "account": TITLE, "user": USERNAME, "password": PASSWORD, "url": URL, "notes": NOTE,
    }  # fmt: skip
    rp_id = "upm.sourceforge.net"
    app = "Universal Password Manager"
