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

The leaves outside the items are accounted for the same way (issue #12): the header
(``$.exporterRpId``, ``$.version.major``, header extensions), each account (``$.accounts[0].email``)
and each collection, nested ones included
(``$.accounts[0].collections[1].subCollections[0].title``; ``spec/cxf.md`` §3.1, §3.2.1). A
declaration has a table for the header, per account mode and per collection mode (``""`` for a
top-level collection, ``"sub"`` for a nested one unless the writer chooses), and the writer
calls :meth:`Declaration.record_document` once; those leaves are shown as ``header …``,
``account …`` and ``collection …`` (``collection subtitle``, ``account email``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    "document_leaves",
    "editable",
    "item_leaves",
    "leaves",
    "written_as",
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

    def __repr__(self) -> str:  # the path only: the value may be a secret
        return f"Leaf(path={self.path!r})"


_WRITTEN_AS: dict[str, tuple[str, str]] = {}


def written_as(mode: str) -> tuple[str, str]:
    """The (mode, no note) pair of a credential written by *mode*, one shared tuple per mode
    (a writer records one per credential; a 10k-item export keeps them until the report is
    looked at)."""
    found = _WRITTEN_AS.get(mode)
    if found is None:
        found = _WRITTEN_AS[mode] = (mode, "")
    return found


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

    __slots__ = ("_cache", "_named", "_prefixes", "default", "exact", "rules", "unknown")

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
        self._named: dict[
            tuple[str, bool], Callable[[str, bool, str], tuple[Outcome, str, str, str]]
        ] = {}

    def named(
        self, ctype: str, by_type: bool
    ) -> Callable[[str, bool, str], tuple[Outcome, str, str, str]]:
        """The cached resolver for credentials of type *ctype* (see :func:`_named`)."""
        key = (ctype, by_type)
        found = self._named.get(key)
        if found is None:
            found = self._named[key] = _named(self, ctype, by_type)
        return found

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


def _named(
    table: Table, ctype: str, by_type: bool
) -> Callable[[str, bool, str], tuple[Outcome, str, str, str]]:
    """A resolver of *table* for credentials of type *ctype*: (outcome, note, group shown,
    member shown), cached per member (*by_type*: every leaf shown as the credential type)."""
    cache: dict[tuple[str, bool], tuple[Outcome, str, str, str]] = {}

    def named(member: str, unknown: bool, group: str) -> tuple[Outcome, str, str, str]:
        found = cache.get((member, unknown))
        if found is None:
            outcome, note, group = table.resolve(member, unknown, group)
            shown = ctype if by_type else f"{ctype} {group}"
            found = cache[(member, unknown)] = (outcome, note, shown, f"{ctype} {member}")
        return found

    return named


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

    __slots__ = ("accounts", "collections", "credentials", "header", "items", "lost", "writer")

    def __init__(
        self,
        writer: str,
        items: Mapping[str, Table] | Table,
        credentials: Mapping[str, Table],
        *,
        header: Table | None = None,
        accounts: Mapping[str, Table] | Table | None = None,
        collections: Mapping[str, Table] | Table | None = None,
    ) -> None:
        self.writer = writer
        self.items: Mapping[str, Table] = {"": items} if isinstance(items, Table) else items
        self.credentials: dict[str, Table] = {ALL: _EVERYTHING, FIELDS: _FLATTENED,
                                              DROPPED: _NOTHING, **credentials}  # fmt: skip
        self.lost = f"{writer} has no place for it"
        self.header = header or _NOTHING
        """The header's own members (``exporterRpId``, ``version.major``, ``extensions[…]``)."""
        self.accounts: Mapping[str, Table] = _modes(accounts)
        """Per account mode: the account's own members (``id``, ``username``, ``email``, …)."""
        self.collections: Mapping[str, Table] = _modes(collections)
        """Per collection mode: a collection's own members (``title``, ``items[].item``, …);
        its sub-collections are collections of their own."""

    def record_document(
        self,
        report: MigrationReport,
        doc: cxf.Document,
        account_mode: str = "",
        collection_mode: Callable[[m.Collection, bool], str] | None = None,
    ) -> None:
        """Account for the leaves of *doc* outside its items (header, accounts, collections),
        walked when the report is looked at. *account_mode* names the account table;
        *collection_mode* (collection, nested) the collection table (default: ``"sub"`` for a
        nested collection when declared, else ``""``)."""
        report.written_fields.defer(
            _Outside(self, collection_mode), "$", doc, (account_mode,), "*document"
        )

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
        append = out.append
        table = self.items.get(item_mode) or self.items[""]
        exact = table.exact
        # an item of which nothing is written
        whole = not table.rules and not table.exact and table.default[0] is NOT_CARRIED
        found: list[_Raw] = []
        _struct(item, "", "", False, found, _NO_CREDENTIALS)
        for path, member, group, unknown, value in found:
            if exact and path in exact:
                outcome, note = exact[path]
            else:
                outcome, note, group = table.resolve(member, unknown, group)
            if outcome is NOT_CARRIED and not whole and _SPEC_DEFAULTS.get(member, _NO) is value:
                outcome, note = _AT_DEFAULT
            if whole:
                group = "the whole item"
            if outcome is NOT_CARRIED and not note:
                note = self.lost
            append((where, path, title, outcome, note, group, member))
        for index, cred in enumerate(item.credentials):
            chosen = modes[index] if index < len(modes) else None
            mode, why = chosen if chosen is not None else (DROPPED, "")
            ctable = self.credentials.get(mode)
            if ctable is None:  # a mode the writer did not declare: say so, carry nothing
                ctable, why = _NOTHING, why or f"{self.writer}: no declaration for '{mode}'"
            why = why or self.lost
            ctype = "the whole item" if whole else cxf.credential_type(cred)
            named = ctable.named(ctype, whole or ctable is _NOTHING)
            found.clear()
            _struct(cred, f"credentials[{index}]", "", False, found)
            for path, member, group, unknown, _ in found:
                outcome, note, shown, full = named(member, unknown, group)
                append((where, path, title, outcome, note or why if outcome is NOT_CARRIED
                        else note, shown, full))  # fmt: skip
        return out

    def _note(self, outcome: Outcome, note: str) -> str:
        return note or (self.lost if outcome is NOT_CARRIED else "")


#: Item members with a CXF default (``../shared/spec/cxf.md`` §3.2.3: ``favorite`` is
#: ``.default false``): a leaf holding it tells a destination nothing to keep — read back,
#: the member is absent, which means the same — so a writer with no place for the member still
#: carries it ("KeePass has no favourites" is no loss for an item that is not one).
_SPEC_DEFAULTS: Final[dict[str, Any]] = {"favorite": False}
_NO: Final = object()
_AT_DEFAULT: Final = (CARRIED, "")


def _modes(tables: Mapping[str, Table] | Table | None) -> Mapping[str, Table]:
    if tables is None:
        return {"": _NOTHING}
    return {"": tables} if isinstance(tables, Table) else tables


class _Outside:
    """The expander :meth:`Declaration.record_document` defers: the rows of the leaves of a
    document outside its items. ``outside`` tells :meth:`WrittenFields.deferred` it is no item."""

    __slots__ = ("choose", "declaration")
    outside: Final = True

    def __init__(
        self, declaration: Declaration, choose: Callable[[m.Collection, bool], str] | None
    ) -> None:
        self.declaration = declaration
        self.choose = choose

    def rows(
        self, where: str, doc: cxf.Document, modes: tuple[str, ...], item_mode: str
    ) -> list[WrittenRow]:
        decl = self.declaration
        out: list[WrittenRow] = []
        header = doc.header
        self._walk(out, where, header, _NO_ACCOUNTS, "header", "the export header", decl.header)
        account_table = _pick(decl.accounts, modes[0] if modes else "")
        for a, account in enumerate(header.accounts):
            at = f"{where}.accounts[{a}]"
            self._walk(out, at, account, _NO_CONTENT, "account", f"account {a + 1}", account_table)
            for c, collection in enumerate(account.collections):
                self._collection(out, f"{at}.collections[{c}]", collection, False)
        return out

    def _collection(self, out: list[WrittenRow], at: str, col: m.Collection, nested: bool) -> None:
        decl = self.declaration
        if self.choose is not None:
            mode = self.choose(col, nested)
        else:
            mode = "sub" if nested and "sub" in decl.collections else ""
        title = col.title or "(a collection without a title)"
        table = _pick(decl.collections, mode)
        self._walk(out, at, col, _NO_SUBS, "collection", title, table)
        for k, sub in enumerate(col.sub_collections):
            self._collection(out, f"{at}.subCollections[{k}]", sub, True)

    def _walk(
        self,
        out: list[WrittenRow],
        at: str,
        obj: Any,
        skip: tuple[str, ...],
        kind: str,
        title: str,
        table: Table,
    ) -> None:
        found: list[_Raw] = []
        _struct(obj, "", "", False, found, skip)
        named = table.named(kind, False)
        lost = self.declaration.lost
        for path, member, group, unknown, _ in found:
            outcome, note, shown, full = named(member, unknown, group)
            if outcome is NOT_CARRIED and not note:
                note = lost
            out.append((at, path, title, outcome, note, shown, full))


def _pick(tables: Mapping[str, Table], mode: str) -> Table:
    found = tables.get(mode)
    return found if found is not None else tables.get("", _NOTHING)


# =========================================================================== walking leaves

#: A leaf while walking: (path, member, group, unknown, value).
_Raw = tuple[str, str, str, bool, Any]
_NO_CREDENTIALS: Final = ("credentials",)
_NO_ACCOUNTS: Final = ("accounts",)
_NO_CONTENT: Final = ("items", "collections")
_NO_SUBS: Final = ("sub_collections",)
_SCALARS: Final = frozenset({str, int, bool, float})
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
    out: list[_Raw] = []
    _struct(item, "", "", False, out, _NO_CREDENTIALS)
    return (Leaf(*raw) for raw in out)


def document_leaves(doc: cxf.Document) -> Iterator[Leaf]:
    """The leaves of *doc* outside its items — header, accounts, collections (nested ones
    included) — with full paths (``$.accounts[0].collections[1].subCollections[0].title``)
    and member names relative to their header, account or collection."""
    out: list[_Raw] = []
    header = doc.header
    _struct(header, "$", "", False, out, _NO_ACCOUNTS)

    def collection(col: m.Collection, at: str) -> None:
        _struct(col, at, "", False, out, _NO_SUBS)
        for k, sub in enumerate(col.sub_collections):
            collection(sub, f"{at}.subCollections[{k}]")

    for a, account in enumerate(header.accounts):
        _struct(account, f"$.accounts[{a}]", "", False, out, _NO_CONTENT)
        for c, col in enumerate(account.collections):
            collection(col, f"$.accounts[{a}].collections[{c}]")
    return (Leaf(*raw) for raw in out)


def leaves(obj: Any, path: str = "") -> Iterator[Leaf]:
    """The leaves of a CXF object (an item with its credentials, a credential, ...); paths
    start with *path*, member names at *obj*."""
    out: list[_Raw] = []
    if isinstance(obj, m.Item):
        _struct(obj, path, "", False, out, _NO_CREDENTIALS)
        for index, cred in enumerate(obj.credentials):
            _struct(cred, _join(path, f"credentials[{index}]"), "", False, out)
    else:
        _value(obj, path, "", False, out, None)
    return (Leaf(*raw) for raw in out)


def _join(base: str, name: str, sep: str = ".") -> str:
    return f"{base}{sep}{name}" if base and name else base or name


def _struct(
    obj: Any, path: str, member: str, unknown: bool, out: list[_Raw], skip: tuple[str, ...] = ()
) -> None:
    cls = type(obj)
    pre = f"{path}." if path else ""
    mpre = f"{member}." if member else ""
    if cls is m.EditableField:  # the most common struct: value and fieldType, inline
        group = member
        if obj.id is not None:
            out.append((f"{pre}id", f"{mpre}id", group, unknown, obj.id))
        out.append((f"{pre}fieldType", f"{mpre}fieldType", group, unknown, obj.field_type))
        out.append((f"{pre}value", f"{mpre}value", group, unknown, obj.value))
        if obj.label is not None:
            out.append((f"{pre}label", f"{mpre}label", group, unknown, obj.label))
        if obj.extensions:
            _value(obj.extensions, f"{pre}extensions", f"{mpre}extensions", unknown, out, None)
    elif cls is m.UnknownCredential or cls is m.UnknownExtension:
        for key, value in obj.members.items():
            _value(value, pre + key, mpre + key, True, out, None)
    else:
        for attr, wire in _fields(cls):
            value = getattr(obj, attr)
            if value is None or value == () or attr in skip:
                continue
            if type(value) in _SCALARS:
                sub = mpre + wire
                out.append((pre + wire, sub, sub, unknown, value))
            else:
                _value(value, pre + wire, mpre + wire, unknown, out, None)
    extra = obj.cx_extra
    if extra is not None and extra.unknown:
        for key, value in extra.unknown.items():
            _value(value, pre + key, mpre + key, True, out, None)


def _value(
    value: Any, path: str, member: str, unknown: bool, out: list[_Raw], group: str | None
) -> None:
    kind = type(value)
    if kind in _SCALARS:
        out.append((path, member, group or member, unknown, value))
    elif value is None:
        return
    elif kind is tuple or kind is list:
        for i, v in enumerate(value):
            if isinstance(v, m.Extension):
                tag = v.extension_name if isinstance(v, m.UnknownExtension) else "shared"
                _struct(v, f"{path}[{i}]", f"{member}[{tag}]", unknown, out)
            else:
                _value(v, f"{path}[{i}]", f"{member}[]", unknown, out, group or member)
    elif isinstance(value, m.CXFStruct):
        _struct(value, path, member, unknown, out)
    elif isinstance(value, Mapping):
        for key, v in value.items():
            _value(v, f"{path}.{key}", f"{member}.{key}", unknown, out, None)
    else:  # any other JSON value the decoder kept
        out.append((path, member, group or member, unknown, value))
