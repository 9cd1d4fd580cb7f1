"""A guarded zip reader and a deterministic zip writer — hazmat layer.

:func:`read_zip` parses the archive itself (it does not use :mod:`zipfile`) and refuses, before
decompressing anything:

* more than ``limits.max_entries`` entries, a declared entry size above
  ``limits.max_entry_size``, a declared total above ``limits.max_total_size``, a declared
  compression ratio above ``limits.max_ratio``;
* duplicate names; local headers that overlap, sit outside the data area or disagree with the
  central directory (name, method, flags, CRC, sizes); zip64; multi-disk archives;
* absolute paths, ``..`` or ``.`` components, empty components, backslashes, drive letters,
  control characters and NUL in names; symlinks; encrypted members; methods other than
  stored (0) and DEFLATE (8).

:meth:`SafeZip.read` then decompresses with a bounded output buffer, so a member that lies about
its size is caught after at most ``declared size + 1`` bytes; it checks the CRC-32 and keeps a
running total of the real decompressed bytes.

With ``canonical=True`` the reader also requires the exact layout :func:`write_zip` produces
(entries back to back from offset 0, central directory right after, no comments or extra fields,
fixed version/attribute/time fields, zero padding bits after the last DEFLATE code), so that no
byte of the archive can change without the change being detected.

Structural problems raise :class:`ZipFormatError` (a :class:`~cxkit.errors.DecodeError`), unsafe
names :class:`UnsafeZipError`, exceeded limits :class:`~cxkit.errors.InputTooLargeError`.
"""

from __future__ import annotations

import io
import itertools
import re
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from cxkit.errors import DecodeError, InputTooLargeError

__all__ = [
    "DEFAULT_LIMITS",
    "SafeZip",
    "UnsafeZipError",
    "ZipEntry",
    "ZipFormatError",
    "ZipLimits",
    "read_zip",
    "write_zip",
]


class ZipFormatError(DecodeError):
    """The bytes are not a zip archive cxkit accepts."""


class UnsafeZipError(ZipFormatError):
    """A zip member whose name or type is unsafe (path traversal, symlink, encryption...)."""


@dataclass(frozen=True)
class ZipLimits:
    """Caps enforced by :func:`read_zip` (defaults: profile P0 §3.8 step 7)."""

    max_entries: int = 10_000
    max_entry_size: int = 64 << 20
    max_total_size: int = 512 << 20
    max_ratio: int = 200
    """Declared uncompressed/compressed ratio above which an entry (> 64 KiB) is refused."""


DEFAULT_LIMITS: Final = ZipLimits()

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_EOCD = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _EOCD_SIG = 0x04034B50, 0x02014B50, 0x06054B50

# The fixed fields write_zip emits (and canonical mode requires).
_VERSION_MADE_BY: Final = 0x0314  # Unix, 2.0
_VERSION_NEEDED: Final = 20
_DOS_TIME: Final = 0
_DOS_DATE: Final = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_EXTERNAL_ATTR: Final = 0o600 << 16  # -rw------- (no file-type bits)
_FLAG_ENCRYPTED, _FLAG_DESCRIPTOR, _FLAG_STRONG, _FLAG_UTF8 = 0x1, 0x8, 0x40, 0x800
_RATIO_FLOOR: Final = 64 << 10
_STEP: Final = 1 << 20  # bytes per piece when inflating or copying a member
_IN_STEP: Final = 256 << 10  # compressed bytes fed to inflate at a time

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ZipEntry:
    """One member as described by the central directory (sizes already cross-checked)."""

    name: str
    method: int
    crc: int
    compressed_size: int
    size: int
    data_offset: int


def _check_name(name: str, *, allow_directories: bool) -> None:
    if not name:
        raise UnsafeZipError("zip member with an empty name")
    if _CONTROL.search(name):
        raise UnsafeZipError("zip member name contains NUL or a control character")
    if "\\" in name:
        raise UnsafeZipError("zip member name contains a backslash")
    if name.startswith("/") or _DRIVE.match(name):
        raise UnsafeZipError("zip member name is an absolute path")
    parts = name.split("/")
    if name.endswith("/"):
        if not allow_directories:
            raise UnsafeZipError("directory entries are not allowed here")
        parts = parts[:-1]
    for part in parts:
        if part in ("", ".", ".."):
            raise UnsafeZipError("zip member name has an empty, '.' or '..' component")


