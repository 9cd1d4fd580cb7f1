"""CXF file commands: ``validate``, ``inspect``, ``fmt``, ``schema`` (CXF 1.0, spec §2–§7)."""

from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path
from typing import Any

from cxkit import cxf
from cxkit.cli import _console as out
from cxkit.cli._io import add_max_size, load_cxf, read_input, read_source, write_output
from cxkit.cli._sources import add_source_options, load_source
from cxkit.cxf import model as m
from cxkit.cxf.findings import SUMMARY_PER_CODE, Severity
from cxkit.cxf.findings import summarize as summarize_findings
from cxkit.errors import CxkitError, InputError

_LEVELS = {"error": 0, "warning": 1, "info": 2}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="check CXF files, or the CXF any export maps to, against the specification",
        description=(
            "Decode each CXF file and run every check of the CXF 1.0 checklist. Prints one line per "
            "finding: severity, JSON path, message and code (codes: docs/findings.md). "
            "Exit status: 0 no error-level findings, 1 error-level findings, 2 a file could not be read."
        ),
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="CXF JSON file(s), or any export cxkit reads (validated as the CXF it maps to); "
        "- reads standard input",
    )
    add_source_options(p, what="FILE")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument(
        "--attachments",
        metavar="DIR",
        help="also check the attachments: DIR holds one file per 'file' credential, named by its "
        "File.id (or its name); size and SHA-256 are compared with decryptedSize and integrityHash",
    )
    p.add_argument(
        "--level",
        choices=tuple(_LEVELS),
        default="info",
        help="lowest severity to print (default: info, i.e. everything)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help=f"print every finding (default: the first {SUMMARY_PER_CODE} of each code, then a "
        "count; --json always lists all)",
    )
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser(
        "inspect",
        help="summarise a CXF file or any export cxkit reads (secrets masked)",
        description=(
            "Show what a CXF file holds: exporter, accounts, items, credentials by type, collections, "
            "extensions and anything cxkit does not know. Secret values are masked unless --reveal."
        ),
    )
    p.add_argument(
        "file", metavar="FILE", help="a CXF file, or any export cxkit reads (a sealed archive too)"
    )
    add_source_options(p, what="FILE")
    p.add_argument("--items", action="store_true", help="also list every item")
    p.add_argument(
        "--reveal",
        action="store_true",
        help="show secret values in the item list (careful: on screen)",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)
    p.set_defaults(handler=cmd_inspect)

    p = sub.add_parser(
        "fmt",
        help="re-encode a CXF file (lossless, or --normalize)",
        description=(
            "Decode and re-encode a CXF file. By default the output holds every member and value of "
            "the input, unknown ones included. --normalize writes the strict canonical form of spec "
            "§7.6 (unpadded base64url, no nulls, known values in canonical spelling); what cxkit does "
            "not understand is still kept. The output is written atomically with mode 0600."
        ),
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="output file (- for standard output)"
    )
    p.add_argument("--normalize", action="store_true", help="write the strict canonical form")
    p.add_argument("--indent", action="store_true", help="indent the JSON for people")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)
    p.set_defaults(handler=cmd_fmt)

    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of CXF 1.0",
        description="Write a JSON Schema (draft 2020-12) of CXF 1.0 generated from cxkit's model: the producer's view (closed objects, prescribed fieldTypes, no nulls).",
    )
    p.add_argument(
        "-o", "--output", default="-", metavar="OUT", help="output file (default: standard output)"
    )
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(handler=cmd_schema)


# --------------------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> int:
    worst = 0
    reports: list[dict[str, Any]] = []
    limit = _LEVELS[args.level]
    for name in args.files:
        try:
            doc, fmt = load_any(name, args)
        except CxkitError as exc:
            worst = 2
            reports.append({"file": name, "readable": False, "error": str(exc), "hint": exc.hint})
            if not args.json:
                out.must(f"{name}: cannot read: {exc.diagnostics()}")  # an error: even -q
            continue
        attachments = None if args.attachments is None else _attachment_bytes(doc, args.attachments)
        findings = cxf.validate(doc, attachments=attachments)
        counts = out.severity_counts(findings)
        if counts["error"] and worst < 1:
            worst = 1
        reports.append(
            {
                "file": name,
                "format": fmt,
                "readable": True,
                "valid": counts["error"] == 0,
                "counts": counts,
                "findings": [f.as_json() for f in findings],
            }
        )
        if not args.json:
            verdict = (
                out.style("valid", "green")
                if counts["error"] == 0
                else out.style("INVALID", "red", "bold")
            )
            print(
                f"{name}: {verdict} — {out.plural(counts['error'], 'error')}, "
                f"{out.plural(counts['warning'], 'warning')}, {counts['info']} info"
            )
            shown = [f for f in findings if _LEVELS[str(f.severity)] <= limit]
            left: dict[str, int] = {}
            if not args.all:
                shown, left = summarize_findings(shown)
            for f in shown:
                print(f"  {f.severity:<7} {f.path}: {f.message} [{f.code}]")
            for code, n in left.items():
                print(f"  … {out.plural(n, 'more finding')} [{code}] (--all lists them)")
    if args.json:
        out.print_json(reports if len(reports) != 1 else reports[0])
    return worst


