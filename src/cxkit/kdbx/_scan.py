"""A fast reader for the usual shape of a KDBX XML payload, with ElementTree as the fallback.

KeePass, KeePassXC, pykeepass and cxkit all write the payload the same way: elements without
attributes (but ``<Value Protected="True">``), no comments, CDATA or processing instructions,
optional indentation between elements. For that shape, building an ElementTree of the whole
document (half a million elements for 10 000 entries) costs more than everything else in
opening a file. This module reads such a document with anchored regular expressions that match
a whole "unit" at a time: a complete ``<String>``, ``<Times>`` block or ``<Binary Ref>``, a leaf
element, an opening or a closing tag.

:func:`read_usual` reads ``Meta``, the group tree and everything outside entries at once, and
only locates each entry; an entry's fields are read on its first use (with the rest of its
group; see :class:`_PendingEntry` and :class:`cxkit.kdbx.model._Deferred`). Protected values
are all decrypted up front, so an entry only takes its clear values by index.

Elements the model does not read field by field (``AutoType``, ``CustomData``, ``Meta``, ...)
are cut out as text and parsed by ElementTree, then given to the same per-child code as the
ElementTree path (``_Reader.entry_child``), so both paths build the same model by construction
for everything but strings, times and leaves. Anything outside the usual shape at the document
or group level makes :func:`read_usual` return ``None`` before the inner stream is touched, and
the caller parses the payload with ElementTree (:func:`cxkit.kdbx._xml.parse_xml_guarded`),
which also gives the precise error for malformed XML; inside one entry, it sends that entry
alone through ElementTree. Tests check that both paths build the same model.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import re
import uuid as _uuid
from collections.abc import Callable
from typing import Final, NamedTuple
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from cxkit.kdbx._xml import (
    _UNSET_UUID,
    MAX_GROUP_DEPTH,
    RawTimes,
    _b64d,
    _b64e,
    _bool,
    _int,
    _Reader,
    _tags,
    _time,
    _uuid_of,
    drop_layout,
    read_deleted,
    read_meta,
    where,
)
from cxkit.kdbx.errors import KdbxFormatError
from cxkit.kdbx.model import Database, Entry, Group, StringField, Times

__all__ = ["read_usual"]

# One unit of the document, after optional XML white space. Each alternative is one named outer
# group, which closes last, so ``match.lastindex`` says which alternative matched.
_WS = r"[ \t\r\n]*+"  # possessive: nothing after it can start with white space
_UNIT: Final = re.compile(
    _WS
    + "(?:"
    # <String><Key>k</Key><Value[ Protected="True"]>v</Value></String>
    r"(?P<string><String>WS<Key>(?P<skey>[^<]*+)</Key>WS<Value(?P<sprot> Protected=\"(?:True|False)\")?"
    r"(?:WS/>|>(?P<sval>[^<]*+)</Value>)WS</String>)"
    # <Binary><Key>name</Key><Value Ref="n"/></Binary>
    r"|(?P<binary><Binary>WS<Key>(?P<bkey>[^<]*+)</Key>WS<Value Ref=\"(?P<bref>[0-9]+)\"WS/>"
    r"WS</Binary>)"
    # the seven Times children in KeePass's order
    r"|(?P<times><Times>WS<CreationTime>(?P<t1>[^<]*+)</CreationTime>"
    r"WS<LastModificationTime>(?P<t2>[^<]*+)</LastModificationTime>"
    r"WS<LastAccessTime>(?P<t3>[^<]*+)</LastAccessTime>WS<ExpiryTime>(?P<t4>[^<]*+)</ExpiryTime>"
    r"WS<Expires>(?P<t5>[^<]*+)</Expires>WS<UsageCount>(?P<t6>[^<]*+)</UsageCount>"
    r"WS<LocationChanged>(?P<t7>[^<]*+)</LocationChanged>WS</Times>)"
    r"|(?P<leaf><(?P<ltag>\w+)>(?P<ltext>[^<]*+)</(?P=ltag)>)"  # <Tag>text</Tag>
    r"|(?P<empty><(?P<etag>\w+)WS/>)"  # <Tag/>
    r"|(?P<open><(?P<otag>\w+)>)"  # <Tag>
    r"|(?P<close></(?P<ctag>\w+)>)"  # </Tag>
    ")".replace("WS", _WS)
)
_G: Final = _UNIT.groupindex
_STRING, _SKEY, _SPROT, _SVAL = _G["string"], _G["skey"], _G["sprot"], _G["sval"]
_BINARY, _BKEY, _BREF = _G["binary"], _G["bkey"], _G["bref"]
_TIMES, _T1 = _G["times"], _G["t1"]
_TIMES_FIELDS: Final = tuple(range(_T1, _T1 + 7))
_LEAF, _LTAG, _LTEXT = _G["leaf"], _G["ltag"], _G["ltext"]
_EMPTY, _ETAG = _G["empty"], _G["etag"]
_OPEN, _OTAG = _G["open"], _G["otag"]
_CLOSE, _CTAG = _G["close"], _G["ctag"]

_XML_DECL: Final = re.compile(
    r"""<\?xml\s+version\s*=\s*["']1\.\d["']"""
    r"""(?:\s+encoding\s*=\s*["'](?i:utf-8)["'])?"""
    r"""(?:\s+standalone\s*=\s*["'](?:yes|no)["'])?\s*\?>"""
)
_ENTITY: Final = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_BARE_AMPERSAND: Final = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_NAMED: Final = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


