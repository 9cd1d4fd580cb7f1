"""``--into DEST``: what ``import``, ``open`` and ``receive`` received, written in any format
cxkit writes, as ``cxkit convert`` writes it (every passkey verified, migration report).

Every check and every password comes first (:func:`prepare_into`): before a key file is used
up, an archive is opened or a listener starts, so that nothing is consumed and then lost to a
refused output or a Ctrl-C at a password prompt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cxkit import adapters
from cxkit.adapters import Capability, WriteOptions
from cxkit.cli import _console as out
from cxkit.cli._handover import check_folder_target
from cxkit.cli._io import check_output, write_output
from cxkit.cli._secrets import add_secret_options
from cxkit.cli.commands.convert import (
    dest_password,
    destination_format,
    show_recovery_code,
    write_attachments,
)
from cxkit.cxp import p0
from cxkit.errors import OutputError

__all__ = ["Into", "add_into_options", "prepare_into", "write_into"]


@dataclass
class Into:
    """A checked ``--into`` destination: its format and its password (already asked)."""

    dest: str
    fmt: str
    password: adapters.PasswordSource | None
    codes: list[str] = field(default_factory=list)


def add_into_options(p: argparse.ArgumentParser, dest: Any) -> None:
    """``--into DEST`` (in the mutually exclusive group *dest*, with ``-o``), ``--to``,
    ``--plaintext`` and ``--new-password-file/-env``."""
    dest.add_argument(
        "--into",
        metavar="DEST",
        help="write the credentials in another app's format instead of CXF (cxkit formats "
        "lists them; the format comes from --to or DEST's name), with a migration report",
    )
    p.add_argument("--to", dest="dest_format", metavar="FORMAT", help="format of --into DEST")
    p.add_argument(
        "--plaintext",
        action="store_true",
        help="allow an unencrypted --into format (every secret lies in it in clear text)",
    )
    add_secret_options(p, prefix="new-password", what="the --into DEST password", stdin=False)


def prepare_into(args: argparse.Namespace, *, inputs: Iterable[str] = ()) -> Into:
    """Check ``--into`` DEST (format, existing file, attachments folder) and ask its password
    now (an encrypted format)."""
    fmt = destination_format(args.into, args.dest_format, plaintext=args.plaintext)
    check_output(args.into, force=args.force, inputs=list(inputs))
    info = adapters.get(fmt).info
    if args.attachments_out:
        check_folder_target(args.attachments_out, force=args.force)
    elif args.into != "-" and info.can(Capability.DETACHED_ATTACHMENTS):
        check_folder_target(args.into + ".attachments", force=args.force)
    source, codes = dest_password(args, fmt)
    if source is None or not info.can(Capability.ENCRYPTED):
        return Into(args.into, fmt, source, codes)
    secret = source(f"password for the new {args.into}")

    def given(_prompt: str) -> str:
        return secret

    return Into(args.into, fmt, given, codes)


def write_into(args: argparse.Namespace, opened: p0.OpenedExport, into: Into) -> int:
    """Convert and write; the report goes to standard error. 1 when a passkey failed."""
    conversion = adapters.convert(
        opened.cxf_json,
        "received",
        to=into.fmt,
        source_format=adapters.cxf_format(),
        write_options=WriteOptions(
            password=into.password,
            attachments=dict(opened.attachments),
            on_recovery_code=into.codes.append,
        ),
    )
    report = conversion.report
    report.destination = into.dest
    if conversion.output is None:  # pragma: no cover - convert writes unless dry_run
        raise OutputError("nothing to write", location=into.dest)
    if conversion.attachments and adapters.get(into.fmt).info.can(Capability.DETACHED_ATTACHMENTS):
        write_attachments(into.dest, args.attachments_out, conversion.attachments, force=args.force)
    write_output(into.dest, conversion.output, force=args.force)
    out.err(out.fit(report.render(), stream=sys.stderr))
    show_recovery_code(into.codes, into.dest)
    return 1 if report.passkeys_failed() else 0
