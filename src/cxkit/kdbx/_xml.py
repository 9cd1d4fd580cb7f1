"""The XML payload of a KDBX file <-> :mod:`cxkit.kdbx.model`.

Parsing uses the standard library's expat-based ElementTree, behind a guard that refuses any
document type declaration (so no entity expansion and no external entities). Protected values are
decrypted in document order with the inner stream; elements kept verbatim in ``extra`` hold the
base64 of their clear value while they carry ``Protected="True"`` and are re-encrypted on write.
"""

from __future__ import annotations

import binascii
import functools
import gc
import operator
import re
import struct
import uuid as _uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from cxkit._zlib import ZlibError, zlib
from cxkit.errors import InputTooLargeError
from cxkit.kdbx.errors import KdbxFormatError
from cxkit.kdbx.model import (
    Attachment,
    CustomIcon,
    Database,
    DeletedObject,
    Entry,
    Group,
    Meta,
    StringField,
    Times,
)

_EPOCH: Final = datetime(1, 1, 1, tzinfo=UTC)
_SECOND: Final = timedelta(seconds=1)
_b64d = binascii.a2b_base64  # what base64.b64decode(s) does, without its Python wrapper
_UUID_NEW = _uuid.UUID.__new__
_SET = object.__setattr__
_SAFE_UNKNOWN = _uuid.SafeUUID.unknown
# a placeholder while an element is read (no uuid4() per entry that its UUID child replaces)
_UNSET_UUID: Final = _uuid.UUID(int=0)
MAX_GROUP_DEPTH: Final = 200


def _b64e(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False)


def refuse_unsafe_xml(data: bytes) -> None:
    """Refuse what no KeePass XML holds and an attacker might: DTDs, entity declarations, and
    UTF-16/32 (which would hide them from this byte-level check)."""
    if b"\x00" in data[:200]:
        raise KdbxFormatError("the XML is not UTF-8 encoded")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise KdbxFormatError("the XML contains a document type declaration, which is refused")


def where(exc: ET.ParseError) -> str:
    """Where expat stopped, without its message (which may quote the text, e.g. an entity)."""
    line, column = exc.position
    return f"line {line}, column {column}"


def parse_xml_guarded(data: bytes) -> Element:
    """Parse XML, refusing DTDs/entity declarations and non-UTF-8 encodings."""
    refuse_unsafe_xml(data)
    try:
        return ET.fromstring(data)  # noqa: S314 - DTDs refused above, expat never fetches
    except ET.ParseError as exc:
        raise KdbxFormatError(f"the XML payload is not well-formed ({where(exc)})") from None
    except LookupError:  # expat: an XML declaration naming an encoding Python has no codec for
        raise KdbxFormatError("the XML declares an encoding cxkit cannot read") from None
    except (ValueError, RecursionError):
        raise KdbxFormatError("the XML payload cannot be parsed") from None


# --------------------------------------------------------------------------- scalar helpers


@functools.lru_cache(maxsize=4096)
def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    if len(text) == 12 and text[-1] == "=":  # KDBX 4: seconds since 0001-01-01, int64 LE
        try:
            raw = _b64d(text)
            if len(raw) != 8:
                return None
            return _EPOCH + timedelta(seconds=int.from_bytes(raw, "little", signed=True))
        except (binascii.Error, ValueError, OverflowError):
            return None
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _uuid_of(text: str | None) -> _uuid.UUID | None:
    if not text:
        return None
    try:
        raw = _b64d(text)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 16:
        return None
    # UUID(bytes=raw) without its Python-level argument checks (the same object)
    u = _UUID_NEW(_uuid.UUID)
    _SET(u, "int", int.from_bytes(raw, "big"))
    _SET(u, "is_safe", _SAFE_UNKNOWN)
    return u


def _bool(text: str | None, default: bool = False) -> bool:
    if text is None:
        return default
    t = text.strip().lower()
    if t == "true":
        return True
    if t == "false":
        return False
    return default


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


_TAG_SEP: Final = re.compile(r"[;,]")


def _tags(text: str | None) -> list[str]:
    if not text:
        return []
    parts = text.split(";") if "," not in text else _TAG_SEP.split(text)
    return [t for t in map(str.strip, parts) if t]


# --------------------------------------------------------------------------- reading


class RawTimes(tuple[str, ...]):
    """The seven texts of a ``Times`` block in KeePass's order, as read (without references),
    converted to :class:`Times` fields on first use: most readers never look at most
    timestamps, and a writer can write untouched ones back as they were."""

    __slots__ = ()

    def load(self, times: Times) -> None:
        Times.__init__(
            times,
            _time(self[0]),
            _time(self[1]),
            _time(self[2]),
            _time(self[3]),
            _bool(self[4]),
            _int(self[5]),
            _time(self[6]),
        )

    def xml(self) -> str | None:
        """The block as a KDBX 4 writer writes it, or None when a text is not in that form
        (an ISO time of KDBX 3.1, an empty one, ``true``, ...)."""
        cr, lm, la, ex, es, uc, lc = self
        times = cr + lm + la + ex + lc  # five base64 int64: 12 characters, one "=" each
        if len(times) != 60 or times.count("=") != 5 or times[11::12] != "=====":
            return None
        if es not in ("True", "False") or not uc.isdigit() or not uc.isascii():
            return None
        return (
            f"<Times><CreationTime>{cr}</CreationTime>"
            f"<LastModificationTime>{lm}</LastModificationTime>"
            f"<LastAccessTime>{la}</LastAccessTime><ExpiryTime>{ex}</ExpiryTime>"
            f"<Expires>{es}</Expires><UsageCount>{int(uc)}</UsageCount>"
            f"<LocationChanged>{lc}</LocationChanged></Times>"
        )


