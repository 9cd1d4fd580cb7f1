"""Adapter metadata and the reader / writer protocols.

Every foreign format is an *adapter*: an object with an :class:`AdapterInfo` (``info``), a cheap
``accepts(sample)`` check used by detection, and ``read`` and/or ``write``. Readers produce a CXF
:class:`~cxkit.cxf.Document` and fill a :class:`~cxkit.adapters.report.MigrationReport`; writers
consume a Document and record in the report what they could not carry. Because CXF sits in the
middle, every reader pairs with every writer.
"""

from __future__ import annotations

import enum
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, runtime_checkable

from cxkit.adapters.report import MigrationReport
from cxkit.errors import AdapterError

if TYPE_CHECKING:  # the CXF layer is imported where it is used: detection needs none of it
    from cxkit.cxf.codec import Document

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
    "accepts_by_hints",
]


_UNSET: Any = object()


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
    FOLDER = enum.auto()
    """The format is a folder of files (a password store): the reader takes a folder input
    (:attr:`Sample.folder`); the writer's bytes are a zip of the folder's files, which the CLI
    adds to the DEST folder (new files only: an existing one is never replaced)."""


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
    """How to get the file out of the app (``cxkit formats -v``, ``docs/formats.md``)."""
    how_to_import: str = ""
    """For a writer: how to bring the file cxkit wrote into the app (every writer says it)."""
    # -- detection hints: the default ``accepts`` (:func:`accepts_by_hints` below)
    # says CERTAIN / LIKELY only on one of these pieces of positive evidence.
    extensions: tuple[str, ...] = ()
    """File name endings (``.json``): for choosing a writer by name, never evidence alone."""
    json_keys: frozenset[str] = frozenset()
    """Top-level JSON members that must all be present (LIKELY)."""
    zip_members: tuple[str, ...] = ()
    """Zip member names that must all be present (LIKELY)."""
    csv_header: frozenset[str] = frozenset()
    """The CSV header as a set of column names (an exact match is CERTAIN)."""
    csv_headers: tuple[frozenset[str], ...] = ()
    """Further accepted CSV header sets (older layouts), exact match as for :attr:`csv_header`."""
    magic: tuple[bytes, ...] = ()
    """Leading bytes of the file (CERTAIN)."""
    xml_root: str = ""
    """Name of the XML root element (LIKELY)."""
    folder_marker: str = ""
    """For formats that are a folder (a password store, a 1Password OPVault): a file the folder
    holds, relative to it (``.gpg-id``); its presence is evidence (LIKELY)."""
    plaintext: bool = True
    """Output holds secrets unencrypted (``--plaintext`` required)."""
    read_options: tuple[type[Any], ...] = ()
    """Adapter-specific option sets the reader takes (:meth:`ReadOptions.get`)."""
    write_options: tuple[type[Any], ...] = ()
    """Adapter-specific option sets the writer takes (:meth:`WriteOptions.get`), e.g.
    :class:`~cxkit.adapters.kit.csvwrite.CsvWriteOptions`."""

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities


