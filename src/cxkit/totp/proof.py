"""The TOTP proof: every TOTP of a source document gives the same codes at fixed instants in a
second document (a conversion's destination read back, or another file).

TOTPs are matched by their codes, not by ids or titles (formats that keep no ids, or rename
items, are compared alike): the destination's code sequences form a multiset, and each source
TOTP takes one equal sequence from it. A source TOTP without an equal sequence is *unmatched*:
its seed, period, digits or algorithm changed on the way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from cxkit.cxf import model as m
from cxkit.cxf.codec import Document
from cxkit.totp.codes import INSTANTS, checked_key, key_codes

__all__ = ["Proof", "Unmatched", "prove"]

_DIFFERENT = (
    "the other file gives different codes (seed, period, digits or algorithm changed), or "
    "lacks this TOTP"
)


@dataclass(frozen=True)
class Unmatched:
    """A source TOTP that the other document does not give the same codes for (names only)."""

    item: str
    issuer: str
    username: str
    why: str
    item_id: str = ""
    index: int = -1


@dataclass
class Proof:
    """The outcome of :func:`prove`."""

    checked: int = 0
    """Source TOTPs compared (those the writer carried)."""
    matched: int = 0
    skipped: int = 0
    """Source TOTPs not compared: the writer reported them not carried."""
    unusable: list[Unmatched] = field(default_factory=list)
    """Source TOTPs no codes can be computed for (unknown algorithm, bad secret)."""
    unmatched: list[Unmatched] = field(default_factory=list)
    instants: tuple[int, ...] = INSTANTS

    @property
    def ok(self) -> bool:
        return not self.unmatched

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "matched": self.matched,
            "failed": len(self.unmatched),
            "not_compared": self.skipped,
            "unusable": [vars(u) for u in self.unusable],
            "failures": [vars(u) for u in self.unmatched],
            "instants": list(self.instants),
        }


def _totps(doc: Document) -> list[tuple[m.Item, int, m.Totp]]:
    return [
        (item, index, cred)
        for _, item in doc.items()
        for index, cred in enumerate(item.credentials)
        if isinstance(cred, m.Totp)
    ]


def prove(
    source: Document,
    other: Document,
    *,
    carried: Callable[[str, int], bool] | None = None,
    instants: tuple[int, ...] = INSTANTS,
) -> Proof:
    """Compare the TOTP codes of *source* with those of *other* at *instants*. *carried*
    (item id, credential index) → whether the writer carried that TOTP (None: all were)."""
    proof = Proof(instants=instants)
    known: dict[tuple[bytes, str, int, int], tuple[str, ...]] = {}

    def codes_of(key: bytes, cred: m.Totp) -> tuple[str, ...]:
        # the same secret and parameters on both sides (the usual case) are computed once
        params = (key, cred.algorithm.lower(), cred.period, cred.digits)
        codes = known.get(params)
        if codes is None:
            codes = known[params] = key_codes(key, cred, instants)
        return codes

    pool: Counter[tuple[str, ...]] = Counter()
    for _, _, cred in _totps(other):
        problem, key = checked_key(cred)
        if not problem:
            pool[codes_of(key, cred)] += 1
    for item, index, cred in _totps(source):
        if carried is not None and not carried(item.id, index):
            proof.skipped += 1
            continue
        name = Unmatched(item.title, cred.issuer or "", cred.username or "", "", item.id, index)
        problem, key = checked_key(cred)
        if problem:
            proof.unusable.append(replace(name, why=problem))
            continue
        codes = codes_of(key, cred)
        proof.checked += 1
        if pool[codes] > 0:
            pool[codes] -= 1
            proof.matched += 1
        else:
            proof.unmatched.append(replace(name, why=_DIFFERENT))
    return proof
