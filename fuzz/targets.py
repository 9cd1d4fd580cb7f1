"""Fuzz targets of issue #17: each takes bytes and either returns or raises a cxkit error.

Any other exception (or a hang, or a runaway allocation) is a bug: "every reader, writer and
command turns any input into a result or a cxkit error with a location". The targets are plain
functions so that the test suite can run them on seeds without a fuzzer, and ``fuzz/run.py``
drives them with atheris (coverage-guided, libFuzzer).

Targets: ``cxf`` (decode, validate, lossless encode), ``readers`` (every registered reader —
new readers are fuzzed with no new code: the first byte picks one), ``zip`` (safezip),
``kdbx`` (the KDBX container, KDF ceilings lowered so an input cannot ask for seconds of work),
``cxp`` (CXP/P0 request, response and sealed-archive JSON, opened with a fixed key), and
``pairing`` (the live transfer's pairing string).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from cxkit.errors import CxkitError

__all__ = ["TARGETS", "MaskedInternalError", "check_error", "expected_errors", "reader_keys"]


class _NoPasswordError(CxkitError):
    """Raised by the harness's password callback: encrypted readers stop before any KDF."""


def _no_password(prompt: str) -> str:
    raise _NoPasswordError("no password in the fuzz harness")


class MaskedInternalError(AssertionError):
    """A cxkit error that only wraps a Python exception (``read_kdbx``'s catch-all reports
    "the database cannot be read (TypeError)"): the user sees no traceback, but it is a bug all
    the same, and a fuzzer that accepted it would never see the bugs behind it."""


# "... (TypeError)" at the end of a message: a catch-all naming the exception it swallowed
_MASKED = re.compile(r"\((?:[A-Z][A-Za-z]*(?:Error|Exception)|StopIteration)\)$")


def check_error(exc: CxkitError) -> None:
    """Raise :class:`MaskedInternalError` when *exc* is a catch-all hiding a Python exception."""
    if _MASKED.search(str(exc)):
        raise MaskedInternalError(str(exc)) from exc


@contextlib.contextmanager
def expected_errors() -> Iterator[None]:
    """Like ``contextlib.suppress(CxkitError)``, but a masked internal error is a finding."""
    try:
        yield
    except CxkitError as exc:
        check_error(exc)


def fuzz_cxf(data: bytes) -> None:
    from cxkit import cxf

    try:
        doc = cxf.decode(data)
    except CxkitError as exc:
        check_error(exc)
        return
    cxf.validate(doc)
    again = cxf.decode(doc.encode())  # lossless output must decode again
    cxf.validate(again)


@functools.cache
def reader_keys() -> tuple[str, ...]:
    """The registered readers that take bytes (folder formats take a folder; gpg-backed ones
    spawn gpg, which is not what is being fuzzed), in registry order."""
    from cxkit.adapters import registry
    from cxkit.adapters.base import Capability

    skip = {"protonpass-pgp"}
    return tuple(
        a.info.key
        for a in registry.readers()
        if not a.info.can(Capability.FOLDER) and a.info.key not in skip
    )


def fuzz_readers(data: bytes) -> None:
    from cxkit.adapters import read
    from cxkit.adapters.base import ReadOptions

    if not data:
        return
    keys = reader_keys()
    key = keys[data[0] % len(keys)]
    options = ReadOptions(password=_no_password, max_size=1 << 20)
    with expected_errors():
        read(data[1:], f"fuzz.{key}", source_format=key, options=options)


def fuzz_detect(data: bytes) -> None:
    from cxkit.adapters.detection import detect, make_sample

    with expected_errors():
        detect(make_sample(data, "fuzz.bin"))


def fuzz_zip(data: bytes) -> None:
    from cxkit.crypto.safezip import ZipLimits, read_zip

    limits = ZipLimits(max_entries=64, max_entry_size=1 << 20, max_total_size=4 << 20)
    for canonical in (False, True):
        try:
            archive = read_zip(data, limits=limits, canonical=canonical)
            for name in archive.names():
                archive.read(name)
        except CxkitError as exc:
            check_error(exc)


_KDBX_SIGNATURE = b"\x03\xd9\xa2\x9a"


@functools.cache
def _kdbx_limits() -> Any:
    from cxkit.kdbx import KdfLimits

    return KdfLimits(
        max_argon2_memory_kib=64,
        max_argon2_iterations=2,
        max_argon2_parallelism=2,
        max_argon2_work_kib=128,
        max_aes_rounds=64,
        max_payload_bytes=4 << 20,
    )