class Sample:
    """What detection looks at, computed once per input by the cheap sniffers
    (:func:`cxkit.adapters.detection.make_sample`).

    For JSON only the top level is looked at when sniffing (members as undecoded ``Raw``
    slices); :attr:`json` decodes the whole document on first use and keeps it, so detection
    plus reading decode a document once.
    """

    def __init__(
        self,
        name: str = "",
        data: bytes = b"",
        *,
        kind: str = "",
        json: Any = _UNSET,
        json_ok: bool = False,
        json_top: dict[str, Any] | None = None,
        json_array_keys: frozenset[str] | None = None,
        zip_names: tuple[str, ...] | None = None,
        csv_header: tuple[str, ...] | None = None,
        xml_root: str | None = None,
        folder: Path | None = None,
    ) -> None:
        self.name = name
        self.data = data
        self.kind = kind
        """``json``, ``zip``, ``csv``, ``xml``, ``openpgp``, ``text``, ``binary``, ``empty`` or
        ``folder``."""
        self.folder = folder
        """A folder input (kind ``folder``, no :attr:`data`): its path; readers of folder
        formats walk it themselves (:func:`cxkit.adapters.detection.make_folder_sample`)."""
        self._json = json
        self.json_ok = json_ok or json is not _UNSET
        self.json_top = json_top
        """Top-level members of a JSON object → their undecoded ``msgspec.Raw`` slices."""
        self.json_array_keys = json_array_keys
        """For a JSON array: the members of its first entries (detection evidence)."""
        self.zip_names = zip_names
        self.csv_header = csv_header
        self.xml_root = xml_root
        self.extra: dict[str, Any] = {}
        self._members: dict[str, Any] = {}

    @property
    def json(self) -> Any:
        """The decoded JSON document (decoded once, on first use), or None if not JSON."""
        if self._json is _UNSET:
            if not self.json_ok:
                return None
            from cxkit.adapters.kit.input import parse_json

            self._json = parse_json(self.data, name=self.name)
        return self._json

    @json.setter
    def json(self, value: Any) -> None:
        self._json = value
        self.json_ok = value is not None

    def parsed_json(self) -> Any:
        """The input as a JSON document, for a reader: the sniffers' decode when detection saw
        JSON, else parsed now with the guarded parser (its error names the file) — for a
        reader chosen with ``--from`` on an input detection did not take for JSON."""
        if self.json_ok:
            return self.json
        from cxkit.adapters.kit.input import parse_json

        return parse_json(self.data, name=self.name)

    @property
    def json_keys(self) -> frozenset[str]:
        """Top-level members of a JSON object (empty for anything else)."""
        if self.json_top is not None:
            return frozenset(self.json_top)
        if self._json is not _UNSET and isinstance(self._json, dict):
            return frozenset(self._json)
        return frozenset()

    def json_member(self, key: str) -> Any:
        """One top-level member, decoded alone (cheap for small members); None if absent or
        undecodable."""
        if self._json is not _UNSET:
            return self._json.get(key) if isinstance(self._json, dict) else None
        if self.json_top is None or key not in self.json_top:
            return None
        if key not in self._members:
            import msgspec

            try:
                self._members[key] = msgspec.json.decode(self.json_top[key])
            except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
                self._members[key] = None
        return self._members[key]

    def json_member_is(self, key: str, kind: type) -> bool:
        """Whether top-level member *key* is a JSON object (``dict``), array (``list``) or string
        (``str``) — told from its first byte, without decoding it."""
        if self._json is not _UNSET:
            return isinstance(self._json, dict) and isinstance(self._json.get(key), kind)
        if self.json_top is None or key not in self.json_top:
            return False
        first = memoryview(self.json_top[key])[:1].tobytes()
        return {b"{": dict, b"[": list, b'"': str}.get(first) is kind

    def json_entries(self, key: str, limit: int = 32) -> list[Any] | None:
        """The first *limit* entries of the top-level array member *key*, each decoded alone;
        None when *key* is not an array. Only the start of the array is scanned: evidence
        without touching the rest of a 100 MB ``items``."""
        if self._json is not _UNSET:
            value = self._json.get(key) if isinstance(self._json, dict) else None
            return value[:limit] if isinstance(value, list) else None
        if self.json_top is None or key not in self.json_top:
            return None
        return first_entries(memoryview(self.json_top[key]), limit)

    def json_entry_keys(self, key: str, limit: int = 32) -> list[frozenset[str] | None] | None:
        """The member names of the first *limit* entries of the top-level array member *key*
        (None for an entry that is not a JSON object); None when *key* is not an array. As
        :meth:`json_entries`, but the members' values are not decoded: a look at the shape of a
        CXF document's one 7 MB account costs a C pass over it, not its ~100k Python objects."""
        if self._json is not _UNSET:
            value = self._json.get(key) if isinstance(self._json, dict) else None
            if not isinstance(value, list):
                return None
            return [frozenset(e) if isinstance(e, dict) else None for e in value[:limit]]
        if self.json_top is None or key not in self.json_top:
            return None
        return first_entries(memoryview(self.json_top[key]), limit, keys_only=True)


_TOKEN: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)
_SCAN_BYTES = 256 << 10
"""An entry longer than this is not scanned to its end by :data:`_TOKEN`: msgspec splits the
array instead (a CXF document's one account of 7 MB took the regex ~0.4 s of CPU, in every
detection of a CXF file — 1PUX's ``accepts`` looks at ``accounts``; msgspec: a few ms)."""
_SCAN_KEYS_BYTES = 16 << 10
""":data:`_SCAN_BYTES` when only the entries' member names are wanted."""


