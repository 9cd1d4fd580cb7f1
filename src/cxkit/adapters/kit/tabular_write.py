"""A declarative CSV *writer*: the mirror of :mod:`cxkit.adapters.kit.tabular` (issue #13).

An adapter mixes :class:`CsvWriter` into its class and declares

* ``write_columns`` — the header, in order: column name → a :class:`Source` (or an :class:`Out`
  with a formatter), e.g. ``(("name", TITLE), ("url", URL), ("username", USERNAME), ...)``;
* ``written_name`` — the format as the report names it ("Google Password Manager CSV");

and, for oddities, ``row_needs`` (sources a row cannot do without: an item lacking one is not
written), ``android_urls`` (an Android app is written as ``android://<hash>@<package>/``, as
browsers export it — ``formats/browsers-and-apple.md`` §1), ``folder_separator``, and
:meth:`CsvWriter.cell` for ``HOOK`` columns with ``item_rules`` / ``credential_rules`` saying
what they carry (:mod:`cxkit.adapters.kit.ledger`).

The base does the rest the same way for every CSV format, in one pass over the items: one row
per item holding something the format holds (its first login, first TOTP as an ``otpauth://``
URI, its notes — further notes joined —, URLs, folder path, favourite, times); every cell through
:class:`~cxkit.adapters.kit.csvwrite.CsvOut` (formula neutralisation unless ``--csv-raw``); a
write record per credential (carried / transformed / not carried, with why) and a ledger
declaration built from the columns, so the report names every leaf not carried (passkeys,
cards, further URLs, custom fields, ids, ...). Items holding nothing the format holds get no row
and one warning counts them. The output is plaintext.
"""

from __future__ import annotations

import base64
import csv
import enum
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final, Literal

from cxkit import cxf
from cxkit.adapters.base import WriteOptions
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.csvwrite import CsvOut, CsvWriteOptions
from cxkit.adapters.kit.values import format_totp
from cxkit.adapters.report import MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.cxf.query import format_utc

__all__ = [
    "BLANK",
    "CREATED",
    "FAVORITE",
    "FOLDER",
    "HOOK",
    "MODIFIED",
    "NOTE",
    "PASSWORD",
    "TITLE",
    "TOTP",
    "URL",
    "URLS",
    "USERNAME",
    "CsvWriter",
    "Out",
    "Row",
    "Source",
    "android_url",
    "epoch_ms",
    "epoch_s",
    "iso_utc",
]


class Source(enum.Enum):
    """What CXF value a column holds."""

    TITLE = "title"
    URL = "the first URL"
    URLS = "all URLs, joined"
    USERNAME = "the login's user name"
    PASSWORD = "the login's password"  # noqa: S105 (a description, not a password)
    NOTE = "the notes (several joined by a blank line)"
    TOTP = "the first TOTP as an otpauth:// URI"
    FOLDER = "the collection path"
    FAVORITE = "the favourite flag"
    CREATED = "creationAt"
    MODIFIED = "modifiedAt"
    HOOK = "the adapter's cell()"
    BLANK = "always empty"


TITLE: Final = Source.TITLE
URL: Final = Source.URL
URLS: Final = Source.URLS
USERNAME: Final = Source.USERNAME
PASSWORD: Final = Source.PASSWORD
NOTE: Final = Source.NOTE
TOTP: Final = Source.TOTP
FOLDER: Final = Source.FOLDER
FAVORITE: Final = Source.FAVORITE
CREATED: Final = Source.CREATED
MODIFIED: Final = Source.MODIFIED
HOOK: Final = Source.HOOK
BLANK: Final = Source.BLANK


def epoch_s(seconds: int) -> str:
    """Unix seconds as text."""
    return str(seconds)


def epoch_ms(seconds: int) -> str:
    """Unix milliseconds as text (Firefox's ``timeCreated``, ``formats/browsers-and-apple.md``
    §2)."""
    return str(seconds * 1000)


def iso_utc(seconds: int) -> str:
    """ISO 8601 UTC, ``2024-05-01T12:00:00Z``."""
    return format_utc(seconds, "%Y-%m-%dT%H:%M:%SZ")  # "" for a time no date holds (#17)


