"""The fuzz harness itself (issue #17 item 5): the code atheris runs must be the code cxkit
runs, and a cxkit error that only wraps a Python exception is a finding, not a pass."""

from __future__ import annotations

import sys

import pytest

from shared_evidence import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "fuzz"))

from targets import MaskedInternalError, check_error, expected_errors

import run as fuzz_run
from cxkit.errors import DecodeError
from cxkit.kdbx import KdbxFormatError


def test_a_catch_all_naming_a_python_exception_is_a_finding() -> None:
    with pytest.raises(MaskedInternalError):
        check_error(KdbxFormatError("the database cannot be read (TypeError)"))
    with pytest.raises(MaskedInternalError), expected_errors():
        raise KdbxFormatError("the database cannot be read (IndexError)")
    with expected_errors():  # an ordinary refusal passes
        raise DecodeError("the JSON is invalid (line 1)")
    check_error(DecodeError("unknown header field 13 (corrupted)"))


def _ends_in_a_long_loop(values: list[int]) -> int:
    # A function whose last instruction is the backward jump of a `while True:` loop whose
    # instrumented body needs an EXTENDED_ARG: the shape atheris 2.3 miscompiled.
    pos = 0
    total = 0
    while True:
        if pos + 1 > len(values):
            return total
        value = values[pos]
        pos += 1
        if value == 0:
            return total
        if value > 12 or (value > 4 and value in (5, 6, 8, 9, 10)):
            total += 100
        elif value in (1, 2, 3) or (value > 10 and value < 12):
            total += 10
        else:
            total += value
        if total > 1000 or (total < 0 and value > 3) or value == 99:
            total -= 1


def test_instrumented_code_computes_what_the_code_computes() -> None:
    atheris = pytest.importorskip("atheris")
    from cxkit.kdbx import Database, WriteOptions, _container, write_kdbx

    fuzz_run._patch_atheris()
    values = [2, 7, 13, 5, 3, 11, 4, 0, 9]
    assert atheris.instrument_func(_ends_in_a_long_loop)(values) == _ends_in_a_long_loop(values)
    options = WriteOptions(argon2_memory_kib=64, argon2_iterations=1, argon2_parallelism=1)
    data = write_kdbx(Database(), password="fuzz", options=options)
    header = _container._parse_header(data)
    instrumented = atheris.instrument_func(_container._parse_header)
    assert instrumented(data) == header  # atheris 2.3 unpatched: TypeError in the loop


def test_kdbx_payload_mode_reaches_the_xml_and_survives_mutations() -> None:
    import random

    from targets import _kdbx_limits, _kdbx_wrap, fuzz_kdbx, kdbx_payload_seed

    from cxkit.kdbx import read_kdbx

    payload = kdbx_payload_seed()
    assert b"<KeePassFile" in payload  # the decrypted payload: inner header, then the XML
    db = read_kdbx(_kdbx_wrap(payload), password="fuzz", limits=_kdbx_limits())
    assert [e.get("Title") for e in db.root.entries] == ["site"]
    rnd = random.Random("kdbx-payload")
    for _ in range(60):
        data = bytearray(payload)
        for _ in range(rnd.randint(1, 6)):
            at = rnd.randrange(len(data))
            if rnd.random() < 0.5:
                data[at] ^= 1 << rnd.randrange(8)
            else:
                del data[at : at + rnd.randint(1, 40)]
        fuzz_kdbx(bytes(data))  # a cxkit error inside is fine; anything else fails
