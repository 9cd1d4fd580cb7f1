"""The field-map vocabulary shared by the declarative readers (issue 12): a source field (a CSV
column, a JSON member path, an XML child element) maps to a :class:`Target` or a :class:`Column`
(a target with a label, a hidden flag, a parser). Also :class:`TargetMap`, what all three
readers share (one value of a target → the item builder, the finished document), and
:class:`MappedReader`, the part the JSON record reader (:mod:`~cxkit.adapters.kit.records`) and
the XML reader (:mod:`~cxkit.adapters.kit.xmlrecords`) share: one record's mapped values → the
item builder. The CSV reader (:mod:`~cxkit.adapters.kit.tabular`) applies the login's targets
and the common ones in its own, index-based loop (its speed matters most) and hands the rest
to :meth:`TargetMap.apply_one`.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, truthy
from cxkit.adapters.kit.values import parse_totp
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import CxkitError

__all__ = [
    "CREATED",
    "CUSTOM",
    "FAVORITE",
    "FOLDER",
    "HOOK",
    "IGNORE",
    "MODIFIED",
    "NOTE",
    "PASSWORD",
    "TAGS",
    "TITLE",
    "TOTP",
    "TRASHED",
    "URL",
    "USERNAME",
    "Column",
    "MappedReader",
    "RecordError",
    "Target",
    "TargetMap",
    "column",
    "skip_reason",
]


class Target(enum.Enum):
    """Where a column's value goes in CXF."""

    TITLE = "item.title"
    URL = "scope.urls"
    USERNAME = "basic-auth.username"
    PASSWORD = "basic-auth.password"  # noqa: S105 - a CXF member name
    NOTE = "note.content"
    TOTP = "totp"
    FOLDER = "collection"
    """A collection path (parts separated by the reader's ``folder_separator``)."""
    FAVORITE = "item.favorite"
    TAGS = "item.tags"
    """Tags separated by the reader's ``tag_separator``."""
    CREATED = "item.creationAt"
    MODIFIED = "item.modifiedAt"
    TRASHED = "trash"
    """A truthy cell: the row is in the app's trash."""
    CUSTOM = "custom-fields"
    IGNORE = "ignore"
    """A column known to hold nothing of the user's (recorded not carried, with the reason)."""
    HOOK = "hook"
    """Left to the reader's per-record hook (``row`` / ``record``)."""


TITLE, URL, USERNAME, PASSWORD, NOTE, TOTP = (Target.TITLE, Target.URL, Target.USERNAME,
                                              Target.PASSWORD, Target.NOTE, Target.TOTP)  # fmt: skip
FOLDER, FAVORITE, TAGS, CREATED, MODIFIED = (Target.FOLDER, Target.FAVORITE, Target.TAGS,
                                             Target.CREATED, Target.MODIFIED)  # fmt: skip
TRASHED, CUSTOM, IGNORE, HOOK = Target.TRASHED, Target.CUSTOM, Target.IGNORE, Target.HOOK


@dataclass(frozen=True)
class Column:
    """A column's target with options: *label* (custom fields; default the column name),
    *hidden* (a concealed custom field), *parse* (the cell text → the text to use, e.g. a
    date format the app writes its own way; raising ValueError skips the row), *why* (the
    reason an ``IGNORE`` column is not carried)."""

    target: Target
    label: str | None = None
    hidden: bool = False
    parse: Callable[[str], str] | None = None
    why: str = "holds no user data"


class RecordError(ValueError):
    """A record cannot be read; the message names members, never values (it is reported)."""


def skip_reason(exc: Exception) -> str:
    """What the report says about a record that cannot be read: a cxkit error's message or a
    :class:`RecordError`'s (both name fields, never values), else a plain sentence (a parser's
    ValueError may quote the value)."""
    if isinstance(exc, CxkitError):
        return exc.message
    if isinstance(exc, RecordError):
        return str(exc)
    return "a value cannot be read"


_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED


def column(spec: Target | Column) -> Column:
    """*spec* as a :class:`Column` (a bare target gets the defaults)."""
    return spec if isinstance(spec, Column) else Column(spec)


