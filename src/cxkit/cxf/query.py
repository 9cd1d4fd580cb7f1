"""Small questions asked of a CXF document: a credential's type name, counts, filtering.

These are what the command line and the adapters used to compute for themselves; they read the
model only (spec ``cxf.md`` §4: the ``type`` member names a credential's kind). Filtering keeps
every account and item that it does not change as the same object, so an unchanged item still
re-encodes from its source bytes.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Callable

from cxkit.cxf import model as m
from cxkit.cxf.codec import Document, replace

__all__ = [
    "credential_type",
    "filter_items",
    "format_utc",
    "prune",
    "type_counts",
    "utc_datetime",
]

_TYPE_NAMES: dict[type, str] = {}


def utc_datetime(seconds: int | float | None) -> datetime.datetime | None:
    """The UTC time of a CXF timestamp (spec ``cxf.md``: ``uint .size 8``, seconds), or None when
    it lies outside what a calendar date can hold (before year 1, after 9999 — a 2**63 or
    2**64-1 timestamp is valid CBOR/JSON but no date; issue #17)."""
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def format_utc(seconds: int | float | None, fmt: str, *, out_of_range: str = "") -> str:
    """:func:`utc_datetime` formatted with ``fmt``; ``out_of_range`` for a time no date holds."""
    value = utc_datetime(seconds)
    return out_of_range if value is None else value.strftime(fmt)


def credential_type(credential: object) -> str:
    """The wire ``type`` of a model credential (``basic-auth``, ``passkey``...); an unknown one
    by the type its source gave."""
    cls = type(credential)
    found = _TYPE_NAMES.get(cls)
    if found is not None:
        return found
    if isinstance(credential, m.UnknownCredential):
        return credential.credential_type
    tag = getattr(getattr(cls, "__struct_config__", None), "tag", None)
    name = tag if isinstance(tag, str) else cls.__name__
    _TYPE_NAMES[cls] = name
    return name


def type_counts(doc: Document) -> dict[str, int]:
    """How many credentials of each type *doc* holds, sorted by type name."""
    counts: Counter[str] = Counter()
    for _, item in doc.items():
        counts.update(credential_type(c) for c in item.credentials)
    return dict(sorted(counts.items()))


def filter_items(doc: Document, keep: Callable[[m.Account, m.Item], bool]) -> Document:
    """*doc* with only the items for which ``keep(account, item)`` is true; collection links to
    dropped items are removed."""
    return _rebuild(doc, lambda account, item: item if keep(account, item) else None)[0]


def prune(
    doc: Document, keep_type: Callable[[str], bool], *, accounts_only: bool = False
) -> tuple[Document, int]:
    """*doc* with only the credentials whose type passes *keep_type* (items left empty and
    collection links to them are dropped), and the number of credentials left out. With
    *accounts_only* every item goes (the CXP request for accounts without credentials)."""

    dropped = 0

    def item(_: m.Account, i: m.Item) -> m.Item | None:
        nonlocal dropped
        if accounts_only:
            dropped += len(i.credentials)
            return None
        kept = tuple(c for c in i.credentials if keep_type(credential_type(c)))
        if len(kept) == len(i.credentials):
            return i
        dropped += len(i.credentials) - len(kept)
        return replace(i, credentials=kept) if kept else None

    new, _ = _rebuild(doc, item, drop_collections=accounts_only)
    return new, dropped


def _rebuild(
    doc: Document,
    change: Callable[[m.Account, m.Item], m.Item | None],
    *,
    drop_collections: bool = False,
) -> tuple[Document, bool]:
    new_items: list[tuple[m.Item, ...] | None] = []  # None: the account is unchanged
    for account in doc.header.accounts:
        changed = [change(account, item) for item in account.items]
        same = all(a is b for a, b in zip(changed, account.items, strict=True))
        new_items.append(None if same else tuple(i for i in changed if i is not None))
    if not drop_collections and all(n is None for n in new_items):
        return doc, False
    kept = {
        (account.id, item.id)
        for account, items in zip(doc.header.accounts, new_items, strict=True)
        for item in (account.items if items is None else items)
    }
    accounts = []
    for account, new in zip(doc.header.accounts, new_items, strict=True):
        collections = () if drop_collections else _links(account.collections, account.id, kept)
        if new is not None or collections != account.collections:
            account = replace(
                account,
                items=account.items if new is None else new,
                collections=collections,
            )
        accounts.append(account)
    return dataclasses.replace(doc, header=replace(doc.header, accounts=tuple(accounts))), True


def _links(
    collections: tuple[m.Collection, ...], account_id: str, kept: set[tuple[str, str]]
) -> tuple[m.Collection, ...]:
    """Collections without the links to items that are gone (in any account)."""
    result = []
    for c in collections:
        links = tuple(li for li in c.items if (li.account or account_id, li.item) in kept)
        subs = _links(c.sub_collections, account_id, kept)
        if links != c.items or subs != c.sub_collections:
            c = replace(c, items=links, sub_collections=subs)
        result.append(c)
    return tuple(result)
