"""``cxkit convert``: migrations between export formats (``cxkit detect``: ``detect.py``).

``convert`` reads SOURCE (format detected, or ``--from``), maps it to CXF, signs and verifies a
WebAuthn assertion with every passkey (``--no-verify`` to skip), writes DEST atomically with mode
0600 (``--to``, or guessed from the file name) and prints the migration report. Exit status: 0
done; 1 written but some passkey failed verification or some TOTP gave other codes when the
written file was read back (the TOTP proof, also skipped by ``--no-verify``); 2 nothing written
(unreadable input, wrong password, refused output, or a SOURCE of which not one item could be
read: every item it holds was skipped, as in a file cut short). A SOURCE that holds no items at
all (an empty export: only a header) is written as an empty vault, with a warning.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Final

from cxkit import adapters
from cxkit.adapters import Capability, MigrationReport, ReadOptions, WriteOptions
from cxkit.adapters.bitwarden.json_export import BitwardenWriteOptions
from cxkit.adapters.genericcsv import CsvMapOptions
from cxkit.adapters.kit.csvwrite import CsvWriteOptions
from cxkit.adapters.passstore import PassStoreWriteOptions
from cxkit.cli import _console as out
from cxkit.cli._io import (
    add_max_size,
    check_folder_output,
    check_output,
    read_input,
    read_source,
    write_folder,
    write_output,
)
from cxkit.cli._progress import Progress
from cxkit.cli._secrets import (
    add_secret_options,
    ask,
    existing_secret,
    no_terminal,
    secret_from_source,
)
from cxkit.cxf import DEFAULT_MAX_SIZE
from cxkit.errors import InputError, OutputError

_SECRET_RULES: Final = (
    "Passwords are never taken from the command line: on a terminal cxkit asks; otherwise use "  # noqa: S105
    "--password-file FILE, --password-env VAR or --password-stdin for the SOURCE, and "
    "--new-password-file FILE or --new-password-env VAR for an encrypted DEST. A KeePass "
    "database that needs a key file: --keyfile FILE (with --no-password when it has no password). "
    "A sealed archive DEST (cxkit-sealed, DEST.cxp) is sealed with a generated recovery code, "
    "printed once to standard error after it is written, unless --new-password-file/-env gives "
    "a passphrase; a sealed archive SOURCE asks for its passphrase or recovery code.\n\n"
    "A progress line is drawn on standard error when it is a terminal (not with --quiet/--json)."
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "convert",
        help="convert an export to another format (CXF, Bitwarden, ...) with a migration report",
        description=__doc__ + "\n" + _SECRET_RULES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", metavar="SOURCE", help="the export to read (- for standard input)")
    p.add_argument("-o", "--output", metavar="DEST", help="file to write (- for standard output)")
    p.add_argument("--from", dest="source_format", metavar="FORMAT", help="format of SOURCE")
    p.add_argument("--to", dest="dest_format", metavar="FORMAT", help="format of DEST")
    p.add_argument(
        "--map",
        dest="column_map",
        metavar="TARGET=COLUMN,...",
        help="read SOURCE as any CSV (--from csv) with this column map, e.g. "
        '"title=Name,username=Login,password=Password,url=Web Site,notes=Comments,totp=OTP" '
        "(targets: title username password url notes totp folder tags created modified favorite "
        "custom ignore); without it --from csv guesses the map from the header and shows it — "
        "check it with --dry-run. Other columns become custom fields",
    )
    p.add_argument(
        "--plaintext",
        action="store_true",
        help="allow an unencrypted DEST (CXF JSON, Bitwarden JSON): every secret lies in it in "
        "clear text",
    )
    p.add_argument(
        "--no-verify",
        action="store_true",
        help="do not verify passkeys, nor prove that DEST gives every TOTP's codes",
    )
    p.add_argument(
        "--include-trashed",
        action="store_true",
        help="also convert the items in the source's trash (skipped and reported by default)",
    )
    p.add_argument(
        "--attachments-out",
        metavar="DIR",
        help="folder for the attachments read from SOURCE when DEST is CXF JSON (default: "
        "DEST.attachments; one file per attachment, named by its File.id)",
    )
    p.add_argument("--dry-run", action="store_true", help="read and report only; write nothing")
    p.add_argument(
        "--report",
        metavar="FILE",
        help="write the full report to FILE: as JSON, or as a web page when FILE ends in .html",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--force", action="store_true", help="replace DEST / the report if they exist")
    p.add_argument(
        "--kdf",
        choices=("pbkdf2", "argon2id"),
        default="pbkdf2",
        help="key derivation for an encrypted Bitwarden DEST (default: pbkdf2, 600,000 "
        "iterations, as Bitwarden; argon2id: t=3, 64 MiB, p=4)",
    )
    p.add_argument(
        "--csv-raw",
        action="store_true",
        help="CSV DEST: write cells that begin with =, +, -, @, tab or CR as they are (by "
        "default they get a leading ' so that spreadsheets do not run them as formulas)",
    )
    add_max_size(p, DEFAULT_MAX_SIZE)
    add_secret_options(p, prefix="password", what="the SOURCE password")
    add_secret_options(p, prefix="new-password", what="the DEST password", stdin=False)
    p.add_argument("--keyfile", metavar="FILE", help="key file of the SOURCE database (KeePass)")
    p.add_argument(
        "--recipient",
        action="append",
        metavar="KEYID",
        help="a password-store DEST that is a new store: encrypt to this GnuPG key (repeat for "
        "more; written to its .gpg-id). An existing store's .gpg-id is used without it",
    )
    p.add_argument(
        "--no-password",
        action="store_true",
        help="the SOURCE database opens with its key file alone (no password is asked)",
    )
    p.add_argument(
        "--new-keyfile",
        metavar="FILE",
        help="an existing key file that the DEST database will also need (KeePass)",
    )
    p.set_defaults(handler=cmd_convert)


# --------------------------------------------------------------------------- convert


def _guess_dest_format(name: str) -> str:
    """The writer a DEST name implies: the one whose file-name extension is the longest match
    (``.cxf.json`` → CXF JSON, ``.cxp`` → a sealed archive, ``.kdbx``, ``.passkey``); ambiguous
    names (``.json``, ``.csv``) need ``--to``."""
    found = adapters.writer_for_name(name)
    if found is not None:
        return found
    lowered = name.lower()
    matches: list[str] = [
        key
        for key, a in adapters.adapters().items()
        if a.info.can(Capability.WRITE) and any(lowered.endswith(e) for e in a.info.extensions)
    ]
    candidates = f" (could be {', '.join(matches)})" if matches else ""
    raise InputError(
        f"cannot tell the DEST format from its name{candidates}",
        location=name,
        hint="name it with --to FORMAT (cxkit formats lists them)",
    )


def _source_password(args: argparse.Namespace) -> adapters.PasswordSource:
    def provide(prompt: str) -> str:
        # with a key file, an empty password is a password (KeePass: SHA-256 of "")
        return existing_secret(
            args, prompt, prefix="password", noun="password", allow_empty=bool(args.keyfile)
        )

    return provide


def new_password_source(args: argparse.Namespace) -> adapters.PasswordSource:
    """Asks for (or reads, ``--new-password-file/-env``) the password of an encrypted DEST."""

    def provide(prompt: str) -> str:
        secret = secret_from_source(args, prefix="new-password", what="password")
        if secret is not None:
            return secret
        if not sys.stdin.isatty():
            raise no_terminal(prompt, prefix="new-password")
        first = ask(f"{prompt}: ", what="password")
        if not first:
            raise InputError("no password entered")
        if ask("the same password again: ", what="password") != first:
            raise InputError("the two passwords differ; nothing was written")
        return first

    return provide


def dest_password(
    args: argparse.Namespace, fmt: str
) -> tuple[adapters.PasswordSource | None, list[str]]:
    """The password source for DEST and the list a generated recovery code lands in: a sealed
    archive (``cxkit-sealed``) without ``--new-password-file/-env`` gets a generated recovery
    code (as ``cxkit seal``), shown once by :func:`show_recovery_code` after the write."""
    codes: list[str] = []
    sealed_by_code = adapters.get(fmt).info.can(Capability.RECOVERY_CODE)
    if sealed_by_code and secret_from_source(args, prefix="new-password", what="password") is None:
        return None, codes
    return new_password_source(args), codes


def show_recovery_code(codes: list[str], dest: str) -> None:
    """The recovery code a sealed DEST was sealed with: on standard error, exactly once."""
    if not codes:
        return
    where = "standard output" if dest == "-" else dest
    out.must(
        f"\nRecovery code for {where} — shown only this once. Write it down or store it in a "
        "password manager;\nwithout it the file cannot be opened:\n\n"
        f"    {codes[0]}\n"
    )
    codes.clear()


MAX_KEYFILE_SIZE: Final = 64 << 20


def _keyfile(name: str | None) -> bytes | None:
    return None if not name else read_input(name, MAX_KEYFILE_SIZE)


def destination_format(
    dest: str | None, dest_format: str | None, *, plaintext: bool, dry_run: bool = False
) -> str:
    """The format to write DEST in (``--to``, else guessed from the name), refusing a format
    cxkit cannot write and an unencrypted one without ``--plaintext``."""
    fmt = dest_format or (_guess_dest_format(dest) if dest else adapters.cxf_format())
    writer = adapters.get(fmt)
    if not writer.info.can(Capability.WRITE):
        raise InputError(f"cxkit cannot write {fmt}", hint="cxkit formats lists writers")
    if writer.info.plaintext and not plaintext and not dry_run:
        raise OutputError(
            f"{fmt} is not encrypted: every password, passkey private key and TOTP "
            "seed would lie in clear text in the output",
            location=dest,
            hint="pass --plaintext if you mean it (and delete the file after importing), or "
            "choose an encrypted format",
        )
    return fmt


def cmd_convert(args: argparse.Namespace) -> int:
    if not args.output and not args.dry_run:
        raise InputError("no DEST given", hint="add -o DEST (or --dry-run to only read and report)")
    dest_format = destination_format(
        args.output, args.dest_format, plaintext=args.plaintext, dry_run=args.dry_run
    )
    folder_dest = adapters.get(dest_format).info.can(Capability.FOLDER)
    if args.output and args.output != "-" and not args.dry_run:
        if folder_dest:  # a folder format (a password store): files are added, never replaced
            check_folder_output(args.output, inputs=[args.source])
        else:
            check_output(args.output, force=args.force, inputs=[args.source])
    if args.no_password and not args.keyfile:
        raise InputError("--no-password needs --keyfile FILE")
    keyfile, new_keyfile = _keyfile(args.keyfile), _keyfile(args.new_keyfile)
    data = read_source(args.source, args.max_size)
    if args.column_map and args.source_format not in (None, "csv"):
        raise InputError("--map is for --from csv (any CSV with a column map)")
    source_format = "csv" if args.column_map else args.source_format
    new_password, codes = dest_password(args, dest_format)
    report = MigrationReport()
    with Progress.for_terminal(report, quiet=args.quiet or args.json) as progress:
        conversion = adapters.convert(
            data,
            args.source,
            to=dest_format,
            source_format=source_format,
            read_options=ReadOptions(
                password=None if args.no_password else progress.wrap(_source_password(args)),
                keyfile=keyfile,
                max_size=args.max_size,
                include_trashed=args.include_trashed,
                extra={CsvMapOptions: CsvMapOptions(map=args.column_map or "")},
            ),
            write_options=WriteOptions(
                password=None if new_password is None else progress.wrap(new_password),
                keyfile=new_keyfile,
                on_recovery_code=codes.append,
                extra={
                    CsvWriteOptions: CsvWriteOptions(raw=args.csv_raw),
                    BitwardenWriteOptions: BitwardenWriteOptions(kdf=args.kdf),
                    PassStoreWriteOptions: PassStoreWriteOptions(
                        folder=None if args.output in (None, "-") else args.output,
                        recipients=tuple(args.recipient or ()),
                    ),
                },
            ),
            verify=not args.no_verify,
            dry_run=args.dry_run,
            report=report,
            progress=progress.update,
        )
    del data
    _refuse_nothing_read(report, args, sum(len(a.items) for a in conversion.document.accounts))
    report.destination = "" if args.dry_run else (args.output or "")
    if conversion.output is not None and args.output:
        detached = adapters.get(dest_format).info.can(Capability.DETACHED_ATTACHMENTS)
        if conversion.attachments and detached:
            write_attachments(
                args.output, args.attachments_out, conversion.attachments, force=args.force
            )
        if folder_dest:
            write_folder(args.output, conversion.output)
        else:
            write_output(args.output, conversion.output, force=args.force, inputs=[args.source])
        show_recovery_code(codes, args.output)
    if args.report:
        if args.report.lower().endswith((".html", ".htm")):  # the report as a page (#19)
            from cxkit.ui import render_report_html

            text = render_report_html(report.to_json())
        else:
            text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
        write_output(args.report, text.encode("utf-8"), force=args.force, inputs=[args.source])
    if args.json:
        out.print_json(report.to_json())
    elif not args.quiet:
        stream = sys.stderr if args.output == "-" else sys.stdout
        print(out.fit(report.render(), stream=stream), file=stream)
    return 1 if report.passkeys_failed() or report.totp_failed() else 0


def _refuse_nothing_read(report: MigrationReport, args: argparse.Namespace, items: int) -> None:
    """Nothing is written when not one item could be read and items were skipped (a file cut
    short, a damaged export, only trashed items without ``--include-trashed``): an empty DEST
    is not what the user asked for. A SOURCE holding no
    items at all is an empty export: it is written, with a warning in the report. A dry run
    writes nothing anyway and shows the report. *items*: how many the document read holds."""
    if items or args.dry_run:
        return
    skipped = report.items_skipped
    if not skipped:
        report.warnings.append(
            "the source holds no items: "
            + ("the output" if args.output in (None, "-") else args.output)
            + " holds an empty vault"
        )
        return
    title, reason = skipped[0]
    first = f"{title}: {reason}" if title.strip() else reason
    found = (
        "the only item found was skipped"
        if len(skipped) == 1
        else f"all {len(skipped):,} items found were skipped"
    )
    raise InputError(
        f"not one item could be read: {found} ({first}); nothing was written",
        location=args.source,
        hint="--dry-run shows every item and why it was skipped; a file cut short or damaged "
        "must be exported again",
    )


def write_attachments(
    dest: str, folder: str | None, attachments: dict[str, bytes], *, force: bool
) -> None:
    """CXF keeps attachment bytes outside the JSON: one 0600 file per ``File.id`` in *folder*
    (default ``DEST.attachments``)."""
    import re
    from pathlib import Path

    if folder is None:
        if dest == "-":
            raise OutputError("the source holds attachments; pass --attachments-out DIR with -o -")
        folder = dest + ".attachments"
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise OutputError("exists and is not a folder", location=folder)
    if path.is_dir() and any(path.iterdir()) and not force:
        raise OutputError(
            "the attachments folder is not empty",
            location=folder,
            hint="choose another --attachments-out, or pass --force",
        )
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder: {exc.strerror}", location=folder) from None
    for file_id, data in sorted(attachments.items()):
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", file_id):  # never a path from the source
            raise OutputError("an attachment id is not base64url", location=folder)
        write_output(str(path / file_id), data, force=force)
