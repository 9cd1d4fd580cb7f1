"""The migration report: what happened to every source field and every credential.

Two levels, both built while converting, never containing a secret value:

* **fields** (:class:`FieldRecord`) — one record per source field (a JSON leaf such as
  ``$.items[3].login.password``, a CSV cell): where it landed in CXF (:class:`Disposition`):
  a CXF ``member``, a ``custom-field``, the cxkit round-trip ``extension`` of the item (bookkeeping
  only Bitwarden-aware writers use, such as ids and exact timestamps), or ``not-carried`` with a
  reason. Readers account for *every* non-null source field, so a test can compare the set of
  source paths with the set of recorded paths ("nothing dropped silently").
* **credentials** (:class:`CredentialRecord`) — per CXF credential and stage (``read`` /
  ``write``): ``carried`` as is, ``transformed`` (e.g. a Bitwarden identity became person-name +
  address + custom fields; a Wi-Fi credential became custom fields of a Bitwarden secure note)
  or ``not-carried`` (the destination cannot hold it), with the item named.

:meth:`MigrationReport.to_json` is the ``--report`` file; :meth:`MigrationReport.render` the text
``cxkit convert`` prints.
"""

from __future__ import annotations

import enum
import gc
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain
from operator import itemgetter
from typing import Any, ClassVar, Final, Generic, Protocol, TypeVar, overload

__all__ = [
    "CredentialRecord",
    "CredentialRecords",
    "Disposition",
    "FieldRecord",
    "FieldRecords",
    "MigrationReport",
    "Outcome",
    "WrittenField",
    "WrittenFields",
    "WrittenRow",
]


class Disposition(enum.StrEnum):
    """Where one source field landed."""

    MEMBER = "member"
    CUSTOM_FIELD = "custom-field"
    EXTENSION = "extension"
    NOT_CARRIED = "not-carried"


class Outcome(enum.StrEnum):
    """What happened to one credential in one stage (ordered: later is worse)."""

    CARRIED = "carried"
    TRANSFORMED = "transformed"
    NOT_CARRIED = "not-carried"


_RANK = {Outcome.CARRIED: 0, Outcome.TRANSFORMED: 1, Outcome.NOT_CARRIED: 2}


@dataclass(frozen=True, slots=True)
class FieldRecord:
    """One source field. ``target`` names the CXF place (``basic-auth.password``,
    ``custom-fields[Password history]``, ``extension.reprompt``); never a value."""

    path: str
    item: str
    disposition: Disposition
    target: str = ""
    note: str = ""


#: One field, compactly: (path prefix, path rest, item, disposition, target, note). The path is
#: ``prefix + rest`` (joined only when a record is looked at: readers pass the item's path and the
#: member's, and most reports are summarised, never listed).
_Row = tuple[str, str, str, Disposition, str, str]


_R = TypeVar("_R")
_T = TypeVar("_T", bound=tuple[Any, ...])


