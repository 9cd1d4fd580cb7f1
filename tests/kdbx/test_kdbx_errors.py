"""Hostile and damaged KDBX input: only cxkit errors escape, nothing hangs, no secret leaks."""

from __future__ import annotations

import gzip
import hashlib
import random
import struct
from pathlib import Path
from typing import Any

import pytest

import cxkit.kdbx._container as container
from cxkit.errors import (
    CxkitError,
    DecryptionError,
    InputTooLargeError,
    InvalidKeyError,
    UnsupportedAlgorithmError,
    UnsupportedVersionError,
)
from cxkit.kdbx import (
    Database,
    Entry,
    KdbxCredentialsError,
    KdbxFormatError,
    KdbxIntegrityError,
    KdbxTruncatedError,
    KdfCostError,
    KdfLimits,
    WriteOptions,
    read_kdbx,
    write_kdbx,
)
from cxkit.kdbx._crypto import Salsa20, aes_kdf
from cxkit.kdbx._xml import gunzip

FAST = WriteOptions(argon2_memory_kib=64, argon2_iterations=1, argon2_parallelism=1)
TIGHT = KdfLimits(
    max_argon2_memory_kib=1024,
    max_argon2_iterations=4,
    max_argon2_work_kib=2048,
    max_aes_rounds=10_000,
    max_payload_bytes=4 * 1024 * 1024,
)
SECRET = "hunter2-very-secret"


def small_db() -> Database:
    db = Database()
    e = Entry()
    e.set("Title", "t")
    e.set("Password", SECRET, protected=True)
    e.set("KPEX_PASSKEY_PRIVATE_KEY_PEM", "-----BEGIN PRIVATE KEY-----\nAAAA\n", protected=True)
    db.root.entries.append(e)
    return db


@pytest.fixture(scope="module")
def sample() -> bytes:
    return write_kdbx(small_db(), password="pw", options=FAST)


def _open(data: bytes) -> None:
    try:
        read_kdbx(data, password="pw", limits=TIGHT)
    except CxkitError as exc:
        text = exc.diagnostics() + repr(exc)
        assert SECRET not in text and "pw" not in text.split()
        assert "BEGIN PRIVATE" not in text


def test_kdbx_every_header_byte_flipped(sample: bytes) -> None:
    header_end = sample.index(b"\r\n\r\n") + 4 + 64
    for pos in range(header_end):
        for mask in (0x01, 0x80, 0xFF):
            data = bytearray(sample)
            data[pos] ^= mask
            _open(bytes(data))


def test_kdbx_random_payload_mutations(sample: bytes) -> None:
    rng = random.Random(7)
    for _ in range(300):
        data = bytearray(sample)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        _open(bytes(data))


