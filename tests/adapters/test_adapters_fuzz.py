"""Mutation fuzzing over every reader: truncated, bit-flipped, wrong-typed, non-UTF-8 inputs,
zip bombs and traversal names, oversized CSV lines. Only cxkit errors escape, nothing hangs, and
``cxkit convert`` leaves no partial output.

Deterministic (fixed seeds) and fast: a few hundred reads in total.
"""

from __future__ import annotations

import copy
import io
import json
import random
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _bw_adapter_data import personal_export
from _pp_adapter_data import export as pp_export
from _pp_adapter_data import zip_export
from test_adapters_passkey_file import passkey_file

from cxkit import adapters
from cxkit.adapters import ReadOptions, registry
from cxkit.adapters.bitwarden.json_export import PBKDF2, KdfParams, encrypt_export
from cxkit.adapters.kit.input import MAX_CSV_CELL
from cxkit.cli.main import main
from cxkit.crypto.safezip import write_zip
from cxkit.errors import CxkitError, InputTooLargeError

SLOW: float = 5.0  # seconds one read may take before it counts as a hang
_BW_CSV = (
    b"folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,"
    b'login_totp\nWork,1,login,Forge,"multi\nline","PIN: 1234",0,https://forge.example,sam,'
    b"pw,JBSWY3DPEHPK3PXP\n,,note,Memo,text,,0,,,,\n"
)


def _seeds() -> dict[str, bytes]:
    from cxkit import cxf

    bw = json.dumps(personal_export()).encode()
    doc, _ = adapters.read(bw, "bw.json")
    return {
        "bitwarden-json": bw,
        "bitwarden-encrypted-json": encrypt_export(bw, "pw", KdfParams(PBKDF2, 1000)),
        "bitwarden-csv": _BW_CSV,
        "cxf-json": cxf.encode(doc, normalize=True),
        "protonpass": json.dumps(pp_export()).encode(),
        "protonpass-zip": zip_export(),
        "keepassxc-passkey": json.dumps(passkey_file()).encode(),
    }


SEEDS = _seeds()
OPTIONS = ReadOptions(password=lambda _prompt: "pw", max_size=64 << 20)


def _readers() -> list[str]:
    return [a.info.key for a in registry.readers()]


def _read(data: bytes, name: str, key: str | None) -> None:
    """One read: a cxkit error or success; anything else (or a hang) fails the test."""
    start = time.monotonic()
    try:
        adapters.read(data, name, source_format=key, options=OPTIONS)
    except CxkitError as exc:
        assert exc.message, "an error without a message"
    elapsed = time.monotonic() - start
    assert elapsed < SLOW, f"{key} took {elapsed:.1f}s on a {len(data)}-byte input"


# --------------------------------------------------------------------------- mutations


def _truncations(data: bytes, rng: random.Random, n: int) -> Iterator[bytes]:
    yield b""
    yield data[:1]
    for _ in range(n):
        yield data[: rng.randrange(1, len(data))]


