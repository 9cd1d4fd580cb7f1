"""CXP exchange commands (profile P0, ``docs/profile-p0.md`` §6 and "Command line").

* two-file hand-over (CXP ``indirect`` mode): ``request`` (importer) → ``export`` (exporter) →
  ``import`` (importer);
* passphrase-sealed archive (CXP ``self`` mode): ``seal`` / ``open``.

Secrets (passphrases, recovery codes) never come from a command-line argument: a prompt on a
terminal, ``--passphrase-file``, ``--passphrase-env`` or ``--passphrase-stdin``. Every output is
staged next to its destination with mode 0600 and renamed into place only when everything
succeeded; human messages go to standard error.
"""

from __future__ import annotations

import argparse
import dataclasses
import hmac
import json
import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.report import MigrationReport
from cxkit.cli import _console as out
from cxkit.cli._handover import (
    ATTACHMENTS_HELP,
    ATTACHMENTS_OUT_HELP,
    SUITE_TEXT,
    StagedOutputs,
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
from cxkit.cli._io import add_max_size, check_output, read_input, same_file, write_output
from cxkit.cli._progress import Progress
from cxkit.cli._secrets import (
    add_secret_options,
    ask,
    existing_secret,
    no_terminal,
    safe_text,
    secret_from_source,
)
from cxkit.cli._sources import add_source_options, load_source
from cxkit.crypto.passphrase import (
    DEFAULT_PARAMS,
    MAX_ITERATIONS,
    MAX_MEMORY_KIB,
    MIN_ITERATIONS,
    MIN_MEMORY_KIB,
    Argon2Params,
    InvalidRecoveryCodeError,
    generate_recovery_code,
    is_recovery_code,
    normalize_secret,
)
from cxkit.cxf import model as m
from cxkit.cxp import p0
from cxkit.cxp.messages import (
    MAX_MESSAGE_SIZE,
    ExportRequest,
    ExportResponse,
    credential_type_filter,
    parse_json,
    select_hpke,
)
from cxkit.errors import CxkitError, InputError, OutputError, ProtocolError

MAX_REQUEST_SIZE: Final = 1 << 20
MAX_KEY_FILE_SIZE: Final = 1 << 20

#: ``--suite`` names → (kem, kdf, aead) of profile P0 §2.
SUITES: Final = {
    "x25519": (32, 1, 2),
    "p256": (16, 1, 1),
    "p256-aes256": (16, 1, 2),
    "x25519-export-only": (32, 1, 0xFFFF),
    "p256-export-only": (16, 1, 0xFFFF),
}
_FINGERPRINT_RE: Final = re.compile(r"[0-9a-f]{32}\Z")

INPUT_RULES_HELP: Final = (
    "Passphrases and recovery codes are never taken from the command line: on a terminal cxkit "
    "asks for them; otherwise use --passphrase-file FILE, --passphrase-env VAR or "
    "--passphrase-stdin (first line of standard input)."
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "request",
        help="importer: write an export request and its private key",
        allow_abbrev=False,
        description=(
            "Start a two-file exchange (CXP 'indirect' mode, profile P0): write an ExportRequest "
            "with fresh public keys to -o, and the matching private key to --key (default: "
            "REQUEST.key, mode 0600; it never leaves this machine). Prints the request "
            "fingerprint: check that 'cxkit export' on the other side shows the same one. The "
            "key is single use and expires (default 10 minutes). With --seal-key the key file "
            "is encrypted with a generated recovery code (printed once) or, with --passphrase, "
            "your passphrase. " + INPUT_RULES_HELP
        ),
    )
    p.add_argument("-o", "--output", required=True, metavar="REQUEST", help="request file")
    p.add_argument(
        "--key", metavar="KEYFILE", help="private key file (default: REQUEST.key, mode 0600)"
    )
    p.add_argument(
        "--suite",
        action="append",
        choices=tuple(SUITES),
        help="HPKE suite to offer, in order of preference; repeat for several "
        "(default: x25519 then p256)",
    )
    p.add_argument(
        "--types",
        action="append",
        metavar="TYPE[,TYPE...]",
        help="credential types to ask for (CXF names such as basic-auth,passkey,totp; "
        "default: all)",
    )
    p.add_argument(
        "--importer",
        default="cxkit",
        metavar="RPID",
        help="the importer name the request carries (shown to the exporter; default: cxkit)",
    )
    p.add_argument(
        "--expires-in",
        type=int,
        default=p0.KEY_LIFETIME // 60,
        metavar="MINUTES",
        help="the key's lifetime (default: %(default)s; at most 10080 = one week)",
    )
    p.add_argument(
        "--seal-key", action="store_true", help="encrypt the key file with a recovery code"
    )
    _secret_options(p, new=True)
    _kdf_options(p)
    p.add_argument("--force", action="store_true", help="replace existing files")
    p.set_defaults(handler=cmd_request)

    p = sub.add_parser(
        "export",
        help="exporter: answer an export request with an encrypted response",
        allow_abbrev=False,
        description=(
            "Answer an ExportRequest written by 'cxkit request' (or another CXP importer): show "
            "who asks (the name is not verified), the request fingerprint to compare with the "
            "importer's, and what will be exported (counts by credential type, never values); "
            "after confirmation write the encrypted ExportResponse (profile P0). Only the "
            "credential types the request asks for are exported; the CXF timestamp is set to "
            "now. SOURCE is a CXF file. Confirmation is asked on a terminal; --yes answers it "
            "for scripts (without a terminal and without --yes the export is refused). "
            + ATTACHMENTS_HELP
        ),
    )
    p.add_argument(
        "source",
        metavar="SOURCE",
        help="CXF file, or any export cxkit reads (cxkit formats), to export from",
    )
    add_source_options(p)
    p.add_argument("--request", required=True, metavar="REQUEST", help="the request file")
    p.add_argument("-o", "--output", required=True, metavar="RESPONSE", help="response file")
    p.add_argument("--attachments", metavar="DIR", help="folder with the attachment files")
    p.add_argument(
        "--exporter",
        metavar="RPID",
        help="exporter RP ID to write (default: the source's exporterRpId; needed when the "
        "source has none)",
    )
    p.add_argument(
        "--expect-fingerprint",
        metavar="HEX",
        help="refuse unless the request fingerprint is this (spaces ignored)",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--force", action="store_true", help="replace RESPONSE if it exists")
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser(
        "import",
        help="importer: decrypt a response and write the CXF document",
        allow_abbrev=False,
        description=(
            "Decrypt an ExportResponse made for REQUEST with the key of 'cxkit request', run "
            "every check of profile P0 and the CXF validator, print a summary, and write the "
            "CXF document (unencrypted: import it and delete it) and the attachments. The key "
            "is single use (P0: destroyed after the first response was processed, successfully "
            "or not), so the key file is deleted once the response was tried; mistakes found "
            "before that (wrong file, existing outputs) keep it. " + ATTACHMENTS_OUT_HELP
        ),
    )
    p.add_argument("response", metavar="RESPONSE", help="the response file")
    p.add_argument("--request", required=True, metavar="REQUEST", help="the request file")
    p.add_argument("--key", metavar="KEYFILE", help="the key file (default: REQUEST.key)")
    dest = p.add_mutually_exclusive_group(required=True)
    dest.add_argument("-o", "--output", metavar="OUT", help="CXF output file")
    add_into_options(p, dest)
    p.add_argument("--attachments-out", metavar="DIR", help="folder for the attachments")
    _secret_options(p, new=False)
    p.add_argument("--force", action="store_true", help="replace existing outputs")
    add_max_size(p, MAX_MESSAGE_SIZE)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser(
        "seal",
        help="encrypt a CXF file into a passphrase-sealed archive",
        allow_abbrev=False,
        description=(
            "Write a passphrase-sealed archive (profile P0 §6: Argon2id + the P0 response "
            "format) holding the CXF document unchanged and its attachments. By default the "
            "secret is a generated recovery code (130 bits), printed ONCE to standard error: "
            "store it in a safe place. --passphrase uses your own passphrase instead (asked "
            "twice on a terminal). " + INPUT_RULES_HELP + " " + ATTACHMENTS_HELP
        ),
    )
    p.add_argument(
        "source", metavar="SOURCE", help="CXF file, or any export cxkit reads (cxkit formats)"
    )
    add_source_options(p)
    p.add_argument("-o", "--output", required=True, metavar="ARCHIVE", help="archive file")
    p.add_argument("--attachments", metavar="DIR", help="folder with the attachment files")
    _secret_options(p, new=True)
    _kdf_options(p)
    p.add_argument("--force", action="store_true", help="replace ARCHIVE if it exists")
    add_max_size(p, cxf.DEFAULT_MAX_SIZE)
    p.set_defaults(handler=cmd_seal)

    p = sub.add_parser(
        "open",
        help="decrypt a passphrase-sealed archive",
        allow_abbrev=False,
        description=(
            "Open an archive written by 'cxkit seal' with its recovery code or passphrase, run "
            "the P0 checks and the CXF validator, and write the CXF document (unencrypted) and "
            "its attachments. " + INPUT_RULES_HELP + " " + ATTACHMENTS_OUT_HELP
        ),
    )
    p.add_argument("archive", metavar="ARCHIVE", help="the sealed archive")
    dest = p.add_mutually_exclusive_group(required=True)
    dest.add_argument("-o", "--output", metavar="OUT", help="CXF output file")
    add_into_options(p, dest)
    p.add_argument("--attachments-out", metavar="DIR", help="folder for the attachments")
    _secret_options(p, new=False)
    p.add_argument("--force", action="store_true", help="replace existing outputs")
    add_max_size(p, MAX_MESSAGE_SIZE)
    p.set_defaults(handler=cmd_open)


def _secret_options(p: argparse.ArgumentParser, *, new: bool) -> None:
    if new:
        p.add_argument(
            "--passphrase",
            action="store_true",
            help="use your own passphrase instead of a generated recovery code (it is asked "
            "for, never given here)",
        )
    add_secret_options(p)


def _kdf_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--kdf-memory",
        type=int,
        default=DEFAULT_PARAMS.memory_kib // 1024,
        metavar="MIB",
        help=f"Argon2id memory in MiB (default: %(default)s; {MIN_MEMORY_KIB // 1024} to "
        f"{MAX_MEMORY_KIB // 1024})",
    )
    p.add_argument(
        "--kdf-iterations",
        type=int,
        default=DEFAULT_PARAMS.iterations,
        metavar="N",
        help=f"Argon2id passes (default: %(default)s; {MIN_ITERATIONS} to {MAX_ITERATIONS})",
    )


# --------------------------------------------------------------------------- small helpers


def _kdf_params(args: argparse.Namespace) -> Argon2Params:
    params = Argon2Params(args.kdf_memory * 1024, args.kdf_iterations, 1)
    if not MIN_MEMORY_KIB <= params.memory_kib <= MAX_MEMORY_KIB:
        raise InputError(
            f"--kdf-memory must be {MIN_MEMORY_KIB // 1024} to {MAX_MEMORY_KIB // 1024} MiB"
        )
    if not MIN_ITERATIONS <= params.iterations <= MAX_ITERATIONS:
        raise InputError(f"--kdf-iterations must be {MIN_ITERATIONS} to {MAX_ITERATIONS}")
    return params


def _secret_given(args: argparse.Namespace) -> bool:
    return bool(args.passphrase_file or args.passphrase_env or args.passphrase_stdin)


def _secret_from_source(args: argparse.Namespace) -> str | None:
    """The secret from --passphrase-file/-env/-stdin, or None when none was given."""
    return secret_from_source(args)


_no_terminal = no_terminal
_ask = ask


def _existing_secret(args: argparse.Namespace, what: str) -> str:
    """The secret to open something: from a source, or asked once on a terminal."""
    return existing_secret(args, what)


def _new_secret(args: argparse.Namespace) -> tuple[str, bool]:
    """The secret to seal with and whether cxkit generated it (a recovery code to show)."""
    secret = _secret_from_source(args)
    if secret is None and not args.passphrase:
        return generate_recovery_code(), True
    if secret is None:
        if not sys.stdin.isatty():
            raise _no_terminal("new passphrase")
        secret = _ask("new passphrase: ")
        if not secret:
            raise InputError("no passphrase entered")
        if _ask("the same passphrase again: ") != secret:
            raise InputError("the two passphrases differ; nothing was written")
    try:
        normalize_secret(secret)
    except InvalidRecoveryCodeError:
        raise InputError(
            "this passphrase reads as a mistyped recovery code (28 letters and digits); "
            "cxkit would refuse it when opening",
            hint="add a punctuation mark, or leave out --passphrase to get a real recovery code",
        ) from None
    if not is_recovery_code(secret) and len(secret) < 16:
        out.err(
            "warning: a short passphrase can be guessed; the generated recovery code "
            "(leave out --passphrase) is much stronger"
        )
    return secret, False


def _show_recovery_code(code: str, what: str) -> None:
    out.must(
        f"\nRecovery code for {what} — shown only this once. Write it down or store it in a "
        "password manager;\nwithout it the file cannot be opened:\n\n"
        f"    {code}\n"
    )


def _destroy_file(name: str) -> bool:
    """Overwrite (best effort: SSDs and journals may keep copies) and delete a key file."""
    path = Path(name)
    try:
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------- request


def cmd_request(args: argparse.Namespace) -> int:
    if args.output == "-" and not args.key:
        raise InputError("with -o - pass --key KEYFILE (the key file name derives from -o)")
    key_name = args.key or args.output + ".key"
    if args.output != "-" and _same_file_name(args.output, key_name):
        raise OutputError("the request and the key file must differ", location=key_name)
    if not 1 <= args.expires_in <= 10080:
        raise InputError("--expires-in must be 1 to 10080 minutes")
    if _secret_given(args) and not args.seal_key:
        raise InputError("a passphrase option needs --seal-key (it seals the key file)")
    if args.passphrase and not args.seal_key:
        raise InputError("--passphrase needs --seal-key (it seals the key file)")
    check_output(args.output, force=args.force, inputs=())
    check_output(key_name, force=args.force, inputs=())
    credential_types = parse_types(args.types)
    suites = [SUITES[s] for s in args.suite] if args.suite else list(p0.DEFAULT_SUITES)
    suites = list(dict.fromkeys(suites))
    params = _kdf_params(args) if args.seal_key else DEFAULT_PARAMS
    secret, generated = _new_secret(args) if args.seal_key else (None, False)

    request, key = p0.make_request(
        importer=args.importer,
        suites=suites,
        mode="indirect",
        credential_types=credential_types,
        lifetime=args.expires_in * 60,
    )
    try:
        request_bytes = json.dumps(request.to_json(), separators=(",", ":")).encode() + b"\n"
        key_bytes = p0.serialize_importer_key(key, secret, params=params) + b"\n"
        with StagedOutputs(args.force) as outs:
            outs.stage(Path(key_name), key_bytes)
            if args.output != "-":
                outs.stage(Path(args.output), request_bytes)
            outs.commit()
        del key_bytes
    finally:
        key.destroy()
    if args.output == "-":
        write_output("-", request_bytes)
    fingerprint = p0.request_fingerprint(request)
    where = "standard output" if args.output == "-" else args.output
    sealed = " (sealed)" if args.seal_key else ""
    out.err(f"wrote {where} (export request; no secrets)")
    out.err(f"wrote {key_name} (private key{sealed}, mode 0600; keep it on this machine)")
    # the importer compares it with what 'cxkit export' shows: needed even under --quiet
    out.must(
        f"request fingerprint:  {fingerprint}"
        if out.QUIET
        else f"\nrequest fingerprint:  {fingerprint}\n"
    )
    expires = key.expires_at or 0
    out.err(
        "next:\n"
        f"  1. carry {where} to the exporting side (it holds only public keys);\n"
        "  2. there run:  cxkit export SOURCE --request REQUEST -o response.json\n"
        "     and go on only if it shows exactly the fingerprint above (this is what stops a\n"
        "     swapped request from sending your credentials to someone else);\n"
        f"  3. bring the response back and run:\n"
        f"     cxkit import response.json --request {where} --key {key_name} -o OUT\n"
        f"the key works once and expires at {utc(expires)} "
        f"({out.plural(args.expires_in, 'minute')})."
    )
    if generated and secret is not None:
        _show_recovery_code(secret, key_name)
    return 0


def _same_file_name(a: str, b: str) -> bool:
    return Path(a).absolute() == Path(b).absolute() or same_file(Path(a), Path(b))


# --------------------------------------------------------------------------- export


def _normalize_fingerprint(text: str) -> str:
    return "".join(text.split()).replace("-", "").replace(":", "").lower()


def cmd_export(args: argparse.Namespace) -> int:
    if not args.yes and not sys.stdin.isatty():
        raise InputError(
            "refusing to export without confirmation: standard input is not a terminal",
            hint="check the request fingerprint, then pass --yes (and --expect-fingerprint)",
        )
    check_output(args.output, force=args.force, inputs=[args.source, args.request])
    request_bytes = read_input(args.request, MAX_REQUEST_SIZE)
    try:
        request = ExportRequest.parse(request_bytes, max_size=MAX_REQUEST_SIZE)
    except CxkitError as exc:
        exc.location = f"{args.request}: {exc.location}" if exc.location else args.request
        raise
    fingerprint = p0.request_fingerprint(request)
    if args.expect_fingerprint is not None:
        expected = _normalize_fingerprint(args.expect_fingerprint)
        if not _FINGERPRINT_RE.match(expected):
            raise InputError("--expect-fingerprint must be 32 hexadecimal digits")
        if not hmac.compare_digest(expected, fingerprint.replace(" ", "")):
            raise ProtocolError(
                "the request fingerprint differs from the expected one; nothing exported",
                hint="the request may have been swapped; ask the importer for a new one",
            )
    read = MigrationReport()
    with Progress.for_terminal(quiet=args.json) as progress:
        doc, from_source, _ = load_source(
            args.source, args, max_size=args.max_size, progress=progress, report=read
        )
    flt = credential_type_filter(request)
    exported, dropped = filter_document(doc, flt)
    header = exported.header
    rp_id = args.exporter or header.exporter_rp_id
    if not rp_id:
        raise InputError(
            "the source names no exporter (no exporterRpId)",
            location=args.source,
            hint="pass --exporter RPID",
        )
    header = cxf.replace(
        header,
        exporter_rp_id=rp_id,
        exporter_display_name=header.exporter_display_name or rp_id,
        timestamp=int(time.time()),
        version=header.version if not exported.account_root else m.CXF_VERSION,
    )
    exported = dataclasses.replace(exported, header=header, account_root=False)
    attachments = attachments_for(exported, args.attachments, from_source)

    _, entry, _ = select_hpke(request, p0.SUPPORTED_SUITES)
    suite = (entry.kem, entry.kdf, entry.aead)
    importer = request.importer or "(no name)"
    with out.loud(not args.yes):  # the summary a confirmation asks about shows under -q too
        out.err("export request")
        out.err(f"  importer:     {safe_text(importer)}  (as the request claims; not verified)")
        out.err(f"  fingerprint:  {fingerprint}")
        out.err("                ↑ must equal what 'cxkit request' showed on the importing side")
        out.err(f"  encryption:   {SUITE_TEXT.get(suite, str(suite))}")
        print_request_scope(flt)
        out.err(f"will export from {args.source} as {safe_text(rp_id)}:")
        print_contents(exported, attachments, "  ")
        if dropped:
            out.err(f"  left out (not requested): {out.plural(dropped, 'credential')}")
        print_not_held(read)
    if not args.yes and not confirm(
        f"Encrypt these credentials for '{safe_text(importer, 60)}' and write {args.output}?"
    ):
        out.err("cxkit: export canceled; nothing written")
        return 1

    with Progress.for_terminal(quiet=args.json) as progress:
        progress.step("encrypting for the importer (HPKE)")
        response = p0.seal_response(request, exported.encode(), attachments, exporter=rp_id)
        progress.step("writing")
        write_output(args.output, response, force=args.force, inputs=[args.source, args.request])
    where = "standard output" if args.output == "-" else args.output
    out.err(
        f"wrote {where} (encrypted export response, {len(response):,} bytes, mode 0600)\n"
        "next: give it to the importer; only the holder of the request's key can read it.\n"
        f"note: {args.source} still holds these credentials."
    )
    return 0


# --------------------------------------------------------------------------- import


def cmd_import(args: argparse.Namespace) -> int:
    key_name = args.key or args.request + ".key"
    inputs = [args.response, args.request, key_name]
    if args.passphrase_stdin and "-" in (args.response, args.request, key_name):
        raise InputError("--passphrase-stdin cannot be used when an input is standard input")
    into = prepare_into(args, inputs=inputs) if args.into else None  # before the key is used
    if into is None:
        check_output(args.output, force=args.force, inputs=inputs)
        if args.attachments_out:
            check_folder_target(args.attachments_out, force=args.force)
        elif args.output != "-":
            check_folder_target(args.output + ".attachments", force=args.force)

    request_bytes = read_input(args.request, MAX_REQUEST_SIZE)
    try:
        request = ExportRequest.parse(request_bytes, max_size=MAX_REQUEST_SIZE)
    except CxkitError as exc:
        exc.location = f"{args.request}: {exc.location}" if exc.location else args.request
        raise
    key = _load_key(args, key_name)
    if not hmac.compare_digest(key.request_sha256, p0.request_digest(request)):
        raise ProtocolError(
            "the key file does not belong to this request",
            location=key_name,
            hint="use the key file written together with the request",
        )
    response_bytes = read_input(args.response, args.max_size)
    try:
        response = ExportResponse.parse(response_bytes, max_size=args.max_size)
    except CxkitError as exc:
        exc.location = f"{args.response}: {exc.location}" if exc.location else args.response
        raise
    del response_bytes

    # From here on the key has been used: P0 destroys it whatever happens (single use, T4).
    try:
        opened = p0.open_response(response, request, key)
        out.err("export response")
        out.err(f"  exporter:     {safe_text(opened.exporter)}")
        out.err(f"  fingerprint:  {opened.request_fingerprint}  (request {args.request})")
        out.err(f"  encryption:   {SUITE_TEXT.get(opened.suite, str(opened.suite))}")
        if opened.timestamp is not None:
            out.err(f"  exported at:  {utc(opened.timestamp)}")
        doc = cxf.decode(opened.cxf_json)
        out.err("contents:")
        print_contents(doc, opened.attachments, "  ")
        errors = print_findings(cxf.validate(doc, attachments=opened.attachments))
        if into is not None:
            failed = write_into(args, opened, into)
        else:
            folder, written = write_result(args, opened, doc)
    finally:
        key.destroy()
        destroyed = _destroy_file(key_name) if key_name != "-" else False
        if key_name != "-":
            if destroyed:
                out.err(f"deleted {key_name} (the key is single use)")
            else:
                out.err(f"warning: could not delete {key_name}; delete it yourself")
    out.err(f"you can now delete {args.request} and {args.response}.")
    if into is not None:
        return failed or (1 if errors else 0)
    report_written(args, folder, written, len(opened.cxf_json))
    return 1 if errors else 0


def _load_key(args: argparse.Namespace, key_name: str) -> p0.ImporterKey:
    data = read_input(key_name, MAX_KEY_FILE_SIZE)
    try:
        obj = parse_json(data, max_size=MAX_KEY_FILE_SIZE, what="importer key file")
        secret = None
        if isinstance(obj, Mapping) and obj.get("profile") == "cxp-profile-p0-secret":
            secret = _existing_secret(args, f"passphrase or recovery code for {key_name}")
        elif _secret_given(args):
            raise InputError("the key file is not sealed; leave out the passphrase option")
        return p0.parse_importer_key(data, secret)
    except CxkitError as exc:
        if exc.location is None:
            exc.location = key_name
        raise


# --------------------------------------------------------------------------- seal / open


def cmd_seal(args: argparse.Namespace) -> int:
    check_output(args.output, force=args.force, inputs=[args.source])
    if args.passphrase_stdin and args.source == "-":
        raise InputError("--passphrase-stdin cannot be used when SOURCE is standard input")
    params = _kdf_params(args)
    read = MigrationReport()
    with Progress.for_terminal(quiet=args.json) as progress:
        doc, from_source, _ = load_source(
            args.source, args, max_size=args.max_size, progress=progress, report=read
        )
        if doc.account_root or not doc.header.exporter_rp_id:
            raise InputError(
                "the source has no CXF Header with an exporterRpId, which the archive needs",
                location=args.source,
            )
        attachments = attachments_for(doc, args.attachments, from_source)
        with progress.paused():
            secret, generated = _new_secret(args)
        progress.step("sealing (Argon2id key derivation, then encryption)")
        archive = p0.seal_archive(doc.encode(), attachments, secret, params=params)
        progress.step("writing")
        write_output(args.output, archive, force=args.force, inputs=[args.source])
    where = "standard output" if args.output == "-" else args.output
    out.err(f"wrote {where} (sealed archive, {len(archive):,} bytes, mode 0600):")
    print_contents(doc, attachments, "  ")
    print_not_held(read)
    if generated:
        _show_recovery_code(secret, where)
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    if args.passphrase_stdin and args.archive == "-":
        raise InputError("--passphrase-stdin cannot be used when ARCHIVE is standard input")
    into = None
    if args.into:
        into = prepare_into(args, inputs=[args.archive])
    else:
        check_output(args.output, force=args.force, inputs=[args.archive])
        if args.attachments_out:
            check_folder_target(args.attachments_out, force=args.force)
        elif args.output != "-":
            check_folder_target(args.output + ".attachments", force=args.force)
    data = read_input(args.archive, args.max_size)
    secret = _existing_secret(args, f"recovery code or passphrase for {args.archive}")
    try:
        opened = p0.open_archive(data, secret, max_size=args.max_size)
    except CxkitError as exc:
        if exc.location is None:
            exc.location = args.archive
        raise
    del data, secret
    doc = cxf.decode(opened.cxf_json)
    out.err(f"archive {args.archive}")
    out.err(f"  exporter:     {safe_text(opened.exporter)}")
    if opened.timestamp is not None:
        out.err(f"  exported at:  {utc(opened.timestamp)}")
    print_contents(doc, opened.attachments, "  ")
    errors = print_findings(cxf.validate(doc, attachments=opened.attachments))
    if into is not None:
        return write_into(args, opened, into) or (1 if errors else 0)
    folder, written = write_result(args, opened, doc)
    report_written(args, folder, written, len(opened.cxf_json))
    return 1 if errors else 0