def test_kdbx_every_truncation(sample: bytes) -> None:
    for cut in range(len(sample)):
        with pytest.raises(CxkitError):
            read_kdbx(sample[:cut], password="pw", limits=TIGHT)
    with pytest.raises(KdbxTruncatedError):
        read_kdbx(sample[: len(sample) // 2], password="pw")


def test_kdbx_clear_errors(sample: bytes) -> None:
    with pytest.raises(KdbxCredentialsError, match="wrong password or key file"):
        read_kdbx(sample, password="wrong")
    with pytest.raises(InvalidKeyError):
        read_kdbx(sample)
    with pytest.raises(KdbxFormatError, match="not a KDBX file"):
        read_kdbx(b"PK\x03\x04" + bytes(100), password="pw")
    header_end = sample.index(b"\r\n\r\n") + 4
    bad = bytearray(sample)
    bad[header_end + 70] ^= 1  # inside the first HMAC block
    with pytest.raises(KdbxIntegrityError, match="HMAC"):
        read_kdbx(bytes(bad), password="pw")
    bad = bytearray(sample)
    bad[20] ^= 1  # header byte: the stored SHA-256 no longer matches
    with pytest.raises(KdbxFormatError, match="header"):
        read_kdbx(bytes(bad), password="pw")
    v5 = sample[:8] + struct.pack("<HH", 0, 5) + sample[12:]
    with pytest.raises(UnsupportedVersionError):
        read_kdbx(v5, password="pw")
    assert issubclass(KdbxIntegrityError, DecryptionError)
    assert issubclass(KdbxCredentialsError, DecryptionError)


def test_kdbx_kdf_limits_refuse_before_work() -> None:
    heavy = write_kdbx(
        small_db(),
        password="pw",
        options=WriteOptions(argon2_memory_kib=4096, argon2_iterations=2, argon2_parallelism=1),
    )
    with pytest.raises(KdfCostError, match="memory"):
        read_kdbx(heavy, password="pw", limits=TIGHT)
    with pytest.raises(KdfCostError, match="iterations"):
        read_kdbx(heavy, password="pw", limits=KdfLimits(max_argon2_iterations=1))
    assert read_kdbx(heavy, password="pw").root.entries[0].password == SECRET
    assert isinstance(KdfCostError("x"), InputTooLargeError)
    aes = write_kdbx(
        small_db(), password="pw", options=WriteOptions(kdf="aes-kdf", aes_rounds=50_000)
    )
    with pytest.raises(KdfCostError, match="rounds"):
        read_kdbx(aes, password="pw", limits=TIGHT)
    assert read_kdbx(aes, password="pw").root.entries[0].title == "t"
    # an absurd memory parameter patched into the header is refused by the default limits
    m_at = heavy.index(b"\x01\x00\x00\x00M") + 5 + 4
    absurd = heavy[:m_at] + struct.pack("<Q", 1 << 45) + heavy[m_at + 8 :]
    end = absurd.index(b"\r\n\r\n") + 4  # an attacker recomputes the unkeyed header hash
    absurd = absurd[:end] + hashlib.sha256(absurd[:end]).digest() + absurd[end + 32 :]
    with pytest.raises(KdfCostError):
        read_kdbx(absurd, password="pw")


def test_kdbx_payload_limit(sample: bytes) -> None:
    with pytest.raises(InputTooLargeError):
        read_kdbx(sample, password="pw", limits=KdfLimits(max_payload_bytes=100))


def _gzip_claiming(data: bytes, size: int) -> bytes:
    """A gzip member of *data* whose trailer claims *size* bytes (as a hostile file may)."""
    member = gzip.compress(data, 6)
    return member[:-4] + struct.pack("<I", size % 2**32)


@pytest.mark.parametrize("claim", [0, 1, 999, 1000, 1001, 4096, 10**6, 2**32 - 1])
def test_gunzip_sizes_its_buffer_from_the_trailer_without_trusting_it(claim: int) -> None:
    data = (bytes(range(256)) * 4)[:1000]
    member = _gzip_claiming(data, claim)
    if claim == 1000:
        assert gunzip(member, 10_000) == gunzip(member, 1000) == data
        with pytest.raises(InputTooLargeError):
            gunzip(member, 999)
    else:  # zlib checks the length too: a wrong one is a damaged file, whatever the limit
        with pytest.raises(KdbxFormatError, match="corrupted"):
            gunzip(member, 10_000)
        with pytest.raises((KdbxFormatError, InputTooLargeError)):
            gunzip(member, 999)


def test_gunzip_bomb_with_a_small_claim_stays_bounded() -> None:
    bomb = _gzip_claiming(bytes(50 * 1024 * 1024), 10)
    with pytest.raises(InputTooLargeError):
        gunzip(bomb, 1024 * 1024)


def test_gunzip_truncated_and_corrupted() -> None:
    member = gzip.compress(b"abc" * 1000)
    with pytest.raises(KdbxFormatError, match="truncated"):
        gunzip(member[: len(member) // 2], 10_000)
    with pytest.raises(KdbxFormatError):
        gunzip(member[:10] + bytes(20) + member[30:], 10_000)


def test_kdbx_doctype_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = container.write_document_to

    def with_doctype(db: Any, stream: Any, pool: Any, sink: Any, now: Any = None) -> None:
        bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'

        def inject(piece: bytes) -> None:
            sink(piece.replace(b"<KeePassFile>", bomb + b"<KeePassFile>", 1))

        real(db, stream, pool, inject, now)

    monkeypatch.setattr(container, "write_document_to", with_doctype)
    data = write_kdbx(small_db(), password="pw", options=FAST)
    with pytest.raises(KdbxFormatError, match="document type declaration"):
        read_kdbx(data, password="pw")


def test_kdbx_unsupported_write_options() -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        write_kdbx(small_db(), password="pw", options=WriteOptions(cipher="twofish"))  # type: ignore[arg-type]


def test_kdbx_salsa20_matches_reference() -> None:
    ref = pytest.importorskip("Cryptodome.Cipher.Salsa20")
    key, nonce = bytes(range(32)), bytes(range(8))
    ours = Salsa20(key, nonce)
    theirs = ref.new(key=key, nonce=nonce)
    for n in (0, 1, 7, 64, 65, 130, 1000):
        data = bytes((i * 7) & 0xFF for i in range(n))
        assert ours.update(data) == theirs.encrypt(data)


def test_kdbx_aes_kdf_matches_plain_ecb() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, seed = bytes(range(32)), bytes(range(32, 64))
    enc = Cipher(algorithms.AES(seed), modes.ECB()).encryptor()
    block = key
    for _ in range(1000):
        block = enc.update(block)
    assert aes_kdf(key, seed, 1000) == hashlib.sha256(block).digest()


def test_kdbx_save_refuses_overwrite(tmp_path: Path) -> None:
    from cxkit.errors import OutputError
    from cxkit.kdbx import save_kdbx

    path = tmp_path / "db.kdbx"
    save_kdbx(small_db(), path, password="pw", options=FAST)
    with pytest.raises(OutputError):
        save_kdbx(small_db(), path, password="pw", options=FAST)
    save_kdbx(small_db(), path, password="pw", options=FAST, overwrite=True)
    assert read_kdbx(path, password="pw").root.entries[0].password == SECRET