@dataclass(frozen=True)
class Out:
    """A column's source with its formatter: times (seconds → text, default :func:`iso_utc`),
    the favourite flag (``yes``/``no`` texts), the separator of ``URLS``."""

    source: Source
    time: Callable[[int], str] = iso_utc
    yes: str = "1"
    no: str = ""
    separator: str = ","


def android_url(app: m.AndroidAppId) -> str:
    """An Android app as browsers export it: ``android://<base64url hash>@<package>/`` (the
    certificate digest padded, as Chrome writes it; read back by
    :func:`~cxkit.adapters.kit.values.parse_android_url`)."""
    cert = app.certificate
    if cert is None:
        return f"android://{app.bundle_id}/"
    raw = b64.decode(cert.fingerprint)
    return f"android://{base64.urlsafe_b64encode(raw).decode('ascii')}@{app.bundle_id}/"


class Row:
    """What one item's row holds, worked out once (given to :meth:`CsvWriter.cell`)."""

    __slots__ = ("folder", "item", "login", "notes", "totp", "urls")

    def __init__(self, item: m.Item) -> None:
        self.item = item
        self.login: m.BasicAuth | None = None
        self.totp: m.Totp | None = None
        self.notes: list[str] = []
        self.urls: list[str] = []
        self.folder = ""


_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_WRITTEN_TYPES: Final = {USERNAME: "basic-auth", PASSWORD: "basic-auth", TOTP: "totp", NOTE: "note"}


