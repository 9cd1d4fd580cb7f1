"""The terminal QR code (issue #18): compact half blocks, explicit dark-on-light colours, a
quiet zone, fits the terminal — checked by turning the drawn text back into an image and
decoding it with zxing-cpp, as a phone's scanner would."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.cli import _qr

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PAIRING = "cxp-p0:" + "eyJ1IjoiaHR0cDovLzE5Mi4xNjguMS4yMDo0MzIxNS9jeHAvcDAv" + "A" * 163  # 222
OTPAUTH = (
    "otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    "&issuer=GitHub&algorithm=SHA1&digits=6&period=30"
)


def _image(text: str, scale: int = 4) -> Image.Image:
    """The drawn text back as pixels: each character is one module wide, two high."""
    lines = ANSI.sub("", text).split("\n")
    width = max(len(line) for line in lines)
    img = Image.new("L", (width * scale, len(lines) * 2 * scale), 255)
    pixels = img.load()
    for y, line in enumerate(lines):
        for x, ch in enumerate(line):
            top, bottom = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}[ch]
            for half, dark in ((0, top), (1, bottom)):
                if dark:
                    for dy in range(scale):
                        for dx in range(scale):
                            pixels[x * scale + dx, (2 * y + half) * scale + dy] = 0
    return img


def _decode(text: str) -> str:
    results = zxingcpp.read_barcodes(_image(text))
    assert len(results) == 1
    value: str = results[0].text
    return value


@pytest.mark.parametrize("color", [True, False])
def test_the_pairing_string_scans_and_fits_80_columns(color: bool) -> None:
    assert len(PAIRING) == 222
    drawn = _qr.render(PAIRING, color=color)
    assert _decode(drawn) == PAIRING
    lines = drawn.split("\n")
    assert max(len(ANSI.sub("", line)) for line in lines) <= 80
    assert len(lines) <= 29  # version 9 (53 modules) + quiet zone: 57 × 29 (was 65 × 33)


def test_an_otpauth_uri_fits_80_by_24() -> None:
    drawn = _qr.render(OTPAUTH, color=True)
    assert _decode(drawn) == OTPAUTH
    lines = drawn.split("\n")
    assert len(lines) <= 23  # and one prompt line below it (cxkit totp qr clears the screen)
    assert max(len(ANSI.sub("", line)) for line in lines) <= 80


def test_explicit_colours_and_quiet_zone() -> None:
    drawn = _qr.render("hello", color=True)
    lines = drawn.split("\n")
    assert all(line.startswith("\x1b[30;107m") and line.endswith("\x1b[0m") for line in lines)
    plain = [ANSI.sub("", line) for line in lines]
    assert set(plain[0]) == {" "}  # the quiet zone: 2 modules = the first line
    assert all(line[: _qr.QUIET] == " " * _qr.QUIET for line in plain)
    assert all(line[-_qr.QUIET :] == " " * _qr.QUIET for line in plain)
    assert "\x1b" not in _qr.render("hello", color=False)


@settings(max_examples=25)
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=200))
def test_any_text_round_trips(text: str) -> None:
    assert _decode(_qr.render(text, color=False)) == text


def test_too_long_is_an_error() -> None:
    from cxkit.errors import InputError

    with pytest.raises(InputError, match="too long for a QR code"):
        _qr.render("x" * 8000, color=False)