class _UnusualError(Exception):
    """The document leaves the usual shape: the caller uses ElementTree instead."""


def _is_xml_char(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD)
        or 0x20 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0x10000 <= cp <= 0x10FFFF
    )


def _entity(m: re.Match[str]) -> str:
    named, dec, hexa = m.groups()
    if named is not None:
        return _NAMED[named]
    cp = int(dec) if dec is not None else int(hexa, 16)
    if not _is_xml_char(cp):
        raise _UnusualError
    return chr(cp)


def _text(t: str) -> str:
    """Character data as an XML parser reports it: line ends normalised, references resolved."""
    if "\r" in t:
        t = t.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in t:
        if _BARE_AMPERSAND.search(t):  # not well-formed: the tree path reports it
            raise _UnusualError
        t = _ENTITY.sub(_entity, t)
    return t


# An entry's usual head (KeePass, KeePassXC and cxkit order), up to the end of its Times.
_ENTRY_HEAD: Final = re.compile(
    (
        r"WS<UUID>(?P<uuid>@T)</UUID>WS<IconID>(?P<icon>@T)</IconID>WS"
        r"(?:<CustomIconUUID>(?P<ciu>@T)</CustomIconUUID>WS)?"
        r"(?:<ForegroundColor>(?P<fg>[^<]*+)</ForegroundColor>|<ForegroundColorWS/>)WS"
        r"(?:<BackgroundColor>(?P<bg>[^<]*+)</BackgroundColor>|<BackgroundColorWS/>)WS"
        r"(?:<OverrideURL>(?P<ou>[^<]*+)</OverrideURL>|<OverrideURLWS/>)WS"
        r"(?:<Tags>(?P<tags>[^<]*+)</Tags>|<TagsWS/>)WS"
        r"<Times>WS<CreationTime>(?P<t1>@T)</CreationTime>"
        r"WS<LastModificationTime>(?P<t2>@T)</LastModificationTime>"
        r"WS<LastAccessTime>(?P<t3>@T)</LastAccessTime>WS<ExpiryTime>(?P<t4>@T)</ExpiryTime>"
        r"WS<Expires>(?P<t5>@T)</Expires>WS<UsageCount>(?P<t6>@T)</UsageCount>"
        r"WS<LocationChanged>(?P<t7>@T)</LocationChanged>WS</Times>"
    )
    .replace("WS", _WS)
    .replace("@T", r"[^<&\r]*+")  # text that needs no entity or line-end handling
)
_HEAD_FIELDS: Final = tuple(
    _ENTRY_HEAD.groupindex[n] for n in ("uuid", "icon", "ciu", "fg", "bg", "ou", "tags")
)
_TIME_FIELDS: Final = tuple(_ENTRY_HEAD.groupindex[f"t{i}"] for i in range(1, 8))
_SIMPLE_TAGS: Final = re.compile(r"[^;,\s&]+(?:;[^;,\s&]+)*")
# The strings after the head, in one pass: each usual string is (key, ' Protected="True"' or
# '', text ('' for <Value/>), ''); the first other tag, as ('', '', '', tag), ends them. No
# string's text holds a '<', so that tag's first occurrence after the head is where it is.
_STRINGS: Final = re.compile(
    (
        r"<String>WS<Key>([^<]*+)</Key>WS<Value( Protected=\"(?:True|False)\")?(?:WS/>|>([^<]*+)</Value>)"
        r"WS</String>|(<[^>]*+>)"
    ).replace("WS", _WS)
)
_PROTECTED_TRUE: Final = ' Protected="True"'
_MEMO_TEXT: Final = 4096  # elements up to this long are remembered by their text ...
_MEMO_SIZE: Final = 1024  # ... this many of them
_STRING_MARKUP: Final = ("<String", "<Key", "</Key", "<Value", "</Value", "</String")
# the usual end of an entry: an empty History (or none), then </Entry>
_ENTRY_END: Final = re.compile(_WS + "</Entry>")  # a history entry's (it has no History)
_ENTRY_TAIL: Final = re.compile(
    r"WS(?:<History>WS</History>WS|<HistoryWS/>WS)?</Entry>".replace("WS", _WS)
)
# every protected value, in document order (the text of <Value Protected="True"/> is '')
_PROTECTED: Final = '<Value Protected="True"'
_PROTECTED_TEXT: Final = re.compile(r'<Value Protected="True"(?:[ \t\r\n]*/>|>([^<]*+)<)')
_ENTRY_FIELDS: Final = tuple(f.name for f in dataclasses.fields(Entry))