def first_entries(array: memoryview, limit: int, *, keys_only: bool = False) -> list[Any] | None:
    """Decode the first *limit* entries of the JSON array *array* (one valid JSON value), finding
    their boundaries with a token scan of strings and brackets that stops after them (or, past
    an entry longer than :data:`_SCAN_BYTES`, with msgspec's split of the whole array).
    *keys_only*: each entry as the frozenset of its member names (None when it is not an
    object), its values checked by msgspec but not made into Python objects; the scan then
    hands over to msgspec past :data:`_SCAN_KEYS_BYTES` (the names cost a C pass, and the token
    scan of 256 KiB ~20 ms of CPU)."""
    import msgspec

    decode = _entry_keys if keys_only else msgspec.json.decode
    budget = _SCAN_KEYS_BYTES if keys_only else _SCAN_BYTES
    if array[:1].tobytes() != b"[":
        return None
    entries: list[Any] = []
    depth, start = 0, 1
    try:
        for token in _TOKEN.finditer(array):
            at = token.start()
            if at - start > budget:  # a long entry: msgspec finds the boundaries (in C)
                raws = msgspec.json.decode(array, type=list[msgspec.Raw])
                return [decode(raw) for raw in raws[:limit]]
            char = array[at]
            if char in b"[{":
                depth += 1
                continue
            if char in b"]}":
                depth -= 1
                if depth:
                    continue
            elif char == 0x22 or depth != 1:  # a string, or a comma inside an entry
                continue
            piece = array[start:at]
            if bytes(piece).strip():
                entries.append(decode(piece))
            start = at + 1
            if depth == 0 or len(entries) >= limit:
                break
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return None
    return entries[:limit]


def _entry_keys(raw: Any) -> frozenset[str] | None:
    """The member names of the JSON value *raw* (bytes-like) if it is an object, else None (it
    is still checked to be valid JSON); the members' values are not decoded."""
    import msgspec

    try:
        return frozenset(msgspec.json.decode(raw, type=dict[str, msgspec.Raw]))
    except msgspec.ValidationError:  # valid JSON that is not an object
        msgspec.json.decode(raw)  # an invalid value raises DecodeError, as the full decode
        return None


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
    attachments: dict[str, bytes] = field(default_factory=dict, repr=False)
    """Filled by readers of formats that hold attachment bytes: ``File.id`` → the bytes of the
    CXF ``file`` credential the reader made (CXF keeps the bytes outside the JSON)."""
    keyfile: bytes | None = field(default=None, repr=False)
    """Content of a key file, for formats that take one (KeePass). Like the password, a
    secret that unlocks the input (not a format flag), so it is one of the shared options."""
    extra: dict[type[Any], Any] = field(default_factory=dict)
    """Adapter-specific option sets by class (:meth:`get` / :meth:`set`)."""
    accounting: bool = True
    """False when the caller throws the report's field records away (the TOTP proof's read-back
    of a destination): a reader whose per-field records are a walk of its own may then leave
    them out (the CXF JSON reader does), and :func:`cxkit.adapters.read` its walk for short
    TOTP secrets; the document read is the same either way."""


@dataclass
class WriteOptions(_OptionSets):
    password: PasswordSource | None = None
    """For encrypted formats: the new password (asked once per write)."""
    attachments: Mapping[str, bytes] = field(default_factory=dict, repr=False)
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
    from cxkit.cxf.codec import Document

    header = m.Header(
        version=m.CXF_VERSION,
        exporter_rp_id=rp_id,
        exporter_display_name=f"{app} (converted by cxkit)",
        timestamp=int(time.time()) if timestamp is None else timestamp,
        accounts=(account,),
    )
    return Document(header)


def accepts_by_hints(info: AdapterInfo, sample: Sample) -> Confidence:
    """The default ``accepts``: positive evidence from the hints of *info* — magic bytes or an
    exact CSV header (CERTAIN); all of ``json_keys``, all of ``zip_members``, the XML root
    element or, for a folder input, its ``folder_marker`` file (LIKELY). A file name extension
    is never evidence on its own."""
    if info.magic and sample.data.startswith(info.magic):
        return Confidence.CERTAIN
    if sample.csv_header is not None:
        header = frozenset(sample.csv_header)
        if header and header in (info.csv_header, *info.csv_headers):
            return Confidence.CERTAIN
    if info.json_keys and sample.json_ok and info.json_keys <= sample.json_keys:
        return Confidence.LIKELY
    names = sample.zip_names
    if info.zip_members and names is not None and set(info.zip_members) <= set(names):
        return Confidence.LIKELY
    if info.xml_root and sample.xml_root == info.xml_root:
        return Confidence.LIKELY
    folder = sample.folder
    if info.folder_marker and folder is not None and (folder / info.folder_marker).is_file():
        return Confidence.LIKELY
    return Confidence.NO
