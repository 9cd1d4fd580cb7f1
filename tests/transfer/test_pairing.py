"""The compact pairing string (``CXP-P0C:``, a cxkit extension to P0 §5.3 for the QR code):
exact layout, round trips, hostile input refused with cxkit errors that never show the PSK,
and the real ``cxkit receive`` QR code — decoded back from the drawn text with zxing-cpp —
pairing a real loopback transfer on 80×24 (IPv4 and IPv6)."""

from __future__ import annotations

import base64
import io
import os
import re
import socket
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.cli import _qr
from cxkit.errors import CxkitError, DecodeError
from cxkit.transfer.pairing import COMPACT_PREFIX, PAIRING_PREFIX, Pairing

ID = bytes(range(16))
ID_TEXT = base64.urlsafe_b64encode(ID).rstrip(b"=").decode()
DIGEST = bytes(range(100, 132))
PSK = b"\xa5" * 16 + b"psk-canary-Qx7!\x00"  # 32 bytes; must never appear in a message


def url(host: str, port: int = 4711, token: str = ID_TEXT) -> str:
    return f"http://{host}:{port}/cxp/p0/{token}/"


def b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def test_layout_is_the_documented_one() -> None:
    pairing = Pairing(url("192.168.1.20", 43215), DIGEST, PSK)
    text = pairing.to_compact()
    assert text is not None and text.startswith(COMPACT_PREFIX)
    raw = base64.b32decode(text[len(COMPACT_PREFIX) :] + "=" * (-len(text) % 8))
    assert (
        raw == b"\x04" + bytes([192, 168, 1, 20]) + (43215).to_bytes(2, "big") + ID + DIGEST + PSK
    )
    assert len(text) == 148  # 87 bytes → 140 base32 characters
    v6 = Pairing(url("[2001:db8::7]", 1), DIGEST, PSK).to_compact()
    assert v6 is not None and len(v6) == 167
    raw6 = base64.b32decode(v6[len(COMPACT_PREFIX) :] + "=" * (-len(v6) % 8))
    assert raw6[0] == 6 and raw6[1:17] == socket.inet_pton(socket.AF_INET6, "2001:db8::7")


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.0.0.255", "[::1]", "[fe80::1234:5678:9abc:def0]", "[2001:db8::]"]
)
def test_round_trip_and_the_qr_alphabet(host: str) -> None:
    pairing = Pairing(url(host, 65535), DIGEST, PSK)
    text = pairing.to_compact()
    assert text is not None
    assert re.fullmatch(r"[A-Z0-9:\-]+", text)  # QR alphanumeric mode
    assert Pairing.parse(text) == pairing
    assert Pairing.parse(text.lower()) == pairing
    assert Pairing.parse("  " + text[:50] + "\n" + text[50:] + " \n") == pairing
    assert pairing.qr_text() == text
    # and the text form of P0 §5.3 still says the same
    assert Pairing.parse(pairing.to_string()) == pairing


@pytest.mark.parametrize(
    "address",
    [
        "http://example.org:4711/cxp/p0/" + ID_TEXT + "/",  # a host name
        "http://127.0.0.1:4711/cxp/p0/abc/",  # a pairing id that is not 16 bytes
        "http://127.0.0.1:4711/other/" + ID_TEXT + "/",  # another path
        "http://127.0.0.1:4711/cxp/p0/" + ID_TEXT + "/x/",
        "http://[FE80::1]:4711/cxp/p0/" + ID_TEXT + "/",  # not canonical (upper case)
        "http://[fe80::1%25eth0]:4711/cxp/p0/" + ID_TEXT + "/",  # a zone
        "http://127.000.0.1:4711/cxp/p0/" + ID_TEXT + "/",
        "http://127.0.0.1:04711/cxp/p0/" + ID_TEXT + "/",
    ],
)
def test_other_urls_keep_the_text_form(address: str) -> None:
    try:
        pairing = Pairing(address, DIGEST, PSK)
    except DecodeError:
        return  # not even a valid text-form URL
    assert pairing.to_compact() is None
    assert pairing.qr_text() == pairing.to_string()


