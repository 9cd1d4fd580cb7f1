"""Helpers shared by the P0 hand-over commands (``request``/``export``/``import``,
``seal``/``open``, ``receive``/``send``): loading a CXF source and its attachments, showing what
will move, filtering to the requested credential types, and writing the results all or nothing
(staged next to their destination with mode 0600, renamed into place only when everything
succeeded)."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from cxkit import cxf
from cxkit.cli import _console as out
from cxkit.cli._io import read_input, write_output
from cxkit.cli._secrets import (
    safe_text,
)
from cxkit.crypto.safezip import DEFAULT_LIMITS
from cxkit.cxf import b64 as cxf_b64
from cxkit.cxf import model as m
from cxkit.cxf.findings import Severity
from cxkit.cxp import p0
from cxkit.cxp.messages import (
    CXF_CREDENTIAL_TYPES,
    CredentialTypeFilter,
)
from cxkit.errors import InputError, OutputError, ProtocolError

if TYPE_CHECKING:
    from cxkit.adapters.report import MigrationReport

SUITE_TEXT: Final = {
    (32, 1, 2): "X25519 / HKDF-SHA256 / AES-256-GCM",
    (16, 1, 1): "P-256 / HKDF-SHA256 / AES-128-GCM",
    (16, 1, 2): "P-256 / HKDF-SHA256 / AES-256-GCM",
    (32, 1, 0xFFFF): "X25519 / HKDF-SHA256 / export-only (files AES-256-GCM)",
    (16, 1, 0xFFFF): "P-256 / HKDF-SHA256 / export-only (files AES-256-GCM)",
}


TYPE_ALIASES: Final = {"public-key": "passkey", "driver-license": "drivers-license"}


ATTACHMENTS_HELP: Final = (
    "Attachments: a CXF 'file' credential carries only metadata (id, name, decryptedSize, "
    "integrityHash); its bytes travel next to the JSON. --attachments DIR holds one file per "
    "'file' credential, named by its File.id (the base64url text as written in the JSON) or, "
    "when that is absent, by its 'name' (a plain file name only). Sizes and SHA-256 hashes are "
    "checked before anything is encrypted."
)


ATTACHMENTS_OUT_HELP: Final = (
    "Attachments are written to --attachments-out DIR (default: OUT.attachments), one file per "
    "attachment named by its File.id (base64url characters only, never a name taken from the "
    "archive), mode 0600. DIR must be new or empty unless --force."
)


def check_folder_target(name: str, *, force: bool) -> None:
    path = Path(name)
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise OutputError("exists and is not a folder", location=name)
        try:
            empty = not any(path.iterdir())
        except OSError as exc:
            raise OutputError(f"cannot read the folder: {exc.strerror}", location=name) from None
        if not empty and not force:
            raise OutputError(
                "the attachments folder is not empty",
                location=name,
                hint="choose a new folder, or pass --force to write into it",
            )
    elif not path.parent.is_dir():
        raise OutputError("its parent folder does not exist", location=name)


class StagedOutputs:
    """A set of output files written all or nothing: each is staged as a 0600 temporary file
    next to its destination and renamed into place by :meth:`commit`; on any failure (or
    without commit) the temporaries and the folders made for them are removed."""

    def __init__(self, force: bool) -> None:
        self.force = force
        self._staged: list[tuple[Path, Path]] = []
        self._made: list[Path] = []
        self._committed = False

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            self.abort()

    def folder(self, path: Path) -> None:
        if not path.is_dir():
            try:
                path.mkdir(mode=0o700)
            except OSError as exc:
                raise OutputError(
                    f"cannot make folder: {exc.strerror}", location=str(path)
                ) from None
            self._made.append(path)

    def stage(self, dest: Path, data: bytes) -> None:
        folder = dest.parent if str(dest.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", location=str(dest)) from None
        self._staged.append((Path(tmp), dest))
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", location=str(dest)) from None

    def commit(self) -> None:
        placed: list[Path] = []
        try:
            for _, dest in self._staged:
                if not self.force and (dest.exists() or dest.is_symlink()):
                    raise OutputError(
                        "already exists", location=str(dest), hint="pass --force to replace it"
                    )
            for tmp, dest in self._staged:
                existed = dest.exists()
                os.replace(tmp, dest)
                if not existed:
                    placed.append(dest)
        except OSError as exc:
            for dest in placed:
                with contextlib.suppress(OSError):
                    dest.unlink()
            self.abort()
            raise OutputError(f"cannot write: {exc.strerror}") from None
        except BaseException:
            for dest in placed:
                with contextlib.suppress(OSError):
                    dest.unlink()
            self.abort()
            raise
        self._committed = True

    def abort(self) -> None:
        for tmp, _ in self._staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._staged.clear()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made.clear()


def file_credentials(doc: cxf.Document) -> dict[str, m.File]:
    files: dict[str, m.File] = {}
    for _, item in doc.items():
        for c in item.credentials:
            if isinstance(c, m.File):
                files.setdefault(c.id, c)
    return files


def print_request_scope(flt: CredentialTypeFilter) -> None:
    """The "asks for" lines of an export or live-transfer request's summary (CXP §5 filter)."""
    if flt.types is None and not flt.accounts_only:
        out.err("  asks for:     all credential types")
    elif flt.accounts_only:
        out.err("  asks for:     accounts only (no items)")
    else:
        out.err("  asks for:     " + ", ".join(sorted(flt.types or ())))
    if flt.ignored:
        out.err("  ignored:      " + ", ".join(safe_text(t, 40) for t in flt.ignored))


