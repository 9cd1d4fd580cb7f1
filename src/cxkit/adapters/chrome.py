"""Google Password Manager CSV — Chrome, Edge, Brave, Opera, Vivaldi and Arc write the same file
(``formats/browsers-and-apple.md`` §1): ``name,url,username,password,note`` (``note`` since 2023;
older files stop at ``password``, and rows of the current one may stop there too). Android app
logins have ``url`` = ``android://<cert hash>@<package>/`` and become CXF ``scope.androidApps``.

The kit's example reader: a metadata block and a column map (:mod:`cxkit.adapters.kit.tabular`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.kit.tabular import (
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)

__all__ = ["ChromeCsvAdapter"]

_COLUMNS: Final = ("name", "url", "username", "password", "note")


class ChromeCsvAdapter(CsvReader, w.CsvWriter):
    info = AdapterInfo(
        key="chrome-csv",
        app="Google Password Manager (Chrome, Edge, Brave, Opera, Vivaldi, Arc)",
        format="CSV password export",
        versions="all (note column since 2023)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "note"}),
        how_to_export=(
            "Chrome: Settings → Google Password Manager → Settings → Export passwords (Edge, "
            "Brave, Opera, Vivaldi and Arc: the same under their password settings). Passwords "
            "and notes only: passkeys never leave the browser as a file."
        ),
        extensions=(".csv",),
        csv_header=frozenset(_COLUMNS),
        csv_headers=(frozenset(_COLUMNS[:4]),),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "name": TITLE, "url": URL, "username": USERNAME, "password": PASSWORD, "note": NOTE
    }  # fmt: skip
    rp_id = "google.com"
    app = "Google Password Manager"
    short_rows = True

    write_columns = (("name", w.TITLE), ("url", w.URL), ("username", w.USERNAME),
                     ("password", w.PASSWORD), ("note", w.NOTE))  # fmt: skip
    written_name = "Google Password Manager CSV"
    android_urls = True
    row_needs = frozenset({w.URL, w.PASSWORD})  # Chrome refuses rows without them
