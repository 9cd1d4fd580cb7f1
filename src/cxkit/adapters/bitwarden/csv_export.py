"""Bitwarden CSV exports, personal and organisation (read and write; ``formats/bitwarden.md`` §2).

Reading: each row is mapped directly by the kit's item builder
(:mod:`cxkit.adapters.kit.builder`) to the CXF item the JSON mapping
(:mod:`cxkit.adapters.bitwarden.mapping`) gives for the JSON item the row stands for, so CSV and
JSON exports give the same CXF. Items get stable ids (the file name and row number). The report
accounts for every non-empty *cell* (``file:row:column``), with the disposition its value got. A
``login_uri`` cell holding several comma-separated URIs (as Bitwarden writes them) is split when
every piece has a scheme.

Writing: every CXF item goes through the Bitwarden JSON writer, and logins and secure notes are
flattened into Bitwarden's columns (personal, or organisation when the source was one). What CSV
cannot hold — passkeys, cards, identities, SSH keys, attachments, password history, field kinds —
is reported as not carried (or transformed, for custom fields that become ``name: value`` text).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.bitwarden.mapping import (
    ANDROID_APPS,
    EXPORTER_RP_ID,
    EXTENSION,
    NO_PLACE,
    NO_SUBTITLE_TAGS,
    STEAM_NOTE,
    define_members_group,
    document_to_bitwarden,
    member_of,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import (
    CollectionTree,
    ItemBuilder,
    Val,
    VaultBuilder,
    encode_id,
    fast_val,
    stable_ids,
    uuid5_bytes,
)
from cxkit.adapters.kit.csvwrite import CsvOut, CsvWriteOptions
from cxkit.adapters.kit.input import read_csv
from cxkit.adapters.kit.values import parse_totp
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.cxf.codec import paused_gc
from cxkit.errors import AdapterError, CxkitError

__all__ = ["BitwardenCsvAdapter"]

#: Enum members as plain names (a class attribute lookup of an enum member is slow in 3.11)
_EXTENSION: Final = Disposition.EXTENSION
_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_O_CARRIED: Final = Outcome.CARRIED
_O_TRANSFORMED: Final = Outcome.TRANSFORMED

_LOGIN: Final = ("login_uri", "login_username", "login_password", "login_totp")
_COMMON: Final = ("type", "name", "notes", "fields", *_LOGIN)
PERSONAL: Final = frozenset(("folder", "favorite", *_COMMON))
ORGANISATION: Final = frozenset(("collections", *_COMMON))
HEADERS: Final = (PERSONAL, PERSONAL | {"reprompt"}, ORGANISATION, ORGANISATION | {"reprompt"})
#: Bitwarden's column order (``formats/bitwarden.md`` §2), as its exporter writes it.
PERSONAL_COLUMNS: Final = ("folder", "favorite", "type", "name", "notes", "fields", "reprompt", *_LOGIN)  # fmt: skip
ORGANISATION_COLUMNS: Final = ("collections", "type", "name", "notes", "fields", "reprompt", *_LOGIN)  # fmt: skip
_NS: Final = uuid.UUID("6f1c0b0e-54d5-4a43-9f31-6a7c8d1e2b3a")
_NS_BYTES: Final = _NS.bytes
_TYPES: Final = {"login": 1, "note": 2, "1": 1, "2": 2}
_KNOWN: Final = frozenset(("favorite", "reprompt", *_COMMON))
_FIELDS: Final = "custom-fields[fields]"
_FIELDS_ROLE: Final = {"role": "fields"}  # the custom-fields credential's extension (copied)
_ACCOUNT_ID: Final = b64.encode(hashlib.sha256(b"cxkit/bitwarden-account").digest()[:16])


def _subset_ok(columns: frozenset[str]) -> bool:
    """Bitwarden-shaped CSV from other apps (Bitwarden Authenticator, Aegis fixtures) carry a
    subset of the columns."""
    every = PERSONAL | ORGANISATION | {"reprompt"}
    return columns <= every and {"type", "name"} <= columns and bool(columns & set(_LOGIN))


def _uri_texts(cell: str) -> list[str]:
    """One ``login_uri`` cell → its URIs: Bitwarden joins several with commas; a single URI may
    hold commas itself, so the cell is split only when every piece has a scheme."""
    if "," in cell:
        pieces = [p.strip() for p in cell.split(",")]
        for piece in pieces:
            if "://" not in piece:
                break
        else:
            return pieces
    return [cell]


class BitwardenCsvAdapter:
    info: Final = AdapterInfo(
        key="bitwarden-csv",
        app="Bitwarden",
        format="CSV export (logins and secure notes; personal or organisation)",
        versions="all (reprompt column since 2022)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "totp", "note", "custom-fields"}),
        how_to_import=(
            "Bitwarden web vault or desktop app: Tools → Import data → format 'Bitwarden (csv)' → "
            "choose the file. Delete the file after importing."
        ),
        how_to_export=(
            "Bitwarden: Tools → Export vault → file format '.csv'. CSV holds logins and secure "
            "notes only (no cards, identities, SSH keys or passkeys): prefer '.json'."
        ),
        extensions=(".csv",),
        csv_header=PERSONAL,
        write_options=(CsvWriteOptions,),
    )

    def accepts(self, sample: Sample) -> Confidence:
        header = sample.csv_header
        if header is None:
            return Confidence.NO
        columns = frozenset(header)
        if columns in HEADERS:
            return Confidence.CERTAIN
        if _subset_ok(columns):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        return read_csv_export(sample, options, report)

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        report.plaintext = True
        return write_csv(doc, report, raw=options.get(CsvWriteOptions).raw)


def read_csv_export(sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
    """A Bitwarden CSV export → CXF, each row mapped directly by the kit's item builder into the
    same CXF the JSON mapping gives for the JSON item the row stands for (round-trip extension
    ``cxkit/bitwarden`` included); every non-empty cell recorded at ``file:row:column``."""
    name = sample.name
    table = read_csv(sample.data, name=name, allow_extra=True)
    header = table.header
    columns = frozenset(header)
    if columns not in HEADERS and not _subset_ok(columns):
        raise AdapterError(
            "not the columns of a Bitwarden CSV export",
            location=f"{name}:1",
            hint="expected: " + ",".join(sorted(PERSONAL)),
        )
    organisation = "collections" in columns
    kind = "collections" if organisation else "folders"
    groups: dict[str, tuple[str, str]] = {}  # folder name → (CXF id, Bitwarden id), made once

    def group(path: tuple[str, ...]) -> tuple[str, str]:
        found = groups.get(path[0])
        if found is None:
            raw = uuid5_bytes(_NS_BYTES, path[0])  # the folder's Bitwarden id: uuid5(_NS, name)
            found = groups[path[0]] = (encode_id(raw), str(uuid.UUID(bytes=raw)))
        return found

    tree = CollectionTree(
        lambda path: group(path)[0],
        lambda path: (EXTENSION, {"id": group(path)[1], "kind": kind}),
    )
    vault = VaultBuilder(report, key="bitwarden-csv", rp_id=EXPORTER_RP_ID, app="Bitwarden",
                         include_trashed=options.include_trashed, collections=tree)  # fmt: skip
    known = _KNOWN | ({"collections"} if organisation else {"folder"})
    # (column, index) of the header's columns no rule reads: kept as custom fields
    others = [(c, i) for i, c in enumerate(header) if c not in known]
    plan = _Plan.of(header, organisation)
    ids = stable_ids("bitwarden-csv", name).many([row_number for row_number, _ in table.lines])
    make = vault.maker(extension=EXTENSION, empty_extension=True, custom_extension=_FIELDS_ROLE)
    name_at = plan.name
    lean = _lean_rows(plan, vault) if not organisation and not others else None
    with paused_gc():  # many small acyclic objects (as the CXF decoder does)
        for (row_number, cells), item_id in zip(table.lines, ids, strict=True):
            cells.append("")  # what a column the file lacks reads (index -1, see _Plan)
            if lean is not None and lean(cells, f"{name}:{row_number}:", item_id):
                continue
            b = make(f"{name}:{row_number}:", item_id, cells[name_at])
            try:
                _row(b, cells, plan)
            except (CxkitError, ValueError) as exc:  # one row never sinks the rest
                why = exc.message if isinstance(exc, CxkitError) else "a value cannot be read"
                b.fail(f"cannot be read: {why}",
                       [Val(v, table.column(i)) for i, v in enumerate(cells[:-1])])  # fmt: skip
                continue
            vault.add(b, [Val(cells[i], c) for c, i in others if cells[i]] if others else ())
        # for speed: the parsed rows are freed and the document built before the collector
        # resumes (it would visit every row's cell list)
        del table
        return vault.build(account_id=_ACCOUNT_ID,
                           account_extension=(EXTENSION, {"organisation": organisation}))  # fmt: skip


class _Plan(NamedTuple):
    """Where a file's columns are in its rows (-1: absent, read as empty), found once per file."""

    type: int
    name: int
    notes: int
    fields: int
    favorite: int
    reprompt: int
    login_uri: int
    login_username: int
    login_password: int
    login_totp: int
    place: int
    """``collections`` (organisation) or ``folder`` (personal)."""
    organisation: bool
    width: int
    """Cells of the header; cells past it are ``column N``."""

    @classmethod
    def of(cls, header: list[str], organisation: bool) -> _Plan:
        # -1, a column the file lacks, is the "" appended to every row: it reads as empty
        # without a dict per row
        index = {c: i for i, c in enumerate(header)}.get
        return cls(index("type", -1), index("name", -1), index("notes", -1),
                   index("fields", -1), index("favorite", -1), index("reprompt", -1),
                   index("login_uri", -1), index("login_username", -1),
                   index("login_password", -1), index("login_totp", -1),
                   index("collections" if organisation else "folder", -1),
                   organisation, len(header))  # fmt: skip


