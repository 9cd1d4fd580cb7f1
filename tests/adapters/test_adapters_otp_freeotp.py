"""FreeOTP v2 backups (Java-serialised HashMap, PBKDF2 + AES-GCM), FreeOTP/FreeOTP+ shared
preferences and FreeOTP+ JSON (``../shared/formats/totp-apps.md`` §8)."""

from __future__ import annotations

import contextlib
import json
import struct

import pytest
from _otp_read import codes_match_reference, mutate_all, pass_import_rows, read, reference, rows
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.freeotp import JAVA_MAGIC, MAX_ENTRIES, java_string_map
from cxkit.errors import CxkitError, DecodeError, DecryptionError
from shared_evidence import shared_path

V2 = ["freeotp_v2_api23.xml", "freeotp_v2_api25.xml", "freeotp_v2_api27.xml",
      "freeotp_v2_api34.xml"]  # fmt: skip
NO_STEAM = "steam"


def _sample(name: str, folder: str = "aegis") -> bytes:
    return shared_path("exports", "freeotp", folder, name).read_bytes()


def _java_utf(text: str) -> bytes:
    """Java's modified UTF-8 (NUL as C0 80, supplementary characters as surrogate pairs)."""
    out = bytearray()
    for unit in struct.unpack(f"<{len(text.encode('utf-16-le')) // 2}H",
                              text.encode("utf-16-le")):  # fmt: skip
        if unit == 0:
            out += b"\xc0\x80"
        elif unit < 0x80:
            out.append(unit)
        elif unit < 0x800:
            out += bytes((0xC0 | unit >> 6, 0x80 | unit & 0x3F))
        else:
            out += bytes((0xE0 | unit >> 12, 0x80 | unit >> 6 & 0x3F, 0x80 | unit & 0x3F))
    return bytes(out)


def _serialise(mapping: dict[str, str], count: int | None = None) -> bytes:
    """A ``java.util.HashMap<String, String>`` as ObjectOutputStream writes it (own encoder,
    from the Java Object Serialization Specification), repeated values as references."""
    out = bytearray(JAVA_MAGIC)
    out += b"\x73\x72" + struct.pack(">H", 17) + b"java.util.HashMap"
    out += bytes.fromhex("0507dac1c31660d1") + b"\x03" + struct.pack(">H", 2)
    out += b"F" + struct.pack(">H", 10) + b"loadFactor" + b"I" + struct.pack(">H", 9)
    out += b"threshold" + b"\x78\x70" + struct.pack(">fi", 0.75, 12)
    out += b"\x77\x08" + struct.pack(">ii", 16, len(mapping) if count is None else count)
    handles: dict[str, int] = {}
    next_handle = 0x7E0002
    for pair in mapping.items():
        for text in pair:
            if text in handles:
                out += b"\x71" + struct.pack(">I", handles[text])
                continue
            raw = _java_utf(text)
            if len(raw) < 0x10000:
                out += b"\x74" + struct.pack(">H", len(raw)) + raw
            else:
                out += b"\x7c" + struct.pack(">Q", len(raw)) + raw
            handles[text] = next_handle
            next_handle += 1
    return bytes(out + b"\x78")


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=200), max_size=12))
@settings(max_examples=150, deadline=None)
def test_java_map_round_trip(mapping: dict[str, str]) -> None:
    assert java_string_map(_serialise(mapping)) == mapping


def test_java_map_long_string_and_references() -> None:
    mapping = {"a": "x" * 70_000, "b": "a", "c": "x" * 70_000}
    assert java_string_map(_serialise(mapping)) == mapping


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_java_map_junk_raises_decode_error(junk: bytes) -> None:
    for data in (junk, JAVA_MAGIC + junk, _serialise({"k": "v"})[:40] + junk):
        with contextlib.suppress(DecodeError):
            java_string_map(data)


def test_java_map_hostile_sizes() -> None:
    with pytest.raises(DecodeError, match="at most"):
        java_string_map(_serialise({}, count=MAX_ENTRIES + 1))
    with pytest.raises(DecodeError):
        java_string_map(_serialise({"k": "v"}, count=3))
    huge = _serialise({})[:-1] + b"\x7c" + struct.pack(">Q", 1 << 62)
    with pytest.raises(DecodeError, match="ends early"):
        java_string_map(huge.replace(struct.pack(">ii", 16, 0), struct.pack(">ii", 16, 1)))
    with pytest.raises(DecodeError, match="reference"):
        bad = _serialise({"k": "v"}).replace(b"\x74\x00\x01v", b"\x71\x00\x7e\x00\x09")
        java_string_map(bad)


def test_java_map_refuses_other_classes() -> None:
    other = _serialise({"k": "v"}).replace(b"java.util.HashMap", b"java.util.Hashtab")
    with pytest.raises(DecodeError, match="HashMap"):
        java_string_map(other)


