"""``cxkit demo``: the whole pipeline on the built-in samples, in one command.

Reads the sample CXF file shipped with cxkit, validates it, re-encodes it losslessly, proves that
every passkey still signs in (a WebAuthn assertion checked by an independent relying-party
library), and seals it into a passphrase-protected P0 archive and opens it again. Then migrates
the built-in Bitwarden export (logins with TOTP and passkeys, a card, an identity, a note, custom
fields) to CXF as ``cxkit convert`` does and shows the migration report and the passkey checks.
Nothing is written unless ``--out DIR`` is given.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import resources
from pathlib import Path
from typing import Any

from cxkit import cxf
from cxkit.cli import _console as out
from cxkit.cli._io import write_output
from cxkit.cli.commands.cxf import summarize
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import OutputError

SAMPLE = "sample-vault.cxf.json"
SAMPLE_ATTACHMENT = "sample-vault.file-1.bin"
BITWARDEN_SAMPLE = "sample-bitwarden.json"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="run cxkit on its built-in sample vault",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="also write the samples (sample-vault.cxf.json, its attachment, a sealed "
        "sample-vault.cxp with recovery code in sample-vault.recovery.txt, and the Bitwarden "
        "export sample-bitwarden.json) into DIR, to try other commands on",
    )
    p.add_argument("--force", action="store_true", help="replace files in DIR")
    p.set_defaults(handler=cmd_demo)


def sample_bytes() -> tuple[bytes, bytes]:
    """The built-in sample vault and its one attachment."""
    folder = resources.files("cxkit.samples")
    return folder.joinpath(SAMPLE).read_bytes(), folder.joinpath(SAMPLE_ATTACHMENT).read_bytes()


def bitwarden_sample_bytes() -> bytes:
    """The built-in Bitwarden JSON export (made by ``scripts/make_bitwarden_sample.py``)."""
    return resources.files("cxkit.samples").joinpath(BITWARDEN_SAMPLE).read_bytes()


def cmd_demo(args: argparse.Namespace) -> int:
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise OutputError("is a file, not a folder", location=args.out, hint="give a folder")
    data, attachment = sample_bytes()
    print(f"== 1. read the built-in sample ({len(data):,} bytes of CXF 1.0 JSON)")
    t0 = time.perf_counter()
    doc = cxf.decode(data)
    file_ids = [c.id for _, item in doc.items() for c in item.credentials if isinstance(c, m.File)]
    attachments = dict.fromkeys(file_ids, attachment)
    findings = cxf.validate(doc, attachments=attachments)
    summary = summarize(doc, findings)
    types = ", ".join(f"{k} {v}" for k, v in summary["credentials_by_type"].items())
    account = summary["accounts"][0]
    print(
        f"   exporter {summary['exporter']['name']}; {account['items']} items, {account['credentials']} credentials: {types}"
    )
    print(
        f"   kept although unknown to CXF 1.0: {', '.join(summary['unknown_credential_types'])} and {summary['unknown_members']} unknown member(s)"
    )

    print("== 2. validate against the CXF 1.0 checklist")
    counts = out.severity_counts(findings)
    print(
        f"   {out.plural(counts['error'], 'error')}, {out.plural(counts['warning'], 'warning')}, {counts['info']} info"
    )
    for f in findings:
        print(f"   {f.severity}: {f.path}: {f.message} [{f.code}]")

    print("== 3. lossless round trip")
    again = doc.encode()
    same = json.loads(again) == json.loads(data)
    print(f"   decode → encode keeps every member and value: {'yes' if same else 'NO'}")

    print(
        "== 4. passkeys: sign a WebAuthn assertion with each key, verify it as a relying party would"
    )
    failed = _verify_passkeys(doc)

    print("== 5. seal into an encrypted P0 archive (Argon2id + HPKE) and open it again")
    sealed, code, opened_ok = _seal_round_trip(data, attachments)
    print(
        f"   sealed {len(sealed):,} bytes with a generated recovery code; opened and identical: {'yes' if opened_ok else 'NO'}"
    )

    bitwarden = bitwarden_sample_bytes()
    print(
        f"== 6. migrate a Bitwarden export to CXF ({len(bitwarden):,} bytes of Bitwarden JSON, "
        "as cxkit convert does)"
    )
    migrated_ok = _migrate(bitwarden)

    if args.out:
        _write_sample(Path(args.out), data, attachment, sealed, code, force=args.force)
        write_output(str(Path(args.out) / BITWARDEN_SAMPLE), bitwarden, force=args.force)
        print(f"   wrote {BITWARDEN_SAMPLE} into {args.out} (mode 0600)")
    elapsed = time.perf_counter() - t0
    ok = same and opened_ok and not failed and counts["error"] == 0 and migrated_ok
    print(
        f"== {'all good' if ok else 'PROBLEMS FOUND'} ({elapsed:.2f} s). Try it on your own files: cxkit validate FILE, cxkit inspect FILE, cxkit passkeys verify FILE, cxkit convert EXPORT -o vault.cxf.json"
    )
    return 0 if ok else 1


def _migrate(data: bytes) -> bool:
    """Bitwarden sample → CXF through :func:`cxkit.adapters.convert` (every passkey verified);
    prints the migration report's summary. True when everything was carried and verified."""
    from cxkit import adapters

    conversion = adapters.convert(data, BITWARDEN_SAMPLE, to=adapters.cxf_format())
    report = conversion.report
    assert conversion.output is not None
    summary = report.credential_summary()
    print(
        f"   read as {report.source_format}: {report.items_read} items → "
        f"{len(conversion.output):,} bytes of CXF JSON"
        + (f", {len(report.items_skipped)} skipped" if report.items_skipped else "")
    )
    rows = [
        [ctype, str(e["carried"]), str(e["transformed"]), str(e["not_carried"])]
        for ctype, e in summary.items()
    ]
    table = out.table(rows, header=["credential", "carried", "transformed", "not carried"])
    print("\n".join("   " + line for line in table.splitlines()))
    for entry in summary.values():
        for e in entry["transformed_items"]:
            print(f"   transformed: {e['item']}: {e['how']}")
        for e in entry["not_carried_items"]:
            print(f"   not carried: {e['item']}: {e['why']}")
    counts = report.field_counts()
    print(
        f"   {len(report.fields)} source fields accounted for: {counts['member']} CXF members, "
        f"{counts['custom-field']} custom fields, {counts['extension']} cxkit bookkeeping "
        "(ids, exact dates: for converting back), "
        f"{counts['not-carried']} not carried"
    )
    failed = report.passkeys_failed()
    print(
        f"   passkeys: {len(report.passkeys)} checked (WebAuthn assertion signed and verified), "
        f"{len(report.passkeys) - failed} verified, {failed} failed"
    )
    not_carried = sum(e["not_carried"] for e in summary.values()) + counts["not-carried"]
    return failed == 0 and not report.items_skipped and not_carried == 0 and bool(report.passkeys)


