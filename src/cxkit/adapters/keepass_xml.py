"""KeePass 2 XML exports (unencrypted; read only; ``formats/keepass.md`` §5).

KeePass 2's "KeePass XML (2.x)" export is the KDBX payload in clear: the same ``KeePassFile``
document, values the user protects marked ``ProtectInMemory="True"`` but written in plain text.
It is parsed with the KDBX module's guarded XML parser (any DOCTYPE/ENTITY refused) and its
document reader, then mapped to CXF by the KDBX adapter's own mapping
(:func:`cxkit.adapters.keepass.database_to_document`), so an XML export and the database it came
from give the same CXF: groups → collections, URL + ``KP2A_URL*``, every TOTP convention,
notes, custom strings (concealed when protected), attachments, passkeys from
``KPEX_PASSKEY_*``; history, recycle bin and the rest reported the same way.
"""

from __future__ import annotations

import base64
from typing import Final
from xml.etree.ElementTree import Element

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.keepass import database_to_document
from cxkit.adapters.report import MigrationReport
from cxkit.errors import CxkitError, InputTooLargeError
from cxkit.kdbx._xml import parse_xml_guarded, read_document
from cxkit.kdbx.errors import KdbxFormatError

__all__ = ["KeePassXmlAdapter"]

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
        head = sample.data[:_HEAD]
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return Confidence.NO
        return Confidence.CERTAIN if _MARKER in head else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        location = sample.name or None
        if len(sample.data) > options.max_size:
            raise InputTooLargeError(
                f"the XML export is larger than {options.max_size:,} bytes", location=location
            )
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