def test_a_longer_psk_is_carried() -> None:
    pairing = Pairing(url("127.0.0.1"), DIGEST, PSK * 2)
    text = pairing.to_compact()
    assert text is not None and Pairing.parse(text) == pairing


def _compact(raw: bytes) -> str:
    return COMPACT_PREFIX + b32(raw)


GOOD = b"\x04\x7f\x00\x00\x01" + (4711).to_bytes(2, "big") + ID + DIGEST + PSK


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_compact(b""), "empty"),
        (_compact(b"\x05" + GOOD[1:]), "unknown layout"),
        (_compact(b"\x06" + GOOD[1:]), "wrong length"),  # IPv6 family, IPv4 body
        (_compact(GOOD[:-1]), "wrong length"),  # a 31-byte PSK
        (_compact(GOOD + b"x" * 33), "wrong length"),  # a 65-byte PSK
        (_compact(GOOD[:5] + b"\x00\x00" + GOOD[7:]), "port 0"),
        (COMPACT_PREFIX + b32(GOOD) + "=", "not base32"),
        (COMPACT_PREFIX + b32(GOOD)[:-1] + "1", "not base32"),
        (COMPACT_PREFIX + b32(GOOD)[:-1], "not base32"),  # 139 characters: no whole byte count
        (COMPACT_PREFIX + b32(GOOD)[:-1] + "7", "stray bits"),  # canonical ends in A/Q
        (COMPACT_PREFIX + "é" + b32(GOOD), "not base32"),
        ("CXP-P0X:" + b32(GOOD), "not a pairing string"),
    ],
)
def test_hostile_compact_strings_are_refused(text: str, message: str) -> None:
    with pytest.raises(DecodeError, match=message) as info:
        Pairing.parse(text)
    shown = f"{info.value} {info.value.hint} {info.value.location} {info.value!r}"
    for secret in (PSK.hex(), b32(PSK), base64.b64encode(PSK).decode(), text[20:60]):
        assert not secret or secret not in shown


def test_the_good_one_of_those_is_accepted() -> None:
    pairing = Pairing.parse(_compact(GOOD))
    assert pairing == Pairing(url("127.0.0.1"), DIGEST, PSK)
    assert "psk-canary" not in repr(pairing) and PSK.hex() not in repr(pairing)


@settings(max_examples=300)
@given(
    st.binary(min_size=4, max_size=4) | st.binary(min_size=16, max_size=16),
    st.integers(1, 65535),
    st.binary(min_size=16, max_size=16),
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=64),
)
def test_property_round_trip(
    address: bytes, port: int, pid: bytes, digest: bytes, psk: bytes
) -> None:
    family = b"\x04" if len(address) == 4 else b"\x06"
    raw = family + address + port.to_bytes(2, "big") + pid + digest + psk
    pairing = Pairing.parse(_compact(raw))
    assert pairing.request_sha256 == digest and pairing.psk == psk
    assert pairing.to_compact() == _compact(raw)
    assert Pairing.parse(pairing.to_string()) == pairing


@settings(max_examples=300)
@given(st.integers(0, len(b32(GOOD)) - 1), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
def test_mutation_changes_the_pairing_or_is_refused(index: int, char: str) -> None:
    body = b32(GOOD)
    mutated = COMPACT_PREFIX + body[:index] + char + body[index + 1 :]
    original = Pairing.parse(_compact(GOOD))
    try:
        got = Pairing.parse(mutated)
    except DecodeError:
        return
    assert (got == original) == (mutated == _compact(GOOD))


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_any_text_after_the_prefix_is_a_cxkit_error_or_a_pairing(tail: str) -> None:
    try:
        pairing = Pairing.parse(COMPACT_PREFIX + tail)
    except CxkitError:
        return
    assert Pairing.parse(pairing.to_compact() or "") == pairing


def test_a_compact_prefix_is_not_read_as_the_text_form() -> None:
    assert COMPACT_PREFIX[: len(PAIRING_PREFIX)].lower() != PAIRING_PREFIX


# --------------------------------------------------------------------------- the real QR code

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HALF = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}


