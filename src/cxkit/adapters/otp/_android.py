"""What the Android authenticator apps' files are made of (``../shared/formats/totp-apps.md``
§8, §12): shared-preferences XML (``<map>`` of ``<string name=…>`` entries holding JSON), Java's
signed byte arrays, and SQLite databases opened read-only on a private copy.

Shared by the Authy, FreeOTP, Google Authenticator and Stratum readers.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

from cxkit.adapters.kit.xmlrecords import parse_xml
from cxkit.errors import DecodeError

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "SQLITE_MAGIC",
    "PrefString",
    "open_sqlite",
    "prefs_strings",
    "sample_tables",
    "signed_bytes",
    "sqlite_tables",
]

SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_MAX_PREFS_ENTRIES: Final = 100_000


class PrefString:
    """One ``<string name="NAME">TEXT</string>`` of a shared-preferences file; *at* is its path
    in reports (``/map/string[@name='tokenOrder']`` would hold a name that may be an account,
    so the position is used: ``/map/string[3]``)."""

    __slots__ = ("at", "name", "text")

    def __init__(self, name: str, text: str, at: str) -> None:
        self.name = name
        self.text = text
        self.at = at

    def __repr__(self) -> str:  # the path only: the text holds secrets
        return f"PrefString(at={self.at!r})"


def prefs_strings(data: bytes, name: str) -> tuple[list[PrefString], list[str]]:
    """The ``<string>`` entries of an Android shared-preferences ``<map>`` and the paths of its
    other entries (``<int>``, ``<boolean>`` …). Not a ``<map>`` → :class:`DecodeError`."""
    root = parse_xml(data, name=name)
    if root.tag != "map":
        raise DecodeError("not Android shared preferences (no <map> root)", location=name or None)
    strings: list[PrefString] = []
    others: list[str] = []
    for index, el in enumerate(root):
        if index >= _MAX_PREFS_ENTRIES:
            raise DecodeError(f"more than {_MAX_PREFS_ENTRIES} preferences", location=name or None)
        at = f"/map/{el.tag}[{index + 1}]"
        key = el.get("name")
        if el.tag == "string" and key is not None and len(el) == 0:
            strings.append(PrefString(key, el.text or "", at))
        else:
            others.append(at)
    return strings, others


def signed_bytes(value: Any) -> bytes | None:
    """A Java ``byte[]`` as JSON (``[-19, 64, …]``, signed −128…127; 0…255 also taken) →
    bytes; None when *value* is not such a list."""
    if not isinstance(value, list):
        return None
    out = bytearray()
    for b in value:
        if type(b) is not int or not -128 <= b <= 255:
            return None
        out.append(b & 0xFF)
    return bytes(out)


@contextlib.contextmanager
def open_sqlite(data: bytes, name: str) -> Iterator[sqlite3.Connection]:
    """An SQLite database given as bytes, opened read-only (``mode=ro&immutable=1``) on a private
    temporary copy that is removed afterwards: the input file is never opened by SQLite, never
    changed. Not a database → :class:`DecodeError`."""
    import sqlite3

    if not data.startswith(SQLITE_MAGIC):
        raise DecodeError("not an SQLite database", location=name or None)
    with tempfile.TemporaryDirectory(prefix="cxkit-") as folder:
        path = os.path.join(folder, "copy.db")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        conn = None
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            conn.execute("PRAGMA trusted_schema=OFF")
            conn.execute("PRAGMA query_only=ON")
            yield conn
        except sqlite3.Error:
            raise DecodeError("the SQLite database cannot be read (damaged?)",
                              location=name or None) from None  # fmt: skip
        finally:
            if conn is not None:
                conn.close()


def sqlite_tables(conn: sqlite3.Connection) -> dict[str, frozenset[str]]:
    """The database's tables → their column names (from ``PRAGMA table_info``)."""
    tables: dict[str, frozenset[str]] = {}
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in names[:256]:
        if not isinstance(table, str):
            continue
        quoted = '"' + table.replace('"', '""') + '"'
        columns = conn.execute(f"PRAGMA table_info({quoted})").fetchall()
        tables[table] = frozenset(str(c[1]) for c in columns)
    return tables


def sample_tables(sample: Any) -> dict[str, frozenset[str]] | None:
    """The tables and columns of an input that is an SQLite database (None for anything else
    or a database that cannot be read): detection evidence, looked up once per input and kept
    in ``sample.extra``."""
    data: bytes = sample.data
    if not data.startswith(SQLITE_MAGIC):
        return None
    cache: dict[str, Any] = sample.extra
    if "sqlite_tables" not in cache:
        try:
            with open_sqlite(data, sample.name) as conn:
                cache["sqlite_tables"] = sqlite_tables(conn)
        except DecodeError:
            cache["sqlite_tables"] = None
    found: dict[str, frozenset[str]] | None = cache["sqlite_tables"]
    return found