class CsvWriter:
    """Base (mixin) of the declarative CSV writers (see the module docstring)."""

    write_columns: ClassVar[Sequence[tuple[str, Source | Out]]]
    written_name: ClassVar[str]
    quoting: ClassVar[Literal[0, 1, 2, 3]] = csv.QUOTE_MINIMAL
    lineterminator: ClassVar[str] = "\r\n"
    row_needs: ClassVar[frozenset[Source]] = frozenset()
    """Sources every row must have a value for (Chrome imports no row without a URL): an item
    without one is not written."""
    android_urls: ClassVar[bool] = False
    """Android apps written as ``android://`` URLs (in ``URL`` when the item has no web URL; in
    ``URLS`` after the web URLs)."""
    folder_separator: ClassVar[str | None] = "/"
    """Between the parts of a nested collection's path (the reader's, when it reads folders;
    None: ``/``)."""
    item_rules: ClassVar[Mapping[str, ledger.Rule]] = {}
    """Ledger rules of the item's members for what ``HOOK`` columns write."""
    credential_rules: ClassVar[Mapping[str, Mapping[str, ledger.Rule]]] = {}
    """Ledger rules per credential type (or mode) for what ``HOOK`` columns write."""
    hook_types: ClassVar[frozenset[str]] = frozenset()
    """Credential types (the first of each) ``HOOK`` columns write: recorded carried when
    ``credential_rules`` has a table for them."""

    _declared: ClassVar[ledger.Declaration | None] = None
    _plan: ClassVar[tuple[tuple[str, Out], ...] | None] = None

    # ------------------------------------------------------------------ hooks

    def cell(self, column: str, row: Row) -> str:
        """The text of ``HOOK`` column *column* for *row* (default: empty)."""
        return ""

    # ------------------------------------------------------------------ declaration

    @classmethod
    def columns_out(cls) -> tuple[tuple[str, Out], ...]:
        """``write_columns`` with every source as an :class:`Out` (made once per class)."""
        plan = cls.__dict__.get("_plan")
        if plan is None:
            plan = tuple((name, s if isinstance(s, Out) else Out(s)) for name, s in
                         cls.write_columns)  # fmt: skip
            cls._plan = plan
        return plan

    @classmethod
    def declaration(cls) -> ledger.Declaration:
        """The ledger declaration of what this writer carries (made once per class)."""
        declared = cls.__dict__.get("_declared")
        if declared is None:
            declared = cls._declared = _declare(cls)
        return declared

    # ------------------------------------------------------------------ writing

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        return self.write_csv(doc, report, raw=options.get(CsvWriteOptions).raw)

    def write_csv(self, doc: cxf.Document, report: MigrationReport, *, raw: bool = False) -> bytes:
        """*doc* as this CSV format (UTF-8 bytes); formula-like cells get a leading ``'``
        unless *raw* (:mod:`cxkit.adapters.kit.csvwrite`)."""
        cls = type(self)
        plan = cls.columns_out()
        declared = cls.declaration()
        name = cls.written_name
        sources = {out.source for _, out in plan}
        held = {t for s, t in _WRITTEN_TYPES.items() if s in sources} | cls.hook_types
        has_url = URL in sources or URLS in sources
        needs = cls.row_needs
        folders = _folders(doc, cls.folder_separator or "/") if FOLDER in sources else {}
        declared.record_document(report, doc, collection_mode=_collection_mode(FOLDER in sources))
        writer = CsvOut(raw=raw, quoting=cls.quoting, lineterminator=cls.lineterminator)
        writer.header(column for column, _ in plan)
        hook = type(self).cell is not CsvWriter.cell
        # once per write (for speed: one pass, no per-cell dispatch): a getter per column, the
        # cells a row cannot do without, the type name of each credential class
        getters = [functools.partial(self.cell, column) if out.source is HOOK and hook
                   else _getter(out) for column, out in plan]  # fmt: skip
        needed = [n for n, (_, out) in enumerate(plan) if out.source in needs]
        other_needs = [s for s in needs if s not in sources]
        ctypes: dict[type, str] = {}
        not_written = 0
        add_credentials = report.add_credentials
        for a, account in enumerate(doc.header.accounts):
            for i, item in enumerate(account.items):
                where = f"$.accounts[{a}].items[{i}]"
                row = Row(item)
                records: list[tuple[str, Outcome, str]] = []
                modes: list[tuple[str, str] | None] = []
                seen: set[str] = set()
                for cred in item.credentials:
                    kind = type(cred)
                    ctype = ctypes.get(kind) or cxf.credential_type(cred)
                    if kind is not m.UnknownCredential:
                        ctypes[kind] = ctype
                    first = ctype not in seen
                    seen.add(ctype)
                    if ctype not in held:
                        why = _why_not(name, ctype)
                        records.append((ctype, _N, why))
                        modes.append((ledger.DROPPED, why))
                    elif ctype == "note" and isinstance(cred, m.Note):
                        row.notes.append(str(cred.content.value))
                        if first:
                            records.append((ctype, _C, ""))
                            modes.append(ledger.written_as("note"))
                        else:
                            records.append((ctype, _T, f"joined into the notes of {name}"))
                            modes.append(ledger.written_as("note:joined"))
                    elif not first:
                        why = f"{name} has one {ctype} per row; only the first is written"
                        records.append((ctype, _N, why))
                        modes.append((ledger.DROPPED, why))
                    else:
                        if isinstance(cred, m.BasicAuth):
                            row.login = cred
                        elif isinstance(cred, m.Totp):
                            row.totp = cred
                        records.append((ctype, _C, ""))
                        modes.append(ledger.written_as(ctype))
                item_mode = ""
                scope = item.scope
                if scope is not None and has_url:
                    row.urls.extend(scope.urls)
                    if cls.android_urls and scope.android_apps:
                        if URLS in sources:
                            row.urls.extend(android_url(app) for app in scope.android_apps)
                        elif not row.urls:
                            row.urls.append(android_url(scope.android_apps[0]))
                            item_mode = "app"
                if folders:
                    row.folder = folders.get(item.id, "")
                cells = [get(row) for get in getters]
                content = bool(row.urls) or any(t in held for t in seen)
                if not item.credentials and not content:
                    content = bool(item.title) and TITLE in sources  # an item of a title only
                lacking = any(not cells[n] for n in needed) or any(
                    not _getter(Out(s))(row) for s in other_needs
                )
                if not content or lacking:
                    mode = "lacking" if content else "skipped"
                    why = _skipped(cls, mode)
                    add_credentials("write", item.title, item.id,
                                    [(t, _N, why if o is not _N else n) for t, o, n in records])  # fmt: skip
                    declared.record(report, where, item, [(ledger.DROPPED, why)] * len(modes),
                                    mode)  # fmt: skip
                    not_written += 1
                    continue
                add_credentials("write", item.title, item.id, records)
                declared.record(report, where, item, modes, item_mode)
                writer.row(cells)
                report.items_written += 1
        if not_written:
            lack = " or ".join(sorted(_NEED_WORDS.get(s, s.value) for s in needs))
            report.warnings.append(
                f"{not_written} item(s) not written: they hold nothing {name} can hold"
                + (f" or lack {lack}" if lack else "")
                + "; the report names each credential not carried"
            )
        report.plaintext = True
        report.encrypted = False
        return writer.getvalue(report)


