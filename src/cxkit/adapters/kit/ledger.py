"""The write-side ledger: what a writer did with every leaf of every CXF item it was given.

A *leaf* is one value of an item as the CXF JSON holds it (``../shared/spec/cxf.md`` §3.2.3,
§3.3): a string, number or boolean member, one element of an array of strings (``tags[0]``,
``scope.urls[1]``), or one value inside an unknown member, an unknown credential or an
extension. Each leaf has a path of wire names relative to its item
(``credentials[2].fido2Extensions.hmacCredentials.credWithUV``,
``scope.androidApps[0].certificate.fingerprint``) and a *member* name, the path without the
indexes (``fido2Extensions.hmacCredentials.credWithUV`` within a ``passkey``), which is what
declarations name. The credential ``type`` and extension ``name`` tags are structure, not leaves.

A writer does not record leaves one by one. It *declares* what it writes: a :class:`Table` per
credential type (and per *mode*, when it writes one type in several ways — a Bitwarden passkey
in a login item, or flattened into custom fields of a card item) and one for the item's own
members, each mapping member names to :class:`~cxkit.adapters.report.Outcome` ``carried`` (the
destination has the member; reading it back gives the same value) or ``transformed`` (kept in
another shape, e.g. as a custom field). A name covers everything below it. Leaves no rule names
are ``not-carried``, each with its path and item in the report. While writing, the writer only
says which mode it used for each credential (:meth:`Declaration.record`); the leaves are walked
when the report is looked at (:class:`~cxkit.adapters.report.WrittenFields`), so a conversion
that nobody reads the report of pays one small tuple per item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple

import msgspec

from cxkit import cxf
from cxkit.adapters.report import MigrationReport, Outcome, WrittenRow
from cxkit.cxf import model as m

__all__ = [
    "ALL",
    "CARRIED",
    "DROPPED",
    "FIELDS",
    "NOT_CARRIED",
    "TRANSFORMED",
    "Declaration",
    "Leaf",
    "Rule",
    "Table",
    "editable",
    "item_leaves",
    "leaves",
]

CARRIED: Final = Outcome.CARRIED
TRANSFORMED: Final = Outcome.TRANSFORMED
NOT_CARRIED: Final = Outcome.NOT_CARRIED

#: Credential modes every declaration knows: written whole (CXF itself), flattened into text
#: fields by :func:`~cxkit.adapters.kit.values.credential_members` (its unknown members are
#: left out), not written at all.
ALL: Final = "*all"
FIELDS: Final = "*fields"
DROPPED: Final = "*dropped"

#: A rule: an outcome, or an outcome and the words the report gives for it.
Rule = Outcome | tuple[Outcome, str]


class Leaf(NamedTuple):
    """One leaf of an item (``value`` is for tests that compare; it never reaches a report)."""

    path: str
    """Wire path relative to the item: ``credentials[2].username.value``."""
    member: str
    """The path without indexes, relative to its credential (or the item): ``username.value``."""
    group: str
    """What a person calls it: the EditableField or string array it belongs to, else ``member``."""
    unknown: bool
    """Inside a member CXF 1.0 does not define (kept by the decoder in ``Extra``)."""
    value: Any


def editable(*names: str, outcome: Rule = CARRIED) -> dict[str, Rule]:
    """Rules for EditableField members written by value: their ``value`` and ``fieldType`` (a
    format that knows the member knows its prescribed type). The field's ``id``, ``label`` and
    extensions are not covered."""
    out: dict[str, Rule] = {}
    for name in names:
        out[f"{name}.value"] = outcome
        out[f"{name}.fieldType"] = outcome
    return out


_INDEXED: Final = re.compile(r"\[[0-9]+\]")


def _parents(member: str) -> Iterator[str]:
    """*member* and each shorter member name above it (``a.b[].c`` → ``a.b[]``, ``a.b``, ``a``),
    never cutting inside brackets (extension names may hold dots)."""
    depth = 0
    cuts: list[int] = []
    for i, ch in enumerate(member):
        if ch == "[":
            if depth == 0 and i:
                cuts.append(i)
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "." and depth == 0:
            cuts.append(i)
    yield member
    for cut in reversed(cuts):
        yield member[:cut]


class Table:
    """What a writer does with the members of one credential type in one mode (or of the item):
    member name → :data:`Rule`. A rule covers the member and everything below it; ``default``
    applies to known members no rule covers, ``unknown`` to members CXF does not define."""

    __slots__ = ("_cache", "_prefixes", "default", "exact", "rules", "unknown")

    def __init__(
        self,
        rules: Mapping[str, Rule] | None = None,
        *,
        default: Rule = NOT_CARRIED,
        unknown: Rule = NOT_CARRIED,
    ) -> None:
        given = {k: _rule(v) for k, v in (rules or {}).items()}
        self.rules = {k: v for k, v in given.items() if not _INDEXED.search(k)}
        self.exact = {k: v for k, v in given.items() if _INDEXED.search(k)}
        """Rules for one position (``scope.urls[0]``); used for the item's own members."""
        self.default = _rule(default)
        self.unknown = _rule(unknown)
        self._prefixes = frozenset(p for k in self.rules for p in _parents(k))
        self._cache: dict[tuple[str, bool], tuple[Outcome, str, str]] = {}

    def resolve(self, member: str, unknown: bool, group: str) -> tuple[Outcome, str, str]:
        """(outcome, note, display group) of a leaf (cached per member name)."""
        key = (member, unknown)
        found = self._cache.get(key)
        if found is not None:
            return found
        rule: tuple[Outcome, str] | None = None
        for name in _parents(member):
            if name in self.rules:
                rule = self.rules[name]
                if name in _parents(group):  # a rule for a whole part names that part
                    group = name
                break
        if rule is None:
            rule = self.unknown if unknown else self.default
            # name the largest part of the member that no rule mentions ("fido2Extensions")
            shown = group
            for name in _parents(group):
                if name in self._prefixes:
                    break
                shown = name
            group = shown
        found = self._cache[key] = (rule[0], rule[1], group)
        return found


