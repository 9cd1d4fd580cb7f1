"""Apple: the Passwords / Safari CSV and the macOS keychain dump
(``formats/browsers-and-apple.md`` §3, §4).

* ``apple-passwords-csv`` — Passwords app (macOS 15+ / iOS 18+) and Safari "Export Passwords"
  (read and write): ``Title,URL,Username,Password,Notes,OTPAuth`` (``Url`` is accepted as
  well); ``OTPAuth`` holds an ``otpauth://`` URI. Passwords, notes and TOTP only: Apple releases
  passkeys only through the OS-brokered transfer, so the file never names one. Writing (the kit's
  declarative writer, :mod:`cxkit.adapters.kit.tabular_write`) makes one row per item with a
  password; further URLs, passkeys, cards ... are reported not carried.
* ``apple-keychain`` — the text of ``security dump-keychain -d`` (read): one record per
  ``keychain: "<path>"`` block, ``class`` ``"genp"`` (generic password) or ``"inet"`` (internet
  password), ``attributes:`` lines ``"acct"<blob>="user"`` / ``0x00000007 <blob>="label"`` and
  the secret after ``data:`` (a quoted string with octal escapes, or ``0x<hex>`` and a quoted
  rendering: the hex is read). ``0x00000007`` is the title, ``acct`` the user name, ``srvr`` +
  ``ptcl`` + ``port`` + ``path`` the URL, ``cdat``/``mdat`` the times, ``icmt`` a note; a secure
  note (``type`` ``"note"``) holds an XML property list whose ``NOTE`` string is the note's text
  (its ``RTFD`` rich-text copy is not carried). Other attributes that hold the user's data become
  custom fields; the keychain's bookkeeping (``crtr``, ``cusi``, ``invi``, ``nega``, ...) is not
  carried; records of other classes (keys, certificates) are skipped.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Mapping
from typing import ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit import tabular_write as w
from cxkit.adapters.kit.builder import ItemBuilder, Val, stable_id
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.kit.input import decode_text
from cxkit.adapters.kit.tabular import (
    NOTE,
    PASSWORD,
    TITLE,
    TOTP,
    URL,
    USERNAME,
    Column,
    CsvReader,
    Target,
)
from cxkit.adapters.kit.targets import MappedReader, RecordError, skip_reason
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError

__all__ = ["APPLE_COLUMNS", "AppleKeychainAdapter", "ApplePasswordsCsvAdapter", "parse_keychain"]

APPLE_COLUMNS: Final = ("Title", "URL", "Username", "Password", "Notes", "OTPAuth")
_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED


# =========================================================================== Passwords CSV


class ApplePasswordsCsvAdapter(CsvReader, w.CsvWriter):
    info = AdapterInfo(
        key="apple-passwords-csv",
        app="Apple Passwords, Safari (macOS, iOS, iPadOS)",
        format="Passwords / Safari CSV export (read and write)",
        versions="Safari 15+ and the Passwords app (macOS 15+, iOS 18+)",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"basic-auth", "note", "totp"}),
        how_to_import=(
            "Mac: Passwords app → File → Import Passwords… (Safari: File → Import From → "
            "Passwords CSV File…); rows need a password. Delete the file after importing."
        ),
        how_to_export=(
            "Mac: Passwords app → File → Export All Passwords… (Safari: File → Export → "
            "Passwords…); iPhone/iPad: Passwords → ⋯ → Export. Passwords, notes and TOTP only: "
            "passkeys stay on the device (they move only by Apple's own credential transfer)."
        ),
        extensions=(".csv",),
        csv_header=frozenset(APPLE_COLUMNS),
        csv_headers=(frozenset(("Title", "Url", *APPLE_COLUMNS[2:])),),
        plaintext=True,
        write_options=(CsvWriteOptions,),
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "Title": TITLE, "URL": URL, "Url": URL, "Username": USERNAME, "Password": PASSWORD,
        "Notes": NOTE, "OTPAuth": TOTP,
    }  # fmt: skip
    rp_id = "apple.com"
    app = "Apple Passwords"
    totp_label = "OTPAuth"

    write_columns = (("Title", w.TITLE), ("URL", w.URL), ("Username", w.USERNAME),
                     ("Password", w.PASSWORD), ("Notes", w.NOTE), ("OTPAuth", w.TOTP))  # fmt: skip
    written_name = "Apple Passwords CSV"
    row_needs = frozenset({w.PASSWORD})


# =========================================================================== keychain dump

_RECORD_START: Final = 'keychain: "'
_ATTRIBUTE: Final = re.compile(
    r'\s+(?:"(?P<name>[^"]{0,64})"|(?P<number>0x[0-9A-Fa-f]{1,16}) ?)<(?P<kind>[^>]{0,32})>=(?P<value>.*)'
)
_ATTRIBUTES: Final = b"\nattributes:\n    "
"""Detection evidence: the ``attributes:`` line directly followed by an indented attribute."""
_OCTAL: Final = re.compile(rb"\\([0-3][0-7]{2})")
_HEX: Final = re.compile(r"0x([0-9A-Fa-f]*)")
MAX_RECORDS: Final = 200_000
"""Most records read from one dump (a limit on the work, far above a real keychain)."""

#: Apple's four-character protocol codes (``ptcl``) → URL schemes.
_SCHEMES: Final = {
    "htps": "https", "http": "http", "ftp": "ftp", "ftps": "ftps", "imap": "imap",
    "imps": "imaps", "pop3": "pop3", "pops": "pop3s", "smtp": "smtp", "ldap": "ldap",
    "ldps": "ldaps", "nntp": "nntp", "ntps": "nntps", "sox": "socks", "teln": "telnet",
    "tels": "telnets", "ssh": "ssh", "smb": "smb", "afp": "afp", "cifs": "cifs", "nfs": "nfs",
    "svn": "svn", "ipp": "ipp", "rtsp": "rtsp", "dav": "http", "irc": "irc", "ircs": "ircs",
    "vnc": "vnc",
}  # fmt: skip
#: Attributes that are the keychain's bookkeeping, not the user's data.
_BOOKKEEPING: Final = frozenset(
    {"crtr", "cusi", "invi", "nega", "scrp", "prot", "atyp", "type", "pdmn", "agrp", "sync",
     "tomb", "musr", "vwht", "sha1", "persistref", "UUID", "0x00000008"}
)  # fmt: skip
_URL_PARTS: Final = ("srvr", "ptcl", "port", "path")
_LABELS: Final = {"desc": "kind", "sdmn": "security domain", "svce": "service",
                  "gena": "generic attribute"}  # fmt: skip


class KeychainRecord:
    """One record of a dump: its class, its attributes (name → kind, raw value text) and the
    secret's raw text (None when the record has no ``data:``)."""

    __slots__ = ("attributes", "data", "line", "meta")

    def __init__(self, line: int) -> None:
        self.line = line
        self.meta: dict[str, str] = {}
        self.attributes: dict[str, tuple[str, str]] = {}
        self.data: str | None = None


