"""The adapter contract: checks every reader and writer must pass, built-in or plug-in.

cxkit's own test suite runs these over every registered adapter (``tests/adapters/
test_contract.py``); the author of a plug-in runs them on theirs::

    from cxkit.adapters import contract
    problems = contract.check(MyAdapter(), own=[contract.Sample("x.csv", data)])
    assert not problems, "\\n".join(problems)

Each check returns a list of problems (plain sentences; empty = passed) instead of raising, so
that one run shows everything. The checks:

* :func:`check_detection` — its samples are detected as its own format, no other reader claims
  them, and it claims no sample of another app;
* :func:`check_accounting` — every source leaf (JSON leaf, non-empty CSV cell) of a sample has a
  record in the migration report;
* :func:`check_mutations` — truncated, bit-flipped and spliced samples raise only cxkit errors;
* :func:`check_round_trip` — what its writer writes, its reader reads back: as many items, and
  every credential reported *carried* is there again; the write report names no secret;
* :func:`check_secrets` — no secret of a sample (password, TOTP seed, key, card number, hidden
  field) appears in a message, a report or a detection error, also for damaged input.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cxkit import cxf
from cxkit.adapters.base import Capability, Confidence, ReadOptions, WriteOptions
from cxkit.adapters.kit.input import parse_json, sniff_csv_header
from cxkit.adapters.kit.values import json_leaves
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import model as m
from cxkit.errors import CxkitError

__all__ = [
    "Sample",
    "check",
    "check_accounting",
    "check_detection",
    "check_mutations",
    "check_round_trip",
    "check_secrets",
    "reference_document",
]

#: Secrets shorter than this are not searched for in messages (``1``, ``ab`` match anything).
MIN_SECRET = 6
_PASSWORD = "contract-pw"  # noqa: S105 - the password of throw-away test output


@dataclass(frozen=True)
class Sample:
    """One input file for the contract: its name, bytes, and what opens it."""

    name: str
    data: bytes
    password: str | None = None
    keyfile: bytes | None = None

    def options(self) -> ReadOptions:
        password = self.password
        return ReadOptions(
            password=None if password is None else (lambda _prompt: password),
            keyfile=self.keyfile,
        )


def _read(adapter: Any, sample: Sample) -> tuple[cxf.Document, MigrationReport]:
    from cxkit import adapters as api

    return api.read(
        sample.data, sample.name, source_format=adapter.info.key, options=sample.options()
    )


def _key(adapter: Any) -> str:
    return str(adapter.info.key)


# --------------------------------------------------------------------------- detection


def check_detection(
    adapter: Any, own: Iterable[Sample], others: Iterable[Sample] = ()
) -> list[str]:
    """Own samples are detected as *adapter* and claimed (LIKELY or more) by no other reader;
    *adapter* claims none of *others*."""
    from cxkit.adapters import detection

    problems: list[str] = []
    key = _key(adapter)
    for sample in own:
        try:
            found = detection.detect(detection.make_sample(sample.data, sample.name))
        except CxkitError as exc:
            problems.append(f"{sample.name}: not detected as {key}: {exc}")
            continue
        if found.adapter.info.key != key:
            problems.append(f"{sample.name}: detected as {found.adapter.info.key}, not {key}")
        rivals = [k for k, c in found.tried if k != key and c >= Confidence.LIKELY]
        if rivals:
            problems.append(f"{sample.name}: also claimed by {', '.join(rivals)}")
    if not hasattr(adapter, "accepts"):
        return problems
    for sample in others:
        try:
            confidence = Confidence(
                adapter.accepts(detection.make_sample(sample.data, sample.name))
            )
        except CxkitError:
            continue  # a sniffer that refuses the input claims nothing
        if confidence >= Confidence.LIKELY:
            problems.append(f"{key} claims {sample.name} ({confidence.name}), another app's file")
    return problems


# --------------------------------------------------------------------------- accounting


def source_leaves(sample: Sample) -> list[str] | None:
    """The report paths a reader must account for: JSON leaves (``$.items[0].name``) or
    non-empty CSV cells (``NAME:ROW:COLUMN``); None for other (binary) inputs."""
    head = sample.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return None  # XML: readers record entries by their own paths
    if head in (b"{", b"["):
        try:
            return list(json_leaves(parse_json(sample.data), "$"))
        except CxkitError:
            return None
    try:
        text = sample.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    if text.lstrip()[:20].lower().startswith(("otpauth://", "otpauth-migration://")):
        # a list of URIs, one per line (not a CSV)
        lines = enumerate(text.splitlines(), start=1)
        return [f"{sample.name}:{number}:uri" for number, line in lines if line.strip()]
    if text.startswith('keychain: "'):
        return None  # a macOS keychain dump (apple.py): records by record line and attribute
    if sniff_csv_header(sample.data) is None:
        return None  # text that is not CSV (YAML, key files): readers record by their own paths
    reader = csv.reader(io.StringIO(text, newline=""))
    leaves: list[str] = []
    header: list[str] | None = None
    start = 1
    try:
        for row in reader:
            row_start, start = start, reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            if header is None:
                header = [c.strip() for c in row]
                continue
            for index, cell in enumerate(row):
                if cell:
                    column = header[index] if index < len(header) else f"column {index + 1}"
                    leaves.append(f"{sample.name}:{row_start}:{column}")
    except csv.Error:
        return None
    return leaves


_SPLIT = re.compile(r"(?=[.\[])")


def _covered(leaf: str, paths: set[str]) -> bool:
    """True when *leaf* or one of its ancestors (``$.a`` of ``$.a.b[0]``) has a record."""
    if leaf in paths:
        return True
    parts = _SPLIT.split(leaf)
    prefix = ""
    for part in parts[:-1]:
        prefix += part
        if prefix in paths:
            return True
    return False


def check_accounting(adapter: Any, sample: Sample) -> list[str]:
    """Every source leaf of *sample* has a record (itself or an ancestor) in the report. (In an
    encrypted format the leaves are those of the decrypted content, which only the adapter
    sees: there the check is that read items have records.)"""
    if adapter.info.can(Capability.ENCRYPTED):
        leaves = None
    else:  # a text format that is not CSV names its source fields itself (``lpass show``)
        own = getattr(adapter, "source_leaves", None)
        leaves = own(sample) if callable(own) else source_leaves(sample)
    try:
        _, report = _read(adapter, sample)
    except CxkitError as exc:
        return [f"{sample.name}: cannot be read: {exc}"]
    paths = set(report.fields.paths())
    problems: list[str] = []
    if leaves is None:
        if report.items_read and not paths:
            problems.append(f"{sample.name}: {report.items_read} items read, no field records")
        return problems
    missing = [leaf for leaf in leaves if not _covered(leaf, paths)]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" … and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        problems.append(f"{sample.name}: {len(missing)} source fields without a record: {shown}")
    return problems


# --------------------------------------------------------------------------- mutations


def mutations(data: bytes, rounds: int, seed: int = 0) -> Iterator[bytes]:
    """Deterministic damaged copies of *data*: truncations, bit flips, spliced and deleted
    runs, and a structural break (the first ``"``, ``,`` or ``<`` removed)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test inputs, not secrets
    n = len(data)
    if n == 0:
        return
    for cut in sorted({n // 2, n - 1, max(1, n // 10)}):
        yield data[:cut]
    for marker in (b'"', b",", b"<"):
        at = data.find(marker)
        if at >= 0:
            yield data[:at] + data[at + 1 :]
    for _ in range(rounds):
        buf = bytearray(data)
        kind = rng.randrange(3)
        at = rng.randrange(n)
        if kind == 0:
            buf[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del buf[at : at + rng.randrange(1, 16)]
        else:
            other = rng.randrange(n)
            buf[at:at] = data[other : other + rng.randrange(1, 32)]
        yield bytes(buf)


def check_mutations(adapter: Any, sample: Sample, rounds: int = 24, seed: int = 0) -> list[str]:
    """Damaged copies of *sample* are read or refused with a cxkit error, nothing else."""
    problems: list[str] = []
    for index, data in enumerate(mutations(sample.data, rounds, seed)):
        damaged = Sample(sample.name, data, sample.password, sample.keyfile)
        try:
            _read(adapter, damaged)
        except CxkitError as exc:
            if not exc.message:
                problems.append(f"{sample.name} mutation {index}: an error without a message")
        except Exception as exc:  # the contract: nothing but cxkit errors escapes
            problems.append(f"{sample.name} mutation {index}: {type(exc).__name__} escaped")
    return problems


# --------------------------------------------------------------------------- round trip


def reference_document() -> cxf.Document:
    """The built-in sample vault: every CXF credential type, passkeys, TOTP, an attachment, a
    collection and an unknown credential type."""
    data = resources.files("cxkit.samples").joinpath("sample-vault.cxf.json").read_bytes()
    return cxf.decode(data)


def _reference_attachments() -> dict[str, bytes]:
    """The bytes of the reference document's one attachment, by its ``File.id``."""
    data = resources.files("cxkit.samples").joinpath("sample-vault.file-1.bin").read_bytes()
    files = [c for _, i in reference_document().items() for c in i.credentials
             if isinstance(c, m.File)]  # fmt: skip
    return {files[0].id: data} if len(files) == 1 else {}


def write_reference(adapter: Any, password: str = _PASSWORD) -> tuple[bytes, MigrationReport]:
    """The reference document written by *adapter* (encrypted formats with *password*)."""
    from cxkit import adapters as api

    options = WriteOptions(password=lambda _prompt: password, attachments=_reference_attachments())
    doc = reference_document()
    try:
        return api.write(doc, _key(adapter), options=options)
    except CxkitError:
        # a format for one credential (a .passkey file): the first item it can hold, alone
        holds = adapter.info.credential_types
        first = next(
            (
                i
                for _, i in doc.items()
                if any(cxf.credential_type(c) in holds for c in i.credentials)
            ),
            None,
        )
        if first is None:
            raise
        one, _ = cxf.prune(cxf.filter_items(doc, lambda _a, i: i is first), lambda t: t in holds)
        return api.write(one, _key(adapter), options=options)


def check_info(adapter: Any) -> list[str]:
    """The metadata a person reads (``cxkit formats -v``, ``docs/formats.md``): every adapter
    says how to export from its app, and every writer how to import the file it wrote."""
    info = adapter.info
    problems = []
    if info.can(Capability.READ) and not info.how_to_export.strip():
        problems.append(f"{info.key}: no how_to_export")
    if info.can(Capability.WRITE) and not info.how_to_import.strip():
        problems.append(f"{info.key}: a writer without how_to_import")
    return problems


def check_round_trip(adapter: Any, password: str = _PASSWORD) -> list[str]:
    """Write the reference document, read it back with the same format: as many items, and at
    least as many credentials of each type as the write report calls carried; the writer's
    output is detected as its own format; the write report holds no secret of the document."""
    from cxkit.adapters import detection

    if not adapter.info.can(Capability.WRITE) or not hasattr(adapter, "write"):
        return []
    key = _key(adapter)
    try:
        data, report = write_reference(adapter, password)
    except CxkitError as exc:
        return [f"{key}: cannot write the reference document: {exc}"]
    problems: list[str] = []
    secrets = document_secrets(reference_document())
    texts = (report.render(), json.dumps(report.to_json(), ensure_ascii=False))
    if any(s in text for text in texts for s in secrets):
        problems.append(f"{key}: a secret of the reference document appears in the write report")
    if not adapter.info.can(Capability.READ) or not hasattr(adapter, "read"):
        return problems
    sample = Sample(f"reference{adapter.info.extensions[:1][0] if adapter.info.extensions else ''}",
                    data, password)  # fmt: skip
    try:
        found = detection.detect(detection.make_sample(data, sample.name))
        if found.adapter.info.key != key:
            problems.append(f"{key}: its own output is detected as {found.adapter.info.key}")
    except CxkitError as exc:
        # a headerless format (Keeper CSV) has no evidence to detect: read with --from only
        if not getattr(adapter, "headerless", False):
            problems.append(f"{key}: its own output is not detected: {exc}")
    try:
        back, _ = _read(adapter, sample)
    except CxkitError as exc:
        return [*problems, f"{key}: cannot read its own output: {exc}"]
    carried = Counter(
        r.credential_type
        for r in report.credentials
        if r.stage == "write" and r.outcome == "carried"
    )
    back_types = Counter(cxf.credential_type(c) for _, i in back.items() for c in i.credentials)
    for ctype, count in sorted(carried.items()):
        if back_types[ctype] < count:
            problems.append(
                f"{key}: {count} {ctype} credentials reported carried, {back_types[ctype]} "
                "there after reading the output back"
            )
    read_back = sum(1 for _ in back.items())
    if read_back != report.items_written:
        problems.append(f"{key}: wrote {report.items_written} items, read back {read_back}")
    return problems


# --------------------------------------------------------------------------- secrets


_SECRET_MEMBERS = ("password", "secret", "key", "private_key", "number", "verification_number",
                   "pin", "passphrase")  # fmt: skip


def document_secrets(doc: cxf.Document) -> set[str]:
    """The secret values of *doc*: passwords, TOTP seeds, keys, card numbers, PINs, Wi-Fi
    passphrases and every hidden (``concealed-string``) field."""
    found: set[str] = set()

    def visit(value: Any, secret: bool) -> None:
        if isinstance(value, m.EditableField):
            if (secret or value.field_type == "concealed-string") and isinstance(value.value, str):
                found.add(value.value)
        elif isinstance(value, str):
            if secret:
                found.add(value)
        elif isinstance(value, tuple):
            for v in value:
                visit(v, secret)
        elif isinstance(value, m.CXFStruct):
            for name in value.__struct_fields__:
                visit(getattr(value, name), name in _SECRET_MEMBERS)

    for _, item in doc.items():
        visit(item.credentials, False)
    return {s for s in found if len(s.strip()) >= MIN_SECRET}


def _messages(exc: CxkitError) -> str:
    return " | ".join(str(x) for x in (exc, exc.hint, exc.location) if x)


def check_secrets(adapter: Any, sample: Sample, rounds: int = 12) -> list[str]:
    """No secret of *sample* appears in the report (text or JSON), in an error about a damaged
    copy, or in a detection error about the file without its first line (a CSV header)."""
    from cxkit.adapters import detection

    try:
        doc, report = _read(adapter, sample)
    except CxkitError as exc:
        return [f"{sample.name}: cannot be read: {exc}"]
    # a secret that is also a word of the file's structure (a password "password", a column
    # named like a value) cannot be told from that structure in a message
    words = set(re.findall(r"[^\W]+", " ".join(report.fields.paths())))
    secrets = {s for s in document_secrets(doc) if s not in words}
    if not secrets:
        return []
    texts = [report.render(), json.dumps(report.to_json(), ensure_ascii=False)]
    for data in mutations(sample.data, rounds, seed=1):
        try:
            _read(adapter, Sample(sample.name, data, sample.password, sample.keyfile))
        except CxkitError as exc:
            texts.append(_messages(exc))
        except Exception:  # noqa: S112 - check_mutations reports these
            continue
    headless = sample.data.split(b"\n", 1)[-1]
    try:
        detection.detect(detection.make_sample(headless, sample.name))
    except CxkitError as exc:
        texts.append(_messages(exc))
    problems: list[str] = []
    for text in texts:
        leaked = [s for s in secrets if s in text]
        if leaked:
            problems.append(f"{sample.name}: a secret of the sample appears in a message or report")
            break
    return problems


# --------------------------------------------------------------------------- all of it


def check(adapter: Any, own: Iterable[Sample] = (), others: Iterable[Sample] = ()) -> list[str]:
    """Every check of the contract for *adapter* with its own samples and other apps'."""
    own = list(own)
    problems = check_detection(adapter, own, others) if hasattr(adapter, "read") else []
    if hasattr(adapter, "read") and adapter.info.can(Capability.READ):
        for sample in own:
            problems += check_accounting(adapter, sample)
            problems += check_mutations(adapter, sample)
            problems += check_secrets(adapter, sample)
    problems += check_info(adapter)
    problems += check_round_trip(adapter)
    return problems
