"""Issue #14's "done when", checked on the real samples: every authenticator export in
``../shared/exports/`` converts into Aegis, 2FAS, an ``otpauth://`` list, KDBX and Bitwarden JSON,
and every TOTP the destination holds gives the same codes as the source's (the proof ``cxkit
convert`` runs: the destination read back, codes compared at fixed instants).

Passwords are the ones ``../shared/exports/README.md`` gives for each sample.
"""

from __future__ import annotations

import pytest

from cxkit import adapters
from cxkit.adapters.base import ReadOptions, WriteOptions
from cxkit.adapters.report import MigrationReport
from cxkit.cxf import model as m
from shared_evidence import SHARED, shared_files, shared_path

#: sample (under exports/) → its password (README "Passwords and key files")
PASSWORDS = {
    "2fas/aegis/2fas_authenticator_encrypted.2fas": "test",
    "2fas/aegis/2fas_authenticator_encrypted_v3.2fas": "test",
    "2fas/proton/encrypted.2fas": "test",
    "aegis/aegis/aegis_encrypted.json": "test",
    "aegis/pass-import/aegiscipher.json": "correct horse battery staple",
    "aegis/proton/aegis-json-encrypted-test.json": "test",
    "andotp/aegis/andotp_encrypted_old.bin": "test",
    "andotp/pass-import/andotp.json.aes": "correct horse battery staple",
    "authenticator-plus/aegis/authenticator_plus.zip": "testtesttest",
    "authy/aegis/authy_encrypted.xml": "testtest",
    "ente/proton/encrypted.lowcomplexity.txt": "password",
    "freeotp/aegis/freeotp_v2_api23.xml": "test",
    "freeotp/aegis/freeotp_v2_api25.xml": "test",
    "freeotp/aegis/freeotp_v2_api27.xml": "test",
    "freeotp/aegis/freeotp_v2_api34.xml": "test",
    "freeotp/aegis/freeotp_v2_null_algo.xml": "test",
    "stratum/aegis/stratum_encrypted.bin": "test",
    "stratum/aegis/stratum_encrypted_legacy.bin": "test",
    "totp-authenticator/aegis/totp_authenticator.bin": "Testtest1",
}

#: sample → reader key, where the file carries no signature of its own (``--from``)
FROM = {"andotp/aegis/andotp_encrypted_old.bin": "andotp"}

#: the authenticator apps' folders of ../shared/exports (issue #14's list)
FOLDERS = (
    "2fas", "aegis", "andotp", "google-authenticator", "ente", "freeotp", "authy", "battle-net",
    "bitwarden-authenticator", "duo", "lastpass-authenticator", "microsoft-authenticator",
    "proton-authenticator", "steam", "stratum", "totp-authenticator", "authenticator-plus",
    "gnome-authenticator", "otpauth-uris",
)  # fmt: skip
#: files in those folders that are not exports: passwords, expected values, the OpenPGP-wrapped
#: andOTP backup (decrypted by gpg first: ``gpg --decrypt FILE | cxkit convert -``)
NOT_EXPORTS = ("password", ".expected.json", ".gpg")

SAMPLES = [
    path.relative_to(SHARED / "exports").as_posix()
    for folder in FOLDERS
    for path in shared_files(f"exports/{folder}")
    if not path.name.endswith(NOT_EXPORTS)
] or ["(../shared is absent)"]

DESTINATIONS = ("aegis-json", "2fas", "otpauth-uris", "keepass-kdbx", "bitwarden-json")
NEW_PASSWORD = "migration-test-pw"


@pytest.mark.shared
@pytest.mark.parametrize("sample", SAMPLES)
def test_every_totp_survives_every_destination(sample: str) -> None:
    path = shared_path("exports", *sample.split("/"))
    password = PASSWORDS.get(sample)
    read_options = ReadOptions(password=None if password is None else (lambda _prompt: password))
    source, _ = adapters.read(
        path.read_bytes(), path.name, source_format=FROM.get(sample), options=read_options
    )
    totps = [c for _, i in source.items() for c in i.credentials if isinstance(c, m.Totp)]
    assert list(source.items()), f"{sample}: nothing read"
    if not totps:  # only HOTP / unsupported entries (kept as custom fields, reported)
        return
    for dest in DESTINATIONS:
        report = MigrationReport()
        kdbx = dest == "keepass-kdbx"
        output, _ = adapters.write(
            source,
            dest,
            options=WriteOptions(password=(lambda _p: NEW_PASSWORD) if kdbx else None),
            report=report,
        )
        adapters.prove_totp(source, output, dest, report, password=NEW_PASSWORD if kdbx else None)
        proof = report.totp
        assert proof is not None and proof["state"] == "checked", (sample, dest, proof)
        assert proof["failed"] == 0, (sample, dest, proof["failures"])
        # every TOTP of every sample is carried and compared (Steam included: each of these
        # formats has a place for it); none is left out or unusable
        assert proof["checked"] == proof["matched"] == len(totps), (sample, dest, proof)
