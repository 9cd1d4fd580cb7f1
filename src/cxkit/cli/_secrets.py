"""Secret input for every command: never from a command-line argument.

A secret (passphrase, recovery code, export password) comes from a prompt on a terminal, a file
(first line), an environment variable or the first line of standard input. Commands add the
options with :func:`add_secret_options` (the option names are the command's, e.g.
``--passphrase-file`` or ``--password-file``) and read the secret with :func:`secret_from_source`
/ :func:`existing_secret`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Final

from cxkit.cli._io import read_input
from cxkit.errors import InputError

__all__ = [
    "MAX_SECRET_SIZE",
    "add_secret_options",
    "ask",
    "existing_secret",
    "no_terminal",
    "safe_text",
    "secret_from_source",
    "strip_newline",
]

MAX_SECRET_SIZE: Final = 4096


def safe_text(text: object, limit: int = 120) -> str:
    """Untrusted text made safe for a terminal: no control characters, bounded length."""
    s = str(text)
    cleaned = "".join(c if c.isprintable() else "?" for c in s[:limit])
    return cleaned + ("…" if len(s) > limit else "")


def strip_newline(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def add_secret_options(
    p: argparse.ArgumentParser | argparse._ArgumentGroup,
    *,
    prefix: str = "passphrase",
    aliases: tuple[str, ...] = (),
    what: str = "the passphrase/recovery code",
    stdin: bool = True,
) -> None:
    """``--PREFIX-file FILE``, ``--PREFIX-env VAR`` and ``--PREFIX-stdin`` (mutually exclusive).

    The values land in ``args.<prefix>_file`` / ``_env`` / ``_stdin`` (dashes → underscores);
    *aliases* are other prefixes accepted for the same options.
    """
    dest = prefix.replace("-", "_")
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        f"--{prefix}-file",
        *(f"--{a}-file" for a in aliases),
        dest=f"{dest}_file",
        metavar="FILE",
        help=f"read {what} from FILE (first line)",
    )
    g.add_argument(
        f"--{prefix}-env",
        *(f"--{a}-env" for a in aliases),
        dest=f"{dest}_env",
        metavar="VAR",
        help=f"read {what} from environment variable VAR",
    )
    if stdin:
        g.add_argument(
            f"--{prefix}-stdin",
            *(f"--{a}-stdin" for a in aliases),
            dest=f"{dest}_stdin",
            action="store_true",
            help=f"read {what} from the first line of standard input",
        )


def secret_from_source(
    args: argparse.Namespace,
    *,
    prefix: str = "passphrase",
    what: str = "passphrase",
    allow_empty: bool = False,
) -> str | None:
    """The secret from ``--PREFIX-file/-env/-stdin``, or None when none was given. An empty
    one is refused unless ``allow_empty`` (a KeePass database with a key file may have the
    empty string as its password, which differs from no password; issue #17)."""
    dest = prefix.replace("-", "_")
    file = getattr(args, f"{dest}_file", None)
    env = getattr(args, f"{dest}_env", None)
    use_stdin = getattr(args, f"{dest}_stdin", False)
    if file:
        raw = read_input(file, MAX_SECRET_SIZE)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"the {what} file is not UTF-8 text") from None
        secret = text.split("\n", 1)[0].removesuffix("\r")
        where = f"the {what} file"
    elif env:
        value = os.environ.get(env)
        if value is None:
            raise InputError(f"environment variable {safe_text(env)} is not set")
        secret, where = value, f"environment variable {safe_text(env)}"
    elif use_stdin:
        line = sys.stdin.readline(MAX_SECRET_SIZE + 1)
        if len(line) > MAX_SECRET_SIZE:
            raise InputError(f"the {what} on standard input is too long")
        secret, where = strip_newline(line), "standard input"
    else:
        return None
    if not secret and not allow_empty:
        raise InputError(f"the {what} from {where} is empty")
    return secret


def no_terminal(what: str, *, prefix: str = "passphrase") -> InputError:
    return InputError(
        f"cannot ask for the {what}: standard input is not a terminal",
        hint=f"use --{prefix}-file FILE, --{prefix}-env VAR or --{prefix}-stdin",
    )


def ask(prompt: str, *, what: str = "passphrase") -> str:
    try:
        return getpass.getpass(prompt, stream=sys.stderr)
    except EOFError:
        raise InputError(f"no {what} entered") from None


def existing_secret(
    args: argparse.Namespace,
    what: str,
    *,
    prefix: str = "passphrase",
    noun: str = "passphrase",
    allow_empty: bool = False,
) -> str:
    """The secret to open something: from a source, or asked once on a terminal."""
    secret = secret_from_source(args, prefix=prefix, what=noun, allow_empty=allow_empty)
    if secret is not None:
        return secret
    if not sys.stdin.isatty():
        raise no_terminal(what, prefix=prefix)
    secret = ask(f"{what}: ", what=noun)
    if not secret and not allow_empty:
        raise InputError(f"no {noun} entered")
    return secret
