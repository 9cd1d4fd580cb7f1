"""Small questions asked of a CXF document: a credential's type name, counts, filtering.

These are what the command line and the adapters used to compute for themselves; they read the
model only (spec ``cxf.md`` §4: the ``type`` member names a credential's kind).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from cxkit.cxf import model as m
from cxkit.cxf.codec import Document, replace

__all__ = ["credential_type", "filter_items", "prune", "type_counts"]

_TYPE_NAMES: dict[type, str] = {}


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
    """A document with only the items for which ``keep(account, item)`` is true (accounts and
    their collections unchanged; kept items are the same objects, so they re-encode as read)."""
    accounts = tuple(
        replace(account, items=tuple(i for i in account.items if keep(account, i)))
        for account in doc.header.accounts
    )
    return Document(replace(doc.header, accounts=accounts))


def prune(doc: Document, keep_type: Callable[[str], bool]) -> Document:
    """A document whose items hold only the credentials whose type passes *keep_type*; items
    left with no credential are dropped."""

    def item(i: m.Item) -> m.Item | None:
        kept = tuple(c for c in i.credentials if keep_type(credential_type(c)))
        if len(kept) == len(i.credentials):
            return i
        return replace(i, credentials=kept) if kept else None

    accounts = []
    for account in doc.header.accounts:
        items = tuple(x for x in (item(i) for i in account.items) if x is not None)
        accounts.append(replace(account, items=items))
    return Document(replace(doc.header, accounts=tuple(accounts)))
