"""Building CXF items while accounting for every source field (issue 12).

A reader makes one :class:`VaultBuilder` per input and one :class:`ItemBuilder` per source
record (a CSV row, a JSON object); it tells the item builder each source value (a :class:`Val`:
the text and *where* it came from) and what it means — ``login``, ``totp``, ``note``, ``custom``,
``collection``, ``created`` ... The builder makes the CXF credentials and records each value in
the :class:`~cxkit.adapters.report.MigrationReport` with the disposition it got (member, custom
field, extension, not carried), then each credential's outcome when the item is finished.

Policies, the same for every reader built on it:

* **Ids** — a source id is the adapter's business; a source without ids gets a *stable* id:
  :func:`stable_id` of the adapter key, the file name and the record's position (the CSV row
  number), so reading the same file twice gives the same ids, and two files never share one.
* **Times** — :func:`~cxkit.adapters.kit.values.parse_time` (ISO 8601, epoch seconds or
  milliseconds); a time it cannot read is kept as a custom field with a note, never dropped.
* **TOTP** — :func:`~cxkit.adapters.kit.values.parse_totp`; a secret CXF cannot hold as TOTP is
  kept as a hidden custom field whose report note says why.
* **Trash** — an item marked trashed is skipped and reported (every field not carried, "in
  the trash") unless ``ReadOptions.include_trashed``.
* **Leftovers** — values the reader did not interpret, handed to :meth:`ItemBuilder.finish`, are
  swept into the item's custom fields (recorded ``custom-field``).
* **Failures** — :meth:`ItemBuilder.fail` skips one item and records its fields not carried;
  the rest of the input is unaffected.

Report records are kept in the builder until the item is finished, so a skipped item's fields
are recorded once, as not carried. Record paths are ``prefix + at``: for CSV ``file:row:`` and
the column name (``bw.csv:3:login_password``), for JSON ``$.items[3]`` and ``.login.password``.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from cxkit import cxf
from cxkit._limits import max_entries, too_many_entries
from cxkit.adapters.base import converted_document
from cxkit.adapters.kit.values import parse_android_url, parse_time, parse_totp
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m

__all__ = [
    "NAMESPACE",
    "CollectionTree",
    "ItemBuilder",
    "Uuid5Ids",
    "Val",
    "VaultBuilder",
    "encode_id",
    "fast_val",
    "stable_id",
    "stable_ids",
    "truthy",
    "uuid5_bytes",
    "uuid5_ids",
]

#: Enum members as plain names (a class attribute lookup of an enum member is slow in 3.11)
_CUSTOM_FIELD: Final = Disposition.CUSTOM_FIELD
_EXTENSION: Final = Disposition.EXTENSION
_MEMBER: Final = Disposition.MEMBER
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_O_CARRIED: Final = Outcome.CARRIED
_O_TRANSFORMED: Final = Outcome.TRANSFORMED
_CARRIED_PLAIN: Final = (_O_CARRIED, "")
_NOT_A_DATE: Final = "not a date cxkit can read; kept as text"

NAMESPACE: Final = uuid.UUID("3d0f7a36-9a8e-4b8c-a1c4-52f0c1b7e9d2")
"""The UUID namespace of :func:`stable_id`."""
_NS_BYTES: Final = NAMESPACE.bytes
_TRUE: Final = frozenset({"1", "true", "yes", "y", "on", "x"})


class Val(NamedTuple):
    """One source value: its text and where it came from (the record-path suffix: a CSV column
    name, a JSON member path such as ``.login.password``)."""

    text: str
    at: str

    def __repr__(self) -> str:  # where only: the text may be a secret
        return f"Val(at={self.at!r})"


fast_val: Final[Callable[[tuple[str, str]], Val]] = functools.partial(tuple.__new__, Val)
"""``fast_val((text, at))`` is ``Val(text, at)`` without the named tuple's Python-level
``__new__`` (readers make one per non-empty cell)."""


def stable_id(*parts: str) -> str:
    """A CXF item id (base64url of 16 bytes) derived from *parts* — for sources without ids:
    ``stable_id(adapter_key, file_name, str(row_number))`` (UUID v5 in :data:`NAMESPACE`)."""
    return encode_id(uuid5_bytes(_NS_BYTES, "\x1f".join(parts)))


def stable_ids(*parts: str) -> Uuid5Ids:
    """``n → stable_id(*parts, str(n))``, the parts hashed once (a reader makes one id per row);
    ``.many(numbers)`` makes a file's ids at once."""
    return uuid5_ids(_NS_BYTES, "\x1f".join((*parts, "")))