def _verify_passkeys(doc: cxf.Document) -> int:
    from cxkit.passkey import verify_passkey

    rows, failed = [], 0
    for _, item in doc.items():
        for c in item.credentials:
            if not isinstance(c, m.Passkey):
                continue
            check = verify_passkey(
                key=b64.decode(c.key),
                credential_id=b64.decode(c.credential_id),
                rp_id=c.rp_id,
                user_handle=b64.decode(c.user_handle) if c.user_handle else None,
            )
            failed += not check.ok
            algorithm = check.algorithm.label if check.algorithm is not None else "?"
            result = (
                "verified" if check.ok else "FAILED " + ",".join(f.code for f in check.findings)
            )
            rows.append([item.title, c.rp_id, c.username, algorithm, result])
    print(
        "\n".join(
            "   " + line
            for line in out.table(
                rows, header=["item", "rpId", "username", "algorithm", "result"]
            ).splitlines()
        )
    )
    print(f"   {len(rows)} passkeys: {len(rows) - failed} verified, {failed} failed")
    return failed


def _seal_round_trip(data: bytes, attachments: dict[str, bytes]) -> tuple[bytes, str, bool]:
    from cxkit.crypto.passphrase import generate_recovery_code
    from cxkit.cxp.p0 import open_archive, seal_archive

    code = generate_recovery_code()
    sealed = seal_archive(data, attachments, code)
    opened = open_archive(sealed, code)
    ok = opened.cxf_json == data and opened.attachments == attachments
    return sealed, code, ok


def _write_sample(
    folder: Path, data: bytes, attachment: bytes, sealed: bytes, code: str, *, force: bool
) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder: {exc.strerror}", location=str(folder)) from None
    doc = cxf.decode(data)
    file_id = next(
        c.id for _, item in doc.items() for c in item.credentials if isinstance(c, m.File)
    )
    files = {
        "sample-vault.cxf.json": data,
        file_id: attachment,
        "sample-vault.cxp": sealed,
        "sample-vault.recovery.txt": (code + "\n").encode(),
    }
    for name, content in files.items():
        write_output(str(folder / name), content, force=force)
    print(
        f"   wrote {', '.join(files)} into {folder} (mode 0600; the attachment is named by its File.id)"
    )
