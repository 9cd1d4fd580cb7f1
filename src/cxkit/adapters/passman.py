"""Passman (Nextcloud) JSON and CSV exports. The JSON export (``formats/other-managers.md``:
"Passman (Nextcloud) … JSON"; the fields as the pass-import sample ``exports/passman/pass-import/passman.json`` has them): a
top-level array of credentials ``{credential_id, guid, user_id, label, description, created,
changed, tags: [{text}], email, username, password, url, icon, renew_interval, expire_time,
delete_time, files, custom_fields: [{label, value, secret, field_type}], otp: {secret, …},
hidden, compromised}``.

The kit's example JSON reader: a metadata block and a field map
(:mod:`cxkit.adapters.kit.records`), with a hook for custom fields, the OTP object and the
trash (``delete_time`` set). Passman has tags, not folders: they become CXF item tags (a tag
may contain ``\\``, kept as written).

The CSV export (``formats/other-managers.md`` §6, ``exports/passman/pass-import/passman.csv``):
``label,username,password,email,description,tags,url,custom_fields,files`` — ``tags`` written
``[a,b]``, ``custom_fields`` and ``files`` as JSON arrays (the JSON export's objects).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.records import JsonRecordReader, RecordError
from cxkit.adapters.kit.tabular import CsvReader
from cxkit.adapters.kit.targets import (
    CREATED,
    HOOK,
    MODIFIED,
    NOTE,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.kit.values import scalar_text
from cxkit.adapters.report import Disposition
from cxkit.errors import DecodeError

__all__ = ["PassmanCsvAdapter", "PassmanJsonAdapter"]

_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_MEMBER: Final = Disposition.MEMBER
_OTP_PARAMS: Final = ("issuer", "algorithm", "digits", "period")


class PassmanJsonAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="passman-json",
        app="Passman (Nextcloud)",
        format="JSON export",
        versions="2.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "totp", "custom-fields"}),
        how_to_export=(
            "Nextcloud → Passman → Settings → Export credentials → JSON (unencrypted). Files "
            "attached to credentials are not read."
        ),
        extensions=(".json",),
    )
    record_keys = frozenset({"credential_id", "guid", "label"})
    id_member = "guid"  # the item id derives from it (stable across exports)
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "label": TITLE,
        "username": USERNAME,
        "password": PASSWORD,
        "url": URL,
        "description": NOTE,
        "email": Column(Target.CUSTOM, label="email"),
        "tags[].text": Target.TAGS,
        "created": CREATED,
        "changed": MODIFIED,
        "guid": HOOK,
        "custom_fields": HOOK,
        "otp": HOOK,
        "delete_time": HOOK,
        "expire_time": HOOK,
        "renew_interval": HOOK,
        "credential_id": Column(Target.IGNORE, why="the Passman server's row number"),
        "user_id": Column(Target.IGNORE, why="the Nextcloud account that owns the vault"),
        "icon": Column(Target.IGNORE, why="the site icon Passman fetched"),
        "hidden": Column(Target.IGNORE, why="Passman's flag of internal (shared-link) entries"),
        "compromised": Column(Target.IGNORE, why="Passman's breach check, redone by any app"),
        "files": Column(Target.IGNORE, why="attached files are not in the JSON export's reach"),
    }
    rp_id = "passman.cc"
    app = "Passman"
    tag_separator = None

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        if rec.get("guid") is not None:
            b.rec(".guid", _MEMBER, "item.id", "the item id derives from it")
        deleted = scalar_text(rec.get("delete_time"))
        if deleted is not None:
            if deleted not in ("0", ""):
                b.trashed(Val(deleted, ".delete_time"))
            else:
                b.rec(".delete_time", _MEMBER, "trash", "not in the trash")
        for member in ("expire_time", "renew_interval"):
            text = scalar_text(rec.get(member))
            if text in ("0", ""):
                b.rec(f".{member}", _NOT_CARRIED, "", "not set")
            elif text is not None:
                b.custom(member, Val(text, f".{member}"))
        self._custom_fields(b, rec.get("custom_fields"))
        self._otp(b, rec.get("otp"))

    def _custom_fields(self, b: ItemBuilder, fields: Any) -> None:
        if fields is None:
            return
        if not isinstance(fields, list):
            raise RecordError("member custom_fields is not a list")
        for index, field in enumerate(fields):
            at = f".custom_fields[{index}]"
            if not isinstance(field, dict):
                raise RecordError(f"member custom_fields[{index}] is not an object")
            label = scalar_text(field.get("label")) or f"field {index + 1}"
            value = scalar_text(field.get("value"))
            if field.get("field_type") == "file" or value is None:
                b.rec(at, _NOT_CARRIED, "", "a file field: attached files are not read")
                continue
            hidden = field.get("secret") is True or field.get("field_type") == "password"
            b.custom(label, Val(value, at), hidden=hidden)

    def _otp(self, b: ItemBuilder, otp: Any) -> None:
        if otp is None or otp == {} or otp == []:
            return
        if not isinstance(otp, dict):
            raise RecordError("member otp is not an object")
        secret = scalar_text(otp.get("secret"))
        if not secret:
            b.rec(".otp", _NOT_CARRIED, "", "no OTP secret")
            return
        params = {"secret": secret.replace(" ", "")}
        for key in _OTP_PARAMS:
            text = scalar_text(otp.get(key))
            if text:
                params[key] = text
        label = scalar_text(otp.get("label")) or "Passman"
        uri = f"otpauth://totp/{urllib.parse.quote(label)}?{urllib.parse.urlencode(params)}"
        b.totp(Val(uri, ".otp"), label=self.totp_label, parser=self.totp_parser)


_CSV_COLUMNS: Final = frozenset({"label", "username", "password", "email", "description", "tags",
                                 "url", "custom_fields", "files"})  # fmt: skip


class PassmanCsvAdapter(CsvReader):
    info = AdapterInfo(
        key="passman-csv",
        app="Passman (Nextcloud)",
        format="CSV export",
        versions="2.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export=(
            "Nextcloud → Passman → Settings → Export credentials → CSV. Files attached to "
            "credentials are not in it."
        ),
        extensions=(".csv",),
        csv_header=_CSV_COLUMNS,
        csv_headers=(_CSV_COLUMNS - {"files"},),  # (an export without the files column)
    )
    columns: ClassVar[Mapping[str, Target | Column]] = {
        "label": TITLE, "username": USERNAME, "password": PASSWORD, "url": URL,
        "description": NOTE, "email": Column(Target.CUSTOM, label="email"), "tags": HOOK,
        "custom_fields": HOOK, "files": HOOK,
    }  # fmt: skip
    rp_id = "passman.cc"
    app = "Passman"

    def row(self, b: ItemBuilder, cells: Mapping[str, str], vault: VaultBuilder) -> None:
        tags = cells["tags"].strip()
        if tags.startswith("[") and tags.endswith("]"):
            tags = tags[1:-1]
        names = [t.strip() for t in tags.split(",") if t.strip()]
        if names:
            b.tags(Val(cells["tags"], "tags"), names)
        elif cells["tags"]:
            b.rec("tags", _NOT_CARRIED, "", "no tags")
        fields = _json_list(cells["custom_fields"], "custom_fields")
        if not fields and cells["custom_fields"]:
            b.rec("custom_fields", _NOT_CARRIED, "", "no custom fields")
        for index, field in enumerate(fields):
            if not isinstance(field, dict):
                raise RecordError(f"entry {index + 1} of column custom_fields is not an object")
            label = scalar_text(field.get("label")) or f"field {index + 1}"
            value = scalar_text(field.get("value"))
            if field.get("field_type") == "file" or value is None:
                b.rec(
                    "custom_fields", _NOT_CARRIED, "", "a file field: attached files are not read"
                )
                continue
            hidden = field.get("secret") is True or field.get("field_type") == "password"
            b.custom(label, Val(value, "custom_fields"), hidden=hidden, record=index == 0)
        files = _json_list(cells.get("files", ""), "files")
        if cells.get("files"):
            why = "attached files are not in the CSV export" if files else "no files"
            b.rec("files", _NOT_CARRIED, "", why)


def _json_list(text: str, column: str) -> list[Any]:
    if not text.strip():
        return []
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        raise DecodeError(f"column {column} is not valid JSON") from None
    if not isinstance(found, list):
        raise RecordError(f"column {column} is not a JSON list")
    return found
