"""Revelation XML export (plain; ``formats/other-managers.md`` §6; ``exports/revelation/
pass-import/revelation*.xml``): ``<revelationdata>`` with nested ``<entry type="…">``; an entry
of type ``folder`` holds entries (the folder path becomes collections), any other type is an
item: ``name``, ``description``, ``updated`` (epoch seconds), ``notes`` and ``<field id="…">``
values — ``generic-username``/``generic-password`` (the login; ``generic-pin`` and
``generic-code`` are the password of a door lock or a phone), ``generic-url`` (and a
``generic-hostname`` that is an ``http(s)://`` URL) the item's URL, a ``creditcard`` entry's
``creditcard-*`` fields and ``generic-pin`` a CXF credit card; every other field (host, port,
database, domain, e-mail, location, certificate and key file paths, phone number) a custom field
named after its id. Revelation's own encrypted file (``.rvl``) is not read: export as XML.

Walked by hand on the kit (the records nest), with
:func:`~cxkit.adapters.kit.xmlrecords.parse_xml` and one item builder per entry.
"""

from __future__ import annotations

from typing import Final
from xml.etree.ElementTree import Element

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    accepts_by_hints,
)
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.targets import MappedReader, skip_reason
from cxkit.adapters.kit.values import parse_card_expiry
from cxkit.adapters.kit.xmlrecords import MAX_XML_DEPTH, children, parse_xml
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, InputTooLargeError

__all__ = ["RevelationXmlAdapter"]

_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_CARD: Final = {
    "creditcard-cardnumber": ("number", "concealed-string"),
    "creditcard-cardtype": ("card_type", "string"),
    "creditcard-ccv": ("verification_number", "concealed-string"),
    "generic-pin": ("pin", "concealed-string"),
}
_LABELS: Final = {"generic-hostname": "host", "phone-phonenumber": "phone"}
_SECRET_FIELDS: Final = frozenset({"generic-password", "generic-pin", "generic-code"})


class RevelationXmlAdapter(MappedReader):
    info = AdapterInfo(
        key="revelation-xml",
        app="Revelation",
        format="XML export",
        versions="0.4.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"basic-auth", "note", "credit-card", "custom-fields"}),
        how_to_export="Revelation: File → Export → XML (plain text).",
        extensions=(".xml",),
        xml_root="revelationdata",
    )
    rp_id = "revelation.olasagasti.info"
    app = "Revelation"

    def accepts(self, sample: Sample) -> Confidence:
        """The XML root element ``revelationdata``."""
        return accepts_by_hints(self.info, sample)

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        root = parse_xml(sample.data, name=name)
        if root.tag != "revelationdata":
            raise AdapterError("the XML's root element is not <revelationdata>",
                               location=name or None)  # fmt: skip
        vault = self.vault(report, options.include_trashed)
        self._walk(vault, root, f"{name}:/revelationdata", (), 0)
        return self.document(vault)

    def _walk(
        self, vault: VaultBuilder, el: Element, at: str, path: tuple[str, ...], depth: int
    ) -> None:
        if depth > MAX_XML_DEPTH:
            raise AdapterError(f"folders nest deeper than {MAX_XML_DEPTH} levels")
        for child, child_at in children(el, at):
            if child.tag != "entry":  # (a folder's own elements are recorded with it)
                if depth == 0 and ((child.text or "").strip() or len(child)):
                    vault.report.add_field(child_at, "", _NOT_CARRIED, "",
                                           "not an entry of the export")  # fmt: skip
                continue
            if child.get("type") == "folder":
                title = (child.findtext("name") or "").strip()
                for part, part_at in children(child, child_at):
                    if part.tag != "entry" and (part.text or "").strip():
                        disposition = _MEMBER if part.tag == "name" else _NOT_CARRIED
                        vault.report.add_field(part_at, title, disposition, "collection",
                                               "" if part.tag == "name" else "a folder's own "
                                               "detail (CXF collections have a title only)")  # fmt: skip
                vault.report.add_field(f"{child_at}/@type", title, _MEMBER, "collection")
                self._walk(vault, child, child_at, (*path, title or "(folder)"), depth + 1)
            else:
                self._item(vault, child, child_at, path)

    def _item(self, vault: VaultBuilder, el: Element, at: str, path: tuple[str, ...]) -> None:
        b = vault.item(at, item_id=stable_id(self.info.key, at))
        try:
            self._entry(b, el, path)
        except InputTooLargeError:
            raise
        except (CxkitError, ValueError) as exc:
            b.fail(f"entry {at} cannot be read: {skip_reason(exc)}")
            return
        vault.add(b)

    def _entry(self, b: ItemBuilder, el: Element, path: tuple[str, ...]) -> None:
        kind = el.get("type") or ""
        if kind:
            b.rec("/@type", _MEMBER, "item credentials", "the kind of entry")
        b.collection(path, None)
        card = kind == "creditcard"
        user = password = None
        urls: list[Val] = []
        card_values: dict[str, m.EditableField] = {}
        for child, child_at in children(el):
            text = child.text or ""
            if child.tag == "entry":
                raise AdapterError("an entry that is not a folder holds entries")
            if not text.strip():
                continue
            v = Val(text, child_at)
            field = child.get("id") or "" if child.tag == "field" else ""
            if child.tag == "name":
                b.set_title(v)
            elif child.tag == "notes":
                b.note(v)
            elif child.tag == "updated":
                b.modified(v)
            elif child.tag == "description":
                b.custom("description", v)
            elif child.tag != "field":
                b.custom(child.tag, v, note="not an element cxkit maps; kept as a custom field")
            elif card and field in _CARD:
                attr, ftype = _CARD[field]
                card_values[attr] = m.EditableField(field_type=ftype, value=text)
                b.rec(child_at, _MEMBER, f"credit-card.{attr}")
            elif card and field == "creditcard-expirydate":
                found = parse_card_expiry(text)
                if found is None:
                    b.custom("expiry date", v, note="not a month and year cxkit can read")
                else:
                    card_values["expiry_date"] = m.EditableField(
                        field_type="year-month", value=f"{found[0]:04d}-{found[1]:02d}"
                    )
                    b.rec(child_at, _MEMBER, "credit-card.expiryDate")
            elif field == "generic-username" and user is None:
                user = v
            elif field in _SECRET_FIELDS and password is None:
                password = v
            elif field == "generic-url" or (
                field == "generic-hostname"
                and text.strip().lower().startswith(("http://", "https://"))
            ):
                urls.append(v)
            else:
                label = _LABELS.get(field) or field.removeprefix("generic-") or "field"
                b.custom(label, v, hidden=field in _SECRET_FIELDS)
        b.login(user, password, urls)
        if card_values:
            b.add(m.CreditCard(**card_values))  # type: ignore[arg-type]
