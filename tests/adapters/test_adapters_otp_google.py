"""Google Authenticator: migration URIs as text (against ``migration-uris.expected.json``), the
export's QR code images, and the app database (``../shared/formats/totp-apps.md`` §5)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from _otp_read import mutate_all, read, reference, rows
from PIL import Image

from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.google import MAX_IMAGE_PIXELS, qr_texts
from cxkit.errors import CxkitError, DecodeError, InputTooLargeError
from shared_evidence import shared_path

KEY = "google-authenticator"


def _folder() -> Path:
    return shared_path("exports", "google-authenticator")


def _png(width: int, height: int) -> bytes:
    """A PNG whose header says *width* × *height* (no pixel data follows)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_migration_uris_match_the_expected_outcomes() -> None:
    lines = (_folder() / "migration-uris.txt").read_text().splitlines()
    cases = json.loads((_folder() / "migration-uris.expected.json").read_text())["cases"]
    assert len(cases) == len(lines)
    for case in cases:
        line = lines[case["line"] - 1]
        doc, report = read(line.encode(), f"line{case['line']}.txt", KEY)
        if case["expect"] == "invalid":
            assert not doc.header.accounts[0].items, case["line"]
            assert len(report.items_skipped) == 1
            continue
        expected = sorted(
            (e["type"], e["issuer"], e["name"], e["secret_base32"], e["algorithm"], e["digits"],
             e.get("counter") if e["type"] == "hotp" else e["period"])
            for e in case["entries"]
        )  # fmt: skip
        assert rows(doc) == expected, case["line"]
        batch = [r for r in report.fields if r.path.endswith(":batch_index")]
        assert case["payload"]["batch_size"] == 1 and batch[0].disposition.value == "member"


def test_the_whole_file_reads_valid_lines_and_reports_the_others() -> None:
    data = (_folder() / "migration-uris.txt").read_bytes()
    assert detect(make_sample(data, "migration-uris.txt")).adapter.info.key == KEY
    doc, report = read(data, "migration-uris.txt")
    assert len(doc.header.accounts[0].items) == 12
    assert [t for t, _ in report.items_skipped] == ["line 2", "line 3", "line 4", "line 5"]
    assert all("MYSECRET" not in reason for _, reason in report.items_skipped)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_qr_code_images(number: int) -> None:
    name = f"GoogleAuthenticatorExport_{number}.png"
    data = (_folder() / "proton" / name).read_bytes()
    assert detect(make_sample(data, name)).adapter.info.key == KEY
    doc, report = read(data, name)
    assert len(doc.header.accounts[0].items) == 10
    part = next(r for r in report.fields if r.path.endswith(":batch_index"))
    assert part.disposition.value == "not-carried" and " of " in part.note


def test_item_ids_follow_the_batch() -> None:
    """Images 1 and 2 are two screenshots of the same code (part 2 of 3): the same ids; image 3
    is part 1 of another export: other ids."""
    ids = []
    for number in (1, 2, 3):
        name = f"GoogleAuthenticatorExport_{number}.png"
        doc, _ = read((_folder() / "proton" / name).read_bytes(), name)
        ids.append([i.id for i in doc.header.accounts[0].items])
    assert ids[0] == ids[1] and len(set(ids[0])) == 10
    assert not set(ids[0]) & set(ids[2])


def test_jpeg_and_png_give_the_same_entries() -> None:
    png = (_folder() / "proton" / "GoogleAuthenticatorExport_3.png").read_bytes()
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=95)
    assert rows(read(out.getvalue(), "shot.jpg")[0]) == rows(read(png, "shot.png")[0])


def test_hostile_and_foreign_images() -> None:
    with pytest.raises(InputTooLargeError, match="million"):
        qr_texts(_png(10_000, MAX_IMAGE_PIXELS // 10_000 + 1), "big.png")
    with pytest.raises(DecodeError):
        qr_texts(_png(10, 10), "no-pixels.png")
    blank = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(blank, "PNG")
    with pytest.raises(CxkitError) as err:
        detect(make_sample(blank.getvalue(), "cat.png"))
    assert "image" in str(err.value)
    with pytest.raises(DecodeError, match="no Google Authenticator"):
        read(blank.getvalue(), "cat.png", KEY)


def test_app_database() -> None:
    data = (_folder() / "aegis" / "google_authenticator.sqlite").read_bytes()
    assert detect(make_sample(data, "databases")).adapter.info.key == KEY
    doc, report = read(data, "databases")
    # the database has no algorithm, digits or period: the kinds, names and secrets agree
    expected = [r[:4] for r in reference() if r[0] != "steam"]
    assert sorted(r[:4] for r in rows(doc)) == expected
    by_path = {r.path.rsplit(".", 1)[-1] for r in report.fields}
    assert {"secret", "email", "original_name", "provider"} <= by_path


def test_mutations_raise_only_cxkit_errors() -> None:
    text = (_folder() / "migration-uris.txt").read_bytes()
    mutate_all(text, lambda d: read(d, "m.txt", KEY), rounds=60)
    db = (_folder() / "aegis" / "google_authenticator.sqlite").read_bytes()
    mutate_all(db, lambda d: read(d, "databases", KEY), rounds=24)
    png = (_folder() / "proton" / "GoogleAuthenticatorExport_3.png").read_bytes()
    mutate_all(png, lambda d: read(d, "x.png", KEY), rounds=8)