def _rule(rule: Rule) -> tuple[Outcome, str]:
    return (rule, "") if isinstance(rule, Outcome) else rule


_EVERYTHING: Final = Table(default=CARRIED, unknown=CARRIED)
_FLATTENED: Final = Table(
    {"extensions": (NOT_CARRIED, "field extensions are not written")},
    default=TRANSFORMED,
    unknown=(NOT_CARRIED, "a member CXF does not define; not written"),
)
_NOTHING: Final = Table()


class Declaration:
    """Everything one writer declares: its name (for the report's words), a table per item mode
    and a table per credential mode (``"passkey"``, ``"passkey:fields"``, ...; the built-in
    modes :data:`ALL`, :data:`FIELDS` and :data:`DROPPED` need no table)."""

    __slots__ = ("credentials", "items", "lost", "writer")

    def __init__(
        self,
        writer: str,
        items: Mapping[str, Table] | Table,
        credentials: Mapping[str, Table],
    ) -> None:
        self.writer = writer
        self.items: Mapping[str, Table] = {"": items} if isinstance(items, Table) else items
        self.credentials: dict[str, Table] = {ALL: _EVERYTHING, FIELDS: _FLATTENED,
                                              DROPPED: _NOTHING, **credentials}  # fmt: skip
        self.lost = f"{writer} has no place for it"

    def record(
        self,
        report: MigrationReport,
        where: str,
        item: m.Item,
        modes: Sequence[tuple[str, str] | None],
        item_mode: str = "",
    ) -> None:
        """Account for *item* (at *where*, e.g. ``$.accounts[0].items[3]``): *modes* holds one
        (mode, note) per credential — the mode names the table the credential was written by,
        the note says why when it was not carried (None: the credential was not written)."""
        report.written_fields.defer(self, where, item, tuple(modes), item_mode)

    # ------------------------------------------------------------------ expansion

    def rows(
        self,
        where: str,
        item: m.Item,
        modes: tuple[tuple[str, str] | None, ...],
        item_mode: str,
    ) -> list[WrittenRow]:
        """The report rows of one recorded item (see :data:`~cxkit.adapters.report.WrittenRow`)."""
        title = item.title
        out: list[WrittenRow] = []
        table = self.items.get(item_mode) or self.items[""]
        exact = table.exact
        whole = not table.rules and table.default[0] is NOT_CARRIED  # the item is not written
        for leaf in item_leaves(item):
            if exact and leaf.path in exact:
                outcome, note = exact[leaf.path]
                group = leaf.group
            else:
                outcome, note, group = table.resolve(leaf.member, leaf.unknown, leaf.group)
            if whole:
                group = "the whole item"
            out.append((where, leaf.path, title, outcome, self._note(outcome, note), group,
                        leaf.member))  # fmt: skip
        for index, cred in enumerate(item.credentials):
            chosen = modes[index] if index < len(modes) else None
            mode, why = chosen if chosen is not None else (DROPPED, "")
            ctable = self.credentials.get(mode)
            if ctable is None:  # a mode the writer did not declare: say so, carry nothing
                ctable, why = _NOTHING, why or f"{self.writer}: no declaration for '{mode}'"
            ctype = cxf.credential_type(cred)
            path = f"credentials[{index}]"
            for leaf in leaves(cred, path):
                outcome, note, group = ctable.resolve(leaf.member, leaf.unknown, leaf.group)
                if ctable is _NOTHING:  # a credential not written: its members, by its type
                    group = ""
                if whole:
                    group, ctype = "", "the whole item"
                if outcome is NOT_CARRIED and not note:
                    note = why
                out.append((where, leaf.path, title, outcome, self._note(outcome, note),
                            _join(ctype, group, " "), f"{ctype} {leaf.member}"))  # fmt: skip
        return out

    def _note(self, outcome: Outcome, note: str) -> str:
        return note or (self.lost if outcome is NOT_CARRIED else "")


