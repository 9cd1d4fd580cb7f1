"""``cxkit demo``: the built-in Bitwarden migration step (the README's main job) and its sample."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from cxkit import adapters
from cxkit.cli.commands.demo import BITWARDEN_SAMPLE, bitwarden_sample_bytes
from cxkit.cli.main import main


def test_demo_migrates_the_bitwarden_sample_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "== 6. migrate a Bitwarden export to CXF" in text
    assert "read as bitwarden-json: 5 items" in text
    assert (
        "passkeys: 2 checked (WebAuthn assertion signed and verified), 2 verified, 0 failed" in text
    )
    assert ", 0 not carried" in text
    assert "== all good" in text
    # secrets of the sample never reach the output
    sample = json.loads(bitwarden_sample_bytes())
    forge = sample["items"][0]
    for secret in (
        forge["login"]["password"],
        forge["login"]["fido2Credentials"][0]["keyValue"],
        forge["fields"][1]["value"],
        sample["items"][2]["card"]["number"],
    ):
        assert secret not in text
    written = tmp_path / BITWARDEN_SAMPLE
    assert written.read_bytes() == bitwarden_sample_bytes()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_bitwarden_sample_holds_what_the_demo_promises() -> None:
    conversion = adapters.convert(bitwarden_sample_bytes(), BITWARDEN_SAMPLE, to="cxf-json")
    report = conversion.report
    summary = report.credential_summary()
    assert {"basic-auth", "totp", "passkey", "credit-card", "person-name", "address",
            "passport", "note", "custom-fields"} <= set(summary)  # fmt: skip
    assert summary["passkey"]["carried"] == 2
    assert report.passkeys_failed() == 0 and len(report.passkeys) == 2
    assert report.field_counts()["not-carried"] == 0
    items = {item.title: item for _, item in conversion.document.items()}
    shop = items["Shop (passkey only)"]
    assert [type(c).__name__ for c in shop.credentials] == ["BasicAuth", "Passkey"]
    assert shop.credentials[0].password is None  # type: ignore[union-attr]
