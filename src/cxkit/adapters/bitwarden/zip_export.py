"""Bitwarden ZIP export with attachments (read; ``formats/bitwarden.md`` §4).

The archive holds ``data.json`` — a Bitwarden JSON export (§1; a password-protected one is
decrypted as :mod:`cxkit.adapters.bitwarden.json_export` does) — and ``attachments/<cipher id>/<file name>``.
Items go through the JSON mapping (:mod:`cxkit.adapters.bitwarden.mapping`); each attachment becomes a CXF
``file`` credential on the item whose id names its folder, with the bytes in
:attr:`ReadOptions.attachments` (CXF keeps them outside the JSON), as the Proton Pass reader
does. The archive is opened by the guarded reader (:func:`cxkit.crypto.safezip.read_zip`: no
traversal names, bounded sizes and ratios, nothing extracted to disk). Every member is accounted
for in the report: ``data.json`` leaf by leaf, each attachment as ``ZIP:member``; members that
are not part of the layout, and attachments of items not in ``data.json``, are reported as not
carried.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.bitwarden.json_export import CARRIES, open_protected
from cxkit.adapters.bitwarden.mapping import item_id_to_cxf, read_export
from cxkit.adapters.kit.input import parse_json, zip_archive
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError

__all__ = ["BitwardenZipAdapter"]

DATA: Final = "data.json"
ATTACHMENTS: Final = "attachments/"


def _attachment_parts(member: str) -> tuple[str, str] | None:
    """``attachments/<cipher id>/<file name>`` → (cipher id, file name), else None."""
    if not member.startswith(ATTACHMENTS):
        return None
    cipher, _, file_name = member[len(ATTACHMENTS) :].partition("/")
    if not cipher or not file_name or file_name.endswith("/"):
        return None
    return cipher, file_name


def _file_id(member: str) -> str:
    return b64.encode(hashlib.sha256(b"cxkit/bitwarden-file\0" + member.encode()).digest()[:16])


class BitwardenZipAdapter:
    info: Final = AdapterInfo(
        key="bitwarden-zip",
        app="Bitwarden",
        format="ZIP export with attachments (data.json + attachments/<item id>/<file name>)",
        versions="2024.8+",
        capabilities=Capability.READ,
        credential_types=CARRIES | {"file"},
        how_to_export=(
            "Bitwarden web vault or desktop app: Tools → Export vault, file format "
            "'.zip (with attachments)', enter your master password. Bitwarden itself cannot "
            "import this file; cxkit reads the items and every attachment."
        ),
        extensions=(".zip",),
        zip_members=(DATA,),
    )

    def accepts(self, sample: Sample) -> Confidence:
        names = sample.zip_names
        if names is None or DATA not in names:
            return Confidence.NO
        files = [n for n in names if n != DATA and not n.endswith("/")]
        if all(_attachment_parts(n) is not None for n in files):
            return Confidence.CERTAIN
        return Confidence.MAYBE

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        archive = zip_archive(sample.data, name=sample.name)
        names = archive.names()
        if DATA not in names:
            raise AdapterError(
                "no data.json at the top of this ZIP: not a Bitwarden export with attachments",
                location=sample.name or None,
            )
        where = f"{sample.name}: {DATA}"
        obj = parse_json(archive.read(DATA), name=where)
        if isinstance(obj, dict) and obj.get("encrypted") is True:
            obj = self._decrypt(obj, where, options, report)
        doc = read_export(obj, report, name=where, include_trashed=options.include_trashed)
        by_cipher: dict[str, list[tuple[str, str]]] = {}
        for member in names:
            if member == DATA or member.endswith("/"):
                continue
            parts = _attachment_parts(member)
            if parts is None:
                report.add_field(f"{sample.name}:{member}", "", Disposition.NOT_CARRIED, "",
                                 "not part of a Bitwarden ZIP export")  # fmt: skip
                report.warnings.append(f"{member}: not part of a Bitwarden ZIP export, ignored")
                continue
            by_cipher.setdefault(item_id_to_cxf(parts[0]), []).append((member, parts[1]))
        if not by_cipher:
            return doc
        accounts: list[m.Account] = []
        for account in doc.accounts:
            items = tuple(
                self._attach(
                    item, by_cipher.pop(item.id, []), archive, sample.name, options, report
                )
                for item in account.items
            )
            accounts.append(cxf.replace(account, items=items))
        for files in by_cipher.values():
            for member, _ in files:
                report.add_field(f"{sample.name}:{member}", "", Disposition.NOT_CARRIED, "",
                                 "no item with this id in data.json")  # fmt: skip
                report.add_credential("read", "file", member.split("/")[1], Outcome.NOT_CARRIED,
                                      "no item with this id in data.json")  # fmt: skip
        return cxf.Document(cxf.replace(doc.header, accounts=tuple(accounts)))

    @staticmethod
    def _attach(
        item: m.Item,
        files: list[tuple[str, str]],
        archive: Any,
        zip_name: str,
        options: ReadOptions,
        report: MigrationReport,
    ) -> m.Item:
        if not files:
            return item
        added: list[m.File] = []
        for member, file_name in files:
            content: bytes = archive.read(member)
            file_id = _file_id(member)
            options.attachments[file_id] = content
            index = len(item.credentials) + len(added)
            added.append(
                m.File(
                    id=file_id,
                    name=file_name,
                    decrypted_size=len(content),
                    integrity_hash=b64.encode(hashlib.sha256(content).digest()),
                )
            )
            report.add_field(f"{zip_name}:{member}", item.title, Disposition.MEMBER, "file")
            report.add_credential("read", "file", item.title, Outcome.CARRIED,
                                  key=(item.id, index))  # fmt: skip
        return cxf.replace(item, credentials=(*item.credentials, *added))

    @staticmethod
    def _decrypt(
        obj: dict[str, Any], where: str, options: ReadOptions, report: MigrationReport
    ) -> Any:
        if obj.get("passwordProtected") is not True:
            raise AdapterError(
                "data.json of this ZIP is an account-restricted export: it is encrypted with your "
                "account's key, which only Bitwarden itself can use",
                location=where,
                hint="export again choosing a password-protected or unencrypted format",
            )
        return open_protected(obj, where, options, report)
