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
from collections import deque
from collections.abc import Hashable, Iterator, Mapping
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


#: Between the titles of nested collections in a folder path (a title may hold a ``/``).
FOLDER_SEP: Final = "\x1f"


def collection_paths(doc: Document) -> dict[str, frozenset[str]]:
    """Item id → the paths (``Work`` FOLDER_SEP ``Servers``) of the collections that list it."""
    found: dict[str, set[str]] = {}

    def walk(collection: m.Collection, prefix: str) -> None:
        path = f"{prefix}{FOLDER_SEP}{collection.title}" if prefix else collection.title
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


class ItemView:
    """One item as compared: its index in the document, a label to name it by (title, site,
    account), its kind and identity keys (cheap, computed at once) and its fields (computed on
    first use: most paired items are equal and never need them)."""

    __slots__ = ("_fields", "folders", "index", "item", "keys", "kind", "site", "title",
                 "username")  # fmt: skip

    def __init__(self, index: int, item: m.Item, folders: frozenset[str] = frozenset()) -> None:
        self.index, self.item, self.folders = index, item, folders
        self._fields: View | None = None
        title = self.title = text(item.title)
        lowered = title.lower()
        keys: list[tuple[int, tuple[Hashable, ...]]] = []
        username = ""
        login = False
        first = ""
        for c in item.credentials:
            if isinstance(c, m.BasicAuth):
                login = True
                if not username and c.username is not None:
                    username = text(c.username.value)
            elif isinstance(c, m.Totp):
                keys.append((2, ("totp", norm_secret(c.secret))))
            elif isinstance(c, m.Passkey):
                keys.append((0, ("passkey", c.rp_id.lower(), c.credential_id)))
            elif isinstance(c, m.Note):
                keys.append((3, ("note", lowered, _digest(text(c.content.value)))))
            elif isinstance(c, m.CreditCard) and c.number is not None:
                keys.append((3, ("card", re.sub(r"\D", "", c.number.value))))
            elif isinstance(c, m.SshKey):
                keys.append((3, ("ssh", c.private_key)))
            if not first:
                first = credential_type(c)
        if not username:
            for c in item.credentials:
                if isinstance(c, m.Passkey | m.Totp) and c.username:
                    username = c.username
                    break
        self.username = username
        site = ""
        if item.scope is not None:
            for url in item.scope.urls:
                site = site_of(url)
                if site:
                    break
        self.site = site
        if login:
            keys.append((1, ("login", site or "title:" + lowered, username.lower())))
        keys.append((4, ("title", lowered)))
        keys.sort(key=lambda k: k[0])
        self.keys: tuple[tuple[int, tuple[Hashable, ...]], ...] = tuple(keys)
        """(level, key): 0 passkey id + RP ID, 1 login site + account, 2 TOTP secret,
        3 content, 4 title."""
        self.kind = _kind(item.credentials, first)

    @property
    def fields(self) -> View:
        """Field name → normalised values (see the module docstring)."""
        if self._fields is None:
            self._fields = _fields_of(self.item, self.title, self.folders)
        return self._fields

    def name(self) -> str:
        """The item as a person recognises it: title, then site and account when known."""
        extra = ", ".join(x for x in (self.site, self.username) if x)
        return f"{self.title!r} ({extra})" if extra else repr(self.title)


_KINDS: Final = ((m.BasicAuth, "login"), (m.Passkey, "passkey"), (m.Totp, "totp"),
                 (m.CreditCard, "credit-card"), (m.Note, "note"))  # fmt: skip


def _kind(credentials: tuple[m.AnyCredential, ...], first: str) -> str:
    for cls, kind in _KINDS:
        if any(isinstance(c, cls) for c in credentials):
            return kind
    return first or "empty"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def view_item(index: int, item: m.Item, folders: frozenset[str] = frozenset()) -> ItemView:
    """The comparable view of *item* (see the module docstring)."""
    return ItemView(index, item, folders)