#: Records of the lean path (``(at, disposition, target, note)``, as the builder makes them)
_TYPE_REC: Final = ("type", _EXTENSION, "extension.type", "")
_NAME_REC: Final = ("name", _MEMBER, "item.title", "")
_REPROMPT_REC: Final = ("reprompt", _EXTENSION, "extension.reprompt", "")
_FAVORITE_REC: Final = ("favorite", _MEMBER, "item.favorite", "")
_USER_REC: Final = ("login_username", _MEMBER, "basic-auth.username", "")
_PASSWORD_REC: Final = ("login_password", _MEMBER, "basic-auth.password", "")
_URI_REC: Final = ("login_uri", _MEMBER, "scope.urls", "")
_NOTES_REC: Final = ("notes", _MEMBER, "note.content", "")
_FOLDER_REC: Final = ("folder", _MEMBER, "collection.items", "")
_TOTP_REC: Final = ("login_totp", _MEMBER, "totp", "")
_FIELDS_REC: Final = ("fields", Disposition.CUSTOM_FIELD, _FIELDS, "")
_STEAM: Final = (_O_TRANSFORMED, STEAM_NOTE)
_CARRIED_PLAIN: Final = (_O_CARRIED, "")
_REPROMPTS: Final = {"0": 0, "1": 1}


