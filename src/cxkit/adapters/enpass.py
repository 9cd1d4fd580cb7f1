"""Enpass: the JSON export (Enpass 6) and the CSV export, read (``formats/other-managers.md`` §3).

* ``enpass-json`` — ``{folders: [{uuid, title, parent_uuid, icon, updated_at}], items: [{uuid,
  title, subtitle, note, category, template_type, favorite, trashed, archived, auto_submit, icon,
  folders: [uuid], createdAt, updated_at, fields: [{uid, label, type, value, sensitive, order,
  deleted, history}], attachments: [{name, kind, size, data}]}]}``. Fields are read by their
  ``type``: ``username``/``email`` (the first one the login's user name), ``password``, ``url``
  (and ``.Android#`` app links), ``totp``, the card fields ``ccName``, ``ccNumber``, ``ccCvc``,
  ``ccExpiry``, ``ccPin``, ``ccType``, ``ccValidFrom`` (a CXF ``credit-card``); every other field
  is a custom field (concealed when ``sensitive``). ``section`` fields are headings, ``deleted``
  fields and field ``history`` are not carried. A passkey field names a passkey whose private
  key Enpass does not export: the report lists it to re-create. Attachments whose bytes are in
  the file become CXF ``file`` credentials; others are reported. Folders (nested by
  ``parent_uuid``) become collections; trashed items follow the kit's policy (skipped unless
  ``--include-trashed``); archived items are read, marked in the ``cxkit/enpass`` extension.
* ``enpass-csv`` — ``"Title","Field","Value","Field","Value",…,"Note"``: a title, then
  label/value pairs, then the note, in rows of varying width; the header's cell ``.........`` is literal.
  Labels ``Username``/``Login``/``E-mail``, ``Password``, ``URL``/``Website``, ``TOTP`` are the
  login's; a row with ``Cardholder``, ``CVC`` or ``Expiry date`` is a card (``Number``, ``PIN``,
  ``Type`` its members); the others become custom fields (concealed for PINs, answers,
  numbers). Report paths name each cell by its position, as the header does (``Field``,
  ``Value``, …, ``Note``, then ``column N``): a row's cells shift with its number of fields, so
  a path names a position, the record's target what the cell held.

Detection: an Enpass JSON has top-level ``items`` and ``folders`` like a Bitwarden export; it is
taken only when its first items have ``title`` with Enpass's ``fields``, ``category`` or
``template_type`` (Bitwarden items have ``name`` and a numeric ``type``).
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import hashlib
import json
import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id, stable_ids
from cxkit.adapters.kit.rawcsv import read_rows
from cxkit.adapters.kit.records import JsonRecordReader, Records
from cxkit.adapters.kit.targets import (
    CREATED,
    FAVORITE,
    HOOK,
    IGNORE,
    MODIFIED,
    NOTE,
    TITLE,
    Column,
    RecordError,
    Target,
    skip_reason,
)
from cxkit.adapters.kit.typed import Parts
from cxkit.adapters.kit.values import scalar_text
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError

__all__ = ["EnpassCsvAdapter", "EnpassJsonAdapter"]

EXTENSION: Final = "cxkit/enpass"
RP_ID: Final = "enpass.io"
_MEMBER: Final = Disposition.MEMBER
_EXT: Final = Disposition.EXTENSION
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_CARD: Final = {
    "ccName": "full_name", "ccNumber": "number", "ccCvc": "verification_number",
    "ccExpiry": "expiry_date", "ccPin": "pin", "ccType": "card_type",
    "ccValidFrom": "valid_from",
}  # fmt: skip
_MAX_ATTACHMENT: Final = 64 << 20
_HOW_TO: Final = (
    "Enpass 6: File → Export → JSON (recommended: folders, cards, TOTP, attachments) or CSV "
    "(titles, fields and notes only). Trashed items are skipped unless --include-trashed. "
    "Passkeys are listed in the export without their keys: re-create them on each site."
)

#: One read's folder paths by uuid and the attachments' bytes (an adapter serves every read).
_READ: contextvars.ContextVar[tuple[dict[str, tuple[str, ...]], dict[str, bytes]]] = (
    contextvars.ContextVar("enpass_read")
)


def _folder_paths(folders: Any) -> dict[str, tuple[str, ...]]:
    """uuid → the names of the folder's path (parents by ``parent_uuid``; a cycle stops)."""
    if not isinstance(folders, list):
        return {}
    by_id: dict[str, tuple[str, str]] = {}
    for folder in folders:
        if isinstance(folder, dict) and isinstance(folder.get("uuid"), str):
            title = scalar_text(folder.get("title")) or ""
            parent = folder.get("parent_uuid")
            by_id[folder["uuid"]] = (title.strip(), parent if isinstance(parent, str) else "")
    paths: dict[str, tuple[str, ...]] = {}
    for uuid in by_id:
        names: list[str] = []
        seen: set[str] = set()
        at = uuid
        while at in by_id and at not in seen and len(names) < 200:
            seen.add(at)
            title, at = by_id[at]
            names.append(title)
        paths[uuid] = tuple(n for n in reversed(names) if n)
    return paths


class EnpassJsonAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="enpass-json",
        app="Enpass",
        format="JSON export (read)",
        versions="Enpass 6",
        capabilities=Capability.READ,
        credential_types=frozenset(
            {"basic-auth", "note", "totp", "credit-card", "custom-fields", "file"}
        ),
        how_to_export=_HOW_TO,
        extensions=(".json",),
    )
    records = (Records(("items",), "item"),)
    id_member = "uuid"  # the item id derives from it (stable across exports)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE,
        "note": NOTE,
        "favorite": FAVORITE,
        "createdAt": CREATED,
        "updated_at": MODIFIED,
        "uuid": HOOK,
        "subtitle": HOOK,
        "category": HOOK,
        "template_type": HOOK,
        "trashed": HOOK,
        "archived": HOOK,
        "folders": HOOK,
        "fields": HOOK,
        "attachments": HOOK,
        "icon": Column(IGNORE, why="the icon Enpass shows"),
        "auto_submit": Column(IGNORE, why="Enpass's autofill setting"),
        "last_used": Column(IGNORE, why="when Enpass last filled it"),
        "field_updated_at": Column(IGNORE, why="Enpass's bookkeeping"),
    }
    rp_id = RP_ID
    app = "Enpass"
    item_extension = EXTENSION
    tag_separator = None

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY when the first ``items`` all have a ``title`` and Enpass's ``fields``,
        ``category`` or ``template_type`` (never Bitwarden's ``name`` + numeric ``type``)."""
        if "items" not in sample.json_keys:
            return Confidence.NO
        entries = sample.json_entries("items", 3)
        if not entries or not all(isinstance(e, dict) for e in entries):
            return Confidence.NO
        enpass = {"fields", "category", "template_type"}
        if all("title" in e and enpass & e.keys() for e in entries):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        top = sample.parsed_json()
        sample.json = top
        folders = _folder_paths(top.get("folders")) if isinstance(top, dict) else {}
        token = _READ.set((folders, options.attachments))
        try:
            return super().read(sample, options, report)
        finally:
            _READ.reset(token)

    def outside(self, top: Any, report: MigrationReport, name: str) -> None:
        if isinstance(top, dict) and isinstance(top.get("folders"), list):
            for index, folder in enumerate(top["folders"]):
                at = f"$.folders[{index}]"
                if isinstance(folder, dict) and "title" in folder:
                    report.add_field(at, "", _MEMBER, "collection",
                                     "a folder (the collection of its items)")  # fmt: skip
                else:
                    report.add_field(at, "", _NOT_CARRIED, "", "not a folder object")
            top = {k: v for k, v in top.items() if k != "folders"}
        super().outside(top, report, name)

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        folders, attachments = _READ.get()
        if rec.get("uuid") is not None:
            b.rec(".uuid", _MEMBER, "item.id", "the item id derives from it")
        for member in ("category", "template_type", "subtitle"):
            text = scalar_text(rec.get(member))
            if text:
                b.ext[member] = text
                b.rec(f".{member}", _EXT, f"extension.{member}")
            elif member in rec:
                b.rec(f".{member}", _NOT_CARRIED, "", "empty")
        for member in ("trashed", "archived"):
            value = rec.get(member)
            if value is None:
                continue
            if value not in (0, False, "0", ""):
                if member == "trashed":
                    b.trashed(Val(str(value), ".trashed"))
                else:
                    b.ext["archived"] = True
                    b.rec(".archived", _EXT, "extension.archived", "archived in Enpass")
            else:
                b.rec(f".{member}", _MEMBER, "item", f"not {member}")
        self._folders(b, rec.get("folders"), folders)
        self._fields(b, rec.get("fields"))
        self._attachments(b, rec.get("attachments"), attachments)

    def _folders(self, b: ItemBuilder, value: Any, folders: dict[str, tuple[str, ...]]) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            raise RecordError("member folders is not a list")
        for index, uuid in enumerate(value):
            at = f".folders[{index}]"
            path = folders.get(uuid) if isinstance(uuid, str) else None
            if path:
                b.collection(path, at)
            else:
                b.rec(at, _NOT_CARRIED, "", "not a folder of the export")

    def _fields(self, b: ItemBuilder, fields: Any) -> None:
        if fields is None:
            return
        if not isinstance(fields, list):
            raise RecordError("member fields is not a list")
        parts = Parts(b)
        user = password = None
        urls: list[Val] = []
        totp = False
        for index, field in enumerate(fields):
            at = f".fields[{index}]"
            if not isinstance(field, dict):
                b.rec(at, _NOT_CARRIED, "", "not a field object")
                continue
            ftype = scalar_text(field.get("type")) or ""
            label = scalar_text(field.get("label")) or ftype or f"field {index + 1}"
            value = scalar_text(field.get("value"))
            if field.get("history"):
                b.rec(f"{at}.history", _NOT_CARRIED, "", "a field's earlier values")
            if field.get("deleted") not in (None, 0, False, "0"):
                b.rec(at, _NOT_CARRIED, "", "a deleted field")
                continue
            if ftype == "section":
                b.rec(at, _NOT_CARRIED, "", "a section heading of the form")
                continue
            if "passkey" in ftype.lower():
                self._passkey(b, field, value or "", at)
                continue
            if not value:
                b.rec(at, _NOT_CARRIED, "", "empty")
                continue
            v = Val(value, at)
            hidden = field.get("sensitive") in (1, True, "1")
            if ftype in ("username", "email") and user is None:
                user = v
            elif ftype == "password" and password is None:
                password = v
            elif ftype in ("url", ".Android#"):
                urls.append(v)
            elif ftype == "totp" and not totp:
                totp = b.totp(v, label=label) is not None
            elif ftype in _CARD:
                parts.put("credit-card", _CARD[ftype], v, label=label)
            else:
                b.custom(label, v, hidden=hidden or ftype in ("password", "totp"))
        b.login(user, password, urls, apps=True)
        parts.finish()

    def _passkey(self, b: ItemBuilder, field: Mapping[str, Any], value: str, at: str) -> None:
        """A passkey field: Enpass exports no private key; the relying party and user name are
        taken from the value when it is JSON (else the item's first URL)."""
        rp_id = user = ""
        try:
            data = json.loads(value) if value.strip().startswith("{") else {}
        except (ValueError, RecursionError):
            data = {}
        if isinstance(data, dict):
            rp_id = scalar_text(data.get("rpId") or data.get("rp_id") or data.get("rpID")) or ""
            user = scalar_text(data.get("username") or data.get("userName")) or ""
        if not rp_id and b.scope is not None and b.scope.urls:
            rp_id = urllib.parse.urlsplit(b.scope.urls[0]).hostname or ""
        b.lost_passkey(Val(value, at), rp_id=rp_id, username=user)

    def _attachments(self, b: ItemBuilder, value: Any, store: dict[str, bytes]) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            raise RecordError("member attachments is not a list")
        for index, entry in enumerate(value):
            at = f".attachments[{index}]"
            data = entry.get("data") if isinstance(entry, dict) else None
            if not isinstance(data, str) or not data:
                b.rec(at, _NOT_CARRIED, "", "attachment: its bytes are not in this export")
                continue
            if len(data) > _MAX_ATTACHMENT * 4 // 3 + 4:
                raise InputTooLargeError(f"an attachment is larger than {_MAX_ATTACHMENT:,} bytes")
            try:
                content = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                b.rec(at, _NOT_CARRIED, "", "attachment: its data is not base64")
                continue
            assert isinstance(entry, dict)
            name = scalar_text(entry.get("name")) or f"attachment {index + 1}"
            file_id = stable_id(self.info.key, "file", b.item_id, str(index))
            store[file_id] = content
            b.add(m.File(id=file_id, name=name, decrypted_size=len(content),
                         integrity_hash=b64.encode(hashlib.sha256(content).digest())))  # fmt: skip
            b.rec(at, _MEMBER, "file")


# =========================================================================== CSV

_CSV_HEADER: Final = ("Title", "Field", "Value", "Field", "Value", ".........", "Note")
_USER_LABELS: Final = frozenset({"username", "login", "e-mail", "email", "user name"})
_PASSWORD_LABELS: Final = frozenset({"password"})
_URL_LABELS: Final = frozenset({"url", "website", "web site"})
_TOTP_LABELS: Final = frozenset({"totp", "one-time code", "one time code", "otp"})
_HIDDEN_LABELS: Final = frozenset({"pin", "cvc", "cvv", "security code", "secret", "password",
                                   "security answer", "answer", "number"})  # fmt: skip
#: a row holding one of these labels is a credit card (Enpass's card template, in English)
_CARD_SIGNS: Final = frozenset({"cardholder", "cvc", "cvv", "expiry date"})
_CARD_LABELS: Final = {
    "cardholder": "full_name", "number": "number", "cvc": "verification_number",
    "cvv": "verification_number", "pin": "pin", "expiry date": "expiry_date",
    "type": "card_type", "valid from": "valid_from",
}  # fmt: skip


class EnpassCsvAdapter:
    info = AdapterInfo(
        key="enpass-csv",
        app="Enpass",
        format="CSV export (read)",
        versions="Enpass 5 and 6",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "totp", "custom-fields"}),
        how_to_export=_HOW_TO,
        extensions=(".csv",),
        csv_header=frozenset(_CSV_HEADER),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN on Enpass's header (with its literal ``.........`` cell)."""
        header = sample.csv_header
        if header is not None and frozenset(header) == self.info.csv_header:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        rows = read_rows(sample.data, name=name)
        header = [c.strip() for c in rows[0][1]]
        if frozenset(header) != self.info.csv_header or header[:3] != list(_CSV_HEADER[:3]):
            raise AdapterError("unexpected CSV columns (not Enpass's Title,Field,Value,…,Note)",
                               location=f"{name}:{rows[0][0]}")  # fmt: skip
        vault = VaultBuilder(report, key=self.info.key, rp_id=RP_ID, app="Enpass",
                             include_trashed=options.include_trashed)  # fmt: skip
        ids = stable_ids(self.info.key, name)

        def column(index: int) -> str:  # as the contract and a person read the header
            return header[index] if index < len(header) else f"column {index + 1}"

        for number, cells in rows[1:]:
            b = vault.item(f"{name}:{number}:", item_id=ids(number), extension=EXTENSION)
            vals = [Val(c, column(i)) for i, c in enumerate(cells)]
            try:
                self._row(b, vals)
            except InputTooLargeError:
                raise
            except (CxkitError, ValueError) as exc:
                b.fail(f"row {number} cannot be read: {skip_reason(exc)}", vals)
                continue
            vault.add(b)
        digest = hashlib.sha256(b"cxkit/enpass-csv-account").digest()[:16]
        return vault.build(account_id=b64.encode(digest))

    def _row(self, b: ItemBuilder, vals: list[Val]) -> None:
        b.set_title(vals[0])
        if len(vals) > 1:
            b.note(vals[-1])
        user = password = None
        urls: list[Val] = []
        totp = False
        pairs = vals[1:-1]
        if len(pairs) % 2:
            last = pairs.pop()
            if last.text:
                b.custom(f"field {len(pairs) // 2 + 1}", last,
                         note="a field label without a value; kept as text")  # fmt: skip
        keys = [pairs[i].text.strip().lower() for i in range(0, len(pairs), 2)]
        card = Parts(b) if _CARD_SIGNS.intersection(keys) else None
        for i in range(0, len(pairs), 2):
            label, value = pairs[i], pairs[i + 1]
            key = keys[i // 2]
            if not value.text:
                if label.text:
                    b.rec(label.at, _NOT_CARRIED, "", "a field without a value")
                continue
            if card is not None and key in _CARD_LABELS:
                member = _CARD_LABELS[key]
                card.put("credit-card", member, value, label=label.text.strip())
                target = f"credit-card.{member}"
            elif key in _USER_LABELS and user is None:
                user, target = value, "basic-auth.username"
            elif key in _PASSWORD_LABELS and password is None:
                password, target = value, "basic-auth.password"
            elif key in _URL_LABELS:
                urls.append(value)
                target = "scope.urls"
            elif key in _TOTP_LABELS and not totp:
                totp = b.totp(value, label=label.text) is not None
                target = "totp"
            else:
                shown = label.text.strip() or f"field {i // 2 + 1}"
                b.custom(shown, value, hidden=key in _HIDDEN_LABELS)
                target = f"custom-fields.{shown}"
            if label.text:
                b.rec(label.at, _MEMBER, target, "the label of the cell after it")
        b.login(user, password, urls, apps=True)
        if card is not None:
            card.finish()
