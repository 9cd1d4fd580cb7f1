"""``cxkit diff`` and ``cxkit merge``: prove a migration end to end (issue #16).

``diff OLD NEW`` reads two files in any formats cxkit reads and says what of OLD did not arrive in
NEW — items and fields, never values. What NEW's format can hold is learnt by writing OLD with
NEW's writer and reading it back (or, for a format cxkit only reads, from the credential types it
declares); differences it cannot hold are listed apart from real losses. Exit status: 0 NEW holds
everything of OLD its format can hold; 1 something was lost; 2 a file cannot be read.

``merge SOURCE... -o DEST`` merges several exports into one vault: identical items once, a TOTP
or passkey attached to the one login of its site and account, conflicting values kept side by
side and named. ``--into EXISTING`` merges into a KeePass database or CXF file, atomically, with
a backup of the previous file (``EXISTING.bak``, numbered if taken); ``--dry-run`` shows what
would change and writes nothing. Exit status: 0 written; 1 written but a passkey failed
verification; 2 nothing written.

A SOURCE is a file name, optionally followed by ``:FORMAT`` when detection cannot tell
(``export.csv:chrome-csv``). Passwords of encrypted sources are asked on a terminal (or all
read from ``--password-file/-env``); an encrypted DEST asks for its new password
(``--new-password-file/-env``); ``--into`` an encrypted database keeps its password and key file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from cxkit import adapters, cxf
from cxkit.adapters import Capability, MigrationReport, ReadOptions, WriteOptions
from cxkit.cli import _console as out
from cxkit.cli._io import add_max_size, check_output, read_input, read_source, write_output
from cxkit.cli._progress import Progress
from cxkit.cli._secrets import add_secret_options, existing_secret, safe_text
from cxkit.errors import CxkitError, InputError, OutputError

MAX_KEYFILE_SIZE = 64 << 20


def register(sub: Any) -> None:
    p = sub.add_parser(
        "diff",
        help="what of OLD did not arrive in NEW (any two formats; exit 1 when something was lost)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("old", metavar="OLD[:FORMAT]", help="the vault before (e.g. the old export)")
    p.add_argument("new", metavar="NEW[:FORMAT]", help="the vault after (the new app's export)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    _common(p)
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser(
        "merge",
        help="merge several exports into one vault (TOTP and passkeys onto their logins)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE[:FORMAT]", help="exports to merge")
    p.add_argument("-o", "--output", metavar="DEST", help="the vault to write")
    p.add_argument("--to", dest="dest_format", metavar="FORMAT", help="format of DEST")
    p.add_argument(
        "--into",
        metavar="EXISTING",
        help="merge into this KeePass database or CXF file (rewritten atomically; the previous "
        "file is kept as EXISTING.bak)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.add_argument(
        "--plaintext", action="store_true", help="allow an unencrypted DEST (CXF JSON, CSV, ...)"
    )
    p.add_argument("--no-verify", action="store_true", help="do not verify passkeys")
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
    p.add_argument("--json", action="store_true", help="print the merge report as JSON")
    add_secret_options(p, prefix="new-password", what="the DEST password", stdin=False)
    _common(p)
    p.set_defaults(handler=cmd_merge)


def _common(p: argparse.ArgumentParser) -> None:
    add_secret_options(p, prefix="password", what="the password of the encrypted inputs")
    p.add_argument("--keyfile", metavar="FILE", help="key file of a KeePass input")
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)


def split_spec(spec: str) -> tuple[str, str | None]:
    """``file`` or ``file:FORMAT`` (only when FORMAT is a format key and ``file:FORMAT`` is not
    itself an existing file)."""
    name, sep, fmt = spec.rpartition(":")
    if sep and name and fmt in adapters.adapters() and not Path(spec).exists():
        return name, fmt
    return spec, None


class Loaded:
    """One input read: its document, attachment bytes, format and the password it opened with,
    and the passkeys it names without their private keys (its reader's report)."""

    def __init__(
        self,
        name: str,
        doc: cxf.Document,
        fmt: str,
        attachments: dict[str, bytes],
        password: str | None,
        keyfile: bytes | None,
        not_held: list[dict[str, str]] | None = None,
    ) -> None:
        self.name, self.doc, self.fmt = name, doc, fmt
        self.attachments, self.password, self.keyfile = attachments, password, keyfile
        self.not_held = not_held or []


def load(spec: str, args: argparse.Namespace, progress: Progress | None = None) -> Loaded:
    """Read one input as ``convert`` does: detected (or ``:FORMAT``), its password asked
    (with *progress*: its items counted on the line, hidden while a password is asked)."""
    name, fmt = split_spec(spec)
    data = read_source(name, args.max_size)
    used: list[str] = []
    keyfile = None if not args.keyfile else read_input(args.keyfile, MAX_KEYFILE_SIZE)

    def password(prompt: str) -> str:
        secret = existing_secret(args, f"{prompt} ({name})", prefix="password", noun="password")
        used.append(secret)
        return secret

    report = MigrationReport()
    if progress is not None:
        progress.report = report
        progress.update("read")
    ask = password if progress is None else progress.wrap(password)
    try:
        options = ReadOptions(password=ask, max_size=args.max_size, keyfile=keyfile)
        doc, report = adapters.read(data, name, source_format=fmt, options=options, report=report)
    except CxkitError as exc:
        if not (exc.location or "").startswith(name):
            exc.location = f"{name}: {exc.location}" if exc.location else name
        raise
    return Loaded(
        name,
        doc,
        report.source_format or fmt or "",
        dict(options.attachments),
        used[-1] if used else None,
        keyfile,
        report.passkeys_to_recreate,
    )


# --------------------------------------------------------------------------- diff


def cmd_diff(args: argparse.Namespace) -> int:
    from cxkit import compare

    with Progress.for_terminal(quiet=args.json) as progress:
        old, new = load(args.old, args, progress), load(args.new, args, progress)
        progress.step(f"comparing (a round trip through {new.fmt})")
        held, holds = compare.held_by_format(old.doc, new.fmt, old.attachments)
        basis = f"{'round trip through' if held is not None else 'declared by'} {new.fmt}"
        result = compare.diff(old.doc, new.doc, held=held, holds=holds, basis=basis)
    if args.json:
        out.print_json(
            {
                "old": old.name,
                "new": new.name,
                "old_format": old.fmt,
                "new_format": new.fmt,
                **result.to_json(),
            }
        )
    else:
        print(f"{old.name} ({old.fmt}) → {new.name} ({new.fmt})")
        print(result.render(), end="")
    return 1 if result.lost else 0


# --------------------------------------------------------------------------- merge


def _backup_name(path: Path) -> Path:
    candidate = path.with_name(path.name + ".bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak.{n}")
        n += 1
    return candidate


def cmd_merge(args: argparse.Namespace) -> int:
    from cxkit import compare

    if args.into and args.output:
        raise InputError("give either -o DEST or --into EXISTING, not both")
    if not (args.into or args.output or args.dry_run):
        raise InputError("no DEST given", hint="add -o DEST, --into EXISTING or --dry-run")
    names = [split_spec(s)[0] for s in args.sources]
    with Progress.for_terminal(quiet=args.json) as progress:
        return _merge(args, names, progress, compare)


def _merge(args: argparse.Namespace, names: list[str], progress: Progress, compare: Any) -> int:
    from cxkit.cli.commands.convert import dest_password, destination_format, show_recovery_code

    existing: Loaded | None = None
    if args.into:
        existing = load(args.into, args, progress)
        fmt = destination_format(
            args.into, existing.fmt, plaintext=args.plaintext, dry_run=args.dry_run
        )
        if not adapters.get(fmt).info.can(Capability.READ):
            raise InputError(f"cxkit cannot merge into {fmt}")
    else:
        fmt = destination_format(
            args.output, args.dest_format, plaintext=args.plaintext, dry_run=args.dry_run
        )
        if args.output and not args.dry_run:
            check_output(args.output, force=args.force, inputs=names)
    loaded = [load(s, args, progress) for s in args.sources]
    inputs = ([existing] if existing is not None else []) + loaded
    progress.step("merging")
    result = compare.merge([(x.name, x.doc) for x in inputs])
    report = MigrationReport(dry_run=args.dry_run)
    for x in inputs:  # the passkeys the sources name without a key: the list convert ends with
        report.passkeys_to_recreate.extend(x.not_held)
    progress.report = report
    if not args.no_verify:
        adapters.verify_passkeys(result.document, report, progress=progress.update)
    attachments: dict[str, bytes] = {}
    for x in inputs:
        attachments.update(x.attachments)
    output = None
    dest = args.into or args.output
    codes: list[str] = []  # a sealed DEST without a new password: its generated recovery code
    if dest and not args.dry_run:
        if existing is not None and existing.password is not None:
            kept = existing.password

            def password(_prompt: str) -> str:
                return kept

            source: adapters.PasswordSource | None = password
        else:
            source, codes = dest_password(args, fmt)
        progress.step(f"writing {fmt}")
        output, _ = adapters.write(
            result.document,
            fmt,
            options=WriteOptions(
                password=None if source is None else progress.wrap(source),
                attachments=attachments,
                keyfile=existing.keyfile if existing is not None else None,
                on_recovery_code=codes.append,
            ),
            report=report,
        )
    failed = report.passkeys_failed()
    progress.enabled = False
    progress.clear()  # the results follow
    if args.json:
        out.print_json(
            {
                **result.to_json(),
                "format": fmt,
                "destination": dest or None,
                "dry_run": args.dry_run,
                "passkeys_failed": failed,
                "passkeys_to_recreate": report.passkeys_to_recreate,
            }
        )
    else:
        print(result.render(), end="")
        for line in report.recreate_lines(limit=len(report.passkeys_to_recreate)):
            print(safe_text(line, 500))
        if failed:
            print(f"{failed} passkeys failed verification")
    if args.dry_run or output is None or not dest:
        if args.dry_run and not args.json:
            print("dry run: nothing written")
        return 1 if failed else 0
    if args.into:
        path = Path(args.into)
        backup = _backup_name(path)
        try:
            shutil.copy2(path, backup)
            os.chmod(backup, 0o600)
        except OSError as exc:
            raise OutputError(
                f"cannot keep a backup: {exc.strerror}",
                location=str(backup),
                hint="nothing was changed",
            ) from None
        write_output(args.into, output, force=True)
        out.err(f"merged into {args.into} (previous file kept as {backup})")
    else:
        write_output(args.output, output, force=args.force, inputs=names)
        show_recovery_code(codes, args.output)
    sys.stdout.flush()
    return 1 if failed else 0