class _Payload:
    """One decoded payload: the structure is read at once, each entry on its first use."""

    def __init__(
        self,
        s: str,
        binaries: list[tuple[bytes, bool]],
        max_bytes: int,
        db: Database,
    ) -> None:
        self.s = s
        self.db = db
        self.reader = _Reader(binaries, max_bytes, db.warnings)
        self.clear = b""  # the clear protected values, joined in document order
        self.offsets: list[int] = [0]  # value i is clear[offsets[i]:offsets[i + 1]]
        self.clear_text: str | None = None  # the same decoded, when it is all ASCII
        self.texts: list[str] = []  # their base64 ciphertexts, until decrypt()
        self.next_value = 0  # while reading the structure: the next protected value's index
        self.entry_end = 0  # set by deferred_entry(): where its </Entry> starts
        self.memo: dict[str, Element] = {}  # element text -> a private copy of its element

    # ----------------------------------------------------------------- helpers

    def element(self, start: int, after: int, tag: str) -> tuple[Element, int]:
        """Parse the element whose start tag spans ``s[start:after]`` with ElementTree."""
        s = self.s
        close = f"</{tag}>"
        end = s.find(close, after)
        if end < 0 or s.find(f"<{tag}", after, end) >= 0:  # unclosed, or nested same name
            raise _UnusualError
        end += len(close)
        try:
            el = ET.fromstring(s[start:end])  # noqa: S314 - DTDs were refused for the payload
        except (ET.ParseError, ValueError, RecursionError):
            raise _UnusualError from None
        return el, end

    def build(self, tag: str, pos: int, depth: int = 0) -> tuple[Element, int]:
        """The element whose start tag ``<tag>`` ends at *pos*, built from units when it holds
        only elements without attributes and leaf texts (white space between them is layout,
        dropped as :func:`drop_layout` drops it); anything else raises for ElementTree."""
        if depth > 32:
            raise _UnusualError
        s = self.s
        el = Element(tag)
        while True:
            m, k, pos = _unit(s, pos)
            if k == _LEAF:
                el.append(_leaf(m.group(_LTAG), _text(m.group(_LTEXT))))
            elif k == _EMPTY:
                el.append(Element(m.group(_ETAG)))
            elif k == _OPEN:
                child, pos = self.build(m.group(_OTAG), pos, depth + 1)
                el.append(child)
            elif _closes(m, k, tag):
                return el, pos
            else:  # a String, Times or Binary unit: ElementTree
                raise _UnusualError

    def parse(self, start: int, after: int, tag: str) -> tuple[Element, int]:
        """The element whose start tag spans ``s[start:after]``: built from units when it can
        be, else parsed by ElementTree; in both cases without layout white space. Most entries
        of a database carry the very same ``AutoType`` block: a text seen before is copied
        from a private copy of what it gave (C-level deep copy, no parsing)."""
        s = self.s
        close = s.find(f"</{tag}>", after)
        text = s[start:close] if 0 <= close - start <= _MEMO_TEXT else None
        if text is not None and (memo := self.memo.get(text)) is not None:
            return memo.__deepcopy__({}), close + len(tag) + 3
        try:
            el, end = self.build(tag, after)
        except _UnusualError:
            el, end = self.element(start, after, tag)
            drop_layout(el)
        if text is not None and end == close + len(tag) + 3 and len(self.memo) < _MEMO_SIZE:
            self.memo[text] = el.__deepcopy__({})
        return el, end

    def kept(self, start: int, after: int, tag: str, i: int) -> tuple[Element, int, int]:
        """An element of an entry that the model does not read field by field (see
        :meth:`parse`), its protected values (from value *i* on) in clear; returns it, where it
        ends and the next protected value's index."""
        el, end = self.parse(start, after, tag)
        if self.s.count(_PROTECTED, start, end):
            i = self.unprotect(el, i)
        return el, end, i

    def outside_entry(self, m: re.Match[str], pos: int) -> tuple[Element, int]:
        """The element a unit begins outside any entry, as an ElementTree element."""
        start = m.start(m.lastindex or 0)
        el, end = self.other(m, pos)
        if self.s.count(_PROTECTED, start, end):
            raise _UnusualError  # protected values outside entries: the tree path handles them
        return el, end

    def other(self, m: re.Match[str], pos: int) -> tuple[Element, int]:
        """The element a unit begins that has no place of its own, as an ElementTree element."""
        k = m.lastindex
        if k == _LEAF:
            return _leaf(m.group(_LTAG), _text(m.group(_LTEXT))), pos
        if k == _EMPTY:
            return Element(m.group(_ETAG)), pos
        if k == _OPEN:
            return self.parse(m.start(k), pos, m.group(_OTAG))
        if k == _STRING:
            return self.element(m.start(k), m.start(k) + len("<String>"), "String")
        if k == _TIMES:
            return self.element(m.start(k), m.start(k) + len("<Times>"), "Times")
        if k == _BINARY:
            return self.element(m.start(k), m.start(k) + len("<Binary>"), "Binary")
        raise _UnusualError  # a closing tag out of place

    def value(self, i: int) -> str:
        off = self.offsets
        return self.clear[off[i] : off[i + 1]].decode("utf-8", "replace")

    def unprotect(self, el: Element, i: int) -> int:
        """Give the protected values inside *el* (from value *i* on) their clear text, as the
        tree path does (base64 of the clear bytes); returns the next value's index."""
        off = self.offsets
        for sub in el.iter():
            if sub.get("Protected") == "True":
                if sub.text:
                    sub.text = _b64e(self.clear[off[i] : off[i + 1]]).decode("ascii")
                i += 1
        return i

    # ----------------------------------------------------------------- the document

    def document(self) -> bytes | None:
        """Read everything but the entries' contents; returns Meta's ``HeaderHash``."""
        s = self.s
        match = _UNIT.match
        decl = _XML_DECL.match(s)
        pos = decl.end() if decl else 0
        texts = self.texts = self.protected_texts()
        m = match(s, pos)
        if m is None or m.lastindex != _OPEN or m.group(_OTAG) != "KeePassFile":
            raise _UnusualError
        pos = m.end()
        db = self.db
        header_hash: bytes | None = None
        seen_meta = seen_root = False
        while True:
            m, k, pos = _unit(s, pos)
            if _closes(m, k, "KeePassFile"):
                break
            tag = m.group(_OTAG) if k == _OPEN else None
            if tag == "Meta" and not seen_meta and not seen_root:
                el, pos = self.outside_entry(m, pos)
                binaries, header_hash = read_meta(
                    db, el, self.reader.binaries, self.reader.max_bytes
                )
                self.reader.binaries = binaries
                seen_meta = True
            elif tag == "Root" and not seen_root:
                pos = self.root(pos)
                seen_root = True
            else:
                el, pos = self.outside_entry(m, pos)
                if el.tag in ("Meta", "Root"):  # a second one, Meta after Root, <Root/>, ...
                    raise _UnusualError
                db.extra.append(el)
        if s[pos:].strip(" \t\r\n") or self.next_value != len(texts):
            raise _UnusualError
        return header_hash

    def protected_texts(self) -> list[str]:
        """The ciphertext of every protected value, in order; refuses (to the tree path) a
        ``Protected`` attribute spelt or placed otherwise, whose value would be misnumbered."""
        s = self.s
        texts = _PROTECTED_TEXT.findall(s)
        usual = len(texts) + s.count('<Value Protected="False"')
        n = s.count("Protected")
        if n != len(texts) and n != usual and _in_tags(s, "Protected") != usual:
            raise _UnusualError
        return texts

    def decrypt(self, stream_update: Callable[[bytes], bytes]) -> None:
        """Decrypt every protected value with one keystream call, in document order."""
        texts, self.texts = self.texts, []
        if not texts:
            return
        try:
            raws = list(map(_b64d, texts))
        except ValueError:
            raise _UnusualError from None  # the tree path reports invalid base64
        self.clear = stream_update(b"".join(raws))
        self.offsets = [0, *itertools.accumulate(map(len, raws))]
        if self.clear.isascii():  # then byte offsets are character offsets
            self.clear_text = self.clear.decode("ascii")

    def root(self, pos: int) -> int:
        s = self.s
        db = self.db
        seen_group = False
        while True:
            m, k, pos = _unit(s, pos)
            if _closes(m, k, "Root"):
                return pos
            if k == _OPEN and m.group(_OTAG) == "Group" and not seen_group:
                db.root, pos = self.group(pos, 0)
                seen_group = True
                continue
            el, pos = self.outside_entry(m, pos)
            if el.tag == "DeletedObjects":
                read_deleted(db, el)
            elif el.tag == "Group" and not seen_group:  # <Group/>
                db.root = self.reader.group(el)
                seen_group = True
            else:
                db.extra.append(el)

    def group(self, pos: int, depth: int) -> tuple[Group, int]:
        if depth > MAX_GROUP_DEPTH:
            raise _UnusualError  # the tree path gives the error
        s = self.s
        reader = self.reader
        g = Group()
        while True:
            lt = s.find("<", pos)
            if s.startswith("<Entry>", lt) and (lt == pos or not s[pos:lt].strip(" \t\r\n")):
                # the usual unit here, found without the regular expression
                pos = lt + len("<Entry>")
                g.entries.append(self.deferred_entry(pos, g.entries))
                pos = self.entry_end + len("</Entry>")
                continue
            m, k, pos = _unit(s, pos)
            if k == _OPEN:
                tag = m.group(_OTAG)
                if tag == "Entry":
                    g.entries.append(self.deferred_entry(pos, g.entries))
                    pos = self.entry_end + len("</Entry>")
                    continue
                if tag == "Group":
                    sub, pos = self.group(pos, depth + 1)
                    g.groups.append(sub)
                    continue
            elif k == _LEAF:
                tag = m.group(_LTAG)
                if tag == "Name":
                    g.name = _text(m.group(_LTEXT))
                    continue
                if tag == "UUID":
                    g.uuid = _uuid_of(m.group(_LTEXT)) or g.uuid
                    continue
            elif k == _TIMES:
                g.times = _times(m, _TIMES_FIELDS)
                continue
            elif _closes(m, k, "Group"):
                return g, pos
            el, pos = self.outside_entry(m, pos)
            if el.tag == "Entry":  # <Entry/>
                g.entries.append(reader.entry(el))
            elif el.tag == "Group":
                g.groups.append(reader.group(el, depth + 1))
            else:
                reader.group_child(g, el)

    def deferred_entry(self, start: int, group: list[Entry]) -> Entry:
        """An entry whose fields are read on first use; sets ``entry_end`` (its ``</Entry>``).

        Locating it costs one search in the usual case: the first ``</Entry>`` is its own
        when an empty ``History`` precedes it; otherwise a ``<History>`` before it means
        that the entry's history entries close first."""
        s = self.s
        end = bound = s.find("</Entry>", start)
        if end < 0:
            raise _UnusualError
        if not _empty_history_before(s, start, end):
            h = s.find("<History>", start, end)
            if h >= 0:
                h_end = s.find("</History>", h)
                if h_end < 0 or s.find("<History", h + 9, h_end) >= 0:
                    raise _UnusualError
                end = s.find("</Entry>", h_end)
                if end < 0:
                    raise _UnusualError
                bound = h
        self.entry_end = end
        first = self.next_value
        self.next_value += s.count(_PROTECTED, start, end)
        return Entry._deferred(_PendingEntry(self, start, end, bound, first, group, False))

    # ----------------------------------------------------------------- entries

    def entry(self, e: Entry, pos: int, bound: int, in_history: bool, i: int) -> tuple[int, int]:
        """Read the entry whose ``<Entry>`` ends at *pos* into *e* (fresh); its own strings
        lie before *bound* (its ``</Entry>``, or its ``<History>``), its first protected value
        is value *i*. Returns the position after ``</Entry>`` and the next value's index."""
        s = self.s
        m = _ENTRY_HEAD.match(s, pos)
        if m is None:
            Entry.__init__(e, _UNSET_UUID)
            strings = e.strings
        else:  # every field at once (Entry.__init__ would build defaults to replace)
            uuid, icon, ciu, fg, bg, ou, tags = m.group(*_HEAD_FIELDS)
            e.uuid = _uuid_of(uuid) or _UNSET_UUID
            e.strings = strings = {}
            e.attachments = []
            if not tags:
                e.tags = []
            elif _SIMPLE_TAGS.fullmatch(tags):  # "a;b": no space, comma or reference
                e.tags = tags.split(";")
            else:
                e.tags = _tags(_text(tags))
            e.times = _deferred_times(RawTimes(m.group(*_TIME_FIELDS)))  # converted on use
            e.icon_id = int(icon) if icon.isdigit() else _int(icon)
            e.custom_icon_uuid = None if ciu is None else _uuid_of(ciu)
            e.foreground_color = _text(fg) if fg else ""
            e.background_color = _text(bg) if bg else ""
            e.override_url = _text(ou) if ou else ""
            e.history = []
            e.extra = []
            head_end = pos = m.end()
            clear, off = self.clear_text, self.offsets
            first = i
            last = s.rfind("</String>", pos, bound)  # the strings come first; the rest after
            run_end = pos if last < 0 else last + len("</String>")
            # no reference or CR among them: no string needs _text (the usual case)
            verbatim = s.find("&", pos, run_end) < 0 and s.find("\r", pos, run_end) < 0
            for key, prot, text, other in _STRINGS.findall(s, pos, run_end):
                if other:
                    if other.startswith(_STRING_MARKUP):  # a string of another shape
                        strings.clear()
                        pos, i = head_end, first  # the unit loop reads them all
                    else:
                        pos = s.find(other, pos)
                    break
                if not verbatim:
                    key = _text(key)
                if prot == _PROTECTED_TRUE:
                    strings[key] = StringField(
                        self.value(i) if clear is None else clear[off[i] : off[i + 1]], True
                    )
                    i += 1
                else:
                    strings[key] = StringField(text if verbatim else _text(text))
            else:
                pos = run_end
            if s.startswith("<AutoType>", pos):  # what usually follows the strings
                auto_type, pos, i = self.kept(pos, pos + len("<AutoType>"), "AutoType", i)
                e.extra.append(auto_type)
            if (t_end := (_ENTRY_END if in_history else _ENTRY_TAIL).match(s, pos)) is not None:
                return _closed(e, t_end.end()), i
        entry_child = self.reader.entry_child
        while True:
            m, k, pos = _unit(s, pos)
            start = m.start(k)
            if k == _STRING:
                key, prot, text = m.group(_SKEY, _SPROT, _SVAL)
                key = _text(key)
                if prot == _PROTECTED_TRUE:
                    strings[key] = StringField(self.value(i), True)
                    i += 1
                else:
                    strings[key] = StringField(_text(text) if text else "")
                continue
            if k == _BINARY:
                name, ref = m.group(_BKEY, _BREF)
                self.reader.attach(e, _text(name), ref)
                continue
            if k == _LEAF:
                tag, text = m.group(_LTAG, _LTEXT)
                if tag == "UUID":
                    e.uuid = _uuid_of(text) or e.uuid
                    continue
                el: Element = _leaf(tag, _text(text))
            elif k == _TIMES:
                e.times = _times(m, _TIMES_FIELDS)
                continue
            elif k == _EMPTY:
                el = Element(m.group(_ETAG))
            elif k == _OPEN:
                tag = m.group(_OTAG)
                if tag == "History" and not in_history:
                    e.history, pos, i = self.history(pos, i)  # entries deferred
                    continue
                el, pos, i = self.kept(start, pos, tag, i)
            else:  # the only unit left is a closing tag, which must be this entry's
                if not _closes(m, k, "Entry"):
                    raise _UnusualError
                return _closed(e, pos), i
            entry_child(e, el, in_history)

    def history(self, pos: int, i: int) -> tuple[list[Entry], int, int]:
        s = self.s
        entries: list[Entry] = []
        while True:
            m, k, pos = _unit(s, pos)
            if k == _OPEN and m.group(_OTAG) == "Entry":  # deferred too, as history is
                end = s.find("</Entry>", pos)  # seldom read: no entry inside a history entry
                if end < 0 or s.find("<Entry", pos, end) >= 0:
                    raise _UnusualError
                n = s.count(_PROTECTED, pos, end)
                entries.append(
                    Entry._deferred(_PendingEntry(self, pos, end, end, i, entries, True))
                )
                pos = end + len("</Entry>")
                i += n
            elif _closes(m, k, "History"):
                return entries, pos, i
            else:
                start = m.start(k or 0)
                el, pos = self.other(m, pos)
                if s.count(_PROTECTED, start, pos):
                    i = self.unprotect(el, i)
                if el.tag == "Entry":  # <Entry/>
                    entries.append(self.reader.entry(el, in_history=True))
                # anything else in History is ignored, as the tree path does

    def load(self, e: Entry, pending: _PendingEntry) -> None:
        """Fill the deferred entry *e*, or leave it with no field set and raise."""
        try:
            self._load(e, pending)
        except BaseException:
            for name in _ENTRY_FIELDS:  # never a half-read entry
                with contextlib.suppress(AttributeError):
                    delattr(e, name)
            raise

    def _load(self, e: Entry, pending: _PendingEntry) -> None:
        start, end, i = pending.start, pending.end, pending.first
        try:
            stop, _ = self.entry(e, start, pending.bound, pending.in_history, i)
            if stop == end + len("</Entry>"):
                return
        except _UnusualError:
            pass
        # not the usual shape: this entry's element through ElementTree, as the tree path
        try:
            el = ET.fromstring(self.s[start - len("<Entry>") : end + len("</Entry>")])  # noqa: S314
        except ET.ParseError as exc:
            raise KdbxFormatError(
                f"an entry of the database is not well-formed XML ({where(exc)} of the entry)"
            ) from None
        except (ValueError, RecursionError):
            raise KdbxFormatError("an entry of the database cannot be parsed") from None
        self.unprotect(el, i)
        tree = self.reader.entry(el, in_history=pending.in_history)
        for name in _ENTRY_FIELDS:
            setattr(e, name, getattr(tree, name))


