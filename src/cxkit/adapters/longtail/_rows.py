"""A CSV reader for the shapes :class:`~cxkit.adapters.kit.tabular.CsvReader` does not take:
rows with cells beyond the header (Zoho Vault writes the secrets as unnamed cells), files
without a header (Universal Password Manager), and rows that are not records (Buttercup's
group rows). Built on the kit all the same: input through
:func:`~cxkit.adapters.kit.input.read_csv`, values through
:meth:`~cxkit.adapters.kit.targets.MappedReader.apply` (the column map's vocabulary), one
:class:`~cxkit.adapters.kit.builder.ItemBuilder` per row, every non-empty cell recorded at
``file:row:column`` (a cell beyond the header is ``column N``, as
:class:`~cxkit.adapters.kit.input.CsvTable` names it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import Confidence, ReadOptions, Sample, accepts_by_hints
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_ids
from cxkit.adapters.kit.input import CsvTable, decode_text, read_csv
from cxkit.adapters.kit.targets import Column, MappedReader, Target, column, skip_reason
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import CxkitError, InputTooLargeError

__all__ = ["LooseCsvReader"]

_NOT_CARRIED: Final = Disposition.NOT_CARRIED


class LooseCsvReader(MappedReader):
    """Base of the CSV readers of this package that need more than a column map (see the
    module docstring). Declares ``info`` (its ``csv_header``/``csv_headers`` are the accepted
    headers and the detection evidence), ``columns`` (as :class:`CsvReader`'s) and overrides
    :meth:`row` for the rest."""

    columns: ClassVar[Mapping[str, Target | Column]] = {}
    headerless: ClassVar[tuple[str, ...] | None] = None
    """The column names of a file without a header row (the first line is data)."""
    extra_cells: ClassVar[bool] = False
    """Rows may have cells beyond the header (``column N``; the hook records them)."""
    short_rows: ClassVar[bool] = False
    record_empty = False

    def accepts(self, sample: Sample) -> Confidence:
        """An exact header match (the declared hints); never for a headerless format."""
        if self.headerless is not None:
            return Confidence.NO
        return accepts_by_hints(self.info, sample)

    # ------------------------------------------------------------------ hooks

    def begin(self, table: CsvTable, vault: VaultBuilder, name: str) -> None:
        """Once, before the rows (e.g. to read rows that are not records)."""

    def is_record(self, table: CsvTable, cells: list[str]) -> bool:
        """Whether a row is a record (rows that are not were accounted for by :meth:`begin`)."""
        return True

    def skip_cell(self, column: str, text: str) -> str | None:
        """The reason a non-empty cell holds nothing (recorded not carried), or None."""
        return None

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        """Per-row oddities, after the column map (``HOOK`` columns and cells beyond the header
        are the hook's; cells it leaves unrecorded become custom fields)."""

    # ------------------------------------------------------------------ reading

    def table(self, sample: Sample, bad_rows: list[tuple[int, int]]) -> CsvTable:
        """The parsed file; rows of another width than the header go to *bad_rows* (row
        number, cells) instead of failing the file."""
        name = sample.name
        if self.headerless is None:
            headers = tuple(h for h in (self.info.csv_header, *self.info.csv_headers) if h)
            return read_csv(sample.data, name=name, headers=headers, allow_extra=self.extra_cells,
                            allow_short=self.short_rows, bad_rows=bad_rows)  # fmt: skip
        # a header line of our own above the data; the row numbers are then one too high
        text = decode_text(sample.data, name=name)
        header = ",".join(self.headerless) + "\n"
        found: list[tuple[int, int]] = []
        table = read_csv((header + text).encode(), name=name, headers=(frozenset(self.headerless),),
                         allow_extra=self.extra_cells, allow_short=self.short_rows,
                         bad_rows=found)  # fmt: skip
        table.lines = [(number - 1, cells) for number, cells in table.lines]
        bad_rows.extend((number - 1, width) for number, width in found)
        return table

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        bad_rows: list[tuple[int, int]] = []
        table = self.table(sample, bad_rows)
        for number, width in bad_rows:  # one damaged row never sinks the rest
            why = (f"{width} cell{'s' if width != 1 else ''} where the header has "
                   f"{len(table.header)}: not read (a comma or quote out of place?)")  # fmt: skip
            report.skip_item(f"row {number}", why)
            report.add_field(f"{name}:{number}", f"row {number}", _NOT_CARRIED, "", why)
        vault = self.vault(report, options.include_trashed)
        self.begin(table, vault, name)
        make_id = stable_ids(self.info.key, name)
        specs = {c: column(s) for c, s in self.columns.items()}
        header = set(table.header)  # cells beyond it are the hook's
        for number, cells in table.lines:
            if not self.is_record(table, cells):
                continue
            b = vault.item(f"{name}:{number}:", item_id=make_id(number),
                           extension=self.item_extension)  # fmt: skip
            named = {table.column(i): cell for i, cell in enumerate(cells)}
            for c, t in list(named.items()):
                if t and (reason := self.skip_cell(c, t)) is not None:
                    b.rec(c, _NOT_CARRIED, "", reason)
                    named[c] = ""
            try:
                self.apply(b, [(specs[c], Val(t, c)) for c, t in named.items() if c in specs and t])
                self.row(b, named, vault)
            except InputTooLargeError:
                raise
            except (CxkitError, ValueError) as exc:  # one row never sinks the rest
                b.fail(f"row {number} cannot be read: {skip_reason(exc)}",
                       [Val(t, c) for c, t in named.items()])  # fmt: skip
                continue
            vault.add(b, [Val(t, c) for c, t in named.items()
                          if t and c in header and c not in specs])  # fmt: skip
        return self.document(vault)
