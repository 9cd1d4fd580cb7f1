"""What an item *is*, independent of the format it came through: a flat view of normalised
field values, and the keys that identify the item across formats (issue #16).

A view maps field names (``password``, ``totp``, ``urls``, ``custom:PIN``, ``credit-card.number``)
to frozensets of normalised values, so that item order, URL spelling, base32 case and whitespace
do not count as differences (``../shared/spec/cxf.md`` §3.2.3, §3.3). Values are compared, never
shown: callers report field names only.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import msgspec

from cxkit.cxf import credential_type
from cxkit.cxf import model as m
from cxkit.cxf.codec import Document

__all__ = ["ItemView", "collection_paths", "norm_secret", "norm_url", "site_of", "view_item"]

View = dict[str, frozenset[Hashable]]

_SPACE: Final = re.compile(r"\s+")
_ALNUM: Final = re.compile(r"[^0-9a-z]+")

#: Field name → the credential type that holds it (for formats known only by their declared
#: ``AdapterInfo.credential_types``); fields of other credential types are ``TYPE.member``.
FIELD_TYPES: Final[Mapping[str, str]] = {
    "username": "basic-auth",
    "password": "basic-auth",
    "totp": "totp",
    "notes": "note",
    "attachments": "file",
    "passkey": "passkey",
}


def field_credential_type(name: str) -> str | None:
    """The credential type a view field belongs to (None: an item member, always holdable)."""
    if name.startswith("custom:"):
        return "custom-fields"
    if "." in name:
        return name.split(".", 1)[0]
    return FIELD_TYPES.get(name)


def text(value: str) -> str:
    """Whitespace does not count: runs collapse to one space, the ends are stripped."""
    if "  " in value or "\n" in value or "\t" in value or "\r" in value:
        return _SPACE.sub(" ", value).strip()
    return value.strip()


def norm_secret(secret: str) -> str:
    """A base32 TOTP secret without case, spaces, dashes or padding (RFC 4648 §6)."""
    return re.sub(r"[\s=-]+", "", secret).upper()


@functools.lru_cache(maxsize=1 << 16)
def norm_url(url: str) -> str:
    """A URL as a site knows it: scheme http/https and ``www.`` ignored, host lower case,
    default ports and a trailing ``/`` dropped; other schemes (``androidapp://``) as written."""
    url = url.strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
        port = parts.port
    except ValueError:
        return url.lower()
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        scheme = "web"
        if port in (80, 443):
            port = None
    where = host + (f":{port}" if port else "")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{where}{path}{query}"


@functools.lru_cache(maxsize=1 << 16)
def site_of(url: str) -> str:
    """The host of a URL without ``www.`` (``""`` when there is none)."""
    normal = norm_url(url)
    if not normal.startswith("web://"):
        return ""
    return normal[6:].split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]


def collection_paths(doc: Document) -> dict[str, frozenset[str]]:
    """Item id → the paths (``Work/Servers``) of the collections that list it."""
    found: dict[str, set[str]] = {}

    def walk(collection: m.Collection, prefix: str) -> None:
        path = f"{prefix}/{collection.title}" if prefix else collection.title
        for link in collection.items:
            found.setdefault(link.item, set()).add(path)
        for sub in collection.sub_collections:
            walk(sub, path)

    for account in doc.accounts:
        for collection in account.collections:
            walk(collection, "")
    return {k: frozenset(v) for k, v in found.items()}


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


def _struct_fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute, wire name) of a model struct's members, without ``cx_extra`` (cached)."""
    found = _FIELDS.get(cls)
    if found is None:
        pairs = zip(cls.__struct_fields__, cls.__struct_encode_fields__, strict=True)  # type: ignore[attr-defined]
        found = _FIELDS[cls] = tuple((a, w) for a, w in pairs if a != "cx_extra")
    return found