def _login_member(member: str) -> Callable[[Row], str]:
    def get(row: Row) -> str:
        login = row.login
        field = getattr(login, member) if login is not None else None
        return str(field.value) if field is not None else ""

    return get


def _time_of(attribute: str, fmt: Callable[[int], str]) -> Callable[[Row], str]:
    def get(row: Row) -> str:
        seconds = getattr(row.item, attribute)
        return fmt(seconds) if seconds is not None else ""

    return get


def _getter(out: Out) -> Callable[[Row], str]:
    """Row → the text of a column of *out* (made once per column and write)."""
    source = out.source
    if source is TITLE:
        return lambda row: row.item.title
    if source is URL:
        return lambda row: row.urls[0] if row.urls else ""
    if source is URLS:
        return lambda row: out.separator.join(row.urls)
    if source is USERNAME:
        return _login_member("username")
    if source is PASSWORD:
        return _login_member("password")
    if source is NOTE:
        return lambda row: "\n\n".join(row.notes)
    if source is TOTP:
        return lambda row: format_totp(row.totp) if row.totp is not None else ""
    if source is FOLDER:
        return lambda row: row.folder
    if source is FAVORITE:
        return lambda row: out.yes if row.item.favorite else out.no
    if source is CREATED:
        return _time_of("creation_at", out.time)
    if source is MODIFIED:
        return _time_of("modified_at", out.time)
    return lambda row: ""


_NEED_WORDS: Final = {URL: "a URL", URLS: "a URL", PASSWORD: "a password",
                      USERNAME: "a user name", TITLE: "a title", NOTE: "a note"}  # fmt: skip


def _skipped(cls: type[CsvWriter], mode: str) -> str:
    """Why an item got no row: it holds nothing the format holds (``skipped``), or lacks a
    value every row needs (``lacking``)."""
    name = cls.written_name
    if mode == "lacking":
        needs = " and ".join(sorted(_NEED_WORDS.get(s, s.value) for s in cls.row_needs))
        return f"not written: {name} needs {needs} in every row"
    return f"not written: the item holds nothing {name} can hold"


def _why_not(name: str, ctype: str) -> str:
    if ctype == "passkey":
        return f"{name} holds no passkeys (a passkey must be re-created or moved as CXF)"
    return f"{name} has no place for {ctype} credentials"


def _folders(doc: cxf.Document, separator: str) -> dict[str, str]:
    """Item id → the path of the first collection holding it (``Work/Mail``)."""
    found: dict[str, str] = {}

    def walk(col: m.Collection, path: str) -> None:
        here = f"{path}{separator}{col.title}" if path else col.title
        for link in col.items:
            found.setdefault(link.item, here)
        for sub in col.sub_collections:
            walk(sub, here)

    for account in doc.header.accounts:
        for col in account.collections:
            walk(col, "")
    return found


def _collection_mode(folders: bool) -> Callable[[m.Collection, bool], str]:
    def mode(collection: m.Collection, nested: bool) -> str:
        if not folders:
            return ""
        if not _holds_items(collection):
            return "empty"
        return "sub" if nested else ""

    return mode


def _holds_items(collection: m.Collection) -> bool:
    return bool(collection.items) or any(_holds_items(s) for s in collection.sub_collections)


