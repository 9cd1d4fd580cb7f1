"""``otpauth://`` URI lists (``cxkit.adapters.otp.uris``), the Google Authenticator migration
codec and QR writer (``cxkit.adapters.otp.gaqr``), ``cxkit totp`` and the TOTP proof of
``cxkit convert`` (``../shared/formats/totp-apps.md`` §1, §5)."""

from __future__ import annotations

import base64
import json
import stat
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from test_adapters_aegis import _ENTRY, _summary, entries_document

from cxkit import adapters, cxf
from cxkit.adapters.otp import gaqr
from cxkit.adapters.otp.entry import Entry, entry_uri, parse_uri, secret_base32
from cxkit.cli.main import main
from cxkit.cxf import model as m
from cxkit.errors import DecodeError
from shared_evidence import shared_path

PLAIN = ("exports", "otpauth-uris", "aegis", "plain.txt")
URI_FILES = [
    ("otpauth-uris", "aegis", "plain.txt", 7),
    ("aegis", "proton", "aegis-txt.txt", 3),
    ("ente", "aegis", "ente_auth.txt", 7),
    ("ente", "proton", "plain.txt", None),
    ("ente", "proton", "plain_20_entries.txt", 20),
    ("ente", "proton", "plain_with_hotp.txt", None),
    ("ente", "proton", "plain_with_missing_fields.txt", None),
    ("ente", "proton", "plain_with_steam_and_hotp.txt", 3),
    ("ente", "proton", "encrypted_decrypted.txt", None),
]


def _read(data: bytes, name: str) -> tuple[cxf.Document, Any]:
    return adapters.read(data, name)


@pytest.mark.parametrize(("app", "source", "name", "count"), URI_FILES)
def test_every_uri_list_is_detected_and_read(
    app: str, source: str, name: str, count: int | None
) -> None:
    data = shared_path("exports", app, source, name).read_bytes()
    assert adapters.detect(adapters.make_sample(data, name)).adapter.info.key == "otpauth-uris"
    _doc, report = _read(data, name)
    lines = [x for x in data.decode().splitlines() if x.strip()]
    assert report.items_read + len(report.items_skipped) == (count or len(lines))


def test_the_list_and_the_aegis_vault_hold_the_same_tokens() -> None:
    listed, _ = _read(shared_path(*PLAIN).read_bytes(), "plain.txt")
    vault, _ = _read(shared_path("exports", "aegis", "aegis", "aegis_plain.json").read_bytes(), "a")
    assert _summary(listed) == _summary(vault)


def test_ente_code_display_gives_notes_tags_and_pins() -> None:
    line = ("otpauth://totp/Site:me?secret=JBSWY3DPEHPK3PXP&issuer=Site&codeDisplay="
            + urllib.parse.quote(json.dumps({"pinned": True, "trashed": False, "tags": ["a", "b"],
                                             "note": "hello", "position": 3})))  # fmt: skip
    doc, report = _read((line + "\n").encode(), "ente.txt")
    (item,) = [i for _, i in doc.items()]
    assert item.favorite is True and item.tags == ("a", "b")
    assert [c.content.value for c in item.credentials if isinstance(c, m.Note)] == ["hello"]
    trashed = line.replace("%22trashed%22%3A%20false", "%22trashed%22%3A%20true")
    doc, report = _read((trashed + "\n").encode(), "ente.txt")
    assert not list(doc.items()) and report.items_skipped


def test_bad_lines_are_skipped_one_by_one() -> None:
    text = ("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\notpauth://totp/B?digits=x&secret=AAAA\n"
            "otpauth://other/C?secret=JBSWY3DPEHPK3PXP\notpauth://totp/D?secret=GEZDGNBV\n")  # fmt: skip
    doc, report = _read(text.encode(), "list.txt")
    assert [i.title for _, i in doc.items()] == ["A", "D"]
    assert [t for t, _ in report.items_skipped] == ["line 2", "line 3"]
    assert "AAAA" not in report.render()


_LABEL = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=16).map(
    str.strip
)


