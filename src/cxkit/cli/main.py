"""The ``cxkit`` command: argument parsing and the one place where errors become messages.

Start-up is kept instant: ``cxkit --help`` imports no command module (the summaries live in
:data:`COMMANDS`), and ``cxkit COMMAND`` imports only the module of that command.

Exit codes (the README's table): 0 success; 1 the command ran and found problems
(error-level findings, failed passkeys, TOTP codes that differ); 2 an input could not be read,
a password was wrong or the command line is wrong; 70 a bug in cxkit; 130 interrupted.
``-v`` (anywhere on the line) shows the Python traceback of an error.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence
from typing import Any, Final, NoReturn

from cxkit import __version__
from cxkit.errors import CxkitError

#: Every command: name → (module that registers it, one-line summary for ``cxkit --help``).
#: The summaries are the commands' own ``help=`` texts (a test checks that they agree), in the
#: order ``cxkit --help`` shows them. A module listed here that is not built yet is skipped.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("cxkit.cli.commands.demo", "run cxkit on its built-in sample vault"),
    "convert": (
        "cxkit.cli.commands.convert",
        "convert an export to another format (CXF, Bitwarden, ...) with a migration report",
    ),
    "formats": ("cxkit.cli.commands.formats", "list the formats cxkit reads and writes"),
    "detect": ("cxkit.cli.commands.detect", "tell which export format a file is"),
    "validate": (
        "cxkit.cli.commands.cxf",
        "check CXF files, or the CXF any export maps to, against the specification",
    ),
    "inspect": (
        "cxkit.cli.commands.cxf",
        "summarise a CXF file or any export cxkit reads (secrets masked)",
    ),
    "fmt": ("cxkit.cli.commands.cxf", "re-encode a CXF file (lossless, or --normalize)"),
    "schema": ("cxkit.cli.commands.cxf", "print the JSON Schema of CXF 1.0"),
    "passkeys": (
        "cxkit.cli.commands.passkeys",
        "list or verify the passkeys of a CXF file or any export cxkit reads",
    ),
    "totp": (
        "cxkit.cli.totp",
        "list, verify or show as QR codes the one-time passwords of any export",
    ),
    "diff": (
        "cxkit.cli.commands.compare",
        "what of OLD did not arrive in NEW (any two formats; exit 1 when something was lost)",
    ),
    "merge": (
        "cxkit.cli.commands.compare",
        "merge several exports into one vault (TOTP and passkeys onto their logins)",
    ),
    "request": (
        "cxkit.cli.commands.exchange",
        "importer: write an export request and its private key",
    ),
    "export": (
        "cxkit.cli.commands.exchange",
        "exporter: answer an export request with an encrypted response",
    ),
    "import": (
        "cxkit.cli.commands.exchange",
        "importer: decrypt a response and write the CXF document",
    ),
    "seal": (
        "cxkit.cli.commands.exchange",
        "encrypt a CXF file into a passphrase-sealed archive",
    ),
    "open": ("cxkit.cli.commands.exchange", "decrypt a passphrase-sealed archive"),
    "receive": (
        "cxkit.cli.commands.transfer",
        "importer: receive credentials live from 'cxkit send' (QR code pairing)",
    ),
    "send": (
        "cxkit.cli.commands.transfer",
        "exporter: send credentials live to a waiting 'cxkit receive'",
    ),
    "ui": (
        "cxkit.cli.commands.ui",
        "migrate a vault in your browser (a local web page on this computer only)",
    ),
}

#: One or two examples per command, shown at the end of its ``--help`` (a test parses each).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "demo": ("cxkit demo --out samples",),
    "convert": (
        "cxkit convert bitwarden_export.json -o vault.kdbx",
        "cxkit convert logins.csv --from csv --dry-run",
    ),
    "formats": ("cxkit formats -v", "cxkit formats --json"),
    "detect": ("cxkit detect export.csv --json",),
    "validate": ("cxkit validate vault.cxf.json", "cxkit validate bitwarden_export.json --json"),
    "inspect": ("cxkit inspect vault.cxp --items",),
    "fmt": ("cxkit fmt vault.cxf.json --normalize -o clean.cxf.json",),
    "schema": ("cxkit schema -o cxf.schema.json",),
    "passkeys list": ("cxkit passkeys list vault.kdbx",),
    "passkeys verify": ("cxkit passkeys verify bitwarden_export.json --json",),
    "totp list": ("cxkit totp list aegis-backup.json",),
    "totp verify": ("cxkit totp verify aegis-backup.json --against vault.kdbx",),
    "totp qr": ("cxkit totp qr aegis-backup.json",),
    "diff": ("cxkit diff bitwarden_export.json vault.kdbx",),
    "merge": ("cxkit merge chrome.csv aegis.json -o vault.kdbx",),
    "request": ("cxkit request -o request.json",),
    "export": ("cxkit export vault.kdbx --request request.json -o response.json",),
    "import": (
        "cxkit import response.json --request request.json -o vault.cxf.json",
        "cxkit import response.json --request request.json --into vault.kdbx",
    ),
    "seal": ("cxkit seal vault.kdbx -o backup.cxp",),
    "open": ("cxkit open backup.cxp --into vault.kdbx",),
    "receive": ("cxkit receive --into vault.kdbx --lan",),
    "send": ("cxkit send bitwarden_export.json - --yes",),
    "ui": ("cxkit ui", "cxkit ui --no-browser"),
}

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 70, 130

#: Old option spellings that keep working, by command ("*": every command): old → new. They
#: are rewritten (with a deprecation notice on standard error) before parsing; ``--help``
#: shows only the new. The vocabulary: ``--password-*`` is the SOURCE's password,
#: ``--new-password-*`` the DEST's, ``--passphrase-*`` a sealed archive's or key file's.
DEPRECATED_OPTIONS: dict[str, dict[str, str]] = {
    "*": {
        "--source-password-file": "--password-file",
        "--source-password-env": "--password-env",
        "--source-password-stdin": "--password-stdin",
    },
    "convert": {
        "--passphrase-file": "--password-file",
        "--passphrase-env": "--password-env",
        "--passphrase-stdin": "--password-stdin",
    },
}

#: What :meth:`CxkitParser.error` needs to know of the command line being parsed.
_STATE: dict[str, Any] = {}

#: Options whose next word is their value (never rewritten as an option itself).
_VALUE_OPTIONS = frozenset({"-o", "--output"})

_VERBOSE_HELP = "more detail, and the Python traceback of an error (allowed anywhere)"


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [s for a in parser._actions for s in a.option_strings]


def _all_option_strings(parser: argparse.ArgumentParser) -> list[str]:
    """The options of *parser* and of every sub-command parser below it."""
    found = _option_strings(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                found.extend(_all_option_strings(child))
    return sorted(set(found))


class CxkitParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` that takes no abbreviations (``fo`` is not
    ``force``) and answers a mistyped command or flag with "did you mean"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        """The help, with the source's reST markup (double back-quotes) taken out, and the
        command's examples at the end."""
        import re

        text = re.sub(r"``([^`]+)``", r"\1", super().format_help())
        examples = EXAMPLES.get(self.prog.removeprefix("cxkit").strip(), ())
        if examples:
            text += "\nexamples:\n" + "".join(f"  {e}\n" for e in examples)
        return text

    def error(self, message: str) -> NoReturn:
        hint = ""
        if "invalid choice:" in message:
            wrong = message.split("invalid choice:", 1)[1].split("'")[1:2]
            choices = [c for a in self._actions for c in (a.choices or ())]
            if wrong:
                hint = _did_you_mean(wrong[0], [str(c) for c in choices])
        elif "unrecognized arguments:" in message:
            words = message.split("unrecognized arguments:", 1)[1].split()
            flags = [w.split("=", 1)[0] for w in words if w.startswith("-")]
            if flags:
                hint = _unknown_option_hint(self, flags[0], _STATE.get("words", ()))
        self.print_usage(sys.stderr)
        if _STATE.get("json"):  # a script asked for JSON: it gets the usage error as JSON too
            import json

            error = {"type": "UsageError", "message": message + hint, "location": None,
                     "hint": f"{self.prog} --help"}  # fmt: skip
            result = {"command": _STATE.get("command"), "ok": False, "exit_code": EXIT_INPUT,
                      "error": error}  # fmt: skip
            print(json.dumps(result, indent=2, ensure_ascii=False))
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}{hint}\n")


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    close = _close(word, candidates)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _close(word: str, candidates: Sequence[str]) -> list[str]:
    """Up to three of *candidates* close to *word*, never *word* itself; those with the same
    last part (``-env``, ``-file``) first."""
    import difflib

    others = [c for c in candidates if c != word]
    close = difflib.get_close_matches(word, others, n=3, cutoff=0.6)
    tail = word.rsplit("-", 1)[-1]
    return sorted(close, key=lambda c: c.rsplit("-", 1)[-1] != tail)