def _lean_rows(plan: _Plan, vault: VaultBuilder) -> Callable[[list[str], str, str], bool]:
    """The lean path of a personal export's rows: ``row(cells, prefix, item id)`` makes the
    item, its records and its credentials' outcomes as :func:`_row` and the item builder make
    them (the same item, records and order; property-tested against them) and returns True —
    or returns False, having done nothing, for a row it leaves to them: a TOTP CXF cannot hold,
    cells past the header, a ``reprompt`` other than 0 or 1."""
    (type_at, name_at, notes_at, fields_at, favorite_at, reprompt_at, uri_at, username_at,
     password_at, totp_at, place_at, _, width) = plan  # fmt: skip
    report = vault.report
    add_fields = report.field_records().add_item
    add_credentials = report.credential_records().add_made
    keep = vault.keep
    field, basic_auth, note_cls, scope_cls = m.EditableField, m.BasicAuth, m.Note, m.CredentialScope
    item_cls, extension_cls, custom_cls = m.Item, m.UnknownExtension, m.CustomFields
    types, reprompts, carried = _TYPES, _REPROMPTS, _CARRIED_PLAIN

    def row(cells: list[str], prefix: str, item_id: str) -> bool:
        if len(cells) != width + 1:
            return False
        reprompt = cells[reprompt_at]
        if reprompt and reprompt not in reprompts:
            return False
        totp = form = None
        if totp_text := cells[totp_at]:
            try:  # (a parser that raises: _row fails the row as it does)
                totp, form = parse_totp(totp_text)
            except (CxkitError, ValueError):
                return False
            if totp is None:
                return False
        kind = cells[type_at].strip()
        btype = types.get(kind, kind or None)
        title = cells[name_at]
        recs = []
        ext: dict[str, Any] = {}
        if btype is not None:
            ext["type"] = btype
            recs.append(_TYPE_REC)
        if title:
            recs.append(_NAME_REC)
        if reprompt:
            ext["reprompt"] = reprompts[reprompt]
            recs.append(_REPROMPT_REC)
        favorite = None
        if favorite_text := cells[favorite_at]:
            favorite = favorite_text.strip() in ("1", "true")
            recs.append(_FAVORITE_REC)
        uris = cells[uri_at]
        username = cells[username_at]
        password = cells[password_at]
        credentials: list[Any] = []
        scope = None
        if username or password:
            if username:
                recs.append(_USER_REC)
            if password:
                recs.append(_PASSWORD_REC)
            credentials.append(basic_auth(
                username=field(field_type="string", value=username) if username else None,
                password=field(field_type="concealed-string", value=password) if password else None,
            ))  # fmt: skip
        outcomes = [carried] * len(credentials)
        if uris and (found := tuple(filter(None, _uri_texts(uris))) if "," in uris else (uris,)):
            recs.append(_URI_REC)
            scope = scope_cls(urls=found, android_apps=())
        if totp is not None:
            credentials.append(totp)
            outcomes.append(_STEAM if form == "steam" else carried)
            ext["totpForm"] = form
            recs.append(_TOTP_REC)
        if btype == 2:
            ext["secureNote"] = {"type": 0}
        if notes := cells[notes_at]:
            credentials.append(note_cls(content=field(field_type="string", value=notes)))
            outcomes.append(carried)
            recs.append(_NOTES_REC)
        if fields := cells[fields_at]:
            lines = []
            for line in fields.splitlines():
                label, sep, value = line.partition(": ")
                lines.append(field(field_type="string", value=value if sep else line,
                                   label=label if sep else None))  # fmt: skip
            recs.append(_FIELDS_REC)
        place = cells[place_at]
        if place:
            recs.append(_FOLDER_REC)
        if fields:  # the item's custom fields come last (ItemBuilder.finish)
            credentials.append(custom_cls(label=None, fields=tuple(lines), extensions=(
                extension_cls(extension_name=EXTENSION, members=dict(_FIELDS_ROLE)),)))  # fmt: skip
            outcomes.append(carried)
        made = tuple(credentials)
        item = item_cls(
            id=item_id,
            creation_at=None,
            modified_at=None,
            title=title,
            favorite=favorite,
            scope=scope,
            credentials=made,
            tags=(),
            extensions=(extension_cls(extension_name=EXTENSION, members=ext),),
        )
        if recs:
            add_fields(prefix, title, recs)
        report.items_read += 1
        if made:
            add_credentials("read", title, item_id, made, outcomes)
        keep(item, ((place,),) if place else ())
        return True

    return row


