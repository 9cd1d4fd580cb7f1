"""RoboForm CSV export, read (``formats/other-managers.md`` §6, the long tail).

* Current layout: ``Name,Url,MatchUrl,Login,Pwd,Note,Folder,RfFieldsV2``. ``RfFieldsV2`` holds
  the login form's fields, one per cell — the first in the column, the others in further cells
  of the row beyond the header — each a comma-separated ``name,id,?,type,value``
  (``type`` ``pwd`` for a concealed field).
* Older layout: ``Name,Url,Login,Pwd,Note,Folder,Rf_fields`` with ``name$:type:value`` cells
  (``exports/roboform/pass-import/roboform.csv``), spilling into further cells the same way.

``Folder`` is a ``/`` path with a leading ``/``. The form fields ``User ID$`` and ``Password$``
repeat ``Login`` and ``Pwd`` (recorded as those members when they agree, kept as custom fields
when they differ); ``TOTP KEY$`` is the TOTP secret; every other form field becomes a custom
field (concealed for ``pwd``). Report paths name cells by the header, and the cells beyond it
``column N``, as the file has them.
"""

from __future__ import annotations

import hashlib
from typing import Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_ids
from cxkit.adapters.kit.rawcsv import read_rows
from cxkit.adapters.kit.targets import skip_reason
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import b64
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError

__all__ = ["COLUMNS", "OLD_COLUMNS", "RoboFormCsvAdapter"]

COLUMNS: Final = ("Name", "Url", "MatchUrl", "Login", "Pwd", "Note", "Folder", "RfFieldsV2")
OLD_COLUMNS: Final = ("Name", "Url", "Login", "Pwd", "Note", "Folder", "Rf_fields")
_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_USER: Final = "User ID$"
_PASSWORD: Final = "Password$"  # noqa: S105 - a form field's name
_TOTP: Final = "TOTP KEY$"
_NO_NAME: Final = "-no-name-"
MAX_FOLDER_DEPTH: Final = 200


def _field_v2(text: str) -> tuple[str, str, str] | None:
    """An ``RfFieldsV2`` cell → (name, type, value), or None when it is not one."""
    parts = text.split(",", 4)
    if len(parts) < 5:
        return None
    return parts[0], parts[3], parts[4]


def _field_v1(text: str) -> tuple[str, str, str] | None:
    """An ``Rf_fields`` cell ``name$:type:value`` (or ``name:value:rck:…``) → (name, type,
    value), or None."""
    name, sep, rest = text.partition("$:")
    if sep:
        kind, sep, value = rest.partition(":")
        return (name + "$", kind, value) if sep else None
    parts = text.split(":")
    if len(parts) == 4 and parts[2] == "rck":
        return parts[0], "rck", parts[1]
    if len(parts) >= 3:
        return parts[0], parts[1], ":".join(parts[2:])
    return None


class RoboFormCsvAdapter:
    info = AdapterInfo(
        key="roboform-csv",
        app="RoboForm",
        format="CSV export (read)",
        versions="RoboForm 8/9 (RfFieldsV2) and older (Rf_fields)",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "totp", "custom-fields"}),
        how_to_export=(
            "RoboForm: Options → Data & Sync → Export → CSV file (logins, with their form "
            "fields). Identities, safenotes and passkeys are not in the CSV."
        ),
        extensions=(".csv",),
        csv_header=frozenset(COLUMNS),
        csv_headers=(frozenset(OLD_COLUMNS),),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN on either header (exact set of names)."""
        header = sample.csv_header
        if header is not None and frozenset(header) in (self.info.csv_header,
                                                       *self.info.csv_headers):  # fmt: skip
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        rows = read_rows(sample.data, name=name)
        header = [c.strip() for c in rows[0][1]]
        if frozenset(header) not in (self.info.csv_header, *self.info.csv_headers) or len(
            header
        ) != len(set(header)):
            raise AdapterError(
                "unexpected CSV columns (not RoboForm's)",
                location=f"{name}:{rows[0][0]}",
                hint="expected: " + ",".join(COLUMNS) + " | " + ",".join(OLD_COLUMNS),
            )
        index = {c: i for i, c in enumerate(header)}
        vault = VaultBuilder(report, key=self.info.key, rp_id="roboform.com", app="RoboForm",
                             include_trashed=options.include_trashed)  # fmt: skip
        ids = stable_ids(self.info.key, name)

        def column(i: int) -> str:
            return header[i] if i < len(header) else f"column {i + 1}"

        for number, cells in rows[1:]:
            b = vault.item(f"{name}:{number}:", item_id=ids(number))
            vals = [Val(c, column(i)) for i, c in enumerate(cells)]
            try:
                self._row(b, vals, index)
            except InputTooLargeError:
                raise
            except (CxkitError, ValueError) as exc:
                b.fail(f"row {number} cannot be read: {skip_reason(exc)}", vals)
                continue
            vault.add(b)
        digest = hashlib.sha256(b"cxkit/roboform-csv-account").digest()[:16]
        return vault.build(account_id=b64.encode(digest))

    def _row(self, b: ItemBuilder, vals: list[Val], index: dict[str, int]) -> None:
        def get(column: str) -> Val:
            i = index.get(column)
            return vals[i] if i is not None and i < len(vals) else Val("", column)

        b.set_title(get("Name"))
        login, pwd = get("Login"), get("Pwd")
        urls = [v for v in (get("Url"), get("MatchUrl")) if v.text.strip()]
        if len(urls) == 2 and urls[0].text.strip() == urls[1].text.strip():
            b.rec(urls[1].at, _MEMBER, "scope.urls", "the same as Url")
            urls = urls[:1]
        b.login(login, pwd, urls, apps=False)
        b.note(get("Note"))
        folder = get("Folder")
        if folder.text.strip():
            path = [p for p in folder.text.split("/") if p.strip()]
            if len(path) > MAX_FOLDER_DEPTH:
                raise InputTooLargeError(
                    f"a Folder path is nested more than {MAX_FOLDER_DEPTH} deep"
                )
            b.collection(path, folder.at, "collection.title")
        v2 = "RfFieldsV2" in index
        first = index["RfFieldsV2" if v2 else "Rf_fields"]
        totp = False
        for n, v in enumerate(vals[first:]):
            if not v.text:
                continue
            found = _field_v2(v.text) if v2 else _field_v1(v.text)
            if found is None:
                b.custom(f"field {n + 1}", v, hidden=True,
                         note="not a RoboForm form field cxkit can read; kept as hidden text")  # fmt: skip
                continue
            fname, ftype, value = found
            if not value:
                b.rec(v.at, _NOT_CARRIED, "", "a form field without a value")
                continue
            if fname == _USER and value == login.text:
                b.rec(v.at, _MEMBER, "basic-auth.username", "the form's user field (= Login)")
            elif fname == _PASSWORD and value == pwd.text:
                b.rec(v.at, _MEMBER, "basic-auth.password", "the form's password field (= Pwd)")
            elif fname.startswith(_TOTP) and not totp:
                totp = b.totp(Val(value, v.at), label="TOTP") is not None
            else:
                label = f"field {n + 1}" if fname in ("", _NO_NAME) else fname.rstrip("$")
                b.custom(label, Val(value, v.at), hidden=ftype == "pwd" or fname == _PASSWORD)
