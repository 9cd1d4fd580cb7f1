"""Adapter metadata and the reader / writer protocols.

Every foreign format is an *adapter*: an object with an :class:`AdapterInfo` (``info``), a cheap
``accepts(sample)`` check used by detection, and ``read`` and/or ``write``. Readers produce a CXF
:class:`~cxkit.cxf.Document` and fill a :class:`~cxkit.adapters.report.MigrationReport`; writers
consume a Document and record in the report what they could not carry. Because CXF sits in the
middle, every reader pairs with every writer.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from cxkit.adapters.report import MigrationReport
from cxkit.cxf.codec import Document
from cxkit.errors import AdapterError

__all__ = [
    "AdapterInfo",
    "Capability",
    "Confidence",
    "DetectionError",
    "PasswordNeededError",
    "ReadOptions",
    "Reader",
    "Sample",
    "WriteOptions",
    "Writer",
]


class Capability(enum.Flag):
    """What an adapter can do."""

    READ = enum.auto()
    WRITE = enum.auto()
    ENCRYPTED = enum.auto()
    """The format is encrypted at rest (a password is asked for)."""
    CXF = enum.auto()
    """The format is CXF JSON itself: the default destination, and what a CXP payload is."""
    DETACHED_ATTACHMENTS = enum.auto()
    """Attachment bytes travel as files next to the output (``--attachments-out``), not in it."""
    RECOVERY_CODE = enum.auto()
    """Without a new password the output is sealed with a generated recovery code."""


class Confidence(enum.IntEnum):
    """How sure ``accepts`` is that a sample is its format."""

    NO = 0
    MAYBE = 1
    LIKELY = 2
    CERTAIN = 3


@dataclass(frozen=True)
class AdapterInfo:
    """Metadata of one adapter (shown by ``cxkit formats``)."""

    key: str
    """``bitwarden-json``: what ``--from`` / ``--to`` take."""
    app: str
    format: str
    versions: str
    capabilities: Capability
    credential_types: frozenset[str]
    """CXF credential types the format can hold (others are transformed or not carried)."""
    how_to_export: str
    extensions: tuple[str, ...] = ()
    json_keys: frozenset[str] = frozenset()
    """Top-level JSON members that suggest this format (detection hint)."""
    zip_members: tuple[str, ...] = ()
    csv_header: frozenset[str] = frozenset()
    magic: tuple[bytes, ...] = ()
    plaintext: bool = True
    """Output holds secrets unencrypted (``--plaintext`` required)."""
    read_options: tuple[type[Any], ...] = ()
    """Adapter-specific option sets the reader takes (:meth:`ReadOptions.get`)."""
    write_options: tuple[type[Any], ...] = ()
    """Adapter-specific option sets the writer takes (:meth:`WriteOptions.get`), e.g.
    :class:`~cxkit.adapters.kit.csvwrite.CsvWriteOptions`."""

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


@dataclass
class Sample:
    """What detection looks at, computed once per input by the cheap sniffers."""

    name: str
    data: bytes
    json: Any = None
    """The decoded JSON when the input parses as JSON (else None)."""
    json_ok: bool = False
    zip_names: tuple[str, ...] | None = None
    csv_header: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def json_keys(self) -> frozenset[str]:
        return frozenset(self.json) if isinstance(self.json, dict) else frozenset()


#: Asks for a password: called with a prompt such as "password of the Bitwarden export".
PasswordSource = Callable[[str], str]


_Set = TypeVar("_Set")


class _OptionSets:
    """Adapter-specific option sets on the shared options (issue 12): an adapter defines its
    own frozen dataclass with defaults (e.g. :class:`cxkit.adapters.kit.csvwrite.CsvWriteOptions`)
    and declares it in :attr:`AdapterInfo.read_options` / :attr:`AdapterInfo.write_options`;
    callers put a filled-in set with :meth:`set`, the adapter reads it with :meth:`get` (its
    defaults when the caller gave none). The shared options stay free of format flags."""

    extra: dict[type[Any], Any]

    def get(self, kind: type[_Set]) -> _Set:
        """The option set of class *kind* given by the caller, or *kind*'s defaults."""
        found = self.extra.get(kind)
        return found if isinstance(found, kind) else kind()

    def set(self, *values: Any) -> None:
        """Give option sets (each stored under its class)."""
        for value in values:
            self.extra[type(value)] = value


@dataclass
class ReadOptions(_OptionSets):
    password: PasswordSource | None = None
    include_trashed: bool = False
    max_size: int = 256 * 1024 * 1024
    attachments: dict[str, bytes] = field(default_factory=dict)
    """Filled by readers of formats that hold attachment bytes: ``File.id`` → the bytes of the
    CXF ``file`` credential the reader made (CXF keeps the bytes outside the JSON)."""
    keyfile: bytes | None = field(default=None, repr=False)
    """Content of a key file, for formats that take one (KeePass)."""
    extra: dict[type[Any], Any] = field(default_factory=dict)
    """Adapter-specific option sets by class (:meth:`get` / :meth:`set`)."""


@dataclass
class WriteOptions(_OptionSets):
    password: PasswordSource | None = None
    """For encrypted formats: the new password (asked once per write)."""
    kdf: str | None = None
    """Format-specific KDF choice (``pbkdf2`` / ``argon2id`` for Bitwarden)."""
    attachments: Mapping[str, bytes] = field(default_factory=dict)
    """Attachment bytes by ``File.id`` (from :attr:`ReadOptions.attachments`), for writers of
    formats that can hold them."""
    keyfile: bytes | None = field(default=None, repr=False)
    """Content of a key file that the new file also needs (KeePass), or None."""
    on_recovery_code: Callable[[str], None] | None = field(default=None, repr=False)
    """For writers that can seal with a generated recovery code (``cxkit-sealed``): when
    :attr:`password` is None, a fresh code is generated and this hook is called with it once,
    after the output is sealed, so the caller can show it (exactly once, after writing)."""
    extra: dict[type[Any], Any] = field(default_factory=dict)
    """Adapter-specific option sets by class (:meth:`get` / :meth:`set`)."""


class DetectionError(AdapterError):
    """The input's format could not be determined (unknown or ambiguous)."""


class PasswordNeededError(AdapterError):
    """The input is encrypted and no password source was given."""


@runtime_checkable
class Reader(Protocol):
    info: AdapterInfo

    def accepts(self, sample: Sample) -> Confidence: ...

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> Document: ...


@runtime_checkable
class Writer(Protocol):
    info: AdapterInfo

    def write(self, doc: Document, options: WriteOptions, report: MigrationReport) -> bytes: ...


def converted_document(
    account: Any, *, rp_id: str, app: str, timestamp: int | None = None
) -> Document:
    """The CXF Header a reader wraps its account in: the source app named as the exporter
    (``exporterRpId`` = *rp_id*, display name "APP (converted by cxkit)"), stamped now."""
    from cxkit.cxf import model as m

    header = m.Header(
        version=m.CXF_VERSION,
        exporter_rp_id=rp_id,
        exporter_display_name=f"{app} (converted by cxkit)",
        timestamp=int(time.time()) if timestamp is None else timestamp,
        accounts=(account,),
    )
    return Document(header)
