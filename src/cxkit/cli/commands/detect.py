"""``cxkit detect FILE``: which export format a file is, by evidence (``docs/formats.md``).

Its own module so that ``cxkit detect`` imports only what it uses: the file reading and the
detection (which imports only the readers whose evidence the file shows; the verdict is printed
from the registry's static table, so the chosen reader itself need not be imported), not the
writers' options, the progress bar or the secret prompts of ``convert``.
"""

from __future__ import annotations

import argparse
from typing import Any

from cxkit.cli import _console as out

#: ``cxf.DEFAULT_MAX_SIZE`` (256 MiB), repeated to keep the CXF layer out of the start-up.
DEFAULT_MAX_SIZE = 256 << 20


def register(sub: Any) -> None:
    p = sub.add_parser(
        "detect",
        help="tell which export format a file is",
        description="Run the format detection on FILE and print the format key (exit 2 when "
        "unknown or ambiguous, naming what was tried).",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON; an unknown or ambiguous FILE gives format null, the "
        "verdict (unknown, headerless-csv, known:APP, ...), message and hint (exit 2)",
    )
    p.add_argument(
        "--max-size",
        type=int,
        default=DEFAULT_MAX_SIZE,
        metavar="BYTES",
        help=f"refuse larger inputs (default: {DEFAULT_MAX_SIZE:,} bytes)",
    )
    p.set_defaults(handler=cmd_detect)


def cmd_detect(args: argparse.Namespace) -> int:
    from cxkit import adapters
    from cxkit.cli._io import read_source

    data = read_source(args.file, args.max_size)
    if isinstance(data, bytes):
        sample = adapters.make_sample(data, args.file)
    else:
        sample = adapters.make_folder_sample(data, args.file)
    try:
        result = adapters.detect(sample)
    except adapters.DetectionError as exc:
        if not args.json:
            raise
        # the verdict (known:<app>, openpgp, unknown, ...) for scripts; exit 2 as for errors
        verdict = getattr(exc, "verdict", "unknown")
        out.print_json({"file": args.file, "format": None, "verdict": verdict,
                        "message": exc.message, "hint": exc.hint})  # fmt: skip
        return 2
    info = result.info
    if args.json:
        out.print_json(
            {
                "file": args.file,
                "format": info.key,
                "confidence": result.confidence.name.lower(),
                "tried": {k: c.name.lower() for k, c in result.tried},
            }
        )
    else:
        print(f"{info.key}  ({info.app}: {info.format})")
    return 0
