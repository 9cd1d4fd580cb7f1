"""CXF JSON as a format like any other: Header or Account roots in, normalised Header out."""

from __future__ import annotations

from typing import Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.values import struct_fields
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import model as m

__all__ = ["CxfJsonAdapter"]

_HEADER_KEYS: Final = frozenset({"version", "exporterRpId", "accounts"})
_ACCOUNT_KEYS: Final = frozenset({"id", "username", "email", "items"})


_MEMBER: Final = Disposition.MEMBER
_CARRIED: Final = (Outcome.CARRIED, "")
_SPECS: dict[tuple[type, str], tuple[tuple[str, str, str], ...]] = {}
"""Per (struct class, member skipped): each member's attribute, path rest and wire name."""


def _spec(cls: type, skip: str) -> tuple[tuple[str, str, str], ...]:
    found = _SPECS.get((cls, skip))
    if found is None:
        found = _SPECS[(cls, skip)] = tuple(
            (f.name, f".{f.encode_name}", f.encode_name)
            for f in struct_fields(cls)
            if f.encode_name not in (skip, m.EXTRA_WIRE_NAME)
        )
    return found


def _members(obj: m.CXFStruct, skip: str) -> list[tuple[str, Disposition, str, str]]:
    """One record ``(path rest, disposition, target, note)`` per member of *obj* (known and
    unknown alike) but *skip*: CXF in, CXF out, everything is carried as it is."""
    rows = [
        (rest, _MEMBER, name, "")
        for attr, rest, name in _spec(type(obj), skip)
        if getattr(obj, attr) not in (None, ())
    ]
    for name in cxf.unknown_members(obj):
        rows.append((f".{name}", _MEMBER, name, ""))
    return rows


#: CXF in, CXF out: every leaf is written as it is, unknown members included
#: (:mod:`cxkit.adapters.kit.ledger`).
_ALL_MEMBERS: Final = ledger.Table(default=ledger.CARRIED, unknown=ledger.CARRIED)
WRITTEN: Final = ledger.Declaration(
    "CXF JSON",
    _ALL_MEMBERS,
    {},
    header=_ALL_MEMBERS,
    accounts=_ALL_MEMBERS,
    collections=_ALL_MEMBERS,
)
_EVERYTHING: Final = (ledger.ALL, "")


class CxfJsonAdapter:
    info: Final = AdapterInfo(
        key="cxf-json",
        app="FIDO CXF",
        format="CXF 1.0 JSON (Header or Account root)",
        versions="CXF 1.0 (PS 2025-08-14 + errata)",
        capabilities=(
            Capability.READ | Capability.WRITE | Capability.CXF | Capability.DETACHED_ATTACHMENTS
        ),
        credential_types=frozenset(m.CREDENTIAL_TYPES),
        how_to_import=(
            "Give it to an app that imports CXF 1.0 JSON (its 'Import' → CXF or Credential "
            "Exchange option), or read it back with cxkit. It holds every secret in plain text: "
            "import it at once and delete it, or seal it (cxkit seal) for keeping."
        ),
        how_to_export=(
            "A CXF JSON file from any exporter (or 'cxkit open' of a sealed archive). cxkit "
            "writes a Header-rooted document in the strict canonical form; unknown members and "
            "credential types are kept. Attachments ('file' credentials) travel next to the "
            "JSON, not inside it."
        ),
        extensions=(".cxf.json", ".cxf", ".json"),
        json_keys=_HEADER_KEYS,
    )

    def accepts(self, sample: Sample) -> Confidence:
        """A Header root (``version``, ``exporterRpId``, ``accounts``) or an Account root (``id``,
        ``username``, ``email``, ``items``) is CXF and nothing else (``spec/cxf.md`` §2)."""
        keys = sample.json_keys
        if keys >= _HEADER_KEYS or keys >= _ACCOUNT_KEYS:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        doc = cxf.decode(sample.data, max_size=options.max_size)
        if not options.accounting:  # a read-back whose field records nobody reads
            report.items_read += sum(len(account.items) for account in doc.header.accounts)
            return doc
        fields = report.field_records()
        made = report.credential_records().add_made
        if not doc.account_root:
            fields.add_item("$", "", _members(doc.header, "accounts"))
        for a_index, account in enumerate(doc.header.accounts):
            prefix = "$" if doc.account_root else f"$.accounts[{a_index}]"
            fields.add_item(prefix, "", _members(account, "items"))
            for i_index, item in enumerate(account.items):
                report.items_read += 1
                title, credentials = item.title, item.credentials
                rows = _members(item, "credentials")
                for c_index, credential in enumerate(credentials):
                    ctype = cxf.credential_type(credential)
                    rows.append((f".credentials[{c_index}]", _MEMBER, ctype, ""))
                fields.add_item(f"{prefix}.items[{i_index}]", title, rows)
                made("read", title, item.id, credentials, [_CARRIED] * len(credentials))
        return doc

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        WRITTEN.record_document(report, doc)  # header, accounts, collections: as they are
        made = report.credential_records().add_made  # typed when the records are looked at
        for a_index, account in enumerate(doc.accounts):
            for i_index, item in enumerate(account.items):
                report.items_written += 1
                credentials = item.credentials
                made("write", item.title, item.id, credentials, [_CARRIED] * len(credentials))
                modes = [_EVERYTHING] * len(item.credentials)
                WRITTEN.record(report, f"$.accounts[{a_index}].items[{i_index}]", item, modes)
        root = cxf.Document(doc.header)
        return cxf.encode(root, normalize=True)
