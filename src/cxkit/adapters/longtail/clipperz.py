"""Clipperz "HTML + JSON" export (``formats/other-managers.md`` §6; ``exports/clipperz/
pass-import/clipperz.html``): an HTML page listing the cards, with the data as JSON in its
``<textarea>`` (HTML-escaped): an array of cards ``{label, data: {notes, directLogins},
currentVersion: {fields: {<hash>: {label, value, actionType, hidden}}}}``. The label is the
title, then `` \\ue009`` and the card's tags (space separated). Fields labelled ``username``/
``password``/``url`` (or of ``actionType`` ``PASSWORD``/``URL``) are the login; the others are
custom fields (``hidden`` ones concealed). ``directLogins`` (the bookmarklet's form
descriptions) are not carried.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.input import parse_json
from cxkit.adapters.kit.records import JsonRecordReader
from cxkit.adapters.kit.targets import HOOK, NOTE, Column, RecordError, Target
from cxkit.adapters.kit.values import scalar_text
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError

__all__ = ["ClipperzHtmlAdapter"]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_TEXTAREA: Final = re.compile(rb"<textarea[^>]*>(.*?)</textarea>", re.DOTALL | re.IGNORECASE)
_TAG_MARK: Final = " \ue009"
_LOGIN_LABELS: Final = {"username": "u", "user": "u", "login": "u", "email": "u",
                        "password": "p", "url": "l", "website": "l"}  # fmt: skip


class ClipperzHtmlAdapter(JsonRecordReader):
    info = AdapterInfo(
        key="clipperz-html",
        app="Clipperz",
        format="HTML + JSON export",
        versions="all",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "custom-fields"}),
        how_to_export="Clipperz: Data → Export → HTML + JSON.",
        extensions=(".html",),
    )
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "label": HOOK,
        "data.notes": NOTE,
        "data.directLogins": Column(Target.IGNORE, why="the bookmarklet's login form details"),
        "currentVersion.fields": HOOK,
    }
    rp_id = "clipperz.is"
    app = "Clipperz"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for an HTML page with a ``<textarea>`` that names Clipperz."""
        head = sample.data[:4096].lower()
        if sample.xml_root in ("html", "HTML") and b"clipperz" in head:
            return Confidence.LIKELY if b"<textarea" in sample.data.lower() else Confidence.NO
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        found = _TEXTAREA.search(sample.data)
        if found is None:
            raise AdapterError("no <textarea> with the JSON data in this Clipperz page",
                               location=sample.name or None)  # fmt: skip
        try:
            text = html.unescape(found.group(1).decode("utf-8"))
        except UnicodeDecodeError:
            raise AdapterError("the page is not UTF-8", location=sample.name or None) from None
        data = parse_json(text.encode(), name=sample.name)
        return super().read(Sample(sample.name, b"", json=data), options, report)

    def record(self, b: ItemBuilder, rec: dict[str, Any], kind: str, vault: VaultBuilder) -> None:
        label = scalar_text(rec.get("label"))
        if label is not None:
            title, mark, tags = label.partition(_TAG_MARK)
            b.set_title(Val(title, ".label"))
            if mark and tags.strip():
                b.tags(Val(tags, ".label"), tags.split())
        version = rec.get("currentVersion")
        if version is not None and not isinstance(version, dict):
            raise RecordError("member currentVersion is not an object")
        fields = version.get("fields") if version else None
        if fields is None:
            return
        if not isinstance(fields, dict):
            raise RecordError("member currentVersion.fields is not an object")
        user = password = None
        urls: list[Val] = []
        for key, field in fields.items():
            at = f".currentVersion.fields.{key}"
            if not isinstance(field, dict):
                raise RecordError("a member of currentVersion.fields is not an object")
            name = scalar_text(field.get("label")) or ""
            value = scalar_text(field.get("value"))
            for member in field:
                if member not in ("label", "value"):
                    b.rec(f"{at}.{member}", _MEMBER, "", "how Clipperz shows the field")
            if name:
                b.rec(f"{at}.label", _MEMBER, "", "the field's name")
            if not value:
                if value is None and field.get("value") is not None:
                    raise RecordError("a field's value is not a text")
                if value == "":
                    b.rec(f"{at}.value", _NOT_CARRIED, "", "empty")
                continue
            role = _LOGIN_LABELS.get(name.lower())
            action = field.get("actionType")
            v = Val(value, f"{at}.value")
            if role == "u" and user is None:
                user = v
            elif (role == "p" or action == "PASSWORD") and password is None and role != "l":
                password = v
            elif role == "l" or action == "URL":
                urls.append(v)
            else:
                b.custom(name or f"field {key[:8]}", v, hidden=field.get("hidden") is True)
        b.login(user, password, urls)