class _FlatRecords(MutableSequence[_R], Generic[_R, _T]):
    """A list of records stored flat: one list holding :attr:`_width` values per record, the
    record (a frozen dataclass) made when it is looked at. Flat rather than a tuple per record
    for speed: a 10k-row CSV read records ~85k fields and credentials, and the cyclic collector
    visits every container that outlives a read (tuples of ~85k records cost it ~2 µs a row;
    one list of strings costs it next to nothing).

    Readers record an item's records at once, in a shorter form (``add_item``, ``add_made``):
    kept *pending*, flat too, and expanded to rows when the records are listed or changed
    (in order). What a report's summary asks — counts, the length, the records of one kind —
    is answered from the pending records where they are, without expanding them."""

    __slots__ = ("_flat", "_pending")
    _width: ClassVar[int]

    def __init__(self, records: Iterable[_R] = ()) -> None:
        self._flat: list[Any] = []
        self._pending: list[Any] = []
        self.extend(records)

    def _record(self, row: _T) -> _R:
        raise NotImplementedError

    def _row(self, record: _R) -> _T:
        raise NotImplementedError

    def _pending_rows(self) -> Iterator[_T]:
        """The rows of the pending records (subclasses that record items define them)."""
        raise NotImplementedError

    def _pending_len(self) -> int:
        raise NotImplementedError

    def _drop_pending(self) -> None:
        self._pending = []

    def _settled(self) -> list[Any]:
        """The flat values with every pending record expanded (in order)."""
        if self._pending:
            extend = self._flat.extend
            for row in self._pending_rows():
                extend(row)
            self._drop_pending()
        return self._flat

    # -- fast recording and reading
    def add_rows(self, rows: Iterable[_T]) -> None:
        """Record several at once, each as its compact tuple — for :class:`FieldRecords`
        ``(path prefix, path rest, item, disposition, target, note)``, for
        :class:`CredentialRecords` ``(stage, credential type, item, outcome, note, item id,
        index)``."""
        extend = self._settled().extend  # a call per row: cheaper than chaining 6-7 values
        for row in rows:
            extend(row)

    def _iter_rows(self) -> Iterator[_T]:
        """The compact tuples, in order (made as they are iterated)."""
        flat = iter(self._flat)
        rows: Iterator[_T] = zip(*[flat] * self._width, strict=True)  # type: ignore[assignment]
        if self._pending:
            return chain(rows, self._pending_rows())
        return rows

    def _index(self, index: int, *, clamp: bool = False) -> int:
        n = len(self._settled()) // self._width
        i = index + n if index < 0 else index
        if clamp:
            return min(max(i, 0), n)
        if not 0 <= i < n:
            raise IndexError(f"{type(self).__name__} index out of range")
        return i

    def _row_at(self, index: int) -> _T:
        w = self._width
        start = self._index(index) * w  # (_index expands the pending records)
        row: _T = tuple(self._flat[start : start + w])  # type: ignore[assignment]
        return row

    # -- the sequence
    def __len__(self) -> int:
        return len(self._flat) // self._width + (self._pending_len() if self._pending else 0)

    @overload
    def __getitem__(self, index: int) -> _R: ...
    @overload
    def __getitem__(self, index: slice) -> list[_R]: ...
    def __getitem__(self, index: int | slice) -> _R | list[_R]:
        if isinstance(index, slice):
            return [self._record(self._row_at(i)) for i in range(len(self))[index]]
        return self._record(self._row_at(index))

    @overload
    def __setitem__(self, index: int, value: _R) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[_R]) -> None: ...
    def __setitem__(self, index: int | slice, value: Any) -> None:
        if isinstance(index, slice):
            self._settled()
            rows = list(self._iter_rows())
            rows[index] = [self._row(r) for r in value]
            self._flat = list(chain.from_iterable(rows))
        else:
            row, w = self._row(value), self._width
            start = self._index(index) * w
            self._flat[start : start + w] = row

    def __delitem__(self, index: int | slice) -> None:
        if isinstance(index, slice):
            self._settled()
            rows = list(self._iter_rows())
            del rows[index]
            self._flat = list(chain.from_iterable(rows))
        else:
            start = self._index(index) * self._width
            del self._flat[start : start + self._width]

    def insert(self, index: int, value: _R) -> None:
        start = self._index(index, clamp=True) * self._width
        self._flat[start:start] = self._row(value)

    def append(self, value: _R) -> None:
        self._settled().extend(self._row(value))

    def extend(self, values: Iterable[_R]) -> None:
        if type(values) is type(self):
            self._settled().extend(values._settled())
        else:
            rows = [self._row(v) for v in values]
            self._settled().extend(chain.from_iterable(rows))

    def clear(self) -> None:
        self._flat.clear()
        self._drop_pending()

    def __iter__(self) -> Iterator[_R]:
        return map(self._record, self._iter_rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self) | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} records)"


class FieldRecords(_FlatRecords[FieldRecord, _Row]):
    """The field records of a report: a list of :class:`FieldRecord` to its users, stored
    compactly (a 10k-item export has ~150k of them; a frozen dataclass each costs several
    times a tuple, see :class:`_FlatRecords`). Records are built when they are looked at;
    counts need none."""

    __slots__ = ("_recs",)
    _width = 6

    def __init__(self, records: Iterable[FieldRecord] = ()) -> None:
        self._recs: list[tuple[str, Disposition, str, str]] = []
        """The pending records' ``(path rest, disposition, target, note)``; ``_pending`` holds
        each item's ``(path prefix, item, count)``."""
        super().__init__(records)

    def _record(self, row: _Row) -> FieldRecord:
        return _record(row)

    def _row(self, record: FieldRecord) -> _Row:
        return _row(record)

    # -- fast recording
    def add(
        self,
        path: str,
        item: str,
        disposition: Disposition,
        target: str = "",
        note: str = "",
        rest: str = "",
    ) -> None:
        """Record one field (``path + rest``) without building a :class:`FieldRecord`."""
        self._settled().extend((path, rest, item, disposition, target, note))

    def add_item(
        self, prefix: str, item: str, records: list[tuple[str, Disposition, str, str]]
    ) -> None:
        """Record the fields of one item at once, each ``(path rest, disposition, target,
        note)`` under the item's path *prefix* and title *item* (the item builder's records;
        kept pending, see :class:`_FlatRecords`)."""
        self._pending.extend((prefix, item, len(records)))
        self._recs.extend(records)

    def _pending_rows(self) -> Iterator[_Row]:
        blocks, recs, at = self._pending, self._recs, 0
        for i in range(0, len(blocks), 3):
            prefix, item, count = blocks[i : i + 3]
            for rest, disposition, target, note in recs[at : at + count]:
                yield (prefix, rest, item, disposition, target, note)
            at += count

    def _pending_len(self) -> int:
        return len(self._recs)

    def _drop_pending(self) -> None:
        self._pending = []
        self._recs = []

    # -- summaries without records
    def counts(self) -> dict[Disposition, int]:
        out = dict.fromkeys(Disposition, 0)
        for disposition in self._flat[3::6]:
            out[disposition] += 1
        if self._recs:  # the pending ones where they are (counted in C)
            for disposition, n in Counter(map(itemgetter(1), self._recs)).items():
                out[disposition] += n
        return out

    def of(self, disposition: Disposition) -> list[FieldRecord]:
        flat = iter(self._flat)
        out = [_record(row) for row in zip(*[flat] * 6, strict=True) if row[3] is disposition]
        recs = self._recs
        if recs:  # the pending ones of that kind, each found in its item's block
            ends = list(accumulate(self._pending[2::3]))
            blocks = self._pending
            for index, found in enumerate(map(itemgetter(1), recs)):
                if found is disposition:
                    block = bisect_right(ends, index) * 3
                    rest, _, target, note = recs[index]
                    path = blocks[block] + rest
                    out.append(FieldRecord(path, blocks[block + 1], disposition, target, note))
        return out

    def paths(self) -> list[str]:
        flat = self._settled()
        return [a + b for a, b in zip(flat[0::6], flat[1::6], strict=True)]