def _member_values(value: Any) -> Iterator[tuple[str, Hashable]]:
    """(member path, comparable value) of one credential's members, EditableFields by value."""
    if isinstance(value, m.EditableField):
        yield "", text(value.value)
        return
    if isinstance(value, msgspec.Struct):
        for name, wire in _struct_fields(type(value)):
            sub = getattr(value, name)
            if sub is None or sub == ():
                continue
            for path, leaf in _member_values(sub):
                yield (wire + ("." + path if path else "")), leaf
        return
    if isinstance(value, tuple):
        yield "", msgspec.json.encode(msgspec.to_builtins(value))
        return
    if isinstance(value, Mapping):
        yield "", msgspec.json.encode(msgspec.to_builtins(value), order="sorted")
        return
    yield "", text(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class ItemView:
    """One item as compared: its index in the document, a label to name it by (title, site,
    account), its kind, its fields and the identity keys, strongest first."""

    index: int
    item: m.Item
    title: str
    kind: str
    site: str
    username: str
    fields: View
    keys: tuple[tuple[int, tuple[Hashable, ...]], ...]
    """(level, key): 0 passkey id + RP ID, 1 login site + account, 2 TOTP secret, 3 content,
    4 title."""

    def name(self) -> str:
        """The item as a person recognises it: title, then site and account when known."""
        extra = ", ".join(x for x in (self.site, self.username) if x)
        return f"{self.title!r} ({extra})" if extra else repr(self.title)


_KIND_ORDER: Final = ("basic-auth", "passkey", "totp", "credit-card", "note")


def _kind(types: list[str]) -> str:
    for t in _KIND_ORDER:
        if t in types:
            return "login" if t == "basic-auth" else t
    return types[0] if types else "empty"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def view_item(index: int, item: m.Item, folders: frozenset[str] = frozenset()) -> ItemView:
    """The comparable view of *item* (see the module docstring)."""
    fields: dict[str, set[Hashable]] = {}

    def add(name: str, value: Hashable) -> None:
        if value != "" and value is not None:
            fields.setdefault(name, set()).add(value)

    title = text(item.title)
    add("title", title.lower())
    urls: list[str] = []
    if item.scope is not None:
        for url in item.scope.urls:
            add("urls", norm_url(url))
            urls.append(url)
        for app in item.scope.android_apps:
            add("urls", "androidapp://" + app.bundle_id)
    for tag in item.tags:
        add("tags", text(tag).lower())
    for folder in folders:
        add("folder", text(folder))
    if item.favorite:
        add("favorite", True)
    types: list[str] = []
    usernames: list[str] = []
    keys: list[tuple[int, tuple[Hashable, ...]]] = []
    for c in item.credentials:
        t = credential_type(c)
        types.append(t)
        if isinstance(c, m.BasicAuth):
            if c.username is not None and text(c.username.value):
                usernames.append(text(c.username.value))
                add("username", text(c.username.value).lower())
            if c.password is not None:
                add("password", c.password.value)
        elif isinstance(c, m.Totp):
            secret = norm_secret(c.secret)
            add("totp", (secret, c.period, c.digits, c.algorithm.lower()))
            keys.append((2, ("totp", secret)))
        elif isinstance(c, m.Passkey):
            add("passkey", (c.rp_id.lower(), c.credential_id, c.user_handle, c.key, c.username))
            keys.append((0, ("passkey", c.rp_id.lower(), c.credential_id)))
            if not usernames and c.username:
                usernames.append(c.username)
        elif isinstance(c, m.Note):
            content = text(c.content.value)
            add("notes", content)
            keys.append((3, ("note", title.lower(), _digest(content))))
        elif isinstance(c, m.CustomFields):
            for n, f in enumerate(c.fields):
                label = text(f.label or "") or f"#{n + 1}"
                add(f"custom:{label}", text(f.value))
        elif isinstance(c, m.File):
            add("attachments", (c.name, c.decrypted_size, c.integrity_hash))
        elif isinstance(c, m.UnknownCredential):
            blob = msgspec.json.encode(msgspec.to_builtins(c.members), order="sorted")
            add(f"{t}.members", blob)
        else:
            for path, value in _member_values(c):
                add(f"{t}.{path}", value)
            if isinstance(c, m.CreditCard) and c.number is not None:
                keys.append((3, ("card", re.sub(r"\D", "", c.number.value))))
            elif isinstance(c, m.SshKey):
                keys.append((3, ("ssh", c.private_key)))
    site = next((s for s in map(site_of, urls) if s), "")
    username = usernames[0] if usernames else ""
    if not username:
        username = next((c.username for c in item.credentials if isinstance(c, m.Totp)), "") or ""
    if "basic-auth" in types:
        keys.append((1, ("login", site or "title:" + title.lower(), username.lower())))
    kind = _kind(types)
    keys.append((4, ("title", title.lower())))
    keys.sort(key=lambda k: k[0])
    return ItemView(
        index=index,
        item=item,
        title=title,
        kind=kind,
        site=site,
        username=username,
        fields={k: frozenset(v) for k, v in fields.items()},
        keys=tuple(keys),
    )


def view_document(doc: Document) -> list[ItemView]:
    """Views of every item of *doc*, in document order."""
    folders = collection_paths(doc)
    empty: frozenset[str] = frozenset()
    return [
        view_item(n, item, folders.get(item.id, empty)) for n, (_, item) in enumerate(doc.items())
    ]


def match(old: list[ItemView], new: list[ItemView]) -> dict[int, int]:
    """Pair items of *old* with items of *new* (old index → new index) by their identity keys,
    strongest level first; each item pairs at most once; ties go in document order."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for level in range(5):
        index: dict[Hashable, list[int]] = {}
        for v in new:
            if v.index in taken:
                continue
            for lvl, key in v.keys:
                if lvl == level:
                    index.setdefault(key, []).append(v.index)
        if not index:
            continue
        for v in old:
            if v.index in pairs:
                continue
            for lvl, key in v.keys:
                if lvl != level:
                    continue
                candidates = index.get(key)
                if not candidates:
                    continue
                found = _best(v, candidates, new, taken)
                if found is not None:
                    pairs[v.index] = found
                    taken.add(found)
                    break
    return pairs


def _best(v: ItemView, candidates: list[int], new: list[ItemView], taken: set[int]) -> int | None:
    """Of the items sharing a key with *v*, the one with its id, else its title, else the first
    (duplicates — two logins of one site and account — pair with their own)."""
    while candidates and candidates[0] in taken:
        candidates.pop(0)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    free = [i for i in candidates[:64] if i not in taken]
    for i in free:
        if new[i].item.id == v.item.id:
            return i
    for i in free:
        if new[i].title == v.title:
            return i
    return free[0]