def uuid5_ids(namespace: bytes, prefix: str) -> Uuid5Ids:
    """``name → encode_id(uuid5_bytes(namespace, prefix + str(name)))``: the ids of one file's
    rows, the namespace and *prefix* hashed once (for speed: one id per CSV row)."""
    return Uuid5Ids(namespace, prefix)


class Uuid5Ids:
    """The ids of :func:`uuid5_ids`: call it with one name, or :meth:`many` with all of them."""

    __slots__ = ("_copy",)

    def __init__(self, namespace: bytes, prefix: str) -> None:
        self._copy = hashlib.sha1(namespace + prefix.encode(), usedforsecurity=False).copy

    def __call__(self, name: object) -> str:
        h = self._copy()
        h.update(str(name).encode())
        raw = ((int.from_bytes(h.digest()[:16]) & _UUID5_KEEP) | _UUID5_SET).to_bytes(16)
        return binascii.b2a_base64(raw, newline=False)[:22].translate(_URL_ALPHABET).decode()

    def many(self, names: Iterable[object]) -> list[str]:
        """``[self(name) for name in names]``, the bytes after hashing handled for all at once:
        each id's 16 bytes padded with two zero bytes are 24 base64 characters whose first 22
        are the id's unpadded base64 (RFC 4648 §4: 18 bytes are six whole groups), so one
        base64 call encodes them all; the version and variant bits (RFC 4122 §4.3) are set by
        translating every id's byte 6 and byte 8 at once."""
        copy = self._copy
        digests = []
        for name in names:
            h = copy()
            h.update(str(name).encode())
            digests.append(h.digest()[:18])
        count = len(digests)
        buf = bytearray(b"".join(digests))
        buf[16::18] = bytes(count)
        buf[17::18] = bytes(count)
        buf[6::18] = buf[6::18].translate(_VERSION_5)
        buf[8::18] = buf[8::18].translate(_VARIANT_10)
        text = binascii.b2a_base64(buf, newline=False).translate(_URL_ALPHABET).decode()
        return [text[i : i + 22] for i in range(0, 24 * count, 24)]


def encode_id(raw: bytes) -> str:
    """16 id bytes as CXF writes an id (unpadded base64url, ``spec/cxf.md`` §1.2); the same
    text as :func:`cxkit.cxf.b64.encode`, a few times faster for this one length (one call per
    CSV row)."""
    if len(raw) != 16:
        return b64.encode(raw)
    # standard base64 is 24 characters, the last 2 "=": cut, then the URL alphabet
    return binascii.b2a_base64(raw, newline=False)[:22].translate(_URL_ALPHABET).decode("ascii")


#: UUID v5 bit fields over the 128-bit digest prefix: version 5 in byte 6, variant 10 in byte 8
_UUID5_KEEP: Final = ~((0xF0 << 72) | (0xC0 << 56)) & ((1 << 128) - 1)
_UUID5_SET: Final = (0x50 << 72) | (0x80 << 56)
#: The same bits byte by byte (``bytes.translate`` tables): version 5, variant 10
_VERSION_5: Final = bytes((b & 0x0F) | 0x50 for b in range(256))
_VARIANT_10: Final = bytes((b & 0x3F) | 0x80 for b in range(256))


_CTYPES: dict[type, str] = {}
"""Credential classes → their wire type (:func:`_credential_type`'s cache; one per credential)."""


def _credential_type(credential: object) -> str:
    """:func:`cxkit.cxf.credential_type`, remembered per class (not for unknown credentials,
    whose type is their own)."""
    found = cxf.credential_type(credential)
    if not isinstance(credential, m.UnknownCredential) and len(_CTYPES) < 256:
        _CTYPES[type(credential)] = found
    return found


_URL_ALPHABET: Final = bytes.maketrans(b"+/", b"-_")
_NS_HASHES: dict[bytes, Any] = {}
"""SHA-1 states that have hashed a namespace (copied per name: readers make one id per row)."""


