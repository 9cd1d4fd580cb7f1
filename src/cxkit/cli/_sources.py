"""Reading a SOURCE in any format cxkit reads: CXF JSON directly (lossless), other apps'
exports through the adapters (detected, or named with ``--from``), with the password and key
file an encrypted export needs."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cxkit.cli._io import read_input, read_source
from cxkit.cli._secrets import add_secret_options, existing_secret
from cxkit.errors import CxkitError

if TYPE_CHECKING:
    from cxkit import cxf
    from cxkit.adapters.report import MigrationReport
    from cxkit.cli._progress import Progress

__all__ = ["add_source_options", "load_source"]

MAX_KEYFILE_SIZE = 64 << 20


def add_source_options(p: argparse.ArgumentParser, *, what: str = "SOURCE") -> None:
    """``--from FORMAT``, ``--password-file/-env/-stdin`` (the SOURCE password, as in every
    command; the old source-password spellings still work) and ``--keyfile FILE``."""
    p.add_argument(
        "--from",
        dest="source_format",
        metavar="FORMAT",
        help=f"format of {what} (default: detected; cxkit formats lists them)",
    )
    add_secret_options(p, prefix="password", what=f"the password of an encrypted {what}")
    p.add_argument("--keyfile", metavar="FILE", help=f"key file of a KeePass {what}")


def load_source(
    name: str,
    args: argparse.Namespace,
    *,
    max_size: int,
    progress: Progress | None = None,
    report: MigrationReport | None = None,
) -> tuple[cxf.Document, dict[str, bytes], str]:
    """The document in *name*, its attachment bytes (from formats that hold them) and the
    format it was read as. CXF files keep their source bytes (lossless re-encoding). With
    *progress*, the items read are counted on its line (``reading 12,345 items``), which a
    password prompt hides. With *report*, the reader's migration report lands there (what
    the reader could not carry: the passkeys a source names without their private keys,
    :attr:`~cxkit.adapters.report.MigrationReport.passkeys_to_recreate`). The adapters are
    imported here, not with the module: a command that reads CXF files itself (``inspect``,
    ``validate``) does without them."""
    from cxkit import adapters
    from cxkit.adapters import MigrationReport, ReadOptions

    data = read_source(name, max_size)
    if args.source_format:
        fmt = args.source_format
    else:
        sample = (
            adapters.make_sample(data, name)
            if isinstance(data, bytes)
            else adapters.make_folder_sample(data, name)
        )
        fmt = adapters.detect(sample).adapter.info.key

    def password(prompt: str) -> str:
        return existing_secret(args, prompt, prefix="password", noun="password")

    if progress is not None:
        report = report if report is not None else MigrationReport()
        progress.report = report
        progress.update("read")
    try:
        options = ReadOptions(
            password=password if progress is None else progress.wrap(password),
            max_size=max_size,
            keyfile=None if not args.keyfile else read_input(args.keyfile, MAX_KEYFILE_SIZE),
        )
        doc, _ = adapters.read(data, name, source_format=fmt, options=options, report=report)
        return doc, dict(options.attachments), fmt
    except CxkitError as exc:
        if not (exc.location or "").startswith(name):
            exc.location = f"{name}: {exc.location}" if exc.location else name
        raise