#: Option prefixes that name the same secret in different commands (the vocabulary of
#: :data:`DEPRECATED_OPTIONS`): DEST's password in ``convert``, the archive's in ``seal``.
_SAME_ROLE: Final = (("new-password", "passphrase"),)


def _command_parser(parser: argparse.ArgumentParser, words: Sequence[str]) -> Any:
    """The parser of the (sub-)command *words* name (``passkeys list``), else *parser*."""
    current: Any = parser
    for word in words:
        if word.startswith("-"):
            continue
        sub = next((a for a in current._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None or word not in sub.choices:
            break
        current = sub.choices[word]
    return current


def _unknown_option_hint(parser: argparse.ArgumentParser, flag: str, words: Sequence[str]) -> str:
    """What to say of an option the command does not take: the command's own options close to
    it ("did you mean"), and, when another command takes it, that this one does not — never the
    option the user typed as its own correction."""
    command = _command_parser(parser, words)
    own = _all_option_strings(command)
    close = _close(flag, own)
    for one, other in (*_SAME_ROLE, *((b, a) for a, b in _SAME_ROLE)):
        swapped = f"--{other}-" + flag.removeprefix(f"--{one}-")
        # the command's word for the same secret first
        if flag.startswith(f"--{one}-") and swapped in own:
            close = [swapped, *(c for c in close if c != swapped)][:3]
    suggestion = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    if command is not parser and flag not in own and flag in _all_option_strings(parser):
        name = command.prog.removeprefix("cxkit").strip()
        said = f"'cxkit {name}' takes no {flag}: it is another command's option"
        return f" ({said}; {suggestion})" if suggestion else f" ({said})"
    return f" ({suggestion})" if suggestion else ""


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of *argv*: its first word that is not an option."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


_JSON_HELP = (
    "print one JSON object on standard output: {command, ok, exit_code, output, messages}, "
    "or {command, ok: false, exit_code, error: {type, message, location, hint}}"
)
_QUIET_HELP = (
    "print only errors and what you need to go on (prompts, a recovery code shown once, a "
    "pairing string): no summary, status line, note, warning or progress"
)


def _add_common(parser: argparse.ArgumentParser, *, top: bool = True) -> None:
    """The options every command takes, on *parser* and every sub-command below it:
    ``-v/--verbose`` (default: the top's), and, below the top, ``--json`` and ``-q/--quiet``
    on every command (leaf) that does not have its own (:func:`main` gives their generic
    form)."""
    have = _option_strings(parser)
    if "-v" not in have:
        parser.add_argument(
            "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=_VERBOSE_HELP
        )
    leaf = not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
    if not top and leaf:
        if "--json" not in have:
            parser.add_argument("--json", action="store_true", help=_JSON_HELP)
            parser.set_defaults(generic_json=True)
        if "--quiet" not in have:
            flags = ["--quiet"] if "-q" in have else ["-q", "--quiet"]
            parser.add_argument(*flags, action="store_true", help=_QUIET_HELP)
            parser.set_defaults(generic_quiet=True)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _add_common(child, top=False)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser: every command as a summary line, and the full options of *command* (of all
    commands when None — slower: every command module is imported; of none when "")."""
    parser = CxkitParser(
        prog="cxkit",
        description=(
            "Move credentials between credential managers, losslessly and encrypted: "
            "FIDO CXF 1.0 files, CXP exchanges (profile P0) and passkeys that provably work."
        ),
        epilog="Run 'cxkit COMMAND --help' for the options and an example of a command.\n"
        "Example: cxkit convert bitwarden.json -o vault.kdbx",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cxkit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help=_VERBOSE_HELP)
    parser.add_argument(
        "--no-color",
        action="store_true",
        help="no colour in the output (also when the NO_COLOR environment variable is set)",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CxkitParser
    )
    wanted = list(COMMANDS) if command is None else [command] if command in COMMANDS else []
    loaded: set[str] = set()
    for name in wanted:
        module_name = COMMANDS[name][0]
        if module_name in loaded:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # a command family not built yet
            raise
        module.register(sub)
        loaded.add(module_name)
    present = set(sub.choices)
    for name, (module_name, summary) in COMMANDS.items():
        if name in present:
            continue
        if importlib.util.find_spec(module_name) is None:
            continue
        # only a summary: parsed fully when it is the command (``cxkit NAME --help``)
        sub.add_parser(name, help=summary, add_help=False)
    order = list(COMMANDS)
    sub._choices_actions.sort(key=lambda a: order.index(a.dest) if a.dest in order else 99)
    _add_common(parser)
    return parser


def _rewrite_deprecated(argv: list[str]) -> list[str]:
    command = _command_of(argv) or ""
    renames = {**DEPRECATED_OPTIONS["*"], **DEPRECATED_OPTIONS.get(command, {})}
    quiet = "-q" in argv or "--quiet" in argv
    result = []
    for i, word in enumerate(argv):
        name, eq, value = word.partition("=")
        if name in renames and not (i and argv[i - 1] in _VALUE_OPTIONS):
            new = renames[name]
            if not quiet:
                print(f"cxkit: note: {name} is deprecated; use {new}", file=sys.stderr)
            word = f"{new}{eq}{value}"
        result.append(word)
    return result


#: The options that name a format (``--from``/``--to`` and the like), by their ``dest``.
FORMAT_DESTS = ("source_format", "dest_format", "against_from")


def _check_formats(args: argparse.Namespace) -> None:
    """A format key that does not exist is an error naming the closest ones, before anything
    is read or asked."""
    for dest in FORMAT_DESTS:
        key = getattr(args, dest, None)
        if not isinstance(key, str):
            continue
        from cxkit.cli._catalog import suggest_format

        hint = suggest_format(key)
        if hint is not None:
            from cxkit.errors import InputError

            raise InputError(f"unknown format {key!r}", hint=hint)


def _outputs(args: argparse.Namespace) -> list[str]:
    return [v for k in ("output", "into", "key") if isinstance(v := getattr(args, k, None), str)]


def _json_result(command: str, code: int, args: argparse.Namespace, **extra: Any) -> None:
    """The generic ``--json`` object of a command (on standard error when standard output
    carries the command's data, ``-o -``)."""
    import json

    result = {"command": command, "ok": code == EXIT_OK, "exit_code": code, **extra}
    stream = sys.stderr if "-" in _outputs(args) else sys.stdout
    print(json.dumps(result, indent=2, ensure_ascii=False), file=stream)


def _error_json(exc: BaseException, kind: str) -> dict[str, Any]:
    if isinstance(exc, CxkitError):
        return {"type": type(exc).__name__, "message": exc.message, "location": exc.location,
                "hint": exc.hint}  # fmt: skip
    return {"type": kind, "message": kind, "location": None, "hint": None}


def _run(args: argparse.Namespace) -> int:
    """The command's handler, with the generic ``--json``/``--quiet`` around it: standard
    output (unless it carries the data, ``-o -``) is kept for the JSON object, or dropped."""
    generic_json = args.json if getattr(args, "generic_json", False) else False
    generic_quiet = args.quiet if getattr(args, "generic_quiet", False) else False
    if getattr(args, "shows_on_terminal", False) and not generic_json:
        generic_quiet = False  # what it shows on the terminal is what -q keeps (totp qr)
    if not (generic_json or generic_quiet) or "-" in _outputs(args):
        result: int = args.handler(args)
        return result
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = args.handler(args)
    if generic_json:
        lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
        outputs: list[str | None] = [*_outputs(args), None]
        _json_result(args.command, result, args, output=outputs[0], messages=lines)
    return result


def _help_of(words: list[str]) -> str | None:
    """What ``cxkit WORDS`` prints for ``--help`` (None when it is an error)."""
    import contextlib
    import io

    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()):
            build_parser(words[0]).parse_args(words)
    except SystemExit as exc:
        return buffer.getvalue() if exc.code in (0, None) else None
    return None  # pragma: no cover - --help always exits


def _cached_help(words: list[str]) -> bool:
    """``cxkit COMMAND [SUB] --help`` from the cache (printed; True), without importing the
    command's module; False when it is not such a command line."""
    if not 2 <= len(words) <= 3 or words[-1] not in ("-h", "--help") or words[0] not in COMMANDS:
        return False
    if any(w.startswith("-") for w in words[:-1]):
        return False
    import shutil

    from cxkit.cli._catalog import cached_help

    key = " ".join(words[:-1]) + f"@{shutil.get_terminal_size((80, 24)).columns}"
    text = cached_help(key, lambda: _help_of(words))
    if text is None:
        return False
    sys.stdout.write(text)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    words = _rewrite_deprecated(list(sys.argv[1:] if argv is None else argv))
    _STATE.update(json="--json" in words, command=_command_of(words), words=tuple(words))
    if _cached_help(words):
        raise SystemExit(EXIT_OK)  # as argparse's --help does
    parser = build_parser(_command_of(words) or "")
    args = parser.parse_args(words)
    from cxkit import _kdfcost
    from cxkit.cli import _console

    _console.COLOR = not args.no_color
    _console.QUIET = bool(getattr(args, "quiet", False))
    as_json = bool(getattr(args, "json", False))
    # slow key derivations said (#17), through the console so a progress line is erased first
    previous = _kdfcost.set_announcer(
        None if as_json or _console.QUIET else lambda est: _console.err(f"cxkit: {est.message()}")
    )
    try:
        return _main(args, as_json)
    finally:
        _kdfcost.set_announcer(previous)  # a library caller's announcer is given back


def _main(args: argparse.Namespace, as_json: bool) -> int:
    """Run the parsed command; every failure becomes its exit code (and JSON with ``--json``)."""
    try:
        _check_formats(args)
        return _run(args)
    except CxkitError as exc:
        if args.verbose:
            raise
        print(f"cxkit: error: {exc.diagnostics()}", file=sys.stderr)
        if as_json:
            _json_result(args.command, EXIT_INPUT, args, error=_error_json(exc, "error"))
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("cxkit: interrupted", file=sys.stderr)
        if as_json:
            _json_result(args.command, EXIT_INTERRUPTED, args,
                         error=_error_json(KeyboardInterrupt(), "interrupted"))  # fmt: skip
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
        if as_json:
            _json_result(args.command, EXIT_BUG, args, error=_error_json(exc, "internal"))
        return EXIT_BUG


if __name__ == "__main__":
    raise SystemExit(main())