_TIMES_TAGS: Final = (
    "CreationTime",
    "LastModificationTime",
    "LastAccessTime",
    "ExpiryTime",
    "Expires",
    "UsageCount",
    "LocationChanged",
)


class _Reader:
    def __init__(
        self,
        binaries: list[tuple[bytes, bool]],
        max_bytes: int,
        warnings: list[str],
        clear: dict[Element, bytes] | None = None,
        consume: bool = False,
    ) -> None:
        self.binaries = binaries
        self.max_bytes = max_bytes
        self.warnings = warnings
        self.clear: dict[Element, bytes] = clear if clear is not None else {}
        self.consume = consume

    def times(self, el: Element) -> Times:
        if len(el) == 7:  # the usual shape, in KeePass's order: no per-child dispatch
            cr, lm, la, ex, es, uc, lc = el
            if (cr.tag, lm.tag, la.tag, ex.tag, es.tag, uc.tag, lc.tag) == _TIMES_TAGS:
                return Times(
                    _time(cr.text),
                    _time(lm.text),
                    _time(la.text),
                    _time(ex.text),
                    _bool(es.text),
                    _int(uc.text),
                    _time(lc.text),
                )
        t = Times()
        for c in el:
            tag = c.tag
            if tag == "LastModificationTime":
                t.last_modification = _time(c.text)
            elif tag == "CreationTime":
                t.creation = _time(c.text)
            elif tag == "LastAccessTime":
                t.last_access = _time(c.text)
            elif tag == "ExpiryTime":
                t.expiry = _time(c.text)
            elif tag == "Expires":
                t.expires = _bool(c.text)
            elif tag == "UsageCount":
                t.usage_count = _int(c.text)
            elif tag == "LocationChanged":
                t.location_changed = _time(c.text)
        return t

    def entry(self, el: Element, *, in_history: bool = False) -> Entry:
        e = Entry(_UNSET_UUID)
        child = self.entry_child
        for c in el:
            child(e, c, in_history)
        if e.uuid is _UNSET_UUID:  # no (valid) UUID child: a fresh one, as Entry() would
            e.uuid = _uuid.uuid4()
        return e

    def entry_child(self, e: Entry, c: Element, in_history: bool) -> None:
        """Apply one child element of an ``Entry`` to *e* (unknown ones go to ``extra``)."""
        tag = c.tag
        if tag == "String":
            if len(c) == 2 and c[0].tag == "Key" and c[1].tag == "Value":
                k, v = c  # the usual shape, without two searches
                key: str | None = k.text or ""
                v_el: Element | None = v
            else:
                key = c.findtext("Key")
                v_el = c.find("Value")
            if key is None:
                return
            if v_el is None:
                e.strings[key] = StringField("")
            elif v_el.get("Protected") in ("True", "true"):
                raw = self.clear.pop(v_el, None)  # consumed: its text is never needed
                if raw is None:
                    raw = _b64d(v_el.text) if v_el.text else b""
                e.strings[key] = StringField(raw.decode("utf-8", "replace"), True)
            else:
                e.strings[key] = StringField(v_el.text or "", False)
        elif tag == "UUID":
            e.uuid = _uuid_of(c.text) or e.uuid
        elif tag == "Times":
            e.times = self.times(c)
        elif tag == "Binary":
            self.binary(c, e)
        elif tag == "IconID":
            e.icon_id = _int(c.text)
        elif tag == "Tags":
            e.tags = _tags(c.text)
        elif tag == "History" and not in_history:
            e.history = [self.entry(h, in_history=True) for h in c if h.tag == "Entry"]
        elif tag == "CustomIconUUID":
            e.custom_icon_uuid = _uuid_of(c.text)
        elif tag == "ForegroundColor":
            e.foreground_color = c.text or ""
        elif tag == "BackgroundColor":
            e.background_color = c.text or ""
        elif tag == "OverrideURL":
            e.override_url = c.text or ""
        else:
            e.extra.append(drop_layout(c))

    def binary(self, el: Element, e: Entry) -> None:
        name = el.findtext("Key")
        v = el.find("Value")
        if name is None or v is None:
            return
        ref = v.get("Ref")
        if ref is not None:
            self.attach(e, name, ref)
            return
        data = self.binary_value(v)
        e.attachments.append(Attachment(name, data, v.get("Protected") in ("True", "true")))

    def attach(self, e: Entry, name: str, ref: str) -> None:
        """Attach binary number *ref* of the pool to *e* as *name*."""
        idx = _int(ref, -1)
        if 0 <= idx < len(self.binaries):
            data, prot = self.binaries[idx]
            e.attachments.append(Attachment(name, data, prot))
        else:
            self.warnings.append(f"entry {e.uuid}: attachment {name!r} refers to a missing binary")

    def binary_value(self, v: Element) -> bytes:
        data = self.clear.get(v)
        if data is None:
            try:
                data = _b64d(v.text or "")
            except (binascii.Error, ValueError):
                raise KdbxFormatError("an attachment holds invalid base64") from None
        if _bool(v.get("Compressed")):
            data = gunzip(data, self.max_bytes)
        return data

    def group(self, el: Element, depth: int = 0) -> Group:
        if depth > MAX_GROUP_DEPTH:
            raise KdbxFormatError(f"groups are nested more than {MAX_GROUP_DEPTH} levels deep")
        g = Group()
        for c in el:
            tag = c.tag
            if tag == "Entry":
                g.entries.append(self.entry(c))
                if self.consume:
                    c.clear()  # its tree is not needed any more (kept children stay alive)
            elif tag == "Group":
                g.groups.append(self.group(c, depth + 1))
            else:
                self.group_child(g, c)
        return g

    def group_child(self, g: Group, c: Element) -> None:
        """Apply one child element (not an entry or sub-group) of a ``Group`` to *g*."""
        tag = c.tag
        if tag == "UUID":
            g.uuid = _uuid_of(c.text) or g.uuid
        elif tag == "Name":
            g.name = c.text or ""
        elif tag == "Notes":
            g.notes = c.text or ""
        elif tag == "IconID":
            g.icon_id = _int(c.text)
        elif tag == "CustomIconUUID":
            g.custom_icon_uuid = _uuid_of(c.text)
        elif tag == "Times":
            g.times = self.times(c)
        elif tag == "Tags":
            g.tags = _tags(c.text)
        else:
            g.extra.append(drop_layout(c))

    def meta(self, el: Element) -> Meta:
        m = Meta()
        for c in el:
            tag = c.tag
            if tag == "Generator":
                m.generator = c.text or ""
            elif tag == "DatabaseName":
                m.database_name = c.text or ""
            elif tag == "RecycleBinEnabled":
                m.recycle_bin_enabled = _bool(c.text, True)
            elif tag == "RecycleBinUUID":
                m.recycle_bin_uuid = _uuid_of(c.text)
            elif tag == "CustomIcons":
                for icon in c:
                    u = _uuid_of(icon.findtext("UUID"))
                    try:
                        data = _b64d(icon.findtext("Data") or "")
                    except (binascii.Error, ValueError):
                        continue
                    if u is None:
                        continue
                    m.custom_icons.append(
                        CustomIcon(
                            u,
                            data,
                            icon.findtext("Name"),
                            _time(icon.findtext("LastModificationTime")),
                        )
                    )
            elif tag in ("Binaries", "HeaderHash"):
                continue  # the binary pool is resolved into attachments; the hash is checked
            else:
                m.extra.append(drop_layout(c))
        return m