# =========================================================================== walking leaves

_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute, wire name) of a model class, once per class (``cx_extra`` left out)."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(
            (f.name, f.encode_name) for f in msgspec.structs.fields(cls) if f.name != "cx_extra"
        )
    return found


def item_leaves(item: m.Item) -> Iterator[Leaf]:
    """The leaves of *item*'s own members (everything but its credentials)."""
    out: list[Leaf] = []
    _struct(item, "", "", False, out, skip="credentials")
    return iter(out)


def leaves(obj: Any, path: str = "") -> Iterator[Leaf]:
    """The leaves of a CXF object (an item with its credentials, a credential, ...); paths
    start with *path*, member names at *obj*."""
    out: list[Leaf] = []
    if isinstance(obj, m.Item):
        _struct(obj, path, "", False, out, skip="credentials")
        for index, cred in enumerate(obj.credentials):
            _struct(cred, _join(path, f"credentials[{index}]"), "", False, out)
    else:
        _value(obj, path, "", False, out, None)
    return iter(out)


def _join(base: str, name: str, sep: str = ".") -> str:
    return f"{base}{sep}{name}" if base and name else base or name


def _struct(
    obj: Any, path: str, member: str, unknown: bool, out: list[Leaf], skip: str = ""
) -> None:
    if isinstance(obj, m.UnknownCredential | m.UnknownExtension):
        for key, value in obj.members.items():
            _value(value, _join(path, key), _join(member, key), True, out, None)
    else:
        editable_field = isinstance(obj, m.EditableField)
        for attr, wire in _fields(type(obj)):
            if attr == skip:
                continue
            value = getattr(obj, attr)
            if value is None or value == ():
                continue
            sub = _join(member, wire)
            _value(value, _join(path, wire), sub, unknown, out, member if editable_field else None)
    extra = obj.cx_extra
    if extra is not None and extra.unknown:
        for key, value in extra.unknown.items():
            _value(value, _join(path, key), _join(member, key), True, out, None)


def _value(
    value: Any, path: str, member: str, unknown: bool, out: list[Leaf], group: str | None
) -> None:
    if value is None:
        return
    if isinstance(value, m.CXFStruct):
        _struct(value, path, member, unknown, out)
    elif isinstance(value, tuple | list):
        for i, v in enumerate(value):
            if isinstance(v, m.Extension):
                tag = v.extension_name if isinstance(v, m.UnknownExtension) else "shared"
                _struct(v, f"{path}[{i}]", f"{member}[{tag}]", unknown, out)
            else:
                _value(v, f"{path}[{i}]", f"{member}[]", unknown, out, group or member)
    elif isinstance(value, Mapping):
        for key, v in value.items():
            _value(v, f"{path}.{key}", f"{member}.{key}", unknown, out, None)
    else:
        out.append(Leaf(path, member, group or member, unknown, value))