def uuid5_bytes(namespace: bytes, name: str) -> bytes:
    """The 16 bytes of ``uuid.uuid5(UUID(bytes=namespace), name)``, without the UUID objects
    (RFC 4122 §4.3: SHA-1 of namespace and name, version and variant bits set)."""
    state = _NS_HASHES.get(namespace)
    if state is None:
        state = hashlib.sha1(namespace, usedforsecurity=False)
        if len(_NS_HASHES) < 64:  # namespaces are a few constants; never grow without bound
            _NS_HASHES[namespace] = state
    h = state.copy()
    h.update(name.encode())
    return ((int.from_bytes(h.digest()[:16]) & _UUID5_KEEP) | _UUID5_SET).to_bytes(16)


def _maybe_app(text: str) -> bool:
    """Whether *text* may be an ``android://`` URL: :func:`parse_android_url` strips it, then
    wants ``android://`` (only such texts are handed to it)."""
    return text != "" and (text[0] in "aA" or text[0].isspace())


def truthy(text: str) -> bool:
    """A favourite/flag cell as apps write it: ``1``, ``true``, ``yes``, ``y``, ``on``, ``x`` (any
    case) are True; anything else is False."""
    return text.strip().lower() in _TRUE


def _ef(value: str, field_type: str = "string", label: str | None = None) -> m.EditableField:
    return m.EditableField(field_type=field_type, value=value, label=label)


# A field record of the item: (at, disposition, target, note) — the report adds the item's path
# prefix and title (FieldRecords.add_item) — or a whole row (prefix, at, item title, disposition,
# target, note) merged from another builder
_Rec = tuple[str, Disposition, str, str] | tuple[str, str, str, Disposition, str, str]


class _Group:
    """One custom-fields credential of an item (the default one and any the reader defines)."""

    __slots__ = ("extension", "fields", "label", "note", "outcome")

    def __init__(
        self, label: str | None, extension: Mapping[str, Any] | None, outcome: Outcome,
        note: str | Callable[[list[m.EditableField]], str],
    ) -> None:  # fmt: skip
        self.label = label
        self.extension = extension
        self.outcome = outcome
        self.note = note
        self.fields: list[m.EditableField] = []