def _decode_drawn(lines: list[str]) -> str:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    scale = 4
    width = max(len(line) for line in lines)
    img = image.new("L", (width * scale, len(lines) * 2 * scale), 255)
    pixels = img.load()
    for y, line in enumerate(lines):
        for x, ch in enumerate(line):
            for half, dark in enumerate(HALF[ch]):
                if dark:
                    for dy in range(scale):
                        for dx in range(scale):
                            pixels[x * scale + dx, (2 * y + half) * scale + dy] = 0
    results = zxingcpp.read_barcodes(img)
    assert len(results) == 1
    text: str = results[0].text
    return text


def _qr_lines(err: str) -> list[str]:
    """The QR code of ``cxkit receive``'s standard error: the lines of half blocks."""
    plain = ANSI.sub("", err).split("\n")
    lines = [line for line in plain if line and set(line) <= set(HALF) and set(line) - {" "}]
    start = plain.index(lines[0]) - 1  # the quiet zone's first line is all spaces
    return plain[start : start + len(lines) + 2]


def _has_ipv6_loopback() -> bool:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize("bind", ["127.0.0.1", "::1"])
def test_the_receive_qr_code_fits_80_by_24_and_pairs_a_real_transfer(
    bind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if ":" in bind and not _has_ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    pytest.importorskip("zxingcpp")
    from test_transfer_cli import (  # same folder: the CLI helpers of the live transfer
        CANARY_PW,
        FastReceiver,
        finish,
        receive_in_background,
        write_small,
    )

    from cxkit.cli.commands import transfer as transfer_cli
    from cxkit.cli.main import main

    monkeypatch.setattr(transfer_cli, "Receiver", FastReceiver)
    while not FastReceiver.started.empty():
        FastReceiver.started.get()
    src, att = write_small(tmp_path)
    out = tmp_path / "out.json"
    thread, box, rx = receive_in_background(
        ["receive", "-o", str(out), "--bind", bind, "--timeout", "60"]
    )
    err = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the QR code is written last, in one piece
        err += capsys.readouterr().err
        tail = err.split("scan this QR code", 1)[1] if "scan this QR code" in err else ""
        if err.endswith("\n") and len(tail.split("\n")) > 20:
            break
        time.sleep(0.05)
    lines = _qr_lines(err)
    assert len(lines) <= 24, len(lines)  # P0 §5.3's text form would take 29
    assert max(len(line) for line in lines) <= 80
    decoded = _decode_drawn(lines)
    assert decoded.startswith(COMPACT_PREFIX)
    assert Pairing.parse(decoded) == rx.pairing
    # the text form is still what is shown to copy and paste
    assert rx.pairing.to_string() in err and decoded not in err
    # the decoded string, pasted on 'cxkit send' standard input, makes the transfer
    monkeypatch.setattr(sys, "stdin", io.StringIO(decoded + "\n"))
    assert main(["send", str(src), "-", "--attachments", str(att), "--yes"]) == 0
    assert finish(thread, box, rx) == 0
    assert out.exists() and CANARY_PW.encode() in out.read_bytes()
    assert CANARY_PW not in err + capsys.readouterr().err


def test_the_compact_code_is_smaller_than_the_text_forms() -> None:
    pairing = Pairing(url("[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]", 65535), DIGEST, PSK)
    compact = _qr.render(pairing.qr_text(), color=False, error="m", max_lines=23).split("\n")
    text = _qr.render(pairing.to_string(), color=False).split("\n")
    assert len(compact) <= 23 < len(text)
    assert _decode_drawn(compact) == pairing.qr_text()
    short = Pairing(url("127.0.0.1"), DIGEST, os.urandom(32))
    drawn = _qr.render(short.qr_text(), color=True, error="m", max_lines=23).split("\n")
    assert len(drawn) == 23  # version 6 at level M (41 modules + a 2-module quiet zone)
    assert _decode_drawn([ANSI.sub("", line) for line in drawn]) == short.qr_text()