@settings(max_examples=200)
@given(entry=_ENTRY, issuer=_LABEL, account=_LABEL)
def test_entry_uri_and_parse_uri_round_trip(entry: Entry, issuer: str, account: str) -> None:
    entry = Entry(secret=entry.secret, kind=entry.kind, issuer=issuer.replace(":", ""),
                  account=account, algorithm=entry.algorithm, digits=entry.digits,
                  period=entry.period, counter=entry.counter)  # fmt: skip
    back = parse_uri(entry_uri(entry))
    assert isinstance(back, Entry)
    assert secret_base32(back.secret) == secret_base32(entry.secret)
    assert (back.kind, back.issuer, back.account, back.digits) == (
        entry.kind, entry.issuer, entry.account, entry.digits)  # fmt: skip
    if entry.kind != "steam":
        assert back.algorithm == entry.algorithm
    if entry.kind == "hotp":
        assert back.counter == entry.counter
    else:
        assert back.period == entry.period


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_parse_uri_never_raises(text: str) -> None:
    found = parse_uri("otpauth://" + text)
    assert isinstance(found, Entry | str)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(_ENTRY, min_size=1, max_size=6))
def test_cxkit_to_uri_list_to_cxkit_is_exact(entries: list[Entry]) -> None:
    doc = entries_document(entries)
    data, report = adapters.write(doc, "otpauth-uris")
    back, _ = _read(data, "back.txt")
    assert report.items_written == len(entries)
    assert [r[1:] for r in _summary(back)] == [r[1:] for r in _summary(doc)]


# --------------------------------------------------------------------------- Google migration


def test_the_migration_samples_decode_as_expected() -> None:
    expected = json.loads(shared_path("exports", "google-authenticator",
                                      "migration-uris.expected.json").read_text())  # fmt: skip
    lines = shared_path("exports", "google-authenticator", "migration-uris.txt").read_text()
    lines_list = lines.split("\n")
    for case in expected["cases"]:
        line = lines_list[case["line"] - 1]
        if case["expect"] != "valid":
            with pytest.raises(DecodeError):
                gaqr.parse_migration_uri(line)
            continue
        payload = gaqr.parse_migration_uri(line)
        got = [(e.kind, e.issuer, e.algorithm, e.digits, secret_base32(e.secret))
               for e in payload.entries]  # fmt: skip
        want = [(e["type"], e["issuer"], e["algorithm"], e["digits"], e["secret_base32"])
                for e in case["entries"]]  # fmt: skip
        assert got == want


@settings(max_examples=150)
@given(entries=st.lists(_ENTRY, min_size=1, max_size=12), batch_id=st.integers(-(2**31), 2**31 - 1))
def test_migration_encoding_round_trips(entries: list[Entry], batch_id: int) -> None:
    fit = [Entry(secret=e.secret, kind="hotp" if e.kind == "hotp" else "totp", issuer=e.issuer,
                 account=e.account, algorithm=e.algorithm, digits=8 if e.digits > 6 else 6,
                 counter=e.counter) for e in entries]  # fmt: skip
    uris = gaqr.migration_uris(fit, batch_id, per_qr=5)
    back = [gaqr.parse_migration_uri(u) for u in uris]
    assert [p.batch_index for p in back] == list(range(len(uris)))
    assert {p.batch_size for p in back} == {len(uris)} and {p.batch_id for p in back} == {batch_id}
    decoded = [e for p in back for e in p.entries]
    for mine, theirs in zip(fit, decoded, strict=True):
        assert secret_base32(theirs.secret) == secret_base32(mine.secret)
        assert (theirs.kind, theirs.algorithm, theirs.digits) == (mine.kind, mine.algorithm,
                                                                  mine.digits)  # fmt: skip
        assert (theirs.counter or 0) == (mine.counter or 0)


@settings(max_examples=400)
@given(st.binary(max_size=300))
def test_migration_decoding_raises_only_decode_errors(data: bytes) -> None:
    try:
        gaqr.decode_payload(data)
    except DecodeError as exc:
        assert exc.message.startswith("not a Google Authenticator migration payload")


def test_the_qr_writer_output_decodes_to_the_same_tokens(tmp_path: Path) -> None:
    doc, _ = _read(shared_path(*PLAIN).read_bytes(), "plain.txt")
    data, report = adapters.write(doc, "google-authenticator-qr")
    path = tmp_path / "codes.png"
    path.write_bytes(data)
    found = zxingcpp.read_barcodes(Image.open(path), formats=zxingcpp.BarcodeFormat.QRCode)
    entries = [e for code in found for e in gaqr.parse_migration_uri(code.text).entries]
    # Google holds SHA1/256/512 at 6 or 8 digits and 30 s: Deno (TOTP), Issuu and WWE (HOTP)
    assert [(e.issuer, e.kind) for e in entries] == [("Deno", "totp"), ("Issuu", "hotp"),
                                                     ("WWE", "hotp")]  # fmt: skip
    assert secret_base32(entries[0].secret) == "4SJHB4GSD43FZBAI7C2HLRJGPQ"
    assert entries[2].counter == 10300
    lost = {r.item for r in report.credentials if r.stage == "write" and r.outcome == "not-carried"}
    assert lost == {"SPDX", "Airbnb", "Air Canada", "Boeing"}


