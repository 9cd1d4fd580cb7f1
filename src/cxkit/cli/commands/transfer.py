"""Live transfer commands (``docs/transfer.md``): ``receive`` (importer) and ``send`` (exporter).

``cxkit receive -o OUT`` starts a one-shot listener (127.0.0.1, or the LAN address with
``--lan``), shows the pairing string as a QR code and as text with a ready-to-run ``cxkit
send`` line, counts down, and writes the one valid response it accepts (decrypted, validated)
atomically with mode 0600. ``cxkit send SOURCE PAIRING`` fetches the request, checks it against
the pairing string's digest, shows who asks and what would be sent, asks, seals with HPKE PSK
mode and posts. The summaries, the confirmation, attachment loading and the output staging are
those of the file-based exchange (:mod:`cxkit.cli.commands.exchange`).
"""

from __future__ import annotations

import argparse
import dataclasses
import queue
import socket
import sys
import time
from typing import TYPE_CHECKING, Any, Final

from cxkit import cxf
from cxkit.adapters.report import MigrationReport
from cxkit.cli import _console as out
from cxkit.cli import _qr
from cxkit.cli._handover import (
    ATTACHMENTS_HELP,
    ATTACHMENTS_OUT_HELP,
    SUITE_TEXT,
    attachments_for,
    check_folder_target,
    confirm,
    filter_document,
    parse_types,
    print_contents,
    print_findings,
    print_not_held,
    print_request_scope,
    report_written,
    utc,
    write_result,
)
from cxkit.cli._into import add_into_options, prepare_into, write_into
from cxkit.cli._io import add_max_size, check_output
from cxkit.cli._progress import Progress
from cxkit.cli._secrets import safe_text
from cxkit.cli._sources import add_source_options, load_source
from cxkit.cxf import model as m
from cxkit.cxp import p0
from cxkit.cxp.messages import (
    MAX_MESSAGE_SIZE,
    ErrorCode,
    ExportRequest,
    credential_type_filter,
    select_hpke,
)
from cxkit.errors import InputError
from cxkit.transfer.pairing import MAX_PAIRING_LENGTH, Pairing
from cxkit.transfer.sender import fetch_request, post_response, report_error

if TYPE_CHECKING:
    from cxkit.transfer.receiver import Receiver, TransferEvent


def __getattr__(name: str) -> Any:
    """``Receiver`` on first use: ``cxkit send`` does not import the listener (asyncio)."""
    if name == "Receiver":
        from cxkit.transfer.receiver import Receiver

        return Receiver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_SECONDS: Final = p0.KEY_LIFETIME
MIN_SECONDS: Final = 60
MAX_SECONDS: Final = 3600

