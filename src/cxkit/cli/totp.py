"""``cxkit totp``: the one-time passwords of any file cxkit reads — ``list`` (issuer, account,
algorithm, digits, period; never the secret), ``verify`` (codes computed at fixed instants; with
``--against OTHER`` compared with a second file) and ``qr`` (each entry's ``otpauth://`` QR code
on the terminal, one at a time on request, or PNG files with ``--out DIR``).

The TOTP proof of ``cxkit convert`` (the destination read back gives the same codes as the
source at fixed instants) is :func:`cxkit.adapters.prove_totp`, run by ``adapters.convert``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Final

from cxkit import adapters, cxf
from cxkit.adapters import MigrationReport, ReadOptions
from cxkit.cli import _console as out
from cxkit.cli import _qr
from cxkit.cli._io import add_max_size, read_source
from cxkit.cli._secrets import add_secret_options, existing_secret
from cxkit.cli._sources import add_source_options, load_source
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, OutputError

__all__ = ["prove_output", "register"]

_WHAT: Final = (
    "FILE is a CXF file or any export cxkit reads (cxkit formats), detected or named with "
    "--from; an encrypted one asks for its password (--password-file/-env/-stdin)."
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "totp",
        help="list, verify or show as QR codes the one-time passwords of any export",
        description="Work with the TOTP credentials of a file. " + _WHAT,
    )
    actions = p.add_subparsers(dest="totp_action", metavar="ACTION", required=True)
    a = actions.add_parser(
        "list",
        help="one row per TOTP: item, issuer, account, algorithm, digits, period",
        description="List the TOTPs of FILE (never the secret). " + _WHAT,
    )
    _common(a)
    a.set_defaults(handler=cmd_list)
    v = actions.add_parser(
        "verify",
        help="compute every TOTP's codes at fixed instants (or compare with another file)",
        description=(
            "Compute the codes of every TOTP of FILE at six fixed instants (those of RFC 6238 "
            "appendix B): a TOTP whose parameters cxkit cannot use is named. With --against "
            "OTHER, every TOTP of FILE must give the same codes in OTHER (matched by codes, "
            "not by names); exit status 1 when one does not. " + _WHAT
        ),
    )
    _common(v)
    v.add_argument("--against", metavar="OTHER", help="a second file to compare the codes with")
    v.add_argument("--against-from", metavar="FORMAT", help="format of OTHER (default: detected)")
    add_secret_options(v, prefix="against-password", what="the password of an encrypted OTHER")
    v.set_defaults(handler=cmd_verify)
    q = actions.add_parser(
        "qr",
        help="show each TOTP as an otpauth:// QR code (terminal, or PNG files with --out)",
        description=(
            "Show the otpauth:// QR code of each TOTP on the terminal, one at a time (Enter for "
            "the next, q to stop), to scan into a phone; or write one PNG per TOTP into --out "
            "DIR (a new folder, mode 0700; files 0600). The secret is never printed as text. "
            + _WHAT
        ),
    )
    _common(q, json_flag=False)
    q.add_argument("--out", metavar="DIR", help="write PNG files into DIR instead")
    q.set_defaults(handler=cmd_qr, shows_on_terminal=True)


def _common(p: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    p.add_argument("file", metavar="FILE", help="the file to read (- for standard input)")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print the rows as JSON")
    add_source_options(p, what="FILE")
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)


def _totps(doc: cxf.Document) -> list[tuple[m.Item, m.Totp]]:
    return [(i, c) for _, i in doc.items() for c in i.credentials if isinstance(c, m.Totp)]


def _row(item: m.Item, totp: m.Totp) -> dict[str, Any]:
    return {"item": item.title, "issuer": totp.issuer or "", "account": totp.username or "",
            "algorithm": totp.algorithm, "digits": totp.digits, "period": totp.period}  # fmt: skip


def cmd_list(args: argparse.Namespace) -> int:
    doc, _, _ = load_source(args.file, args, max_size=args.max_size)
    rows = [_row(i, t) for i, t in _totps(doc)]
    if args.json:
        out.print_json({"totp": rows, "total": len(rows)})
        return 0
    header = ["item", "issuer", "account", "algorithm", "digits", "period"]
    if rows:
        print(
            out.table(
                [[str(r[h]) for h in header] for r in rows], header, max_width=out.term_width()
            )
        )
    print(out.plural(len(rows), "TOTP"))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from cxkit.totp import INSTANTS, credential_codes, prove, totp_problem

    doc, _, _ = load_source(args.file, args, max_size=args.max_size)
    totps = _totps(doc)
    rows = []
    for item, totp in totps:
        problem = totp_problem(totp)
        codes = None if problem else credential_codes(totp)
        rows.append({**_row(item, totp), "ok": codes is not None, "why": problem})
    usable = sum(1 for r in rows if r["ok"])
    result: dict[str, Any] = {"totp": rows, "total": len(rows), "usable": usable,
                              "instants": list(INSTANTS)}  # fmt: skip
    failed = len(rows) - usable
    if args.against:
        other = _load_other(args)
        proof = prove(doc, other)
        result["against"] = {"file": args.against, **proof.to_json()}
        failed += len(proof.unmatched)
    if args.json:
        out.print_json(result)
        return 1 if failed else 0
    for r in rows:
        state = "codes computed" if r["ok"] else f"NOT USABLE: {r['why']}"
        print(f"{r['item']}: {r['issuer']} {r['account']} ({r['algorithm']}/{r['digits']}/"
              f"{r['period']} s): {state}")  # fmt: skip
    print(f"{out.plural(len(rows), 'TOTP')}: {usable} give codes at {len(INSTANTS)} fixed "
          f"instants, {len(rows) - usable} cannot be used")  # fmt: skip
    if args.against:
        a = result["against"]
        print(f"against {args.against}: {a['checked']} compared, {a['matched']} give the same "
              f"codes, {a['failed']} different")  # fmt: skip
        for f in a["failures"]:
            print(f"  DIFFERENT: {f['item']}: {f['why']}")
    return 1 if failed else 0


def _load_other(args: argparse.Namespace) -> cxf.Document:
    name = args.against
    data = read_source(name, args.max_size)

    def password(prompt: str) -> str:
        return existing_secret(args, prompt, prefix="against-password", noun="password")

    try:
        doc, _ = adapters.read(data, name, source_format=args.against_from,
                               options=ReadOptions(password=password, max_size=args.max_size))  # fmt: skip
    except CxkitError as exc:
        if not (exc.location or "").startswith(name):
            exc.location = f"{name}: {exc.location}" if exc.location else name
        raise
    return doc


def _uri(totp: m.Totp) -> str:
    from cxkit.adapters.otp.entry import Entry, entry_uri

    steam = totp.algorithm.lower() == "steam"
    return entry_uri(
        Entry(
            secret=totp.secret,
            kind="steam" if steam else "totp",
            issuer=totp.issuer or "",
            account=totp.username or "",
            algorithm="sha1" if steam else totp.algorithm,
            digits=totp.digits,
            period=totp.period,
        )
    )


def cmd_qr(args: argparse.Namespace) -> int:
    from cxkit.adapters.otp.gaqr import qr_image
    from cxkit.totp import totp_problem

    doc, _, _ = load_source(args.file, args, max_size=args.max_size)
    totps = [(i, t) for i, t in _totps(doc) if not totp_problem(t)]
    if not totps:
        if not args.quiet:
            print("no TOTP to show")
        return 0
    if args.out:
        folder = Path(args.out)
        if folder.exists():
            raise OutputError("exists already; choose a new folder", location=args.out)
        try:
            folder.mkdir(mode=0o700, parents=False)
        except OSError as exc:
            raise OutputError(
                f"cannot make the folder: {exc.strerror}", location=args.out
            ) from None
        for number, (item, totp) in enumerate(totps, start=1):
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in item.title)[:40]
            path = folder / f"{number:03d}-{safe or 'totp'}.png"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                qr_image(_uri(totp), scale=8).save(fh, format="PNG")
        if not args.quiet:
            print(f"{out.plural(len(totps), 'QR code')} written to {args.out} (they hold the "
                  "secrets: delete them after scanning)")  # fmt: skip
        return 0
    if not sys.stdout.isatty():
        raise OutputError(
            "QR codes are shown on a terminal only", location="standard output",
            hint="run it in a terminal, or write PNG files with --out DIR",
        )  # fmt: skip
    for number, (item, totp) in enumerate(totps, start=1):
        label = f"{item.title} ({totp.issuer or ''} {totp.username or ''})".strip()
        answer = input(f"[{number}/{len(totps)}] {label}: Enter shows its QR code, q stops: ")
        if answer.strip().lower() == "q":
            break
        # a clean screen: the code (23 lines for a usual otpauth URI) and one prompt line fit
        # in 80 x 24
        print("\x1b[2J\x1b[H", end="")
        print(_qr.render(_uri(totp), color=out.use_color()))
        input("Enter hides it: ")
        print("\x1b[2J\x1b[H", end="", flush=True)  # clear the screen: the code held a secret
    return 0


# =========================================================================== the convert proof


def prove_output(
    source: cxf.Document,
    output: bytes | None,
    skipped: str,
    dest_format: str,
    name: str,
    report: MigrationReport,
    *,
    password: str | None,
    keyfile: bytes | None,
) -> None:
    """The TOTP proof of a conversion, now in the library (:func:`cxkit.adapters.prove_totp`,
    which :func:`cxkit.adapters.convert` runs); kept for callers of the old name."""
    if output is None and not skipped:
        skipped = "nothing was written (--dry-run)"
    adapters.prove_totp(source, output or b"", dest_format, report, skipped=skipped,
                        password=password, keyfile=keyfile)  # fmt: skip
