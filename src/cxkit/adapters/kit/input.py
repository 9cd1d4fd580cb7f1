"""Safe input handling shared by the adapters: JSON, CSV and zip, with limits.

* JSON is parsed by msgspec (no float surprises); nesting depth is bounded by a cheap pre-scan;
  a UTF-8 BOM is tolerated. A member name repeated in one object (RFC 8259 §4; issue #17) is
  refused where the two values would change what a secret means (passkey members, encrypted
  export headers: :data:`REFUSED_DUPLICATES`), else read last-wins and reported as a warning
  (:func:`duplicate_warnings`).
* CSV: UTF-8 with or without BOM, then strict fallbacks (UTF-16 with BOM; cp1252 only when
  asked); a bounded cell size so a 1 GB line fails fast; the header must be one of the expected
  sets; every row is checked for its column count with its row number in the error.
* zip: only through :func:`cxkit.crypto.safezip.read_zip` (traversal names, bombs, overlapping
  entries refused before anything is decompressed).

Errors are :class:`~cxkit.errors.AdapterError` / :class:`~cxkit.errors.DecodeError` with a
location (file, row, JSON path) and never a cell's value.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final

from cxkit.crypto.safezip import SafeZip, ZipLimits, read_zip
from cxkit.errors import AdapterError, DecodeError, InputTooLargeError

__all__ = [
    "MAX_CSV_CELL",
    "MAX_JSON_DEPTH",
    "REFUSED_DUPLICATES",
    "CsvTable",
    "duplicate_warnings",
    "header_like",
    "parse_json",
    "read_csv",
    "sniff_csv_header",
    "zip_archive",
]

MAX_JSON_DEPTH: Final = 64
MAX_CSV_CELL: Final = 16 << 20
"""One CSV cell larger than this (16 MiB) is refused (a runaway quote or a 1 GB line)."""
_BOM: Final = b"\xef\xbb\xbf"
_decoder: list[Any] = []  # msgspec's JSON decoder, made on first use (not for sniffing a CSV)
_ZIP_LIMITS: Final = ZipLimits(max_entries=20_000, max_entry_size=256 << 20, max_total_size=1 << 30)


#: Member names whose repetition in one object refuses the file: a passkey's members (Bitwarden
#: ``fido2Credentials``, CXF, KeePassXC and Proton Pass spellings) and the headers of encrypted
#: exports (Bitwarden ``encrypted``/``kdf*``, Aegis ``header``/``slots``/``params``, 2FAS
#: ``servicesEncrypted``/``reference``): two readers would derive different keys or sign for
#: different sites. Any repeat inside an object under a passkey container is refused too.
REFUSED_DUPLICATES: Final = frozenset(
    {
        # passkeys
        "credentialId", "keyType", "keyAlgorithm", "keyCurve", "keyValue", "rpId", "rpName",
        "userHandle", "userName", "userDisplayName", "counter", "discoverable", "privateKey",
        "fido2Credentials", "passkeys", "passkey",
        # encrypted-export headers
        "encrypted", "passwordProtected", "salt", "kdfType", "kdfIterations", "kdfMemory",
        "kdfParallelism", "encKeyValidation_DO_NOT_EDIT", "data", "header", "slots", "params",
        "key_params", "nonce", "tag", "servicesEncrypted", "reference", "db", "version",
    }
)  # fmt: skip
_PASSKEY_CONTAINERS: Final = ("fido2credentials", "passkey")
_WARNINGS: Final[contextvars.ContextVar[list[str] | None]] = contextvars.ContextVar(
    "cxkit_json_duplicate_warnings", default=None
)


@contextlib.contextmanager
def duplicate_warnings() -> Iterator[list[str]]:
    """Collect, while active, one message per repeated member name that :func:`parse_json`
    tolerated (path and name, never a value); :func:`cxkit.adapters.read` adds them to the
    migration report's warnings."""
    found: list[str] = []
    token = _WARNINGS.set(found)
    try:
        yield found
    finally:
        _WARNINGS.reset(token)


def _check_duplicates(data: bytes, name: str, value: Any) -> None:
    # imported here: the CXF package is not needed to sniff a CSV (cxkit detect's start-up)
    from cxkit.cxf._dupes import find_duplicates, has_duplicates, member_name, proven_unique

    if proven_unique(data, value) or not has_duplicates(data):
        return
    where = f"{name}: " if name else ""
    for path, member in find_duplicates(data)[1]:
        shown = member_name(member)
        if member in REFUSED_DUPLICATES or any(c in path.lower() for c in _PASSKEY_CONTAINERS):
            raise DecodeError(
                f"member '{shown}' appears twice in one object: refused, since readers would "
                "disagree on its value",
                location=f"{where}{path}",
                hint="export the file again from the app; a file edited by hand or by a "
                "tool can carry such repeats",
            )
        collector = _WARNINGS.get()
        if collector is not None:
            collector.append(
                f"{where}{path}: member '{shown}' appears more than once; the last one was read"
            )