def test_more_than_ten_entries_make_a_batch() -> None:
    entries = [Entry(secret=bytes([i]) * 10, issuer=f"S{i}", account="me") for i in range(23)]
    data, _ = adapters.write(entries_document(entries), "google-authenticator-qr")
    import io

    # QR codes only (a 1D decoder may read a spurious bar code in the modules: a flaky test)
    codes = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(data)), formats=zxingcpp.BarcodeFormat.QRCode
    )
    payloads = [gaqr.parse_migration_uri(c.text) for c in codes]
    assert sorted(p.batch_index for p in payloads) == [0, 1, 2]
    assert sum(len(p.entries) for p in payloads) == 23


# --------------------------------------------------------------------------- cxkit totp, convert


def test_totp_list_never_shows_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    path = shared_path(*PLAIN)
    assert main(["totp", "list", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Deno" in text and "sha256" in text and "4SJHB4GSD43FZBAI7C2HLRJGPQ" not in text
    assert main(["totp", "list", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["totp"]
    assert [(r["issuer"], r["digits"], r["period"]) for r in rows][:2] == [("Deno", 6, 30),
                                                                         ("SPDX", 7, 20)]  # fmt: skip


def test_totp_verify_against_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_path(*PLAIN)
    pw = tmp_path / "pw"
    pw.write_text("test")
    aegis = shared_path("exports", "aegis", "aegis", "aegis_encrypted.json")
    argv = ["totp", "verify", str(path), "--against", str(aegis), "--against-password-file",
            str(pw), "--json"]  # fmt: skip
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["usable"] == 4 and result["against"]["matched"] == 4
    changed = tmp_path / "changed.txt"
    changed.write_text(path.read_text().replace("4SJHB4GSD43FZBAI7C2HLRJGPQ",
                                                "4SJHB4GSD43FZBAI7C2HLRJGPA"))  # fmt: skip
    assert main(["totp", "verify", str(path), "--against", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "DIFFERENT: Deno" in out and "4SJHB4G" not in out


def test_totp_qr_writes_private_png_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "codes"
    assert main(["totp", "qr", str(shared_path(*PLAIN)), "--out", str(folder)]) == 0
    assert "4SJHB4G" not in capsys.readouterr().out
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert len(files) == 4 and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    text = zxingcpp.read_barcodes(Image.open(files[0]), formats=zxingcpp.BarcodeFormat.QRCode)[
        0
    ].text
    found = parse_uri(text)
    assert isinstance(found, Entry) and secret_base32(found.secret) == "4SJHB4GSD43FZBAI7C2HLRJGPQ"
    assert main(["totp", "qr", str(shared_path(*PLAIN)), "--out", str(folder)]) == 2


@pytest.mark.parametrize("dest", ["aegis-encrypted-json", "2fas-encrypted", "otpauth-uris",
                                  "keepass-kdbx", "bitwarden-json"])  # fmt: skip
def test_convert_proves_every_totp(tmp_path: Path, dest: str) -> None:
    pw = tmp_path / "pw"
    pw.write_text("new password")
    report = tmp_path / "r.json"
    argv = ["convert", str(shared_path(*PLAIN)), "--to", dest, "-o", str(tmp_path / "out"),
            "--new-password-file", str(pw), "--plaintext", "--report", str(report), "-q"]  # fmt: skip
    assert main(argv) == 0
    proof = json.loads(report.read_text())["totp"]
    assert proof["state"] == "checked" and proof["checked"] == 4 and proof["matched"] == 4


def test_convert_fails_when_a_seed_changes_on_the_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cxkit.adapters.otp import uris

    def bad_uri(entry: Entry) -> str:  # a writer that flips one bit of the seed
        raw = bytearray(base64.b32decode(secret_base32(entry.secret) + "=" * 8 * 0 +
                                         "=" * (-len(secret_base32(entry.secret)) % 8)))  # fmt: skip
        raw[0] ^= 1
        return entry_uri(Entry(secret=bytes(raw), kind=entry.kind, issuer=entry.issuer,
                               account=entry.account, algorithm=entry.algorithm,
                               digits=entry.digits, period=entry.period, counter=entry.counter))  # fmt: skip

    monkeypatch.setattr(uris, "entry_uri", bad_uri)
    argv = ["convert", str(shared_path(*PLAIN)), "--to", "otpauth-uris", "-o",
            str(tmp_path / "out.txt"), "--plaintext"]  # fmt: skip
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "TOTP: 4 checked" in out and "4 different" in out and "DIFFERENT: Deno" in out
    assert "4SJHB4G" not in out
    assert main([*argv, "--force", "--no-verify"]) == 0


def test_totp_qr_on_a_terminal_shows_one_code_at_a_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    answers = iter(["", "", "q"])  # show the first, hide it, stop at the second
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["totp", "qr", str(shared_path(*PLAIN))]) == 0
    out = capsys.readouterr().out
    assert "█" in out and "4SJHB4G" not in out and "secret" not in out
    assert prompts[0].startswith("[1/4] Deno") and prompts[2].startswith("[2/4] SPDX")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert main(["totp", "qr", str(shared_path(*PLAIN))]) == 2


def test_convert_says_when_the_proof_is_not_made(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    base = ["convert", str(shared_path(*PLAIN)), "--to", "otpauth-uris", "--plaintext", "-q",
            "--report", str(report), "--force"]  # fmt: skip
    assert main([*base, "--dry-run"]) == 0
    assert json.loads(report.read_text())["totp"]["state"] == "skipped"
    assert main([*base, "-o", str(tmp_path / "o.txt"), "--no-verify"]) == 0
    assert json.loads(report.read_text())["totp"] == {
        "state": "skipped",
        "why": "not asked for (--no-verify)",
    }
    # a destination without a TOTP column: nothing to compare, nothing failed
    other = ["convert", str(shared_path(*PLAIN)), "--to", "chrome-csv", "--plaintext", "-q",
             "--report", str(report), "--force", "-o", str(tmp_path / "c.csv")]  # fmt: skip
    assert main(other) == 0
    proof = json.loads(report.read_text())["totp"]
    assert proof["state"] == "checked" and proof["checked"] == 0 and proof["not_compared"] == 4


def test_unknown_uri_parameters_are_kept_and_pins_hidden() -> None:
    line = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=A&pin=1234&color=red\n"
    doc, report = _read(line.encode(), "x.txt")
    fields = {f.label: f for _, i in doc.items() for c in i.credentials
              if isinstance(c, m.CustomFields) for f in c.fields}  # fmt: skip
    assert fields["otpauth: pin"].field_type == "concealed-string"
    assert fields["otpauth: color"].value == "red"
    assert "1234" not in report.render()


@pytest.mark.parametrize("key", ["aegis-json", "2fas", "otpauth-uris", "google-authenticator-qr"])
def test_a_totp_whose_secret_is_not_base32_is_reported_not_written(key: str) -> None:
    from cxkit.adapters.base import converted_document

    bad = m.Totp(secret="not base32 !", period=30, digits=6, algorithm="sha1")
    good = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    items = (m.Item(id="aXRlbTE", title="Bad", credentials=(bad,)),
             m.Item(id="aXRlbTI", title="Good", credentials=(good,)))  # fmt: skip
    account = m.Account(id="YWNjb3VudA", username="", email="", collections=(), items=items)
    _, report = adapters.write(converted_document(account, rp_id="t", app="t"), key)
    (record,) = [r for r in report.credentials if r.stage == "write" and r.item == "Bad"]
    assert record.outcome == "not-carried" and "not Base32" in record.note
    assert report.items_written == 1


def test_entry_repr_names_no_value() -> None:
    """An entry's repr (a debugger, a log) shows its shape, never a value of the source."""
    entry = Entry(b"12345678901234567890", issuer="Acme Bank", account="alice@example.com",
                  note="recovery code 7f3a", at={"secret": ".secret", "issuer": ".issuer"})  # fmt: skip
    text = repr(entry)
    for value in ("1234567890", "Acme Bank", "alice@example.com", "7f3a"):
        assert value not in text
    assert "kind='totp'" in text and "issuer" in text  # the attribute names remain


def test_qr_texts_reads_qr_codes_only() -> None:
    """A 1D decoder once read a spurious bar code ('0113367000061') in the modules of a written
    batch (about 1 image in 13): the reader asks zxing for QR codes only."""
    from cxkit.adapters.otp.google import qr_texts

    entries = [Entry(secret=bytes([i]) * 10, issuer=f"S{i}", account="me") for i in range(23)]
    for _ in range(12):  # the batch id is random: each round is another image
        data, _ = adapters.write(entries_document(entries), "google-authenticator-qr")
        texts = qr_texts(data)
        assert len(texts) == 3 and all(t.startswith("otpauth-migration://") for t in texts)