def _record(row: _Row) -> FieldRecord:
    return FieldRecord(row[0] + row[1], row[2], row[3], row[4], row[5])


def _row(record: FieldRecord) -> _Row:
    if not isinstance(record, FieldRecord):
        raise TypeError(f"a FieldRecord, not {type(record).__name__}")
    return (record.path, "", record.item, record.disposition, record.target, record.note)


# =========================================================================== written fields

#: One written leaf: (item prefix, path in the item, item title, outcome, note, group, member).
#: ``group`` is what a person calls the part of the item (``passkey fido2Extensions``,
#: ``tags``); ``member`` the leaf's path without indexes (``passkey userDisplayName``).
WrittenRow = tuple[str, str, str, Outcome, str, str, str]


class _Expander(Protocol):
    """What :meth:`WrittenFields.defer` stores: a writer's declaration
    (:class:`cxkit.adapters.kit.ledger.Declaration`)."""

    def rows(
        self, where: str, item: Any, modes: tuple[Any, ...], item_mode: str
    ) -> list[WrittenRow]: ...


@dataclass(frozen=True, slots=True)
class WrittenField:
    """What a writer did with one leaf of a CXF item: ``path`` is the leaf's CXF path
    (``$.accounts[0].items[3].credentials[1].userDisplayName``), ``member`` the credential type
    and member without indexes (``passkey userDisplayName``); never a value."""

    path: str
    item: str
    outcome: Outcome
    note: str = ""
    member: str = ""


class WrittenFields(Sequence[WrittenField]):
    """The write-side field records: one per leaf of every item a writer was given. Writers
    record per item which declaration and modes they used (:meth:`defer`); the leaves are
    walked the first time the records or counts are looked at."""

    __slots__ = ("_entries", "_rows")

    def __init__(self) -> None:
        self._entries: list[tuple[Any, ...]] = []
        self._rows: list[WrittenRow] = []

    def defer(
        self, expander: _Expander, where: str, item: Any, modes: tuple[Any, ...], item_mode: str
    ) -> None:
        """Record an item whose leaves *expander* lists when they are looked at."""
        self._entries.append((expander, where, item, modes, item_mode))

    def add(self, path: str, item: str, outcome: Outcome, note: str = "", member: str = "") -> None:
        """Record one leaf directly."""
        self._entries.append((None, (path, "", item, outcome, note, member, member)))

    def deferred(self) -> list[tuple[Any, str, Any, tuple[Any, ...], str]]:
        """What was recorded with :meth:`defer` and not looked at yet: (expander, where, item,
        modes, item mode) — for a writer built on another writer's mapping (CSV on JSON); the
        leaves outside the items (header, accounts, collections) are left out: that writer
        records them with its own declaration."""
        return [
            e for e in self._entries if e[0] is not None and not getattr(e[0], "outside", False)
        ]

    def rows(self) -> list[WrittenRow]:
        """Every row (expanding what was deferred)."""
        if self._entries:
            collecting = gc.isenabled()
            gc.disable()  # ~20 tuples per item and no cycles: one collection later, not hundreds
            try:
                for entry in self._entries:
                    if entry[0] is None:
                        self._rows.append(entry[1])
                    else:
                        expander, where, item, modes, item_mode = entry
                        self._rows.extend(expander.rows(where, item, modes, item_mode))
                self._entries.clear()
            finally:
                if collecting:
                    gc.enable()
        return self._rows

    def counts(self) -> dict[Outcome, int]:
        out = dict.fromkeys(Outcome, 0)
        for row in self.rows():
            out[row[3]] += 1
        return out

    def of(self, outcome: Outcome) -> list[WrittenField]:
        return [_written(row) for row in self.rows() if row[3] is outcome]

    def __len__(self) -> int:
        return len(self.rows())

    @overload
    def __getitem__(self, index: int) -> WrittenField: ...
    @overload
    def __getitem__(self, index: slice) -> list[WrittenField]: ...
    def __getitem__(self, index: int | slice) -> WrittenField | list[WrittenField]:
        if isinstance(index, slice):
            return [_written(row) for row in self.rows()[index]]
        return _written(self.rows()[index])

    def __iter__(self) -> Iterator[WrittenField]:
        return map(_written, self.rows())

    def __repr__(self) -> str:
        return f"WrittenFields({len(self._entries)} pending, {len(self._rows)} records)"