def _row(b: ItemBuilder, cells: list[str], plan: _Plan) -> None:
    """One row (cells by :class:`_Plan` index) as the JSON mapping reads the item it stands for
    (``formats/bitwarden.md`` §2)."""
    # the plan's indexes as locals: one unpacking, not an attribute lookup each (for speed)
    (type_at, name_at, notes_at, fields_at, favorite_at, reprompt_at, uri_at, username_at,
     password_at, totp_at, place_at, organisation, width) = plan  # fmt: skip
    kind = cells[type_at].strip()
    btype = _TYPES.get(kind, kind or None)
    b.ext["type"] = btype
    if btype is not None:
        b.rec("type", _EXTENSION, "extension.type")
    if name := cells[name_at]:
        b.title_text(name, "name")
    if reprompt := cells[reprompt_at]:
        b.ext["reprompt"] = int(reprompt) if reprompt.isdigit() else reprompt
        b.rec("reprompt", _EXTENSION, "extension.reprompt")
    if favorite := cells[favorite_at]:
        b.favorite(fast_val((favorite, "favorite")), favorite.strip() in ("1", "true"))
    uris = cells[uri_at]
    username = cells[username_at]
    password = cells[password_at]
    totp_text = cells[totp_at]
    if btype == 1 or uris or username or password or totp_text:
        b.login_text(username, password, "login_username", "login_password")
        if uris:
            b.url_texts(_uri_texts(uris), "login_uri")
        if totp_text:
            _totp(b, totp_text)
    if btype == 2:
        b.ext["secureNote"] = {"type": 0}
    if notes := cells[notes_at]:
        b.note_text(notes, "notes")
    for n in range(width, len(cells) - 1) if len(cells) > width + 1 else ():  # past the header
        if value := cells[n]:
            column = f"column {n + 1}"
            b.custom(column, Val(value, column), target=_FIELDS,
                     field=m.EditableField(field_type="string", value=value, label=column))  # fmt: skip
    if fields := cells[fields_at]:
        source = fast_val((fields, "fields"))  # the cell, made once for its lines
        for n, line in enumerate(fields.splitlines()):
            label, sep, value = line.partition(": ")
            field = m.EditableField(field_type="string", value=value if sep else line,
                                    label=label if sep else None)  # fmt: skip
            b.custom(field.label, source, target=_FIELDS, field=field, record=n == 0)
    if not organisation:
        if place := cells[place_at]:
            b.collection_path((place,), "folder", "collection.items")
    elif place := cells[place_at]:
        names = [n for n in place.split(",") if n]
        for title in names:
            b.collection((title,), None)
        if names:
            b.rec("collections", _MEMBER, "collection.items")
        else:
            b.rec("collections", _NOT_CARRIED, "", "column not understood")