def parse_json(data: bytes, *, name: str = "") -> Any:
    """Decode JSON bytes (BOM tolerated) or raise :class:`DecodeError` naming *name*; repeated
    member names are refused or reported (see the module's notes)."""
    if data.startswith(_BOM):
        data = data[3:]
    import msgspec  # here: cxkit detect of a CSV needs no JSON parser (its start-up)

    if not _decoder:
        _decoder.append(msgspec.json.Decoder())
    try:
        value = _decoder[0].decode(data)
        _check_duplicates(data, name, value)
        return value
    except msgspec.DecodeError as exc:
        raise DecodeError(f"not valid JSON: {_clean(str(exc))}", location=name or None) from None
    except RecursionError:
        raise DecodeError("JSON nested too deeply", location=name or None) from None
    except UnicodeDecodeError:
        raise DecodeError("invalid UTF-8 in the JSON", location=name or None) from None


def _clean(message: str) -> str:
    # msgspec messages name positions, never values; keep them short anyway
    return message[:200]


def decode_text(data: bytes, *, name: str = "") -> str:
    """Text of a CSV/TXT export: UTF-8 (BOM stripped) or UTF-16 with BOM."""
    if data.startswith(_BOM):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DecodeError("invalid UTF-16 text", location=name or None) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"not UTF-8 text (byte {exc.start:,})",
            location=name or None,
            hint="re-export as UTF-8, or convert the file with iconv first",
        ) from None


class CsvTable:
    """A parsed CSV export: ``header`` (as written, stripped) and the data rows with their row
    number (1 = the header line's row) for error locations.

    ``lines`` holds each row as ``(row number, cells)`` — the cells a list in header order (a
    row with *allow_extra* cells may be longer: cell ``n`` beyond the header is
    ``column {n + 1}``, see :meth:`column`); ``rows`` (and iterating) gives the same rows as
    dicts, column name → cell, made on first use (readers that go by column index never pay
    for a dict per row)."""

    def __init__(
        self,
        header: list[str],
        rows: list[tuple[int, dict[str, str]]] | None = None,
        *,
        lines: list[tuple[int, list[str]]] | None = None,
    ) -> None:
        self.header = header
        self.lines: list[tuple[int, list[str]]] = lines if lines is not None else []
        self._rows = rows

    def column(self, index: int) -> str:
        """The name of cell *index* of a row (``column N`` beyond the header)."""
        return self.header[index] if index < len(self.header) else f"column {index + 1}"

    @property
    def rows(self) -> list[tuple[int, dict[str, str]]]:
        if self._rows is None:
            header, width = self.header, len(self.header)
            self._rows = [
                (number, dict(zip(header, cells, strict=False)) if len(cells) <= width
                 else dict(zip(header, cells, strict=False))
                 | {f"column {n + 1}": v for n, v in enumerate(cells) if n >= width})
                for number, cells in self.lines
            ]  # fmt: skip
        return self._rows

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)


def read_csv(
    data: bytes,
    *,
    name: str = "",
    headers: Iterable[frozenset[str]] = (),
    max_cell: int = MAX_CSV_CELL,
    allow_extra: bool = False,
    allow_short: bool = False,
    delimiter: str = ",",
    bad_rows: list[tuple[int, int]] | None = None,
) -> CsvTable:
    """Parse a CSV export. *headers*: accepted header sets (the file's header must equal one of
    them, ignoring order and case of surrounding whitespace). Blank lines are skipped. With
    *allow_extra*, cells beyond the header are kept as ``column N``; with *allow_short*, a row
    that stops early has its missing trailing cells empty; *delimiter*: ``;`` or tab for files
    written that way (any CSV with a column map). A row of another width than the header is an
    error, unless *bad_rows* is given: then it is skipped and ``(row number, cells)`` added to
    it, so that one damaged row (a comma or quote out of place) does not sink the others."""
    text = decode_text(data, name=name)
    limit = csv.field_size_limit()
    csv.field_size_limit(max_cell)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
        header = _csv_header(reader, name, list(headers))
        lines = _csv_lines(reader, name, len(header), allow_extra, allow_short, bad_rows)
    except csv.Error as exc:
        text_exc = str(exc)
        if "larger than field limit" in text_exc:
            raise InputTooLargeError(
                f"a CSV cell is larger than {max_cell:,} bytes (runaway quote?)",
                location=name or None,
            ) from None
        raise AdapterError(f"malformed CSV: {text_exc[:120]}", location=name or None) from None
    finally:
        csv.field_size_limit(limit)
    return CsvTable(header, lines=lines)


def _blank(cells: list[str]) -> bool:
    return not any(map(str.strip, cells))  # (map: no generator per row, for speed)


