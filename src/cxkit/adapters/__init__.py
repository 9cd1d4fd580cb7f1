"""Foreign export formats ⇄ CXF: the adapter framework, the registry and the migration report.

Example::

    from cxkit import adapters

    data = open("bitwarden_export.json", "rb").read()
    result = adapters.convert(data, "bitwarden_export.json", to="cxf-json")
    print(result.report.render())
    open("vault.cxf.json", "wb").write(result.output)

* :func:`read` — any supported export → a CXF :class:`~cxkit.cxf.Document` + a
  :class:`MigrationReport` (format detected unless ``source_format`` is given);
* :func:`write` — a Document → bytes of another format (what it cannot carry is reported);
* :func:`convert` — both, with every passkey verified in between;
* :func:`adapters` / :func:`get` / :func:`detect` — the registry (built-ins plus the
  ``cxkit.adapters`` entry-point group).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cxkit._limits import check_entries
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    DetectionError,
    PasswordNeededError,
    PasswordSource,
    Reader,
    ReadOptions,
    Sample,
    WriteOptions,
    Writer,
)
from cxkit.adapters.detection import (
    Detection,
    InputRefusedError,
    detect,
    make_folder_sample,
    make_sample,
)
from cxkit.adapters.registry import (
    ENTRY_POINT_GROUP,
    adapters,
    cxf_format,
    get,
    plugin_errors,
    writer_for_name,
)
from cxkit.adapters.report import (
    CredentialRecord,
    Disposition,
    FieldRecord,
    MigrationReport,
    Outcome,
)
from cxkit.errors import AdapterError, CxkitError

if TYPE_CHECKING:  # the CXF layer is imported when a document is read or written, not for
    # detection (``cxkit detect`` of a CSV imports neither it nor any adapter module)
    from cxkit.cxf.codec import Document

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterInfo",
    "Capability",
    "Confidence",
    "Conversion",
    "CredentialRecord",
    "Detection",
    "DetectionError",
    "Disposition",
    "FieldRecord",
    "InputRefusedError",
    "MigrationReport",
    "Outcome",
    "PasswordNeededError",
    "PasswordSource",
    "ProgressCallback",
    "ReadOptions",
    "Reader",
    "Sample",
    "WriteOptions",
    "Writer",
    "adapters",
    "convert",
    "cxf_format",
    "detect",
    "get",
    "make_folder_sample",
    "make_sample",
    "plugin_errors",
    "prove_totp",
    "read",
    "verify_passkeys",
    "write",
    "writer_for_name",
]


def read(
    data: bytes | os.PathLike[str],
    name: str = "",
    *,
    source_format: str | None = None,
    options: ReadOptions | None = None,
    report: MigrationReport | None = None,
) -> tuple[Document, MigrationReport]:
    """Read an export (detected, or *source_format*) into CXF; *data* is the file's bytes, or
    the path of a folder for formats that are a folder (a password store)."""
    from cxkit.cxf.codec import paused_gc

    report = report if report is not None else MigrationReport()
    options = options or ReadOptions()
    with paused_gc():  # the sniffers peek (JSON: top-level Raw slices); the reader decodes once
        if isinstance(data, os.PathLike):
            sample = make_folder_sample(data, name)
        else:
            sample = make_sample(data, name)
    adapter = detect(sample).adapter if source_format is None else get(source_format)
    if not adapter.info.can(Capability.READ) or not hasattr(adapter, "read"):
        raise AdapterError(f"cxkit cannot read {adapter.info.key}")
    report.source = report.source or name
    report.source_format = adapter.info.key
    from cxkit.adapters.kit.input import duplicate_warnings  # lazily: start-up time

    with paused_gc(), duplicate_warnings() as repeated:  # readers build ~100 objects per item
        doc = adapter.read(sample, options, report)
    check_entries(doc, name)  # the document-wide bound of every format (#17; cxkit._limits)
    report.warnings.extend(repeated)  # repeated JSON member names read last-wins (#17)
    if options.accounting:  # (a read-back whose report nobody reads: not worth a walk)
        from cxkit.totp import short_secret_warnings

        report.warnings.extend(short_secret_warnings(doc))  # a secret cut short reads as a TOTP
    return doc, report


def write(
    doc: Document,
    dest_format: str,
    *,
    options: WriteOptions | None = None,
    report: MigrationReport | None = None,
) -> tuple[bytes, MigrationReport]:
    """Write *doc* as *dest_format*; what it cannot carry is recorded in the report."""
    from cxkit.cxf.codec import paused_gc

    report = report if report is not None else MigrationReport()
    adapter = get(dest_format)
    if not adapter.info.can(Capability.WRITE) or not hasattr(adapter, "write"):
        raise AdapterError(f"cxkit cannot write {adapter.info.key}")
    report.destination_format = adapter.info.key
    report.plaintext = adapter.info.plaintext
    report.encrypted = not adapter.info.plaintext
    with paused_gc():
        data = adapter.write(doc, options or WriteOptions(), report)
    _passkeys_not_written(doc, report)
    return data, report


def _passkeys_not_written(doc: Document, report: MigrationReport) -> None:
    """Name every passkey the writer recorded as not carried (its site and account), for the
    report's list of passkeys to re-create."""
    lost = [
        row
        for row in report.credential_records().rows_of("write", "passkey")
        if row[3] is Outcome.NOT_CARRIED and row[5] is not None
    ]
    if not lost:
        return
    by_id = {item.id: item for account in doc.accounts for item in account.items}
    for _, _, title, _, note, item_id, index in lost:
        item = by_id.get(item_id) if item_id is not None else None
        credentials = item.credentials if item is not None else ()
        passkey = credentials[index] if index < len(credentials) else None
        report.passkey_to_recreate(
            title,
            str(getattr(passkey, "rp_id", "") or ""),
            str(getattr(passkey, "username", "") or ""),
            f"{report.destination_format or 'the destination'} cannot hold it: {note}"
            if note
            else "the destination cannot hold it",
        )