def _inflate(comp: memoryview, size: int, canonical: bool) -> Iterator[bytes]:
    """Inflate *comp* in pieces of at most 1 MiB, never producing more than ``size + 1`` bytes.

    In canonical mode also require that the unused high bits of the last byte are zero: each set
    bit of the last byte is cleared in turn on a copy of the decompressor; if the stream still
    ends with the same output, that bit was padding. Every check of the stream is made before
    the last piece is yielded.
    """
    if len(comp) == 0:
        raise ZipFormatError("empty DEFLATE data in a zip member")
    d = zlib.decompressobj(-15)
    produced = 0
    body = comp[:-1]
    pos = 0  # input is fed in slices: zlib copies what it leaves in ``unconsumed_tail``
    try:
        data: bytes | memoryview = b""
        while True:
            if not data and pos < len(body) and not d.eof:
                data = body[pos : pos + _IN_STEP]
                pos += len(data)
            limit = min(_STEP, size + 1 - produced)
            piece = d.decompress(data, limit)
            data = d.unconsumed_tail
            produced += len(piece)
            if produced > size:
                raise InputTooLargeError("a zip member is larger than its declared size")
            if piece:
                yield piece
            if not data and len(piece) < limit and (pos >= len(body) or d.eof):
                break
        leftover = pos < len(body)
        snapshot = d.copy() if canonical else None
        tail = d.decompress(comp[-1:], size + 1 - produced)
        if produced + len(tail) <= size and not d.eof:
            tail += d.flush(size + 1 - produced - len(tail))
    except zlib.error as exc:
        raise ZipFormatError("corrupt DEFLATE data in a zip member") from exc
    if produced + len(tail) > size:
        raise InputTooLargeError("a zip member is larger than its declared size")
    if not d.eof or d.unused_data or d.unconsumed_tail or leftover:
        raise ZipFormatError("a zip member's DEFLATE data does not match its sizes")
    if snapshot is not None:
        last = comp[-1]
        for bit in range(8):
            if not last & (1 << bit):
                continue
            probe = snapshot.copy()
            try:
                alt = probe.decompress(bytes([last & ~(1 << bit)]), size + 1)
                alt += probe.flush()
            except zlib.error:
                continue
            if probe.eof and not probe.unused_data and alt == tail:
                raise ZipFormatError("non-canonical DEFLATE padding in a zip member")
    if tail:
        yield tail


def _stored(comp: memoryview) -> Iterator[bytes]:
    for i in range(0, len(comp), _STEP):
        yield bytes(comp[i : i + _STEP])


class SafeZip:
    """A validated archive; members are decompressed on demand by :meth:`read`."""

    def __init__(
        self, data: bytes, entries: list[ZipEntry], limits: ZipLimits, canonical: bool
    ) -> None:
        self._data = memoryview(data)
        self.entries = entries
        self._by_name = {e.name: e for e in entries}
        self._limits = limits
        self._canonical = canonical
        self._read_total = 0

    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def size(self, name: str) -> int:
        """The declared (and, while reading, enforced) uncompressed size of *name*."""
        entry = self._by_name.get(name)
        if entry is None:
            raise ZipFormatError("no such zip member")
        return entry.size

    def read(self, name: str) -> bytes:
        """The decompressed bytes of *name*, bounded by its declared size and the limits."""
        out = io.BytesIO()
        for piece in self.read_pieces(name):
            out.write(piece)
        return out.getvalue()  # CPython hands over its buffer: no final copy

    def read_pieces(self, name: str) -> Iterator[bytes]:
        """The decompressed bytes of *name* in pieces of at most 1 MiB, with the checks of
        :meth:`read`: a bound on the output while inflating; the DEFLATE stream, the size, the
        CRC-32 and the running total are checked before the iteration ends (so a consumer must
        treat the pieces as unverified until then)."""
        entry = self._by_name.get(name)
        if entry is None:
            raise ZipFormatError("no such zip member")
        comp = self._data[entry.data_offset : entry.data_offset + entry.compressed_size]
        source = _stored(comp) if entry.method == 0 else _inflate(comp, entry.size, self._canonical)
        return self._checked(entry, source)

    def _checked(self, entry: ZipEntry, source: Iterator[bytes]) -> Iterator[bytes]:
        crc = 0
        size = 0
        for piece in source:
            crc = zlib.crc32(piece, crc)
            size += len(piece)
            yield piece
        if size != entry.size or crc != entry.crc:
            raise ZipFormatError("a zip member's size or CRC-32 does not match")
        self._read_total += size
        if self._read_total > self._limits.max_total_size:
            raise InputTooLargeError("the zip archive decompresses to more than the limit")