def _totp(b: ItemBuilder, totp_text: str) -> None:
    """The ``login_totp`` cell: a TOTP, or (one CXF cannot hold) a custom field of the item's
    ``Bitwarden`` group, as the JSON mapping keeps ``login.totp``."""
    totp, form = parse_totp(totp_text)
    if totp is not None:
        steam = form == "steam"
        b.add(totp, *((_O_TRANSFORMED, STEAM_NOTE) if steam else (_O_CARRIED, "")))
        b.ext["totpForm"] = form
        b.rec("login_totp", _MEMBER, "totp")
        return
    define_members_group(b)
    field = m.EditableField(
        field_type="concealed-string", value=totp_text, label="TOTP",
        extensions=(m.UnknownExtension(extension_name=EXTENSION,
                                       members={"member": "login.totp"}),),
    )  # fmt: skip
    b.custom("TOTP", Val(totp_text, "login_totp"), note=form, group="members",
             target="custom-fields[Bitwarden].login.totp", field=field)  # fmt: skip


_NO_CSV: Final = "Bitwarden CSV holds logins and secure notes only"
_WHY_NOT: Final = {
    "passkey": "Bitwarden CSV holds no passkeys (write bitwarden-json to keep them)",
    "file": "Bitwarden CSV holds no attachments",
    "item-reference": "Bitwarden has no item references",
}
_KIND_NAMES: Final = {3: "a card", 4: "an identity", 5: "an SSH key"}
_CSV_MEMBERS: Final = frozenset(
    {"name", "notes", "favorite", "reprompt", "login.username", "login.password", "login.totp"}
)


def _field_line(name: Any, value: Any) -> str:
    text = "" if value is None else str(value)
    return f"{name}: {text}" if name is not None else text


