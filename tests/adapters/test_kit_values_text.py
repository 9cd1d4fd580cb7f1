"""The kit's card-expiry and text parsers (``adapters/kit/values.py``): ``parse_card_expiry``
(the shapes apps write → CXF ``YYYY-MM``, ``spec/cxf.md`` credit-card ``expiryDate``) and
``normalize_text``, with examples and properties (Hypothesis)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxkit.adapters.kit.values import normalize_text, parse_card_expiry, parse_totp

MONTHS = st.integers(1, 12)
YEARS = st.integers(2000, 2099)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/27", (2027, 12)),
        ("12/2027", (2027, 12)),
        ("1/27", (2027, 1)),
        ("01/27", (2027, 1)),
        ("12 / 2027", (2027, 12)),
        (" 12-27 ", (2027, 12)),
        ("12.2027", (2027, 12)),
        ("2027-12", (2027, 12)),
        ("2027/1", (2027, 1)),
        ("1227", (2027, 12)),
        ("122027", (2027, 12)),
        ("13/27", None),
        ("0/27", None),
        ("2027-13", None),
        ("", None),
        ("soon", None),
        ("12/27/2027", None),
        ("1" * 100, None),
    ],
)
def test_card_expiry_examples(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_card_expiry(text) == expected


@given(MONTHS, YEARS, st.sampled_from(["/", "-", " / ", "."]), st.booleans(), st.booleans())
def test_card_expiry_month_first(month: int, year: int, sep: str, pad: bool, short: bool) -> None:
    m_text = f"{month:02d}" if pad else str(month)
    y_text = f"{year % 100:02d}" if short else str(year)
    assert parse_card_expiry(f"{m_text}{sep}{y_text}") == (year, month)


@given(MONTHS, YEARS)
def test_card_expiry_iso_round_trip(month: int, year: int) -> None:
    text = f"{year:04d}-{month:02d}"  # what CXF writes
    assert parse_card_expiry(text) == (year, month)


@given(st.text(max_size=30))
def test_card_expiry_is_total(text: str) -> None:
    found = parse_card_expiry(text)
    assert found is None or (1 <= found[1] <= 12 and 1900 <= found[0] <= 9999)


def test_normalize_text_examples() -> None:
    assert normalize_text("\ufeffa\r\nb\rc") == "a\nb\nc"
    assert normalize_text("x\u200by\u200d\x00z\x7f") == "xyz"
    assert normalize_text("tab\tline\n") == "tab\tline\n"
    assert normalize_text("e\u0301") == "\u00e9"  # NFC
    assert normalize_text("plain") == "plain"


@given(st.text())
def test_normalize_text_properties(text: str) -> None:
    out = normalize_text(text)
    assert normalize_text(out) == out  # idempotent
    assert "\r" not in out and "\ufeff" not in out and "\u200b" not in out
    assert all(c in "\t\n" or unicodedata.category(c) != "Cc" for c in out)
    assert unicodedata.is_normalized("NFC", out)
    assert out.count("\n") == text.replace("\r\n", "\n").count("\n") + text.replace(
        "\r\n", ""
    ).count("\r")  # every line end kept, as one LF


@pytest.mark.parametrize(
    ("uri", "kind"),
    [("otpauth://hotp/x?secret=JBSWY3DP", "hotp"), ("otpauth://JBSWY3DPEHPK3PXP", "other")],
)
def test_parse_totp_reason_never_quotes_the_uri(uri: str, kind: str) -> None:
    # the reason is reported; a misplaced secret in the URI's type part must not show in it
    totp, reason = parse_totp(uri)
    assert totp is None
    assert reason == f"an otpauth '{kind}' code, not TOTP"
    assert "JBSW" not in reason