def read_zip(
    data: bytes,
    limits: ZipLimits = DEFAULT_LIMITS,
    *,
    canonical: bool = False,
    allow_directories: bool = False,
) -> SafeZip:
    """Validate the structure of *data* and return a :class:`SafeZip` (nothing decompressed)."""
    if not isinstance(data, bytes):
        raise ZipFormatError("zip data must be bytes")
    n = len(data)
    if n < _EOCD.size:
        raise ZipFormatError("not a zip archive (too short)")
    if canonical:
        eocd_at = n - _EOCD.size
    else:
        eocd_at = data.rfind(
            struct.pack("<I", _EOCD_SIG), max(0, n - _EOCD.size - 0xFFFF), n - _EOCD.size + 4
        )
        if eocd_at < 0:
            raise ZipFormatError("not a zip archive (no end of central directory)")
    sig, disk, cd_disk, disk_entries, count, cd_size, cd_offset, comment_len = _EOCD.unpack_from(
        data, eocd_at
    )
    if sig != _EOCD_SIG or eocd_at + _EOCD.size + comment_len != n:
        raise ZipFormatError("not a zip archive (bad end of central directory)")
    if canonical and comment_len:
        raise ZipFormatError("zip comments are not allowed")
    if count == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        raise ZipFormatError("zip64 archives are not supported")
    if disk or cd_disk or disk_entries != count:
        raise ZipFormatError("multi-disk zip archives are not supported")
    if count > limits.max_entries:
        raise InputTooLargeError(f"the zip archive has more than {limits.max_entries} entries")
    if cd_offset + cd_size != eocd_at:
        raise ZipFormatError("the zip central directory is not where the archive says")

    entries: list[ZipEntry] = []
    names: set[str] = set()
    spans: list[tuple[int, int]] = []
    total = 0
    pos = cd_offset
    for _ in range(count):
        if pos + _CENTRAL.size > eocd_at:
            raise ZipFormatError("truncated zip central directory")
        (
            sig,
            made_by,
            needed,
            flags,
            method,
            mtime,
            mdate,
            crc,
            csize,
            usize,
            nlen,
            elen,
            clen,
            disk_start,
            _internal,
            external,
            offset,
        ) = _CENTRAL.unpack_from(data, pos)
        if sig != _CENTRAL_SIG:
            raise ZipFormatError("bad zip central directory entry")
        name_raw = data[pos + _CENTRAL.size : pos + _CENTRAL.size + nlen]
        pos += _CENTRAL.size + nlen + elen + clen
        if pos > eocd_at or len(name_raw) != nlen:
            raise ZipFormatError("truncated zip central directory")
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG):
            raise UnsafeZipError("encrypted zip members are not supported")
        if method not in (0, 8):
            raise ZipFormatError("zip member uses a compression method other than stored/DEFLATE")
        if made_by >> 8 == 3 and (external >> 16) & 0o170000 == 0o120000:
            raise UnsafeZipError("symbolic links are not allowed in the archive")
        try:
            name = name_raw.decode("utf-8" if flags & _FLAG_UTF8 else "cp437")
        except UnicodeDecodeError:
            raise UnsafeZipError("zip member name is not valid UTF-8") from None
        _check_name(name, allow_directories=allow_directories)
        if name in names:
            raise UnsafeZipError("duplicate zip member name")
        names.add(name)
        if canonical and (
            made_by != _VERSION_MADE_BY
            or needed != _VERSION_NEEDED
            or flags != 0
            or method != 8
            or (mtime, mdate) != (_DOS_TIME, _DOS_DATE)
            or elen
            or clen
            or disk_start
            or _internal
            or external != _EXTERNAL_ATTR
        ):
            raise ZipFormatError("the zip archive is not in canonical form")
        if disk_start:
            raise ZipFormatError("multi-disk zip archives are not supported")
        if method == 0 and csize != usize:
            raise ZipFormatError("a stored zip member with different sizes")
        if usize > limits.max_entry_size:
            raise InputTooLargeError(
                f"a zip member declares more than {limits.max_entry_size} bytes"
            )
        total += usize
        if total > limits.max_total_size:
            raise InputTooLargeError(
                f"the zip archive declares more than {limits.max_total_size} bytes in total"
            )
        if usize > _RATIO_FLOOR and usize > limits.max_ratio * max(csize, 1):
            raise InputTooLargeError("a zip member declares an implausible compression ratio")

        # Cross-check the local header.
        if offset + _LOCAL.size > cd_offset:
            raise ZipFormatError("a zip local header lies outside the archive data")
        (lsig, lneeded, lflags, lmethod, ltime, ldate, lcrc, lcsize, lusize, lnlen, lelen) = (
            _LOCAL.unpack_from(data, offset)
        )
        if lsig != _LOCAL_SIG:
            raise ZipFormatError("bad zip local header")
        if (lneeded, lflags, lmethod, ltime, ldate) != (needed, flags, method, mtime, mdate):
            raise ZipFormatError("zip local header disagrees with the central directory")
        if data[offset + _LOCAL.size : offset + _LOCAL.size + lnlen] != name_raw:
            raise ZipFormatError("zip local header name disagrees with the central directory")
        if flags & _FLAG_DESCRIPTOR:
            if (lcrc, lcsize, lusize) not in ((0, 0, 0), (crc, csize, usize)):
                raise ZipFormatError("zip local header disagrees with the central directory")
        elif (lcrc, lcsize, lusize) != (crc, csize, usize):
            raise ZipFormatError("zip local header disagrees with the central directory")
        if canonical and lelen:
            raise ZipFormatError("the zip archive is not in canonical form")
        data_offset = offset + _LOCAL.size + lnlen + lelen
        end = data_offset + csize
        if flags & _FLAG_DESCRIPTOR:
            # Optional signature, CRC, sizes (32-bit form only; zip64 refused above).
            has_sig = data[end : end + 4] == b"PK\x07\x08"
            end += 16 if has_sig else 12
        if end > cd_offset:
            raise ZipFormatError("a zip member's data runs past the archive data")
        spans.append((offset, end))
        entries.append(ZipEntry(name, method, crc, csize, usize, data_offset))

    if pos != eocd_at:
        raise ZipFormatError("unexpected bytes in the zip central directory")
    ordered = sorted(spans)
    for (_, prev_end), (start, _) in itertools.pairwise(ordered):
        if start < prev_end:
            raise UnsafeZipError("zip members overlap")
    if canonical:
        expected = 0
        for start, end in spans:  # central-directory order must be file order, back to back
            if start != expected:
                raise ZipFormatError("the zip archive is not in canonical form")
            expected = end
        if expected != cd_offset:
            raise ZipFormatError("the zip archive is not in canonical form")
    return SafeZip(data, entries, limits, canonical)