def _attachment_bytes(doc: cxf.Document, folder: str) -> dict[str, bytes]:
    """The bytes found in *folder* for each file credential (by File.id, else by its plain file
    name); what is missing or differs is for the validator to report."""
    base = Path(folder)
    if not base.is_dir():
        raise InputError("not a folder", location=folder)
    found: dict[str, bytes] = {}
    for _, item in doc.items():
        for c in item.credentials:
            if not isinstance(c, m.File):
                continue
            for name in (c.id, c.name):
                if name and _PLAIN_NAME.fullmatch(name) and (base / name).is_file():
                    found[c.id] = read_input(str(base / name), max(c.decrypted_size, 0) + 1)
                    break
    return found


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-][A-Za-z0-9 _.()-]{0,254}")


# --------------------------------------------------------------------------- inspect


def summarize(doc: cxf.Document, findings: list[cxf.Finding]) -> dict[str, Any]:
    """Counts and names, never secret values."""
    header = doc.header
    by_type: collections.Counter[str] = collections.Counter()
    unknown_types: collections.Counter[str] = collections.Counter()
    extensions: collections.Counter[str] = collections.Counter()
    unknown_members = 0
    accounts = []
    for account in header.accounts:
        n_credentials = 0
        for item in account.items:
            for ext in item.extensions:
                extensions[_extension_name(ext)] += 1
            for credential in item.credentials:
                n_credentials += 1
                if isinstance(credential, m.UnknownCredential):
                    label = credential.credential_type or "(no type)"
                    if credential.reason == "invalid":
                        label += " (unreadable)"
                    unknown_types[label] += 1
                else:
                    by_type[credential.__struct_config__.tag] += 1  # type: ignore[index]
        for ext in account.extensions:
            extensions[_extension_name(ext)] += 1
        collections_count, depth = _collections(account.collections, extensions)
        accounts.append(
            {
                "username": account.username,
                "email": account.email,
                "items": len(account.items),
                "credentials": n_credentials,
                "collections": collections_count,
                "collection_depth": depth,
            }
        )
    unknown_members = sum(1 for f in findings if f.code == "member.unknown")
    timestamp = None
    if not doc.account_root and header.timestamp:
        timestamp = cxf.format_utc(
            header.timestamp, "%Y-%m-%d %H:%M:%S UTC", out_of_range=f"{header.timestamp} (no date)"
        )
    return {
        "root": "Account" if doc.account_root else "Header",
        "version": None if doc.account_root else f"{header.version.major}.{header.version.minor}",
        "exporter": None
        if doc.account_root
        else {"name": header.exporter_display_name, "rp_id": header.exporter_rp_id},
        "exported_at": timestamp,
        "accounts": accounts,
        "credentials_by_type": dict(sorted(by_type.items())),
        "unknown_credential_types": dict(sorted(unknown_types.items())),
        "extensions": dict(sorted(extensions.items())),
        "unknown_members": unknown_members,
        "findings": out.severity_counts(findings),
    }


def _extension_name(ext: m.Extension) -> str:
    return ext.extension_name if isinstance(ext, m.UnknownExtension) else "shared"


def _collections(
    cols: tuple[m.Collection, ...], extensions: collections.Counter[str], level: int = 1
) -> tuple[int, int]:
    count, depth = 0, level - 1 if not cols else level
    for c in cols:
        count += 1
        for ext in c.extensions:
            extensions[_extension_name(ext)] += 1
        sub_count, sub_depth = _collections(c.sub_collections, extensions, level + 1)
        count += sub_count
        depth = max(depth, sub_depth)
    return count, depth


def item_rows(doc: cxf.Document, reveal: bool) -> list[dict[str, str]]:
    rows = []
    for account, item in doc.items():
        user, secret, urls = "", None, ""
        types = []
        for c in item.credentials:
            types.append(cxf.credential_type(c))
            if isinstance(c, m.BasicAuth):
                user = user or (c.username.value if c.username else "")
                secret = secret or (c.password.value if c.password else None)
            elif isinstance(c, m.Passkey):
                user = user or c.username
        if item.scope is not None:
            urls = " ".join(item.scope.urls)
        rows.append(
            {
                "account": account.username,
                "title": item.title,
                "types": ",".join(types),
                "username": user,
                "password": out.mask(secret, reveal),
                "urls": urls,
            }
        )
    return rows


