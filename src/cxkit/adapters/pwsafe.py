"""Password Safe XML export (``formats/other-managers.md``: "Password Safe | XML"; the elements as
the pass-import sample ``exports/pwsafe/pass-import/pwsafe.xml`` and Password Safe's
``pwsafe.xsd`` name them): ``<passwordsafe delimiter="»" …>`` with one ``<entry id="N">`` per
record — ``group`` (levels separated by ``.``, a dot inside a name escaped as ``\\.``),
``title``, ``username``, ``password``, ``url``, ``notes`` (line breaks written as the root's
``delimiter`` character), ``email``, ``uuid``, the times ``ctimex``/``atimex``/``pmtimex``/
``rmtimex``/``xtimex``, ``pwhistory`` (old passwords), the two-factor key ``twofactorkey`` with
``totplength``/``totptimestep``, and policy settings.

The kit's example XML reader: a metadata block and a field map
(:mod:`cxkit.adapters.kit.xmlrecords`), with a hook for the notes' delimiter, the group's
escaped dots, the id, the password history (kept as hidden custom fields) and the two-factor
key.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import ClassVar, Final
from xml.etree.ElementTree import Element

from cxkit.adapters.base import AdapterInfo, Capability
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.targets import (
    CREATED,
    HOOK,
    MODIFIED,
    PASSWORD,
    TITLE,
    URL,
    USERNAME,
    Column,
    Target,
)
from cxkit.adapters.kit.xmlrecords import XmlRecordReader, children
from cxkit.adapters.report import Disposition

__all__ = ["PwsafeXmlAdapter"]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_LEVEL: Final = re.compile(r"(?<!\\)\.")
"""A group level separator: a dot not escaped by a backslash (``a\\.b`` is one level)."""


class PwsafeXmlAdapter(XmlRecordReader):
    info = AdapterInfo(
        key="pwsafe-xml",
        app="Password Safe",
        format="XML export",
        versions="3.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "totp", "custom-fields"}),
        how_to_export="Password Safe: File → Export To → XML format.",
        extensions=(".xml",),
        xml_root="passwordsafe",
    )
    record_path = "passwordsafe/entry"
    fields: ClassVar[Mapping[str, Target | Column]] = {
        "title": TITLE,
        "username": USERNAME,
        "password": PASSWORD,
        "url": URL,
        "group": HOOK,
        "ctimex": CREATED,
        "rmtimex": MODIFIED,
        "email": Column(Target.CUSTOM, label="email"),
        "pmtimex": Column(Target.CUSTOM, label="password modified"),
        "xtimex": Column(Target.CUSTOM, label="password expires"),
        "notes": HOOK,
        "uuid": HOOK,
        "pwhistory": HOOK,
        "twofactorkey": HOOK,
        "totplength": HOOK,
        "totptimestep": HOOK,
        "@id": HOOK,
        "atimex": Column(Target.IGNORE, why="when the entry was last opened"),
    }
    rp_id = "pwsafe.org"
    app = "Password Safe"
    folder_separator = "."

    def begin(self, root: Element, vault: VaultBuilder) -> None:
        vault.state["delimiter"] = root.get("delimiter") or ""

    def item_id(self, el: Element, name: str, index: int) -> str:
        """From the entry's ``uuid`` (stable across exports), else its position."""
        found = (el.findtext("uuid") or "").strip()
        return stable_id(self.info.key, found) if found else super().item_id(el, name, index)

    def record(self, b: ItemBuilder, el: Element, at: str, vault: VaultBuilder) -> None:
        delimiter: str = vault.state.get("delimiter", "")
        if el.get("id"):  # the entry's position: items keep the export's order
            b.rec("/@id", _MEMBER, "item order")
        for child, child_at in children(el):
            tag, text = child.tag, child.text or ""
            if tag == "notes":
                if delimiter and text:
                    text = text.replace(delimiter, "\n")
                if text.strip():
                    b.note(Val(text, child_at))
            elif tag == "group" and text.strip():
                levels = [part.replace("\\.", ".") for part in _LEVEL.split(text)]
                b.collection(levels, child_at)
            elif tag == "uuid" and text.strip():
                b.rec(child_at, _MEMBER, "item.id", "the item id derives from it")
            elif tag == "pwhistory":
                self._history(b, child, child_at)
        self._totp(b, el)

    def _history(self, b: ItemBuilder, el: Element, at: str) -> None:
        old = [(e.findtext("changedx") or "", e.findtext("oldpassword") or "")
               for e in el.iter("history_entry")]  # fmt: skip
        kept = [(changed, password) for changed, password in old if password]
        if not kept:
            b.rec(at, _NOT_CARRIED, "", "password history settings, no old password")
            return
        for number, (changed, password) in enumerate(kept, start=1):
            label = f"old password {number}" + (f" (until {changed})" if changed else "")
            b.custom(label, Val(password, at), hidden=True, record=number == 1,
                     note="CXF 1.0 has no password history")  # fmt: skip

    def _totp(self, b: ItemBuilder, el: Element) -> None:
        key = (el.findtext("twofactorkey") or "").strip()
        if not key:
            for tag in ("totplength", "totptimestep"):
                if (el.findtext(tag) or "").strip():
                    b.rec(f"/{tag}", _NOT_CARRIED, "", "a TOTP setting without a key")
            return
        params = {"secret": key}
        for tag, param in (("totplength", "digits"), ("totptimestep", "period")):
            text = (el.findtext(tag) or "").strip()
            if text:
                params[param] = text
                b.rec(f"/{tag}", _MEMBER, f"totp.{param}")
        uri = f"otpauth://totp/{urllib.parse.quote(b.title or 'pwsafe')}?"
        b.totp(Val(uri + urllib.parse.urlencode(params), "/twofactorkey"),
               label=self.totp_label, parser=self.totp_parser)  # fmt: skip