def _declare(cls: type[CsvWriter]) -> ledger.Declaration:
    """The ledger declaration of *cls* from its columns (see the module docstring)."""
    name = cls.written_name
    sources = {(s.source if isinstance(s, Out) else s) for _, s in cls.write_columns}

    def has(source: Source, what: str) -> ledger.Rule:
        return _C if source in sources else (_N, f"{name} has no column for {what}")

    no_ids: ledger.Rule = (_N, f"{name} holds no ids")
    item: dict[str, ledger.Rule] = {
        "title": has(TITLE, "the title"),
        "favorite": has(FAVORITE, "favourites"),
        "creationAt": has(CREATED, "the creation time"),
        "modifiedAt": has(MODIFIED, "the modification time"),
        "id": no_ids,
        "subtitle": (_N, f"{name} has no column for a subtitle"),
        "tags": (_N, f"{name} has no column for tags"),
        "extensions": (_N, f"{name} has no place for item extensions"),
    }
    if URLS in sources:
        item["scope.urls"] = _C
        item["scope.androidApps"] = (
            (_C, "as android:// URLs") if cls.android_urls else (_N, f"{name} has no Android apps")
        )
        item["scope.androidApps[].name"] = (_N, f"{name} keeps no app names")
    elif URL in sources:
        item["scope.urls[0]"] = _C
        item["scope"] = (_N, f"{name} has one URL column")
    else:
        item["scope"] = (_N, f"{name} has no URL column")
    item.update(cls.item_rules)
    no_place: ledger.Rule = (_N, f"a member CXF does not define; {name} has no place for it")
    app: dict[str, ledger.Rule] = dict(item)
    if cls.android_urls and URL in sources:
        del app["scope.urls[0]"]
        for member in ("bundleId", "certificate.fingerprint", "certificate.hashAlg"):
            app[f"scope.androidApps[0].{member}"] = (_C, "as an android:// URL")
    credentials: dict[str, ledger.Table] = {
        "basic-auth": ledger.Table(
            {
                **(ledger.editable("username") if USERNAME in sources else {}),
                **(ledger.editable("password") if PASSWORD in sources else {}),
            },
            default=(_N, f"{name} has no column for it"),
        ),
        "totp": ledger.Table(default=_C, unknown=no_place),
        "note": ledger.Table(ledger.editable("content")),
        "note:joined": ledger.Table(
            ledger.editable("content", outcome=(_T, f"joined into the notes of {name}"))
        ),
    }
    for mode, rules in cls.credential_rules.items():
        credentials[mode] = ledger.Table(rules, default=(_N, f"{name} has no column for it"))
    folder: dict[str, ledger.Rule] = {
        "title": (_C, "as the folder column"),
        "items[].item": (_T, "as the folder column of the item's row"),
        "id": no_ids,
        "subtitle": (_N, f"{name} has no collection subtitles"),
    }
    no_folder = f"{name} has only the folder path, in the rows of its items"
    collections = (
        {
            "": ledger.Table(folder, default=(_N, no_folder), unknown=no_place),
            "sub": ledger.Table(
                {**folder, "title": (_T, "as a part of the folder path")},
                default=(_N, no_folder),
                unknown=no_place,
            ),
            "empty": ledger.Table(default=(_N, f"a folder without items has no row in {name}")),
        }
        if FOLDER in sources
        else {"": ledger.Table(default=(_N, f"{name} has no folders"))}
    )
    return ledger.Declaration(
        name,
        {
            "": ledger.Table(item, default=(_N, f"{name} has no column for it"), unknown=no_place),
            "app": ledger.Table(
                app, default=(_N, f"{name} has no column for it"), unknown=no_place
            ),
            "skipped": ledger.Table(
                default=(_N, skipped := _skipped(cls, "skipped")), unknown=(_N, skipped)
            ),
            "lacking": ledger.Table(
                default=(_N, lacking := _skipped(cls, "lacking")), unknown=(_N, lacking)
            ),
        },
        credentials,
        header=ledger.Table(default=(_N, f"{name} has no export header")),
        accounts=ledger.Table(default=(_N, f"{name} names no account (id, user name, e-mail)")),
        collections=collections,
    )
