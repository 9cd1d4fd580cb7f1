"""Buttercup CSV export (``formats/other-managers.md`` §6; ``exports/buttercup/pass-import/
buttercup.csv``): ``!type,!group_id,!group_name,!group_parent,title,username,password,URL,id,
Notes`` and one column per custom property (``pin``). Rows of ``!type`` ``group`` define the
groups (id, name, parent id; ``0`` is the top); rows of ``!type`` ``entry`` are the entries, in
the group ``!group_id``. Group rows become collections (nested by parent), entries items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability, Confidence, Sample
from cxkit.adapters.kit.builder import ItemBuilder, VaultBuilder, stable_id
from cxkit.adapters.kit.input import CsvTable, read_csv
from cxkit.adapters.kit.targets import (
    HOOK,
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.longtail._rows import LooseCsvReader
from cxkit.adapters.report import Disposition
from cxkit.errors import AdapterError

__all__ = ["ButtercupCsvAdapter"]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_GROUP_COLUMNS: Final = ("!type", "!group_id", "!group_name", "!group_parent")
_MAX_DEPTH: Final = 64
"""Group parents followed at most this far (a cycle or a runaway chain stops there)."""


class ButtercupCsvAdapter(LooseCsvReader):
    info = AdapterInfo(
        key="buttercup-csv",
        app="Buttercup",
        format="CSV export",
        versions="2.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export="Buttercup: select the vault → Export → Export to CSV.",
        extensions=(".csv",),
        csv_header=frozenset(
            {*_GROUP_COLUMNS, "title", "username", "password", "URL", "id", "Notes"}
        ),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE, "username": USERNAME, "password": PASSWORD, "URL": URL, "Notes": NOTE,
        "!type": HOOK, "!group_id": HOOK, "!group_name": HOOK, "!group_parent": HOOK,
        "id": HOOK,
    }  # fmt: skip
    rp_id = "buttercup.pw"
    app = "Buttercup"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN when the header has the group columns and the entry columns (custom
        properties add columns of their own)."""
        header = frozenset(sample.csv_header or ())
        return Confidence.CERTAIN if self.info.csv_header <= header else Confidence.NO

    def table(self, sample: Sample, bad_rows: list[tuple[int, int]]) -> CsvTable:
        table = read_csv(sample.data, name=sample.name, allow_short=True, bad_rows=bad_rows)
        if not self.info.csv_header <= set(table.header):
            raise AdapterError("not a Buttercup CSV (the group and entry columns are missing)",
                               location=sample.name or None)  # fmt: skip
        return table

    def begin(self, table: CsvTable, vault: VaultBuilder, name: str) -> None:
        index = {c: table.header.index(c) for c in _GROUP_COLUMNS}
        groups: dict[str, tuple[str, str]] = {}
        for number, cells in table.lines:
            if cells[index["!type"]] != "group":
                continue
            gid = cells[index["!group_id"]]
            title = cells[index["!group_name"]]
            groups[gid] = (title, cells[index["!group_parent"]])
            for n, cell in enumerate(cells):
                if cell:
                    vault.report.add_field(f"{name}:{number}:{table.column(n)}", title, _MEMBER,
                                           "collection", "a group definition")  # fmt: skip
        vault.state["groups"] = groups

    def is_record(self, table: CsvTable, cells: list[str]) -> bool:
        return cells[table.header.index("!type")] != "group"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        if cells["!type"]:
            b.rec("!type", _MEMBER, "item", "an entry row")
        for column in ("!group_name", "!group_parent"):
            if cells[column]:
                b.rec(column, _NOT_CARRIED, "", "a group column, not used on an entry row")
        if cells["id"]:
            b.item_id = stable_id(self.info.key, cells["id"])
            b.rec("id", _MEMBER, "item.id", "the item id derives from it")
        gid = cells["!group_id"]
        if gid:
            b.collection(_path(vault.state["groups"], gid), "!group_id")


def _path(groups: dict[str, tuple[str, str]], gid: str) -> list[str]:
    """The names from the top down to group *gid* (an unknown id: the id itself)."""
    names: list[str] = []
    seen: set[str] = set()
    while gid not in ("", "0") and gid not in seen and len(names) < _MAX_DEPTH:
        seen.add(gid)
        title, parent = groups.get(gid, (gid, "0"))
        names.append(title)
        gid = parent
    return names[::-1]
