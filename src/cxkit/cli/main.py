"""The ``cxkit`` command: argument parsing and the one place where errors become messages.

Exit codes: 0 success; 1 the command ran and found problems (error-level findings, failed
passkeys); 2 an input could not be read or the command line is wrong; 130 interrupted.
``-v`` shows the Python traceback of an error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cxkit import __version__
from cxkit.errors import CxkitError

#: Modules that add subcommands: each has ``register(subparsers) -> None``. Listed explicitly,
#: in the order ``cxkit --help`` shows them.
COMMAND_MODULES = (
    "cxkit.cli.commands.demo",
    "cxkit.cli.commands.cxf",
    "cxkit.cli.commands.passkeys",
    "cxkit.cli.totp",
    "cxkit.cli.commands.exchange",
    "cxkit.cli.commands.convert",
    "cxkit.cli.commands.transfer",
)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cxkit",
        description=(
            "Move credentials between credential managers, losslessly and encrypted: "
            "FIDO CXF 1.0 files, CXP exchanges (profile P0) and passkeys that provably work."
        ),
        epilog="Run 'cxkit COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"cxkit {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show the Python traceback of an error"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command family not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
        return result
    except CxkitError as exc:
        if args.verbose:
            raise
        print(f"cxkit: error: {exc.diagnostics()}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("cxkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if args.verbose:
            raise
        print(
            f"cxkit: internal error ({type(exc).__name__}); this is a bug in cxkit. "
            "Run again with -v for the details.",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
