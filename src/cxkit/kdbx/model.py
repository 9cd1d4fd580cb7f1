"""The typed model of a KeePass database (the XML payload of a KDBX file).

Plain mutable dataclasses. Elements cxkit does not model (``AutoType``, ``CustomData``,
``MemoryProtection``, KDBX 4.1 extras, unknown plug-in elements, ...) are kept in each object's
``extra`` list as :class:`xml.etree.ElementTree.Element` (without the white space that only
indented them) and written back unchanged.
Protected values are held in clear in memory (``protected`` records the flag); ``repr`` never
shows a protected value or attachment bytes. A database read from a file defers each entry's
fields (and each entry's timestamps) to their first use; see :class:`_Deferred`.
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, Self, SupportsIndex, TypeVar
from xml.etree.ElementTree import Element

__all__ = [
    "STANDARD_FIELDS",
    "Attachment",
    "CustomIcon",
    "Database",
    "DeletedObject",
    "Entry",
    "Group",
    "KdbxInfo",
    "Meta",
    "StringField",
    "Times",
]

STANDARD_FIELDS = ("Title", "UserName", "Password", "URL", "Notes")

_T = TypeVar("_T")


def _new_uuid() -> _uuid.UUID:
    return _uuid.uuid4()


class _Loader(Protocol):
    def load(self, obj: Any) -> None: ...


class _Deferred:
    """Lets :func:`cxkit.kdbx.read_kdbx` defer reading an object's fields to their first use
    (entries, and the times of entries).

    :meth:`_deferred` makes an instance of the class's *pending* variant (a subclass) with no
    field set, only ``_pending``, the loader. Touching it in any way (reading, setting or
    deleting a field, comparing, ``repr``, copying) first loads every field, turns it into
    an ordinary instance of the class, and then does what was asked; a loader that fails
    (:class:`cxkit.kdbx.errors.KdbxFormatError` for an entry whose XML turns out malformed)
    leaves it pending, so the next touch raises the same error. Ordinary instances pay
    nothing for this.
    """

    __slots__ = ("_pending",)
    _pending: _Loader | None  # None (or unset) when not, or no longer, deferred
    _pending_variant: type[Any]  # set for each subclass by _with_pending_variant
    _plain: type[Any]  # on a pending variant: the class it turns into

    @classmethod
    def _deferred(cls, loader: _Loader) -> Self:
        """An instance with no field set, loaded by *loader* on first use."""
        obj: Self = object.__new__(cls._pending_variant)
        object.__setattr__(obj, "_pending", loader)
        return obj

    def _resolve(self) -> None:
        """Load a pending instance now; nothing for an ordinary one."""
        pending = self._pending
        if pending is None:
            return
        variant = type(self)
        object.__setattr__(self, "__class__", variant._plain)
        self._pending = None
        try:
            pending.load(self)
        except BaseException:
            object.__setattr__(self, "__class__", variant)
            object.__setattr__(self, "_pending", pending)
            raise

    if not TYPE_CHECKING:  # for the type checker, fields are always there

        def __getattr__(self, name: str) -> object:
            if name == "_pending":
                return None  # an ordinary instance
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class _Pending:
    """The behaviour of a pending variant (see :class:`_Deferred`)."""

    __slots__ = ()

    def _load_first(self) -> None:
        self._resolve()  # type: ignore[attr-defined]
        if isinstance(self, _Pending):  # no loader left: never loops back here
            raise AttributeError(f"{type(self).__name__} has nothing to load its fields from")

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> object:
            if name == "_pending":
                return None
            self._load_first()
            return getattr(self, name)

        def __setattr__(self, name: str, value: object) -> None:
            if name != "_pending":
                self._load_first()
            object.__setattr__(self, name, value)

        def __delattr__(self, name: str) -> None:
            self._load_first()
            object.__delattr__(self, name)

        def __eq__(self, other: object) -> bool:
            self._load_first()
            return self == other

        def __repr__(self) -> str:
            self._load_first()
            return repr(self)

        def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
            self._load_first()
            return self.__reduce_ex__(protocol)

    __hash__ = None  # type: ignore[assignment]


def _with_pending_variant(cls: type[_T]) -> type[_T]:
    """Give a model class its pending variant (a subclass that loads itself when touched)."""
    variant = type(f"Pending{cls.__name__}", (_Pending, cls), {"__slots__": (), "_plain": cls})
    cls._pending_variant = variant  # type: ignore[attr-defined]
    return cls


@_with_pending_variant
@dataclass(slots=True)
class Times(_Deferred):
    """The ``Times`` block of an entry or a group (all UTC, ``None`` when absent)."""

    creation: datetime | None = None
    last_modification: datetime | None = None
    last_access: datetime | None = None
    expiry: datetime | None = None
    expires: bool = False
    usage_count: int = 0
    location_changed: datetime | None = None


@dataclass(slots=True)
class StringField:
    """One string attribute of an entry; ``protected`` is KeePass's "protect in memory" flag."""

    value: str
    protected: bool = False

    def __repr__(self) -> str:
        shown = "<protected>" if self.protected else repr(self.value)
        return f"StringField({shown}, protected={self.protected})"


@dataclass(slots=True)
class Attachment:
    """An attachment (KeePass "binary") of an entry: its file name and bytes."""

    name: str
    data: bytes = field(repr=False)
    protected: bool = False

    def __repr__(self) -> str:
        return f"Attachment({self.name!r}, {len(self.data)} bytes, protected={self.protected})"