def write_zip(
    members: Iterable[tuple[str, bytes | bytearray | memoryview | Iterable[bytes]]],
    *,
    compress_level: int = -1,
    huffman_only: bool = False,
) -> bytes:
    """A deterministic zip archive of *members* (in the given order), DEFLATE-compressed.

    A member's content is bytes, or an iterable of byte pieces (consumed once, never joined:
    zlib's output does not depend on how its input is split).
    Fixed fields: version 2.0 (made by Unix), no flags, time 1980-01-01 00:00, external
    attributes ``0o600 << 16``, no extra fields, no comments. The same input and zlib build give
    the same bytes; the layout is what ``read_zip(..., canonical=True)`` requires.
    ``huffman_only`` selects ``Z_HUFFMAN_ONLY`` (much faster, same size on base64 ciphertext).
    """
    out = io.BytesIO()
    central: list[bytes] = []
    seen: set[str] = set()
    strategy = zlib.Z_HUFFMAN_ONLY if huffman_only else zlib.Z_DEFAULT_STRATEGY
    for name, content in members:
        _check_name(name, allow_directories=False)
        if name in seen:
            raise UnsafeZipError("duplicate zip member name")
        seen.add(name)
        raw_name = name.encode("utf-8")
        flags = 0 if raw_name.isascii() else _FLAG_UTF8
        if flags:
            raise UnsafeZipError("write_zip only writes ASCII member names")
        offset = out.tell()
        if offset >= 0xFFFFFFFF:
            raise InputTooLargeError("zip64 archives are not supported")
        out.write(bytes(_LOCAL.size))  # patched once CRC and sizes are known
        out.write(raw_name)
        pieces = [content] if isinstance(content, bytes | bytearray | memoryview) else content
        c = zlib.compressobj(compress_level, zlib.DEFLATED, -15, 8, strategy)
        crc = 0
        size = 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
            size += memoryview(piece).nbytes
            out.write(c.compress(piece))
        out.write(c.flush())
        end = out.tell()
        csize = end - offset - _LOCAL.size - len(raw_name)
        if size >= 0xFFFFFFFF or csize >= 0xFFFFFFFF:
            raise InputTooLargeError("zip64 archives are not supported")
        out.seek(offset)
        out.write(
            _LOCAL.pack(
                _LOCAL_SIG,
                _VERSION_NEEDED,
                0,
                8,
                _DOS_TIME,
                _DOS_DATE,
                crc,
                csize,
                size,
                len(raw_name),
                0,
            )
        )
        out.seek(end)
        central.append(
            _CENTRAL.pack(
                _CENTRAL_SIG,
                _VERSION_MADE_BY,
                _VERSION_NEEDED,
                0,
                8,
                _DOS_TIME,
                _DOS_DATE,
                crc,
                csize,
                size,
                len(raw_name),
                0,
                0,
                0,
                0,
                _EXTERNAL_ATTR,
                offset,
            )
            + raw_name
        )
    cd_offset = out.tell()
    for record in central:
        out.write(record)
    cd_size = out.tell() - cd_offset
    if len(central) >= 0xFFFF:
        raise InputTooLargeError("zip64 archives are not supported")
    out.write(_EOCD.pack(_EOCD_SIG, 0, 0, len(central), len(central), cd_size, cd_offset, 0))
    return out.getvalue()  # CPython hands over its buffer: no final copy