#: ``progress(phase, done, total)``: the phase (``read`` / ``verify`` / ``write``) as it starts,
#: and during ``verify`` after each passkey (items read / written are in the report's counters).
ProgressCallback = Callable[[str, int, int], None]


def verify_passkeys(
    doc: Document, report: MigrationReport, *, progress: ProgressCallback | None = None
) -> None:
    """Sign and verify a WebAuthn assertion with every passkey of *doc* (into the report)."""
    from cxkit.passkey import check_document

    report.passkeys_checked = True
    each = None if progress is None else (lambda done, total: progress("verify", done, total))
    for r in check_document(doc, progress=each):
        report.passkeys.append(
            {
                "item": r.item_title,
                "rp_id": r.rp_id,
                "username": r.username,
                "algorithm": r.algorithm.label if r.algorithm is not None else None,
                "ok": r.ok,
                "codes": list(r.codes),
            }
        )


@dataclass
class Conversion:
    document: Document
    output: bytes | None
    report: MigrationReport
    attachments: dict[str, bytes] = field(default_factory=dict)
    """Attachment bytes by ``File.id`` read from the source (CXF keeps them next to the JSON;
    writers of formats that hold attachments get them through :attr:`WriteOptions.attachments`)."""


def convert(
    data: bytes | os.PathLike[str],
    name: str = "",
    *,
    to: str,
    source_format: str | None = None,
    read_options: ReadOptions | None = None,
    write_options: WriteOptions | None = None,
    verify: bool = True,
    dry_run: bool = False,
    report: MigrationReport | None = None,
    progress: ProgressCallback | None = None,
) -> Conversion:
    """Read, verify every passkey, and write (unless *dry_run*). Attachment bytes found by the
    reader are handed to the writer (unless *write_options* brings its own). *report* may be
    given to watch its counters while the work runs; *progress* is told the phases."""
    if report is None:
        report = MigrationReport(dry_run=dry_run)
    report.dry_run = dry_run
    read_options = read_options or ReadOptions()
    if progress is not None:
        progress("read", 0, 0)
    doc, _ = read(data, name, source_format=source_format, options=read_options, report=report)
    if verify:
        if progress is not None:
            progress("verify", 0, 0)
        verify_passkeys(doc, report, progress=progress)
    write_options = replace(write_options) if write_options is not None else WriteOptions()
    if not write_options.attachments and read_options.attachments:
        write_options.attachments = read_options.attachments
    secrets: list[str] = []  # the destination's password or recovery code, to read it back
    if write_options.password is not None:
        write_options.password = _remembering(write_options.password, secrets)
    code_hook = write_options.on_recovery_code

    def on_code(code: str) -> None:
        secrets.append(code)
        if code_hook is not None:
            code_hook(code)

    write_options.on_recovery_code = on_code
    if progress is not None:
        progress("write", 0, 0)
    output, _ = write(doc, to, options=write_options, report=report)
    if not verify:
        skipped = "not asked for (--no-verify)"
    elif dry_run:
        skipped = "nothing was written (--dry-run)"
    else:
        skipped = ""
    prove_totp(doc, output, to, report, skipped=skipped,
               password=secrets[-1] if secrets else None, keyfile=write_options.keyfile)  # fmt: skip
    return Conversion(doc, None if dry_run else output, report, dict(read_options.attachments))


