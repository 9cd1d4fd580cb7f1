"""A TOTP secret cut short still reads as a TOTP (Base32 of any length decodes), and its codes
are wrong: every read warns about a secret under 80 bits, naming the item, never the secret
(found when an Apple Passwords CSV cut inside its ``otpauth`` URI read as a valid TOTP)."""

from __future__ import annotations

import pytest

from cxkit import adapters, totp
from cxkit.adapters.report import MigrationReport

_CSV = "Title,URL,Username,Password,Notes,OTPAuth\n"


def _row(title: str, secret: str) -> str:
    return f"{title},https://{title}.example,alice,pw-{title},,otpauth://totp/x?secret={secret}\n"


@pytest.mark.parametrize(
    ("secret", "bits"),
    [("JBSW", 16), ("JBSWY3DP", 40), ("JBSWY3DPEHPK3PX", 72), ("JBSWY3DPEHPK3PXP", None)],
)
def test_a_short_secret_is_named_with_its_length(secret: str, bits: int | None) -> None:
    data = (_CSV + _row("cut", secret)).encode()
    doc, report = adapters.read(data, "Passwords.csv", source_format="apple-passwords-csv")
    assert [c for _, i in doc.items() for c in i.credentials if c.__class__.__name__ == "Totp"]
    short = [w for w in report.warnings if "TOTP secret" in w]
    if bits is None:
        assert short == []
    else:
        assert short == [
            f"cut: its TOTP secret is only {bits} bits long (authenticator apps use 80 or more): "
            "if the export was cut short, its codes are wrong — compare one with the site before "
            "relying on it"
        ]
        assert secret not in " ".join(report.warnings)


def test_only_the_short_ones_are_named() -> None:
    data = (_CSV + _row("ok", "JBSWY3DPEHPK3PXPJBSWY3DP") + _row("short", "MZXW6")).encode()
    doc, _ = adapters.read(data, "Passwords.csv", source_format="apple-passwords-csv")
    warnings = totp.short_secret_warnings(doc)
    assert len(warnings) == 1 and warnings[0].startswith("short:")
    assert totp.SHORT_SECRET_BITS == 80


def test_the_convert_report_shows_it() -> None:
    report = MigrationReport()
    conversion = adapters.convert(
        (_CSV + _row("cut", "JBSW")).encode(), "Passwords.csv", to="cxf-json", report=report
    )
    assert any("only 16 bits" in line for line in conversion.report.render(limit=10).splitlines())
