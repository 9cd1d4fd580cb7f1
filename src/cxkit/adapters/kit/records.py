"""A declarative reader of JSON record lists: a metadata block and a field map make an adapter
(issue 12), as :mod:`~cxkit.adapters.kit.tabular` does for CSV.

An adapter subclasses :class:`JsonRecordReader` and declares

* ``info`` — its :class:`~cxkit.adapters.base.AdapterInfo` (``json_keys`` for a top-level
  object; for a top-level array, ``record_keys``: members its first records all have);
* ``records`` — where the records are: :class:`Records` entries, each a path of members to a
  list (``()`` the top-level array, ``("items",)``) with its kind, e.g. Dashlane-style
  ``(Records(("AUTHENTIFIANT",), "login"), Records(("EMAIL",), "email", fields=...))``;
* ``fields`` — member path → :class:`~cxkit.adapters.kit.targets.Target` or
  :class:`~cxkit.adapters.kit.targets.Column`, the vocabulary of the CSV reader. A path is
  members joined by dots (``"login.username"``); ``[]`` after a member takes each entry of a
  list (``"login.uris[].uri"``, ``"urls[]"``). ``IGNORE`` and ``HOOK`` take any value (an
  object, a list); the other targets take text, numbers and booleans;
* ``rp_id`` / ``app`` — who the CXF header names as the exporter;

and, for oddities, overrides :meth:`JsonRecordReader.record` (members mapped to ``HOOK`` are
left to it, and it must record them).

The base does the rest: input through :func:`~cxkit.adapters.kit.input.parse_json` (a record
nesting deeper than :data:`~cxkit.adapters.kit.input.MAX_JSON_DEPTH` is skipped); one :class:`~cxkit.adapters.kit.builder.ItemBuilder` per record with the record's
JSON path as prefix (``$.items[3]``) and every non-null leaf recorded at its path
(``$.items[3].login.password``); members the map does not name become custom fields labelled by
their path; empty texts are recorded not carried; a record that is not an object, or whose
mapped members have the wrong type, is skipped with the reason (never a value) and the others
are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import Confidence, ReadOptions, Sample, accepts_by_hints
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.input import MAX_JSON_DEPTH
from cxkit.adapters.kit.targets import (
    Column,
    MappedReader,
    RecordError,
    Target,
    column,
    skip_reason,
)
from cxkit.adapters.kit.values import scalar_text
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError, CxkitError, DecodeError, InputTooLargeError

__all__ = ["JsonRecordReader", "RecordError", "Records", "member_path"]

_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_EACH: Final = "[]"


@dataclass(frozen=True)
class Records:
    """One list of records: *path* of members from the top (``()``: the top-level array),
    *kind* handed to the hook and the item id, *fields* a field map of its own (default the
    reader's)."""

    path: tuple[str, ...] = ()
    kind: str = ""
    fields: Mapping[str, Target | Column] | None = None


def member_path(path: str) -> tuple[str, ...]:
    """``"login.uris[].uri"`` → ``("login", "uris", "[]", "uri")``."""
    parts: list[str] = []
    for part in path.split("."):
        if part.endswith(_EACH):
            parts.extend((part[:-2], _EACH) if part[:-2] else (_EACH,))
        else:
            parts.append(part)
    return tuple(parts)


def _resolve(value: Any, parts: tuple[str, ...], at: str) -> Iterator[tuple[Any, str]]:
    """The values at *parts* under *value* with their paths; missing and null members give
    nothing; a member of the wrong kind raises :class:`RecordError`."""
    if not parts:
        if value is not None:
            yield value, at
        return
    head, rest = parts[0], parts[1:]
    if head == _EACH:
        if not isinstance(value, list):
            raise RecordError(f"member {at.lstrip('.') or '(record)'} is not a list")
        for index, entry in enumerate(value):
            yield from _resolve(entry, rest, f"{at}[{index}]")
        return
    if not isinstance(value, dict):
        raise RecordError(f"member {at.lstrip('.') or '(record)'} is not an object")
    found = value.get(head)
    if found is not None:
        yield from _resolve(found, rest, f"{at}.{head}")


class JsonRecordReader(MappedReader):
    """Base of the declarative JSON record-list readers (see the module docstring)."""

    records: ClassVar[tuple[Records, ...]] = (Records(),)
    fields: ClassVar[Mapping[str, Target | Column]] = {}
    record_keys: ClassVar[frozenset[str]] = frozenset()
    """For a top-level array: members its first records all have (detection evidence)."""
    id_member: ClassVar[str | None] = None
    """A record member holding the app's own id (``uuid``, ``guid``...): when a non-empty
    string, the item id derives from it (stable across exports), else from the position."""

    # ------------------------------------------------------------------ detection

    def accepts(self, sample: Sample) -> Confidence:
        """The declared hints (:func:`accepts_by_hints`); for a top-level array, LIKELY when
        its first records have all of ``record_keys``."""
        found = accepts_by_hints(self.info, sample)
        keys = sample.json_array_keys
        if found is Confidence.NO and self.record_keys and keys and self.record_keys <= keys:
            return Confidence.LIKELY
        return found

    # ------------------------------------------------------------------ hooks

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        """Per-record oddities, after the field map was applied (``HOOK`` members untouched
        so far; the hook records them with ``b.rec`` or a builder method, at paths relative
        to the record such as ``.custom_fields[0]``). Raise :class:`RecordError` to skip the
        record. State of one read belongs in ``vault.state``."""

    def item_id(self, rec: dict[str, Any], kind: str, name: str, index: int) -> str:
        """The id of a record's item: :func:`stable_id` of the adapter key and the record's
        :attr:`id_member`, else of the adapter key, file, kind and position."""
        own = rec.get(self.id_member) if self.id_member else None
        if isinstance(own, str) and own:
            return stable_id(self.info.key, own)
        return stable_id(self.info.key, name, kind, str(index))

    # ------------------------------------------------------------------ reading

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        top = sample.parsed_json()
        vault = self.vault(report, options.include_trashed)
        found = False
        for source in self.records:
            records, where = self._list(top, source, name)
            if records is None:
                continue
            found = True
            plan = [
                (member_path(path), column(spec))
                for path, spec in (
                    source.fields if source.fields is not None else self.fields
                ).items()
            ]
            for index, rec in enumerate(records):
                self._one(vault, rec, source.kind, plan, name, f"{where}[{index}]", index)
        if not found:
            wanted = " or ".join(_dotted(s.path) for s in self.records)
            raise AdapterError(f"no list of records at {wanted}", location=name or None)
        self.outside(top, report, name)
        return self.document(vault)

    def outside(self, top: Any, report: MigrationReport, name: str) -> None:
        """Record the members outside the record lists (an export's own metadata): not
        carried, by default (override to map some of them)."""
        lists = {_dotted(s.path) for s in self.records}
        try:
            found = list(_leftovers(top, "$", lists))
        except RecordError:
            raise DecodeError(
                f"the JSON nests deeper than {MAX_JSON_DEPTH} levels", location=name or None
            ) from None
        for v in found:
            report.add_field(v.at, "", _NOT_CARRIED, "", "a member of the export, not of a record")

    def _list(self, top: Any, source: Records, name: str) -> tuple[list[Any] | None, str]:
        value = top
        where = "$"
        for part in source.path:
            if not isinstance(value, dict):
                raise DecodeError(f"{where} is not a JSON object", location=name or None)
            value = value.get(part)
            where += f".{part}"
            if value is None:
                return None, where
        if not isinstance(value, list):
            raise DecodeError(f"{where} is not a list of records", location=f"{name}: {where}")
        return value, where

    def _one(
        self,
        vault: VaultBuilder,
        rec: Any,
        kind: str,
        plan: list[tuple[tuple[str, ...], Column]],
        name: str,
        prefix: str,
        index: int,
    ) -> None:
        if not isinstance(rec, dict):
            b = vault.item(prefix, item_id=stable_id(self.info.key, name, kind, str(index)))
            if rec is not None:
                b.rec("", _NOT_CARRIED, "", "not a JSON object")
            b.fail(f"record {prefix} is not a JSON object")
            return
        b = vault.item(prefix, item_id=self.item_id(rec, kind, name, index),
                       extension=self.item_extension)  # fmt: skip
        try:
            taken: set[str] = set()
            found = (
                (spec, scalar_text(value), at)
                for parts, spec in plan
                for value, at in _resolve(rec, parts, "")
            )
            self.apply_found(b, found, taken, "member {} is not a text value")
            self.record(b, rec, kind, vault)
            for v in _leftovers(rec, "", taken):
                if v.text:
                    b.custom(v.at.lstrip("."), v,
                             note="not a member cxkit maps; kept as a custom field")  # fmt: skip
                else:
                    b.rec(v.at, _NOT_CARRIED, "", "empty")
        except InputTooLargeError:
            raise
        except (CxkitError, ValueError) as exc:  # one record never sinks the rest
            b.rec("", _NOT_CARRIED, "", "record skipped")
            b.fail(f"record {prefix} cannot be read: {skip_reason(exc)}")
            return
        vault.add(b)


def _leftovers(value: Any, at: str, taken: set[str], depth: int = 0) -> Iterator[Val]:
    """Leaves under *value* not under a taken path; nesting deeper than
    :data:`~cxkit.adapters.kit.input.MAX_JSON_DEPTH` raises :class:`RecordError`."""
    if at in taken:
        return
    if depth > MAX_JSON_DEPTH:
        raise RecordError(f"members nest deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, dict):
        for key, entry in value.items():
            yield from _leftovers(entry, f"{at}.{key}", taken, depth + 1)
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            yield from _leftovers(entry, f"{at}[{index}]", taken, depth + 1)
    elif value is not None:
        yield Val(scalar_text(value) or "", at)


def _dotted(path: tuple[str, ...]) -> str:
    return "$" + "".join(f".{p}" for p in path)
