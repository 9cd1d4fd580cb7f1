"""Passkey commands: ``passkeys list`` and ``passkeys verify`` (CXF 1.0 §3.3.12; cxf.md §5).

Both check every passkey of a CXF file with :func:`cxkit.passkey.check_document` (a WebAuthn
assertion signed with the passkey's key and verified as a relying party with ``fido2``) and
print one row per passkey; ``list`` shows the public-key fingerprint, ``verify`` the result.
Secrets (key bytes, user handles) are never printed. Exit status: 0 every passkey verified,
1 at least one failed, 2 the file could not be read.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, Final

from cxkit import cxf
from cxkit.cli import _console as out
from cxkit.cli._io import add_max_size
from cxkit.cli._sources import add_source_options, load_source
from cxkit.passkey import PasskeyReport, check_document, count_passkeys

if TYPE_CHECKING:
    from cxkit.adapters.report import MigrationReport

PROGRESS_EVERY: Final = 1_000
_MAX_CELL: Final = 60
_EXIT_OK, _EXIT_FAILED = 0, 1

_WHAT: Final = (
    "Each passkey is checked by signing a fresh WebAuthn assertion with its private key and "
    "verifying it as the relying party would (Yubico fido2): rpIdHash, origin, flags and "
    "signature, plus the CXF member rules (credentialId 1-1023 bytes, userHandle 1-64 bytes, "
    "rpId a valid RP ID). A passkey the CXF decoder had to ignore (a required member missing or "
    "unusable) is reported as failed. A passkey an export only names, without its private key "
    "(1Password 1PUX, Enpass and Keeper list some), cannot be checked nor carried: those are "
    "listed after the table by site and account, to create a new passkey there after importing. "
    "Key bytes and user handles are never printed. "
    "Exit status: 0 every passkey verified, 1 at least one failed, 2 the file could not be read."
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "passkeys",
        help="list or verify the passkeys of a CXF file or any export cxkit reads",
        description=(
            "Work with the passkeys of a CXF file: 'list' shows them with their public-key "
            "fingerprints, 'verify' proves each one can still sign in. " + _WHAT
        ),
    )
    actions = p.add_subparsers(dest="passkeys_action", metavar="ACTION", required=True)

    a = actions.add_parser(
        "list",
        help="one row per passkey with its public-key fingerprint",
        description=(
            "List the passkeys of a CXF file: account, item title, rpId, username, algorithm "
            "and the SHA-256 fingerprint of the public key (safe to share; it identifies the "
            "public key only). " + _WHAT
        ),
    )
    _common(a)
    a.set_defaults(handler=cmd_list)

    v = actions.add_parser(
        "verify",
        help="prove each passkey can still sign in",
        description=(
            "Verify the passkeys of a CXF file: one row per passkey with 'verified' or "
            "'FAILED: <codes>', the reasons below the table (codes: docs/passkeys.md), and a "
            "summary line 'N passkeys: N verified, N failed'. " + _WHAT
        ),
    )
    _common(v)
    v.set_defaults(handler=cmd_verify)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        metavar="FILE",
        help="a CXF file or any export cxkit reads (cxkit formats); - reads standard input",
    )
    p.add_argument("--json", action="store_true", help="print the rows and the summary as JSON")
    add_source_options(p, what="FILE")
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)


# --------------------------------------------------------------------------- running the checks


def _check(args: argparse.Namespace, read: MigrationReport) -> list[PasskeyReport]:
    """Every passkey checked; on a terminal with many passkeys, a progress bar
    (``checked 2,000/10,000 passkeys``) redrawn every :data:`PROGRESS_EVERY` passkeys. The
    reader's report lands in *read* (the passkeys the source names without a private key)."""
    from cxkit.cli._progress import Progress

    with Progress.for_terminal(quiet=getattr(args, "json", False)) as progress:
        doc, _, _ = load_source(
            args.file, args, max_size=args.max_size, progress=progress, report=read
        )
        total = count_passkeys(doc)
        if not progress.enabled or total < PROGRESS_EVERY:
            progress.enabled = False
            return check_document(doc)

        def each(done: int, total: int) -> None:
            progress.count("checked", done, total, "passkeys")
            if done % PROGRESS_EVERY == 0 and done < total:
                progress.tick()

        progress.count("checked", 0, total, "passkeys")
        return check_document(doc, progress=each)


