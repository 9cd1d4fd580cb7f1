"""The cxkit passphrase-sealed archive (CXP profile P0 §4.2, ``cxkit seal`` / ``cxkit open``)
as a format like any other: a valid SOURCE and DEST of ``cxkit convert``.

Read: :func:`~cxkit.cxp.p0.open_archive` with the secret from :attr:`ReadOptions.password`
(asked as "passphrase or recovery code"), the CXF document decoded as the CXF JSON adapter does
and the attachment bytes put into :attr:`ReadOptions.attachments`. Write: the normalised CXF
JSON (as the CXF JSON adapter writes it) sealed with :func:`~cxkit.cxp.p0.seal_archive` and the
attachment bytes of :attr:`WriteOptions.attachments`. The secret is :attr:`WriteOptions.password`
when given; otherwise, when :attr:`WriteOptions.on_recovery_code` is set, a fresh recovery code
is generated and handed to that hook (the caller shows it once, after the output is written);
with neither, :class:`~cxkit.adapters.PasswordNeededError`.
"""

from __future__ import annotations

from typing import Final

import msgspec

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    PasswordNeededError,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.cxfjson import CxfJsonAdapter
from cxkit.adapters.report import MigrationReport
from cxkit.crypto.passphrase import (
    InvalidRecoveryCodeError,
    generate_recovery_code,
    normalize_secret,
)
from cxkit.cxf import model as m
from cxkit.cxp import p0
from cxkit.errors import AdapterError, CxkitError, InputError

__all__ = ["ARCHIVE_KEYS", "SealedArchiveAdapter"]

#: The top-level members of a sealed archive (exactly these; ``profile`` names it).
ARCHIVE_KEYS: Final = frozenset({"profile", "kdf", "request", "response"})

READ_PROMPT: Final = "passphrase or recovery code for the sealed archive"
WRITE_PROMPT: Final = "new passphrase or recovery code for the sealed archive"
DEFAULT_RP_ID: Final = "cxkit"


class SealedArchiveAdapter:
    info: Final = AdapterInfo(
        key="cxkit-sealed",
        app="cxkit",
        format="passphrase-sealed CXF archive (CXP profile P0, cxkit seal / cxkit open)",
        versions="cxp-profile-p0-file (CXF 1.0, CXP 1.0)",
        capabilities=(
            Capability.READ | Capability.WRITE | Capability.ENCRYPTED | Capability.RECOVERY_CODE
        ),
        credential_types=frozenset(m.CREDENTIAL_TYPES),
        how_to_import=(
            "cxkit open ARCHIVE (the recovery code or passphrase is asked for) gives the CXF "
            "document; cxkit convert ARCHIVE -o vault.kdbx (or --to any format) goes straight to "
            "another app's format."
        ),
        how_to_export=(
            "'cxkit seal SOURCE.json -o vault.cxp', or 'cxkit convert EXPORT -o vault.cxp' from "
            "any format cxkit reads. The archive is sealed with a recovery code that cxkit "
            "generates and prints once (or a passphrase: --new-password-file/-env); it holds "
            "the CXF document and its attachments, encrypted (HPKE, Argon2id)."
        ),
        extensions=(".cxp",),
        json_keys=ARCHIVE_KEYS,
        plaintext=False,
    )

    def accepts(self, sample: Sample) -> Confidence:
        if "profile" not in sample.json_keys:
            return Confidence.NO
        if sample.json_member("profile") == p0.ARCHIVE_PROFILE:
            return Confidence.CERTAIN if sample.json_keys == ARCHIVE_KEYS else Confidence.LIKELY
        return Confidence.MAYBE if sample.json_keys == ARCHIVE_KEYS else Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        if options.password is None:
            raise PasswordNeededError(
                "this archive is sealed with a passphrase or recovery code",
                location=sample.name or None,
            )
        secret = options.password(READ_PROMPT)
        try:
            opened = p0.open_archive(sample.data, secret, max_size=options.max_size)
        except CxkitError as exc:
            if exc.location is None and sample.name:
                exc.location = sample.name
            raise
        finally:
            del secret
        report.encrypted = True
        inner = Sample(name=f"{sample.name} (opened)", data=opened.cxf_json)
        doc = CxfJsonAdapter().read(inner, options, report)
        options.attachments.update(opened.attachments)
        return doc

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        plain = CxfJsonAdapter().write(_with_exporter(doc), options, report)
        report.encrypted = True
        report.plaintext = False
        if report.dry_run:  # nothing is written: no secret asked or generated, no key derived
            return plain
        attachments = _attachments(doc, options)
        if options.password is not None:
            secret = options.password(WRITE_PROMPT)
            _check_new_secret(secret)
        elif options.on_recovery_code is not None:
            secret = generate_recovery_code()
        else:
            raise PasswordNeededError(
                "a passphrase (or a recovery-code hook) is needed to write a sealed archive"
            )
        sealed = p0.seal_archive(plain, attachments, secret)
        if options.password is None and options.on_recovery_code is not None:
            options.on_recovery_code(secret)  # only once the archive exists
        del secret
        return sealed


def _with_exporter(doc: cxf.Document) -> cxf.Document:
    """*doc* as a Header root with an ``exporterRpId`` (the archive names its exporter)."""
    header = doc.header
    if header.exporter_rp_id:
        return doc
    header = msgspec.structs.replace(
        header,
        exporter_rp_id=DEFAULT_RP_ID,
        exporter_display_name=header.exporter_display_name or "cxkit",
    )
    return cxf.Document(header)


def _attachments(doc: cxf.Document, options: WriteOptions) -> dict[str, bytes]:
    """The attachment bytes of every ``file`` credential of *doc* (others are not sealed)."""
    wanted = {c.id for _, item in doc.items() for c in item.credentials if isinstance(c, m.File)}
    missing = sorted(wanted - set(options.attachments))
    if missing:
        raise AdapterError(
            f"no bytes for attachment {missing[0]} (a 'file' credential): the archive must "
            "hold every attachment",
            hint="for a CXF JSON source with attachments use 'cxkit seal SOURCE --attachments DIR'",
        )
    return {fid: bytes(options.attachments[fid]) for fid in sorted(wanted)}


def _check_new_secret(secret: str) -> None:
    try:
        normalize_secret(secret)
    except InvalidRecoveryCodeError:
        raise InputError(
            "this passphrase reads as a mistyped recovery code (28 letters and digits); "
            "it could not be used to open the archive",
            hint="add a punctuation mark, or give no new password to get a generated recovery code",
        ) from None