def _written(row: WrittenRow) -> WrittenField:
    path = f"{row[0]}.{row[1]}" if row[0] and row[1] else row[0] or row[1]
    return WrittenField(path, row[2], row[3], row[4], row[6])


_KINDS: Final = ("item", "collection", "account", "header")


def _kind(where: str) -> str:
    """What a written row's CXF path (its item prefix) is in: ``item``, ``collection``,
    ``account`` or ``header``."""
    if where == "$":
        return "header"
    if ".collections[" in where:
        return "collection"
    if where.startswith("$.accounts[") and ".items[" not in where:
        return "account"
    return "item"


def _where_lost(kind: str, names: list[str]) -> str:
    """``3 items (a, b, c, …)``, ``1 collection (Work)``, ``2 accounts``, ``the header``."""
    if kind == "header":
        return "the header"
    count = f"{len(names)} {kind}{'s' if len(names) != 1 else ''}"
    if kind == "account":
        return count
    return f"{count} ({', '.join(names[:3])}{', …' if len(names) > 3 else ''})"


def _label(title: str) -> str:
    """An item's title as the report's lines show it: ``(untitled)`` for an item without one
    (never an empty label: "skipped: : record at line 44")."""
    return title if title.strip() else "(untitled)"


def _cut(lines: list[str], entries: Sequence[Any], limit: int, indent: str = "  ") -> None:
    """After the first *limit* of *entries* were listed: say how many more the file holds."""
    if len(entries) > limit:
        lines.append(f"{indent}… and {len(entries) - limit} more (--report FILE)")


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """One CXF credential in one stage. ``key`` identifies the credential across stages
    (item id and index in the item), so that the summary counts each credential once."""

    stage: str
    credential_type: str
    item: str
    outcome: Outcome
    note: str = ""
    key: tuple[str, int] | None = None


#: One credential, compactly: (stage, credential type, item, outcome, note, key item id, key
#: index) — the key ``(item id, index)`` is made when a record is looked at (None: no key).
_CredRow = tuple[str, str, str, Outcome, str, str | None, int]