def drop_layout(el: Element) -> Element:
    """*el* without the white space that only lays out elements: its tail, and the white-space
    text before and between the children of any element that has children. The writer writes
    compact XML; a leaf's text and any other text are kept."""
    el.tail = None
    stack = [el]
    while stack:
        parent = stack.pop()
        if len(parent):
            if parent.text is not None and not parent.text.strip(" \t\r\n"):
                parent.text = None
            for child in parent:
                if child.tail is not None and not child.tail.strip(" \t\r\n"):
                    child.tail = None
                stack.append(child)
    return el


_ISIZE: Final = struct.Struct("<I")


#: Output always allowed whatever the inflation ratio (a small database compresses well).
INFLATE_FLOOR: Final = 32 << 20


def gunzip(data: bytes, max_bytes: int, max_ratio: int = 100) -> bytes:
    """Decompress gzip data, refusing more than *max_bytes* of output, or (past
    :data:`INFLATE_FLOOR`) more than *max_ratio* times the compressed size (0: no ratio);
    bounded while inflating, never after (issue #17: a 1 GiB gzip bomb)."""
    if not data:
        return b""
    if max_ratio and max(INFLATE_FLOOR, max_ratio * len(data)) < max_bytes:
        max_bytes = max(INFLATE_FLOOR, max_ratio * len(data))
        try:
            return _gunzip(data, max_bytes)
        except InputTooLargeError:
            raise InputTooLargeError(
                f"the compressed payload inflates to more than {max_ratio} times its "
                f"{len(data):,} bytes: refused while inflating (a compression bomb?)",
                hint="if you trust this file, run the command again with --raise-limits",
            ) from None
    return _gunzip(data, max_bytes)


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    # the length in the gzip trailer (mod 2**32; zlib checks it at the end) sizes the output
    # buffer in advance: twice as fast as growing it, without page faults. A wrong one (a
    # damaged file, or more than 4 GiB) costs a second call; the output stays bounded either way.
    (size,) = _ISIZE.unpack_from(data, len(data) - 4) if len(data) >= 4 else (max_bytes,)
    try:
        if size < max_bytes:
            out = d.decompress(data, size + 1)
            if len(out) > size and not d.eof:  # more than it said: go on, to the limit
                out += d.decompress(d.unconsumed_tail, max_bytes + 1 - len(out))
        else:
            out = d.decompress(data, max_bytes + 1)
    except ZlibError:
        raise KdbxFormatError("the compressed payload is corrupted") from None
    if len(out) > max_bytes:
        raise InputTooLargeError(
            f"the decompressed payload is larger than the limit of {max_bytes} bytes",
            hint="if you trust this file, run the command again with --raise-limits",
        )
    if not d.eof:
        raise KdbxFormatError("the compressed payload is truncated")
    return out


