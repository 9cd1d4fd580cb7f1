"""``merge(sources)``: several vaults into one CXF document (issue #16).

* identical items (same identity key, same view) are kept once;
* items with the same identity whose values agree are merged (credentials, URLs, tags and
  folders united); where a value conflicts (two passwords for one login) both items are kept
  side by side and the conflict is named — a value is never silently chosen;
* an item holding only TOTP / passkey credentials is attached to the login of the same site and
  account when exactly one such login exists (passkey: RP ID is the login's host or a parent
  domain of it, ``../shared/spec/cxf.md`` §3.3.12; TOTP: the item's URL host, or its issuer
  naming a label of the host), else kept as its own item and named in the report;
* every source item is traceable (:class:`MergeEvent`), and the output is deterministic: items
  in source order, ids kept (a clash gets an id derived from source and position), collections
  rebuilt from the sources' folder paths.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from cxkit.compare._view import (
    FOLDER_SEP,
    ItemView,
    collection_paths,
    norm_url,
    same_content,
    site_of,
    view_item,
)
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.cxf.codec import Document, paused_gc, replace

__all__ = ["Conflict", "MergeEvent", "MergeResult", "merge"]

ADDED: Final = "added"
IDENTICAL: Final = "identical"
MERGED: Final = "merged"
ATTACHED: Final = "attached"
KEPT_APART: Final = "kept-apart"

#: Fields where two different values are a conflict (one login has one password); the other
#: fields are sets that unite (URLs, tags, folders, TOTPs, passkeys, attachments).
_SINGLE: Final = re.compile(r"^(password|notes|custom:.*|[a-z0-9-]+\..*)$")


@dataclass(frozen=True)
class MergeEvent:
    """What happened to one source item: ``added``, ``identical`` (kept once), ``merged``,
    ``attached`` (its TOTP / passkey moved onto a login) or ``kept-apart`` (a conflict, or no
    single login to attach to); *target* is the output item's index."""

    source: str
    index: int
    item: str
    action: str
    target: int
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "index": self.index,
            "item": self.item,
            "action": self.action,
            "target": self.target,
            "note": self.note,
        }


@dataclass(frozen=True)
class Conflict:
    """Two items that are the same login (or note, card...) but hold different values in
    *fields*; both are in the output (items *first* and *second*)."""

    item: str
    fields: tuple[str, ...]
    first: tuple[str, int]
    second: tuple[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "fields": list(self.fields),
            "first": {"source": self.first[0], "index": self.first[1]},
            "second": {"source": self.second[0], "index": self.second[1]},
        }


@dataclass
class MergeResult:
    document: Document
    events: list[MergeEvent] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    sources: list[tuple[str, int]] = field(default_factory=list)
    """(source name, number of items read)."""

    def count(self, action: str) -> int:
        return sum(1 for e in self.events if e.action == action)

    def summary(self) -> str:
        total = sum(n for _, n in self.sources)
        out = sum(len(a.items) for a in self.document.accounts)
        return (
            f"{total} items from {len(self.sources)} sources → {out} items: "
            f"{self.count(ADDED)} added, {self.count(IDENTICAL)} identical kept once, "
            f"{self.count(MERGED)} merged, {self.count(ATTACHED)} TOTP/passkeys attached to "
            f"their login, {self.count(KEPT_APART)} kept apart; {len(self.conflicts)} conflicts"
        )

    def render(self) -> str:
        lines = [self.summary()]
        if self.conflicts:
            lines.append("Conflicts (both kept; choose in the new app):")
            for c in self.conflicts:
                lines.append(
                    f"  {c.item}: {', '.join(c.fields)} differ between {c.first[0]} "
                    f"#{c.first[1] + 1} and {c.second[0]} #{c.second[1] + 1}"
                )
        apart = [e for e in self.events if e.action == KEPT_APART and e.note]
        if apart:
            lines.append("Kept as their own item:")
            lines += [f"  {e.source} #{e.index + 1} {e.item}: {e.note}" for e in apart]
        lines.append("Items by source:")
        for e in self.events:
            lines.append(f"  {e.source} #{e.index + 1} {e.item}: {e.action} → #{e.target + 1}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "sources": [{"source": s, "items": n} for s, n in self.sources],
            "items": sum(len(a.items) for a in self.document.accounts),
            "conflicts": [c.to_json() for c in self.conflicts],
            "events": [e.to_json() for e in self.events],
        }


@dataclass
class _Out:
    """An output item being built."""

    view: ItemView
    credentials: list[m.AnyCredential]
    urls: list[str]
    tags: list[str]
    folders: set[str]
    origin: tuple[str, int]
    id: str


def _derived_id(*parts: object) -> str:
    text = "\x00".join(map(str, parts))
    return b64.encode(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16])


def _standalone(item: m.Item) -> bool:
    """An item made of TOTP or passkey credentials only (an authenticator app's entry)."""
    return bool(item.credentials) and all(
        isinstance(c, m.Totp | m.Passkey) for c in item.credentials
    )