_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_NO_IDS: Final[ledger.Rule] = (_N, "Bitwarden CSV holds no ids, dates or other bookkeeping")
_CSV_ITEM: Final[dict[str, ledger.Rule]] = {
    "title": _C,
    "favorite": _C,
    "id": _NO_IDS,
    "creationAt": _NO_IDS,
    "modifiedAt": _NO_IDS,
    f"extensions[{EXTENSION}]": _NO_IDS,
    **NO_SUBTITLE_TAGS,
    "scope": (_N, "only a Bitwarden login holds URLs"),
}
_CSV_LOGIN: Final[dict[str, ledger.Rule]] = {**_CSV_ITEM, "scope.urls": _C, **ANDROID_APPS}
_NO_FAVORITE: Final[dict[str, ledger.Rule]] = {
    "favorite": (_N, "the organisation CSV has no favorite column")
}
_AS_TEXT: Final[ledger.Rule] = (_T, "as plain 'name: value' text")
_NO_FOLDER_COLUMN: Final = "Bitwarden CSV has only the folder's name, in the rows of its items"
_CSV_FOLDER: Final[dict[str, ledger.Rule]] = {
    "title": _C,
    "items[].item": (_T, "as the folder column of the item's row"),
    "subtitle": (_N, "Bitwarden has no collection subtitles"),
    "id": (_N, "Bitwarden CSV holds no ids"),
}
CSV_WRITTEN: Final = ledger.Declaration(
    "Bitwarden CSV",
    {
        "login": ledger.Table(_CSV_LOGIN, unknown=NO_PLACE),
        "login-org": ledger.Table({**_CSV_LOGIN, **_NO_FAVORITE}, unknown=NO_PLACE),
        "note": ledger.Table(_CSV_ITEM, unknown=NO_PLACE),
        "note-org": ledger.Table({**_CSV_ITEM, **_NO_FAVORITE}, unknown=NO_PLACE),
        "dropped": ledger.Table(default=(_N, _NO_CSV), unknown=(_N, _NO_CSV)),
    },
    {
        "basic-auth": ledger.Table(ledger.editable("username", "password")),
        "totp": ledger.Table(default=_C),
        "note": ledger.Table(ledger.editable("content")),
        "custom-fields": ledger.Table(
            {"fields[].value": _C, "fields[].label": _C, "fields[].fieldType": _AS_TEXT}
        ),
        "custom-fields:grouped": ledger.Table(
            {
                "fields[].value": _C,
                "fields[].label": (_T, "prefixed with the group label"),
                "label": (_T, "as a prefix of each field's name"),
                "fields[].fieldType": _AS_TEXT,
            }
        ),
        "custom-fields:fields": ledger.Table(
            {"fields[].value": _C, "fields[].label": _C, "fields[].fieldType": _AS_TEXT}
        ),
        "custom-fields:members": ledger.Table(
            {"fields[].value": (_C, "in its column, or as a 'name: value' line")}
        ),
    },
    header=ledger.Table(default=(_N, "Bitwarden CSV has no exporter header")),
    accounts=ledger.Table(default=(_N, "Bitwarden CSV names no account (id, user name, e-mail)")),
    collections={
        "": ledger.Table(_CSV_FOLDER, default=(_N, _NO_FOLDER_COLUMN), unknown=NO_PLACE),
        "sub": ledger.Table(
            {**_CSV_FOLDER, "title": (_T, "as part of the folder name 'parent/title'")},
            default=(_N, _NO_FOLDER_COLUMN),
            unknown=NO_PLACE,
        ),
        "empty": ledger.Table(default=(_N, "a folder without items has no row in Bitwarden CSV")),
    },
)
"""What the Bitwarden CSV writer carries of each CXF item (:mod:`cxkit.adapters.kit.ledger`):
credential modes as the Bitwarden JSON writer chose them; CSV holds less. A collection is only
the folder (or collections) column of its items."""


def _folder_mode(collection: m.Collection, nested: bool) -> str:
    """The :data:`CSV_WRITTEN` collection mode: a folder is only named by its items' rows."""
    if not collection.items:
        return "empty"
    return "sub" if nested else ""