class CredentialRecords(_FlatRecords[CredentialRecord, _CredRow]):
    """The credential records of a report: a list of :class:`CredentialRecord` to its users,
    stored compactly (as :class:`FieldRecords`: a frozen dataclass costs several times a
    tuple to make, and readers record one or two per item)."""

    __slots__ = ()
    _width = 7

    def _record(self, row: _CredRow) -> CredentialRecord:
        return _credential(row)

    def _row(self, record: CredentialRecord) -> _CredRow:
        return _cred_row(record)

    def add(
        self,
        stage: str,
        credential_type: str,
        item: str,
        outcome: Outcome,
        note: str = "",
        item_id: str | None = None,
        index: int = 0,
    ) -> None:
        """Record one credential (keyed by *item_id* and *index* when *item_id* is given)
        without building a :class:`CredentialRecord`."""
        self._settled().extend((stage, credential_type, item, outcome, note, item_id, index))

    def add_item(
        self, stage: str, item: str, item_id: str, credentials: Iterable[tuple[str, Outcome, str]]
    ) -> None:
        """Record the credentials of one item: each ``(type, outcome, note)``, keyed by
        *item_id* and its index in the item."""
        self.add_rows(
            [
                (stage, ctype, item, outcome, note, item_id, index)
                for index, (ctype, outcome, note) in enumerate(credentials)
            ]
        )

    def add_made(
        self,
        stage: str,
        item: str,
        item_id: str,
        credentials: Sequence[Any],
        outcomes: Sequence[tuple[Outcome, str]],
    ) -> None:
        """:meth:`add_item` of the CXF *credentials* of one item (model objects: their type is
        looked up when the records are) with their ``(outcome, note)``; kept pending (see
        :class:`_FlatRecords`)."""
        if len(credentials) != len(outcomes):
            raise ValueError("each credential needs its outcome")
        pending = self._pending
        pending.extend((stage, item, item_id, len(credentials)))
        pending.extend(credentials)
        pending.extend(outcomes)

    def rows_of(self, stage: str, credential_type: str) -> list[_CredRow]:
        """The compact rows ``(stage, credential type, item, outcome, note, item id or None,
        index)`` of *stage* and *credential_type*, in order — no :class:`CredentialRecord`
        made (a 10k-item conversion has ~34k records: making them all costs ~35 ms)."""
        return [r for r in self._iter_rows() if r[0] == stage and r[1] == credential_type]

    def keys(self, stage: str, credential_type: str) -> dict[Outcome, set[tuple[str, int]]]:
        """The keys ``(item id, index)`` of the keyed records of *stage* and *credential_type*,
        by outcome (what the TOTP proof asks)."""
        out: dict[Outcome, set[tuple[str, int]]] = {}
        for row in self.rows_of(stage, credential_type):
            if row[5] is not None:
                out.setdefault(row[3], set()).add((row[5], row[6]))
        return out

    def _pending_rows(self) -> Iterator[_CredRow]:
        pending, known = self._pending, _CTYPES
        i, end = 0, len(pending)
        while i < end:
            stage, item, item_id, count = pending[i : i + 4]
            i += 4
            outcomes = pending[i + count : i + 2 * count]
            for index, credential in enumerate(pending[i : i + count]):
                outcome, note = outcomes[index]
                ctype = known.get(type(credential)) or _credential_type(credential)
                yield (stage, ctype, item, outcome, note, item_id, index)
            i += 2 * count

    def _pending_len(self) -> int:
        pending = self._pending
        total, i, end = 0, 0, len(pending)
        while i < end:
            count = pending[i + 3]
            total += count
            i += 4 + 2 * count
        return total


_CTYPES: dict[type, str] = {}
"""Credential classes → their wire type (:func:`_credential_type`'s cache)."""


def _credential_type(credential: object) -> str:
    """:func:`cxkit.cxf.credential_type`, remembered per class (not for unknown credentials,
    whose type is their own)."""
    found = _CTYPES.get(type(credential))
    if found is not None:
        return found
    from cxkit.cxf import credential_type  # lazily: the report alone imports no model
    from cxkit.cxf.model import UnknownCredential

    found = credential_type(credential)
    if not isinstance(credential, UnknownCredential) and len(_CTYPES) < 256:
        _CTYPES[type(credential)] = found
    return found


def _credential(row: _CredRow) -> CredentialRecord:
    key = (row[5], row[6]) if row[5] is not None else None
    return CredentialRecord(row[0], row[1], row[2], row[3], row[4], key)


def _cred_row(record: CredentialRecord) -> _CredRow:
    if not isinstance(record, CredentialRecord):
        raise TypeError(f"a CredentialRecord, not {type(record).__name__}")
    key = record.key
    return (record.stage, record.credential_type, record.item, record.outcome, record.note,
            key[0] if key is not None else None, key[1] if key is not None else 0)  # fmt: skip


