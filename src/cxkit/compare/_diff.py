"""``diff(old, new)``: did every item of OLD arrive in NEW? (issue #16)

Items are paired by what identifies them (:func:`cxkit.compare._view.match`: passkey credential
id + RP ID, login site + account, TOTP secret, note/card/key content, then title); each paired
item's fields are compared as normalised sets. A difference is a *loss* only when NEW's format
can hold the value: *held* is OLD as NEW's format keeps it (OLD written with NEW's writer and read
back with its reader, :func:`held_by_format`), or, for formats cxkit only reads, the credential
types NEW's format declares (``AdapterInfo.credential_types``; item members — tags, folders,
favourite — count as held when some item of NEW has them). Values are never reported — only
item names and field names (secrets shown as "differs").
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from cxkit.compare._view import (
    ItemView,
    field_credential_type,
    match,
    same_content,
    view_document,
)
from cxkit.cxf.codec import Document, paused_gc

__all__ = ["DiffResult", "FieldDiff", "ItemDiff", "LostItem", "diff", "held_by_format"]

LOST: Final = "lost"
"""OLD had the value, NEW has not, and NEW's format can hold it."""
CHANGED: Final = "changed"
"""NEW holds another value where OLD's would fit."""
CANNOT_HOLD: Final = "cannot-hold"
"""NEW's format has no place for the value (or keeps it in another shape)."""
ADDED: Final = "added"
"""NEW has a value OLD had not (not a loss)."""


@dataclass(frozen=True)
class FieldDiff:
    """One field of a paired item that differs: its name, status and how many values of OLD are
    missing in NEW / how many of NEW are new — never the values."""

    field: str
    status: str
    missing: int = 0
    extra: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "status": self.status,
            "missing": self.missing,
            "extra": self.extra,
        }


@dataclass(frozen=True)
class ItemDiff:
    old: str
    new: str
    fields: tuple[FieldDiff, ...]

    @property
    def lost(self) -> bool:
        return any(f.status in (LOST, CHANGED) for f in self.fields)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "lost": self.lost,
            "fields": [f.to_json() for f in self.fields],
        }


@dataclass(frozen=True)
class LostItem:
    name: str
    kind: str
    status: str
    """``lost`` or ``cannot-hold`` (an item of OLD only); ``added`` for an item of NEW only."""

    def to_json(self) -> dict[str, Any]:
        return {"item": self.name, "kind": self.kind, "status": self.status}


@dataclass
class DiffResult:
    """What arrived: items of OLD only, of NEW only, and per paired item the differing fields."""

    old_items: int
    new_items: int
    basis: str
    """How "NEW's format can hold" was decided: ``round-trip:FORMAT``, ``declared:FORMAT``
    or ``none`` (every difference counts)."""
    only_old: list[LostItem] = field(default_factory=list)
    only_new: list[LostItem] = field(default_factory=list)
    changed: list[ItemDiff] = field(default_factory=list)

    @property
    def arrived(self) -> int:
        return self.old_items - len(self.only_old)

    def lost_items(self) -> list[LostItem]:
        return [x for x in self.only_old if x.status == LOST]

    def lossy_items(self) -> list[ItemDiff]:
        return [d for d in self.changed if d.lost]

    @property
    def lost(self) -> bool:
        """Whether NEW lacks something of OLD that its format can hold (exit status 1)."""
        return bool(self.lost_items() or self.lossy_items())

    def summary(self) -> str:
        lost = self.lost_items()
        held = [x for x in self.only_old if x.status == CANNOT_HOLD]
        text = f"{self.arrived} of {self.old_items} items arrived"
        if lost:
            names = ", ".join(x.name for x in lost[:5]) + (", …" if len(lost) > 5 else "")
            text += f"; {len(lost)} lost: {names}"
        if held:
            text += f"; {len(held)} not arrived that the new format cannot hold"
        lossy = self.lossy_items()
        if lossy:
            text += f"; {len(lossy)} arrived with fields lost or changed"
        if self.only_new:
            text += f"; {len(self.only_new)} only in NEW"
        return text + ("" if self.lost else " — nothing lost that the new format can hold")

    def render(self) -> str:
        lines = [self.summary(), ""]
        lost = self.lost_items()
        if lost:
            lines.append("Lost (only in OLD, NEW's format could hold them):")
            lines += [f"  {x.name} [{x.kind}]" for x in lost]
        held = [x for x in self.only_old if x.status == CANNOT_HOLD]
        if held:
            lines.append("Not arrived — NEW's format cannot hold them:")
            lines += [f"  {x.name} [{x.kind}]" for x in held]
        for title, wanted in (("Fields lost or changed:", True), ("Other differences:", False)):
            group = [d for d in self.changed if d.lost == wanted]
            if not group:
                continue
            lines.append(title)
            for d in group:
                lines.append(f"  {d.old}" + (f" → {d.new}" if d.new != d.old else ""))
                for f in d.fields:
                    if f.status in (LOST, CHANGED):
                        lines.append(f"    {f.field}: {_describe(f)}")
                for status, label in (
                    (CANNOT_HOLD, "NEW's format cannot hold"),
                    (ADDED, "added in NEW"),
                ):
                    names = [f.field for f in d.fields if f.status == status]
                    if names:
                        lines.append(f"    {label}: {', '.join(names)}")
        if self.only_new:
            lines.append("Only in NEW:")
            lines += [f"  {x.name} [{x.kind}]" for x in self.only_new]
        lines.append(f"(what NEW's format can hold: {self.basis})")
        return "\n".join(lines).rstrip() + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "lost": self.lost,
            "old_items": self.old_items,
            "new_items": self.new_items,
            "arrived": self.arrived,
            "basis": self.basis,
            "only_old": [x.to_json() for x in self.only_old],
            "only_new": [x.to_json() for x in self.only_new],
            "changed": [d.to_json() for d in self.changed],
        }


