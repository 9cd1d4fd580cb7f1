"""A declarative CSV reader: a metadata block and a column map make an adapter (issue 12).

An adapter subclasses :class:`CsvReader` and declares

* ``info`` — its :class:`~cxkit.adapters.base.AdapterInfo`, whose ``csv_header`` (and
  ``csv_headers`` for older layouts) are both the detection evidence and the header sets it
  reads (order and surrounding whitespace do not matter);
* ``columns`` — column name → a :class:`Target` (or a :class:`Column` with a label, a hidden
  flag or a parser), e.g. ``{"name": TITLE, "url": URL, "username": USERNAME, ...}``;
* ``rp_id`` / ``app`` — who the CXF header names as the exporter;

and, for oddities, overrides :meth:`CsvReader.row` (called for every row with the builder and
the cells; columns mapped to ``HOOK`` are left to it) — or, where speed matters,
:meth:`CsvReader.row_hook`, which finds its columns once per file and gets each row's cell list.

The base does the rest, the same way for every CSV format: input through
:func:`~cxkit.adapters.kit.input.read_csv` (UTF-8 with or without BOM, UTF-16 with BOM,
multi-line quoted cells, bounded cell size, the row number in every error); one
:class:`~cxkit.adapters.kit.builder.ItemBuilder` per row, mapped directly (linear in the rows);
ids :func:`~cxkit.adapters.kit.builder.stable_id` of the adapter key, file name and row number;
every non-empty cell recorded at ``file:row:column`` — columns the map does not name become
custom fields; a row that cannot be read is skipped and reported, the others are read (a hook
raising :class:`~cxkit.errors.InputTooLargeError` — a limit — stops the read).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import Confidence, ReadOptions, Sample, accepts_by_hints
from cxkit.adapters.kit.builder import (
    ItemBuilder,
    Uuid5Ids,
    Val,
    VaultBuilder,
    _maybe_app,
    fast_val,
    stable_id,
    stable_ids,
)
from cxkit.adapters.kit.input import CsvTable, read_csv
from cxkit.adapters.kit.targets import (
    CREATED,
    CUSTOM,
    FAVORITE,
    FOLDER,
    HOOK,
    IGNORE,
    MODIFIED,
    NOTE,
    PASSWORD,
    TAGS,
    TITLE,
    TOTP,
    TRASHED,
    URL,
    USERNAME,
    Column,
    Target,
    TargetMap,
    skip_reason,
)
from cxkit.adapters.kit.values import parse_time, parse_totp
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import model as m
from cxkit.cxf.codec import paused_gc
from cxkit.errors import CxkitError, InputTooLargeError

__all__ = [
    "CREATED",
    "CUSTOM",
    "FAVORITE",
    "FOLDER",
    "HOOK",
    "IGNORE",
    "MODIFIED",
    "NOTE",
    "PASSWORD",
    "TAGS",
    "TITLE",
    "TOTP",
    "TRASHED",
    "URL",
    "USERNAME",
    "Column",
    "CsvReader",
    "LeanExtra",
    "LeanRow",
    "Target",
    "lean_row",
]


class CsvReader(TargetMap):
    """Base of the declarative CSV readers (see the module docstring)."""

    columns: ClassVar[Mapping[str, Target | Column]]
    short_rows: ClassVar[bool] = False
    """Rows may stop early (missing trailing cells are empty), as exporters that add a column
    later write (Chrome's ``note``)."""
    custom_extension: ClassVar[Mapping[str, Any] | None] = None
    """Extension members of the items' custom-fields credential."""
    delimiter: str = ","
    """The cell separator (a reader of any CSV sets ``;`` or tab per file)."""
    extra_cells: ClassVar[bool] = False
    """Rows may hold cells beyond the header: they are read as columns ``column N`` (custom
    fields), as apps that write more cells than header names do (any CSV with a column map)."""

    # ------------------------------------------------------------------ detection

    @property
    def headers(self) -> tuple[frozenset[str], ...]:
        """The header sets this reader reads: those its ``info`` declares."""
        return tuple(h for h in (self.info.csv_header, *self.info.csv_headers) if h)

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN on an exact header match (the declared hints)."""
        return accepts_by_hints(self.info, sample)

    # ------------------------------------------------------------------ hooks

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        """Per-row oddities: called after the column map was applied (``HOOK`` columns are
        untouched so far), before the item is finished. State of one read belongs in
        ``vault.state`` (an adapter object serves every read)."""

    def row_hook(
        self, header: list[str]
    ) -> Callable[[ItemBuilder, list[str], VaultBuilder], None] | None:
        """The per-row hook for the rows of a file with *header*, taking a row's cells as a list
        (override to find the columns it needs once per file: no dict per row); by default,
        :meth:`row` with the cells as a dict when the reader defines it, else None."""
        if type(self).row is CsvReader.row:
            return None
        row = self.row

        def hook(b: ItemBuilder, cells: list[str], vault: VaultBuilder) -> None:
            row(b, dict(zip(header, cells, strict=True)), vault)

        return hook

    def item_id(self, name: str, row_number: int) -> str:
        """The id of the row's item: :func:`stable_id` of the adapter key, file, row number."""
        return stable_id(self.info.key, name, str(row_number))

    def item_ids(self, name: str) -> Callable[[int], str]:
        """Row number → :meth:`item_id` for the rows of file *name* (override to prepare what
        every row's id shares once)."""
        if type(self).item_id is CsvReader.item_id:  # the default: the shared parts hashed once
            return stable_ids(self.info.key, name)
        return functools.partial(self.item_id, name)

    def vault(self, report: MigrationReport, options: ReadOptions) -> VaultBuilder:
        """The vault the items go to (override for collection ids, item order)."""
        return VaultBuilder(report, key=self.info.key, rp_id=self.rp_id, app=self.app,
                            include_trashed=options.include_trashed)  # fmt: skip

    # ------------------------------------------------------------------ reading

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        bad_rows: list[tuple[int, int]] = []
        table = read_csv(sample.data, name=name, headers=self.headers, allow_short=self.short_rows,
                         delimiter=self.delimiter, allow_extra=self.extra_cells,
                         bad_rows=bad_rows)  # fmt: skip
        for row_number, width in bad_rows:  # one damaged row never sinks the rest
            why = (f"{width} cell{'s' if width != 1 else ''} where the header has "
                   f"{len(table.header)}: not read (a comma or quote out of place?)")  # fmt: skip
            report.skip_item(f"row {row_number}", why)
            report.add_field(
                f"{name}:{row_number}", f"row {row_number}", Disposition.NOT_CARRIED, "", why
            )
        if self.extra_cells:
            _widen(table)
        vault = self.vault(report, options)
        specs = [
            (index, column, spec if isinstance(spec, Column) else Column(spec))
            for index, column in enumerate(table.header)
            if (spec := self.columns.get(column)) is not None
        ]
        mapped = {column for _, column, _ in specs}
        others = [(index, c) for index, c in enumerate(table.header) if c not in mapped]
        # once per file: the login's columns, then the others in credential order (HOOK columns
        # are the hook's), each with its cell index, its parser and a small int for its kind
        # (enum members are slow to compare in a hot loop)
        specs.sort(key=lambda p: _ORDER[p[2].target])
        steps: list[_Step] = [(index, column, _KIND.get(spec.target, _OTHER), spec.parse, spec)
                              for index, column, spec in specs if spec.target is not HOOK]  # fmt: skip
        split = next((n for n, step in enumerate(steps) if step[2] > _URL), len(steps))
        plan = (steps[:split], steps[split:])
        with paused_gc():  # many small acyclic objects (as the CXF decoder does)
            self._rows(table, name, vault, plan, others)
            # for speed: the parsed rows are freed and the document built before the collector
            # resumes (it would visit every row's cell list)
            del table
            return self.document(vault)

    def _rows(
        self,
        table: CsvTable,
        name: str,
        vault: VaultBuilder,
        plan: tuple[list[_Step], list[_Step]],
        others: list[tuple[int, str]],
    ) -> None:
        header = table.header
        hook = self.row_hook(header)
        make_id = self.item_ids(name)
        many = make_id.many if isinstance(make_id, Uuid5Ids) else None  # the file's ids at once
        numbers = [row_number for row_number, _ in table.lines]
        ids = many(numbers) if many is not None else list(map(make_id, numbers))
        make = vault.maker(extension=self.item_extension, custom_extension=self.custom_extension)

        def general(row_number: int, cells: list[str], item_id: str) -> None:
            """One row through the item builder."""
            b = make(f"{name}:{row_number}:", item_id, "")
            try:
                self._map(b, cells, plan)
                if hook is not None:
                    hook(b, cells, vault)
            except InputTooLargeError:  # a limit (nesting, size) stops the whole read
                raise
            except (CxkitError, ValueError) as exc:  # one row never sinks the rest
                b.fail(f"row {row_number} cannot be read: {skip_reason(exc)}",
                       [Val(text, column) for column, text in zip(header, cells, strict=True)])  # fmt: skip
                return
            vault.add(b, [Val(cells[i], c) for i, c in others if cells[i]] if others else ())

        lean = self.lean_row(header, plan, others, hook, vault)
        if lean is None:
            for (row_number, cells), item_id in zip(table.lines, ids, strict=True):
                general(row_number, cells, item_id)
            return
        for (row_number, cells), item_id in zip(table.lines, ids, strict=True):
            prefix = f"{name}:{row_number}:"
            if not lean(cells, prefix, item_id):
                general(row_number, cells, item_id)

    def lean_row(
        self,
        header: list[str],
        plan: tuple[list[_Step], list[_Step]],
        others: list[tuple[int, str]],
        hook: Callable[[ItemBuilder, list[str], VaultBuilder], None] | None,
        vault: VaultBuilder,
    ) -> LeanRow | None:
        """The lean path of the rows of a file with *header* (:func:`lean_row`), or None: the
        default for a reader without a row hook whose file has only the columns the lean path
        makes (a reader with a hook overrides this to give the hook's cells as
        :func:`lean_row`'s *extra*)."""
        cls = type(self)
        if hook is not None or others or cls._map is not CsvReader._map:
            return None
        if cls.apply_one is not TargetMap.apply_one:  # (the TOTP column's reading)
            return None
        return lean_row(plan, vault, apps=self.android_apps, totp_parser=self.totp_parser,
                        extension=self.item_extension)  # fmt: skip

    def _map(self, b: ItemBuilder, cells: list[str], plan: tuple[list[_Step], list[_Step]]) -> None:
        """Apply *plan* (the login's columns, then the others in credential order) to a row."""
        username = password = username_at = password_at = ""
        urls: list[Val] = []
        login, rest = plan
        for index, column, kind, parse, _ in login:
            if text := cells[index]:
                if parse is not None:
                    text = parse(text)
                if kind == _TITLE:
                    b.title_text(text, column)
                elif kind == _USERNAME:
                    username, username_at = text, column
                elif kind == _PASSWORD:
                    password, password_at = text, column
                else:
                    urls.append(fast_val((text, column)))
        b.login_text(username, password, username_at, password_at)
        if urls:
            if len(urls) == 1:  # one URL column (the usual): no list of values
                b.url_texts((urls[0].text,), urls[0].at, apps=self.android_apps)
            else:
                b.urls(urls, apps=self.android_apps)
        for index, column, kind, parse, spec in rest:
            if text := cells[index]:
                if parse is not None:
                    text = parse(text)
                if kind == _NOTE:  # the common ones called directly, the rest by target
                    b.note_text(text, column)
                elif kind == _MODIFIED:
                    b.modified_text(text, column)
                elif kind == _CREATED:
                    b.created_text(text, column)
                else:
                    self.apply_one(b, spec, fast_val((text, column)))


# =========================================================================== the lean path

LeanRow = Callable[[list[str], str, str], bool]
"""``row(cells, record path prefix, item id)``: True when the row was read, False (nothing done)
when it is left to the item builder."""
#: What a reader's *extra* gives for a row (:func:`lean_row`): the members of the item's
#: round-trip extension, the records of its cells ``(at, disposition, target, note)`` and the
#: item's collection path (or None); None leaves the row to the builder.
LeanExtra = Callable[[list[str]], tuple[dict[str, Any], list[Any], tuple[str, ...] | None] | None]


def lean_row(
    plan: tuple[list[_Step], list[_Step]],
    vault: VaultBuilder,
    *,
    apps: bool,
    totp_parser: Callable[[str], tuple[m.Totp | None, str]] = parse_totp,
    extension: str | None = None,
    extra: LeanExtra | None = None,
) -> LeanRow | None:
    """The lean path of a file whose mapped columns are at most one each of title, user name,
    password, URL, TOTP, note, created and modified time, without parsers (browser exports,
    KeePassXC with its hook's cells as *extra*), else None.

    The row function makes the item, its report records and its credentials' outcomes directly,
    as :class:`CsvReader`'s general path with the item builder makes them — the same item,
    records and order (title, user name, password, URL, TOTP, note, times, then *extra*'s), a
    property test holds them equal — and leaves to the builder a row it would make otherwise:
    a URL that may be an Android app (with *apps*), a TOTP *totp_parser* cannot read, a time
    :func:`~cxkit.adapters.kit.values.parse_time` cannot read, or *extra* saying None."""
    found: dict[object, tuple[int, str]] = {}
    for index, column, kind, parse, spec in (*plan[0], *plan[1]):
        key: object = TOTP if spec.target is TOTP else kind
        if parse is not None or key not in _LEAN_KINDS or key in found:
            return None
        found[key] = (index, column)
    ti, title_at = found.get(_TITLE, (-1, ""))
    ui, user_at = found.get(_USERNAME, (-1, ""))
    pi, password_at = found.get(_PASSWORD, (-1, ""))
    li, url_at = found.get(_URL, (-1, ""))
    oi, totp_at = found.get(TOTP, (-1, ""))
    ni, note_at = found.get(_NOTE, (-1, ""))
    ci, created_at = found.get(_CREATED, (-1, ""))
    mi, modified_at = found.get(_MODIFIED, (-1, ""))
    title_rec = (title_at, _MEMBER, "item.title", "")
    user_rec = (user_at, _MEMBER, "basic-auth.username", "")
    password_rec = (password_at, _MEMBER, "basic-auth.password", "")
    url_rec = (url_at, _MEMBER, "scope.urls", "")
    totp_rec = (totp_at, _MEMBER, "totp", "")
    note_rec = (note_at, _MEMBER, "note.content", "")
    created_rec = (created_at, _MEMBER, "item.creationAt", "")
    modified_rec = (modified_at, _MEMBER, "item.modifiedAt", "")
    report = vault.report
    add_fields = report.field_records().add_item
    add_credentials = report.credential_records().add_made
    keep = vault.keep
    field, basic_auth, note_cls, scope_cls = m.EditableField, m.BasicAuth, m.Note, m.CredentialScope
    item_cls, extension_cls = m.Item, m.UnknownExtension
    carried = _CARRIED_PLAIN

    def row(cells: list[str], prefix: str, item_id: str) -> bool:
        url = cells[li] if li >= 0 else ""
        if url and apps and _maybe_app(url):
            return False
        totp = created = modified = None
        try:  # (a parser that raises: the builder fails the row as it does)
            if oi >= 0 and (text := cells[oi]) and text.strip():
                totp = totp_parser(text)[0]
                if totp is None:
                    return False
            if ci >= 0 and (text := cells[ci]):
                created = parse_time(text)
                if created is None:
                    return False
            if mi >= 0 and (text := cells[mi]):
                modified = parse_time(text)
                if modified is None:
                    return False
        except (CxkitError, ValueError):
            return False
        more = extra(cells) if extra is not None else None
        if extra is not None and more is None:
            return False
        # nothing below leaves the row to the builder
        title = cells[ti] if ti >= 0 else ""
        user = cells[ui] if ui >= 0 else ""
        password = cells[pi] if pi >= 0 else ""
        recs = [title_rec] if title else []
        credentials: list[Any] = []
        if user or password:
            if user:
                recs.append(user_rec)
            if password:
                recs.append(password_rec)
            credentials.append(basic_auth(
                username=field(field_type="string", value=user) if user else None,
                password=field(field_type="concealed-string", value=password) if password else None,
            ))  # fmt: skip
        outcomes = [carried] * len(credentials)
        if url:
            recs.append(url_rec)
        if totp is not None:
            credentials.append(totp)
            outcomes.append(_STEAM if totp.algorithm == "steam" else carried)
            recs.append(totp_rec)
        if ni >= 0 and (note := cells[ni]):
            credentials.append(note_cls(content=field(field_type="string", value=note)))
            outcomes.append(carried)
            recs.append(note_rec)
        if created is not None:
            recs.append(created_rec)
        if modified is not None:
            recs.append(modified_rec)
        extensions: tuple[m.UnknownExtension, ...] = ()
        paths: tuple[tuple[str, ...], ...] = ()
        if more is not None:
            ext, more_recs, path = more
            recs += more_recs
            if ext and extension is not None:
                extensions = (extension_cls(extension_name=extension, members=ext),)
            if path:
                paths = (path,)
        made = tuple(credentials)
        item = item_cls(
            id=item_id,
            creation_at=created,
            modified_at=modified,
            title=title,
            favorite=None,
            scope=scope_cls(urls=(url,), android_apps=()) if url else None,
            credentials=made,
            tags=(),
            extensions=extensions,
        )
        if recs:
            add_fields(prefix, title, recs)
        report.items_read += 1
        if made:
            add_credentials("read", title, item_id, made, outcomes)
        keep(item, paths)
        return True

    return row


_MEMBER: Final = Disposition.MEMBER
_CARRIED_PLAIN: Final = (Outcome.CARRIED, "")
_STEAM: Final = (Outcome.TRANSFORMED, "Steam Guard: algorithm 'steam' is not registered in CXF 1.0")


def _widen(table: CsvTable) -> None:
    """Give the cells beyond the header their ``column N`` names (every row as wide as the
    widest, padded with empty cells)."""
    width = max((len(cells) for _, cells in table.lines), default=0)
    if width <= len(table.header):
        return
    table.header = [table.column(n) for n in range(width)]
    for _, cells in table.lines:
        cells.extend([""] * (width - len(cells)))


#: Order in which the targets are applied (the credentials' order: the login, its TOTP, the
#: note, then the rest; custom fields always come last).
_ORDER: dict[Target, int] = {
    t: n for n, t in enumerate((TITLE, URL, USERNAME, PASSWORD, TOTP, NOTE, FOLDER, FAVORITE,
                                TAGS, CREATED, MODIFIED, TRASHED, CUSTOM, IGNORE, HOOK))
}  # fmt: skip
_TITLE, _USERNAME, _PASSWORD, _URL, _OTHER, _NOTE, _CREATED, _MODIFIED = range(8)
_LEAN_KINDS: Final = frozenset((_TITLE, _USERNAME, _PASSWORD, _URL, _NOTE, _CREATED, _MODIFIED,
                                 TOTP))  # fmt: skip
_KIND: dict[Target, int] = {TITLE: _TITLE, USERNAME: _USERNAME, PASSWORD: _PASSWORD, URL: _URL,
                            NOTE: _NOTE, CREATED: _CREATED, MODIFIED: _MODIFIED}  # fmt: skip
#: One column of a file's plan: (cell index, column name, kind, parser, its Column)
_Step = tuple[int, str, int, Callable[[str], str] | None, Column]
