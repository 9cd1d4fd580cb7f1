"""Issue #17 item 5, the bounded version for every test run: each fuzz target of ``fuzz/`` on
its seeds and on deterministic mutations of them (bit flips, cuts, splices, repeats) — seconds,
no fuzzer needed. The coverage-guided campaign itself is ``fuzz/run.py`` (docs/fuzzing.md)."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator

import pytest

from shared_evidence import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "fuzz"))

from _docs import deep, document, dumps, passkey
from targets import TARGETS, reader_keys

import run as fuzz_run

_OWN_SEEDS: dict[str, list[bytes]] = {
    "cxf": [dumps(document(passkey())), deep(2000), b"{}", b"[]"],
    "pairing": list(fuzz_run._PAIRING_SEEDS),
    "cxp": [b'{"version":0,"hpke":[],"archive":"deflate","exporter":"x","payload":"AAAA"}'],
    "zip": [b"PK\x05\x06" + bytes(18)],
    "kdbx": [b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5" + bytes(64)],
}


def _mutants(seed: bytes, rnd: random.Random, n: int) -> Iterator[bytes]:
    yield seed
    for _ in range(n):
        data = bytearray(seed)
        op = rnd.randrange(5)
        if op == 0 and data:
            for _ in range(rnd.randint(1, 4)):
                data[rnd.randrange(len(data))] ^= 1 << rnd.randrange(8)
        elif op == 1:
            del data[rnd.randrange(len(data) + 1) :]
        elif op == 2 and data:
            at = rnd.randrange(len(data))
            data[at:at] = data[rnd.randrange(len(data)) :][: rnd.randint(1, 64)]
        elif op == 3 and data:
            at = rnd.randrange(len(data))
            data[at : at + 1] = rnd.choice([b"{", b"[", b'"', b"\x00", b"\\u0000", b"9" * 30])
        else:
            data = data[: rnd.randrange(len(data) + 1)] + bytes(rnd.randrange(32))
        yield bytes(data)


def _seeds(target: str) -> list[bytes]:
    found = [p.read_bytes()[: fuzz_run.MAX_SEED] for p in fuzz_run._seed_files(target, 40)]
    return found + _OWN_SEEDS.get(target, [])


@pytest.mark.parametrize("target", list(TARGETS))
def test_target_survives_seeds_and_mutations(target: str) -> None:
    fn: Callable[[bytes], None] = TARGETS[target]
    rnd = random.Random(f"cxkit-{target}")
    keys = reader_keys()
    count = 0
    for seed in _seeds(target):
        for data in _mutants(seed, rnd, 6):
            if target == "readers":
                data = bytes([rnd.randrange(len(keys))]) + data
            fn(data)  # a cxkit error is caught inside; anything else fails the test
            count += 1
    assert count >= 5


def test_readers_target_covers_every_reader() -> None:
    from cxkit.adapters import registry

    keys = set(reader_keys())
    assert len(keys) >= 60
    assert {"cxf-json", "bitwarden-json", "keepass-kdbx"} <= keys
    assert keys <= {a.info.key for a in registry.readers()}


def test_campaign_finding_csv_header_regex_is_linear() -> None:
    """Fuzzing found (readers, keepass-csv): a header cell of 77 underscores and a colon made
    the column-name pattern backtrack 2^39 ways (a hang). Now refused at once; a wall-clock
    bound is for benchmarks, so this checks the result on inputs that used to hang."""
    from cxkit.adapters.kit.input import header_like

    for n in (40, 77, 5000):
        assert header_like(["_" * n + ":"]) is False
        assert header_like(["_" * n]) is False
    assert header_like(["Title", "User_Name", "Pass-word"]) is True
    assert header_like(["a_b_c_d_e_f_g_h"]) is False  # no column word
    TARGETS["readers"](bytes([reader_keys().index("keepass-csv")]) + b"_" * 77 + b":")


@pytest.mark.parametrize("key", ["keepassx-xml", "keepass-xml", "apple-keychain", "pwsafe-xml"])
def test_campaign_finding_unknown_xml_encoding(key: str) -> None:
    """Fuzzing found (readers, keepassx-xml): ``<?xml version="1.0" encoding="utf-4"?>`` made
    expat raise LookupError (an internal error). Now a cxkit error (or, for a sniffing parser,
    "not this format")."""
    data = b'<?xml version="1.0" encoding="utf-4" ?>\n<database><group><title>t</title></group></database>'
    TARGETS["readers"](bytes([reader_keys().index(key)]) + data)
    TARGETS["detect"](data)
