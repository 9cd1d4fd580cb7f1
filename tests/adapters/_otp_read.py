"""Helpers of the authenticator-reader tests (``test_adapters_otp_*.py``): reading a file, the
entries of a document in a comparable form, the Aegis reference tokens, and a mutation loop."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from typing import Any

import pyotp

from cxkit import adapters, cxf
from cxkit.adapters.base import ReadOptions
from cxkit.adapters.otp.entry import Entry, item_entries, parse_uri, secret_base32
from cxkit.adapters.report import MigrationReport
from cxkit.errors import CxkitError
from shared_evidence import shared_path

#: (kind, issuer, account, Base32 secret, algorithm, digits, period or counter)
Row = tuple[str, str, str, str, str, int, int]


def read(data: bytes, name: str, key: str | None = None,
         password: str | None = None) -> tuple[cxf.Document, MigrationReport]:  # fmt: skip
    """Read *data* as *key* (detected when None), with *password* when given."""
    options = ReadOptions(password=None if password is None else (lambda _prompt: password))
    return adapters.read(data, name, source_format=key, options=options)


def row(entry: Entry) -> Row:
    kind = entry.kind.lower()
    number = (entry.counter or 0) if kind == "hotp" else entry.period
    return (kind, entry.issuer, entry.account, secret_base32(entry.secret),
            entry.algorithm.lower(), entry.digits, number)  # fmt: skip


def rows(doc: cxf.Document) -> list[Row]:
    """Every authenticator entry of *doc* (TOTP credentials and the HOTP/… custom fields), sorted."""
    found = [row(e) for acc in doc.header.accounts for it in acc.items for e, _ in item_entries(it)]
    return sorted(found)


def reference() -> list[Row]:
    """The seven Aegis reference tokens (``../shared/exports/otpauth-uris/aegis/plain.txt``)."""
    text = shared_path("exports", "otpauth-uris", "aegis", "plain.txt").read_text()
    entries = [parse_uri(line) for line in text.splitlines() if line.strip()]
    assert all(isinstance(e, Entry) for e in entries)
    return sorted(row(e) for e in entries if isinstance(e, Entry))


def codes_match_reference(doc: cxf.Document, at: int = 1_700_000_000,
                          only: frozenset[str] | None = None) -> int:  # fmt: skip
    """Each RFC TOTP of *doc* gives the code pyotp (an independent implementation, parsing the
    reference URI itself) gives for the reference token of the same issuer; returns how many
    were checked (*only*: those issuers)."""
    from cxkit.cxf import model as m

    text = shared_path("exports", "otpauth-uris", "aegis", "plain.txt").read_text()
    expected = {}
    for line in text.splitlines():
        if line.startswith("otpauth://totp/"):
            otp = pyotp.parse_uri(line)
            expected[otp.issuer] = otp.at(at)
    checked = 0
    for acc in doc.header.accounts:
        for item in acc.items:
            for cred in item.credentials:
                if (
                    isinstance(cred, m.Totp)
                    and cred.issuer in expected
                    and (only is None or cred.issuer in only)
                ):
                    ours = pyotp.TOTP(cred.secret, digits=int(cred.digits),
                                      digest=getattr(hashlib, cred.algorithm),
                                      interval=int(cred.period))  # fmt: skip
                    assert ours.at(at) == expected[cred.issuer], cred.issuer
                    checked += 1
    return checked


def mutate_all(data: bytes, reader: Callable[[bytes], Any], rounds: int = 40, seed: int = 7) -> int:
    """Damage *data* *rounds* times (truncation, flipped and inserted bytes, a duplicated run)
    and call *reader* on each: it may succeed or raise a :class:`CxkitError`, nothing else.
    Returns how many copies raised."""
    rng = random.Random(seed)
    failed = 0
    for index in range(rounds):
        copy = bytearray(data)
        how = index % 4
        if how == 0:
            del copy[rng.randrange(len(copy)) :]
        elif how == 1:
            for _ in range(rng.randint(1, 4)):
                copy[rng.randrange(len(copy))] ^= 1 << rng.randrange(8)
        elif how == 2:
            at = rng.randrange(len(copy))
            copy[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        else:
            start = rng.randrange(len(copy))
            copy[start:start] = copy[start : start + rng.randint(1, 64)]
        try:
            reader(bytes(copy))
        except CxkitError:
            failed += 1
    return failed


def pass_import_rows(manager: type, path: str) -> list[tuple[str, str, str, int]]:
    """(type, Base32 secret, algorithm, digits) of each entry as pass-import (an independent
    reader, dev dependency) reads the file *path*."""
    import urllib.parse

    with manager(path) as reader:
        reader.parse()
        found = []
        for entry in reader.data:
            parts = urllib.parse.urlsplit(entry["otpauth"])
            query = dict(urllib.parse.parse_qsl(parts.query))
            found.append((parts.netloc, query["secret"].rstrip("="),
                          query.get("algorithm", "SHA1").lower(), int(query.get("digits", 6))))  # fmt: skip
    return sorted(found)