def _describe(f: FieldDiff) -> str:
    if f.status == LOST:
        return "lost" + (f" ({f.missing} values)" if f.missing > 1 else "")
    if f.status == CHANGED:
        return "differs"
    if f.status == ADDED:
        return "added in NEW"
    return "differs — NEW's format cannot hold it"


def _compare(
    o: dict[str, frozenset[Hashable]],
    n: dict[str, frozenset[Hashable]],
    h: dict[str, frozenset[Hashable]] | None,
    holds: frozenset[str] | None,
    present: set[str],
) -> list[FieldDiff]:
    out: list[FieldDiff] = []
    empty: frozenset[Hashable] = frozenset()
    for name in sorted(o.keys() | n.keys()):
        ov, nv = o.get(name, empty), n.get(name, empty)
        if ov == nv:
            continue
        missing, extra = ov - nv, nv - ov
        if h is not None:
            hv = h.get(name, empty)
            real_missing = missing & hv
            real_extra = extra - (hv - ov)
        else:
            ctype = field_credential_type(name)
            if ctype is None:  # an item member: held if any item of NEW has it
                holdable = holds is None or name in present
            else:
                holdable = holds is None or ctype in holds
            real_missing = missing if holdable else empty
            real_extra = extra
        if real_missing:
            status = CHANGED if extra else LOST
        elif missing:
            status = CANNOT_HOLD
        elif real_extra:
            status = ADDED
        else:
            status = CANNOT_HOLD
        out.append(FieldDiff(name, status, len(missing), len(extra)))
    return out


def diff(
    old: Document,
    new: Document,
    *,
    held: Document | None = None,
    holds: frozenset[str] | None = None,
    basis: str = "",
) -> DiffResult:
    """Compare *old* with *new* (see the module docstring). *held*: OLD as NEW's format keeps it;
    else *holds*: the credential types NEW's format can hold; neither: every difference counts."""
    with paused_gc():
        return _diff(old, new, held, holds, basis)


def _diff(
    old: Document,
    new: Document,
    held: Document | None,
    holds: frozenset[str] | None,
    basis: str,
) -> DiffResult:
    old_views, new_views = view_document(old), view_document(new)
    pairs = match(old_views, new_views)
    if held is old:  # NEW's format holds everything (CXF): OLD is its own measure
        held_views: list[ItemView] | None = old_views
        to_held = {v.index: v.index for v in old_views}
    else:
        held_views = view_document(held) if held is not None else None
        to_held = match(old_views, held_views) if held_views is not None else {}
    if not basis:
        basis = "round-trip" if held is not None else "declared" if holds is not None else "none"
    result = DiffResult(len(old_views), len(new_views), basis)
    present = {"title"}  # the item members some item of NEW has (declared basis)
    if held is None and holds is not None:
        for w in new_views:
            it = w.item
            present.update(
                name
                for name, has in (("tags", it.tags), ("favorite", it.favorite),
                                  ("folder", w.folders), ("urls", it.scope))
                if has
            )  # fmt: skip
    for v in old_views:
        j = pairs.get(v.index)
        if j is None:
            result.only_old.append(
                LostItem(v.name(), v.kind, _item_status(v, held_views, to_held, holds))
            )
            continue
        w = new_views[j]
        if same_content(v, w):
            continue
        if held_views is not None:
            k = to_held.get(v.index)
            h = held_views[k].fields if k is not None else {}
        else:
            h = None
        fields = _compare(v.fields, w.fields, h, holds, present)
        if fields:
            result.changed.append(ItemDiff(v.name(), w.name(), tuple(fields)))
    matched = set(pairs.values())
    result.only_new = [
        LostItem(w.name(), w.kind, ADDED) for w in new_views if w.index not in matched
    ]
    return result


def _item_status(
    v: ItemView,
    held_views: list[ItemView] | None,
    to_held: dict[int, int],
    holds: frozenset[str] | None,
) -> str:
    if held_views is not None:
        return LOST if v.index in to_held else CANNOT_HOLD
    if holds is None:
        return LOST
    types = {field_credential_type(name) for name in v.fields} - {None}
    return LOST if not types or types & holds else CANNOT_HOLD


_ROUND_TRIP_PASSWORD: Final = "cxkit-diff-round-trip"  # noqa: S105 - a throwaway, never stored


def held_by_format(
    old: Document, fmt: str, attachments: Mapping[str, bytes] | None = None
) -> tuple[Document | None, frozenset[str]]:
    """OLD as format *fmt* keeps it: written with its writer and read back with its reader (an
    honest measure of what the format can hold), and the credential types *fmt* declares. The
    document is None when *fmt* cannot be written and read back here (a read-only format, a
    folder format, a writer that needs more than a password, or the *attachments* bytes)."""
    from cxkit import adapters
    from cxkit.adapters import Capability, ReadOptions, WriteOptions
    from cxkit.errors import CxkitError

    adapter = adapters.get(fmt)
    holds = frozenset(adapter.info.credential_types)
    info = adapter.info
    if not (info.can(Capability.WRITE) and info.can(Capability.READ)) or info.can(
        Capability.FOLDER
    ):
        return None, holds

    def password(_prompt: str) -> str:
        return _ROUND_TRIP_PASSWORD

    def code(_code: str) -> None:
        return None

    try:
        data, _ = adapters.write(
            old,
            fmt,
            options=WriteOptions(
                password=password, on_recovery_code=code, attachments=attachments or {}
            ),
        )
        doc, _ = adapters.read(
            data, "round-trip", source_format=fmt, options=ReadOptions(password=password)
        )
    except CxkitError:
        return None, holds
    return doc, holds
