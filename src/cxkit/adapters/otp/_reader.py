"""The plumbing the authenticator readers of this package share: one vault per input, one item
per entry through :func:`cxkit.adapters.otp.entry.add_entry`, the fields around an entry
recorded, and the document. Each reader only finds its entries (``../shared/formats/
totp-apps.md``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, ReadOptions
from cxkit.adapters.kit.builder import Val, VaultBuilder, stable_id
from cxkit.adapters.otp.entry import Entry, add_entry, secret_base32
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import b64

__all__ = ["NOT_CARRIED", "EntryVault", "Rec", "leaves", "members"]

NOT_CARRIED: Final = Disposition.NOT_CARRIED

#: A further source field of an entry: (path suffix, disposition, target, note).
Rec = tuple[str, Disposition, str, str]


def _has_secret(entry: Entry) -> bool:
    try:
        return bool(secret_base32(entry.secret))
    except b64.Base64Error:
        return isinstance(entry.secret, str) and bool(entry.secret.strip())


class _EntryReader(Protocol):
    """An authenticator reader: its :class:`AdapterInfo` and the exporter it names."""

    @property
    def info(self) -> AdapterInfo: ...
    @property
    def rp_id(self) -> str: ...
    @property
    def app(self) -> str: ...


class EntryVault:
    """The items of one input: :meth:`add` one entry per call, :meth:`document` at the end."""

    @classmethod
    def of(cls, reader: _EntryReader, name: str, options: ReadOptions,
           report: MigrationReport) -> EntryVault:  # fmt: skip
        """The vault of *reader* (its ``info``, ``rp_id`` and ``app``) reading input *name*."""
        return cls(reader.info, report, rp_id=reader.rp_id, app=reader.app, name=name,
                   include_trashed=options.include_trashed)  # fmt: skip

    def __init__(self, info: AdapterInfo, report: MigrationReport, *, rp_id: str, app: str,
                 name: str, include_trashed: bool = False) -> None:  # fmt: skip
        self.info = info
        self.report = report
        self.name = name
        self.vault = VaultBuilder(report, key=info.key, rp_id=rp_id, app=app,
                                  include_trashed=include_trashed)  # fmt: skip

    def add(
        self,
        prefix: str,
        entry: Entry,
        *,
        source_id: str = "",
        index: int = 0,
        recs: Iterable[Rec] = (),
        leftovers: Iterable[Val] = (),
        trashed: Val | None = None,
        hidden: Iterable[Val] = (),
        created: Val | None = None,
    ) -> None:
        """One entry read at *prefix*: its item id from *source_id* (the app's id of the
        entry) or the file name and *index*; *recs*: the entry's further fields recorded as
        said; *leftovers*: fields kept as custom fields; *trashed*: the field saying the entry
        is in the app's trash; *hidden*: fields kept as concealed custom fields (secrets);
        *created*: the entry's creation time (a date or epoch seconds/milliseconds)."""
        key = self.info.key
        item_id = stable_id(key, source_id) if source_id else stable_id(key, self.name, str(index))
        b = self.vault.item(prefix, item_id=item_id)
        if not _has_secret(entry):
            for at, _, _, _ in recs:
                b.rec(at, NOT_CARRIED, "", "entry without a secret")
            for v in (*leftovers, *hidden, *((created,) if created is not None else ())):
                b.rec(v.at, NOT_CARRIED, "", "entry without a secret")
            add_entry(b, entry)  # records the entry's fields and skips the item
            return
        add_entry(b, entry)
        for at, disposition, target, note in recs:
            b.rec(at, disposition, target, note)
        for v in hidden:
            if v.text:
                b.custom(v.at.lstrip("."), v, hidden=True,
                         note="a secret of the app; kept as a concealed custom field")  # fmt: skip
            else:
                b.rec(v.at, NOT_CARRIED, "", "empty")
        if created is not None:
            b.created(created)
        if trashed is not None:
            b.trashed(trashed)
        self.vault.add(b, leftovers)

    def skip(self, prefix: str, reason: str, at: Iterable[str] = ("",), title: str = "") -> None:
        """A record that is not an entry: the report names it with *reason* (never a value);
        its fields *at* are recorded not carried."""
        b = self.vault.item(prefix, item_id=stable_id(self.info.key, self.name, prefix),
                            title=title)  # fmt: skip
        for where in at:
            b.rec(where, NOT_CARRIED, "", "item skipped")
        b.fail(reason)

    def document(self) -> cxf.Document:
        digest = hashlib.sha256(f"cxkit/{self.info.key}-account".encode()).digest()[:16]
        return self.vault.build(account_id=b64.encode(digest))


def leaves(value: Any, at: str) -> list[Val]:
    """A member the reader does not map → its values, kept as custom fields by
    :meth:`EntryVault.add` (objects and lists flattened to their leaves; null left out)."""
    if isinstance(value, dict):
        return [v for k, x in value.items() for v in leaves(x, f"{at}.{k}")]
    if isinstance(value, list):
        return [v for i, x in enumerate(value) for v in leaves(x, f"{at}[{i}]")]
    if value is None:
        return []
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return [Val(text, at)]


def members(
    raw: dict[str, Any],
    taken: Iterable[str],
    known: Mapping[str, tuple[Disposition, str, str]],
    at: str = "",
) -> tuple[list[Rec], list[Val]]:
    """The members of an entry object other than *taken* (those the :class:`Entry` records):
    the *known* ones recorded as said (disposition, target, note), every other one kept as a
    custom field."""
    skip = set(taken)
    recs: list[Rec] = []
    rest: list[Val] = []
    for key, value in raw.items():
        if key in skip:
            continue
        if key in known:
            disposition, target, note = known[key]
            recs.append((f"{at}.{key}", disposition, target, note))
        else:
            rest.extend(leaves(value, f"{at}.{key}"))
    return recs, rest