def _fields_of(item: m.Item, title: str, folders: frozenset[str]) -> View:
    fields: dict[str, set[Hashable]] = {}

    def add(name: str, value: Hashable) -> None:
        if value != "" and value is not None:
            fields.setdefault(name, set()).add(value)

    add("title", title.lower())
    if item.scope is not None:
        for url in item.scope.urls:
            add("urls", norm_url(url))
        for app in item.scope.android_apps:
            add("urls", "androidapp://" + app.bundle_id)
    for tag in item.tags:
        add("tags", text(tag).lower())
    for folder in folders:
        add("folder", text(folder))
    if item.favorite:
        add("favorite", True)
    for c in item.credentials:
        if isinstance(c, m.BasicAuth):
            if c.username is not None:
                add("username", text(c.username.value).lower())
            if c.password is not None:
                add("password", c.password.value)
        elif isinstance(c, m.Totp):
            add("totp", (norm_secret(c.secret), c.period, c.digits, c.algorithm.lower()))
        elif isinstance(c, m.Passkey):
            add("passkey", (c.rp_id.lower(), c.credential_id, c.user_handle, c.key, c.username))
        elif isinstance(c, m.Note):
            add("notes", text(c.content.value))
        elif isinstance(c, m.CustomFields):
            for n, f in enumerate(c.fields):
                label = text(f.label or "") or f"#{n + 1}"
                add(f"custom:{label}", text(f.value))
        elif isinstance(c, m.File):
            add("attachments", (c.name, c.decrypted_size, c.integrity_hash))
        elif isinstance(c, m.UnknownCredential):
            blob = msgspec.json.encode(msgspec.to_builtins(c.members), order="sorted")
            add(f"{c.credential_type}.members", blob)
        else:
            t = credential_type(c)
            for path, value in _member_values(c):
                add(f"{t}.{path}", value)
    return {k: frozenset(v) for k, v in fields.items()}


def same_content(a: ItemView, b: ItemView, *, folders: bool = True) -> bool:
    """Whether two items hold the same (ids and timestamps aside): a cheap test, done in C for
    the credentials, that spares comparing their fields."""
    x, y = a.item, b.item
    return (
        x.credentials == y.credentials
        and x.title == y.title
        and x.scope == y.scope
        and x.tags == y.tags
        and x.favorite == y.favorite
        and (not folders or a.folders == b.folders)
    )


def view_document(doc: Document) -> list[ItemView]:
    """Views of every item of *doc*, in document order."""
    folders = collection_paths(doc)
    empty: frozenset[str] = frozenset()
    return [
        view_item(n, item, folders.get(item.id, empty)) for n, (_, item) in enumerate(doc.items())
    ]


def match(old: list[ItemView], new: list[ItemView]) -> dict[int, int]:
    """Pair items of *old* with items of *new* (old index → new index): first the same item id
    with a key in common (a same-format export keeps ids), then by identity keys, strongest
    level first, preferring the same title among items sharing a key (duplicates — two logins
    of one site and account — pair with their own); each item pairs at most once; ties go in
    document order. Linear in the number of items."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    by_id = {w.item.id: w for w in new}
    for v in old:
        w = by_id.get(v.item.id)
        if w is not None and w.index not in taken and set(v.keys) & set(w.keys):
            pairs[v.index] = w.index
            taken.add(w.index)
    for level in range(5):
        index: dict[Hashable, deque[int]] = {}
        titled: dict[Hashable, deque[int]] = {}
        for w in new:
            if w.index in taken:
                continue
            for lvl, key in w.keys:
                if lvl == level:
                    index.setdefault(key, deque()).append(w.index)
                    titled.setdefault((key, w.title), deque()).append(w.index)
        if not index:
            continue
        for v in old:
            if v.index in pairs:
                continue
            for lvl, key in v.keys:
                if lvl != level:
                    continue
                found = _first_free(titled.get((key, v.title)), taken)
                if found is None:
                    found = _first_free(index.get(key), taken)
                if found is not None:
                    pairs[v.index] = found
                    taken.add(found)
                    break
    return pairs


def _first_free(queue: deque[int] | None, taken: set[int]) -> int | None:
    """The first index of *queue* not taken yet (taken ones are dropped for good)."""
    while queue:
        if queue[0] in taken:
            queue.popleft()
        else:
            return queue[0]
    return None
