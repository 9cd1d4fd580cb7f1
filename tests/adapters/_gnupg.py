"""The GnuPG test keyring of ``../shared/exports/pass-import-gnupg/`` (keys without a
passphrase), copied to a private folder (gpg refuses a home it cannot write or that others can
read) — for the tests of the formats read through ``gpg`` (password store, Proton Pass PGP)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared_evidence import SHARED

#: The key the sample store is encrypted to (``password-store/pass-import/pass/.gpg-id``)
KEY1 = "D4C78DB7920E1E27F5416B81CC9DB947CF90C77B"
KEY2 = "70BD448330ACF0653645B8F2B4DDBFF0D774A374"
STORE = SHARED / "exports" / "password-store" / "pass-import" / "pass"


def needs_gpg() -> None:
    if shutil.which("gpg") is None:
        pytest.skip("gpg (GnuPG) is not installed (CI installs it: .ci/run)")


def test_keyring(folder: Path) -> Path:
    """A private copy of the test keyring in *folder*/gnupg (skips without gpg or ../shared)."""
    needs_gpg()
    source = SHARED / "exports" / "pass-import-gnupg"
    if not source.is_dir():
        pytest.skip(f"outside evidence not found at {SHARED} (CI provides ../shared)")
    home = folder / "gnupg"
    shutil.copytree(source, home)
    home.chmod(0o700)
    for path in home.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    return home


def stop_daemons(home: Path) -> None:
    """Stop the gpg-agent and dirmngr that gpg started for *home* (they outlive the test)."""
    if shutil.which("gpgconf") is not None:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


test_keyring.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test