def decrypt_protected(
    root: Element,
    stream_update: Callable[[bytes], bytes],
    *,
    values_only: bool = False,
    set_text: bool = True,
) -> dict[Element, bytes]:
    """Replace every protected value's ciphertext by the base64 of its clear value, in order.

    Returns the clear bytes by element; with ``set_text=False`` the texts are left alone (the
    caller sets them, with :func:`set_clear_text`, for the elements it did not consume). The keystream is applied once to all the values joined
    (a stream cipher: the same as one call per value, in document order). ``values_only`` (the
    caller has checked that only ``Value`` elements carry the attribute) visits just those.
    """
    elements: list[Element] = []
    raws: list[bytes] = []
    for el in root.iter("Value") if values_only else root.iter():
        if el.get("Protected") in ("True", "true") and el.text:
            try:
                raws.append(_b64d(el.text))
            except (binascii.Error, ValueError):
                raise KdbxFormatError("a protected value holds invalid base64") from None
            elements.append(el)
    clear_all = stream_update(b"".join(raws))
    clear: dict[Element, bytes] = {}
    pos = 0
    for el, raw in zip(elements, raws, strict=True):
        end = pos + len(raw)
        clear[el] = clear_all[pos:end]
        pos = end
    if not set_text:
        return clear
    for el, value in clear.items():
        el.text = _b64e(value).decode("ascii")
    return clear


def set_clear_text(clear: dict[Element, bytes]) -> None:
    """Give each element left in *clear* the base64 of its clear value as its text."""
    for el, value in clear.items():
        el.text = _b64e(value).decode("ascii")


def only_values_protected(payload: bytes) -> bool:
    """Whether every ``Protected`` in the XML bytes is a ``<Value Protected="`` attribute (then
    :func:`decrypt_protected` may visit ``Value`` elements only; any doubt says no)."""
    return payload.count(b"Protected") == payload.count(b'<Value Protected="')


def read_document(
    root: Element,
    inner_binaries: list[tuple[bytes, bool]],
    max_bytes: int,
    stream_update: Callable[[bytes], bytes],
    *,
    values_only: bool = False,
    consume: bool = False,
) -> tuple[Database, bytes | None]:
    """Build the model from a parsed ``KeePassFile`` element; returns it and Meta/HeaderHash.

    ``consume=True`` (the caller drops *root* afterwards) empties each entry's element once it
    is modelled, so the tree shrinks while the model grows (a lower peak)."""
    if root.tag != "KeePassFile":
        raise KdbxFormatError("the XML payload is not a KeePassFile document")
    gc_was_enabled = gc.isenabled()
    gc.disable()  # building many small objects: the cyclic GC would only re-scan them
    try:
        return _read_document(root, inner_binaries, max_bytes, stream_update, values_only, consume)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read_document(
    root: Element,
    inner_binaries: list[tuple[bytes, bool]],
    max_bytes: int,
    stream_update: Callable[[bytes], bytes],
    values_only: bool,
    consume: bool,
) -> tuple[Database, bytes | None]:
    clear = decrypt_protected(root, stream_update, values_only=values_only, set_text=False)
    try:
        return _build(root, inner_binaries, max_bytes, clear, consume)
    finally:
        set_clear_text(clear)  # what the walk did not consume (extras, binaries) shows in clear


def _build(
    root: Element,
    inner_binaries: list[tuple[bytes, bool]],
    max_bytes: int,
    clear: dict[Element, bytes],
    consume: bool,
) -> tuple[Database, bytes | None]:
    db = Database()
    meta_el = root.find("Meta")
    binaries, header_hash = read_meta(db, meta_el, inner_binaries, max_bytes, clear)
    reader = _Reader(binaries, max_bytes, db.warnings, clear, consume)
    for c in root:
        if c.tag == "Root":
            groups = [g for g in c if g.tag == "Group"]
            if groups:
                db.root = reader.group(groups[0])
            for g in c:
                if g.tag == "DeletedObjects":
                    read_deleted(db, g)
                elif g.tag != "Group" or g is not groups[0]:
                    db.extra.append(drop_layout(g))
        elif c.tag != "Meta":
            db.extra.append(drop_layout(c))
    return db, header_hash


def read_meta(
    db: Database,
    meta_el: Element | None,
    inner_binaries: list[tuple[bytes, bool]],
    max_bytes: int,
    clear: dict[Element, bytes] | None = None,
) -> tuple[list[tuple[bytes, bool]], bytes | None]:
    """Read ``Meta`` into ``db.meta``; returns the binary pool (KDBX 4's inner-header binaries,
    or 3.1's ``Meta/Binaries``) and the stored ``HeaderHash`` (3.1), if any."""
    binaries = list(inner_binaries)
    header_hash: bytes | None = None
    if meta_el is None:
        return binaries, header_hash
    pool = meta_el.find("Binaries")
    if pool is not None:
        reader = _Reader([], max_bytes, db.warnings, clear)
        by_id: dict[int, tuple[bytes, bool]] = {}
        for b in pool:
            by_id[_int(b.get("ID"), len(by_id))] = (
                reader.binary_value(b),
                _bool(b.get("Protected")),
            )
        if by_id:
            binaries = [by_id.get(i, (b"", False)) for i in range(max(by_id) + 1)]
    hh = meta_el.findtext("HeaderHash")
    if hh:
        try:
            header_hash = _b64d(hh)
        except (binascii.Error, ValueError):
            header_hash = b""
    db.meta = _Reader(binaries, max_bytes, db.warnings, clear).meta(meta_el)
    return binaries, header_hash


