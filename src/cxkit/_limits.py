"""The document-wide entry limit (issue #17 item 4, README "Resource bounds").

Each array of a damaged CXF document is bounded by ``--max-elements`` (default 10,000; see
:mod:`cxkit.cxf._lenient`); a whole input is bounded by :func:`max_entries`, its items plus
credentials across every account: :data:`ENTRIES_PER_ELEMENT` times that limit (1,000,000 by
default; ``--max-elements N`` allows 100 x N, ``--raise-limits`` 100,000,000). Every reader's
result passes :func:`check_entries` (``cxkit.adapters.read``), so every format and every
command that reads one is bounded the same way: what is written, verified and reported after
a read costs memory and time per entry.
"""

from __future__ import annotations

from typing import Any, Final

from cxkit.errors import InputTooLargeError

__all__ = [
    "ENTRIES_PER_ELEMENT",
    "check_entries",
    "count_entries",
    "max_entries",
    "too_many_entries",
]

ENTRIES_PER_ELEMENT: Final = 100
"""The document-wide limit is this many times the per-array ``--max-elements`` limit."""


def max_entries() -> int:
    """Items plus credentials one input may hold (100 x ``--max-elements``)."""
    from cxkit.cxf._lenient import max_elements

    return ENTRIES_PER_ELEMENT * max_elements()


def count_entries(doc: Any, stop_after: int | None = None) -> int:
    """Items plus credentials of every account of *doc* (a CXF document); counting stops once
    past *stop_after*."""
    total = 0
    for account in getattr(doc, "accounts", None) or ():
        for item in getattr(account, "items", None) or ():
            total += 1 + len(getattr(item, "credentials", None) or ())
        if stop_after is not None and total > stop_after:
            break
    return total


def too_many_entries(limit: int, where: str | None = None) -> InputTooLargeError:
    """The error of an input past *limit* items plus credentials, naming the options."""
    return InputTooLargeError(
        f"the input holds more than {limit:,} items and credentials, cxkit's limit for one input",
        location=where or None,
        hint="if you trust this file, run the command again with --raise-limits "
        f"(or --max-elements N, which allows {ENTRIES_PER_ELEMENT} x N)",
    )


def check_entries(doc: Any, where: str | None = None) -> None:
    """Refuse a document with more items plus credentials than :func:`max_entries`: an
    :class:`~cxkit.errors.InputTooLargeError` naming the limit and the options that raise it.
    Readers built on the kit's ``VaultBuilder`` stop earlier, while reading."""
    limit = max_entries()
    if count_entries(doc, stop_after=limit) > limit:
        raise too_many_entries(limit, where)
