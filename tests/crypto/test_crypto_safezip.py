"""Guarded zip reader and deterministic writer: bombs, traversal, overlap, canonical form."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from cxkit.crypto.safezip import (
    UnsafeZipError,
    ZipFormatError,
    ZipLimits,
    read_zip,
    write_zip,
)
from cxkit.errors import CxkitError, InputTooLargeError


def _stdlib_zip(entries: list[tuple[str, bytes]], **kw: object) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def test_round_trip_and_determinism() -> None:
    members = [("a/b.txt", b"hello" * 100), ("c.bin", bytes(range(256)))]
    data = write_zip(members)
    assert data == write_zip(members)
    z = read_zip(data, canonical=True)
    assert z.names() == ["a/b.txt", "c.bin"]
    assert [z.read(n) for n in z.names()] == [m[1] for m in members]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # stdlib agrees
        assert zf.read("c.bin") == bytes(range(256))


def test_general_mode_reads_stdlib_zip_but_canonical_refuses_it() -> None:
    data = _stdlib_zip([("x.txt", b"abc")])
    assert read_zip(data).read("x.txt") == b"abc"
    with pytest.raises(ZipFormatError, match="canonical"):
        read_zip(data, canonical=True)


@pytest.mark.parametrize(
    "name",
    ["/etc/passwd", "../x", "a/../../x", "a\\b", "C:x", "a\x00b", "a//b", "./a", "dir/"],
)
def test_unsafe_names(name: str) -> None:
    data = _stdlib_zip([(name, b"x")]) if "\x00" not in name else None
    if data is None:
        data = write_zip([("aXb", b"x")]).replace(b"aXb", b"a\x00b")
    with pytest.raises(UnsafeZipError):
        read_zip(data)
    with pytest.raises(UnsafeZipError):
        write_zip([(name, b"x")])


def test_duplicates_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("a", b"1")
        zf.writestr("a", b"2")
    with pytest.raises(UnsafeZipError, match="duplicate"):
        read_zip(buf.getvalue())
    with pytest.raises(UnsafeZipError, match="duplicate"):
        write_zip([("a", b"1"), ("a", b"2")])


def _overlapping_bomb(copies: int) -> bytes:
    """Many central-directory entries (unique names) that all point at one local header."""
    one = write_zip([("a", bytes(range(256)) * 400)])
    _, _, _, _, _, cd_size, cd_offset, _ = struct.unpack("<IHHHHIIH", one[-22:])
    cd = one[cd_offset : cd_offset + cd_size]
    out = []
    for i in range(copies):
        rec = bytearray(cd[:46])
        struct.pack_into("<H", rec, 28, 6)  # name length
        out.append(bytes(rec) + f"n{i:05d}".encode())
    body = one[:cd_offset]
    cds = b"".join(out)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(cds), len(body), 0)
    return body + cds + eocd


def test_overlapping_entries_refused() -> None:
    bomb = _overlapping_bomb(50)
    with pytest.raises(ZipFormatError, match=r"disagrees|overlap"):
        read_zip(bomb)


def test_lying_size_refused() -> None:
    data = bytearray(write_zip([("a", b"A" * 50_000)]))
    # declare 1000 bytes in both headers; real content is 50 000
    struct.pack_into("<I", data, 22, 1000)
    cd_offset = struct.unpack_from("<I", data, len(data) - 6)[0]
    struct.pack_into("<I", data, cd_offset + 24, 1000)
    z = read_zip(bytes(data))
    with pytest.raises(InputTooLargeError, match="larger than its declared"):
        z.read("a")


def test_huge_ratio_and_caps() -> None:
    data = write_zip([("a", b"\x00" * (8 << 20))])
    with pytest.raises(InputTooLargeError, match="ratio"):
        read_zip(data)
    ok = ZipLimits(max_ratio=10_000)
    assert len(read_zip(data, ok).read("a")) == 8 << 20
    with pytest.raises(InputTooLargeError):
        read_zip(data, ZipLimits(max_ratio=10_000, max_entry_size=1 << 20))
    with pytest.raises(InputTooLargeError):
        read_zip(data, ZipLimits(max_ratio=10_000, max_total_size=1 << 20))
    many = write_zip([(f"f{i}", b"x") for i in range(20)])
    with pytest.raises(InputTooLargeError, match="entries"):
        read_zip(many, ZipLimits(max_entries=10))


def test_symlink_and_encrypted_refused() -> None:
    info = zipfile.ZipInfo("link")
    info.create_system = 3
    info.external_attr = (0o120777) << 16
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(info, b"/etc/passwd")
    with pytest.raises(UnsafeZipError, match="symbolic"):
        read_zip(buf.getvalue())
    data = bytearray(write_zip([("a", b"x")]))
    struct.pack_into("<H", data, 6, 1)
    cd_offset = struct.unpack_from("<I", data, len(data) - 6)[0]
    struct.pack_into("<H", data, cd_offset + 8, 1)
    with pytest.raises(UnsafeZipError, match="encrypted"):
        read_zip(bytes(data))


def test_every_byte_flip_of_canonical_zip_is_detected() -> None:
    members = [("CXP-Export/index.jwe", b"eyJhbGciOi" * 30), ("CXP-Export/documents/a.jwe", b"xyz")]
    data = write_zip(members)
    for i in range(len(data)):
        for mask in (0x01, 0x80):
            bad = bytearray(data)
            bad[i] ^= mask
            try:
                z = read_zip(bytes(bad), canonical=True)
                got = [(n, z.read(n)) for n in z.names()]
            except CxkitError:
                continue
            assert got != members, f"flip at {i} went unnoticed"


def test_garbage() -> None:
    for junk in (b"", b"PK", b"\x00" * 100, zlib.compress(b"x")):
        with pytest.raises(ZipFormatError):
            read_zip(junk)


def test_every_truncation_is_a_zip_error() -> None:
    """An end-of-central-directory record cut short (found by the adapter contract: the last
    byte missing gave a struct.error) is a clear zip error, at every length."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", b'{"items": []}' * 20)
        zf.writestr("attachments/a/b.txt", b"text")
    data = buf.getvalue()
    for cut in range(len(data)):
        with pytest.raises(ZipFormatError):
            read_zip(data[:cut], allow_directories=True)