def _flips(data: bytes, rng: random.Random, n: int) -> Iterator[bytes]:
    for _ in range(n):
        buf = bytearray(data)
        for _ in range(rng.randrange(1, 8)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
        yield bytes(buf)


def _non_utf8(data: bytes, rng: random.Random, n: int) -> Iterator[bytes]:
    for _ in range(n):
        at = rng.randrange(len(data))
        yield data[:at] + rng.choice([b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\x00"]) + data[at:]
    yield b"\xef\xbb\xbf" + data
    yield b"\xff\xfe" + data


_WRONG: tuple[Any, ...] = (None, 0, -1, 2**70, 1.5, True, "", "x", [], {}, [None], {"": None})


def _containers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _containers(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _containers(v, (*path, i))


def _wrong_types(data: bytes, rng: random.Random, n: int) -> Iterator[bytes]:
    """Replace random members (leaves and containers) of the JSON by values of other types."""
    try:
        obj = json.loads(data)
    except ValueError:
        return
    paths = [p for p in _containers(obj) if p]
    for _ in range(n):
        mutated = copy.deepcopy(obj)
        for path in rng.sample(paths, min(len(paths), rng.randrange(1, 4))):
            target = mutated
            try:
                for part in path[:-1]:
                    target = target[part]
                target[path[-1]] = rng.choice(_WRONG)
            except (KeyError, IndexError, TypeError):
                continue
        yield json.dumps(mutated).encode()
    yield b"[]"
    yield b"null"
    yield b"{}"
    yield b"[" * 10_000 + b"]" * 10_000


def _cases(seed_key: str) -> Iterator[bytes]:
    data = SEEDS[seed_key]
    rng = random.Random(seed_key)
    yield from _truncations(data, rng, 12)
    yield from _flips(data, rng, 12)
    yield from _non_utf8(data, rng, 6)
    yield from _wrong_types(data, rng, 24)
    if seed_key == "protonpass-zip":  # the JSON inside the ZIP, mutated
        for inner in _wrong_types(SEEDS["protonpass"], rng, 12):
            yield write_zip([("Proton Pass/data.json", inner), ("Proton Pass/files/F/a", b"a")])


def _format_of(seed_key: str) -> str:
    return "protonpass" if seed_key == "protonpass-zip" else seed_key


@pytest.mark.parametrize("seed_key", sorted(SEEDS))
def test_mutations_raise_only_cxkit_errors(seed_key: str) -> None:
    name = "input.zip" if seed_key.endswith("zip") else "input.json"
    for case in _cases(seed_key):
        _read(case, name, _format_of(seed_key))  # forced format
        _read(case, name, None)  # detection


@pytest.mark.parametrize("key", _readers())
def test_every_reader_survives_every_seed(key: str) -> None:
    """Each reader (built-ins and the KDBX reader alike) given every other format's input."""
    rng = random.Random(key)
    for seed_key, data in SEEDS.items():
        _read(data, f"x.{seed_key}", key)
        for case in _truncations(data, rng, 2):
            _read(case, f"x.{seed_key}", key)
    for junk in (
        b"PK\x03\x04" + bytes(40),
        b"\x00" * 100,
        b"\x03\xd9\xa2\x9ag\xfbK\xb5" + bytes(200),
    ):
        _read(junk, "junk.bin", key)


# --------------------------------------------------------------------------- ZIP exports


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            zf.writestr(name, content)
    return buf.getvalue()


def _data_json() -> bytes:
    return json.dumps(pp_export()).encode()


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "/etc/passwd",
        "Proton Pass/../../evil",
        "Proton Pass\\..\\evil",
        "C:/evil",
        "Proton Pass/files/a\x01b",
    ],
)
def test_zip_traversal_names_are_refused(name: str) -> None:
    data = _zip([("Proton Pass/data.json", _data_json()), (name, b"x")])
    with pytest.raises(CxkitError):
        adapters.read(data, "pp.zip", source_format="protonpass", options=OPTIONS)


def test_zip_bomb_is_refused_before_inflating() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Proton Pass/data.json", _data_json())
        with zf.open("Proton Pass/files/F/bomb.bin", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(48):
                fh.write(chunk)
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLargeError):
            adapters.read(buf.getvalue(), "pp.zip", source_format="protonpass", options=OPTIONS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_zip_member_lying_about_its_size_is_caught() -> None:
    data = bytearray(_zip([("Proton Pass/data.json", _data_json())]))
    # declare 10 bytes uncompressed in the local header and the central directory
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 10)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)
    with pytest.raises(CxkitError):
        adapters.read(bytes(data), "pp.zip", source_format="protonpass", options=OPTIONS)


# --------------------------------------------------------------------------- CSV limits


def test_oversized_csv_cell_stops_early() -> None:
    header = _BW_CSV.split(b"\n", 1)[0]
    data = header + b'\n,,login,"' + b"a" * (MAX_CSV_CELL + 1024) + b'",,,,,,,\n'
    start = time.monotonic()
    with pytest.raises(InputTooLargeError):
        adapters.read(data, "big.csv", source_format="bitwarden-csv", options=OPTIONS)
    assert time.monotonic() - start < SLOW


def test_one_gigabyte_csv_line_is_refused_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sparse 1 GiB file (nothing allocated on disk or in memory): refused before reading."""
    src = tmp_path / "huge.csv"
    header = _BW_CSV.split(b"\n", 1)[0] + b'\n,,login,"'
    with src.open("wb") as fh:
        fh.write(header)
        fh.seek(1 << 30)
        fh.write(b'",,,,,,,\n')
    dest = tmp_path / "out.cxf"
    tracemalloc.start()
    try:
        rc = main(["convert", str(src), "-o", str(dest), "--plaintext"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rc == 2 and peak < 64 << 20
    assert "larger" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.csv"]


# --------------------------------------------------------------------------- convert: no partial output


@pytest.mark.parametrize("seed_key", ["bitwarden-json", "protonpass-zip", "keepassxc-passkey"])
def test_failed_convert_leaves_no_output(
    seed_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(f"convert-{seed_key}")
    data = SEEDS[seed_key]
    failures = 0
    for i, case in enumerate([data[: len(data) // 2], *_flips(data, rng, 6)]):
        src = tmp_path / f"in{i}.{'zip' if 'zip' in seed_key else 'json'}"
        src.write_bytes(case)
        dest = tmp_path / f"out{i}.cxf"
        argv = ["convert", str(src), "-o", str(dest), "--plaintext", "-q"]
        argv += ["--from", _format_of(seed_key)]
        rc = main(argv)
        capsys.readouterr()
        if rc == 2:
            failures += 1
            assert not dest.exists()
            assert not (tmp_path / f"out{i}.cxf.attachments").exists()
        src.unlink()
        if dest.exists():
            dest.unlink()
        for extra in tmp_path.glob(f"out{i}.cxf.attachments/*"):
            extra.unlink()
    assert failures >= 1
    leftovers = [p.name for p in tmp_path.iterdir() if not p.name.endswith(".attachments")]
    assert leftovers == [], "temporary files were left behind"