def summary_line(reports: list[PasskeyReport]) -> str:
    """``N passkeys: N verified, N failed``."""
    failed = sum(1 for r in reports if not r.ok)
    return (
        f"{out.plural(len(reports), 'passkey')}: {len(reports) - failed} verified, {failed} failed"
    )


def result_text(report: PasskeyReport) -> str:
    """``verified``, ``verified (warning: <codes>)`` or ``FAILED: <codes>``."""
    codes = ", ".join(dict.fromkeys(report.codes))
    if not report.ok:
        return f"FAILED: {codes}"
    return f"verified (warning: {codes})" if codes else "verified"


def _algorithm(report: PasskeyReport) -> str | None:
    return report.algorithm.name if report.algorithm is not None else None


def as_json(report: PasskeyReport) -> dict[str, Any]:
    """The row of one passkey for ``--json`` (no key bytes, no user handle)."""
    check = report.check
    return {
        "account": report.account_name,
        "item": report.item_title,
        "path": report.path,
        "credential_index": report.credential_index,
        "rp_id": report.rp_id,
        "username": report.username,
        "algorithm": _algorithm(report),
        "fingerprint": check.public_key_fingerprint,
        "result": "verified" if report.ok else "failed",
        "findings": [
            {"severity": f.severity, "code": f.code, "message": f.message} for f in check.findings
        ],
    }


# --------------------------------------------------------------------------- printing


def _cell(text: str | None) -> str:
    """Printable, bounded table text: control and format characters (terminal escapes, bidi
    overrides) are shown escaped; long values are cut."""
    if text is None:
        return "-"
    safe = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    return safe if len(safe) <= _MAX_CELL else safe[: _MAX_CELL - 1] + "…"


def named_line(read: MigrationReport) -> str | None:
    """``the file names N passkeys whose private keys it does not hold: ...`` (the passkeys
    *read* lists to re-create), or None."""
    lost = read.passkeys_to_recreate
    if not lost:
        return None
    return (
        f"the file names {out.plural(len(lost), 'passkey')} whose private "
        f"{'key it does' if len(lost) == 1 else 'keys it does'} not hold: "
        f"{'it' if len(lost) == 1 else 'they'} cannot be checked nor carried; create a new "
        "passkey there after importing"
    )


def _print(
    args: argparse.Namespace, reports: list[PasskeyReport], last: str, read: MigrationReport
) -> int:
    line = summary_line(reports)
    failed = any(not r.ok for r in reports)
    lost = read.passkeys_to_recreate
    if args.json:
        verified = sum(1 for r in reports if r.ok)
        out.print_json(
            {
                "file": args.file,
                "passkeys": [as_json(r) for r in reports],
                "to_recreate": list(lost),
                "summary": {
                    "passkeys": len(reports),
                    "verified": verified,
                    "failed": len(reports) - verified,
                    "line": line,
                },
            }
        )
        return _EXIT_FAILED if failed else _EXIT_OK
    if not reports:
        print(f"{args.file}: no passkeys" + (" with their private keys" if lost else ""))
    else:
        rows = []
        for r in reports:
            label = r.algorithm.label if r.algorithm is not None else None
            final = (
                (r.check.public_key_fingerprint or "-") if last == "fingerprint" else result_text(r)
            )
            rows.append(
                [
                    _cell(r.account_name),
                    _cell(r.item_title),
                    _cell(r.rp_id),
                    _cell(r.username),
                    label or "-",
                    final,
                ]
            )
        header = ["account", "item", "rpId", "username", "algorithm", last]
        print(out.table(rows, header=header))  # not cut: fingerprints are compared by eye
        noted = [r for r in reports if r.check.findings]
        if noted:
            print()
            print("findings:")
            for r in noted:
                for f in r.check.findings:
                    print(f"  {r.path}: {f.severity}: {_cell_message(f.message)} [{f.code}]")
    print(line)
    named = named_line(read)
    if named is not None:  # the list convert ends with (the reader's report), not a second one
        print(named)
        for text in read.recreate_lines(limit=len(lost)):
            print(_cell_message(text))
    return _EXIT_FAILED if failed else _EXIT_OK


def _cell_message(text: str) -> str:
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def cmd_list(args: argparse.Namespace) -> int:
    from cxkit.adapters.report import MigrationReport

    read = MigrationReport()
    return _print(args, _check(args, read), "fingerprint", read)


def cmd_verify(args: argparse.Namespace) -> int:
    from cxkit.adapters.report import MigrationReport

    read = MigrationReport()
    return _print(args, _check(args, read), "result", read)