class TargetMap:
    """What every declarative reader (CSV, JSON records, XML) shares: the exporter's name, the
    separators and labels its targets use, :meth:`apply_one` — one value of a target other than
    the login's → the item — and the finished document."""

    info: ClassVar[AdapterInfo]
    rp_id: ClassVar[str]
    app: ClassVar[str]
    folder_separator: ClassVar[str | None] = "/"
    tag_separator: ClassVar[str | None] = ","
    """Tags in one text separated by this (None: one value is one tag)."""
    android_apps: ClassVar[bool] = True
    """``android://…@package`` URLs become ``scope.androidApps``."""
    totp_label: ClassVar[str] = "TOTP"
    """Label of the hidden custom field that keeps a TOTP value CXF cannot hold as a TOTP."""
    item_extension: ClassVar[str | None] = None
    """The adapter's round-trip extension name, for members a hook puts in ``b.ext``."""

    def totp_parser(self, text: str) -> tuple[m.Totp | None, str]:
        """How a ``TOTP`` value is read (default :func:`~cxkit.adapters.kit.values.parse_totp`)."""
        return parse_totp(text)

    def field_label(self, at: str) -> str:
        """The label of a ``CUSTOM`` value whose :class:`Column` names none (its source's name)."""
        return at

    def document(self, vault: VaultBuilder) -> cxf.Document:
        """The document of the finished vault (one account with a stable id; override for the
        account's id and extension)."""
        digest = hashlib.sha256(f"cxkit/{self.info.key}-account".encode()).digest()[:16]
        return vault.build(account_id=b64.encode(digest))

    def apply_one(self, b: ItemBuilder, spec: Column, v: Val) -> None:
        """One value of a target other than the login's."""
        target = spec.target
        if target is TOTP:
            b.totp(v, label=self.totp_label, parser=self.totp_parser)
        elif target is NOTE:
            b.note(v)
        elif target is FOLDER:
            sep = self.folder_separator
            b.collection(v.text.split(sep) if sep else (v.text,), v.at)
        elif target is FAVORITE:
            b.favorite(v)
        elif target is TAGS:
            sep = self.tag_separator
            b.tags(v, [t.strip() for t in v.text.split(sep)] if sep else [v.text.strip()])
        elif target is CREATED:
            b.created(v)
        elif target is MODIFIED:
            b.modified(v)
        elif target is TRASHED:
            if truthy(v.text):
                b.trashed(v)
            else:
                b.rec(v.at, _MEMBER, "trash", "not in the trash")
        elif target is CUSTOM:
            b.custom(spec.label or self.field_label(v.at), v, hidden=spec.hidden)
        elif target is IGNORE:
            b.rec(v.at, _NOT_CARRIED, "", spec.why)


class MappedReader(TargetMap):
    """What the JSON record and XML readers share beyond :class:`TargetMap`: :meth:`apply` —
    one record's values (each with its :class:`Column`) → the item."""

    record_empty: ClassVar[bool] = True
    """Record empty values (not carried, "empty"): JSON's empty strings are leaves to account
    for; an empty XML element is not."""

    def field_label(self, at: str) -> str:
        """The value's path without its leading ``.`` or ``/`` (``login.extra``, ``url[2]``)."""
        return at.lstrip("./")

    def vault(self, report: MigrationReport, include_trashed: bool) -> VaultBuilder:
        """The vault the items go to (override for collection ids)."""
        return VaultBuilder(report, key=self.info.key, rp_id=self.rp_id, app=self.app,
                            include_trashed=include_trashed)  # fmt: skip

    def apply_found(
        self,
        b: ItemBuilder,
        found: Iterable[tuple[Column, str | None, str]],
        taken: set[str],
        not_text: str,
    ) -> None:
        """:meth:`apply` the values *found* in one record — (its column, its text or None when
        the value is not text, its path) — adding each path to *taken*. A value that is not text
        fails the record (*not_text* formatted with its path: names, never the value) unless its
        target is ``IGNORE`` (recorded as empty) or ``HOOK`` (the hook's)."""
        values: list[tuple[Column, Val]] = []
        for spec, text, at in found:
            taken.add(at)
            if spec.target is HOOK:
                continue
            if text is None:
                if spec.target is not IGNORE:
                    raise RecordError(not_text.format(at.lstrip("./")))
                text = ""
            values.append((spec, Val(text, at)))
        self.apply(b, values)

    def apply(self, b: ItemBuilder, values: Sequence[tuple[Column, Val]]) -> None:
        """Apply mapped *values* (empty texts recorded as not carried, ``HOOK`` ones left to the
        reader's hook): the login's parts together, then the rest in order. A ``parse`` that
        raises ValueError fails the record (the caller skips it)."""
        username = password = None
        urls: list[Val] = []
        rest: list[tuple[Column, Val]] = []
        for spec, v in values:
            target = spec.target
            if target is HOOK:
                continue
            if not v.text.strip() and target is not IGNORE:
                if self.record_empty:
                    b.rec(v.at, _NOT_CARRIED, "", "empty")
                continue
            if spec.parse is not None:
                v = Val(spec.parse(v.text), v.at)
            if target is TITLE:
                b.set_title(v)
            elif target is USERNAME:
                username = v
            elif target is PASSWORD:
                password = v
            elif target is URL:
                urls.append(v)
            else:
                rest.append((spec, v))
        b.login(username, password, urls, apps=self.android_apps)
        for spec, v in rest:
            self.apply_one(b, spec, v)