def print_contents(doc: cxf.Document, attachments: Mapping[str, bytes], indent: str) -> None:
    counts = cxf.type_counts(doc)
    n_items = sum(1 for _ in doc.items())
    out.err(
        f"{indent}{out.plural(len(doc.accounts), 'account')}, {out.plural(n_items, 'item')}, "
        f"{out.plural(sum(counts.values()), 'credential')}"
    )
    rows = [[safe_text(t, 40), str(n)] for t, n in sorted(counts.items())]
    for line in out.table(rows).splitlines():
        out.err(f"{indent}  {line}")
    if attachments:
        total = sum(len(b) for b in attachments.values())
        out.err(f"{indent}attachments: {len(attachments)} ({total:,} bytes)")


def print_not_held(read: MigrationReport) -> None:
    """The passkeys the source names without their private keys (its reader's report): the
    closing list of ``cxkit convert``, by site and account, on standard error. They are not
    in what is sealed or sent; the user creates a new passkey on each site after importing."""
    for line in read.recreate_lines(limit=len(read.passkeys_to_recreate)):
        out.err(safe_text(line, 500))


ATTACHMENT_READ_LIMIT: Final = (DEFAULT_LIMITS.max_entry_size - 1024) // 4 * 3


def plain_name(name: str) -> bool:
    return (
        0 < len(name) <= 255
        and name not in (".", "..")
        and not any(c in name for c in "/\\\0")
        and name.isprintable()
    )


def attachments_for(
    doc: cxf.Document, folder: str | None, from_source: dict[str, bytes]
) -> dict[str, bytes]:
    """Attachment bytes for *doc*: those the source format itself carried (a Proton Pass ZIP,
    a KeePass database) when they cover every ``file`` credential and no ``--attachments DIR``
    was given; otherwise the folder's, checked by :func:`load_attachments`."""
    files = file_credentials(doc)
    if folder is None and all(fid in from_source for fid in files):
        return {fid: from_source[fid] for fid in files}
    return load_attachments(doc, folder)


def load_attachments(doc: cxf.Document, folder: str | None) -> dict[str, bytes]:
    """The bytes of every ``file`` credential from *folder* (by File.id, else by name),
    checked against decryptedSize and integrityHash."""
    files = file_credentials(doc)
    if not files:
        return {}
    if folder is None:
        raise InputError(
            f"the document has {out.plural(len(files), 'attachment')} ('file' credentials)",
            hint="pass --attachments DIR with one file per attachment, named by its File.id",
        )
    base = Path(folder)
    if not base.is_dir():
        raise InputError("is not a folder", location=folder)
    result: dict[str, bytes] = {}
    total = 0
    for fid, cred in sorted(files.items()):
        label = f"attachment {safe_text(fid)} ({safe_text(cred.name, 60)})"
        candidates = [base / fid] if plain_name(fid) else []
        if plain_name(cred.name):
            candidates.append(base / cred.name)
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            raise InputError(
                f"{label} not found",
                location=folder,
                hint=f"put it there as {safe_text(fid)}",
            )
        if cred.decrypted_size > ATTACHMENT_READ_LIMIT:
            raise InputError(f"{label} is larger than profile P0's per-file limit")
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", location=str(path)) from None
        if size != cred.decrypted_size:
            raise InputError(
                f"{label}: the file has {size:,} bytes, decryptedSize says {cred.decrypted_size:,}",
                location=str(path),
            )
        data = read_input(str(path), max(cred.decrypted_size, 1))
        try:
            expected = cxf_b64.decode_lenient(cred.integrity_hash)[0]
        except ValueError:
            expected = b""
        if not hmac.compare_digest(hashlib.sha256(data).digest(), expected):
            raise InputError(
                f"{label}: the file's SHA-256 differs from integrityHash", location=str(path)
            )
        total += len(data)
        if total > DEFAULT_LIMITS.max_total_size // 2:
            raise InputError("the attachments together exceed profile P0's archive limit")
        result[fid] = data
    return result