class ItemBuilder:
    """One CXF item from one source record; see the module docstring for the policies.

    *prefix*: the record's path prefix (``bw.csv:3:``); *extension*: the adapter's round-trip
    extension name (``cxkit/bitwarden``) for :attr:`ext` members; *custom_label* /
    *custom_extension*: label and extension members of the item's default custom-fields
    credential (where :meth:`custom` and the leftovers go)."""

    __slots__ = ("_custom", "_groups", "_merged", "_recs", "_retitled", "_title", "collections",
                 "created_at", "credentials", "empty_extension", "ext", "extension",
                 "favorite_flag", "include_trashed", "is_trashed", "item_id", "modified_at",
                 "outcomes", "prefix", "report", "scope", "tag_list")  # fmt: skip

    def __init__(
        self,
        report: MigrationReport,
        prefix: str,
        item_id: str,
        title: str = "",
        extension: str | None = None,
        empty_extension: bool = False,
        custom_label: str | None = None,
        custom_extension: Mapping[str, Any] | None = None,
        include_trashed: bool = False,
    ) -> None:
        self.report = report
        self.prefix = prefix
        self.item_id = item_id
        self._title = title
        self._retitled = False  # the title changed after fields were recorded (see _flush)
        self._merged = False  # records of another builder's (whole rows) are among _recs
        self.extension = extension
        self.empty_extension = empty_extension
        self.include_trashed = include_trashed
        self.ext: dict[str, Any] = {}
        """Members of the adapter's round-trip extension (None values are left out)."""
        self.credentials: list[Any] = []
        self.outcomes: list[tuple[Outcome, str]] = []
        self.collections: list[tuple[str, ...]] = []
        """Collection paths the item belongs to (``("Work", "Mail")``), for the vault."""
        self.created_at: int | None = None
        self.modified_at: int | None = None
        self.favorite_flag: bool | None = None
        self.tag_list: tuple[str, ...] = ()
        self.scope: m.CredentialScope | None = None
        self.is_trashed = False
        self._recs: list[_Rec] = []
        self._custom = (custom_label, custom_extension)
        self._groups: dict[str, _Group] | None = None  # made on first use (most items have none)

    @property
    def title(self) -> str:
        """The item's title (the report names the item by it)."""
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        if value is not self._title:
            self._title = value
            self._retitled = self._retitled or bool(self._recs)

    def _group(self, key: str) -> _Group:
        if self._groups is None:
            self._groups = {"": _Group(*self._custom, _O_CARRIED, "")}
        return self._groups[key]

    # ------------------------------------------------------------------ recording

    def rec(self, at: str, disposition: Disposition, target: str = "", note: str = "") -> None:
        """Record the source field *at* (kept until :meth:`finish`)."""
        self._recs.append((at, disposition, target, note))

    def add(self, credential: Any, outcome: Outcome = _O_CARRIED, note: str = "") -> None:
        """Add a credential (in call order; custom fields come last, on :meth:`finish`)."""
        self.credentials.append(credential)
        self.outcomes.append((outcome, note))

    # ------------------------------------------------------------------ item members

    def set_title(self, v: Val) -> None:
        self.title_text(v.text, v.at)

    # The ``*_text`` methods take a value's text and its source field *at* as two strings, not
    # a Val: the CSV readers' lean path (one call per non-empty cell, no object per cell).

    def title_text(self, text: str, at: str) -> None:
        """:meth:`set_title` of *text* from the source field *at*."""
        if text is not self._title:
            self._title = text
            if self._recs:
                self._retitled = True
        if text:
            self._recs.append((at, _MEMBER, "item.title", ""))

    def favorite(self, v: Val, value: bool | None = None) -> None:
        """The favourite flag (*value*, or :func:`truthy` of the text)."""
        self.favorite_flag = truthy(v.text) if value is None else value
        self._recs.append((v.at, _MEMBER, "item.favorite", ""))

    def tags(self, v: Val, tags: Sequence[str]) -> None:
        self.tag_list = (*self.tag_list, *(t for t in tags if t))
        self.rec(v.at, _MEMBER, "item.tags")

    def created(self, v: Val) -> None:
        self.created_text(v.text, v.at)

    def created_text(self, text: str, at: str) -> None:
        """:meth:`created` of *text* from the source field *at*."""
        seconds = parse_time(text)
        if seconds is None:
            self.custom(at, Val(text, at), note=_NOT_A_DATE)
        else:
            self.created_at = seconds
            self._recs.append((at, _MEMBER, "item.creationAt", ""))

    def modified(self, v: Val) -> None:
        self.modified_text(v.text, v.at)

    def modified_text(self, text: str, at: str) -> None:
        """:meth:`modified` of *text* from the source field *at*."""
        seconds = parse_time(text)
        if seconds is None:
            self.custom(at, Val(text, at), note=_NOT_A_DATE)
        else:
            self.modified_at = seconds
            self._recs.append((at, _MEMBER, "item.modifiedAt", ""))

    def collection(
        self, path: Sequence[str], at: str | None, target: str = "collection.items"
    ) -> None:
        """The item belongs to the collection at *path* (names from the top); *at*: the source
        field that said so (recorded as a member), or None."""
        parts = tuple(filter(None, path))  # the names that are not empty
        if parts:
            self.collections.append(parts)
        if at is not None:
            self.rec(at, _MEMBER, target)

    def collection_path(self, path: tuple[str, ...], at: str, target: str) -> None:
        """:meth:`collection` of a *path* of names that are not empty (a reader that splits each
        distinct cell once)."""
        if path:
            self.collections.append(path)
        self._recs.append((at, _MEMBER, target, ""))

    def trashed(self, v: Val | None = None) -> None:
        """The record is in the source's trash (skipped on :meth:`finish` unless
        ``include_trashed``); *v*: the field that said so."""
        self.is_trashed = True
        if v is not None:
            self.rec(v.at, _EXTENSION, "extension.trashed")
            self.ext["trashed"] = True

    # ------------------------------------------------------------------ credentials

    def login(
        self,
        username: Val | None = None,
        password: Val | None = None,
        urls: Iterable[Val] = (),
        *,
        apps: bool = False,
    ) -> None:
        """A ``basic-auth`` credential (when there is a user name or a password; empty values
        count as absent) and the item's scope from *urls*; with *apps*, ``android://`` URLs
        become ``scope.androidApps`` (:func:`~cxkit.adapters.kit.values.parse_android_url`)."""
        if username is not None or password is not None:
            self.login_text(
                "" if username is None else username.text,
                "" if password is None else password.text,
                "" if username is None else username.at,
                "" if password is None else password.at,
            )
        if urls:
            self.urls(urls, apps=apps)

    def login_text(self, username: str, password: str, username_at: str, password_at: str) -> None:
        """:meth:`login` of two texts (from the source fields *username_at*, *password_at*),
        without URLs: a ``basic-auth`` credential when either is not empty."""
        if username or password:
            recs = self._recs
            if username:
                recs.append((username_at, _MEMBER, "basic-auth.username", ""))
            if password:
                recs.append((password_at, _MEMBER, "basic-auth.password", ""))
            self.credentials.append(
                m.BasicAuth(
                    username=m.EditableField(field_type="string", value=username)
                    if username
                    else None,
                    password=m.EditableField(field_type="concealed-string", value=password)
                    if password
                    else None,
                )
            )
            self.outcomes.append(_CARRIED_PLAIN)

    def url_texts(self, texts: Sequence[str], at: str, *, apps: bool = False) -> None:
        """:meth:`urls` of the texts of one source field *at* (empty ones skipped)."""
        if self.scope is not None or (apps and any(map(_maybe_app, texts))):
            self.urls([Val(text, at) for text in texts], apps=apps)  # the general path
            return
        found = tuple(filter(None, texts))
        if found:
            self._recs.append((at, _MEMBER, "scope.urls", ""))
            self.scope = m.CredentialScope(urls=found, android_apps=())

    def urls(self, urls: Iterable[Val], *, apps: bool = False) -> None:
        """Add *urls* to the item's scope (one record per distinct source field)."""
        scope = self.scope
        found = list(scope.urls) if scope is not None else []
        found_apps = list(scope.android_apps) if scope is not None else []
        last = None
        recs = self._recs
        for v in urls:
            text = v.text
            if not text:
                continue
            app = parse_android_url(text) if apps and _maybe_app(text) else None
            if app is not None:
                found_apps.append(app)
                target = "scope.androidApps"
            else:
                found.append(text)
                target = "scope.urls"
            if v.at != last:
                recs.append((v.at, _MEMBER, target, ""))
                last = v.at
        if found or found_apps:
            self.scope = m.CredentialScope(urls=tuple(found), android_apps=tuple(found_apps))

    def totp(
        self,
        v: Val,
        *,
        label: str = "TOTP",
        parser: Callable[[str], tuple[m.Totp | None, str]] = parse_totp,
    ) -> str | None:
        """A TOTP (``otpauth://`` URI, ``steam://`` or bare Base32, or what *parser* reads).
        Returns the form it was written in (``uri``/``bare``/``steam``), or None when it is not
        a TOTP CXF can hold: then it is kept as a hidden custom field *label*, noted why."""
        if not v.text.strip():
            return None
        totp, form = parser(v.text)
        if totp is None:
            self.custom(label, v, hidden=True, note=f"not readable as TOTP: {form}")
            return None
        if totp.algorithm == "steam":
            self.add(totp, _O_TRANSFORMED, "Steam Guard: algorithm 'steam' is not registered in CXF 1.0")  # fmt: skip
        else:
            self.add(totp)
        self.rec(v.at, _MEMBER, "totp")
        return form

    def lost_passkey(self, v: Val, *, rp_id: str, username: str = "") -> None:
        """A passkey the source names but whose private key it does not hold (1PUX, Apple,
        Enpass list passkeys without keys): the field *v* is recorded not carried and the
        report lists *rp_id* / *username* among the passkeys the user must re-create."""
        why = "the export does not hold the passkey's private key"
        self.rec(v.at, _NOT_CARRIED, "passkey", f"passkey: {why}")
        self.report.add_credential("read", "passkey", self._title, Outcome.NOT_CARRIED, why)
        self.report.passkey_to_recreate(self._title, rp_id, username, why)

    def note(self, v: Val) -> None:
        """A ``note`` credential with the text (multi-line text kept as it is)."""
        self.note_text(v.text, v.at)

    def note_text(self, text: str, at: str) -> None:
        """:meth:`note` of *text* from the source field *at*."""
        if not text:
            return
        self.credentials.append(m.Note(content=m.EditableField(field_type="string", value=text)))
        self.outcomes.append(_CARRIED_PLAIN)
        self._recs.append((at, _MEMBER, "note.content", ""))

    # ------------------------------------------------------------------ custom fields

    def define_group(
        self,
        key: str,
        *,
        label: str | None = None,
        extension: Mapping[str, Any] | None = None,
        outcome: Outcome = _O_CARRIED,
        note: str | Callable[[list[m.EditableField]], str] = "",
    ) -> None:
        """A further custom-fields credential of the item (emitted after the default one, in
        definition order), for :meth:`custom` with ``group=key``; *note* may be computed from
        the fields."""
        self._group("")
        assert self._groups is not None
        self._groups[key] = _Group(label, extension, outcome, note)

    def custom(
        self,
        label: str | None,
        v: Val,
        *,
        hidden: bool = False,
        note: str = "",
        group: str = "",
        target: str | None = None,
        field: m.EditableField | None = None,
        record: bool = True,
    ) -> None:
        """A custom field *label* with the value (``concealed-string`` when *hidden*), or the
        given *field*, in the default custom-fields credential or *group*; *record*: False for
        the further fields of one source field (it is recorded once)."""
        if field is None:
            field = _ef(v.text, "concealed-string" if hidden else "string", label)
        found = self._group(group)
        found.fields.append(field)
        if not record:
            return
        if target is None:
            named = found.label
            target = f"custom-fields[{named}].{label}" if named else f"custom-fields.{label}"
        self.rec(v.at, _CUSTOM_FIELD, target, note)

    # ------------------------------------------------------------------ the end

    def finish(self, leftovers: Iterable[Val] = ()) -> m.Item | None:
        """The item (or None when it is trashed and not read): *leftovers* (values the reader
        did not interpret; empty ones ignored) become custom fields named by their ``at``; the
        records and the credential outcomes go to the report."""
        for v in leftovers:
            if v.text:
                self.custom(v.at, v, note="not a column cxkit maps; kept as a custom field")
        if self.is_trashed and not self.include_trashed:
            self.fail("in the trash (--include-trashed reads it)", note="in the trash")
            return None
        if self._groups is not None:  # (most items have no custom fields: no groups)
            self._add_groups()
        ext, extension = self.ext, self.extension
        extensions: tuple[m.UnknownExtension, ...] = ()
        if extension is not None and (ext or self.empty_extension):
            if None in ext.values():  # None values are left out
                ext = {k: v for k, v in ext.items() if v is not None}
            extensions = (m.UnknownExtension(extension_name=extension, members=ext),)
        title, item_id, credentials, outcomes = (self._title, self.item_id, self.credentials,
                                                 self.outcomes)  # fmt: skip
        if len(credentials) != len(outcomes):
            raise ValueError("each credential needs its outcome (add credentials with add())")
        item = m.Item(
            id=item_id,
            creation_at=self.created_at,
            modified_at=self.modified_at,
            title=title,
            favorite=self.favorite_flag,
            scope=self.scope,
            credentials=tuple(credentials),
            tags=self.tag_list,
            extensions=extensions,
        )
        report = self.report
        if self._recs:
            self._flush()
        report.items_read += 1
        if credentials:  # (typed when the records are looked at: most reports are counted)
            report.credential_records().add_made("read", title, item_id, item.credentials, outcomes)
        return item

    def _add_groups(self) -> None:
        """The custom-fields credentials of the groups that hold fields, in definition order."""
        assert self._groups is not None
        for group in self._groups.values():
            if group.fields:
                note = group.note(group.fields) if callable(group.note) else group.note
                extensions: tuple[m.UnknownExtension, ...] = ()
                if group.extension is not None and self.extension is not None:
                    extensions = (
                        m.UnknownExtension(
                            extension_name=self.extension, members=dict(group.extension)
                        ),
                    )
                self.add(
                    m.CustomFields(
                        label=group.label, fields=tuple(group.fields), extensions=extensions
                    ),
                    group.outcome,
                    note,
                )

    def merge(self, other: ItemBuilder, note: str = "") -> None:
        """Take *other*'s credentials and field records (their paths and item title as they
        are), in order: a further source record read into this item (KeePass's entries for an
        item's further passkeys). A credential whose outcome has no note gets *note*; *other*
        is left empty, never finished."""
        for credential, (outcome, why) in zip(other.credentials, other.outcomes, strict=True):
            self.add(credential, outcome, why or note)
        prefix, title = other.prefix, other._title  # other's records keep their own path
        self._recs.extend(r if len(r) == 6 else (prefix, r[0], title, *r[1:]) for r in other._recs)
        self._merged = True
        other.credentials, other.outcomes, other._recs = [], [], []

    def fail(self, reason: str, sources: Iterable[Val] = (), *, note: str = "item skipped") -> None:
        """Skip the item: the report names it with *reason*; every field told so far, and each of
        *sources* not told yet, is recorded not carried."""
        self.report.skip_item(self.title, reason)
        seen = {r[0] if len(r) == 4 else r[1] for r in self._recs}
        self._recs = [
            (r[0], _NOT_CARRIED, "", note) if len(r) == 4 else (*r[:3], _NOT_CARRIED, "", note)
            for r in self._recs
        ]
        for v in sources:
            if v.text and v.at not in seen:
                seen.add(v.at)
                self._recs.append((v.at, _NOT_CARRIED, "", note))
        self._flush()

    def _flush(self) -> None:
        """The records to the report: ``(at, disposition, target, note)`` under this item's path
        prefix and (final) title; whole rows (merged from another builder) as they are, but
        named by this item's title when it changed after they were recorded."""
        recs, title, prefix = self._recs, self._title, self.prefix
        fields = self.report.field_records()
        if self._merged:  # rows of their own among them (rare): as rows
            retitled = self._retitled
            fields.add_rows([
                (prefix, r[0], title, *r[1:]) if len(r) == 4
                else (r[0], r[1], title if retitled else r[2], *r[3:])
                for r in recs
            ])  # fmt: skip
        else:
            fields.add_item(prefix, title, recs)  # type: ignore[arg-type]
        self._recs = []