@dataclass
class MigrationReport:
    """Everything ``cxkit convert`` says about one conversion (no secret values, ever)."""

    source: str = ""
    source_format: str = ""
    destination: str = ""
    destination_format: str = ""
    items_read: int = 0
    items_written: int = 0
    items_skipped: list[tuple[str, str]] = field(default_factory=list)
    """(item title, reason) of source items that were not converted at all."""
    fields: FieldRecords = field(default_factory=FieldRecords)
    """Every source field (a list of :class:`FieldRecord`; stored compactly)."""
    credentials: CredentialRecords = field(default_factory=CredentialRecords)
    """Every credential per stage (a list of :class:`CredentialRecord`; stored compactly)."""
    warnings: list[str] = field(default_factory=list)
    plaintext: bool = False
    encrypted: bool = False
    passkeys: list[dict[str, Any]] = field(default_factory=list)
    """One entry per checked passkey: item, rpId, username, ok, codes."""
    passkeys_checked: bool = False
    totp: dict[str, Any] | None = None
    """The TOTP proof (``cxkit.totp.Proof.to_json()`` plus ``state``: ``checked``, ``skipped``
    with ``why``): every TOTP carried gives the same codes in the destination read back."""
    passkeys_to_recreate: list[dict[str, str]] = field(default_factory=list)
    """One entry per passkey that did not travel — the source holds no private key for it, or
    the destination cannot hold one: ``item``, ``rp_id``, ``username``, ``why``. The user must
    create a new passkey on each of these sites (listed at the end of the report)."""
    dry_run: bool = False
    written_fields: WrittenFields = field(default_factory=WrittenFields)
    """What the writer did with every leaf of every CXF item (see :mod:`cxkit.adapters.kit.ledger`)."""

    def __post_init__(self) -> None:
        self.field_records()
        self.credential_records()

    def field_records(self) -> FieldRecords:
        """:attr:`fields` as :class:`FieldRecords` (a plain list assigned by a caller is taken
        over): what readers and writers record into in bulk, without a record object each."""
        fields: Any = self.fields
        if not isinstance(fields, FieldRecords):
            self.fields = FieldRecords(fields)
        return self.fields

    def credential_records(self) -> CredentialRecords:
        """:attr:`credentials` as :class:`CredentialRecords` (a plain list assigned by a caller
        is taken over): compact rows, recorded and queried without a record object each."""
        credentials: Any = self.credentials
        if not isinstance(credentials, CredentialRecords):
            self.credentials = CredentialRecords(credentials)
        return self.credentials

    # ------------------------------------------------------------------ recording

    def add_field(
        self,
        path: str,
        item: str,
        disposition: Disposition,
        target: str = "",
        note: str = "",
    ) -> None:
        self.field_records().add(path, item, disposition, target, note)

    def add_credential(
        self,
        stage: str,
        credential_type: str,
        item: str,
        outcome: Outcome,
        note: str = "",
        key: tuple[str, int] | None = None,
    ) -> None:
        self.credential_records().append(
            CredentialRecord(stage, credential_type, item, outcome, note, key)
        )

    def add_credentials(
        self, stage: str, item: str, item_id: str, credentials: Iterable[tuple[str, Outcome, str]]
    ) -> None:
        """Record the credentials of one item at once: each ``(credential type, outcome, note)``,
        keyed by *item_id* and its index in the item (as :meth:`add_credential` with ``key``)."""
        self.credential_records().add_item(stage, item, item_id, credentials)

    def skip_item(self, item: str, reason: str) -> None:
        self.items_skipped.append((item, reason))

    def passkey_to_recreate(self, item: str, rp_id: str, username: str, why: str) -> None:
        """Name a passkey that does not travel (see :attr:`passkeys_to_recreate`)."""
        self.passkeys_to_recreate.append(
            {"item": item, "rp_id": rp_id, "username": username, "why": why}
        )

    # ------------------------------------------------------------------ summaries

    def field_counts(self) -> dict[str, int]:
        return {str(d): n for d, n in self.field_records().counts().items()}

    def written_counts(self) -> dict[str, int]:
        """Leaves of the CXF items per write outcome (``carried``, ``transformed``,
        ``not-carried``)."""
        return {str(o): n for o, n in self.written_fields.counts().items()}

    def written_losses(self) -> list[dict[str, Any]]:
        """The leaves not carried, grouped by what a person calls them: ``what`` (``passkey
        fido2Extensions``, ``collection subtitle``, ``account email``), ``members`` below it
        that were lost, ``count`` of leaves, ``items`` (titles of the items, collections or
        accounts, each once), ``of`` (``item``, ``collection``, ``account`` or ``header``) and
        ``why``; the items' losses first, largest first."""
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for where, _, item, outcome, note, group, member in self.written_fields.rows():
            if outcome is not Outcome.NOT_CARRIED:
                continue
            entry = groups.get((group, note))
            if entry is None:
                entry = groups[(group, note)] = {
                    "what": group, "members": {}, "count": 0, "items": {}, "of": _kind(where),
                    "why": note,
                }  # fmt: skip
            entry["count"] += 1
            entry["items"][item] = None
            below = (
                member[len(group) + 1 :].split(".", 1)[0] if member.startswith(group + ".") else ""
            )
            if below:
                entry["members"][below] = None
        out = [
            {**e, "members": list(e["members"]), "items": list(e["items"])} for e in groups.values()
        ]
        # the items' own losses first, then those around them (collections, accounts, header)
        out.sort(key=lambda e: (_KINDS.index(e["of"]), -len(e["items"]), e["what"]))
        return out

    def credential_summary(self) -> dict[str, dict[str, Any]]:
        """Per CXF credential type: how many were carried, transformed, not carried (each
        credential counted once, at its worst stage), and the items of the last two."""
        worst: dict[object, CredentialRecord] = {}
        order: list[object] = []
        for index, record in enumerate(self.credentials):
            key: object = (
                (record.credential_type, record.key) if record.key is not None else ("#", index)
            )
            if key not in worst:
                order.append(key)
                worst[key] = record
            elif _RANK[record.outcome] > _RANK[worst[key].outcome] or (
                record.outcome == worst[key].outcome and record.note and not worst[key].note
            ):
                worst[key] = record
        summary: dict[str, dict[str, Any]] = {}
        for key in order:
            record = worst[key]
            entry = summary.setdefault(
                record.credential_type,
                {
                    "carried": 0,
                    "transformed": 0,
                    "not_carried": 0,
                    "transformed_items": [],
                    "not_carried_items": [],
                },
            )
            if record.outcome is Outcome.CARRIED:
                entry["carried"] += 1
            elif record.outcome is Outcome.TRANSFORMED:
                entry["transformed"] += 1
                entry["transformed_items"].append({"item": record.item, "how": record.note})
            else:
                entry["not_carried"] += 1
                entry["not_carried_items"].append({"item": record.item, "why": record.note})
        return dict(sorted(summary.items()))

    def totp_failed(self) -> int:
        """TOTPs the destination read back gives different codes for (the proof failed)."""
        return int(self.totp.get("failed", 0)) if self.totp else 0

    def passkeys_failed(self) -> int:
        return sum(1 for p in self.passkeys if not p.get("ok"))

    def plaintext_notice(self) -> str | None:
        if not self.plaintext or self.dry_run:
            return None
        where = "the output" if self.destination in ("", "-") else self.destination
        return (
            f"{where} holds every secret (passwords, passkey private keys, TOTP "
            "seeds, card numbers) UNENCRYPTED; import it and delete it securely"
        )

    def to_json(self) -> dict[str, Any]:
        """The full report as JSON-compatible data (the ``--report`` file)."""
        return {
            "source": {"file": self.source, "format": self.source_format},
            "destination": {
                "file": self.destination,
                "format": self.destination_format,
                "encrypted": self.encrypted,
                "plaintext": self.plaintext,
                "plaintext_notice": self.plaintext_notice(),
            },
            "dry_run": self.dry_run,
            "items": {
                "read": self.items_read,
                "written": self.items_written,
                "skipped": [{"item": t, "reason": r} for t, r in self.items_skipped],
            },
            "credentials": self.credential_summary(),
            "fields": {
                "counts": self.field_counts(),
                "total": len(self.fields),
                "not_carried": [
                    {"item": r.item, "path": r.path, "why": r.note}
                    for r in self.field_records().of(Disposition.NOT_CARRIED)
                ],
                "records": [
                    {
                        "path": prefix + rest,
                        "item": item,
                        "disposition": str(disposition),
                        "target": target,
                        **({"note": note} if note else {}),
                    }
                    for prefix, rest, item, disposition, target, note in self.field_records()._iter_rows()
                ],
            },
            "written_fields": {
                "counts": self.written_counts(),
                "total": len(self.written_fields),
                "not_carried": [
                    {"item": r.item, "path": r.path, "member": r.member, "why": r.note}
                    for r in self.written_fields.of(Outcome.NOT_CARRIED)
                ],
                "lost": self.written_losses(),
                # one record per value the destination changed or lost; the values it carried
                # as they were are only counted (a 10k-item vault has ~200k of them)
                "records": [
                    {
                        "path": r.path,
                        "item": r.item,
                        "outcome": str(r.outcome),
                        "member": r.member,
                        **({"note": r.note} if r.note else {}),
                    }
                    for r in self.written_fields
                    if r.outcome is not Outcome.CARRIED
                ],
            },
            "totp": self.totp,
            "passkeys": {
                "checked": self.passkeys_checked,
                "total": len(self.passkeys),
                "failed": self.passkeys_failed(),
                "list": self.passkeys,
                "to_recreate": list(self.passkeys_to_recreate),
            },
            "warnings": list(self.warnings),
        }

    def render(self, *, limit: int = 10) -> str:
        """Human-readable report: every list shows at most *limit* entries and then says how
        many more the ``--report`` file holds."""
        lines = [
            f"{self.source} ({self.source_format}) → "
            + (f"{self.destination} ({self.destination_format})" if self.destination else "—"),
            f"items: {self.items_read} read, {self.items_written} "
            + ("would be written" if self.dry_run else "written")
            + (f", {len(self.items_skipped)} skipped" if self.items_skipped else ""),
        ]
        for title, reason in self.items_skipped[:limit]:
            lines.append(f"  skipped: {_label(title)}: {reason}")
        _cut(lines, self.items_skipped, limit)
        self._render_credentials(lines, limit)
        self._render_source_fields(lines, limit)
        self._render_written(lines, limit)
        self._render_passkeys(lines, limit)
        self._render_totp(lines, limit)
        self._render_recreate(lines, limit)
        lines.extend(f"warning: {w}" for w in self.warnings[:limit])
        _cut(lines, self.warnings, limit, "")
        notice = self.plaintext_notice()
        if notice:
            lines.append(f"PLAINTEXT: {notice}")
        return "\n".join(lines)

    def _render_credentials(self, lines: list[str], limit: int) -> None:
        """Per credential type: carried / transformed / not carried, and the items of the last
        two."""
        summary = self.credential_summary()
        if not summary:
            return
        lines.append("credentials (carried / transformed / not carried):")
        width = max(len(k) for k in summary)
        for ctype, entry in summary.items():
            lines.append(
                f"  {ctype.ljust(width)}  {entry['carried']:>5} / {entry['transformed']:>5} / "
                f"{entry['not_carried']:>5}"
            )
            for what, key, label in (
                ("transformed", "transformed_items", "how"),
                ("not carried", "not_carried_items", "why"),
            ):
                for e in entry[key][:limit]:
                    lines.append(f"      {what}: {_label(e['item'])}: {e[label]}")
                _cut(lines, entry[key], limit, "      ")

    def _render_source_fields(self, lines: list[str], limit: int) -> None:
        """The read side: source fields per disposition, and those not carried."""
        if not self.fields:
            return
        counts = self.field_counts()
        lines.append(
            f"source fields: {len(self.fields)} read — {counts['member']} into CXF members, "
            f"{counts['custom-field']} kept as custom fields, {counts['extension']} kept as "
            f"cxkit bookkeeping (ids, exact dates: for converting back), "
            f"{counts['not-carried']} not carried"
        )
        not_carried = self.field_records().of(Disposition.NOT_CARRIED)
        for r in not_carried[:limit]:
            lines.append(f"  not carried: {_label(r.item)}: {r.path}: {r.note}")
        _cut(lines, not_carried, limit)

    def _render_written(self, lines: list[str], limit: int) -> None:
        """The write side: values per outcome, and the losses grouped by member."""
        written = self.written_counts()
        if not sum(written.values()):
            return
        lines.append(
            f"values written: {sum(written.values())} — {written['carried']} carried, "
            f"{written['transformed']} kept in another form (e.g. as custom fields), "
            f"{written['not-carried']} not carried"
        )
        losses = self.written_losses()
        for loss in losses[:limit]:
            members = loss["members"]
            below = f" ({', '.join(members[:4])}{', …' if len(members) > 4 else ''})"
            lines.append(
                f"  not carried: {loss['what']}{below if members else ''}: "
                f"{_where_lost(loss['of'], loss['items'])}: {loss['why']}"
            )
        _cut(lines, losses, limit)

    def _render_passkeys(self, lines: list[str], limit: int) -> None:
        """The passkey self-verification: how many verified, and those that failed."""
        if not self.passkeys_checked:
            lines.append("passkeys: not verified (--no-verify)")
            return
        failed = [p for p in self.passkeys if not p.get("ok")]
        lines.append(
            f"passkeys: {len(self.passkeys)} checked (WebAuthn assertion signed and "
            f"verified), {len(self.passkeys) - len(failed)} verified, {len(failed)} failed"
        )
        for p in failed[:limit]:
            lines.append(
                f"  FAILED: {_label(p.get('item') or '')}: {p.get('rp_id')}: "
                f"{', '.join(p.get('codes', []))}"
            )
        _cut(lines, failed, limit)

    def _render_totp(self, lines: list[str], limit: int) -> None:
        """The TOTP proof (``cxkit.totp``): codes compared at fixed instants after reading the
        destination back."""
        proof = self.totp
        if not proof:
            return
        if proof.get("state") != "checked":
            lines.append(f"TOTP: not proven ({proof.get('why', '')})")
            return
        lines.append(
            f"TOTP: {proof['checked']} checked (codes at {len(proof['instants'])} fixed instants, "
            f"destination read back): {proof['matched']} same, {proof['failed']} different"
            + (f", {proof['not_compared']} not carried" if proof.get("not_compared") else "")
        )
        failures = proof.get("failures", [])
        for f in failures[:limit]:
            lines.append(f"  DIFFERENT: {f['item']}: {f['why']}")
        _cut(lines, failures, limit)
        for f in proof.get("unusable", [])[:limit]:
            lines.append(f"  not checked: {f['item']}: {f['why']}")

    def _render_recreate(self, lines: list[str], limit: int) -> None:
        """The sites where the user must create a new passkey (the report's closing list)."""
        lines.extend(self.recreate_lines(max(limit, 25)))

    def recreate_lines(self, limit: int = 25) -> list[str]:
        """The closing list of :meth:`render`: every passkey that cannot travel
        (:attr:`passkeys_to_recreate`) by site and account, at most *limit* of them; no lines
        when there is none. Commands that read a source without converting it (``passkeys
        list``, ``seal``) end with the same list."""
        lost = self.passkeys_to_recreate
        if not lost:
            return []
        lines = [
            f"passkeys that cannot travel ({len(lost)}): create a new passkey on each site "
            "(sign in with the password, then add a passkey in the site's security settings):"
        ]
        for p in lost[:limit]:
            user = f" ({p['username']})" if p["username"] else ""
            lines.append(
                f"  {p['rp_id'] or '(no site named)'}{user} — {_label(p['item'])}: {p['why']}"
            )
        _cut(lines, lost, limit)
        return lines
