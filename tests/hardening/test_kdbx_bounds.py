"""Issue #17: KDBX gzip bombs stop while inflating, at a ratio of the compressed size; KDF-limit
hints name a command-line option; a KeePass database whose password is the empty string
together with a key file opens from the command line."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cxkit.cli.main import main
from cxkit.errors import InputTooLargeError
from cxkit.kdbx import Database, Entry, KdfCostError, KdfLimits, WriteOptions, read_kdbx, write_kdbx
from cxkit.kdbx._crypto import DEFAULT_LIMITS, default_limits, set_default_limits
from cxkit.kdbx._xml import INFLATE_FLOOR, gunzip

FAST = WriteOptions(argon2_memory_kib=64, argon2_iterations=1, argon2_parallelism=1)


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    yield
    set_default_limits(DEFAULT_LIMITS)
    from cxkit.cxf._lenient import DEFAULT_MAX_ELEMENTS, set_max_elements

    set_max_elements(DEFAULT_MAX_ELEMENTS)


def test_gzip_bomb_is_refused_at_the_ratio() -> None:
    bomb = gzip.compress(bytes(200 << 20), 9)  # 200 MiB of zeros in ~200 KB
    with pytest.raises(InputTooLargeError, match="more than 100 times") as info:
        gunzip(bomb, 512 << 20)
    assert info.value.hint and "--raise-limits" in info.value.hint
    assert len(gunzip(bomb, 512 << 20, max_ratio=0)) == 200 << 20  # no ratio: the old bound


def test_small_payloads_inflate_whatever_the_ratio() -> None:
    data = bytes(INFLATE_FLOOR // 2)
    assert gunzip(gzip.compress(data, 9), 512 << 20) == data


def test_kdf_hint_names_a_cli_option() -> None:
    heavy = write_kdbx(Database(), password="pw", options=FAST)
    with pytest.raises(KdfCostError) as info:
        read_kdbx(heavy, password="pw", limits=KdfLimits(max_argon2_memory_kib=8))
    assert info.value.hint == "if you trust this file, run the command again with --raise-limits"
    assert "KdfLimits" not in str(info.value) + str(info.value.hint)


def test_raise_limits_option(tmp_path: Path) -> None:
    src = tmp_path / "a.cxf.json"
    src.write_text('{"version":{"major":1,"minor":0},"exporterRpId":"e","exporterDisplayName":"e",'
                   '"timestamp":1,"accounts":[]}')  # fmt: skip
    assert main(["validate", "--raise-limits", str(src)]) == 0
    assert default_limits().max_inflate_ratio == 0
    assert default_limits().max_aes_rounds > DEFAULT_LIMITS.max_aes_rounds


def test_empty_password_with_a_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database()
    entry = Entry()
    entry.set("Title", "site")
    entry.set("Password", "pw-of-site", protected=True)
    db.root.entries.append(entry)
    keyfile = tmp_path / "k.key"
    keyfile.write_bytes(os.urandom(32))
    src = tmp_path / "db.kdbx"
    src.write_bytes(write_kdbx(db, password="", keyfile=keyfile.read_bytes(), options=FAST))
    monkeypatch.setenv("EMPTY_PW", "")
    out = tmp_path / "out.cxf.json"
    argv = ["convert", str(src), "-o", str(out), "--plaintext", "-q", "--keyfile", str(keyfile)]
    assert main([*argv, "--password-env", "EMPTY_PW"]) == 0
    assert b'"site"' in out.read_bytes()
    out.unlink()
    assert main([str(a) for a in ["convert", src, "-o", out, "--password-env", "EMPTY_PW"]]) == 2
