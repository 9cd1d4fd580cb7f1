"""KeePass 2 XML exports (unencrypted; read only; ``formats/keepass.md`` §5).

* ``keepass-xml`` — KeePass 2's "KeePass XML (2.x)" export is the KDBX payload in clear: the same ``KeePassFile``
document, values the user protects marked ``ProtectInMemory="True"`` but written in plain text.
It is parsed with the KDBX module's guarded XML parser (any DOCTYPE/ENTITY refused) and its
document reader, then mapped to CXF by the KDBX adapter's own mapping
(:func:`cxkit.adapters.keepass.database_to_document`), so an XML export and the database it came
from give the same CXF: groups → collections, URL + ``KP2A_URL*``, every TOTP convention,
notes, custom strings (concealed when protected), attachments, passkeys from
``KPEX_PASSKEY_*``; history, recycle bin and the rest reported the same way.

* ``keepassx-xml`` — KeePassX 0.4's XML export (``<!DOCTYPE KEEPASSX_DATABASE><database>``:
  nested ``<group>``, ``<entry>`` with ``title``, ``username``, ``password``, ``url``,
  ``comment`` (``<br/>`` = new line), ``icon``, ``creation``, ``lastaccess``, ``lastmod``,
  ``expire``, ``bindesc``/``bin`` attachment). The DOCTYPE is the one exception to the guard:
  exactly ``<!DOCTYPE KEEPASSX_DATABASE>`` (no internal subset) is blanked before the guarded
  parser runs, which still refuses any other DOCTYPE or ENTITY. Entries become KeePass entries
  and take the same KDBX mapping.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from typing import Final
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from cxkit import cxf, kdbx
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.keepass.database import database_to_document
from cxkit.adapters.report import MigrationReport
from cxkit.errors import CxkitError, InputTooLargeError
from cxkit.kdbx._xml import parse_xml_guarded, read_document
from cxkit.kdbx.errors import KdbxFormatError

__all__ = ["KeePassXXmlAdapter", "KeePassXmlAdapter"]

_MARKER: Final = b"<KeePassFile"
_HEAD: Final = 4096


def _mark_protect_in_memory(root: Element) -> None:
    """Values flagged ``ProtectInMemory`` are plain text in the export: give them the form the
    KDBX reader expects of protected values (``Protected="True"``, base64 of the clear value,
    decrypted by an identity stream) so they read as protected strings."""
    for el in root.iter():
        if el.get("ProtectInMemory") in ("True", "true") and el.get("Protected") is None:
            el.set("Protected", "True")
            el.text = base64.b64encode((el.text or "").encode("utf-8")).decode("ascii")


def _identity(data: bytes) -> bytes:
    return data


def _xml_head(sample: Sample) -> bytes:
    """The first bytes of *sample* when it starts like XML (after a BOM and blanks), else b""."""
    head = sample.data[:_HEAD]
    return head if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else b""


def _check_size(sample: Sample, options: ReadOptions) -> None:
    if len(sample.data) > options.max_size:
        raise InputTooLargeError(
            f"the XML export is larger than {options.max_size:,} bytes",
            location=sample.name or None,
        )


class KeePassXmlAdapter:
    info: Final = AdapterInfo(
        key="keepass-xml",
        app="KeePass 2",
        format="KeePass XML (2.x) export, unencrypted (read)",
        versions="KeePass 2.x XML export (the KDBX payload in clear)",
        capabilities=Capability.READ,
        credential_types=frozenset(
            {"basic-auth", "passkey", "totp", "note", "custom-fields", "file"}
        ),
        how_to_export=(
            "KeePass 2: File → Export → 'KeePass XML (2.x)'. The file is unencrypted: delete it "
            "after the migration (a .kdbx database is read directly with --from keepass-kdbx)."
        ),
        extensions=(".xml",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        return Confidence.CERTAIN if _MARKER in _xml_head(sample) else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        location = sample.name or None
        _check_size(sample, options)
        try:
            root = parse_xml_guarded(sample.data)
            if root.tag != "KeePassFile":
                raise KdbxFormatError("not a KeePass XML export (no KeePassFile element)")
            _mark_protect_in_memory(root)
            db, _ = read_document(root, [], options.max_size, _identity)
        except CxkitError as exc:
            exc.location = f"{sample.name}: {exc.location}" if exc.location else location
            raise
        for warning in db.warnings:
            report.warnings.append(warning)
        return database_to_document(
            db, report, attachments=options.attachments, include_recycle_bin=options.include_trashed
        )


# =========================================================================== KeePassX XML

_KPX_DOCTYPE: Final = b"<!DOCTYPE KEEPASSX_DATABASE>"
_KPX_NS: Final = uuid.UUID("5d0f6f0e-7f7a-4a8e-8f4b-2b8c1c7a9e31")
_KPX_MAX_DEPTH: Final = 200
_KPX_STRINGS: Final = {"title": "Title", "username": "UserName", "password": "Password",
                       "url": "URL", "comment": "Notes"}  # fmt: skip
_KPX_KNOWN: Final = frozenset(
    {*_KPX_STRINGS, "icon", "creation", "lastaccess", "lastmod", "expire", "bin", "bindesc"}
)


def _blank_doctype(data: bytes) -> bytes:
    """The document with its one allowed DOCTYPE (exactly ``<!DOCTYPE KEEPASSX_DATABASE>``,
    before the root element) replaced by spaces; any other DOCTYPE stays for the guard."""
    at = data.find(_KPX_DOCTYPE)
    if at < 0 or b"<" in data[:at].replace(b"<?xml", b"", 1).split(b"?>", 1)[-1]:
        return data
    return data[:at] + b" " * len(_KPX_DOCTYPE) + data[at + len(_KPX_DOCTYPE) :]


def _text(el: ET.Element) -> str:
    """An element's text with ``<br/>`` as new lines (KeePassX writes multi-line comments so)."""
    parts = [el.text or ""]
    for child in el:
        parts.append("\n" if child.tag == "br" else "".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _kpx_time(text: str | None) -> datetime.datetime | None:
    if not text or not text.strip() or text.strip().lower() == "never":
        return None
    try:
        value = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


class _KeePassXBuilder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0
        self.warnings: list[str] = []

    def group(self, el: ET.Element, path: str, depth: int) -> kdbx.Group:
        if depth > _KPX_MAX_DEPTH:
            raise KdbxFormatError(f"groups are nested more than {_KPX_MAX_DEPTH} deep")
        title_el = el.find("title")
        title = _text(title_el) if title_el is not None else ""
        here = f"{path}/{title}"
        group = kdbx.Group(uuid=uuid.uuid5(_KPX_NS, f"group{here}#{self.count}"), name=title)
        self.count += 1
        icon = (el.findtext("icon") or "").strip()
        if icon.isascii() and icon.isdigit() and int(icon) < 1000:
            group.icon_id = int(icon)
        for child in el:
            if child.tag == "group":
                group.groups.append(self.group(child, here, depth + 1))
            elif child.tag == "entry":
                group.entries.append(self.entry(child, here))
        return group

    def entry(self, el: ET.Element, path: str) -> kdbx.Entry:
        e = kdbx.Entry(uuid=uuid.uuid5(_KPX_NS, f"entry{path}#{self.count}"))
        self.count += 1
        for tag, key in _KPX_STRINGS.items():
            child = el.find(tag)
            value = _text(child) if child is not None else ""
            if value or key == "Title":
                e.strings[key] = kdbx.StringField(value, key == "Password")
        icon = (el.findtext("icon") or "").strip()
        if icon.isascii() and icon.isdigit() and int(icon) < 1000:
            e.icon_id = int(icon)
        expiry = _kpx_time(el.findtext("expire"))
        e.times = kdbx.Times(
            creation=_kpx_time(el.findtext("creation")),
            last_modification=_kpx_time(el.findtext("lastmod")),
            last_access=_kpx_time(el.findtext("lastaccess")),
            expiry=expiry,
            expires=expiry is not None,
        )
        data_text, desc = el.findtext("bin"), el.findtext("bindesc")
        if data_text and data_text.strip():
            try:
                data = base64.b64decode("".join(data_text.split()), validate=True)
            except (binascii.Error, ValueError):
                raise KdbxFormatError("an attachment holds invalid base64") from None
            e.attachments.append(kdbx.Attachment(desc or "attachment", data))
        e.extra.extend(c for c in el if c.tag not in _KPX_KNOWN)
        return e


def _is_keepassx(head: bytes) -> bool:
    """A KeePassX export without its DOCTYPE: a ``<database>`` of ``<group>`` elements."""
    return b"<database>" in head and b"<group>" in head and _MARKER not in head


class KeePassXXmlAdapter:
    info: Final = AdapterInfo(
        key="keepassx-xml",
        app="KeePassX 0.4",
        format="KeePassX XML export (read)",
        versions="KeePassX 0.4.x (<!DOCTYPE KEEPASSX_DATABASE>)",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "file"}),
        how_to_export=(
            "KeePassX 0.4: File → Export to → KeePassX XML File. The file is unencrypted: "
            "delete it after the migration."
        ),
        extensions=(".xml",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        head = _xml_head(sample)
        if _KPX_DOCTYPE in head:
            return Confidence.CERTAIN
        return Confidence.LIKELY if _is_keepassx(head) else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        location = sample.name or None
        _check_size(sample, options)
        builder = _KeePassXBuilder(sample.name)
        try:
            root = parse_xml_guarded(_blank_doctype(sample.data))
            if root.tag != "database":
                raise KdbxFormatError("not a KeePassX XML export (no database element)")
            db = kdbx.Database()
            db.root = kdbx.Group(uuid=uuid.uuid5(_KPX_NS, "root"), name="Root")
            for child in root:
                if child.tag == "group":
                    db.root.groups.append(builder.group(child, "", 1))
                elif child.tag == "entry":
                    db.root.entries.append(builder.entry(child, ""))
        except CxkitError as exc:
            exc.location = f"{sample.name}: {exc.location}" if exc.location else location
            raise
        except RecursionError:
            raise KdbxFormatError("the XML is nested too deeply", location=location) from None
        report.warnings.extend(builder.warnings)
        return database_to_document(db, report, attachments=options.attachments)