def write_csv(doc: cxf.Document, report: MigrationReport, *, raw: bool = False) -> bytes:
    """Any CXF document → a Bitwarden CSV export (bytes, UTF-8, ``\\r\\n`` rows); formula-like
    cells get a leading ``'`` unless *raw* (:mod:`cxkit.adapters.kit.csvwrite`)."""
    scratch = MigrationReport()
    obj = document_to_bitwarden(doc, scratch)
    # the JSON writer's mode of each credential, by item, with the item's CXF path
    chosen = [(where, list(modes)) for _, where, _, modes, _ in scratch.written_fields.deferred()]
    CSV_WRITTEN.record_document(report, doc, collection_mode=_folder_mode)
    report.warnings.extend(scratch.warnings)
    organisation = "collections" in obj
    names = {g["id"]: g["name"] for g in obj.get("collections" if organisation else "folders", [])}
    outcomes: dict[tuple[str, int], tuple[Outcome, str]] = {
        c.key: (c.outcome, c.note) for c in scratch.credentials if c.key is not None
    }
    columns = ORGANISATION_COLUMNS if organisation else PERSONAL_COLUMNS
    writer = CsvOut(raw=raw, lineterminator="\r\n")
    writer.header(columns)
    for (_, item), bw, (where, modes) in zip(doc.items(), obj["items"], chosen, strict=True):
        kind = bw.get("type")
        org = "-org" if organisation else ""
        if kind not in (1, 2):
            for index, cred in enumerate(item.credentials):
                report.add_credential("write", cxf.credential_type(cred), item.title,
                                      Outcome.NOT_CARRIED, f"{_NO_CSV} ({_KIND_NAMES.get(kind, 'an other')} item)",
                                      key=(item.id, index))  # fmt: skip
            CSV_WRITTEN.record(report, where, item, [(ledger.DROPPED, _NO_CSV)] * len(modes),
                               "dropped")  # fmt: skip
            report.warnings.append(
                f"{item.title}: {_KIND_NAMES.get(kind, 'an other')} item, not written ({_NO_CSV})"
            )
            continue
        fields = [_field_line(f.get("name"), f.get("value")) for f in bw.get("fields") or ()]
        for index, cred in enumerate(item.credentials):
            ctype = cxf.credential_type(cred)
            outcome, note = outcomes.get((item.id, index), (Outcome.CARRIED, ""))
            if ctype in _WHY_NOT:
                outcome, note = Outcome.NOT_CARRIED, _WHY_NOT[ctype]
            elif isinstance(cred, m.CustomFields):
                role = next((e.members.get("role") for e in cred.extensions
                             if isinstance(e, m.UnknownExtension) and e.extension_name == EXTENSION), None)  # fmt: skip
                if role == "passwordHistory":
                    outcome, note = Outcome.NOT_CARRIED, "Bitwarden CSV holds no password history"
                elif role == "members":
                    moved = [f for f in cred.fields if member_of(f) not in _CSV_MEMBERS]
                    fields.extend(_field_line(f.label or member_of(f), f.value) for f in moved)
                    if moved:
                        outcome, note = Outcome.TRANSFORMED, "written as 'name: value' lines in the fields column"  # fmt: skip
                elif any(f.field_type != "string" for f in cred.fields):
                    outcome, note = Outcome.TRANSFORMED, "hidden/boolean fields become plain 'name: value' text in CSV"  # fmt: skip
            elif outcome == Outcome.TRANSFORMED and "custom field" in note:
                note += " (plain 'name: value' text in CSV)"
            report.add_credential("write", ctype, item.title, outcome, note, key=(item.id, index))
            if outcome is Outcome.NOT_CARRIED:
                modes[index] = (ledger.DROPPED, note)
        CSV_WRITTEN.record(report, where, item, modes, ("login" if kind == 1 else "note") + org)
        login = bw.get("login") or {}
        if organisation:
            place = ",".join(names.get(c, "") for c in bw.get("collectionIds") or () if c in names)
        else:
            place = names.get(bw.get("folderId") or "", "")
        row = {
            "folder": place,
            "collections": place,
            "favorite": "1" if bw.get("favorite") else "",
            "type": "login" if kind == 1 else "note",
            "name": bw.get("name") or "",
            "notes": bw.get("notes") or "",
            "fields": "\n".join(fields),
            "reprompt": str(bw.get("reprompt") or 0),
            "login_uri": ",".join(str(u.get("uri") or "") for u in login.get("uris") or ()),
            "login_username": login.get("username") or "",
            "login_password": login.get("password") or "",
            "login_totp": login.get("totp") or "",
        }
        writer.row([row[c] for c in columns])
        report.items_written += 1
    return writer.getvalue(report)
