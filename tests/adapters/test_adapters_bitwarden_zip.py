"""Bitwarden ZIP export with attachments (``formats/bitwarden.md`` §4), built here from the
made-up Bitwarden fixture: detection, attachments as CXF ``file`` credentials with their bytes,
every member accounted for, encrypted data.json, and hostile archives."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from _bw_adapter_data import PASSWORD_CANARY, personal_export

from cxkit import adapters, cxf
from cxkit.adapters import ReadOptions
from cxkit.adapters.bitwarden.json_export import KdfParams, encrypt_export
from cxkit.adapters.kit.values import json_leaves as _leaves
from cxkit.cli.main import main
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, DecryptionError, InputTooLargeError

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + PASSWORD_CANARY.encode() + b"\n%%EOF\n"


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            zf.writestr(name, content)
    return buf.getvalue()


def _export() -> tuple[dict[str, object], bytes]:
    source = personal_export()
    items = source["items"]
    first, second = items[0]["id"], items[1]["id"]
    data = _zip(
        [
            ("data.json", json.dumps(source, indent=2).encode()),
            (f"attachments/{first}/photo.png", PNG),
            (f"attachments/{first}/scan.pdf", PDF),
            (f"attachments/{second}/notes.txt", b"plain text\n"),
        ]
    )
    return source, data


def _files(item: m.Item) -> list[m.File]:
    return [c for c in item.credentials if isinstance(c, m.File)]


def test_detected_and_attachments_become_file_credentials() -> None:
    source, data = _export()
    assert adapters.detect(adapters.make_sample(data, "bw.zip")).adapter.info.key == "bitwarden-zip"
    options = ReadOptions()
    doc, report = adapters.read(data, "bw.zip", options=options)
    assert report.source_format == "bitwarden-zip"
    items = {i.title: i for _, i in doc.items()}
    first, second = (items[str(x["name"])] for x in source["items"][:2])  # type: ignore[index]
    assert sorted(f.name for f in _files(first)) == ["photo.png", "scan.pdf"]
    assert [f.name for f in _files(second)] == ["notes.txt"]
    assert sum(len(_files(i)) for i in items.values()) == 3
    by_name = {f.name: f for f in (*_files(first), *_files(second))}
    for name, content in (("photo.png", PNG), ("scan.pdf", PDF), ("notes.txt", b"plain text\n")):
        f = by_name[name]
        assert options.attachments[f.id] == content
        assert f.decrypted_size == len(content)
        digest = base64.urlsafe_b64decode(f.integrity_hash + "==")
        assert digest == hashlib.sha256(content).digest()
    # the rest is exactly what the JSON export gives
    json_doc, _ = adapters.read(json.dumps(source).encode(), "bw.json")
    json_items = {i.title: i for _, i in json_doc.items()}
    for title, item in items.items():
        without = tuple(c for c in item.credentials if not isinstance(c, m.File))
        assert without == json_items[title].credentials
    assert not [f for f in cxf.validate(doc) if str(f.severity) == "error"]
    assert report.credential_summary()["file"]["carried"] == 3


def test_report_accounts_for_every_member_and_leaf() -> None:
    source, data = _export()
    _, report = adapters.read(data, "bw.zip")
    recorded = [r.path for r in report.fields]
    assert len(recorded) == len(set(recorded))
    members = {p for p in recorded if p.startswith("bw.zip:attachments/")}
    assert len(members) == 3
    assert set(recorded) - members == set(_leaves(source, "$"))
    assert report.field_counts().get("not-carried", 0) == 0
    assert PASSWORD_CANARY not in json.dumps(report.to_json())
    assert PASSWORD_CANARY not in report.render()


def test_convert_hands_attachments_on_and_cli_writes_them(tmp_path: Path) -> None:
    _, data = _export()
    conversion = adapters.convert(data, "bw.zip", to="cxf-json")
    assert sorted(conversion.attachments.values()) == sorted([PNG, PDF, b"plain text\n"])
    assert conversion.report.passkeys_failed() == 0
    src = tmp_path / "bw.zip"
    src.write_bytes(data)
    dest = tmp_path / "out.cxf"
    assert main(["convert", str(src), "-o", str(dest), "--plaintext", "-q"]) == 0
    doc = cxf.decode(dest.read_bytes())
    assert sum(len(_files(i)) for _, i in doc.items()) == 3


def test_orphan_and_stray_members_are_reported_not_carried() -> None:
    source = personal_export()
    data = _zip(
        [
            ("data.json", json.dumps(source).encode()),
            ("attachments/00000000-0000-0000-0000-000000000000/lost.bin", b"lost"),
            ("readme.txt", b"hello"),
        ]
    )
    # a member outside the layout: the archive is less certainly Bitwarden's
    assert adapters.get("bitwarden-zip").accepts(adapters.make_sample(data, "x.zip")) > 0
    doc, report = adapters.read(data, "bw.zip", source_format="bitwarden-zip")
    assert not any(_files(i) for _, i in doc.items())
    not_carried = {r.path for r in report.fields if str(r.disposition) == "not-carried"}
    assert not_carried == {
        "bw.zip:attachments/00000000-0000-0000-0000-000000000000/lost.bin",
        "bw.zip:readme.txt",
    }
    assert report.credential_summary()["file"]["not_carried"] == 1
    assert any("readme.txt" in w for w in report.warnings)


def test_password_protected_data_json() -> None:
    source = personal_export()
    first = source["items"][0]["id"]
    inner = encrypt_export(json.dumps(source).encode(), "a", KdfParams(iterations=1000))
    data = _zip([("data.json", inner), (f"attachments/{first}/photo.png", PNG)])
    with pytest.raises(CxkitError):
        adapters.read(data, "bw.zip")  # no password source
    with pytest.raises(DecryptionError):
        adapters.read(data, "bw.zip", options=ReadOptions(password=lambda _p: "b"))
    doc, report = adapters.read(data, "bw.zip", options=ReadOptions(password=lambda _p: "a"))
    assert report.encrypted
    assert sum(len(_files(i)) for _, i in doc.items()) == 1


def test_account_restricted_data_json_is_a_clear_error() -> None:
    data = _zip([("data.json", json.dumps({"encrypted": True, "data": "2.x"}).encode())])
    with pytest.raises(CxkitError) as info:
        adapters.read(data, "bw.zip", source_format="bitwarden-zip")
    assert "account-restricted" in info.value.message


@pytest.mark.parametrize(
    "name",
    [
        "attachments/../../evil.txt",
        "../evil.txt",
        "/etc/passwd",
        "attachments\\..\\evil",
        "C:/evil",
        "attachments/x/a\x01b",
    ],
)
def test_traversal_names_are_refused(name: str, tmp_path: Path) -> None:
    data = _zip([("data.json", json.dumps(personal_export()).encode()), (name, b"x")])
    with pytest.raises(CxkitError):
        adapters.read(data, "bw.zip", source_format="bitwarden-zip")
    src = tmp_path / "bw.zip"
    src.write_bytes(data)
    dest = tmp_path / "out.cxf"
    argv = ["convert", str(src), "-o", str(dest), "--from", "bitwarden-zip", "--plaintext", "-q"]
    assert main(argv) == 2
    assert not dest.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bw.zip"]


def test_zip_bomb_is_refused() -> None:
    source = personal_export()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", json.dumps(source))
        with zf.open(f"attachments/{source['items'][0]['id']}/bomb.bin", "w") as fh:
            chunk = bytes(1 << 20)
            for _ in range(48):
                fh.write(chunk)
    with pytest.raises(InputTooLargeError):
        adapters.read(buf.getvalue(), "bw.zip", source_format="bitwarden-zip")


def test_no_data_json_is_a_clear_error() -> None:
    data = _zip([("attachments/x/a.txt", b"a")])
    with pytest.raises(CxkitError) as info:
        adapters.read(data, "bw.zip", source_format="bitwarden-zip")
    assert "data.json" in info.value.message
