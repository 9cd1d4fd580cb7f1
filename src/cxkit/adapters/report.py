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
from collections.abc import Iterable, Iterator, MutableSequence
from dataclasses import dataclass, field
from typing import Any, overload

__all__ = [
    "CredentialRecord",
    "Disposition",
    "FieldRecord",
    "FieldRecords",
    "MigrationReport",
    "Outcome",
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


class FieldRecords(MutableSequence[FieldRecord]):
    """The field records of a report: a list of :class:`FieldRecord` to its users, stored as
    plain tuples (a 10k-item export has ~150k of them; a frozen dataclass each costs several
    times a tuple). Records are built when they are looked at; counts need none."""

    __slots__ = ("_rows",)

    def __init__(self, records: Iterable[FieldRecord] = ()) -> None:
        self._rows: list[_Row] = []
        self.extend(records)

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
        self._rows.append((path, rest, item, disposition, target, note))

    # -- summaries without records
    def counts(self) -> dict[Disposition, int]:
        out = dict.fromkeys(Disposition, 0)
        for row in self._rows:
            out[row[3]] += 1
        return out

    def of(self, disposition: Disposition) -> list[FieldRecord]:
        return [_record(row) for row in self._rows if row[3] is disposition]

    def paths(self) -> list[str]:
        return [a + b for a, b, *_ in self._rows]

    # -- the sequence
    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> FieldRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[FieldRecord]: ...
    def __getitem__(self, index: int | slice) -> FieldRecord | list[FieldRecord]:
        if isinstance(index, slice):
            return [_record(row) for row in self._rows[index]]
        return _record(self._rows[index])

    @overload
    def __setitem__(self, index: int, value: FieldRecord) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[FieldRecord]) -> None: ...
    def __setitem__(self, index: int | slice, value: Any) -> None:
        if isinstance(index, slice):
            self._rows[index] = [_row(r) for r in value]
        else:
            self._rows[index] = _row(value)

    def __delitem__(self, index: int | slice) -> None:
        del self._rows[index]

    def insert(self, index: int, value: FieldRecord) -> None:
        self._rows.insert(index, _row(value))

    def append(self, value: FieldRecord) -> None:
        self._rows.append(_row(value))

    def extend(self, values: Iterable[FieldRecord]) -> None:
        if isinstance(values, FieldRecords):
            self._rows.extend(values._rows)
        else:
            self._rows.extend(_row(v) for v in values)

    def clear(self) -> None:
        self._rows.clear()

    def __iter__(self) -> Iterator[FieldRecord]:
        return map(_record, self._rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldRecords):
            return [_record(r) for r in self._rows] == [_record(r) for r in other._rows]
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FieldRecords({len(self._rows)} records)"


def _record(row: _Row) -> FieldRecord:
    return FieldRecord(row[0] + row[1], row[2], row[3], row[4], row[5])


def _row(record: FieldRecord) -> _Row:
    if not isinstance(record, FieldRecord):
        raise TypeError(f"a FieldRecord, not {type(record).__name__}")
    return (record.path, "", record.item, record.disposition, record.target, record.note)


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
    credentials: list[CredentialRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    plaintext: bool = False
    encrypted: bool = False
    passkeys: list[dict[str, Any]] = field(default_factory=list)
    """One entry per checked passkey: item, rpId, username, ok, codes."""
    passkeys_checked: bool = False
    dry_run: bool = False

    def __post_init__(self) -> None:
        self._own_fields()

    def _own_fields(self) -> FieldRecords:
        """:attr:`fields` as :class:`FieldRecords` (a plain list assigned by a caller is taken
        over)."""
        fields: Any = self.fields
        if not isinstance(fields, FieldRecords):
            self.fields = FieldRecords(fields)
        return self.fields

    # ------------------------------------------------------------------ recording

    def add_field(
        self,
        path: str,
        item: str,
        disposition: Disposition,
        target: str = "",
        note: str = "",
    ) -> None:
        self._own_fields().add(path, item, disposition, target, note)

    def add_credential(
        self,
        stage: str,
        credential_type: str,
        item: str,
        outcome: Outcome,
        note: str = "",
        key: tuple[str, int] | None = None,
    ) -> None:
        self.credentials.append(CredentialRecord(stage, credential_type, item, outcome, note, key))

    def skip_item(self, item: str, reason: str) -> None:
        self.items_skipped.append((item, reason))

    # ------------------------------------------------------------------ summaries

    def field_counts(self) -> dict[str, int]:
        return {str(d): n for d, n in self._own_fields().counts().items()}

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

    def passkeys_failed(self) -> int:
        return sum(1 for p in self.passkeys if not p.get("ok"))

    def plaintext_notice(self) -> str | None:
        if not self.plaintext or self.dry_run:
            return None
        return (
            f"{self.destination} holds every secret (passwords, passkey private keys, TOTP "
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
                    for r in self._own_fields().of(Disposition.NOT_CARRIED)
                ],
                "records": [
                    {
                        "path": prefix + rest,
                        "item": item,
                        "disposition": str(disposition),
                        "target": target,
                        **({"note": note} if note else {}),
                    }
                    for prefix, rest, item, disposition, target, note in self._own_fields()._rows
                ],
            },
            "passkeys": {
                "checked": self.passkeys_checked,
                "total": len(self.passkeys),
                "failed": self.passkeys_failed(),
                "list": self.passkeys,
            },
            "warnings": list(self.warnings),
        }

    def render(self, *, limit: int = 10) -> str:
        """Human-readable report (at most *limit* item names per line)."""
        lines = [
            f"{self.source} ({self.source_format}) → "
            + (f"{self.destination} ({self.destination_format})" if self.destination else "—"),
            f"items: {self.items_read} read, {self.items_written} "
            + ("would be written" if self.dry_run else "written")
            + (f", {len(self.items_skipped)} skipped" if self.items_skipped else ""),
        ]
        for title, reason in self.items_skipped[:limit]:
            lines.append(f"  skipped: {title}: {reason}")
        summary = self.credential_summary()
        if summary:
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
                    shown = entry[key][:limit]
                    for e in shown:
                        lines.append(f"      {what}: {e['item']}: {e[label]}")
                    if len(entry[key]) > limit:
                        lines.append(f"      … and {len(entry[key]) - limit} more (--report)")
        counts = self.field_counts()
        if self.fields:
            lines.append(
                f"source fields: {len(self.fields)} — {counts['member']} CXF members, "
                f"{counts['custom-field']} custom fields, {counts['extension']} round-trip "
                f"extension, {counts['not-carried']} not carried"
            )
            not_carried = self._own_fields().of(Disposition.NOT_CARRIED)
            for r in not_carried[:limit]:
                lines.append(f"  not carried: {r.item}: {r.path}: {r.note}")
        if self.passkeys_checked:
            failed = self.passkeys_failed()
            lines.append(
                f"passkeys: {len(self.passkeys)} checked (WebAuthn assertion signed and "
                f"verified), {len(self.passkeys) - failed} verified, {failed} failed"
            )
            for p in self.passkeys:
                if not p.get("ok"):
                    lines.append(
                        f"  FAILED: {p.get('item')}: {p.get('rp_id')}: {', '.join(p.get('codes', []))}"
                    )
        else:
            lines.append("passkeys: not verified (--no-verify)")
        lines.extend(f"warning: {w}" for w in self.warnings)
        notice = self.plaintext_notice()
        if notice:
            lines.append(f"PLAINTEXT: {notice}")
        return "\n".join(lines)
