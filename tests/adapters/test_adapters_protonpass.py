"""Proton Pass JSON / ZIP reader: mapping, passkeys, field accounting, attachments, trash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from _bw_adapter_data import PASSWORD_CANARY
from _pp_adapter_data import ATTACHMENT, IDENTITY_MEMBERS, export, zip_export

from conftest import shared_path
from cxkit import adapters, cxf
from cxkit.adapters import ReadOptions
from cxkit.adapters.kit.values import json_leaves as _leaves
from cxkit.adapters.protonpass import decode_passkey_content
from cxkit.cli.main import main
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, DecodeError


def _items(doc: cxf.Document) -> dict[str, m.Item]:
    return {item.title: item for _, item in doc.items()}


def _kinds(item: m.Item) -> list[str]:
    return [type(c).__name__ for c in item.credentials]


def test_reads_every_item_type() -> None:
    doc, report = adapters.read(json.dumps(export()).encode(), "pp.json")
    assert report.source_format == "protonpass"
    items = _items(doc)
    forge = items["Forge"]
    assert _kinds(forge).count("Passkey") == 3
    assert _kinds(forge).count("Totp") == 2  # totpUri and the valid extra-field TOTP
    assert forge.favorite is True
    assert forge.scope is not None and len(forge.scope.urls) == 2
    assert [a.bundle_id for a in forge.scope.android_apps] == ["example.forge"]
    basic = next(c for c in forge.credentials if isinstance(c, m.BasicAuth))
    assert basic.username is not None and basic.username.value == "sam"
    bare = next(c for c in items["Bare"].credentials if isinstance(c, m.BasicAuth))
    assert bare.username is not None and bare.username.value == "only@mail.example"
    assert any(isinstance(c, m.Totp) for c in items["Bare"].credentials)
    card = next(c for c in items["Card"].credentials if isinstance(c, m.CreditCard))
    assert card.card_type is not None and card.card_type.value == "Visa"
    assert card.pin is not None and card.expiry_date is not None
    me = items["Me"]
    assert {"PersonName", "Address", "IdentityDocument", "Passport", "DriversLicense"} <= set(
        _kinds(me)
    )
    assert {c.label for c in me.credentials if isinstance(c, m.CustomFields)} >= {
        "Personal details", "Address details", "Contact details", "Work details", "Club",
        "Proton Pass",
    }  # fmt: skip
    ssh = next(c for c in items["Laptop key"].credentials if isinstance(c, m.SshKey))
    assert ssh.key_type == "ssh-ed25519" and ssh.key_comment == "me@laptop"
    wifi = next(c for c in items["Home wifi"].credentials if isinstance(c, m.Wifi))
    assert wifi.network_security_type is not None
    assert wifi.network_security_type.value == "wpa2-personal"
    assert "CustomFields" in _kinds(items["Locker"]) and "CustomFields" in _kinds(items["Alias"])
    assert "Old" not in items  # trashed
    assert [c.title for c in doc.accounts[0].collections] == ["Personal", "Work"]
    assert not [f for f in cxf.validate(doc) if str(f.severity) == "error"]


def test_every_identity_member_lands_somewhere_named() -> None:
    _, report = adapters.read(json.dumps(export()).encode(), "pp.json")
    identity = [r for r in report.fields if ".items[5].data.content." in r.path]
    members = {r.path.rsplit(".", 1)[1] for r in identity if "[" not in r.path.rsplit(".", 1)[1]}
    assert set(IDENTITY_MEMBERS) <= members
    assert all(r.disposition != "not-carried" for r in identity)


def test_passkeys_are_converted_and_verify() -> None:
    conversion = adapters.convert(json.dumps(export()).encode(), "pp.json", to="cxf-json")
    report = conversion.report
    assert len(report.passkeys) == 3 and report.passkeys_failed() == 0
    assert len({p["algorithm"] for p in report.passkeys}) == 2  # ES256 and EdDSA
    summary = report.credential_summary()["passkey"]
    assert summary["transformed"] == 1  # counter 5
    forge = _items(conversion.document)["Forge"]
    pk = next(c for c in forge.credentials if isinstance(c, m.Passkey))
    assert b64.decode(pk.user_handle) == b"pp-user-1"
    assert pk.username == "pp1@forge.example"


@pytest.mark.parametrize("form", ["json", "zip"])
def test_report_accounts_for_every_source_field(form: str) -> None:
    source = export()
    data = json.dumps(source).encode() if form == "json" else zip_export(source)
    _, report = adapters.read(data, f"pp.{form}")
    recorded = [r.path for r in report.fields]
    assert len(recorded) == len(set(recorded)), "a field was recorded twice"
    expected = set(_leaves(source, "$"))
    if form == "zip":
        expected.add("zip:Proton Pass/files/FILE1/codes.txt")
    assert set(recorded) == expected
    text = json.dumps(report.to_json()) + report.render()
    assert PASSWORD_CANARY not in text and "hush" not in text


def test_zip_attachments_become_file_credentials_with_bytes() -> None:
    conversion = adapters.convert(zip_export(), "pp.zip", to="cxf-json")
    forge = _items(conversion.document)["Forge"]
    file = next(c for c in forge.credentials if isinstance(c, m.File))
    assert file.name == "codes.txt" and file.decrypted_size == len(ATTACHMENT)
    assert conversion.attachments == {file.id: ATTACHMENT}
    assert b64.decode(file.integrity_hash) == hashlib.sha256(ATTACHMENT).digest()
    attachments = dict(conversion.attachments)
    assert not [
        f
        for f in cxf.validate(conversion.document, attachments=attachments)
        if str(f.severity) == "error"
    ]
    # the JSON export has no bytes: the file is reported, not invented
    _, report = adapters.read(json.dumps(export()).encode(), "pp.json")
    assert report.credential_summary()["file"]["not_carried"] == 1


def test_trashed_items_are_skipped_and_reported_or_included() -> None:
    data = json.dumps(export()).encode()
    _, report = adapters.read(data, "pp.json")
    assert ("Old", "in the trash (--include-trashed reads it)") in report.items_skipped
    doc, report = adapters.read(data, "pp.json", options=ReadOptions(include_trashed=True))
    assert "Old" in _items(doc) and not report.items_skipped


def test_round_trip_to_bitwarden_keeps_every_passkey_and_each_verifies() -> None:
    first = adapters.convert(json.dumps(export()).encode(), "pp.json", to="bitwarden-json")
    assert first.output is not None
    bw = json.loads(first.output)
    forge = next(i for i in bw["items"] if i["name"] == "Forge")
    assert len(forge["login"]["fido2Credentials"]) == 3
    back = adapters.convert(first.output, "bw.json", to="cxf-json")
    assert len(back.report.passkeys) == 3 and back.report.passkeys_failed() == 0
    assert {p["rp_id"] for p in back.report.passkeys} == {"forge.example", "git.forge.example"}


def test_bad_passkeys_and_items_are_reported_not_fatal() -> None:
    source = export()
    login = source["vaults"]["SHARE_A"]["items"][0]
    login["data"]["content"]["passkeys"][0]["content"] = "bm90IG1zZ3BhY2s="
    source["vaults"]["SHARE_A"]["items"].append(["not", "an", "item"])
    doc, report = adapters.read(json.dumps(source).encode(), "pp.json")
    assert report.credential_summary()["passkey"]["not_carried"] == 1
    assert _kinds(_items(doc)["Forge"]).count("Passkey") == 2
    assert {r.path for r in report.fields} == set(_leaves(source, "$"))
    with pytest.raises(AdapterError):
        decode_passkey_content(b"\xc1")


def test_encrypted_and_pgp_exports_get_a_clear_message() -> None:
    with pytest.raises(AdapterError, match="OpenPGP"):
        adapters.read(b'{"version": "1", "encrypted": true, "vaults": {}}', "pp.json")
    armored = b"-----BEGIN PGP MESSAGE-----\n\nwcBMA0\n-----END PGP MESSAGE-----\n"
    with pytest.raises(AdapterError, match="OpenPGP") as caught:
        adapters.read(armored, "export.pgp", source_format="protonpass")
    assert caught.value.hint is not None and "gpg --decrypt" in caught.value.hint
    with pytest.raises(DecodeError, match="vaults"):
        adapters.read(b'{"version": "1"}', "pp.json", source_format="protonpass")


def test_shared_sample_is_detected_and_read() -> None:
    path = shared_path("exports", "protonpass", "keepassxc", "protonpass_export.json")
    data = path.read_bytes()
    assert adapters.detect(adapters.make_sample(data, path.name)).adapter.info.key == "protonpass"
    conversion = adapters.convert(data, path.name, to="bitwarden-json")
    report = conversion.report
    assert report.items_read == 4 and [t for t, _ in report.items_skipped] == ["My Deleted Note"]
    items = _items(conversion.document)
    login = items["Test Login"]
    assert _kinds(login).count("Totp") == 2 and login.scope is not None
    assert len(login.scope.urls) == 2
    other = next(c for c in items["Other vault login"].credentials if isinstance(c, m.Totp))
    assert other.secret == "JBSWY3DPEHPK3PXP"
    assert {r.path for r in report.fields} == set(_leaves(json.loads(data), "$"))
    summary = report.credential_summary()
    assert summary["credit-card"]["transformed"] == 1  # the PIN: a Bitwarden custom field


def test_cli_convert_include_trashed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "pp.zip"
    src.write_bytes(zip_export())
    dest = tmp_path / "out.cxf"
    argv = ["convert", str(src), "-o", str(dest), "--plaintext", "--include-trashed"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "3 verified, 0 failed" in out and "skipped" not in out
    folder = tmp_path / "out.cxf.attachments"
    files = list(folder.iterdir())
    assert len(files) == 1 and files[0].read_bytes() == ATTACHMENT
    doc = cxf.decode(dest.read_bytes())
    assert "Old" in _items(doc)