def print_findings(findings: list[cxf.Finding]) -> int:
    counts = out.severity_counts(findings)
    out.err(
        f"validation: {out.plural(counts['error'], 'error')}, "
        f"{out.plural(counts['warning'], 'warning')}, {counts['info']} info"
    )
    shown = [f for f in findings if f.severity is not Severity.INFO][:10]
    for f in shown:
        out.err(
            f"  {f.severity:<7} {safe_text(f.path, 80)}: {safe_text(f.message, 160)} [{f.code}]"
        )
    rest = counts["error"] + counts["warning"] - len(shown)
    if rest > 0:
        out.err(f"  … and {rest} more (cxkit validate OUT shows all)")
    return counts["error"]


def write_result(
    args: argparse.Namespace,
    opened: p0.OpenedExport,
    doc: cxf.Document,
) -> tuple[str | None, list[tuple[str, str]]]:
    """Write the CXF document and attachments (all or nothing). Returns the attachments
    folder and (file name, label) pairs."""
    files = file_credentials(doc)
    folder = args.attachments_out
    if opened.attachments and folder is None:
        if args.output == "-":
            raise OutputError("the export holds attachments; pass --attachments-out DIR with -o -")
        folder = args.output + ".attachments"
        check_folder_target(folder, force=args.force)
    written: list[tuple[str, str]] = []
    with StagedOutputs(args.force) as outs:
        if args.output != "-":
            outs.stage(Path(args.output), opened.cxf_json)
        if opened.attachments and folder is not None:
            base = Path(folder)
            outs.folder(base)
            used: set[str] = set()
            for fid in sorted(opened.attachments):
                if not p0.FILE_ID_RE.match(fid):  # checked by P0 already; never a path
                    raise ProtocolError("an attachment id is not base64url")
                name = fid
                n = 1
                while name.casefold() in used:  # case-insensitive file systems
                    n += 1
                    name = f"{fid}.{n}"
                used.add(name.casefold())
                outs.stage(base / name, opened.attachments[fid])
                cred = files.get(fid)
                written.append((name, safe_text(cred.name, 60) if cred else ""))
        outs.commit()
    if args.output == "-":
        write_output("-", opened.cxf_json)
    return folder, written


def report_written(
    args: argparse.Namespace, folder: str | None, written: list[tuple[str, str]], size: int
) -> None:
    if args.output != "-":
        out.err(f"wrote {args.output} (CXF, {size:,} bytes, mode 0600)")
    if written:
        out.err(f"wrote {out.plural(len(written), 'attachment')} to {folder}/ (mode 0600):")
        for name, label in written:
            out.err(f"  {name}  {label}")
    out.err(
        "note: the CXF output is NOT encrypted; import it into your credential manager, then "
        "delete it."
    )


def parse_types(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    result: list[str] = []
    for value in values:
        for raw in value.split(","):
            name = raw.strip().lower()
            if not name:
                continue
            name = TYPE_ALIASES.get(name, name)
            if name not in CXF_CREDENTIAL_TYPES:
                raise InputError(
                    f"unknown credential type {safe_text(raw, 40)!r}",
                    hint="CXF 1.0 types: " + ", ".join(sorted(CXF_CREDENTIAL_TYPES)),
                )
            if name not in result:
                result.append(name)
    if not result:
        raise InputError("--types names no credential type")
    return tuple(result)


def utc(ts: int) -> str:
    return cxf.format_utc(ts, "%Y-%m-%d %H:%M UTC", out_of_range=f"{ts} (no date)")


def filter_document(doc: cxf.Document, flt: CredentialTypeFilter) -> tuple[cxf.Document, int]:
    """The document with only the requested credential types; also the number left out."""
    if flt.types is None and not flt.accounts_only:
        return doc, 0
    return cxf.prune(doc, flt.allows, accounts_only=flt.accounts_only)


def confirm(question: str) -> bool:
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in ("y", "yes")
