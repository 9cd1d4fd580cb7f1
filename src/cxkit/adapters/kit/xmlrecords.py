"""A declarative XML reader: a metadata block and a field map make an adapter (issue 12), as
:mod:`~cxkit.adapters.kit.tabular` does for CSV and :mod:`~cxkit.adapters.kit.records` for JSON.

An adapter subclasses :class:`XmlRecordReader` and declares

* ``info`` — its :class:`~cxkit.adapters.base.AdapterInfo` (``xml_root`` is the evidence);
* ``record_path`` — the records' element path from the root, ``"passwordsafe/entry"``;
* ``fields`` — child element (``"title"``, nested ``"login/user"``) or attribute (``"@id"``) →
  :class:`~cxkit.adapters.kit.targets.Target` or :class:`~cxkit.adapters.kit.targets.Column`;
  a child element that occurs several times gives several values (several ``url``);
  ``IGNORE`` and ``HOOK`` also take elements with children;
* ``rp_id`` / ``app`` — who the CXF header names as the exporter;

and, for oddities, overrides :meth:`XmlRecordReader.begin` (once, with the root element) and
:meth:`XmlRecordReader.record` (per record; ``HOOK`` fields are left to it).

The base does the rest: XML parsed safely — a document type declaration or an entity
declaration is refused before parsing (so nothing is expanded or fetched), as are UTF-16/32
inputs that would hide them; well-formedness errors give the line and column, never the text.
One :class:`~cxkit.adapters.kit.builder.ItemBuilder` per record; every non-empty element text
and attribute of a record is recorded at its path (``pwsafe.xml:/passwordsafe/entry[3]/password``,
``…/entry[3]/@id``; a repeated child ``…/url[2]``); children the map does not name become custom
fields labelled by their path; a record that cannot be read is skipped with the reason.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import ClassVar, Final
from xml.etree.ElementTree import Element

from cxkit import cxf
from cxkit.adapters.base import Confidence, ReadOptions, Sample, accepts_by_hints
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder, stable_id
from cxkit.adapters.kit.targets import (
    Column,
    MappedReader,
    RecordError,
    Target,
    column,
    skip_reason,
)
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import AdapterError, CxkitError, DecodeError, InputTooLargeError

__all__ = ["MAX_XML_DEPTH", "XmlRecordReader", "children", "parse_xml"]

_NOT_CARRIED: Final = Disposition.NOT_CARRIED
MAX_XML_DEPTH: Final = 32
"""Elements nested deeper than this below a record make the record unreadable."""


def parse_xml(data: bytes, *, name: str = "") -> Element:
    """Parse an XML export safely: no DTD, no entity declarations (refused before expat sees
    them, the approach of :func:`cxkit.kdbx._xml.parse_xml_guarded`), UTF-8 or an 8-bit
    encoding the prolog declares. Errors name the line and column, never the text."""
    where = name or None
    if b"\x00" in data[:512]:
        raise DecodeError("the XML is not UTF-8 encoded (UTF-16/32 is not read)", location=where)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DecodeError("the XML has a document type or entity declaration, which is refused",
                          location=where)  # fmt: skip
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs and entities refused above
    except ET.ParseError as exc:
        line, col = exc.position
        raise DecodeError(f"not well-formed XML (line {line}, column {col})",
                          location=f"{name}:{line}:{col}" if name else None) from None  # fmt: skip
    except (ValueError, LookupError, RecursionError):
        raise DecodeError("the XML cannot be parsed", location=where) from None


def children(el: Element, at: str = "") -> Iterator[tuple[Element, str]]:
    """The child elements of *el* with their paths (``/url``, or ``/url[2]`` for a child name
    that occurs more than once, 1-based as in XPath)."""
    counts: dict[str, int] = {}
    for child in el:  # the parser drops comments and processing instructions
        counts[child.tag] = counts.get(child.tag, 0) + 1
    seen: dict[str, int] = {}
    for child in el:
        tag = child.tag
        if counts[tag] > 1:
            seen[tag] = seen.get(tag, 0) + 1
            yield child, f"{at}/{tag}[{seen[tag]}]"
        else:
            yield child, f"{at}/{tag}"


_Index = dict[str, list[tuple[Element, str]]]


def _index(el: Element, at: str, memo: dict[int, _Index]) -> _Index:
    """The children of *el* by tag, with their paths (made once per element and read)."""
    found = memo.get(id(el))
    if found is None:
        found = {}
        for child, child_at in children(el, at):
            found.setdefault(child.tag, []).append((child, child_at))
        memo[id(el)] = found
    return found


def _resolve(
    el: Element, parts: tuple[str, ...], at: str, memo: dict[int, _Index]
) -> Iterator[tuple[Element | str, str]]:
    head, rest = parts[0], parts[1:]
    if head.startswith("@"):
        value = el.get(head[1:])
        if value is not None and not rest:
            yield value, f"{at}/{head}"
        return
    for child, child_at in _index(el, at, memo).get(head, ()):
        if rest:
            yield from _resolve(child, rest, child_at, memo)
        else:
            yield child, child_at


def _leaf_text(el: Element) -> str | None:
    """The text of an element without child elements (None when it has children)."""
    if len(el):
        return None
    return el.text or ""


class XmlRecordReader(MappedReader):
    """Base of the declarative XML readers (see the module docstring)."""

    record_path: ClassVar[str]
    fields: ClassVar[Mapping[str, Target | Column]] = {}
    record_empty = False

    def accepts(self, sample: Sample) -> Confidence:
        """The declared hints (the XML root element)."""
        return accepts_by_hints(self.info, sample)

    # ------------------------------------------------------------------ hooks

    def begin(self, root: Element, vault: VaultBuilder) -> None:
        """Called once with the root element before the records (e.g. to read a setting in
        its attributes into ``vault.state``)."""

    def record(self, b: ItemBuilder, el: Element, at: str, vault: VaultBuilder) -> None:
        """Per-record oddities, after the field map was applied (``HOOK`` fields untouched so
        far; the hook records them, at paths relative to the record such as ``/pwhistory``,
        see :func:`children`). Raise :class:`~cxkit.adapters.kit.targets.RecordError` to skip
        the record."""

    def item_id(self, el: Element, name: str, index: int) -> str:
        """The id of a record's item: :func:`stable_id` of the adapter key, file, position."""
        return stable_id(self.info.key, name, str(index))

    # ------------------------------------------------------------------ reading

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        root = parse_xml(sample.data, name=name)
        top, _, below = self.record_path.partition("/")
        if root.tag != top:
            raise AdapterError(f"the XML's root element is not <{top}>", location=name or None)
        vault = self.vault(report, options.include_trashed)
        self.begin(root, vault)
        plan = [(tuple(path.split("/")), column(spec)) for path, spec in self.fields.items()]
        for index, el in enumerate(root.iterfind(below) if below else [root], start=1):
            self._one(vault, el, plan, name, f"{name}:/{self.record_path}[{index}]", index)
        return self.document(vault)

    def _one(
        self,
        vault: VaultBuilder,
        el: Element,
        plan: list[tuple[tuple[str, ...], Column]],
        name: str,
        prefix: str,
        index: int,
    ) -> None:
        b = vault.item(prefix, item_id=self.item_id(el, name, index),
                       extension=self.item_extension)  # fmt: skip
        try:
            taken: set[str] = set()
            memo: dict[int, _Index] = {}
            found = (
                (spec, value if isinstance(value, str) else _leaf_text(value), at)
                for parts, spec in plan
                for value, at in _resolve(el, parts, "", memo)
            )
            self.apply_found(b, found, taken, "element {} has child elements")
            self.record(b, el, prefix, vault)
            for v in _leftovers(el, "", taken, 0):
                if v.text.strip():
                    b.custom(v.at.lstrip("/"), v,
                             note="not an element cxkit maps; kept as a custom field")  # fmt: skip
        except InputTooLargeError:
            raise
        except (CxkitError, ValueError) as exc:  # one record never sinks the rest
            b.rec("", _NOT_CARRIED, "", "record skipped")
            b.fail(f"record {index} cannot be read: {skip_reason(exc)}")
            return
        vault.add(b)


def _leftovers(el: Element, at: str, taken: set[str], depth: int) -> Iterator[Val]:
    """Attributes and leaf texts under *el* not under a taken path."""
    if depth > MAX_XML_DEPTH:
        raise RecordError(f"elements nest deeper than {MAX_XML_DEPTH} levels")
    for key, value in el.attrib.items():
        attr_at = f"{at}/@{key}"
        if attr_at not in taken and value.strip():
            yield Val(value, attr_at)
    for child, child_at in children(el, at):
        if child_at in taken:
            continue
        text = _leaf_text(child)
        if text is None:
            yield from _leftovers(child, child_at, taken, depth + 1)
        else:
            for key, value in child.attrib.items():
                if f"{child_at}/@{key}" not in taken and value.strip():
                    yield Val(value, f"{child_at}/@{key}")
            if text.strip():
                yield Val(text, child_at)