PAIRING_HELP: Final = (
    "The pairing string (cxp-p0:…) carries the listener's address, the request digest and a "
    "one-time 256-bit key (PSK): whoever holds it can send to this transfer, so show it only "
    "to the person sending. It is useless once the transfer has ended."
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "receive",
        help="importer: receive credentials live from 'cxkit send' (QR code pairing)",
        allow_abbrev=False,
        description=(
            "Wait for one live transfer (CXP 'direct' mode, profile P0 §5): listen on "
            "127.0.0.1 (or the LAN address with --lan), show the pairing string as a QR code "
            "and as text with a ready-to-run 'cxkit send' line, and count down. The first "
            "response that decrypts with this transfer's keys and passes every P0 check is "
            "accepted; wrong ones are answered with an error and waiting goes on. The CXF "
            "document is validated, summarised and written to OUT (mode 0600, unencrypted: "
            "import it, then delete it). Ctrl-C cancels. "
            + PAIRING_HELP
            + " "
            + ATTACHMENTS_OUT_HELP
        ),
    )
    dest = p.add_mutually_exclusive_group(required=True)
    dest.add_argument("-o", "--output", metavar="OUT", help="CXF output file")
    add_into_options(p, dest)
    p.add_argument("--attachments-out", metavar="DIR", help="folder for the attachments")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--lan",
        action="store_true",
        help="listen on this machine's LAN address (for a sender on another device)",
    )
    where.add_argument("--bind", metavar="ADDRESS", help="listen on this IP address")
    p.add_argument(
        "--port", type=int, default=0, metavar="N", help="port to listen on (default: any free)"
    )
    p.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_SECONDS,
        metavar="SEC",
        help=f"seconds to wait, as every cxkit timeout (default: %(default)s; {MIN_SECONDS} to "
        f"{MAX_SECONDS})",
    )
    p.add_argument(
        "--importer",
        default="cxkit",
        metavar="RPID",
        help="the importer name the request carries (shown to the sender; default: cxkit)",
    )
    p.add_argument(
        "--types",
        action="append",
        metavar="TYPE[,TYPE...]",
        help="credential types to ask for (CXF names; default: all)",
    )
    p.add_argument("--no-qr", action="store_true", help="show the pairing string as text only")
    p.add_argument("--force", action="store_true", help="replace existing outputs")
    p.add_argument(
        "--max-size",
        type=int,
        default=MAX_MESSAGE_SIZE,
        metavar="BYTES",
        help=f"refuse larger responses unread (default: {MAX_MESSAGE_SIZE:,} bytes)",
    )
    p.set_defaults(handler=cmd_receive)

    p = sub.add_parser(
        "send",
        help="exporter: send credentials live to a waiting 'cxkit receive'",
        allow_abbrev=False,
        description=(
            "Answer a live transfer started by 'cxkit receive' (or another P0 importer): fetch "
            "its request from the address in PAIRING, refuse it unless it matches the "
            "pairing string's digest, show who asks (the name is not verified) and what will "
            "be sent (counts by credential type, never values), ask for confirmation (--yes "
            "for scripts), then encrypt with HPKE PSK mode and send. Only the requested "
            "credential types are sent; the CXF timestamp is set to now. PAIRING '-' reads the "
            "pairing string from standard input (keeps it out of the process list; needs "
            "--yes). " + PAIRING_HELP + " " + ATTACHMENTS_HELP
        ),
    )
    p.add_argument(
        "source",
        metavar="SOURCE",
        help="CXF file, or any export cxkit reads (cxkit formats), to send from",
    )
    add_source_options(p)
    p.add_argument(
        "pairing",
        metavar="PAIRING",
        help="the pairing string (cxp-p0:…, or the CXP-P0C:… a scanner reads from the QR code), "
        "or - for standard input",
    )
    p.add_argument("--attachments", metavar="DIR", help="folder with the attachment files")
    p.add_argument(
        "--exporter",
        metavar="RPID",
        help="exporter RP ID to write (default: the source's exporterRpId)",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SEC",
        help="network timeout in seconds (default: %(default)s)",
    )
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)
    p.set_defaults(handler=cmd_send)


# --------------------------------------------------------------------------- receive