# =========================================================================== collections


class CollectionTree:
    """The collections of a vault built from items' collection paths (first seen, first
    listed; nested by path). *make_id* gives a collection's id from its path; *extension*
    its round-trip extension (name, members) or None; *title* its title (default: the path's
    last name — a source whose collections are keyed by id, not name, gives the id as the path
    and looks the title up, as Bitwarden folders)."""

    def __init__(
        self,
        make_id: Callable[[tuple[str, ...]], str],
        extension: Callable[[tuple[str, ...]], tuple[str, dict[str, Any]] | None] | None = None,
        title: Callable[[tuple[str, ...]], str] | None = None,
    ) -> None:
        self.make_id = make_id
        self.extension = extension
        self.title = title
        self._items: dict[tuple[str, ...], list[str]] = {}
        self._children: dict[tuple[str, ...], list[tuple[str, ...]]] = {(): []}

    def add(self, path: tuple[str, ...], item_id: str | None = None) -> None:
        """Make sure the collection at *path* (and its parents) exists; link *item_id*."""
        if path not in self._items:
            for depth in range(1, len(path) + 1):
                node = path[:depth]
                if node not in self._items:
                    self._items[node] = []
                    self._children[node] = []
                    self._children[node[:-1]].append(node)
        if item_id is not None:
            self._items[path].append(item_id)

    def order(self) -> list[tuple[str, ...]]:
        """The collection paths, depth first (parents before their children)."""
        out: list[tuple[str, ...]] = []
        stack = list(reversed(self._children[()]))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(self._children[node]))
        return out

    def build(self) -> tuple[m.Collection, ...]:
        built: dict[tuple[str, ...], m.Collection] = {}
        for node in reversed(self.order()):  # children before parents
            ext = self.extension(node) if self.extension is not None else None
            built[node] = m.Collection(
                id=self.make_id(node),
                title=node[-1] if self.title is None else self.title(node),
                items=tuple(m.LinkedItem(item=i) for i in self._items[node]),
                sub_collections=tuple(built[c] for c in self._children[node]),
                extensions=(m.UnknownExtension(extension_name=ext[0], members=ext[1]),)
                if ext is not None
                else (),
            )
        return tuple(built[c] for c in self._children[()])