def read_deleted(db: Database, el: Element) -> None:
    """Append the ``DeletedObject`` children of *el* to ``db.deleted_objects``."""
    for d in el:
        u = _uuid_of(d.findtext("UUID"))
        if u is not None:
            db.deleted_objects.append(DeletedObject(u, _time(d.findtext("DeletionTime"))))


# --------------------------------------------------------------------------- writing

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_VALUE: Final = operator.attrgetter("value")


# what an ASCII text may hold without escaping: printable ASCII but & < >, and tab, LF, DEL
_PLAIN_ASCII: Final = bytes(c for c in range(0x20, 0x80) if c not in b"&<>") + b"\t\n"


def plain(s: str) -> bool:
    """Whether *s* needs no escaping (nothing ``_NEEDS_ESCAPE`` finds), quickly for ASCII."""
    if s.isascii():
        return not s.encode("ascii").translate(None, _PLAIN_ASCII)
    return _NEEDS_ESCAPE.search(s) is None


_plain: Final = plain


def _esc(s: str) -> str:
    if _NEEDS_ESCAPE.search(s) is None:  # the usual case: one scan, the string itself
        return s
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\r" in s:
        s = s.replace("\r", "&#13;")
    if _INVALID_XML.search(s):
        s = _INVALID_XML.sub("", s)
    return s


def _fmt_time(dt: datetime | None, now: datetime) -> str:
    return _fmt_time_of(now if dt is None else dt)


_PACK_INT64: Final = struct.Struct("<q").pack
_UNIX_EPOCH_IN_KDBX: Final = 62135596800  # 1970-01-01 in seconds since 0001-01-01