def parse_keychain(text: str, *, name: str = "") -> list[KeychainRecord]:
    """The records of a ``security dump-keychain -d`` text (lines of a record after ``data:``
    are its data, up to the next ``keychain:`` line). Raises :class:`AdapterError` when the
    text does not begin with a record."""
    records: list[KeychainRecord] = []
    current: KeychainRecord | None = None
    in_data = False
    data_lines: list[str] = []

    def close() -> None:
        if current is not None and in_data:
            current.data = "\n".join(data_lines).strip("\r\n")

    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(_RECORD_START):
            close()
            if len(records) >= MAX_RECORDS:
                raise InputTooLargeError(
                    f"the dump holds more than {MAX_RECORDS:,} records", location=name or None
                )
            current = KeychainRecord(number)
            current.meta["keychain"] = line[len(_RECORD_START) :].rstrip('"')
            records.append(current)
            in_data, data_lines = False, []
        elif current is None:
            if line.strip():
                raise AdapterError(
                    "not a keychain dump (it does not begin with a 'keychain:' line)",
                    location=f"{name}:{number}",
                )
        elif in_data:
            data_lines.append(line)
        elif line == "data:":
            in_data = True
        elif (found := _ATTRIBUTE.fullmatch(line)) is not None:
            key = found.group("name") if found.group("name") is not None else found.group("number")
            current.attributes[key] = (found.group("kind"), found.group("value"))
        elif ":" in line and not line.startswith(" "):
            key, _, value = line.partition(":")
            current.meta[key.strip()] = value.strip()
        elif line.strip() and line.strip() != "attributes:":
            current.meta.setdefault("?", line.strip()[:40])
    close()
    if not records:
        raise AdapterError("not a keychain dump (no records)", location=name or None)
    return records