@pytest.mark.parametrize("name", V2)
def test_v2_backups(name: str) -> None:
    data = _sample(name)
    assert detect(make_sample(data, name)).adapter.info.key == "freeotp"
    doc, report = read(data, name, None, "test")
    assert rows(doc) == [r for r in reference() if r[0] != NO_STEAM]
    assert codes_match_reference(doc) == 3
    assert report.items_read == 6


def test_v2_token_without_algorithm_is_sha1() -> None:
    doc, _ = read(_sample("freeotp_v2_null_algo.xml"), "x.xml", "freeotp", "test")
    assert [r[4] for r in rows(doc)] == ["sha1"]


def test_v2_wrong_password() -> None:
    with pytest.raises(DecryptionError) as err:
        read(_sample("freeotp_v2_api34.xml"), "x.xml", "freeotp", "secret-guess")
    assert "wrong password" in str(err.value) and "secret-guess" not in str(err.value)


@pytest.mark.parametrize(("name", "key"), [("freeotp_plus.json", "freeotp-plus"),
                                           ("freeotp_plus_internal.xml", "freeotp")])  # fmt: skip
def test_freeotp_plus_json_and_its_app_data_agree(name: str, key: str) -> None:
    data = _sample(name)
    assert detect(make_sample(data, name)).adapter.info.key == key
    doc, _ = read(data, name)
    assert rows(doc) == [r for r in reference() if r[0] != NO_STEAM]  # counters + 1 (app quirk)


def test_freeotp_v1_shared_preferences() -> None:
    doc, report = read(_sample("freeotp.xml"), "tokens.xml")
    assert report.source_format == "freeotp"
    expected = {r for r in reference() if r[1] in {"WWE", "Airbnb", "Deno", "Issuu"}}
    assert set(rows(doc)) == expected


def test_pass_import_freeotp_plus() -> None:
    doc, _ = read(_sample("freeotp.json", "pass-import"), "freeotp.json")
    found = rows(doc)
    assert [(r[0], r[1], r[2]) for r in found] == [("hotp", "bob@google.com", "hack"),
                                                   ("totp", "alice@google.com", "work")]  # fmt: skip
    assert found[0][6] == 11  # stored 10: FreeOTP stores the counter one lower


def test_own_token_with_image_and_unknown_member() -> None:
    token = {"algo": "SHA1", "digits": 6, "issuerExt": "Edited", "issuerInt": "Orig",
             "label": "me", "period": 30, "secret": [72, 101, 108, 108, 111, 33, -34, -83],
             "type": "TOTP", "image": "content://x", "newThing": 1}  # fmt: skip
    data = json.dumps({"tokens": [token], "tokenOrder": ["Edited:me"]}).encode()
    doc, report = read(data, "f.json", "freeotp-plus")
    assert rows(doc)[0][1:3] == ("Edited", "me")
    by_path = {r.path: r.disposition.value for r in report.fields}
    assert by_path["$.tokens[0].issuerInt"] == "not-carried"
    assert by_path["$.tokens[0].image"] == "not-carried"
    assert by_path["$.tokens[0].newThing"] == "custom-field"


def test_a_bad_token_does_not_sink_the_others() -> None:
    good = {"algo": "SHA1", "digits": 6, "issuerExt": "A", "label": "a", "period": 30,
            "secret": [1, 2, 3, 4, 5], "type": "TOTP"}  # fmt: skip
    data = json.dumps({"tokens": [good, "nonsense", {"type": "TOTP"}], "tokenOrder": []})
    doc, report = read(data.encode(), "f.json", "freeotp-plus")
    assert len(doc.header.accounts[0].items) == 1
    assert len(report.items_skipped) == 2


@pytest.mark.parametrize("name", ["freeotp_v2_null_algo.xml", "freeotp_plus_internal.xml",
                                  "freeotp_plus.json"])  # fmt: skip
def test_mutations_raise_only_cxkit_errors(name: str) -> None:
    data = _sample(name)
    rounds = 12 if name.startswith("freeotp_v2") else 40
    mutate_all(data, lambda d: read(d, name, "freeotp-plus" if name.endswith("json")
                                    else "freeotp", "test"), rounds=rounds)  # fmt: skip


def test_v1_xml_junk() -> None:
    for data in (b"<map><string name='tokenOrder'>[</string><string name='a'>{</string></map>",
                 b"<map>", b"<other/>"):  # fmt: skip
        with contextlib.suppress(CxkitError):
            read(data, "tokens.xml", "freeotp")


@pytest.mark.parametrize("path", ["aegis/freeotp_plus.json", "pass-import/freeotp.json"])
def test_same_secrets_as_pass_import(path: str) -> None:
    from pass_import.managers.freeotp import FreeOTPPlus

    file = shared_path("exports", "freeotp", path)
    ours = sorted((r[0], r[3], r[4], r[5]) for r in rows(read(file.read_bytes(), file.name)[0]))
    assert ours == pass_import_rows(FreeOTPPlus, str(file))
