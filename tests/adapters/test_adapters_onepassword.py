"""1Password: 1PUX, 1PIF, OPVault and CSV (4, 6, 8; 8 also written).

1PUX and 1PIF have no public sample in ../shared: ``_op_data`` writes them from the format
notes (every category and field kind). The OPVault is the real KeePassXC test vault (password
``a``) plus small vaults this test encrypts itself (few PBKDF2 iterations: fast fuzzing).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import hmac
import io
import json
import os
import random
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from _op_data import ATTACHMENT, DOCUMENT, SECRET_TOTP, export_data, onepif, onepux
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import adapters, cxf
from cxkit.adapters import MigrationReport, ReadOptions, contract
from cxkit.adapters.detection import make_sample
from cxkit.adapters.onepassword import mapping
from cxkit.adapters.onepassword import onepux as onepux_reader
from cxkit.adapters.onepassword.opvault import MAX_ITERATIONS, OpVaultAdapter, decrypt_opdata
from cxkit.cli.main import main
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecodeError, DecryptionError
from shared_evidence import shared_path

OPVAULT = "exports/onepassword/keepassxc/keepassxc.opvault"


def _read(
    data: bytes, name: str, **options: Any
) -> tuple[cxf.Document, MigrationReport, ReadOptions]:
    opts = ReadOptions(**options)
    doc, report = adapters.read(data, name, options=opts)
    return doc, report, opts


def _items(doc: cxf.Document) -> dict[str, m.Item]:
    return {i.title: i for i in doc.header.accounts[0].items}


def _types(item: m.Item) -> list[str]:
    return [cxf.credential_type(c) for c in item.credentials]


def _first(item: m.Item, cls: type[Any]) -> Any:
    return next(c for c in item.credentials if isinstance(c, cls))


# =========================================================================== 1PUX


def test_1pux_every_category() -> None:
    doc, report, opts = _read(onepux(), "export.1pux")
    assert report.source_format == "1password-1pux"
    items = _items(doc)
    login = items["Example login"]
    assert _types(login)[:4] == ["basic-auth", "totp", "note", "file"]
    auth = _first(login, m.BasicAuth)
    assert (auth.username.value, auth.password.value) == ("alice", "correct-horse-battery")
    assert login.scope is not None
    assert login.scope.urls == ("https://example.com/login", "https://www.example.net")
    assert login.favorite is True and login.tags == ("work", "web/important")
    assert _first(login, m.Totp).secret == SECRET_TOTP
    history = [c for c in login.credentials if isinstance(c, m.CustomFields) and c.label == "Password history"]  # fmt: skip
    assert history[0].fields[0].value == "old-password-1234"
    security = next(c for c in login.credentials if isinstance(c, m.CustomFields) and c.label == "Security")  # fmt: skip
    labels = {f.label: f for f in security.fields}
    assert labels["answer"].field_type == "concealed-string"
    assert labels["since"].field_type == "date" and labels["since"].value == "2010-01-01"
    card = _first(items["Visa card"], m.CreditCard)
    assert card.number.value == "4111111111111111" and card.expiry_date.value == "2028-12"
    assert card.verification_number.value == "737" and card.valid_from.value == "2022-12"
    assert _types(items["A secure note"]) == ["note"]
    ident = items["Identity"]
    assert _first(ident, m.PersonName).surname.value == "Liddell"
    address = _first(ident, m.Address)
    assert address.city.value == "Springfield" and address.country.value == "US"
    assert _first(items["Bare password"], m.BasicAuth).password.value == "standalone-secret-77"
    doc_file = _first(items["Passport scan"], m.File)
    assert opts.attachments[doc_file.id] == DOCUMENT
    assert opts.attachments[_first(login, m.File).id] == ATTACHMENT
    assert _first(items["Database"], m.BasicAuth).username.value == "dbadmin"
    licence = _first(items["Driver licence"], m.DriversLicense)
    assert licence.license_number.value == "D1234567" and licence.country.value == "GB"
    assert licence.expiry_date is None  # a monthYear: a year-month custom field, no invented day
    kept = [f for c in items["Driver licence"].credentials if isinstance(c, m.CustomFields) for f in c.fields]  # fmt: skip
    assert ("expiry date", "year-month", "2030-01") in [(f.label, f.field_type, f.value) for f in kept]  # fmt: skip
    passport = _first(items["Passport"], m.Passport)
    assert (
        passport.passport_number.value == "123456789" and passport.birth_date.value == "1990-01-01"
    )
    assert _first(items["SSN"], m.IdentityDocument).identification_number.value == "078-05-1120"
    wifi = _first(items["Home Wi-Fi"], m.Wifi)
    assert wifi.ssid.value == "HomeNet" and wifi.network_security_type.value == "wpa2-personal"
    assert _first(items["Server"], m.BasicAuth).password.value == "server-root-pass-1"
    api = _first(items["API token"], m.ApiKey)
    assert api.key.value == "api-token-abcdef123456" and api.expiry_date.value == "2030-01-01"
    assert _first(items["SSH key"], m.SshKey).key_type == "ssh-ed25519"
    assert "Old archived login" not in items  # archived: the trash policy
    assert any("archived" in why for _, why in report.items_skipped)
    assert [(p["rp_id"], p["username"]) for p in report.passkeys_to_recreate] == [
        ("example.com", "alice")
    ]
    findings = cxf.validate(doc, attachments=opts.attachments)
    assert not [f.code for f in findings if str(f.severity) == "error"]
    titles = [c.title for c in doc.header.accounts[0].collections]
    assert titles == ["Personal", "Shared"]


def test_1pux_archived_items_with_include_trashed() -> None:
    doc, _, _ = _read(onepux(), "export.1pux", include_trashed=True)
    archived = _items(doc)["Old archived login"]
    assert _first(archived, m.BasicAuth).password.value == "archived-pass-999"
    assert archived.extensions[0].members == {"trashed": True}


def test_1pux_several_accounts_nest_vaults_under_accounts() -> None:
    doc, _, _ = _read(onepux(export_data(accounts=2)), "export.1pux")
    top = doc.header.accounts[0].collections
    assert [c.title for c in top] == ["Account 1", "Account 2"]
    assert [c.title for c in top[1].sub_collections] == ["Personal", "Shared"]


def test_1pux_without_the_files_names_them_not_carried() -> None:
    doc, report, opts = _read(onepux(files=False), "export.1pux")
    assert not opts.attachments
    assert "file" not in _types(_items(doc)["Passport scan"])
    assert "Passport scan: the file is not in the export" in report.render()


def test_export_data_alone_is_read_too() -> None:
    data = json.dumps(export_data()).encode()
    doc, report, _ = _read(data, "export.data")
    assert report.source_format == "1password-1pux"
    assert "Visa card" in _items(doc)


def test_1pux_one_broken_item_never_sinks_the_rest() -> None:
    data = export_data()
    items = data["accounts"][0]["vaults"][0]["items"]
    items.insert(0, "not an item")
    items[2]["details"]["sections"] = {"not": "a list"}
    items[3]["overview"] = 7
    doc, report, _ = _read(onepux(data), "export.1pux")
    assert len(_items(doc)) == 16
    assert any("not a JSON object" in why for _, why in report.items_skipped)


def test_1pux_not_an_export() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("export.attributes", "{}")
        z.writestr("export.data", "[1, 2]")
    with pytest.raises(DecodeError, match="accounts"):
        _read(buf.getvalue(), "x.1pux")


def test_1pux_every_field_accounted_and_no_secret_in_messages() -> None:
    sample = contract.Sample("export.1pux", onepux())
    adapter = adapters.get("1password-1pux")
    assert contract.check_accounting(adapter, sample) == []
    assert contract.check_secrets(adapter, sample) == []


# =========================================================================== 1PIF


def test_1pif_items_folders_trash_and_tombstones() -> None:
    doc, report, _ = _read(onepif(), "data.1pif")
    assert report.source_format == "1password-1pif"
    items = _items(doc)
    assert set(items) == {"Example", "Card", "Note"}
    login = items["Example"]
    assert _first(login, m.BasicAuth).password.value == "pif-password-123"
    assert _first(login, m.Totp).secret == SECRET_TOTP
    assert login.scope is not None and login.scope.urls == ("https://example.com", "https://login.example.com")  # fmt: skip
    assert login.tags == ("pif-tag",) and login.favorite is True
    assert _first(items["Card"], m.CreditCard).expiry_date.value == "2026-11"
    work = doc.header.accounts[0].collections[0]
    assert work.title == "Work" and work.sub_collections[0].title == "Mail"
    assert work.sub_collections[0].items[0].item == login.id
    assert any("trash" in why for _, why in report.items_skipped)


def test_1pif_a_broken_line_is_skipped() -> None:
    data = onepif().replace(b'{"uuid": "N1"', b'{"uuid": "N1" oops', 1)
    doc, report, _ = _read(data, "data.1pif")
    assert set(_items(doc)) == {"Example", "Card"}
    assert any("not JSON" in why for _, why in report.items_skipped)


def test_1pif_detection_needs_the_separator() -> None:
    assert adapters.detect(make_sample(onepif(), "data.1pif")).adapter.info.key == "1password-1pif"
    no_marker = b'{"uuid": "A1", "typeName": "webforms.WebForm", "title": "x"}\n'
    assert adapters.get("1password-1pif").accepts(make_sample(no_marker, "data.1pif")) == 0


# =========================================================================== mapping values


@given(st.integers(min_value=1900, max_value=9999), st.integers(min_value=1, max_value=12))
def test_month_year_forms_agree(year: int, month: int) -> None:
    want = f"{year:04d}-{month:02d}"
    assert mapping._month_year(year * 100 + month) == want
    assert mapping._month_year(f"{month}/{year}") == want
    assert mapping._month_year(f"{year}-{month:02d}") == want


@given(st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=True), st.none()))
def test_value_converters_never_raise(value: Any) -> None:
    for kind in ("date", "year-month", "country-code", "subdivision-code",
                 "wifi-network-security-type", "string"):  # fmt: skip
        result = mapping._convert(value, kind)
        assert result is None or isinstance(result, str)


# =========================================================================== OPVault


def _opdata(plain: bytes, enc: bytes, mac: bytes) -> bytes:
    pad = 16 - len(plain) % 16
    body = os.urandom(pad) + plain
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(enc), modes.CBC(iv)).encryptor()
    blob = b"opdata01" + struct.pack("<Q", len(plain)) + iv + encryptor.update(body) + encryptor.finalize()  # fmt: skip
    return blob + hmac.new(mac, blob, hashlib.sha256).digest()


def _make_opvault(folder: Path, password: str, items: list[dict[str, Any]], iterations: int = 10) -> None:  # fmt: skip
    """A small OPVault written as the format notes describe (for fast tests)."""
    base = folder / "default"
    base.mkdir(parents=True)
    salt = os.urandom(16)
    derived = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    master, overview = os.urandom(256), os.urandom(64)
    profile = {"uuid": "P", "iterations": iterations, "salt": base64.b64encode(salt).decode(),
               "masterKey": base64.b64encode(_opdata(master, derived[:32], derived[32:])).decode(),
               "overviewKey": base64.b64encode(_opdata(overview, derived[:32], derived[32:])).decode()}  # fmt: skip
    (base / "profile.js").write_text("var profile=" + json.dumps(profile) + ";")
    mk, ok = hashlib.sha512(master).digest(), hashlib.sha512(overview).digest()
    folder_title = _opdata(json.dumps({"title": "Team"}).encode(), ok[:32], ok[32:])
    (base / "folders.js").write_text("loadFolders(" + json.dumps({"F1": {"uuid": "F1", "overview": base64.b64encode(folder_title).decode()}}) + ");")  # fmt: skip
    band: dict[str, Any] = {}
    for n, (o, d) in enumerate((i["o"], i["d"]) for i in items):
        item_key = os.urandom(64)
        iv = os.urandom(16)
        enc = Cipher(algorithms.AES(mk[:32]), modes.CBC(iv)).encryptor()
        k = iv + enc.update(item_key) + enc.finalize()
        k += hmac.new(mk[32:], k, hashlib.sha256).digest()
        uuid = f"{n:032X}"
        band[uuid] = {"uuid": uuid, "category": items[n].get("category", "001"), "folder": "F1",
                      "created": 1600000000, "updated": 1600000001, "tx": 1, "hmac": "x",
                      "o": base64.b64encode(_opdata(json.dumps(o).encode(), ok[:32], ok[32:])).decode(),
                      "k": base64.b64encode(k).decode(),
                      "d": base64.b64encode(_opdata(json.dumps(d).encode(), item_key[:32], item_key[32:])).decode()}  # fmt: skip
        if items[n].get("trashed"):
            band[uuid]["trashed"] = True
    (base / "band_0.js").write_text("ld(" + json.dumps(band) + ");")


_SMALL = [
    {"o": {"title": "Mail", "url": "https://mail.example", "URLs": [{"u": "https://mail.example", "l": "website"}], "tags": ["t1"]},
     "d": {"fields": [{"value": "bob", "name": "username", "type": "T", "designation": "username"},
                      {"value": "opvault-secret-pass", "name": "password", "type": "P", "designation": "password"}],
           "notesPlain": "hello"}},
    {"o": {"title": "Old"}, "d": {"password": "trashed-secret-1"}, "category": "005", "trashed": True},
]  # fmt: skip


def _vault_sample(folder: Path) -> adapters.Sample:
    return adapters.make_folder_sample(folder, str(folder))


def _read_folder(folder: Path, password: str = "pw", **kw: Any) -> tuple[cxf.Document, MigrationReport, ReadOptions]:  # fmt: skip
    opts = ReadOptions(password=lambda _p: password, **kw)
    report = MigrationReport()
    doc = OpVaultAdapter().read(_vault_sample(folder), opts, report)
    return doc, report, opts


def test_opvault_small_vault(tmp_path: Path) -> None:
    _make_opvault(tmp_path / "x.opvault", "pw", _SMALL)
    doc, report, _ = _read_folder(tmp_path / "x.opvault")
    items = _items(doc)
    assert list(items) == ["Mail"]
    assert _first(items["Mail"], m.BasicAuth).password.value == "opvault-secret-pass"
    assert doc.header.accounts[0].collections[0].title == "Team"
    assert report.encrypted
    doc, _, _ = _read_folder(tmp_path / "x.opvault" / "default", include_trashed=True)
    assert set(_items(doc)) == {"Mail", "Old"}


def test_opvault_wrong_password_and_iteration_bound(tmp_path: Path) -> None:
    _make_opvault(tmp_path / "x.opvault", "pw", _SMALL)
    with pytest.raises(DecryptionError, match="wrong master password") as info:
        _read_folder(tmp_path / "x.opvault", password="not-it-zz")
    assert "not-it-zz" not in str(info.value) + (info.value.hint or "")
    profile = tmp_path / "x.opvault" / "default" / "profile.js"
    text = profile.read_text().replace('"iterations": 10', f'"iterations": {MAX_ITERATIONS + 1}')
    profile.write_text(text)
    with pytest.raises(AdapterError, match="5,000,000"):
        _read_folder(tmp_path / "x.opvault")


def test_opvault_needs_a_password(tmp_path: Path) -> None:
    _make_opvault(tmp_path / "x.opvault", "pw", _SMALL)
    with pytest.raises(adapters.PasswordNeededError):
        OpVaultAdapter().read(_vault_sample(tmp_path / "x.opvault"), ReadOptions(), MigrationReport())  # fmt: skip


def test_opvault_a_tampered_item_is_skipped_alone(tmp_path: Path) -> None:
    items = [_SMALL[0], {**_SMALL[0], "o": {"title": "Second"}}]
    _make_opvault(tmp_path / "x.opvault", "pw", items)
    band = tmp_path / "x.opvault" / "default" / "band_0.js"
    data = json.loads(band.read_text()[3:-2])
    first = next(iter(data.values()))
    blob = bytearray(base64.b64decode(first["d"]))
    blob[40] ^= 1
    first["d"] = base64.b64encode(bytes(blob)).decode()
    band.write_text("ld(" + json.dumps(data) + ");")
    doc, report, _ = _read_folder(tmp_path / "x.opvault")
    assert list(_items(doc)) == ["Second"]
    assert any("cannot be decrypted" in why for _, why in report.items_skipped)


def test_opvault_damaged_files_raise_only_cxkit_errors(tmp_path: Path) -> None:
    """Mutation fuzz: a byte flipped, cut or spliced in any file of the vault."""
    source = tmp_path / "src.opvault"
    _make_opvault(source, "pw", _SMALL)
    rng = random.Random(1234)
    names = ["profile.js", "folders.js", "band_0.js"]
    for round_ in range(60):
        target = tmp_path / f"m{round_}.opvault"
        shutil.copytree(source, target)
        path = target / "default" / rng.choice(names)
        data = bytearray(path.read_bytes())
        kind = round_ % 3
        if kind == 0:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del data[rng.randrange(len(data)) :]
        else:
            at = rng.randrange(len(data))
            data[at:at] = rng.choice([b"{", b'"', b"]", b"\x00", b"ld("])
        path.write_bytes(bytes(data))
        try:
            _read_folder(target)
        except CxkitError as exc:
            assert "opvault-secret-pass" not in str(exc)


@given(st.binary(max_size=200))
@settings(max_examples=200)
def test_opdata_parser_never_crashes(blob: bytes) -> None:
    key = bytes(32)
    with contextlib.suppress(DecodeError, DecryptionError):
        decrypt_opdata(b"opdata01" + blob, key, key, what="x")


@given(st.binary(max_size=100))
def test_opdata_round_trip(plain: bytes) -> None:
    enc, mac = os.urandom(32), os.urandom(32)
    assert decrypt_opdata(_opdata(plain, enc, mac), enc, mac, what="x") == plain


def _shared_opvault() -> Path:
    folder = shared_path(OPVAULT)
    if not folder.is_dir():
        pytest.skip("the shared OPVault sample is not here")
    return folder


def test_opvault_shared_sample() -> None:
    folder = _shared_opvault()
    assert adapters.detect(_vault_sample(folder)).adapter.info.key == "1password-opvault"
    doc, report, opts = _read_folder(folder, password="a")
    items = _items(doc)
    assert len(items) == 7 and "Trashed Password" not in items
    login = items["KeePassXC"]
    assert _first(login, m.BasicAuth).password.value == "opvault"
    assert _first(login, m.Totp).secret == "JBSWY3DPEHPK3PXP"
    assert opts.attachments[_first(login, m.File).id] == b"attachment"
    assert _first(login, m.File).name == "attachment.txt"
    totp = _first(items["Complex Password"], m.Totp)
    assert (totp.digits, totp.period, totp.algorithm) == (8, 45, "sha256")
    assert _first(items["KeePassXC Server"], m.BasicAuth).username.value == "keepassxc"
    card = _first(items["My Credit Card"], m.CreditCard)
    assert (card.number.value, card.expiry_date.value) == ("1234567890", "2020-12")
    assert _first(items["Team KeePassXC"], m.PersonName).given.value == "Team"
    assert report.encrypted


def test_opvault_shared_sample_as_zip_and_through_the_cli(tmp_path: Path) -> None:
    folder = _shared_opvault()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, "keepassxc.opvault/" + str(path.relative_to(folder)))
    doc, _, _ = _read(buf.getvalue(), "vault.zip", password=lambda _p: "a")
    assert len(_items(doc)) == 7
    pw = tmp_path / "pw"
    pw.write_text("a\n")
    dest = tmp_path / "out.kdbx"
    new = tmp_path / "new"
    new.write_text("new-pass-1\n")
    rc = main(["convert", str(folder), "-o", str(dest), "--password-file", str(pw),
               "--new-password-file", str(new), "-q"])  # fmt: skip
    assert rc == 0 and dest.stat().st_size > 0


# =========================================================================== CSV


@pytest.mark.parametrize(
    ("name", "key", "cls"),
    [("1password8.csv", "1password-csv", "OnePassword8CSV"),
     ("1password.csv", "1password6-csv", "OnePasswordCSV"),
     ("1password4.csv", "1password4-csv", "OnePassword4CSV")],
)  # fmt: skip
def test_csv_versions_agree_with_pass_import(name: str, key: str, cls: str) -> None:
    path = shared_path(f"exports/onepassword/pass-import/{name}")
    if not path.is_file():
        pytest.skip("shared sample not here")
    import pass_import.managers.onepassword as pi

    with getattr(pi, cls)(str(path)) as manager:
        manager.parse()
        theirs = sorted((e.get("title", ""), e.get("login", ""), e.get("password", ""), e.get("url", ""))
                        for e in manager.data)  # fmt: skip
    doc, report, _ = _read(path.read_bytes(), name)
    assert report.source_format == key
    ours = []
    for item in doc.header.accounts[0].items:
        auth = next((c for c in item.credentials if isinstance(c, m.BasicAuth)), None)
        ours.append((item.title,
                     auth.username.value if auth and auth.username else "",
                     auth.password.value if auth and auth.password else "",
                     item.scope.urls[0] if item.scope and item.scope.urls else ""))  # fmt: skip
    assert sorted(ours) == theirs


def test_csv_v8_archived_rows_and_otpauth() -> None:
    header = "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\r\n"
    rows = (f'A,https://a.example,u,pw-a-12345,otpauth://totp/A?secret={SECRET_TOTP},true,false,"x,y",n\r\n'
            "B,https://b.example,u,pw-b-12345,,false,true,,\r\n")  # fmt: skip
    doc, report, _ = _read((header + rows).encode(), "1p.csv")
    items = _items(doc)
    assert list(items) == ["A"]
    assert items["A"].favorite is True and items["A"].tags == ("x", "y")
    assert _first(items["A"], m.Totp).secret == SECRET_TOTP
    assert report.items_skipped


def test_csv_writer_read_by_pass_import_and_back(tmp_path: Path) -> None:
    source, _, _ = _read(onepux(), "export.1pux")
    data, report = adapters.write(source, "1password-csv")
    out = tmp_path / "1password8.csv"
    out.write_bytes(data)
    import pass_import.managers.onepassword as pi

    with pi.OnePassword8CSV(str(out)) as manager:
        manager.parse()
        theirs = {e["title"]: e for e in manager.data}
    assert theirs["Example login"]["password"] == "correct-horse-battery"
    assert theirs["Example login"]["url"] == "https://example.com/login"
    assert SECRET_TOTP in theirs["Example login"]["otpauth"]
    assert theirs["Example login"]["tags"] == "work,web/important"
    assert theirs["Example login"]["favorite"] == "true"
    back, _, _ = _read(data, "1password8.csv")
    again = _items(back)["Example login"]
    assert _first(again, m.BasicAuth).password.value == "correct-horse-battery"
    assert again.tags == ("work", "web/important") and again.favorite is True
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == ["Title", "Url", "Username", "Password", "OTPAuth", "Favorite", "Archived",
                       "Tags", "Notes"]  # fmt: skip
    text = report.render()
    for secret in ("correct-horse-battery", "4111111111111111", SECRET_TOTP):
        assert secret not in text


def test_login_pair_without_designation_and_passkey_host_from_url() -> None:
    records = [
        {"uuid": "L1", "typeName": "webforms.WebForm", "title": "Old style", "location": "https://old.example/x",
         "secureContents": {"fields": [{"value": "carol", "name": "log", "type": "T"},
                                       {"value": "old-style-pass-1", "name": "pwd", "type": "P"},
                                       {"value": "keep-me", "name": "remember", "type": "T"}],
                            "passkey": {"credentialId": "abc"}}},
    ]  # fmt: skip
    data = ("\n".join(json.dumps(r) + "\n" + "***5642bee8-a5ff-11dc-8314-0800200c9a66***" for r in records)).encode()  # fmt: skip
    doc, report, _ = _read(data, "data.1pif")
    item = _items(doc)["Old style"]
    auth = _first(item, m.BasicAuth)
    assert (auth.username.value, auth.password.value) == ("carol", "old-style-pass-1")
    assert _first(item, m.CustomFields).fields[0].value == "keep-me"
    assert report.passkeys_to_recreate[0]["rp_id"] == "old.example"


def test_1pux_older_trashed_member_is_the_trash() -> None:
    data = export_data()
    items = data["accounts"][0]["vaults"][0]["items"]
    items[2]["trashed"] = True  # older 1PUX: a boolean instead of state
    doc, report, _ = _read(onepux(data), "export.1pux")
    assert "A secure note" not in _items(doc)
    assert ("A secure note", "in the trash (--include-trashed reads it)") in report.items_skipped


def _zip_folder(folder: Path, top: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, f"{top}/{path.relative_to(folder)}")
    return buf.getvalue()


def test_opvault_contract_checks_on_a_zipped_vault(tmp_path: Path) -> None:
    """Accounting, damaged copies and secrets (the contract's checks) on an own vault as ZIP;
    the shared one's login password 'opvault' is also a word of the format's key."""
    _make_opvault(tmp_path / "x.opvault", "pw", _SMALL)
    sample = contract.Sample("x.zip", _zip_folder(tmp_path / "x.opvault", "x.opvault"), "pw")
    adapter = adapters.get("1password-opvault")
    assert contract.check_accounting(adapter, sample) == []
    assert contract.check_mutations(adapter, sample) == []
    assert contract.check_secrets(adapter, sample) == []
    shared = shared_path(OPVAULT)
    if shared.is_dir():
        real = contract.Sample("k.zip", _zip_folder(shared, "keepassxc.opvault"), "a")
        assert contract.check_accounting(adapter, real) == []


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda t: t.strip() == t and bool(t)
)


@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=8))
@settings(max_examples=60, deadline=None)
def test_1pif_records_round_trip_through_the_separator(entries: list[tuple[str, str]]) -> None:
    """Any titles and passwords (quotes, separators, '***' included) come back one item each."""
    records = [
        {"uuid": f"U{i}", "typeName": "webforms.WebForm", "title": title,
         "secureContents": {"fields": [{"value": pw, "name": "password", "type": "P", "designation": "password"}]}}
        for i, (title, pw) in enumerate(entries)
    ]  # fmt: skip
    marker = "***5642bee8-a5ff-11dc-8314-0800200c9a66***"
    data = "".join(json.dumps(r) + "\n" + marker + "\n" for r in records).encode()
    doc, _, _ = _read(data, "data.1pif")
    got = [(i.title, _first(i, m.BasicAuth).password.value) for i in doc.header.accounts[0].items]
    assert got == entries


def test_section_field_repr_hides_its_value() -> None:
    """A normalised section field (a password, a card number) never shows its value in repr."""
    obj = {"id": "password", "value": {"concealed": "hunter2-s3cret"}}
    f = mapping._Field("password", "Password", "concealed", "hunter2-s3cret", "$.f", "$.f.v", "",
                       obj)  # fmt: skip
    assert "hunter2-s3cret" not in repr(f) and "'password'" in repr(f)


def test_1pif_a_broken_record_keeps_its_own_path() -> None:
    """Bug fixed: a record was named by the count of records read before it, so a broken record
    and the good one after it were both ``$[k]`` in the report."""
    chunks = onepif().split(b"\n" + _op_data_marker() + b"\n")
    chunks[1] = b'{"uuid": "broken" oops'
    data = (b"\n" + _op_data_marker() + b"\n").join(chunks)
    _doc, report, _ = _read(data, "data.1pif")
    broken = [r.path for r in report.fields if r.note == "not JSON"]
    assert broken == ["$[1]"]
    assert not [r for r in report.fields if r.path.startswith("$[1].")]  # no good record there
    assert any(r.path.startswith("$[2]") for r in report.fields)


def _op_data_marker() -> bytes:
    from _op_data import PIF_MARKER

    return PIF_MARKER.encode()


# --------------------------------------------------------------------------- the sweep's cache

_PATH_PARTS = st.sampled_from(
    [".overview", ".ps", ".details", ".sections[0]", ".fields[12]", ".subtitle", ".pbe",
     ".value", ".htmlForm", ".x.y", "[3]", ".mode", ".label"]
)  # fmt: skip


@given(st.lists(_PATH_PARTS, max_size=6).map("".join))
def test_the_sweeps_noise_reason_is_the_first_noisy_part_of_the_path(at: str) -> None:
    """``_noise`` (remembered per path) gives what the uncached rule gives, and its memory
    stays bounded."""
    expected = next(
        (mapping._NOISE[p] for p in mapping._PARTS.split(at) if p in mapping._NOISE), None
    )
    assert mapping._noise(at) == expected
    assert mapping._noise(at) == expected  # the remembered answer
    assert len(mapping._WHY) <= mapping._WHY_MAX


# =========================================================================== 1PUX lean path


def _usual_item(rng: random.Random, i: int) -> dict[str, Any]:
    """A login, secure note, password or card as 1Password 8 writes them (the lean path's
    items, and cards, which it leaves to the item walk)."""
    kind = rng.choice(["001", "001", "001", "003", "005", "002", "004"])
    overview: dict[str, Any] = {"title": f"Item {i}", "subtitle": "", "ps": 60, "pbe": 80.0}
    details: dict[str, Any] = {}
    if kind == "001":
        details["loginFields"] = [
            {"value": f"user{i}", "id": "", "name": "username", "fieldType": "E", "designation": "username"},
            {"value": f"pw-{i}", "id": "", "name": "password", "fieldType": "P", "designation": "password"},
        ]  # fmt: skip
        urls = [f"https://site{rng.randrange(3)}.example/" for _ in range(rng.randint(1, 3))]
        overview["url"] = urls[0]
        overview["urls"] = [{"label": rng.choice(["", "", "home"]), "url": u} for u in urls]
        if rng.random() < 0.4:
            details["sections"] = [{"title": "", "name": "s", "fields": [{
                "title": "one-time password", "id": "otp",
                "value": {"totp": rng.choice([SECRET_TOTP, f"otpauth://totp/x?secret={SECRET_TOTP}", "steam://ABCDEFGH"])},
                "guarded": False, "multiline": False, "dontGenerate": False}]}]  # fmt: skip
        if rng.random() < 0.4:
            overview["tags"] = ["work", "mail"][: rng.randint(1, 2)]
    elif kind == "002":
        details["sections"] = [{"title": "", "name": "", "fields": [
            {"title": "cardholder name", "id": "cardholder", "value": {"string": "Jo Doe"}, "guarded": False,
             "inputTraits": {"keyboard": "default", "correction": "default", "capitalization": "words"}},
            {"title": "number", "id": "ccnum", "value": {"creditCardNumber": "4111111111111111"}},
            {"title": "verification number", "id": "cvv", "value": {"concealed": "123"}, "multiline": False},
            {"title": "expiry date", "id": "expiry", "value": {"monthYear": rng.choice([202712, "12/2027"])}},
        ]}]  # fmt: skip
    elif kind == "004":
        details["sections"] = [
            {"title": "Identification", "name": "name", "fields": [
                {"title": "first name", "id": "firstname", "value": {"string": "Jo"}, "guarded": False},
                {"title": "last name", "id": "lastname", "value": {"string": "Doe"}}]},
            {"title": "Address", "name": "address", "fields": [
                {"title": "address", "id": "address", "value": {"address": {
                    "street": "1 Main St", "city": "Town", "country": "us", "zip": "12345", "state": ""}}}]},
        ]  # fmt: skip
    elif kind == "003":
        details["notesPlain"] = f"note {i}"
    else:
        details["password"] = f"secret-{i}"
    return {"uuid": f"u{i}", "favIndex": rng.choice([0, 0, 1]), "createdAt": 1600000000 + i,
            "updatedAt": 1700000000 + i, "state": "active", "categoryUuid": kind,
            "details": details, "overview": overview}  # fmt: skip


def _change(rng: random.Random, item: dict[str, Any]) -> None:
    """One change to an item: a member emptied, removed, retyped, reordered or added — some the
    lean path takes, some it leaves to the walk."""
    overview, details = item.get("overview") or {}, item.get("details") or {}
    fields = details.get("loginFields") or [{}]
    sections = details.get("sections") or [{"fields": [{}]}]
    changes = [
        lambda: overview.update(url=rng.choice(["", None, 5])),
        lambda: overview.update(title=rng.choice(["", None])),
        lambda: overview.update(pgrng=rng.choice([False, None, "", "x"])),
        lambda: overview.update(foo=rng.choice(["bar", "", None, {}])),
        lambda: overview.update(tags=rng.choice([[], ["a", ""], None])),
        lambda: overview.update(urls=rng.choice([[{"url": ""}], [{"label": "x"}], ["s"]])),
        lambda: item.update(overview=dict(reversed(list(overview.items())))),
        lambda: details.update(notesPlain=rng.choice(["", None, "n"])),
        lambda: details.update(password=rng.choice(["", "pw", None])),
        lambda: fields.reverse(),
        lambda: fields.append(dict(fields[0])),
        lambda: fields[0].update(value=rng.choice(["", None, " "]), id=rng.choice([None, "x", {}])),
        lambda: fields[0].pop("designation", None),
        lambda: sections[0]["fields"][0].update(
            value=rng.choice([{}, {"totp": "no"}, {"totp": " "}])
        ),
        lambda: sections[0].update(title=rng.choice(["S", None])),
        lambda: sections[-1]["fields"][-1].update(
            value={
                "address": {
                    rng.choice(["country", "state", "zip", "planet"]): rng.choice(
                        ["usa", "US-CA", "CA", 12345, "", None, {}]
                    )
                }
            }
        ),
        lambda: sections[0]["fields"][0].update(
            id=rng.choice(["firstname", "lastname", "initial", "address"])
        ),
        lambda: sections[0]["fields"][0].update(
            inputTraits=rng.choice([{}, {"keyboard": "default", "correction": ""}, {"k": []}, "x"])
        ),
        lambda: sections[0]["fields"][-1].update(id=rng.choice(["ccnum", "pin", "other", None])),
        lambda: sections[0]["fields"][-1].update(
            value={
                rng.choice(["monthYear", "string", "totp", "date"]): rng.choice(
                    [202713, "x", 1700000000, "", SECRET_TOTP]
                )
            }
        ),
        lambda: item.update(favIndex=rng.choice([True, 3, None])),
        lambda: item.update(state=rng.choice(["archived", None])),
        lambda: item.update(createdAt=rng.choice([0, "abc", True, 1700000000000])),
        lambda: item.update(uuid=rng.choice(["", None, "dup"])),
        lambda: item.update(categoryUuid=rng.choice(["003", None, 1])),
        lambda: item.update(trashed=True),
        lambda: item.pop(
            rng.choice(["favIndex", "state", "updatedAt", "overview", "details"]), None
        ),
        lambda: details.update(documentAttributes={"fileName": "x"}),
        lambda: details.update(
            passwordHistory=rng.choice(
                [
                    [{"value": "old", "time": 1600000000}, {"value": "older"}],
                    [{"value": ""}],
                    [{"value": "x", "time": None, "y": 1}],
                ]
            )
        ),
        lambda: details.update({"password": "", "notesPlain": ""}),
        lambda: item.update({k: item.pop(k) for k in ("details", "overview") if k in item}),
    ]
    rng.choice(changes)()


@pytest.mark.parametrize("seed", range(8))
def test_1pux_lean_path_makes_what_the_item_walk_makes(seed: int, monkeypatch: Any) -> None:
    rng = random.Random(seed)
    items = [_usual_item(rng, i) for i in range(150)]
    for item in items:
        for _ in range(rng.choice([0, 0, 1, 2])):
            _change(rng, item)
    data = {"accounts": [{"attrs": {"accountName": "A", "name": "A"}, "vaults": [
        {"attrs": {"uuid": "v1", "name": "One"}, "items": items[:100]},
        {"attrs": {"uuid": "v2", "name": "Two"}, "items": items[100:]}]}]}  # fmt: skip
    pux = onepux(data, files=False)
    include_trashed = seed % 2 == 1
    taken = []
    lean_items = onepux_reader._lean_items

    def counted(vault: Any) -> Any:
        prepare, lean = lean_items(vault)
        return prepare, lambda *a: taken.append(lean(*a)) or taken[-1]

    monkeypatch.setattr(onepux_reader, "_lean_items", counted)
    lean_doc, lean_report, _ = _read(pux, "x.1pux", include_trashed=include_trashed)
    monkeypatch.setattr(
        onepux_reader, "_lean_items", lambda vault: (lambda items: None, lambda *a: False)
    )
    walk_doc, walk_report, _ = _read(pux, "x.1pux", include_trashed=include_trashed)
    assert taken.count(True) >= 40 and taken.count(False) >= 20  # both paths ran
    assert lean_doc.header.accounts == walk_doc.header.accounts
    assert list(lean_report.fields) == list(walk_report.fields)
    assert list(lean_report.credentials) == list(walk_report.credentials)
    assert lean_report.items_read == walk_report.items_read
    assert lean_report.items_skipped == walk_report.items_skipped
    assert lean_report.field_counts() == walk_report.field_counts()