def _csv_header(reader: Any, name: str, accepted: list[frozenset[str]]) -> list[str]:
    """The first non-blank row, checked against the *accepted* header sets."""
    for raw in reader:
        if _blank(raw):
            continue
        header = [c.strip() for c in raw]
        if len(set(header)) != len(header):
            raise AdapterError("the CSV header repeats a column", location=f"{name}:1")
        if accepted and frozenset(header) not in accepted:
            # a first row that does not read as names may be data: never shown
            columns = (
                ": " + ", ".join(h[:40] for h in header[:30])
                if header_like(header)
                else f" ({len(header)}; not shown: the first row may be data)"
            )
            raise AdapterError(
                "unexpected CSV columns" + columns,
                location=f"{name}:{reader.line_num}",
                hint="expected: " + " | ".join(",".join(sorted(h)) for h in accepted),
            )
        return header
    raise AdapterError("empty CSV file", location=name or None)


def _csv_lines(
    reader: Any,
    name: str,
    width: int,
    allow_extra: bool,
    allow_short: bool,
    bad_rows: list[tuple[int, int]] | None = None,
) -> list[tuple[int, list[str]]]:
    """The data rows as (row number, cells); the number is the line the row starts on."""
    lines: list[tuple[int, list[str]]] = []
    append = lines.append
    start = reader.line_num + 1
    for raw in reader:
        row_start, start = start, reader.line_num + 1
        if len(raw) != width:
            if _blank(raw):
                continue
            if allow_extra and len(raw) > width:
                pass
            elif allow_short and len(raw) < width:
                raw += [""] * (width - len(raw))
            elif bad_rows is not None:
                bad_rows.append((row_start, len(raw)))
                continue
            else:
                raise AdapterError(
                    f"row has {len(raw)} columns, the header {width}",
                    location=f"{name}:{row_start}",
                )
        elif not raw[0].strip() and _blank(raw):  # a row of empty cells (",,,") is blank
            continue
        append((row_start, raw))
    return lines


def sniff_csv_header(data: bytes, max_bytes: int = 64 << 10) -> tuple[str, ...] | None:
    """The header row of a CSV file (first non-empty line), or None if it does not look like
    CSV. Cheap: only the first *max_bytes* are looked at."""
    head = data[:max_bytes]
    if head.startswith(_BOM):
        head = head[3:]
    stripped = head.lstrip()
    if not stripped or stripped[:1] in (b"{", b"[", b"<") or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        text = head[: exc.start].decode("utf-8")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if "," not in first and ";" not in first and "\t" not in first:
        return None
    try:
        row = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return None
    return tuple(c.strip() for c in row)


_COLUMN_WORDS: Final = frozenset(
    [
        "name",
        "names",
        "title",
        "url",
        "urls",
        "uri",
        "uris",
        "user",
        "username",
        "login",
        "pass",
        "password",
        "passwd",
        "pwd",
        "note",
        "notes",
        "email",
        "mail",
        "group",
        "groups",
        "folder",
        "folders",
        "type",
        "kind",
        "tag",
        "tags",
        "comment",
        "comments",
        "description",
        "descr",
        "label",
        "site",
        "website",
        "web",
        "otp",
        "totp",
        "secret",
        "account",
        "category",
        "categories",
        "fav",
        "favorite",
        "favourite",
        "id",
        "uuid",
        "guid",
        "field",
        "fields",
        "value",
        "values",
        "domain",
        "host",
        "hostname",
        "card",
        "number",
        "phone",
        "address",
        "key",
        "keys",
        "created",
        "modified",
        "updated",
        "time",
        "date",
        "expires",
        "icon",
        "collection",
        "collections",
        "origin",
        "realm",
        "action",
        "entry",
        "secure",
        "ssid",
    ]
)
"""Words column names are made of (whole words, after splitting ``Login_URLs`` / ``twofaSecret``)."""
_WORD: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_NAME_CELL: Final = re.compile(r"[!#]?[^\W\d](?:[^\W\d_]|[ !#()/:_-]){0,39}(?: \d{1,2})?")
"""A column name: letters, spaces, ``_ ! # ( ) / : -``; no digits (but ``Field 2``), no dots.
(The two alternatives are disjoint — ``_`` only in the second: with ``_`` in both, a cell of
77 underscores took 2^39 steps to refuse; found by the fuzzing campaign, issue #17.)"""
_ADDRESS: Final = re.compile(r"@|\w\.\w")


def header_like(cells: Iterable[str]) -> bool:
    """Whether a CSV row reads as column names — every non-empty cell name-like (no digits but a
    trailing number, no dots, no ``@``: never a host name, an e-mail address or a typical
    password) and at least half of them made with a usual column word (whole words). Only such a row is ever
    shown: a headerless CSV's first row holds a user name and a password."""
    row = [c for c in cells if c]
    if not row:
        return False
    if any(not _NAME_CELL.fullmatch(c) or _ADDRESS.search(c) for c in row):
        return False
    named = sum(1 for c in row if any(w.lower() in _COLUMN_WORDS for w in _WORD.findall(c)))
    return 2 * named >= len(row)


def zip_archive(data: bytes, *, name: str = "") -> SafeZip:
    """A zip export opened through the guarded reader (nothing extracted to disk)."""
    try:
        return read_zip(data, _ZIP_LIMITS, allow_directories=True)
    except (DecodeError, InputTooLargeError) as exc:
        if not exc.location:
            exc.location = name or None
        raise