def _fmt_time_of(dt: datetime) -> str:
    """A KDBX 4 time: the base64 of int64 LE seconds since 0001-01-01 UTC (floored)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    # whole seconds: the float is exact, and the C path is much faster
    secs = (dt - _EPOCH) // _SECOND if dt.microsecond else int(dt.timestamp()) + _UNIX_EPOCH_IN_KDBX
    return binascii.b2a_base64(_PACK_INT64(secs), newline=False).decode("ascii")


def _fmt_uuid(u: _uuid.UUID | None) -> str:
    raw = u.int.to_bytes(16, "big") if u is not None else bytes(16)
    return binascii.b2a_base64(raw, newline=False).decode("ascii")


_NO_LOOK: Final = "<ForegroundColor/><BackgroundColor/><OverrideURL/>"
NO_LOOK: Final = _NO_LOOK
"""What the writer writes for an entry of no custom icon, colour or override URL."""
_DEFAULT_MEMORY_PROTECTION: Final = (
    "<MemoryProtection><ProtectTitle>False</ProtectTitle><ProtectUserName>False</ProtectUserName>"
    "<ProtectPassword>True</ProtectPassword><ProtectURL>False</ProtectURL>"
    "<ProtectNotes>False</ProtectNotes></MemoryProtection>"
)


_PARTS_PER_PIECE: Final = 4096  # about 450 KB of XML (a deflate piece) per call of the sink
# formatted times and Times blocks are remembered until this many distinct ones: then forgotten
# (and remembered afresh when they had been looked up again at least as often), else not any more
_PROBE: Final = 1024


_b2a: Final = binascii.b2a_base64


class PreparedEntry(tuple[str, ...]):
    """An entry already written as XML, for a writer that maps its own data straight to the
    payload (the KDBX adapter's usual item, issue #13) instead of building an :class:`Entry`:
    ``(head, creation, last_modification, xml, clear, xml, clear, xml, ...)``. *head* is the
    XML from ``<Entry>`` to ``Tags``; the two times are KDBX 4 time texts, ``""`` for the
    document's time (an :class:`Entry` whose ``Times`` holds only these two, unexpired, never
    used); then the strings: XML, alternating with each protected value in clear, which the
    writer encrypts in document order. Made by :func:`prepare_entry`; the writer writes
    exactly what it writes for the equivalent :class:`Entry` (no icon, colour, attachment,
    history or extra element). Placed in ``Group.entries`` only by a caller that hands the
    database straight to :func:`write_document_to` (it is not an :class:`Entry`)."""

    __slots__ = ()


def kdbx_time_text(seconds: int) -> str:
    """The KDBX 4 text of a time in seconds since 1970 (what the writer writes for the
    :class:`datetime` of those seconds)."""
    return _b2a(_PACK_INT64(seconds + _UNIX_EPOCH_IN_KDBX), newline=False).decode("ascii")


def prepare_entry(
    uuid_text: str,
    tags: str,
    creation: str,
    last_modification: str,
    strings: list[tuple[str, str, bool]],
) -> PreparedEntry:
    """The :class:`PreparedEntry` of an entry with UUID *uuid_text* (its base64), *tags*
    (joined by ``;``), the two times (:func:`kdbx_time_text`, or ``""``) and *strings*
    ``(key, value, protected)`` in order; texts are escaped here, once."""
    if not _plain("".join([tags, *[k if p else k + v for k, v, p in strings]])):
        # something to escape: escape every text once here (the usual entry has nothing to
        # escape and makes no call per text); a protected value is encrypted, not escaped
        esc = _esc
        tags = esc(tags)
        strings = [(esc(k), v if p else esc(v), p) for k, v, p in strings]
    xml: list[str] = []
    parts: list[str] = [
        f"<Entry><UUID>{uuid_text}</UUID><IconID>0</IconID>{_NO_LOOK}"
        f"{f'<Tags>{tags}</Tags>' if tags else '<Tags/>'}",
        creation,
        last_modification,
    ]
    for key, value, protected in strings:
        if protected:
            xml.append(f'<String><Key>{key}</Key><Value Protected="True">')
            parts += ("".join(xml), value)
            xml = ["</Value></String>"]
        else:
            xml.append(f"<String><Key>{key}</Key><Value>{value}</Value></String>")
    xml.append("<History/></Entry>")
    parts.append("".join(xml))
    return PreparedEntry(parts)


def _entries(g: Group) -> list[Entry | PreparedEntry]:
    """The entries of *g*, prepared ones among them (see :class:`PreparedEntry`)."""
    return g.entries  # type: ignore[return-value]


def binary_pool(db: Database) -> dict[tuple[bytes, bool], int]:
    """Every distinct (data, protected) attachment, numbered in the order the writer meets
    them: KDBX 4 stores the pool in the inner header, before the XML that refers to it."""
    index: dict[tuple[bytes, bool], int] = {}
    stack = [db.root]
    while stack:
        g = stack.pop()
        for e in _entries(g):
            if isinstance(e, PreparedEntry):  # no attachments, no history
                continue
            if e.attachments:
                for a in e.attachments:
                    index.setdefault((a.data, a.protected), len(index))
            for h in e.history:  # history entries have no history of their own
                if h.attachments:
                    for a in h.attachments:
                        index.setdefault((a.data, a.protected), len(index))
        stack.extend(reversed(g.groups))
    return index


class _Writer:
    def __init__(
        self,
        stream_update: Callable[[bytes], bytes],
        now: datetime,
        pool_index: dict[tuple[bytes, bool], int],
        sink: Callable[[bytes], None],
    ) -> None:
        self.enc = stream_update  # (after encrypt_pending: the stream runs in document order)
        # the protected values of prepared entries not encrypted yet: (index in out, clear)
        self.pending: list[tuple[int, bytes]] = []
        self.now = now
        self.sink = sink
        self.out: list[str] = []
        self.pool_index = pool_index
        self.now_text = _fmt_time_of(now)
        self.texts: dict[datetime, str] | None = {}
        self.blocks: dict[tuple[object, ...], str] | None = {}
        self.text_hits = self.block_hits = 0
        self.plain_blocks: dict[tuple[str, str], str] = {}

    def encrypt_pending(self) -> None:
        """Encrypt the pending protected values in one call of the stream (a stream cipher:
        the same bytes as one call per value, in order) and put their base64 in place."""
        pending, out = self.pending, self.out
        self.pending = []
        clear = self.enc(b"".join([v for _i, v in pending]))
        pos = 0
        for i, value in pending:
            end = pos + len(value)
            out[i] = _b2a(clear[pos:end], newline=False).decode("ascii")
            pos = end

    def emit(self) -> None:
        """Hand the XML written so far to the sink."""
        if self.pending:
            self.encrypt_pending()
        if self.out:
            self.sink("".join(self.out).encode("utf-8"))
            self.out = []

    def extras(self, elements: list[Element]) -> None:
        if self.pending:  # the prepared entries' values come first in the stream
            self.encrypt_pending()
        for el in elements:
            simple = _simple_xml(el)
            if simple is not None:  # no attribute anywhere, so no protected value either
                self.out.append(simple)
                continue
            if any(sub.get("Protected") in ("True", "true") for sub in el.iter()):
                el = _deepcopy(el)
                for sub in el.iter():
                    if sub.get("Protected") in ("True", "true") and sub.text:
                        try:
                            clear = _b64d(sub.text)
                        except (binascii.Error, ValueError):
                            clear = sub.text.encode("utf-8")
                        sub.text = _b64e(self.enc(clear)).decode("ascii")
            self.out.append(ET.tostring(el, encoding="unicode"))

    def times(self, t: Times) -> str:
        """The ``Times`` block of *t*. Each distinct block and time is formatted once per
        document while that pays (entries written by a converter share most of their times);
        a database of distinct times stops looking them up after :data:`_PROBE` blocks."""
        if type(t) is not Times:  # still as read (a pending variant): written back unchanged
            raw = t._pending
            if isinstance(raw, RawTimes) and (xml := raw.xml()) is not None:
                return xml
        blocks = self.blocks
        key: tuple[object, ...] | None = None
        if blocks is not None:
            key = (t.creation, t.last_modification, t.last_access, t.expiry, t.location_changed,
                   t.expires, t.usage_count)  # fmt: skip
            try:
                xml = blocks.get(key)
            except TypeError:  # something unhashable where a time or a number belongs
                key = None
            else:
                if xml is not None:
                    self.block_hits += 1
                    return xml
        f = self.time_text
        xml = (
            f"<Times><CreationTime>{f(t.creation)}</CreationTime>"
            f"<LastModificationTime>{f(t.last_modification)}</LastModificationTime>"
            f"<LastAccessTime>{f(t.last_access)}</LastAccessTime>"
            f"<ExpiryTime>{f(t.expiry)}</ExpiryTime>"
            f"<Expires>{'True' if t.expires else 'False'}</Expires>"
            f"<UsageCount>{int(t.usage_count)}</UsageCount>"
            f"<LocationChanged>{f(t.location_changed)}</LocationChanged></Times>"
        )
        if blocks is not None and key is not None:
            blocks[key] = xml
            if len(blocks) >= _PROBE:  # mostly distinct blocks: stop remembering them
                self.blocks = None if self.block_hits < _PROBE else {}
                self.block_hits = 0
        return xml

    def time_text(self, dt: datetime | None) -> str:
        """:func:`_fmt_time_of` of *dt* (``now`` when unset), remembered per distinct time."""
        if not dt:
            return self.now_text
        texts = self.texts
        if texts is None:
            return _fmt_time_of(dt)
        try:
            text = texts.get(dt)
        except TypeError:
            return _fmt_time_of(dt)
        if text is None:
            text = texts[dt] = _fmt_time_of(dt)
            if len(texts) >= _PROBE:  # mostly distinct times: stop remembering them
                self.texts = None if self.text_hits < _PROBE else {}
                self.text_hits = 0
        else:
            self.text_hits += 1
        return text

    def entry(self, e: Entry, *, in_history: bool = False) -> None:
        out = self.out
        strings = e.strings
        tags = ";".join(e.tags) if e.tags else ""
        fg, bg, ou = e.foreground_color, e.background_color, e.override_url
        # one check for anything to escape in all the entry's texts (usually nothing; the
        # protected values come along, which at worst sends the entry down the slow path)
        probe = "".join([*strings, *map(_VALUE, strings.values()), fg, bg, ou, tags])
        if e.attachments:
            probe += "".join(a.name for a in e.attachments)
        esc: Callable[[str], str] = str if _plain(probe) else _esc
        ciu = e.custom_icon_uuid
        if ciu is None and not fg and not bg and not ou:
            look = _NO_LOOK  # the usual entry
        else:  # empty elements self-closed, as KeePass writes them
            look = (
                ("" if ciu is None else f"<CustomIconUUID>{_fmt_uuid(ciu)}</CustomIconUUID>")
                + (f"<ForegroundColor>{esc(fg)}</ForegroundColor>" if fg else "<ForegroundColor/>")
                + (f"<BackgroundColor>{esc(bg)}</BackgroundColor>" if bg else "<BackgroundColor/>")
                + (f"<OverrideURL>{esc(ou)}</OverrideURL>" if ou else "<OverrideURL/>")
            )
        out.append(
            f"<Entry><UUID>{_fmt_uuid(e.uuid)}</UUID><IconID>{int(e.icon_id)}</IconID>{look}"
            f"{f'<Tags>{esc(tags)}</Tags>' if tags else '<Tags/>'}{self.times(e.times)}"
        )
        if self.pending:  # the prepared entries' values come first in the stream
            self.encrypt_pending()
        enc = self.enc
        for key, f in strings.items():
            if not f.protected:
                if esc is str:  # nothing to escape: no call per text
                    out.append(f"<String><Key>{key}</Key><Value>{f.value}</Value></String>")
                else:
                    out.append(
                        f"<String><Key>{esc(key)}</Key><Value>{esc(f.value)}</Value></String>"
                    )
            elif f.value:  # encrypted now: the inner stream runs in document order
                value = binascii.b2a_base64(enc(f.value.encode("utf-8")), newline=False)
                out.append(
                    f'<String><Key>{esc(key)}</Key><Value Protected="True">'
                    f"{value.decode('ascii')}</Value></String>"
                )
            else:
                out.append(
                    f'<String><Key>{esc(key)}</Key><Value Protected="True"></Value></String>'
                )
        for a in e.attachments:
            idx = self.pool_index[(a.data, a.protected)]
            out.append(f'<Binary><Key>{esc(a.name)}</Key><Value Ref="{idx}"/></Binary>')
        if e.extra:
            self.extras(e.extra)
        if in_history:
            out.append("</Entry>")
        elif e.history:
            out.append("<History>")
            for h in e.history:
                self.entry(h, in_history=True)
            out.append("</History></Entry>")
        else:
            out.append("<History/></Entry>")

    def prepared(self, p: PreparedEntry) -> None:
        """A :class:`PreparedEntry`: its XML as made, its ``Times`` block with this document's
        time for the times it has none for, its protected values encrypted now (in document
        order, as :meth:`entry` does)."""
        out = self.out
        out.append(p[0])
        key = (p[1], p[2])
        block = self.plain_blocks.get(key)
        if block is None:
            now = self.now_text
            block = (
                f"<Times><CreationTime>{p[1] or now}</CreationTime>"
                f"<LastModificationTime>{p[2] or now}</LastModificationTime>"
                f"<LastAccessTime>{now}</LastAccessTime><ExpiryTime>{now}</ExpiryTime>"
                f"<Expires>False</Expires><UsageCount>0</UsageCount>"
                f"<LocationChanged>{now}</LocationChanged></Times>"
            )
            if len(self.plain_blocks) < _PROBE:
                self.plain_blocks[key] = block
        out.append(block)
        out.append(p[3])
        if len(p) > 4:  # the protected values: encrypted with the next ones (encrypt_pending)
            pending = self.pending
            for i in range(4, len(p), 2):
                value = p[i]
                if value:
                    pending.append((len(out), value.encode("utf-8")))
                    out.append("")
                out.append(p[i + 1])

    def group(self, g: Group) -> None:
        out = self.out
        out.append(
            f"<Group><UUID>{_fmt_uuid(g.uuid)}</UUID><Name>{_esc(g.name)}</Name>"
            f"<Notes>{_esc(g.notes)}</Notes><IconID>{int(g.icon_id)}</IconID>"
        )
        if g.custom_icon_uuid is not None:
            out.append(f"<CustomIconUUID>{_fmt_uuid(g.custom_icon_uuid)}</CustomIconUUID>")
        out.append(self.times(g.times))
        if g.tags:
            out.append(f"<Tags>{_esc(';'.join(g.tags))}</Tags>")
        self.extras(g.extra)
        for e in _entries(g):
            if isinstance(e, PreparedEntry):
                self.prepared(e)
            else:
                self.entry(e)
            if len(out) >= _PARTS_PER_PIECE:
                self.emit()
                out = self.out
        for sub in g.groups:
            self.group(sub)
        self.out.append("</Group>")  # not out: a sub-group may have emitted a piece

    def meta(self, m: Meta) -> None:
        out = self.out
        out.append(
            f"<Meta><Generator>{_esc(m.generator or 'cxkit')}</Generator>"
            f"<DatabaseName>{_esc(m.database_name)}</DatabaseName>"
        )
        if not any(el.tag == "MemoryProtection" for el in m.extra):
            out.append(_DEFAULT_MEMORY_PROTECTION)
        if m.custom_icons:
            out.append("<CustomIcons>")
            for icon in m.custom_icons:
                out.append(
                    f"<Icon><UUID>{_fmt_uuid(icon.uuid)}</UUID>"
                    f"<Data>{_b64e(icon.data).decode('ascii')}</Data>"
                )
                if icon.name is not None:
                    out.append(f"<Name>{_esc(icon.name)}</Name>")
                if icon.last_modification is not None:
                    t = _fmt_time(icon.last_modification, self.now)
                    out.append(f"<LastModificationTime>{t}</LastModificationTime>")
                out.append("</Icon>")
            out.append("</CustomIcons>")
        out.append(
            f"<RecycleBinEnabled>{'True' if m.recycle_bin_enabled else 'False'}</RecycleBinEnabled>"
            f"<RecycleBinUUID>{_fmt_uuid(m.recycle_bin_uuid)}</RecycleBinUUID>"
        )
        self.extras(m.extra)
        out.append("</Meta>")


def _simple_xml(el: Element) -> str | None:
    """Compact XML of an element whose whole subtree has no attribute, namespace, comment,
    tail or text beside child elements (what the reader keeps, AutoType for one); ``None``
    for anything else, which ``ET.tostring`` writes. Several times faster than it."""
    tag = el.tag
    if el.attrib or el.tail is not None or type(tag) is not str or "{" in tag:
        return None
    if not len(el):
        text = el.text
        if not text:
            return f"<{tag}/>"
        return f"<{tag}>{text if text.isalnum() else _esc(text)}</{tag}>"
    if el.text is not None:
        return None
    parts = [f"<{tag}>"]
    for child in el:
        name = child.tag
        if len(child) or child.attrib or child.tail is not None or type(name) is not str:
            xml = _simple_xml(child)
            if xml is None:
                return None
            parts.append(xml)
        elif "{" in name:
            return None
        else:  # a leaf, the usual child ("True", "0", ...: nothing to escape)
            text = child.text
            if not text:
                parts.append(f"<{name}/>")
            else:
                parts.append(f"<{name}>{text if text.isalnum() else _esc(text)}</{name}>")
    parts.append(f"</{tag}>")
    return "".join(parts)


def _deepcopy(el: Element) -> Element:
    new = Element(el.tag, dict(el.attrib))
    new.text = el.text
    new.tail = el.tail
    new.extend(_deepcopy(c) for c in el)
    return new


def write_document(
    db: Database, stream_update: Callable[[bytes], bytes], now: datetime | None = None
) -> tuple[bytes, list[tuple[bytes, bool]]]:
    """Serialise the model; returns the UTF-8 XML and the binary pool (for the inner header)."""
    pool = binary_pool(db)
    parts: list[bytes] = []
    write_document_to(db, stream_update, pool, parts.append, now)
    return b"".join(parts), list(pool)


def write_document_to(
    db: Database,
    stream_update: Callable[[bytes], bytes],
    pool: dict[tuple[bytes, bool], int],
    sink: Callable[[bytes], None],
    now: datetime | None = None,
) -> None:
    """Serialise the model as UTF-8 XML handed to *sink* piece by piece (in order); *pool* is
    :func:`binary_pool` of *db*."""
    w = _Writer(stream_update, now or datetime.now(UTC).replace(microsecond=0), pool, sink)
    w.out.append('<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<KeePassFile>')
    w.meta(db.meta)
    w.out.append("<Root>")
    w.group(db.root)
    w.out.append("<DeletedObjects>")
    for d in db.deleted_objects:
        w.out.append(
            f"<DeletedObject><UUID>{_fmt_uuid(d.uuid)}</UUID>"
            f"<DeletionTime>{_fmt_time(d.deletion_time, w.now)}</DeletionTime></DeletedObject>"
        )
    w.out.append("</DeletedObjects>")
    w.extras(db.extra)
    w.out.append("</Root></KeePassFile>")
    w.emit()