def _raw(value: str) -> bytes | None:
    """A dumped value → its bytes (None for ``<NULL>``): ``0x<hex>`` (then a rendering) is
    read from the hex; a quoted value is unquoted with its octal escapes (``\\012``)."""
    value = value.strip()
    if not value or value == "<NULL>":
        return None
    if value.startswith("0x"):
        found = _HEX.match(value)
        digits = found.group(1) if found is not None else ""
        if len(digits) % 2:
            raise RecordError("a hexadecimal value of odd length")
        return bytes.fromhex(digits)
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return _OCTAL.sub(lambda m_: bytes([int(m_.group(1), 8)]), value.encode("utf-8"))


def _text(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _timedate(raw: bytes) -> str:
    """``20190418184252Z\\0`` → ISO 8601 (left as it is when it is not such a time)."""
    text = raw.rstrip(b"\0").decode("ascii", "replace")
    try:
        when = datetime.datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        return text
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _note_text(raw: bytes) -> tuple[str | None, bool]:
    """A secure note's XML property list → (its ``NOTE`` string or None, whether it has an
    ``RTFD`` key). Read with ElementTree (a property list with entity declarations is refused:
    no entity expansion), key by key, so that a malformed ``<data>`` value does not hide the
    text."""
    import xml.etree.ElementTree as ET

    if b"<!ENTITY" in raw:
        return None, False
    try:
        root = ET.fromstring(raw)  # noqa: S314 - no entities (checked above); no network access
    except (ET.ParseError, ValueError, LookupError, RecursionError):  # LookupError: encoding="x"
        return None, False
    top = root.find("dict") if root.tag == "plist" else root
    if top is None or top.tag != "dict":
        return None, False
    children = list(top)
    note: str | None = None
    rich = False
    for key, value in itertools.pairwise(children):
        if key.tag != "key":
            continue
        if key.text == "NOTE" and value.tag == "string":
            note = value.text or ""
        elif key.text == "RTFD":
            rich = True
    return note, rich


class AppleKeychainAdapter(MappedReader):
    info = AdapterInfo(
        key="apple-keychain",
        app="macOS Keychain (Keychain Access)",
        format="security dump-keychain -d text (read)",
        versions="macOS 10.x–15 (the login keychain and other file keychains)",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export=(
            "Terminal: security dump-keychain -d ~/Library/Keychains/login.keychain-db > "
            "keychain.txt (macOS asks to allow each item). Internet and application passwords "
            "and secure notes are read; keys and certificates are skipped. iCloud Keychain "
            "items are not in the dump: export them from the Passwords app (--from "
            "apple-passwords-csv)."
        ),
        extensions=(".txt",),
    )
    rp_id = "apple.com"
    app = "macOS Keychain"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for a text beginning with a ``keychain: "…"`` record with a ``class:`` line
        and an ``attributes:`` line directly followed by an indented attribute."""
        head = sample.data[:8192].lstrip(b"\xef\xbb\xbf")
        if head.startswith(b'keychain: "') and b"\nclass: " in head and _ATTRIBUTES in head:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        records = parse_keychain(decode_text(sample.data, name=name), name=name)
        vault = self.vault(report, options.include_trashed)
        for index, record in enumerate(records, 1):
            b = vault.item(f"{name}:{record.line}:", item_id=stable_id(self.info.key, name,
                                                                        str(index)))  # fmt: skip
            try:
                self._record(b, record)
            except InputTooLargeError:
                raise
            except (CxkitError, ValueError) as exc:
                sources = [Val(v, k) for k, (_, v) in record.attributes.items() if v != "<NULL>"]
                if record.data:
                    sources.append(Val(record.data, "data"))
                b.fail(f"record at line {record.line} cannot be read: {skip_reason(exc)}",
                       sources)  # fmt: skip
                continue
            vault.add(b)
        return self.document(vault)

    def _record(self, b: ItemBuilder, record: KeychainRecord) -> None:
        meta = record.meta
        kind = meta.get("class", "").strip('"')
        for key, value in meta.items():
            if value and key != "class":
                b.rec(key, _NOT_CARRIED, "", "the keychain file and record format")
        b.rec("class", _MEMBER, "item credentials", "the kind of record")
        if kind not in ("genp", "inet"):
            raise RecordError(f"a record of class {kind[:12] or '(none)'}: not a password")
        values: dict[str, bytes] = {}
        for key, (_, value) in record.attributes.items():
            raw = _raw(value)
            if raw is not None:
                values[key] = raw
        texts = {k: t for k, v in values.items() if (t := _text(v)) is not None}
        if label := texts.get("0x00000007", "").rstrip("\0"):
            b.set_title(Val(label, "0x00000007"))
        secure_note = texts.get("type") == "note" or texts.get("desc") == "secure note"
        for key in ("cdat", "mdat"):
            if key in values:
                v = Val(_timedate(values[key]), key)
                if key == "cdat":
                    b.created(v)
                else:
                    b.modified(v)
        url = self._url(b, values, texts)
        user = Val(texts["acct"], "acct") if texts.get("acct") else None
        secret = None
        data = record.data
        if data:
            raw = _raw(data)
            text = _text(raw) if raw is not None else None
            if secure_note:
                note, rich = _note_text(raw or b"")
                if note:
                    b.note(Val(note, "data"))
                elif rich or note is not None:
                    b.rec("data", _NOT_CARRIED, "", "the secure note has no text")
                else:
                    b.rec("data", _NOT_CARRIED, "", "the secure note is not a readable "
                                                    "property list")  # fmt: skip
                if rich:
                    b.rec("data.RTFD", _NOT_CARRIED, "", "the note's rich-text copy (RTFD); "
                                                         "its plain text is read")  # fmt: skip
            elif text is None:
                b.custom("data (hex)", Val((raw or b"").hex(), "data"), hidden=True,
                         note="binary data, not text: kept as hexadecimal")  # fmt: skip
            elif text.strip("\r\n"):
                secret = Val(text, "data")
            else:
                b.rec("data", _NOT_CARRIED, "", "an empty secret (a line break only)")
        b.login(user, secret, [url] if url is not None else ())
        if user is None and "acct" in values:
            b.rec("acct", _NOT_CARRIED, "", "an empty account name")
        if comment := texts.get("icmt"):
            b.note(Val(comment, "icmt"))
        for key, raw in values.items():
            if key in ("0x00000007", "cdat", "mdat", "acct", "icmt", *_URL_PARTS):
                continue
            if key in _BOOKKEEPING or (key == "desc" and secure_note):
                if key in ("type", "desc") and secure_note:
                    b.rec(key, _MEMBER, "note", "marks a secure note")
                else:
                    b.rec(key, _NOT_CARRIED, "", "the keychain's bookkeeping")
                continue
            text = texts.get(key)
            if key == "svce" and text == b.title:
                b.rec(key, _MEMBER, "item.title", "the same as the label")
                continue
            label = _LABELS.get(key, key)
            if text is None:
                b.custom(label, Val(raw.hex(), key), note="binary: kept as hexadecimal")
            elif text.rstrip("\0"):
                b.custom(label, Val(text.rstrip("\0"), key))

    @staticmethod
    def _url(b: ItemBuilder, values: dict[str, bytes], texts: dict[str, str]) -> Val | None:
        """The URL of ``srvr`` (with ``ptcl``, ``port`` and ``path``); the parts are recorded."""
        server = texts.get("srvr", "").strip().rstrip("\0")
        if not server:
            for key in _URL_PARTS:
                if key in values:
                    b.rec(key, _NOT_CARRIED, "", "a part of a URL without a server")
            return None
        protocol = texts.get("ptcl", "").strip().rstrip("\0")
        scheme = _SCHEMES.get(protocol.lower(), protocol.lower()) if protocol.isalnum() else ""
        port_raw = values.get("port", b"")
        port = int.from_bytes(port_raw, "big") if 0 < len(port_raw) <= 4 else 0
        path = texts.get("path", "").rstrip("\0")
        host = server
        if scheme:
            if port:
                host = f"{server.rstrip('/')}:{port}"
            url = f"{scheme}://{host}"
            if path:
                url = url.rstrip("/") + "/" + path.lstrip("/")
        else:
            url = server
        for key in _URL_PARTS[1:]:  # srvr is recorded with the URL
            if key in values:
                b.rec(key, _MEMBER, "scope.urls", "a part of the URL")
        return Val(url, "srvr")