@_with_pending_variant
@dataclass(slots=True)
class Entry(_Deferred):
    """An entry; ``strings`` holds the standard fields (Title, UserName, Password, URL, Notes)
    and every custom attribute (``otp``, ``KPEX_PASSKEY_*``, ``TimeOtp-*``, ...)."""

    uuid: _uuid.UUID = field(default_factory=_new_uuid)
    strings: dict[str, StringField] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    times: Times = field(default_factory=Times)
    icon_id: int = 0
    custom_icon_uuid: _uuid.UUID | None = None
    foreground_color: str = ""
    background_color: str = ""
    override_url: str = ""
    history: list[Entry] = field(default_factory=list)
    extra: list[Element] = field(default_factory=list, repr=False)

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value of a string field, or *default*."""
        f = self.strings.get(key)
        return default if f is None else f.value

    def set(self, key: str, value: str, *, protected: bool | None = None) -> None:
        """Set a string field; ``protected=None`` keeps the current flag (default: Password only)."""
        if protected is None:
            old = self.strings.get(key)
            protected = old.protected if old is not None else key == "Password"
        self.strings[key] = StringField(value, protected)

    @property
    def title(self) -> str:
        f = self.strings.get("Title")
        return f.value if f is not None else ""

    @property
    def username(self) -> str:
        f = self.strings.get("UserName")
        return f.value if f is not None else ""

    @property
    def password(self) -> str:
        f = self.strings.get("Password")
        return f.value if f is not None else ""

    @property
    def url(self) -> str:
        f = self.strings.get("URL")
        return f.value if f is not None else ""

    @property
    def notes(self) -> str:
        f = self.strings.get("Notes")
        return f.value if f is not None else ""

    def custom_fields(self) -> dict[str, StringField]:
        """The string fields that are not one of the five standard ones."""
        return {k: v for k, v in self.strings.items() if k not in STANDARD_FIELDS}


@dataclass(slots=True)
class Group:
    """A group (folder); ``groups`` are its sub-groups."""

    uuid: _uuid.UUID = field(default_factory=_new_uuid)
    name: str = ""
    notes: str = ""
    icon_id: int = 48
    custom_icon_uuid: _uuid.UUID | None = None
    times: Times = field(default_factory=Times)
    tags: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    extra: list[Element] = field(default_factory=list, repr=False)

    def walk(self) -> Iterator[tuple[list[Group], Group]]:
        """Every group below and including this one, with its path of ancestors (pre-order)."""
        stack: list[tuple[list[Group], Group]] = [([], self)]
        while stack:
            path, group = stack.pop()
            yield path, group
            sub = [*path, group]
            stack.extend((sub, g) for g in reversed(group.groups))


@dataclass(slots=True)
class CustomIcon:
    uuid: _uuid.UUID
    data: bytes = field(repr=False)
    name: str | None = None
    last_modification: datetime | None = None


@dataclass(slots=True)
class DeletedObject:
    uuid: _uuid.UUID
    deletion_time: datetime | None = None


@dataclass(slots=True)
class Meta:
    """Database metadata; everything not modelled here stays in ``extra`` (in order)."""

    generator: str = ""
    database_name: str = ""
    recycle_bin_enabled: bool = True
    recycle_bin_uuid: _uuid.UUID | None = None
    custom_icons: list[CustomIcon] = field(default_factory=list)
    extra: list[Element] = field(default_factory=list, repr=False)


@dataclass(frozen=True, slots=True)
class KdbxInfo:
    """How a database read from a file was stored (informational; never contains keys)."""

    version: tuple[int, int]
    cipher: str  # "aes256" | "chacha20" | "twofish"
    kdf: str  # "aes-kdf" | "argon2d" | "argon2id"
    compressed: bool
    inner_stream: str  # "salsa20" | "chacha20" | "none"
    kdf_parameters: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True)
class Database:
    """A whole KeePass database."""

    root: Group = field(default_factory=lambda: Group(name="Root"))
    meta: Meta = field(default_factory=Meta)
    deleted_objects: list[DeletedObject] = field(default_factory=list)
    info: KdbxInfo | None = None
    extra: list[Element] = field(default_factory=list, repr=False)
    warnings: list[str] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[list[Group], Group]]:
        """Every group with its ancestors, root first."""
        return self.root.walk()

    def recycle_bin(self) -> Group | None:
        """The recycle bin group, when the database has one."""
        rb = self.meta.recycle_bin_uuid
        if rb is None or rb.int == 0:
            return None
        for _path, group in self.walk():
            if group.uuid == rb:
                return group
        return None

    def iter_entries(
        self, *, include_recycle_bin: bool = True
    ) -> Iterator[tuple[list[Group], Entry]]:
        """Every (current, not history) entry with its group path (root first).

        With ``include_recycle_bin=False`` the recycle bin and everything below it are skipped.
        """
        rb = None if include_recycle_bin else self.meta.recycle_bin_uuid
        stack: list[tuple[list[Group], Group]] = [([], self.root)]
        while stack:
            path, group = stack.pop()
            if rb is not None and group.uuid == rb and path:
                continue
            here = [*path, group]
            for entry in group.entries:
                yield here, entry
            stack.extend((here, g) for g in reversed(group.groups))