def _lan_address() -> str:
    """The first non-loopback IPv4 address of this host's name (no packet is sent)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    for info in infos:
        addr = str(info[4][0])
        if not addr.startswith("127."):
            return addr
    raise InputError(
        "cannot tell this machine's LAN address",
        hint="pass --bind ADDRESS with the address the sender can reach",
    )


def _show_event(event: TransferEvent, tty: bool) -> None:
    prefix = "\r\x1b[K" if tty else ""
    text = safe_text(event.message, 200)
    if event.kind == "request-served":
        out.err(f"{prefix}  the sender fetched the request ({safe_text(event.peer, 60)})")
    elif event.kind in ("refused", "timeout"):
        out.err(f"{prefix}  warning: {text} (from {safe_text(event.peer, 60)}); still waiting")
    elif event.kind == "received":
        out.err(f"{prefix}  receiving… a valid response arrived")


#: Terminal lines the QR code may take: with the countdown line under it, 24 (the code of a
#: compact pairing is 23 lines; P0 §5.3's text form would be 29).
QR_LINES: Final = 23


def show_pairing(rx: Receiver, *, qr: bool) -> None:
    """The pairing for the sender, on standard error: the status lines, the text form to
    paste (P0 §5.3) and how, then the QR code last (the compact form, ``CXP-P0C:``), so
    that it stays whole on an 80×24 terminal with the countdown under it. Under ``--quiet``
    only the pairing string and the QR code."""
    text = rx.pairing.to_string()
    out.err("live transfer: waiting for one export (CXP direct mode, profile P0)")
    out.err(f"  listening on: {rx.pairing.url.split('/cxp/')[0]}")
    out.err(f"  fingerprint:  {rx.fingerprint}")
    out.err(f"  expires at:   {utc(int(rx.expires_at))}")
    out.err("pairing string (a one-time key: show it only to the sender):\n")
    out.must(f"  {text}\n" if not out.QUIET else text)
    out.err("on this machine, run in another terminal and paste the pairing string:\n")
    out.err("  cxkit send SOURCE - --yes\n")
    out.err("  (the string is read from standard input: never put it on a command line)\n")
    if qr:
        out.err("or scan this QR code with the sending device:")
        color = out.use_color(sys.stderr)
        out.must(_qr.render(rx.pairing.qr_text(), color=color, error="m", max_lines=QR_LINES))


def cmd_receive(args: argparse.Namespace) -> int:
    if not MIN_SECONDS <= args.timeout <= MAX_SECONDS:
        raise InputError(
            f"--timeout must be {MIN_SECONDS} to {MAX_SECONDS} seconds",
            hint="every cxkit timeout is in seconds (receive took minutes before): "
            "--timeout 600 waits 10 minutes",
        )
    if not 0 <= args.port <= 65535:
        raise InputError("--port must be 0 to 65535")
    if args.max_size <= 0:
        raise InputError("--max-size must be positive")
    into = None
    if args.into:
        into = prepare_into(args)  # the DEST's password too: before the listener starts
    else:
        check_output(args.output, force=args.force, inputs=())
        if args.attachments_out:
            check_folder_target(args.attachments_out, force=args.force)
        elif args.output != "-":
            check_folder_target(args.output + ".attachments", force=args.force)
    host = args.bind or (_lan_address() if args.lan else "127.0.0.1")
    events: queue.SimpleQueue[TransferEvent] = queue.SimpleQueue()
    tty = sys.stderr.isatty()
    receiver: type[Receiver] = sys.modules[__name__].Receiver  # (a test puts its own)

    with receiver(
        importer=args.importer,
        host=host,
        port=args.port,
        lifetime=args.timeout,
        credential_types=parse_types(args.types),
        max_body=args.max_size,
        on_event=events.put,
    ) as rx:
        show_pairing(rx, qr=not args.no_qr)
        tty = tty and not out.QUIET
        try:
            while not rx.poll(1.0):
                while not events.empty():
                    _show_event(events.get(), tty)
                if tty:
                    left = int(rx.remaining())
                    sys.stderr.write(f"\r\x1b[K  waiting… {left // 60}:{left % 60:02d} left")
                    sys.stderr.flush()
        finally:
            if tty:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
            while not events.empty():
                _show_event(events.get(), False)
        opened = rx.wait()

    out.err("export received")
    out.err(f"  exporter:     {safe_text(opened.exporter)}  (as the sender claims)")
    out.err(f"  fingerprint:  {opened.request_fingerprint}")
    out.err(f"  encryption:   {SUITE_TEXT.get(opened.suite, str(opened.suite))}, PSK mode")
    if opened.timestamp is not None:
        out.err(f"  exported at:  {utc(opened.timestamp)}")
    doc = cxf.decode(opened.cxf_json)
    out.err("contents:")
    print_contents(doc, opened.attachments, "  ")
    errors = print_findings(cxf.validate(doc, attachments=opened.attachments))
    if into is not None:
        return write_into(args, opened, into) or (1 if errors else 0)
    folder, written = write_result(args, opened, doc)
    report_written(args, folder, written, len(opened.cxf_json))
    return 1 if errors else 0


# --------------------------------------------------------------------------- send


def _read_pairing(arg: str) -> Pairing:
    if arg == "-":
        try:
            line = sys.stdin.readline(MAX_PAIRING_LENGTH + 1)
        except OSError as exc:
            raise InputError(f"cannot read standard input: {exc.strerror or 'closed'}") from None
        if not line.strip():
            raise InputError("no pairing string on standard input")
        return Pairing.parse(line)
    return Pairing.parse(arg)


def _prepare(
    doc: cxf.Document, request: ExportRequest, exporter: str | None, source: str
) -> tuple[cxf.Document, str, int]:
    """The document as it will be sent: requested types only, exporter set, timestamp now
    (the same rules as ``cxkit export``); also the number of credentials left out."""
    exported, dropped = filter_document(doc, credential_type_filter(request))
    header = exported.header
    rp_id = exporter or header.exporter_rp_id
    if not rp_id:
        raise InputError(
            "the source names no exporter (no exporterRpId)",
            location=source,
            hint="pass --exporter RPID",
        )
    header = cxf.replace(
        header,
        exporter_rp_id=rp_id,
        exporter_display_name=header.exporter_display_name or rp_id,
        timestamp=int(time.time()),
        version=header.version if not exported.account_root else m.CXF_VERSION,
    )
    return dataclasses.replace(exported, header=header, account_root=False), rp_id, dropped


def _sending(progress: Progress) -> Any:
    """The upload's callback: kB sent of the total on the progress bar, then the wait."""

    def show(sent: int, total: int) -> None:
        if sent >= total:
            progress.step("sent; waiting for the receiver's checks")
        else:
            progress.count("sending", sent // 1000, max(1, total // 1000), "kB")

    return show


def cmd_send(args: argparse.Namespace) -> int:
    if not args.yes and (args.pairing == "-" or not sys.stdin.isatty()):
        raise InputError(
            "refusing to send without confirmation: standard input is not a terminal"
            + (" (it carries the pairing string)" if args.pairing == "-" else ""),
            hint="pass --yes to send without asking",
        )
    if args.pairing == "-" and args.source == "-":
        raise InputError("SOURCE and PAIRING cannot both be standard input")
    if args.pairing != "-":
        out.err(
            "note: a pairing string given as an argument is visible to other users of this "
            "machine (process list, shell history); paste it on standard input instead: "
            "cxkit send SOURCE - --yes"
        )
    if not 0 < args.timeout <= 3600:
        raise InputError("--timeout must be more than 0 and at most 3600 seconds")
    pairing = _read_pairing(args.pairing)
    read = MigrationReport()
    with Progress.for_terminal(quiet=args.json) as progress:
        doc, from_source, _ = load_source(
            args.source, args, max_size=args.max_size, progress=progress, report=read
        )
    request = fetch_request(pairing, timeout=args.timeout)
    fingerprint = p0.request_fingerprint(request)
    exported, rp_id, dropped = _prepare(doc, request, args.exporter, args.source)
    attachments = attachments_for(exported, args.attachments, from_source)
    _, entry, _ = select_hpke(request, p0.SUPPORTED_SUITES, modes=("psk",))
    flt = credential_type_filter(request)
    importer = request.importer or "(no name)"

    suite = (entry.kem, entry.kdf, entry.aead)
    with out.loud(not args.yes):  # the summary a confirmation asks about shows under -q too
        out.err("live transfer request")
        out.err(f"  importer:     {safe_text(importer)}  (as the request claims; not verified)")
        out.err(f"  address:      {safe_text(pairing.url.split('/cxp/')[0])}")
        out.err(f"  fingerprint:  {fingerprint}  (matches the pairing string)")
        out.err(f"  encryption:   {SUITE_TEXT.get(suite, str(suite))}, PSK mode")
        print_request_scope(flt)
        out.err(f"will send from {args.source} as {safe_text(rp_id)}:")
        print_contents(exported, attachments, "  ")
        if dropped:
            out.err(f"  left out (not requested): {out.plural(dropped, 'credential')}")
        print_not_held(read)
    if not args.yes and not confirm(
        f"Send these credentials to '{safe_text(importer, 60)}' at the pairing address?"
    ):
        acknowledged = report_error(pairing, ErrorCode.USER_CANCELED, timeout=args.timeout)
        told = "; the receiver was told" if acknowledged else ""
        out.err(f"cxkit: transfer canceled; nothing sent{told}")
        return 1

    with Progress.for_terminal(quiet=args.json) as progress:
        progress.step("encrypting for the receiver (HPKE)")
        sent = post_response(
            pairing,
            request,
            exported.encode(),
            attachments,
            exporter=rp_id,
            timeout=args.timeout,
            progress=_sending(progress),
        )
    out.err(f"sent {sent:,} encrypted bytes; the receiver checked and accepted the export.")
    out.err(f"note: {args.source} still holds these credentials.")
    return 0