def load_any(name: str, args: argparse.Namespace) -> tuple[cxf.Document, str]:
    """The CXF document of *name*: a CXF file as it is (its own decode errors, with JSON
    paths), any other export cxkit reads — a sealed archive included — as its reader maps it
    (detected, or ``--from``)."""
    if args.source_format is None or args.source_format == "cxf-json":
        try:
            return load_cxf(name, args.max_size), "cxf-json"
        except CxkitError:
            if (
                args.source_format is not None
                or name == "-"
                or _detected(name, args)
                in (
                    None,
                    "cxf-json",
                )
            ):
                raise
    doc, _, fmt = load_source(name, args, max_size=args.max_size)
    return doc, fmt


def _detected(name: str, args: argparse.Namespace) -> str | None:
    from cxkit import adapters

    try:
        data = read_source(name, args.max_size)
        sample = (
            adapters.make_sample(data, name)
            if isinstance(data, bytes)
            else adapters.make_folder_sample(data, name)
        )
        key: str = adapters.detect(sample).adapter.info.key
        return key
    except CxkitError:
        return None


def cmd_inspect(args: argparse.Namespace) -> int:
    doc, fmt = load_any(args.file, args)
    findings = cxf.validate(doc)
    summary = summarize(doc, findings)
    if args.items:
        summary["items"] = item_rows(doc, args.reveal)
    if args.json:
        out.print_json({"file": args.file, "format": fmt, **summary})
        return 0
    print(f"file:        {args.file}")
    if fmt != "cxf-json":
        print(f"format:      {fmt} (shown as the CXF document cxkit maps it to)")
    if doc.account_root:
        print("root:        Account (no Header: as Apple and Bitwarden flows write it)")
    else:
        exporter = summary["exporter"]
        print(f"root:        Header, CXF {summary['version']}")
        print(f"exporter:    {exporter['name']} ({exporter['rp_id']})")
        print(f"exported:    {summary['exported_at'] or '(no timestamp)'}")
    print(f"accounts:    {len(summary['accounts'])}")
    for a in summary["accounts"]:
        depth = f", nested {a['collection_depth']} deep" if a["collection_depth"] > 1 else ""
        print(
            f"  {a['username'] or '(no username)'} <{a['email']}>: {out.plural(a['items'], 'item')}, "
            f"{out.plural(a['credentials'], 'credential')}, {out.plural(a['collections'], 'collection')}{depth}"
        )
    print("credentials by type:")
    rows = [[t, str(n)] for t, n in summary["credentials_by_type"].items()]
    rows += [
        [f"{t} (unknown type, kept)", str(n)]
        for t, n in summary["unknown_credential_types"].items()
    ]
    print("\n".join("  " + line for line in out.table(rows).splitlines()) or "  (none)")
    if summary["extensions"]:
        print("extensions:  " + ", ".join(f"{k} ×{v}" for k, v in summary["extensions"].items()))
    print(f"unknown members kept: {summary['unknown_members']}")
    c = summary["findings"]
    print(
        f"findings:    {out.plural(c['error'], 'error')}, {out.plural(c['warning'], 'warning')}, "
        f"{c['info']} info (details: cxkit validate {args.file})"
    )
    if args.items:
        print()
        print(
            out.table(
                [
                    [r["account"], r["title"], r["types"], r["username"], r["password"], r["urls"]]
                    for r in summary["items"]
                ],
                header=["account", "title", "credentials", "username", "password", "urls"],
                max_width=out.term_width(),
                keep=(4,) if args.reveal else (),  # a revealed password is never cut
            )
        )
    return 0


# --------------------------------------------------------------------------- fmt, schema


def cmd_fmt(args: argparse.Namespace) -> int:
    doc = load_cxf(args.file, args.max_size)
    data = doc.encode(normalize=args.normalize)
    if args.indent:
        data = json.dumps(json.loads(data), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    write_output(args.output, data, force=args.force, inputs=[args.file])
    if args.output != "-":
        errors = sum(1 for f in doc.findings if f.severity is Severity.ERROR)
        mode = "normalized" if args.normalize else "lossless"
        out.err(
            f"wrote {args.output} ({mode}, {len(data):,} bytes, mode 0600); decoder findings: {len(doc.findings)} ({errors} errors)"
        )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from cxkit.cxf.schema import json_schema  # only here: the schema generator

    data = json.dumps(json_schema(), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    write_output(args.output, data, force=args.force)
    return 0
