"""``cxkit ui``: migrate a vault in the browser, on this computer only (issue 19).

Starts a local web app on 127.0.0.1 (a random port), prints its address with a one-time token
and opens it in the default browser (not with ``--no-browser``). Everything stays on this
computer: uploads and results live in a private temporary folder removed when it stops (its
Stop button, Ctrl-C, or ``--idle-timeout`` seconds without a request).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ui",
        help="migrate a vault in your browser (a local web page on this computer only)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: random)")
    p.add_argument(
        "--lan",
        action="store_true",
        help="also accept connections from other computers (by IP address; the token is "
        "still required). Off by default: loopback only",
    )
    p.add_argument("--no-browser", action="store_true", help="print the address; open nothing")
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="stop after this many seconds without a request, as every cxkit timeout "
        "(default: %(default)g)",
    )
    # its own --json and -q (not the generic ones, which print after the command ends: this
    # one runs until it is stopped, and its address is needed at once)
    p.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object at once: {"command": "ui", "url", "host", "port"}; '
        "the URL holds the one-time token",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the address (one line) and no log of requests",
    )
    p.set_defaults(handler=cmd_ui)


def cmd_ui(args: argparse.Namespace) -> int:
    from cxkit.errors import InputError
    from cxkit.ui.server import make_server

    if args.idle_timeout <= 0:
        raise InputError("--idle-timeout must be a positive number of seconds")
    if not 0 <= args.port <= 65535:
        raise InputError("--port must be 0..65535")

    def log(line: str) -> None:
        if not args.quiet:
            print(f"cxkit ui: {line}", file=sys.stderr, flush=True)

    try:
        server = make_server(lan=args.lan, port=args.port, idle_timeout=args.idle_timeout, log=log)
    except OSError as exc:
        raise InputError(f"cannot listen: {exc.strerror}", hint="try another --port") from None
    try:
        if args.json:
            import json

            host = "127.0.0.1" if not args.lan else str(server.server_address[0])
            print(json.dumps({"command": "ui", "url": server.url, "host": host,
                              "port": server.port}), flush=True)  # fmt: skip
        elif args.quiet:
            print(server.url, flush=True)
        else:
            print(f"cxkit ui is running. Open this address in your browser (it works once):\n\n"
                  f"    {server.url}\n\nStop it with its Stop button or Ctrl-C.", flush=True)  # fmt: skip
        if not args.no_browser:
            import webbrowser

            webbrowser.open(server.url)
        server.watch_idle()
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever(poll_interval=0.2)
    finally:
        server.app.stopping.set()
        server.server_close()
        server.app.cleanup()
    if not args.quiet:
        print("cxkit ui stopped; its temporary files were removed.", file=sys.stderr)
    return 0
