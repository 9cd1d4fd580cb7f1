"""Any CSV, read with a column map (``--from csv --map "title=Name,username=Login,..."``).

For the long tail of apps that export a CSV cxkit has no reader for — the pattern of
pass-import's ``GenericCSV`` importer (``formats/other-managers.md`` §6, "Generic CSV"). The user
names which column holds what; without ``--map`` the map is guessed from common header names
(``Name``, ``Login``, ``Web Site``, ``Password``, ``Comments``, ``OTP`` …) and shown in the
report's first warning so it can be checked (``--dry-run`` reads and reports, writes nothing).
Columns the map does not name become custom fields. Cells separated by ``,``, ``;`` or a tab
(the header line decides), UTF-8 with or without BOM, quoted cells with newlines — the kit's
CSV input (:func:`~cxkit.adapters.kit.input.read_csv`).

Built on the kit's :class:`~cxkit.adapters.kit.tabular.CsvReader` with a column map made at run
time. Never detected: a CSV is read this way only when the user says so (``--from csv``), as
guessing would be wrong for an app's own layout.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.input import decode_text, header_like, read_csv
from cxkit.adapters.kit.tabular import (
    CREATED,
    CUSTOM,
    FAVORITE,
    FOLDER,
    IGNORE,
    MODIFIED,
    NOTE,
    PASSWORD,
    TAGS,
    TITLE,
    TOTP,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.report import MigrationReport
from cxkit.errors import AdapterError

__all__ = ["CsvMapOptions", "GenericCsvAdapter", "guess_map", "parse_map"]

#: ``--map`` target names (and their aliases) → the kit's targets
TARGETS: Final[dict[str, Target]] = {
    "title": TITLE, "name": TITLE,
    "username": USERNAME, "user": USERNAME, "login": USERNAME,
    "password": PASSWORD, "pass": PASSWORD,
    "url": URL, "urls": URL, "website": URL,
    "notes": NOTE, "note": NOTE, "comments": NOTE,
    "totp": TOTP, "otp": TOTP,
    "folder": FOLDER, "group": FOLDER, "collection": FOLDER,
    "tags": TAGS, "tag": TAGS,
    "created": CREATED, "modified": MODIFIED,
    "favorite": FAVORITE, "favourite": FAVORITE,
    "custom": CUSTOM, "ignore": IGNORE,
}  # fmt: skip
_NAMES: Final = {TITLE: "title", USERNAME: "username", PASSWORD: "password", URL: "url",
                 NOTE: "notes", TOTP: "totp", FOLDER: "folder", TAGS: "tags", CREATED: "created",
                 MODIFIED: "modified", FAVORITE: "favorite", CUSTOM: "custom",
                 IGNORE: "ignore"}  # fmt: skip

#: Header names (lower case, letters and digits only) that say what a column holds
_GUESS: Final[dict[Target, tuple[str, ...]]] = {
    TITLE: ("title", "name", "account", "accountname", "label", "entry", "entryname", "item",
            "itemname", "displayname", "sitename", "servicename", "service", "nickname"),
    USERNAME: ("username", "user", "login", "loginname", "userid", "loginusername",
               "usernameoremail", "emailorusername", "identifier"),
    PASSWORD: ("password", "pass", "passwd", "pwd", "pw", "loginpassword", "secret"),
    URL: ("url", "urls", "website", "site", "web", "uri", "uris", "link", "address", "loginurl",
          "loginuri", "weburl", "siteurl", "hostname", "host", "domain", "origin"),
    NOTE: ("notes", "note", "comments", "comment", "description", "remarks", "memo", "extra",
           "additionalinfo", "info"),
    TOTP: ("totp", "otp", "otpauth", "2fa", "twofa", "mfa", "authenticator", "onetimepassword",
           "totpsecret", "otpsecret", "logintotp", "twofasecret"),
    FOLDER: ("folder", "group", "category", "vault", "path", "collection", "grouping",
             "foldername", "groupname"),
    TAGS: ("tags", "tag", "labels"),
    CREATED: ("created", "createdat", "creationdate", "datecreated", "ctime", "createtime",
              "creationtime", "createdtime"),
    MODIFIED: ("modified", "modifiedat", "lastmodified", "updated", "updatedat", "datemodified",
               "mtime", "modifytime", "modificationtime", "lastupdated", "modifiedtime"),
    FAVORITE: ("favorite", "favourite", "fav", "starred", "favorites"),
}  # fmt: skip
_MAIL: Final = ("email", "emailaddress", "mail")
_DELIMITERS: Final = (",", ";", "\t")


@dataclass(frozen=True)
class CsvMapOptions:
    """The column map of a CSV read with ``--from csv``: ``--map`` as the user wrote it
    (``title=Name,username=Login``; empty: guessed from the header), and the cell separator
    (None: the header line decides between ``,``, ``;`` and tab)."""

    map: str = ""
    delimiter: str | None = None


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def parse_map(text: str) -> list[tuple[Target, str]]:
    """``title=Name,username=Login,url=Web Site`` → [(target, column), ...]; an unknown target
    is an error listing the known ones (column names may repeat a target only for URLs and
    custom/ignore)."""
    found: list[tuple[Target, str]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        target, sep, column = part.partition("=")
        key = target.strip().lower()
        if not sep or key not in TARGETS or not column.strip():
            raise AdapterError(
                f"cannot read the column map at '{part.strip()[:60]}'",
                hint="write it as TARGET=COLUMN pairs separated by commas, e.g. "
                "title=Name,username=Login,password=Password; targets: "
                + ", ".join(sorted(set(_NAMES.values()))),
            )
        found.append((TARGETS[key], column.strip()))
    repeated = [
        _NAMES[t]
        for t in {t for t, _ in found}
        if t not in (URL, CUSTOM, IGNORE) and sum(1 for u, _ in found if u is t) > 1
    ]
    if repeated:
        raise AdapterError(
            f"the column map names more than one column for {', '.join(sorted(repeated))}",
            hint="only url may be given several columns",
        )
    return found


def guess_map(header: list[str]) -> list[tuple[Target, str]]:
    """A column map from common header names: each target takes the first column whose name
    (letters and digits, lower case) is one of its words; URLs take every such column; an
    ``Email`` column is the user name when there is no user-name column."""
    found: list[tuple[Target, str]] = []
    taken: set[str] = set()
    for target, words in _GUESS.items():
        for column in header:
            if column in taken or _norm(column) not in words:
                continue
            found.append((target, column))
            taken.add(column)
            if target is not URL:
                break
    if not any(t is USERNAME for t, _ in found):
        mail = next((c for c in header if c not in taken and _norm(c) in _MAIL), None)
        if mail is not None:
            found.append((USERNAME, mail))
    return found


def _delimiter(data: bytes, name: str) -> str:
    """``,``, ``;`` or tab: the one that splits the header line into the most cells."""
    text = decode_text(data[: 64 << 10], name=name) if data else ""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, most = ",", 1
    for delimiter in _DELIMITERS:
        try:
            cells = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(cells) > most:
            best, most = delimiter, len(cells)
    return best


def _describe(mapping: list[tuple[Target, str]], header: list[str]) -> str:
    named = ", ".join(f"{_NAMES[t]}={c}" for t, c in mapping) or "(nothing)"
    rest = [c for c in header if c not in {c for _, c in mapping}]
    if rest and not header_like(header):  # the first row may be data: never shown
        return named + f"; {len(rest)} other columns kept as custom fields"
    if rest:
        named += "; kept as custom fields: " + ", ".join(c[:40] for c in rest[:20])
        if len(rest) > 20:
            named += f" and {len(rest) - 20} more"
    return named


class GenericCsvAdapter:
    info: Final = AdapterInfo(
        key="csv",
        app="any app's CSV export (with a column map)",
        format="CSV with a column map (--map TARGET=COLUMN,...; guessed from the header "
        "without it)",
        versions="any: comma, semicolon or tab separated; UTF-8 (BOM or not) or UTF-16",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "totp", "note", "custom-fields"}),
        how_to_export=(
            "Export a CSV from the app, then: cxkit convert FILE.csv --from csv --dry-run shows "
            "the column map guessed from the header and what would be read; correct it with "
            '--map "title=Name,username=Login,password=Password,url=Web Site,notes=Comments,'
            'totp=OTP" (targets: title, username, password, url, notes, totp, folder, tags, '
            "created, modified, favorite, custom, ignore). Other columns become custom fields."
        ),
        extensions=(".csv",),
        read_options=(CsvMapOptions,),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """Never: a CSV is read with a column map only when the user asks (``--from csv``)."""
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        if sample.folder is not None:
            raise AdapterError("a folder, not a CSV file", location=name or None)
        opts = options.get(CsvMapOptions)
        delimiter = opts.delimiter or _delimiter(sample.data, name)
        named = _named_header(sample.data, name, delimiter)
        if named is not None:  # blank or repeated column names: named, the rows unchanged
            sample = Sample(name=name, data=named, kind=sample.kind)
        table = read_csv(sample.data, name=name, delimiter=delimiter, allow_extra=True)
        width = max((len(cells) for _, cells in table.lines), default=0)
        header = [table.column(n) for n in range(max(width, len(table.header)))]
        del table
        given = bool(opts.map.strip())
        mapping = parse_map(opts.map) if given else guess_map(header)
        if given:
            mapping = [(t, _column(c, header, name)) for t, c in mapping]
        report.warnings.insert(
            0,
            ("column map (as given): " if given else
             "column map guessed from the header — check it (--dry-run), or give --map: ")
            + _describe(mapping, header),
        )  # fmt: skip
        columns: dict[str, Target | Column] = {c: t for t, c in mapping}
        return _mapped_reader(self.info, columns, delimiter).read(sample, options, report)


def _named_header(data: bytes, name: str, delimiter: str) -> bytes | None:
    """The file with its header line rewritten when a column name is blank (``column N``) or
    repeated (``Name (2)``), else None. Only the header line changes: row numbers stay."""
    text = decode_text(data, name=name)
    lines = io.StringIO(text, newline="").readlines()
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            row = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            return None
        header = [c.strip() for c in row]
        if all(header) and len(set(header)) == len(header):
            return None
        names: list[str] = []
        for index, cell in enumerate(header):
            base = cell or f"column {index + 1}"
            found, count = base, 1
            while found in names or (not cell and found in header):
                count += 1
                found = f"{base} ({count})"
            names.append(found)
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow(names)
        lines[number] = out.getvalue()
        return "".join(lines).encode("utf-8")
    return None


def _column(wanted: str, header: list[str], name: str) -> str:
    """The header's column *wanted* names (exactly, else the one equal ignoring case), or an
    error listing the columns (when the first row reads as names: it could be data)."""
    if wanted in header:
        return wanted
    folded = [c for c in header if c.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    columns = (
        "the CSV's columns: " + ", ".join(c[:40] for c in header[:40])
        if header_like(header)
        else f"the CSV's first row has {len(header)} cells (not shown: it may be data)"
    )
    raise AdapterError(
        f"the column map names the column '{wanted[:60]}', which the CSV does not have",
        location=name or None,
        hint=columns,
    )


def _mapped_reader(
    adapter_info: AdapterInfo, mapped: Mapping[str, Target | Column], cells: str
) -> CsvReader:
    """A :class:`CsvReader` with the column map of this file."""

    class _Mapped(CsvReader):
        info = adapter_info
        columns: ClassVar[Mapping[str, Target | Column]] = mapped
        rp_id = "cxkit.invalid"
        app = "CSV"
        delimiter = cells
        short_rows = True
        extra_cells = True

    return _Mapped()
