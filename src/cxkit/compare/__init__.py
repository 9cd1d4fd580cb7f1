"""Proving a migration end to end (issue #16): compare two vaults, merge several into one.

Both work on CXF documents, whatever format they were read from (:func:`cxkit.adapters.read`)::

    from cxkit import adapters, compare

    old, _ = adapters.read(open("bitwarden.json", "rb").read(), "bitwarden.json")
    new, _ = adapters.read(open("after-import.csv", "rb").read(), "after-import.csv")
    held, holds = compare.held_by_format(old, "1password-csv")  # what NEW's format can hold
    result = compare.diff(old, new, held=held, holds=holds)
    print(result.render())          # "412 of 415 items arrived; 3 lost: ..."
    merged = compare.merge([("chrome.csv", a), ("aegis.json", b)]).document

``cxkit.diff`` and ``cxkit.merge`` are the same two functions. Reports name items (title, site,
account) and fields, never values.
"""

from __future__ import annotations

from cxkit.compare._diff import DiffResult, FieldDiff, ItemDiff, LostItem, diff, held_by_format
from cxkit.compare._merge import Conflict, MergeEvent, MergeResult, merge

__all__ = [
    "Conflict",
    "DiffResult",
    "FieldDiff",
    "ItemDiff",
    "LostItem",
    "MergeEvent",
    "MergeResult",
    "diff",
    "held_by_format",
    "merge",
]
