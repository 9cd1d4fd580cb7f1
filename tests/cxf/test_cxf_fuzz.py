"""Mutation fuzzing of the CXF codec and validator: damaged input either works or raises a
:class:`~cxkit.errors.CxkitError`, never anything else, and always in bounded time.

Deterministic (``random.Random(seed)``): a failure names its seed and mutation number.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cxkit import cxf
from cxkit.errors import CxkitError, DecodeError
from shared_evidence import shared_files

DATA = Path(__file__).with_name("data")
OWN_SEEDS = [p.read_bytes() for p in sorted(DATA.glob("*.json"))]
#: one case (decode + validate + encodes) must finish within this many seconds
BOUND = 5.0


def exercise(data: bytes) -> str:
    """Run everything a user can run on ``data``; return ``ok`` or the CxkitError's class name."""
    start = time.perf_counter()
    try:
        doc = cxf.decode(data)
        findings = cxf.validate(doc)
        assert all(f.code in cxf.CODES for f in findings)
        cxf.encode(doc)
        cxf.encode(cxf.Document(doc.header, doc.account_root))
        normalized = cxf.encode(doc, normalize=True)
        cxf.validate(cxf.decode(normalized))
        result = "ok"
    except CxkitError as exc:
        result = type(exc).__name__
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND, f"took {elapsed:.1f} s"
    return result


# --------------------------------------------------------------------------- mutations


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if path:
        yield path
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _paths(member, (*path, key))
    elif isinstance(value, list):
        for index, element in enumerate(value):
            yield from _paths(element, (*path, index))


_WRONG: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    "",
    "x",
    [],
    {},
    [1],
    {"a": None},
    2**64,
    -(2**63) - 1,
]


def wrong_types(rnd: random.Random, data: bytes) -> bytes:
    value = json.loads(data)
    for _ in range(rnd.randint(1, 3)):
        paths = list(_paths(value))
        if not paths:
            break
        *parent_path, key = rnd.choice(paths)
        parent = value
        for step in parent_path:
            parent = parent[step]
        parent[key] = copy.deepcopy(rnd.choice(_WRONG))
    return json.dumps(value).encode()


def truncate(rnd: random.Random, data: bytes) -> bytes:
    return data[: rnd.randrange(len(data) + 1)]