# =========================================================================== the vault


class VaultBuilder:
    """The items and collections of one input → a CXF document (one account).

    *rp_id* / *app*: the source app, named as the exporter (:func:`converted_document`);
    *collections*: how collection ids and extensions are made (default: :func:`stable_id` of
    *key* and the path, no extension); with *group_order*, items are listed as a tree walk
    gives them (items of no collection first, then each collection depth first) — the order
    of formats whose source is a tree (KeePass) — else in source order."""

    def __init__(
        self,
        report: MigrationReport,
        *,
        key: str,
        rp_id: str,
        app: str,
        include_trashed: bool = False,
        collections: CollectionTree | None = None,
        group_order: bool = False,
    ) -> None:
        self.report = report
        self.key = key
        self.rp_id = rp_id
        self.app = app
        self.include_trashed = include_trashed
        self.tree = collections or CollectionTree(lambda p: stable_id(key, "collection", *p))
        self.group_order = group_order
        self.items: list[m.Item] = []
        self.state: dict[str, Any] = {}
        """What a reader keeps between the records of one read."""
        self._homes: dict[tuple[str, ...] | None, list[m.Item]] = {}
        """With *group_order*: the items by their first collection (None: no collection)."""
        self._entries, self._max_entries = 0, max_entries()  # items + credentials (#17)

    def item(
        self,
        prefix: str,
        *,
        item_id: str,
        title: str = "",
        extension: str | None = None,
        empty_extension: bool = False,
        custom_label: str | None = None,
        custom_extension: Mapping[str, Any] | None = None,
    ) -> ItemBuilder:
        """A builder for one item (see :class:`ItemBuilder` for the options; named here, not
        passed on as ``**options``: one call per record)."""
        return ItemBuilder(self.report, prefix, item_id, title, extension, empty_extension,
                           custom_label, custom_extension, self.include_trashed)  # fmt: skip

    def maker(
        self,
        *,
        extension: str | None = None,
        empty_extension: bool = False,
        custom_label: str | None = None,
        custom_extension: Mapping[str, Any] | None = None,
    ) -> Callable[[str, str, str], ItemBuilder]:
        """``(prefix, item_id, title) → ItemBuilder`` with these options, for readers that make
        one builder per row with the same options (the options bound once per file: a keyword
        call per row costs more than the builder)."""
        report, trashed, cls = self.report, self.include_trashed, ItemBuilder

        def make(prefix: str, item_id: str, title: str = "") -> ItemBuilder:
            return cls(report, prefix, item_id, title, extension, empty_extension, custom_label,
                       custom_extension, trashed)  # fmt: skip

        return make

    def add(self, builder: ItemBuilder, leftovers: Iterable[Val] = ()) -> m.Item | None:
        """Finish *builder* and keep its item (linked into its collections)."""
        item = builder.finish(leftovers)
        if item is None:
            return None
        self.keep(item, builder.collections)
        return item

    def keep(self, item: m.Item, paths: Sequence[tuple[str, ...]] = ()) -> None:
        """Keep an item made without a builder, its records already in the report (a reader's
        lean path: :func:`cxkit.adapters.kit.tabular.lean_rows`, Bitwarden CSV), linked into
        the collections at *paths* as :meth:`add` links a builder's."""
        self.items.append(item)
        self._entries += 1 + len(item.credentials)
        if self._entries > self._max_entries:  # bounded while reading, not after (#17)
            raise too_many_entries(self._max_entries, self.report.source or None)
        if paths:
            add, item_id = self.tree.add, item.id
            for path in paths:
                add(path, item_id)
        if self.group_order:
            home = paths[0] if paths else None
            found = self._homes.get(home)
            if found is None:
                self._homes[home] = [item]
            else:
                found.append(item)

    def build(
        self,
        *,
        account_id: str,
        account_extension: tuple[str, dict[str, Any]] | None = None,
        collections: tuple[m.Collection, ...] | None = None,
    ) -> cxf.Document:
        """The document; *collections*: the account's collections as the reader made them
        (sources whose collections are not a tree of names, such as Proton Pass vaults), else
        the :class:`CollectionTree`'s."""
        items = self.items
        if self.group_order:  # items of no collection, then each collection's, depth first
            homes = self._homes
            items = list(homes.get(None, ()))
            for node in self.tree.order():
                items.extend(homes.get(node, ()))
        account = m.Account(
            id=account_id,
            username="",
            email="",
            collections=self.tree.build() if collections is None else collections,
            items=tuple(items),
            extensions=(
                m.UnknownExtension(
                    extension_name=account_extension[0], members=account_extension[1]
                ),
            )
            if account_extension is not None
            else (),
        )
        return converted_document(account, rp_id=self.rp_id, app=self.app)
