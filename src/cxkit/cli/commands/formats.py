"""``cxkit formats``: every format cxkit reads and writes (from :mod:`cxkit.cli._catalog`, so
that it starts without importing the ~70 adapter modules)."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from cxkit.cli import _console as out
from cxkit.cli._catalog import catalog


def register(sub: Any) -> None:
    p = sub.add_parser(
        "formats",
        help="list the formats cxkit reads and writes",
        description="Every format (adapter) cxkit knows: the key for --from/--to, whether cxkit "
        "reads and/or writes it, the application, what it carries and (with -v) how to export "
        "it from the application.\n\nExample: cxkit formats -v | less",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print {formats: [{key, app, format, versions, read, write, encrypted, "
        "credential_types, how_to_export, how_to_import, extensions}], plugin_errors: [...]}",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print the format keys only")
    p.add_argument("-v", "--verbose", action="store_true", help="also show how to export")
    p.set_defaults(handler=cmd_formats)


def cmd_formats(args: argparse.Namespace) -> int:
    found = catalog()
    formats: list[dict[str, Any]] = found["formats"]
    if args.json:
        out.print_json(found)
        return 0
    if args.quiet:
        print("\n".join(f["key"] for f in formats))
        return 0
    cols = out.term_width() or 10_000  # cut and wrapped on a terminal only
    rows = []
    for f in formats:
        can = "/".join(w for w, ok in (("read", f["read"]), ("write", f["write"])) if ok)
        rows.append([f["key"], can, f["app"].split(" (")[0], f["format"]])
    print(out.table(rows, header=["format", "can", "app", "description"], max_width=cols))
    for f in formats:
        print()
        text = textwrap.fill(
            f"{f['key']}: carries {', '.join(f['credential_types'])}", cols, subsequent_indent="  "
        )
        print(out.style(f["key"], "bold") + text[len(f["key"]) :])
        if getattr(args, "verbose", False):
            print(textwrap.fill(f"how to export: {f['how_to_export']}", cols,
                                initial_indent="  ", subsequent_indent="  "))  # fmt: skip
            if f.get("how_to_import"):
                print(textwrap.fill(f"how to import what cxkit wrote: {f['how_to_import']}", cols,
                                    initial_indent="  ", subsequent_indent="  "))  # fmt: skip
    for problem in found["plugin_errors"]:
        out.err(f"warning: {problem}")
    return 0