def flip(rnd: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        out[rnd.randrange(len(out))] ^= 1 << rnd.randrange(8)
    return bytes(out)


def insert(rnd: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        byte = rnd.choice([rnd.randrange(256), *b'{}[]",:\\n0'])
        out.insert(rnd.randrange(len(out) + 1), byte)
    return bytes(out)


def delete(rnd: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        if len(out) > 1:
            del out[rnd.randrange(len(out))]
    return bytes(out)


MUTATORS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    "truncate": truncate,
    "flip": flip,
    "insert": insert,
    "delete": delete,
    "wrong-types": wrong_types,
}


def run_mutations(seeds: list[bytes], mutator: str, count: int, seed: int) -> dict[str, int]:
    rnd = random.Random(seed)
    outcomes: dict[str, int] = {}
    for number in range(count):
        source = rnd.choice(seeds)
        data = MUTATORS[mutator](rnd, source)
        try:
            result = exercise(data)
        except Exception as exc:  # pragma: no cover - the point of the test
            raise AssertionError(
                f"{mutator} mutation #{number} (seed {seed}) raised {type(exc).__name__}: {exc}"
            ) from exc
        outcomes[result] = outcomes.get(result, 0) + 1
    return outcomes


@pytest.mark.parametrize("mutator", sorted(MUTATORS))
def test_mutations_of_own_documents(mutator: str) -> None:
    outcomes = run_mutations(OWN_SEEDS, mutator, 400, seed=20260309)
    assert sum(outcomes.values()) == 400


SHARED_SEEDS = [
    p
    for p in shared_files("vectors/cxf", "*.json")
    if p.parent.name in ("spec", "interop", "synthetic", "vendor") and p.stat().st_size > 400
]


@pytest.mark.shared
@pytest.mark.parametrize("mutator", sorted(MUTATORS))
def test_mutations_of_the_vectors(mutator: str) -> None:
    if not SHARED_SEEDS:
        pytest.skip("outside evidence not found (../shared/vectors/cxf)")
    seeds = [p.read_bytes() for p in SHARED_SEEDS]
    outcomes = run_mutations(seeds, mutator, 300, seed=20250814)
    assert sum(outcomes.values()) == 300


# --------------------------------------------------------------------------- hostile input

BASE = (DATA / "small-valid.json").read_bytes()
TITLE = b'"title": "Example",'
N = 100_000


def in_item(payload: bytes) -> bytes:
    """``BASE`` with an unknown member holding ``payload`` in its item."""
    assert TITLE in BASE
    return BASE.replace(TITLE, TITLE + b' "xDeep": ' + payload + b",", 1)


def in_value(payload: bytes) -> bytes:
    """``BASE`` with ``payload`` where the username field's value is."""
    return BASE.replace(b'"alice"', payload, 1)


def with_timestamp(raw: bytes) -> bytes:
    return BASE.replace(b"1705142400,", raw + b",", 1)


HOSTILE: dict[str, tuple[bytes, str | None]] = {
    # name: (input, expected outcome; None = either way, as long as it is a CxkitError or ok)
    "nested-arrays-in-item": (in_item(b"[" * N + b"]" * N), "DecodeError"),
    "nested-objects-in-item": (in_item(b'{"a":' * N + b"1" + b"}" * N), "DecodeError"),
    "nested-unclosed": (in_item(b"[" * N), "DecodeError"),
    "nested-in-field-value": (in_value(b"[" * N + b"]" * N), "DecodeError"),
    "nested-top": (b"[" * N + b"]" * N, "DecodeError"),
    "10-MB-string-value": (in_value(b'"' + b"a" * 10_000_000 + b'"'), "ok"),
    "10-MB-string-unknown-member": (in_item(b'"' + b"a" * 10_000_000 + b'"'), "ok"),
    "int-5000-digits-unknown-member": (in_item(b"1" + b"0" * 5000), "ok"),  # costs one item at most
    "int-5000-digits-field-value": (in_value(b"1" + b"0" * 5000), "DecodeError"),
    "int-5000-digits-timestamp": (
        with_timestamp(b"1" + b"0" * 5000),
        "ok",
    ),  # costs one item at most
    "int-5000-digits-negative": (
        with_timestamp(b"-1" + b"0" * 5000),
        "ok",
    ),  # costs one item at most
    "int-2**64-timestamp": (with_timestamp(str(2**64).encode()), "ok"),
    "int-5000-digits-period": (BASE.replace(b'"period": 30', b'"period": 1' + b"0" * 5000), None),
    "float-1e400": (in_item(b"1e400"), "ok"),  # costs one item at most
    "invalid-utf8-value": (in_value(b'"\xff\xfe"'), "DecodeError"),
    "invalid-utf8-key": (in_item(b'{"\xc3\x28": 1}'), "DecodeError"),
    "invalid-utf8-header": (BASE.replace(b'"cxkit tests"', b'"\xed\xa0\x80"'), "DecodeError"),
    "lone-surrogate-escape": (in_value(b'"\\ud800"'), None),
    "duplicate-item-key": (BASE.replace(TITLE, TITLE + b' "title": "again",', 1), "ok"),
    "duplicate-header-key": (
        BASE.replace(b'"exporterRpId": "cxkit.test",', b'"exporterRpId": 5, "exporterRpId": "a",'),
        "ok",
    ),
    "duplicate-accounts": (
        BASE.replace(b'"accounts": [', b'"accounts": 1, "accounts": [', 1),
        "ok",
    ),
    "NaN": (in_item(b"NaN"), "DecodeError"),
    "Infinity": (in_item(b"Infinity"), "DecodeError"),
    "-Infinity-value": (in_value(b"-Infinity"), "DecodeError"),
    "NaN-timestamp": (with_timestamp(b"NaN"), "DecodeError"),
    "BOM": (b"\xef\xbb\xbf" + BASE, "ok"),  # ignored with a json.bom finding
    "UTF-16": (b"\xff\xfe" + BASE.decode().encode("utf-16-le"), "DecodeError"),
    "top-array": (b"[1, 2]", "DecodeError"),
    "top-number": (b"42", "DecodeError"),
    "top-string": (b'"x"', "DecodeError"),
    "top-null": (b"null", "DecodeError"),
    "top-true": (b"true", "DecodeError"),
    "empty": (b"", "DecodeError"),
    "whitespace": (b"  \n", "DecodeError"),
    "NUL": (b"\x00", "DecodeError"),
    "trailing-garbage": (BASE + b" x", "DecodeError"),
    "two-documents": (BASE + BASE, "DecodeError"),
    "credential-not-an-object": (
        BASE.replace(b'{\n              "type": "basic-auth"', b'1, {"type": "basic-auth"', 1),
        "ok",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input(name: str) -> None:
    data, expected = HOSTILE[name]
    result = exercise(data)
    if expected is not None:
        assert result == expected


def test_hostile_credential_not_an_object_keeps_the_rest() -> None:
    """Regression: a credential that is not an object used to escape as UnusableError from the
    item-shell decoder; now it is skipped with an error-level finding."""
    data, _ = HOSTILE["credential-not-an-object"]
    assert data != BASE
    doc = cxf.decode(data)
    (item,) = doc.accounts[0].items
    assert [type(c).__name__ for c in item.credentials] == ["BasicAuth", "Totp"]
    assert [f.code for f in cxf.validate(doc)] == ["member.invalid-element"]


def test_invalid_utf8_inside_an_account_is_a_decode_error() -> None:
    """Regression: invalid UTF-8 in an account that the one-scan decoder did not take escaped
    as UnicodeDecodeError (found by the flip mutator)."""
    value = json.loads(BASE)
    value["accounts"][0]["collections"] = 5  # not the account shell: the per-account path
    data = json.dumps(value).encode().replace(b'"tester"', b'"te\xf4ster"')
    with pytest.raises(DecodeError):
        cxf.decode(data)


def test_decode_struct_rejects_garbage_with_decode_error() -> None:
    for data in (b"", b"[", b"1", b'"x"', b"[" * N + b"]" * N, b'{"type": 5}', b"\xff"):
        for cls in (cxf.Credential, cxf.Item, cxf.EditableField, cxf.Extension, cxf.Collection):
            try:
                cxf.decode_struct(data, cls)
            except CxkitError as exc:
                assert isinstance(exc, DecodeError), repr(exc)


def test_huge_number_costs_one_item_only() -> None:
    """A number msgspec cannot hold (here 5,000 digits) in one item's unknown member: that item
    is read by the standard library (or skipped with a finding), the others are untouched."""
    data = in_item(b"1" + b"0" * 5000)
    doc = cxf.decode(data)
    findings = cxf.validate(doc)
    assert doc.accounts[0].items or any(f.code == "member.invalid-element" for f in findings)
