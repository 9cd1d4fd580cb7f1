"""Issue #17 item 1: each internal-error class of the hostile corpus is a result or a cxkit error.

Exit 70 is the CLI's "this is a bug in cxkit"; none of these inputs may reach it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _docs import deep, document, dumps, passkey

from cxkit import cxf
from cxkit.adapters import write
from cxkit.adapters.report import MigrationReport, Outcome
from cxkit.cli.main import main
from cxkit.crypto.passphrase import Argon2Params
from cxkit.cxp import p0
from cxkit.errors import CxkitError, DecodeError

HUGE = (2**63, 2**64 - 1)


@pytest.mark.parametrize("ts", HUGE)
def test_huge_timestamps_inspect(
    tmp_path: Path, ts: int, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.cxf.json"
    src.write_bytes(dumps(document(timestamp=ts, item={"creationAt": ts, "modifiedAt": ts})))
    assert main(["inspect", str(src)]) == 0
    assert f"{ts} (no date)" in capsys.readouterr().out


@pytest.mark.parametrize("ts", HUGE)
@pytest.mark.parametrize("fmt", ["bitwarden-json", "chrome-csv", "1password-csv", "nordpass-csv"])
def test_huge_timestamps_writers(ts: int, fmt: str) -> None:
    doc = cxf.decode(dumps(document(item={"creationAt": ts, "modifiedAt": ts})))
    data, _ = write(doc, fmt, report=MigrationReport())
    assert data


@pytest.mark.parametrize("ts", HUGE)
def test_huge_timestamps_convert_cli(tmp_path: Path, ts: int) -> None:
    src = tmp_path / "in.cxf.json"
    src.write_bytes(dumps(document(item={"creationAt": ts, "modifiedAt": ts})))
    out = tmp_path / "out.json"
    rc = main(["convert", str(src), "-o", str(out), "--to", "bitwarden-json", "--plaintext", "-q"])
    assert rc == 0 and out.exists()


def test_utc_datetime_bounds() -> None:
    assert cxf.utc_datetime(0) is not None
    for ts in (*HUGE, -(2**63), 10**20):
        assert cxf.utc_datetime(ts) is None
    assert cxf.format_utc(2**64 - 1, "%Y", out_of_range="?") == "?"


@pytest.mark.parametrize("bad", ["Zq9Zq", "Zq9Zq9Zq9", "Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9"])
def test_bitwarden_writer_passkey_bad_base64url(bad: str) -> None:
    """A passkey whose credentialId matches B64's alphabet but has an impossible length (a model
    built in code, or a lenient reader): the credential is not carried, the rest is written."""
    good = cxf.decode(dumps(document(passkey())))
    account = good.accounts[0]
    item = account.items[0]
    broken = cxf.replace(item.credentials[0], credential_id=bad)
    item2 = cxf.replace(item, credentials=(broken,))
    doc = cxf.Document(cxf.replace(good.header, accounts=(cxf.replace(account, items=(item2,)),)))
    report = MigrationReport()
    data, _ = write(doc, "bitwarden-json", report=report)
    assert b"fido2Credentials" in data
    outcomes = [r.outcome for r in report.credentials if r.stage == "write"]
    assert outcomes == [Outcome.NOT_CARRIED]
    assert bad not in report.render()


def test_deep_cxf_decode_is_decode_error() -> None:
    with pytest.raises(DecodeError):
        cxf.decode(deep())


def test_deep_cxf_in_sealed_archive() -> None:
    params = Argon2Params(8, 1, 1)
    with pytest.raises(CxkitError, match="nested too deeply"):
        archive = p0.seal_archive(deep(), None, "correct horse battery", params=params,
                                  enforce_minimums=False)  # fmt: skip
        p0.open_archive(archive, "correct horse battery", enforce_minimums=False)


def test_deep_cxf_in_cxp_response() -> None:
    request, key = p0.make_request(importer="importer.example")
    with pytest.raises(CxkitError, match="nested too deeply"):
        response = p0.seal_response(request, deep())
        p0.open_response(response, request, key)