@functools.cache
def _kdbx_frame() -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """A KDBX 4 file the harness can open (password "fuzz", 64 KiB Argon2, ChaCha20, no
    compression): (outer header with its hash and HMAC, cipher key, IV, HMAC base key, the
    decrypted payload — inner header and XML — of that file, a seed)."""
    import hashlib

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    from cxkit.kdbx import Database, Entry, WriteOptions, _crypto, write_kdbx
    from cxkit.kdbx import _container as c

    db = Database()
    entry = Entry()
    entry.set("Title", "site")
    entry.set("Password", "pw", protected=True)
    db.root.entries.append(entry)
    options = WriteOptions(
        cipher="chacha20",
        argon2_memory_kib=64,
        argon2_iterations=1,
        argon2_parallelism=1,
        compress=False,
    )
    data = write_kdbx(db, password="fuzz", options=options)  # noqa: S106
    header = c._parse_header(data)
    master_seed, iv = header.fields[4], header.fields[7]
    kdf, params = c._kdf_of(header)
    composite = _crypto.composite_key(b"fuzz", None)
    transformed = _crypto.transform_key(kdf, params, composite, _kdbx_limits())
    key = hashlib.sha256(master_seed + transformed).digest()
    hmac_base = hashlib.sha512(master_seed + transformed + b"\x01").digest()
    pos, blocks = header.end + 64, []
    while True:  # the payload blocks: (HMAC, size, data) until an empty one
        size = int.from_bytes(data[pos + 32 : pos + 36], "little")
        if not size:
            break
        blocks.append(data[pos + 36 : pos + 36 + size])
        pos += 36 + size
    nonce = b"\0\0\0\0" + iv
    plain = Cipher(algorithms.ChaCha20(key, nonce), None).decryptor().update(b"".join(blocks))
    return data[: header.end + 64], key, iv, hmac_base, plain


def kdbx_payload_seed() -> bytes:
    """The decrypted payload of the harness's own database (a seed of the payload mode)."""
    return _kdbx_frame()[4]


def _kdbx_wrap(payload: bytes) -> bytes:
    """*payload* (inner header + XML) as the encrypted, authenticated payload of the harness's
    KDBX 4 frame: mutations reach the inner header, the fast scanner and the XML reader instead
    of dying at the block HMACs."""
    import hashlib
    import hmac
    import struct

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    prefix, key, iv, hmac_base, _ = _kdbx_frame()
    body = Cipher(algorithms.ChaCha20(key, b"\0\0\0\0" + iv), None).encryptor().update(payload)
    out = [prefix]
    for index, block in enumerate((body, b"") if body else (b"",)):
        block_key = hashlib.sha512(struct.pack("<Q", index) + hmac_base).digest()
        head = struct.pack("<Qi", index, len(block))
        out += [hmac.new(block_key, head + block, "sha256").digest(), head[8:], block]
    return b"".join(out)


def fuzz_kdbx(data: bytes) -> None:
    """A whole KDBX file when the input starts with the KDBX signature; otherwise the input is
    the decrypted payload, wrapped in a valid encrypted frame (:func:`_kdbx_wrap`)."""
    from cxkit.kdbx import read_kdbx

    if not data.startswith(_KDBX_SIGNATURE):
        data = _kdbx_wrap(data)
    with expected_errors():
        read_kdbx(data, password="fuzz", limits=_kdbx_limits())  # noqa: S106 - a fuzz input


@functools.cache
def _cxp_fixture() -> tuple[Any, Any]:
    from cxkit.cxp import p0

    return p0.make_request(importer="importer.example", now=1_700_000_000, lifetime=None)


def fuzz_cxp(data: bytes) -> None:
    from cxkit.cxp import p0
    from cxkit.cxp.messages import ExportRequest, ExportResponse, parse_json

    try:
        obj = parse_json(data, what="fuzz message")
    except CxkitError as exc:
        check_error(exc)
        return
    for parse in (ExportRequest.from_json, ExportResponse.from_json):
        with expected_errors():
            parse(obj)
    request, key = _cxp_fixture()
    with expected_errors():
        p0.open_response(data, request, key, now=1_700_000_000, consume=False)
    if _cheap_kdf(obj):  # an allowed 1 GiB Argon2 is slow, not a bug: not what is fuzzed here
        with expected_errors():
            p0.open_archive(data, "fuzz", enforce_minimums=False)


def _cheap_kdf(obj: object) -> bool:
    from cxkit.crypto.passphrase import Argon2Params

    if not isinstance(obj, dict):
        return True  # refused before any KDF
    try:
        params = Argon2Params.from_json(obj.get("kdf"), enforce_minimums=False)
    except CxkitError:
        return True
    return params.memory_kib * params.iterations <= 4096


def fuzz_pairing(data: bytes) -> None:
    from cxkit.transfer.pairing import Pairing

    text = data.decode("utf-8", "replace")
    with expected_errors():
        pairing = Pairing.parse(text)  # either form: P0's cxp-p0: text or cxkit's CXP-P0C:
        assert Pairing.parse(pairing.to_string()) == pairing
        compact = pairing.to_compact()
        assert compact is None or Pairing.parse(compact) == pairing


TARGETS: dict[str, Callable[[bytes], None]] = {
    "cxf": fuzz_cxf,
    "readers": fuzz_readers,
    "detect": fuzz_detect,
    "zip": fuzz_zip,
    "kdbx": fuzz_kdbx,
    "cxp": fuzz_cxp,
    "pairing": fuzz_pairing,
}