def _alnum(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", value.lower())


def _site_matches(login: _Out, item: ItemView) -> bool:
    hosts = {site_of(u) for u in login.urls} - {""}
    if not hosts:
        return False
    for c in item.item.credentials:
        if isinstance(c, m.Passkey):
            rp = c.rp_id.lower()
            if any(h == rp or h.endswith("." + rp) for h in hosts):
                return True
    site = item.site
    if site and any(h == site or h.endswith("." + site) or site.endswith("." + h) for h in hosts):
        return True
    for c in item.item.credentials:
        if isinstance(c, m.Totp):
            issuer = _alnum(c.issuer or item.title)
            if issuer and any(
                issuer == _alnum(h) or issuer in {_alnum(p) for p in h.split(".")} for h in hosts
            ):
                return True
    return False


def _same_account(login: _Out, item: ItemView) -> bool:
    return not item.username or login.view.username.lower() == item.username.lower()


def _conflicts(a: dict[str, frozenset[Hashable]], b: dict[str, frozenset[Hashable]]) -> list[str]:
    return sorted(
        name
        for name in a.keys() & b.keys()
        if _SINGLE.match(name) and a[name] and b[name] and a[name] != b[name]
    )


def merge(
    sources: Sequence[tuple[str, Document]],
    *,
    exporter_rp_id: str = "cxkit.invalid",
    exporter_display_name: str = "cxkit merge",
) -> MergeResult:
    """Merge *sources* — (name, document) pairs, in priority order — into one document (see the
    module docstring). The first source's items come first; nothing is dropped: every source
    item is identical to, merged into or attached to an output item, or is one. The cyclic
    collector is paused meanwhile (as for decoding: many small objects, no cycles)."""
    with paused_gc():
        return _merge(sources, exporter_rp_id, exporter_display_name)


def _merge(
    sources: Sequence[tuple[str, Document]], exporter_rp_id: str, exporter_display_name: str
) -> MergeResult:
    outs: list[_Out] = []
    by_key: dict[Hashable, list[int]] = {}
    events: list[MergeEvent] = []
    conflicts: list[Conflict] = []
    deferred: list[tuple[str, ItemView]] = []
    used_ids: set[str] = set()
    counts: list[tuple[str, int]] = []

    def add(name: str, v: ItemView, note: str = "", action: str = ADDED) -> int:
        item = v.item
        item_id = item.id
        if item_id in used_ids:
            item_id = _derived_id(name, v.index, item.id)
        used_ids.add(item_id)
        urls = list(item.scope.urls) if item.scope is not None else []
        out = _Out(
            v,
            list(item.credentials),
            urls,
            list(item.tags),
            set(v.folders),
            (name, v.index),
            item_id,
        )
        outs.append(out)
        for level, key in v.keys:
            if level < 4:
                by_key.setdefault(key, []).append(len(outs) - 1)
        by_key.setdefault(_fingerprint(v), []).append(len(outs) - 1)
        events.append(MergeEvent(name, v.index, v.name(), action, len(outs) - 1, note))
        return len(outs) - 1

    for name, doc in sources:
        folders = collection_paths(doc)
        n = 0
        for _, item in doc.items():
            v = view_item(n, item, folders.get(item.id, frozenset()))
            n += 1
            if _standalone(item):
                deferred.append((name, v))
                continue
            _place(name, v, outs, by_key, events, conflicts, add)
        counts.append((name, n))

    logins = [i for i, o in enumerate(outs) if o.view.kind == "login"]
    for name, v in deferred:
        candidates = [i for i in logins if _site_matches(outs[i], v) and _same_account(outs[i], v)]
        if len(candidates) == 1:
            target = outs[candidates[0]]
            clash = _attach_clash(target, v)
            if clash:
                add(name, v, f"the login {target.view.name()} has another {clash}", KEPT_APART)
                continue
            have = {_cred_key(c) for c in target.credentials}
            for c in v.item.credentials:
                if _cred_key(c) not in have:
                    target.credentials.append(c)
            target.folders |= v.folders
            events.append(MergeEvent(name, v.index, v.name(), ATTACHED, candidates[0]))
            continue
        note = (
            f"{len(candidates)} logins match its site and account"
            if candidates
            else "no login of its site and account"
        )
        _place(name, v, outs, by_key, events, conflicts, add, apart_note=note)

    return MergeResult(
        _build(outs, sources, exporter_rp_id, exporter_display_name), events, conflicts, counts
    )


def _without_folder(fields: dict[str, frozenset[Hashable]]) -> dict[str, frozenset[Hashable]]:
    return {k: x for k, x in fields.items() if k != "folder"}


def _fingerprint(v: ItemView) -> tuple[str, Hashable]:
    """A key equal for identical items (ids, timestamps and folders aside): the hash of the
    item's content (checked with :func:`same_content`), or its fields when it cannot be hashed
    (an unknown credential's members)."""
    it = v.item
    try:
        return ("same", hash((it.title, it.credentials, it.scope, it.tags, it.favorite)))
    except TypeError:
        return ("fields", frozenset(_without_folder(v.fields).items()))


def _cred_key(c: m.AnyCredential) -> Hashable:
    if isinstance(c, m.Totp):
        from cxkit.compare._view import norm_secret

        return ("totp", norm_secret(c.secret))
    if isinstance(c, m.Passkey):
        return ("passkey", c.rp_id.lower(), c.credential_id)
    from cxkit.cxf.codec import encode_struct

    return encode_struct(c)


def _attach_clash(target: _Out, v: ItemView) -> str:
    """``TOTP`` when the login has a TOTP with another secret than the one to attach."""
    mine = {_cred_key(c) for c in target.credentials if isinstance(c, m.Totp)}
    theirs = {_cred_key(c) for c in v.item.credentials if isinstance(c, m.Totp)}
    return "TOTP" if mine and theirs and not theirs <= mine else ""


def _place(
    name: str,
    v: ItemView,
    outs: list[_Out],
    by_key: dict[Hashable, list[int]],
    events: list[MergeEvent],
    conflicts: list[Conflict],
    add: Any,
    *,
    apart_note: str = "",
) -> None:
    """Add *v*, or find it among the output items: identical (any key, the title included),
    else mergeable or conflicting (a key stronger than the title; the first such item)."""
    fp = _fingerprint(v)
    for i in by_key.get(fp, ()):
        if fp[0] == "fields" or same_content(outs[i].view, v, folders=False):
            outs[i].folders |= v.folders
            events.append(MergeEvent(name, v.index, v.name(), IDENTICAL, i))
            return
    # a title alone does not make two items the same
    strong = [by_key[key][0] for level, key in v.keys if level < 4 and key in by_key]
    if not strong:
        add(name, v, apart_note, KEPT_APART if apart_note else ADDED)
        return
    i = strong[0]
    o = outs[i]
    clash = _conflicts(o.view.fields, v.fields)
    if not clash and _without_folder(o.view.fields) == _without_folder(v.fields):
        o.folders |= v.folders
        events.append(MergeEvent(name, v.index, v.name(), IDENTICAL, i))
        return
    if clash:
        add(name, v, f"conflicts with #{i + 1}: {', '.join(clash)}", KEPT_APART)
        conflicts.append(Conflict(v.name(), tuple(clash), o.origin, (name, v.index)))
        return
    have = {_cred_key(c) for c in o.credentials}
    for c in v.item.credentials:
        if _cred_key(c) not in have:
            o.credentials.append(c)
            have.add(_cred_key(c))
    known = {norm_url(u) for u in o.urls}
    scope = v.item.scope
    o.urls += [u for u in (scope.urls if scope else ()) if norm_url(u) not in known]
    o.tags += [t for t in v.item.tags if t not in o.tags]
    o.folders |= v.folders
    events.append(MergeEvent(name, v.index, v.name(), MERGED, i))


def _build(
    outs: list[_Out], sources: Sequence[tuple[str, Document]], rp_id: str, display: str
) -> Document:
    items: list[m.Item] = []
    folders: dict[str, list[str]] = {}
    for o in outs:
        item = o.view.item
        scope = item.scope
        if o.urls or scope is not None:
            apps = scope.android_apps if scope is not None else ()
            scope = m.CredentialScope(urls=tuple(o.urls), android_apps=apps)
        changes: dict[str, Any] = {}
        if o.id != item.id:
            changes["id"] = o.id
        if tuple(o.credentials) != item.credentials:
            changes["credentials"] = tuple(o.credentials)
        if scope != item.scope:
            changes["scope"] = scope
        if tuple(o.tags) != item.tags:
            changes["tags"] = tuple(o.tags)
        items.append(replace(item, **changes) if changes else item)
        for path in sorted(o.folders):
            folders.setdefault(path, []).append(o.id)
    timestamp = max((d.header.timestamp for _, d in sources), default=0)
    account = m.Account(
        id=_derived_id("account", *(n for n, _ in sources)),
        username="",
        email="",
        collections=_collections(folders),
        items=tuple(items),
    )
    header = m.Header(
        version=m.CXF_VERSION,
        exporter_rp_id=rp_id,
        exporter_display_name=display,
        timestamp=timestamp,
        accounts=(account,),
    )
    return Document(header)


def _collections(folders: dict[str, list[str]]) -> tuple[m.Collection, ...]:
    """Nested collections from folder paths (titles joined by FOLDER_SEP), in sorted order."""
    tree: dict[str, Any] = {}
    for path, ids in sorted(folders.items()):
        node = tree
        for part in path.split(FOLDER_SEP):
            node = node.setdefault(part, {"\x00items": []})
        node["\x00items"].extend(ids)

    def build(nodes: dict[str, Any], prefix: str) -> tuple[m.Collection, ...]:
        out = []
        for title, node in sorted((k, v) for k, v in nodes.items() if k != "\x00items"):
            path = f"{prefix}{FOLDER_SEP}{title}"
            subs = build(node, path)
            out.append(
                m.Collection(
                    id=_derived_id("collection", path),
                    title=title,
                    items=tuple(m.LinkedItem(item=i) for i in node["\x00items"]),
                    sub_collections=subs,
                )
            )
        return tuple(out)

    return build(tree, "")