def __getattr__(name: str) -> Any:
    """``Document`` and ``paused_gc``, imported from the CXF layer on first use (they were
    importable from here)."""
    if name in ("Document", "paused_gc"):
        from cxkit.cxf import codec

        return getattr(codec, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _remembering(source: PasswordSource, into: list[str]) -> PasswordSource:
    """*source*, keeping each password it gives in *into*."""

    def ask(prompt: str) -> str:
        password = source(prompt)
        into.append(password)
        return password

    return ask


def prove_totp(
    source: Document,
    output: bytes,
    dest_format: str,
    report: MigrationReport,
    *,
    skipped: str = "",
    password: str | None = None,
    keyfile: bytes | None = None,
) -> None:
    """The TOTP proof of a conversion (issue #14): read *output* (written as *dest_format*)
    back and check that every TOTP of *source* the writer carried gives the same codes there
    at fixed instants (:func:`cxkit.totp.prove`); the result goes to ``report.totp``.
    *skipped*: why the proof is not made. A TOTP the writer reports kept in another shape (a
    custom field) is not compared; one it reports not carried is counted apart."""
    from cxkit.cxf import model as m
    from cxkit.totp import prove

    if not any(isinstance(c, m.Totp) for _, i in source.items() for c in i.credentials):
        return
    adapter = get(dest_format)
    if not skipped and adapter.info.can(Capability.FOLDER):
        skipped = "a folder destination is not read back (its entries open with your own gpg key)"
    if skipped:
        report.totp = {"state": "skipped", "why": skipped}
        return
    fmt = dest_format if adapter.info.can(Capability.READ) else None
    name = "output" + (adapter.info.extensions[0] if adapter.info.extensions else "")
    options = ReadOptions(password=None if password is None else (lambda _p: password),
                          keyfile=keyfile, accounting=False)  # fmt: skip
    try:
        back, _ = read(output, name, source_format=fmt, options=options)
    except CxkitError as exc:  # cxkit's own output unreadable by its reader: said, not hidden
        why = f"the destination cannot be read back ({type(exc).__name__}: {exc.message})"
        report.totp = {"state": "skipped", "why": why}
        report.warnings.append(f"TOTP proof not made: {why}")
        return
    written = report.credential_records().keys("write", "totp")
    transformed = written.get(Outcome.TRANSFORMED, set())
    kept = written.get(Outcome.CARRIED, set()) | transformed
    proof = prove(source, back, carried=lambda item_id, index: (item_id, index) in kept)
    # a TOTP the writer said it kept in another shape (a custom field) need not read back as one
    reshaped = [u for u in proof.unmatched if (u.item_id, u.index) in transformed]
    proof.unmatched = [u for u in proof.unmatched if (u.item_id, u.index) not in transformed]
    proof.checked -= len(reshaped)
    proof.skipped += len(reshaped)
    report.totp = {"state": "checked", **proof.to_json()}