class _PendingEntry(NamedTuple):
    """Where a deferred entry's XML is (see :class:`cxkit.kdbx.model.Entry`), and the
    entries of its group: the first use of one entry reads all of them that are still
    deferred, so a walk over a database reads each group in one go with the cyclic garbage
    collector paused (it would otherwise re-scan the growing model over and over)."""

    payload: _Payload
    start: int  # where its <Entry> ends
    end: int  # where its </Entry> starts
    bound: int  # where its own strings end at the latest (its <History>, or end)
    first: int  # the index of its first protected value
    group: list[Entry]  # its group's entries (or its entry's history)
    in_history: bool

    def load(self, entry: Entry) -> None:
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            payload = self.payload
            payload.load(entry, self)
            for other in list(self.group):
                pending = other._pending
                if type(pending) is _PendingEntry:  # (what other._resolve() does, inlined)
                    object.__setattr__(other, "__class__", Entry)
                    object.__setattr__(other, "_pending", None)
                    try:
                        payload.load(other, pending)
                    except KdbxFormatError:  # pending again: its own first use reports it
                        object.__setattr__(other, "__class__", _PENDING_ENTRY)
                        object.__setattr__(other, "_pending", pending)
        finally:
            if gc_was_enabled:
                promote_young()
                gc.enable()


def promote_young() -> None:
    """Move every object the collector tracks into its oldest generation: ``gc.freeze()``
    then ``gc.unfreeze()`` (documented; two list splices, no scan). A group's entries are
    built with the collector paused, so they all wait in the youngest generation, and the
    caller's next allocations would make the collector scan them twice (as young, then as
    middle-aged objects) although they live as long as the database: ~15 % of reading every
    field of a 10k-entry database (CPU, issue #7), about three quarters of it saved by this.
    The cost: cyclic garbage the process made just before waits for the next full
    collection. Skipped when anything is frozen already (the caller's own ``gc.freeze()``)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


_PENDING_ENTRY: Final = Entry._pending_variant
_PENDING_TIMES: Final = Times._pending_variant


def _deferred_times(raw: RawTimes) -> Times:
    """``Times._deferred(raw)``, without the class-method call (one per entry)."""
    t: Times = object.__new__(_PENDING_TIMES)
    object.__setattr__(t, "_pending", raw)
    return t


def _closed(e: Entry, end: int) -> int:
    """*end*, once *e* has a UUID (a fresh one if its XML had none, as ``Entry()`` gives)."""
    if e.uuid is _UNSET_UUID:
        e.uuid = _uuid.uuid4()
    return end


def _unit(s: str, pos: int) -> tuple[re.Match[str], int, int]:
    """The unit at *pos*: the match, which alternative it is (``lastindex``), where it ends."""
    m = _UNIT.match(s, pos)
    if m is None:
        raise _UnusualError
    return m, m.lastindex or 0, m.end()


def _closes(m: re.Match[str], k: int, tag: str) -> bool:
    """Whether the unit closes *tag*; a closing tag of another element is out of place."""
    if k != _CLOSE:
        return False
    if m.group(_CTAG) != tag:
        raise _UnusualError
    return True


def _in_tags(s: str, word: str) -> int:
    """How many times *word* occurs inside a tag (not in text: a note may say "Protected").
    Text holds no ``<``, so a tag is open where the last ``<`` is after the last ``>`` (an
    attribute value holding ``>`` would hide the rest of its tag; no KeePass writer makes one)."""
    n = 0
    i = s.find(word)
    while i >= 0:
        if s.rfind("<", 0, i) > s.rfind(">", 0, i):
            n += 1
        i = s.find(word, i + len(word))
    return n


def _empty_history_before(s: str, start: int, end: int) -> bool:
    """Whether an empty ``History`` ends ``s[start:end]`` (then no entry closes inside)."""
    tail = s[max(start, end - 48) : end].rstrip(" \t\r\n")
    if tail.endswith("</History>"):
        return tail[:-10].rstrip(" \t\r\n").endswith("<History>")
    return tail.endswith("/>") and tail[:-2].rstrip(" \t\r\n").endswith("<History")


def _leaf(tag: str, text: str) -> Element:
    el = Element(tag)
    el.text = text or None
    return el


def _times_of(t: list[str] | tuple[str, ...]) -> Times:
    return Times(
        _time(_text(t[0])),
        _time(_text(t[1])),
        _time(_text(t[2])),
        _time(_text(t[3])),
        _bool(_text(t[4])),
        _int(_text(t[5])),
        _time(_text(t[6])),
    )


def _times(m: re.Match[str], fields: tuple[int, ...]) -> Times:
    return _times_of(m.group(*fields))


def read_usual(
    payload: bytes,
    inner_binaries: list[tuple[bytes, bool]],
    max_bytes: int,
    stream_update: Callable[[bytes], bytes],
) -> tuple[Database, bytes | None] | None:
    """Read a payload in the usual shape: everything but the entries' fields at once, each
    entry's fields on its first use; ``None`` (the inner stream untouched) when the payload is
    not in the usual shape. The caller has refused DTDs and entity declarations."""
    try:
        s = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # many small acyclic objects: the cyclic GC would only re-scan them
    try:
        doc = _Payload(s, inner_binaries, max_bytes, Database())
        try:
            header_hash = doc.document()
            doc.decrypt(stream_update)
        except (_UnusualError, RecursionError):
            return None
        return doc.db, header_hash
    finally:
        if gc_was_enabled:
            gc.enable()
