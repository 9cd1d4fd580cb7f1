"""The long tail of small managers (``cxkit.adapters.longtail``, Passman CSV): every shared sample
is detected as its app and read; where pass-import has a reference vault the result matches it
entry by entry (``test_adapters_pass_import_refs``'s projection), with these deliberate
differences, each asserted:

* Padlock, Passman, Passpack and Clipperz have *tags*, not folders; pass-import turns them into
  its ``group``. cxkit keeps them as CXF item tags; the projection compares the tags with
  ``group`` (Passman and Padlock write ``Emails\\WS``, pass-import ``Emails/WS``).
* Revelation's ``generic-pin`` of a credit card is the card's PIN in CXF; pass-import lists it as
  ``password``. The card's members are compared with pass-import's ``password`` / keys.
* Encryptr's card: pass-import's reference leaves out the row's ``Notes`` (``note here``);
  cxkit carries it. The card columns are compared under pass-import's column names.
* NetworkManager: pass-import's reference lists the Wi-Fi connections with a secret; cxkit
  reads every connection file (a wired one without secrets is skipped and says why).

Own fixtures (small files written here) check each reader's special cases, and the contract's
mutation and secret checks run over them — also for UPM, which detection never picks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st
from test_adapters_pass_import_refs import _project, _same, _yaml_entries

from cxkit import adapters, cxf
from cxkit.adapters import contract, detection
from cxkit.adapters.detection import InputRefusedError
from cxkit.adapters.longtail._keyfile import parse_keyfile
from cxkit.adapters.longtail._keyring_binary import MAGIC, MAX_ITERATIONS, derive
from cxkit.adapters.longtail.passpie import MAX_YAML, load_yaml
from cxkit.cxf import model as m
from cxkit.errors import CxkitError, DecryptionError
from shared_evidence import shared_path

#: sample → (adapter key, reference, keys dropped before comparing (tests.yml's ``without``))
_CASES: dict[str, tuple[str, str, frozenset[str]]] = {
    "blur/pass-import/blur.csv": ("blur-csv", "main.yml", frozenset({"group", "comments"})),
    "blur/pass-import/blur.json": ("blur-json", "main.yml", frozenset({"group", "comments"})),
    "buttercup/pass-import/buttercup.csv": ("buttercup-csv", "main.yml", frozenset()),
    "clipperz/pass-import/clipperz.html": ("clipperz-html", "main.yml", frozenset()),
    "encryptr/pass-import/encryptr.csv": ("encryptr-csv", "main.yml", frozenset({"group"})),
    "encryptr/pass-import/encryptr-card.csv": ("encryptr-csv", "encryptr-card.yml", frozenset()),
    "figaro-pm/pass-import/fpm.xml": ("figaro-xml", "main.yml", frozenset()),
    "password-gorilla/pass-import/gorilla.csv": ("gorilla-csv", "main.yml", frozenset()),
    "myki/pass-import/myki.csv": ("myki-csv", "main.yml", frozenset({"group"})),
    "padlock/pass-import/padlock.csv": ("padlock-csv", "main.yml", frozenset()),
    "passman/pass-import/passman.csv": ("passman-csv", "main.yml", frozenset()),
    "passpack/pass-import/passpack.csv": ("passpack-csv", "main.yml", frozenset()),
    "passpie/pass-import/passpie.yml": ("passpie-yaml", "main.yml", frozenset({"group", "url"})),
    "revelation/pass-import/revelation.xml": ("revelation-xml", "main.yml", frozenset()),
    "revelation/pass-import/revelation-other.xml": (
        "revelation-xml", "revelation-other.yml", frozenset()
    ),
    "safeincloud/pass-import/safeincloud.csv": ("safeincloud-csv", "main.yml", frozenset({"group"})),
    "saferpass/pass-import/saferpass.csv": ("saferpass-csv", "main.yml", frozenset({"group"})),
    "synology/pass-import/synology.csv": ("synology-csv", "main.yml", frozenset({"group"})),
    "upm/pass-import/upm.csv": ("upm-csv", "main.yml", frozenset({"group"})),
    "zoho/pass-import/zoho.csv": ("zoho-csv", "main.yml", frozenset({"group"})),
    "zoho/pass-import/zoho.vault.csv": ("zoho-vault-csv", "main.yml", frozenset()),
}  # fmt: skip
#: samples whose tags pass-import lists as its group
_TAGS_AS_GROUP = frozenset({"padlock-csv", "passman-csv", "passpack-csv", "clipperz-html"})
#: keys cxkit carries beyond the reference, by (sample, title)
_EXTRA: dict[tuple[str, str], frozenset[str]] = {
    ("encryptr/pass-import/encryptr-card.csv", "Goliath National Bank"): frozenset({"comments"}),
    **{
        (f"{s}", "aib"): frozenset({"pin"})
        for s in (
            "buttercup/pass-import/buttercup.csv",
            "clipperz/pass-import/clipperz.html",
            "passpack/pass-import/passpack.csv",
            "passman/pass-import/passman.csv",
            "zoho/pass-import/zoho.csv",
            "zoho/pass-import/zoho.vault.csv",
        )
    },
}
_OTHER = "revelation/pass-import/revelation-other.xml"
_EXTRA.update(
    {
        (_OTHER, "Crypto Key"): frozenset({"certificate", "keyfile"}),  # pass-import drops them
        (_OTHER, "Shell"): frozenset(
            {"domain"}
        ),  # pass-import folds it into host (here: no change)
        ("zoho/pass-import/zoho.csv", "aib"): frozenset({"field 3"}),  # the PIN, an unnamed cell
    }
)
#: keys cxkit carries beyond the reference in every entry of a sample: Myki's twofaSecret
#: column holds TOTP secrets the main.yml reference does not list
_EXTRA_ALL: dict[str, frozenset[str]] = {"myki/pass-import/myki.csv": frozenset({"otpauth"})}
#: cxkit's projection key → pass-import's (card members under Encryptr's column names)
_RENAMES: dict[str, dict[str, str]] = {
    "encryptr/pass-import/encryptr-card.csv": {
        "brand": "Type", "cardholderName": "Name on card", "number": "Card Number",
        "code": "CVV",
    },
}  # fmt: skip


def _read(sample: str) -> tuple[cxf.Document, Any]:
    path = shared_path("exports", *sample.split("/"))
    key = _CASES[sample][0] if sample in _CASES else None
    return adapters.read(Path(path).read_bytes(), Path(path).name, source_format=key)


def _projected(sample: str, doc: cxf.Document) -> list[dict[str, Any]]:
    key = _CASES[sample][0]
    out = _project(doc)
    by_title = {item.title: item for _, item in doc.items()}
    for e in out:
        item = by_title[e["title"]]
        if key in _TAGS_AS_GROUP and item.tags:
            e["group"] = "/".join(item.tags).replace("\\", "/")
        for old, new in _RENAMES.get(sample, {}).items():
            if old in e:
                e[new] = e.pop(old)
        if sample.endswith("revelation-other.xml"):  # a card's PIN is pass-import's password
            for c in item.credentials:
                if isinstance(c, m.CreditCard) and c.pin is not None:
                    e["password"] = c.pin.value
                    for k in ("brand", "number", "code", "expYear", "expMonth"):
                        e.pop(k, None)
    return out


@pytest.mark.shared
@pytest.mark.parametrize("sample", sorted(_CASES))
def test_sample_detected_and_matches_reference(sample: str) -> None:
    key, reference, without = _CASES[sample]
    path = Path(shared_path("exports", *sample.split("/")))
    if key == "upm-csv":  # headerless: detection refuses it by design, --from reads it
        with pytest.raises(InputRefusedError) as caught:
            detection.detect(detection.make_sample(path.read_bytes(), path.name))
        assert caught.value.verdict == "headerless-csv"
    else:
        found = detection.detect(detection.make_sample(path.read_bytes(), path.name))
        assert found.adapter.info.key == key
    doc, report = _read(sample)
    assert not report.items_skipped
    refs = shared_path("exports", "pass-import-references")
    expected = [
        {k: v for k, v in e.items() if k not in without}
        for e in _yaml_entries((refs / reference).read_text(encoding="utf-8"))
    ]
    got = [{k: v for k, v in e.items() if k not in without} for e in _projected(sample, doc)]
    assert len(got) == len(expected)
    unmatched = list(got)
    for ref in expected:
        allowed = _EXTRA.get((sample, ref["title"]), frozenset()) | _EXTRA_ALL.get(
            sample, frozenset()
        )
        matches = [
            g
            for g in unmatched
            if set(ref) <= set(g)
            and set(g) - set(ref) <= allowed
            and all(_same(k, g[k], v) for k, v in ref.items())
        ]
        assert matches, f"{sample}: no entry matches reference {ref['title']!r}: " + repr(
            [sorted(g) for g in unmatched if g["title"] == ref["title"]]
        )
        unmatched.remove(matches[0])
    assert unmatched == []


_NM = ("Box-A5O9", "Open Wireless", "VPN", "Wired connection", "android", "eduroam")


@pytest.mark.shared
def test_networkmanager_files_match_the_wifi_reference() -> None:
    folder = Path(shared_path("exports", "networkmanager", "pass-import"))
    refs = shared_path("exports", "pass-import-references")
    expected = {e["title"]: e for e in _yaml_entries(
        (refs / "networkmanager-wifi.yml").read_text(encoding="utf-8"))}  # fmt: skip
    seen: dict[str, m.Item] = {}
    for name in _NM:
        data = (folder / name).read_bytes()
        assert detection.detect(detection.make_sample(data, name)).adapter.info.key == (
            "networkmanager"
        )
        doc, report = adapters.read(data, name)
        items = [item for _, item in doc.items()]
        if name == "Wired connection":
            assert items == [] and "nothing to carry" in report.items_skipped[0][1]
            continue
        assert len(items) == 1 and items[0].title == name
        seen[name] = items[0]
    for title, ref in expected.items():
        item = seen[title]
        wifi = next(c for c in item.credentials if isinstance(c, m.Wifi))
        assert wifi.ssid is not None and wifi.ssid.value == title
        login = next((c for c in item.credentials if isinstance(c, m.BasicAuth)), None)
        if "login" in ref:  # WPA-Enterprise: the 802.1X identity and password
            assert login is not None and login.username and login.password
            assert (login.username.value, login.password.value) == (ref["login"], ref["password"])
            assert wifi.network_security_type is None
        else:
            assert wifi.passphrase is not None and wifi.passphrase.value == ref["password"]
            assert wifi.network_security_type is not None
            assert wifi.network_security_type.value == "wpa2-personal"
    open_wifi = next(c for c in seen["Open Wireless"].credentials if isinstance(c, m.Wifi))
    assert open_wifi.network_security_type is not None
    assert (open_wifi.network_security_type.value, open_wifi.passphrase) == ("unsecured", None)
    vpn = seen["VPN"].credentials
    assert [type(c) for c in vpn] == [m.CustomFields]
    assert {f.label for f in vpn[0].fields} >= {"vpn ca", "vpn service-type"}


@pytest.mark.shared
def test_gnome_keyring_sample() -> None:
    path = Path(shared_path("exports", "gnome-keyring", "pass-import", "gnome-keyring.keyring"))
    doc, report = adapters.read(path.read_bytes(), path.name)
    got = sorted(
        (item.title, c.password.value if c.password else "")
        for _, item in doc.items()
        for c in item.credentials
        if isinstance(c, m.BasicAuth)
    )
    main = Path(shared_path("exports", "pass-import-references", "main.yml")).read_text()
    # the keyring holds the title and the password only (its 11 entries with a password)
    expected = sorted((e["title"], e["password"]) for e in _yaml_entries(main) if "password" in e)
    assert got == expected
    assert len(list(doc.items())) == 14 and not report.items_skipped
    collections = doc.accounts[0].collections
    assert [c.title for c in collections] == ["pass-import"]


@pytest.mark.shared
def test_passpie_audit_file_is_read() -> None:
    path = Path(shared_path("exports", "pass-import-misc", "pass-import", "audit.yml"))
    doc, report = adapters.read(path.read_bytes(), path.name)
    assert report.items_read == len(list(doc.items())) > 0


# =========================================================================== own fixtures

_BUTTERCUP = (
    "!type,!group_id,!group_name,!group_parent,title,username,password,URL,id,Notes,otp\n"
    "group,g1,Top,0,,,,,,,\n"
    "group,g2,Inner,g1,,,,,,,\n"
    "group,g3,Loop,g4,,,,,,,\n"
    "group,g4,Back,g3,,,,,,,\n"
    "entry,g2,,,Mail,ann,Sup3r-s3cret!,https://mail.example,e1,hello,JBSWY3DPEHPK3PXP\n"
    "entry,g3,,,Odd,bob,An0ther-s3cret,,e2,,\n"
)
_ZOHO = (
    '\ufeff"Secret Name","Secret URL","Notes"\n'
    '"Bank","https://bank.example","","ann","Sup3r-s3cret!","4711","extra"\n'
    '"Bare","","","bob"\n'
)
_ZOHO_VAULT = (
    "Secret Name,Description,Secret URL,SecretData,Notes,CustomData,Tags,Classification,"
    "Favorite,ChamberName\n"
    'Bank,desc,https://bank.example,"SecretType:Web Account\nUser Name:ann\nPassword:Sup3r-s3cret!\n'
    'Security answer:blue\n",,"pin:4711\n",a,P,1,"Top\nInner",\n'
)
_ENCRYPTR = (
    "Entry Type,Label,Password,Username,Site URL,Notes,Text,Type,Name on card,Card Number,CVV,"
    "Expiry\n"
    "Credit Card,Visa,,,,,,Visa,Ann,4111111111111111,737,12/27\n"
    "General,Memo,,,,,Some text,,,,,\n"
)
_PASSPACK = (
    '"Entry Name","URL","User ID","Password","Notes","Shared Notes","Tags","Extra Fields","Email"\n'
    '"Mail","https://m.example","ann","Sup3r-s3cret!","","",'
    '"{""tags"":[""{\\""tag\\"":\\""Work\\""}""]}",'
    '"{""extraFields"":[""{\\""name\\"":\\""pin\\"",\\""type\\"":\\""password\\"",'
    '\\""data\\"":\\""4711\\""}""]}","ann@m.example"\n'
)
_PASSMAN = (
    '"label","username","password","email","description","tags","url","custom_fields","files"\n'
    '"Mail","ann","Sup3r-s3cret!","ann@m.example","","[Work,Home]","https://m.example",'
    '"[{""label"":""pin"",""value"":""4711"",""secret"":true,""field_type"":""text""}]","[]"\n'
)
_WIFI_WEP = (
    "[connection]\nid=Cafe\nuuid=1b2c\ntype=wifi\n\n[wifi]\nssid=Cafe\nhidden=true\n\n"
    "[wifi-security]\nkey-mgmt=none\nwep-key0=Sup3r-s3cret!\nwep-key1=0ther-k3y-99\n"
    "wep-tx-keyidx=1\n"
)
_WIFI_SAE = "[connection]\nid=Home\ntype=wifi\n\n[wifi]\nssid=Home\n\n[wifi-security]\nkey-mgmt=sae\npsk=Sup3r-s3cret!\n"
_VPN = (
    "[connection]\nid=Work VPN\ntype=vpn\n\n[vpn]\nremote=vpn.example\nusername=ann\n"
    "service-type=org.freedesktop.NetworkManager.openvpn\n\n[vpn-secrets]\npassword=Sup3r-s3cret!\n"
)
_KEYRING = (
    "[keyring]\ndisplay-name=login\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n\n"
    "[1]\nitem-type=1\ndisplay-name=ann@imap\nsecret=Sup3r\\ss3cret!\nmtime=1483228800\n"
    "ctime=1483228800\n\n"
    "[1:attribute0]\nname=user\ntype=string\nvalue=ann\n\n"
    "[1:attribute1]\nname=server\ntype=string\nvalue=imap.example\n\n"
    "[1:attribute2]\nname=protocol\ntype=string\nvalue=imaps\n\n"
    "[1:attribute3]\nname=port\ntype=uint32\nvalue=993\n\n"
    "[1:attribute4]\nname=xdg:schema\ntype=string\nvalue=org.gnome.keyring.NetworkPassword\n\n"
    "[1:acl0]\ndisplay-name=Evolution\npath=/usr/bin/evolution\n\n"
    "[2]\nitem-type=2\ndisplay-name=Memo\nsecret=line one\\nline two\n\n"
    "[2:attribute0]\nname=application\ntype=string\nvalue=seahorse\n"
)
_PASSPIE = (
    "credentials:\n- name: example.com\n  login: ann\n  password: Sup3r-s3cret!\n"
    "  comment: ''\n  fullname: ann@example.com\n  modified: 2017-01-01 00:00:00\n"
    "handler: passpie\nversion: 1.0\n"
)
_FPM = (
    '<?xml version="1.0"?>\n<FPM><KeyInfo cipher="none"/><LauncherList/><PasswordList>'
    "<PasswordItem><title>Mail</title><user>ann</user><url>https://m.example</url>"
    "<password>Sup3r-s3cret!</password><notes/><category>Work/Mail</category>"
    "<launcher>web</launcher></PasswordItem></PasswordList></FPM>\n"
)
_REVELATION = (
    '<?xml version="1.0"?>\n<revelationdata version="0.4.14" dataversion="1">'
    '<entry type="folder"><name>Top</name><entry type="folder"><name>Inner</name>'
    '<entry type="website"><name>Mail</name><notes>n</notes><updated>1483228800</updated>'
    '<field id="generic-url">https://m.example</field><field id="generic-username">ann</field>'
    '<field id="generic-password">Sup3r-s3cret!</field></entry></entry></entry>'
    '<entry type="creditcard"><name>Card</name><field id="creditcard-cardnumber">4111111111111111'
    '</field><field id="creditcard-expirydate">2030-06</field><field id="generic-pin">4711</field>'
    "</entry></revelationdata>\n"
)
_CLIPPERZ = (
    "<html><head><title>Clipperz data</title></head><body><div><div><textarea>"
    + json.dumps([{
        "label": "Mail \ue009Work Home",
        "data": {"notes": "hi", "directLogins": {}},
        "currentVersion": {"fields": {
            "a1": {"label": "username", "value": "ann", "actionType": "NONE", "hidden": False},
            "a2": {"label": "password", "value": "Sup3r-s3cret!", "actionType": "PASSWORD",
                   "hidden": True},
            "a3": {"label": "web", "value": "https://m.example", "actionType": "URL",
                   "hidden": False},
            "a4": {"label": "answer", "value": "Bl4ck-c4t-99", "actionType": "NONE",
                   "hidden": True},
        }},
    }]).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    + "</textarea></div></div></body></html>\n"
)  # fmt: skip
_BLUR = json.dumps({
    "dntmeExport": True,
    "accounts": [{"id": "A1", "label": "Mail", "domain": "undefined", "username": "ann",
                  "password": "Sup3r-s3cret!", "email": "", "login_url": "https://m.example",
                  "createdAt": "2017-01-01T00:00:00.000Z", "is_favorite": True, "extra": "x"}],
    "notes": [{"id": "N1", "label": "Memo", "description": "text", "domain": "undefined"}],
    "cards": [], "addresses": [], "identities": [],
})  # fmt: skip
_UPM = 'Mail,ann,Sup3r-s3cret!,https://m.example,\nNote,,,,"two\nlines"\n'

#: fixture name → (adapter key, text)
FIXTURES: dict[str, tuple[str, str]] = {
    "buttercup.csv": ("buttercup-csv", _BUTTERCUP),
    "zoho.csv": ("zoho-csv", _ZOHO),
    "zoho.vault.csv": ("zoho-vault-csv", _ZOHO_VAULT),
    "encryptr.csv": ("encryptr-csv", _ENCRYPTR),
    "passpack.csv": ("passpack-csv", _PASSPACK),
    "passman.csv": ("passman-csv", _PASSMAN),
    "Cafe.nmconnection": ("networkmanager", _WIFI_WEP),
    "Home.nmconnection": ("networkmanager", _WIFI_SAE),
    "Work VPN.nmconnection": ("networkmanager", _VPN),
    "login.keyring": ("gnome-keyring", _KEYRING),
    "passpie.yml": ("passpie-yaml", _PASSPIE),
    "fpm.xml": ("figaro-xml", _FPM),
    "revelation.xml": ("revelation-xml", _REVELATION),
    "clipperz.html": ("clipperz-html", _CLIPPERZ),
    "blur.json": ("blur-json", _BLUR),
    "upm.csv": ("upm-csv", _UPM),
}


def _fixture(name: str) -> tuple[cxf.Document, Any]:
    key, text = FIXTURES[name]
    return adapters.read(text.encode(), name, source_format=key)


def _items(doc: cxf.Document) -> dict[str, m.Item]:
    return {item.title: item for _, item in doc.items()}


def _cred(item: m.Item, kind: type) -> Any:
    return next(c for c in item.credentials if isinstance(c, kind))


def _collections(doc: cxf.Document) -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(c: m.Collection, parent: str) -> None:
        path = f"{parent}/{c.title}" if parent else c.title
        for link in c.items:
            found[link.item] = path
        for sub in c.sub_collections:
            walk(sub, path)

    for c in doc.accounts[0].collections:
        walk(c, "")
    return found


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_detection(name: str) -> None:
    key, text = FIXTURES[name]
    sample = detection.make_sample(text.encode(), name)
    if key == "upm-csv":
        with pytest.raises(InputRefusedError):
            detection.detect(sample)
    else:
        assert detection.detect(sample).adapter.info.key == key


def test_buttercup_groups_nest_and_a_cycle_stops() -> None:
    doc, report = _fixture("buttercup.csv")
    items = _items(doc)
    paths = _collections(doc)
    assert paths[items["Mail"].id] == "Top/Inner"
    assert paths[items["Odd"].id] in ("Back/Loop", "Loop/Back/Loop", "Loop")  # cut at the cycle
    assert _cred(items["Mail"], m.CustomFields).fields[0].label == "otp"
    assert len(items) == 2 and not report.items_skipped


def test_zoho_extra_cells_are_the_secret() -> None:
    doc, _ = _fixture("zoho.csv")
    items = _items(doc)
    login = _cred(items["Bank"], m.BasicAuth)
    assert (login.username.value, login.password.value) == ("ann", "Sup3r-s3cret!")
    fields = _cred(items["Bank"], m.CustomFields).fields
    assert [(f.label, f.field_type) for f in fields] == [("field 3", "concealed-string"),
                                                          ("field 4", "concealed-string")]  # fmt: skip
    assert _cred(items["Bare"], m.BasicAuth).password is None


def test_zoho_vault_secret_data_lines() -> None:
    doc, _ = _fixture("zoho.vault.csv")
    item = _items(doc)["Bank"]
    login = _cred(item, m.BasicAuth)
    assert (login.username.value, login.password.value) == ("ann", "Sup3r-s3cret!")
    fields = {f.label: f for f in _cred(item, m.CustomFields).fields}
    assert fields["Security answer"].field_type == "concealed-string"
    assert fields["pin"].value == "4711" and fields["Description"].value == "desc"
    assert item.favorite is True and item.tags == ("a",)
    assert _collections(doc)[item.id] == "Top/Inner"


def test_encryptr_card_and_general_entry() -> None:
    doc, _ = _fixture("encryptr.csv")
    items = _items(doc)
    card = _cred(items["Visa"], m.CreditCard)
    assert card.number.value == "4111111111111111" and card.expiry_date.value == "2027-12"
    assert card.verification_number.field_type == "concealed-string"
    assert _cred(items["Memo"], m.Note).content.value == "Some text"


def test_passpack_and_passman_cells_with_json() -> None:
    doc, _ = _fixture("passpack.csv")
    item = _items(doc)["Mail"]
    assert item.tags == ("Work",)
    fields = {f.label: f for f in _cred(item, m.CustomFields).fields}
    assert fields["pin"].field_type == "concealed-string" and fields["email"].value
    doc, _ = _fixture("passman.csv")
    item = _items(doc)["Mail"]
    assert item.tags == ("Work", "Home")
    fields = {f.label: f for f in _cred(item, m.CustomFields).fields}
    assert fields["pin"].field_type == "concealed-string"


def test_networkmanager_security_types() -> None:
    doc, _ = _fixture("Cafe.nmconnection")
    wifi = _cred(_items(doc)["Cafe"], m.Wifi)
    assert wifi.network_security_type.value == "wep"
    assert wifi.passphrase.value == "0ther-k3y-99"  # wep-tx-keyidx=1
    assert wifi.hidden.value == "true"
    doc, _ = _fixture("Home.nmconnection")
    assert _cred(_items(doc)["Home"], m.Wifi).network_security_type.value == "wpa3-personal"
    doc, _ = _fixture("Work VPN.nmconnection")
    fields = {f.label: f for f in _cred(_items(doc)["Work VPN"], m.CustomFields).fields}
    assert fields["vpn password"].field_type == "concealed-string"
    assert fields["vpn remote"].value == "vpn.example"


def test_gnome_keyring_network_password_and_note() -> None:
    doc, report = _fixture("login.keyring")
    items = _items(doc)
    item = items["ann@imap"]
    login = _cred(item, m.BasicAuth)
    assert (login.username.value, login.password.value) == ("ann", "Sup3r s3cret!")
    assert item.scope is not None and item.scope.urls == ("imaps://imap.example:993",)
    assert item.modified_at == 1483228800
    assert _cred(items["Memo"], m.Note).content.value == "line one\nline two"
    notes = {r.path: r.note for r in report.fields}
    assert any("acl0" in p and "applications" in n for p, n in notes.items())


def test_passpie_yaml_and_its_bounds() -> None:
    doc, _ = _fixture("passpie.yml")
    item = _items(doc)["example.com"]
    assert _cred(item, m.BasicAuth).username.value == "ann"
    assert item.modified_at == 1483228800
    with pytest.raises(CxkitError, match="alias"):
        load_yaml(b"a: &x [Sup3r-s3cret!]\nb: *x\n")
    with pytest.raises(CxkitError, match="MiB"):
        load_yaml(b" " * (MAX_YAML + 1))
    with pytest.raises(CxkitError) as caught:
        load_yaml(b"credentials:\n- password: Sup3r-s3cret!\n  login: [\n")
    assert "Sup3r" not in str(caught.value)


def test_figaro_plain_and_encrypted() -> None:
    doc, _ = _fixture("fpm.xml")
    item = _items(doc)["Mail"]
    assert _collections(doc)[item.id] == "Work/Mail"
    assert _cred(item, m.CustomFields).fields[0].label == "launcher"
    encrypted = _FPM.replace('cipher="none"', 'cipher="blowfish"').encode()
    with pytest.raises(CxkitError, match="encrypted"):
        adapters.read(encrypted, "fpm.xml")


def test_revelation_nested_folders_and_card() -> None:
    doc, _ = _fixture("revelation.xml")
    items = _items(doc)
    assert _collections(doc)[items["Mail"].id] == "Top/Inner"
    assert items["Mail"].scope.urls == ("https://m.example",)
    card = _cred(items["Card"], m.CreditCard)
    assert (card.pin.value, card.expiry_date.value) == ("4711", "2030-06")


def test_clipperz_fields_and_tags() -> None:
    doc, _ = _fixture("clipperz.html")
    item = _items(doc)["Mail"]
    assert item.tags == ("Work", "Home")
    login = _cred(item, m.BasicAuth)
    assert (login.username.value, login.password.value) == ("ann", "Sup3r-s3cret!")
    assert item.scope.urls == ("https://m.example",)
    field = _cred(item, m.CustomFields).fields[0]
    assert (field.label, field.field_type) == ("answer", "concealed-string")


def test_blur_json_undefined_and_notes() -> None:
    doc, report = _fixture("blur.json")
    items = _items(doc)
    assert items["Mail"].scope.urls == ("https://m.example",) and items["Mail"].favorite
    assert _cred(items["Memo"], m.Note).content.value == "text"
    notes = [r.note for r in report.fields if r.path.endswith(".domain")]
    assert notes and all("undefined" in n or "no value" in n for n in notes)


def test_upm_headerless_rows_keep_their_line_numbers() -> None:
    doc, report = _fixture("upm.csv")
    items = _items(doc)
    assert _cred(items["Mail"], m.BasicAuth).password.value == "Sup3r-s3cret!"
    assert _cred(items["Note"], m.Note).content.value == "two\nlines"
    paths = {r.path for r in report.fields}
    assert paths == {"upm.csv:1:account", "upm.csv:1:user", "upm.csv:1:password",
                     "upm.csv:1:url", "upm.csv:2:account", "upm.csv:2:notes"}  # fmt: skip


def test_a_bad_row_is_skipped_and_the_rest_read() -> None:
    text = _PASSPACK + _PASSPACK.splitlines(keepends=True)[1].replace('{""tags""', "{broken")
    doc, report = adapters.read(text.encode(), "passpack.csv", source_format="passpack-csv")
    assert len(list(doc.items())) == 1 and len(report.items_skipped) == 1
    assert "Sup3r" not in report.render()


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_contract(name: str) -> None:
    """Accounting, mutation fuzz and secrets over each own fixture (the contract suite runs on
    the shared samples detection picks; UPM and the fixtures' special cases are covered here)."""
    key, text = FIXTURES[name]
    from cxkit.adapters import registry

    adapter = registry.get(key)
    sample = contract.Sample(name, text.encode())
    # (the contract reads a headerless file's first row as its header: UPM's accounting is
    # checked in test_upm_headerless_rows_keep_their_line_numbers)
    accounting = [] if key == "upm-csv" else contract.check_accounting(adapter, sample)
    problems = (
        accounting
        + contract.check_mutations(adapter, sample, rounds=48)
        + contract.check_secrets(adapter, sample)
    )
    assert not problems, "\n".join(problems)


@pytest.mark.shared
def test_upm_sample_contract() -> None:
    from cxkit.adapters import registry

    path = Path(shared_path("exports", "upm", "pass-import", "upm.csv"))
    sample = contract.Sample(path.name, path.read_bytes())
    adapter = registry.get("upm-csv")
    problems = contract.check_mutations(adapter, sample) + contract.check_secrets(adapter, sample)
    assert not problems, "\n".join(problems)


# =========================================================================== properties

_NAME = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_"),
                min_size=1, max_size=12)  # fmt: skip
_VALUE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                 max_size=40)  # fmt: skip


def _escape(value: str) -> str:
    """GLib's g_key_file_set_string escaping: leading blanks, line breaks, tabs, backslashes."""
    out = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    out = out.replace("\r", "\\r")
    stripped = out.lstrip(" ")
    return "\\s" * (len(out) - len(stripped)) + stripped


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_NAME, st.dictionaries(_NAME, _VALUE, max_size=6)), max_size=6))
def test_keyfile_round_trip(groups: list[tuple[str, dict[str, str]]]) -> None:
    text = "".join(
        f"[{g}]\n" + "".join(f"{k}={_escape(v)}\n" for k, v in kv.items()) for g, kv in groups
    )
    entries = parse_keyfile(text.encode())
    want = [(g, k, v) for g, kv in groups for k, v in kv.items()]
    assert [(e.group, e.key, e.value) for e in entries] == want


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({"name": _VALUE, "login": _VALUE, "password": _VALUE,
                                        "comment": _VALUE}), max_size=8))  # fmt: skip
def test_passpie_yaml_round_trip(credentials: list[dict[str, str]]) -> None:
    import yaml

    data = yaml.safe_dump({"credentials": credentials, "handler": "passpie", "version": 1.0})
    assert load_yaml(data.encode())["credentials"] == credentials
    doc, report = adapters.read(data.encode(), "passpie.yml", source_format="passpie-yaml")
    assert report.items_read == len(credentials) == len(list(doc.items()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_NAME, _VALUE, _VALUE), min_size=1, max_size=10))
def test_upm_rows_and_line_numbers(rows: list[tuple[str, str, str]]) -> None:
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    lines: list[int] = []
    line = 1
    for title, user, password in rows:
        lines.append(line)
        writer.writerow((title, user, password, "", ""))
        line = out.getvalue().count("\n") + 1
    _, report = adapters.read(out.getvalue().encode(), "upm.csv", source_format="upm-csv")
    titles = sorted({r.path.split(":")[1] for r in report.fields if r.path.endswith(":account")})
    assert titles == sorted({str(n) for n in lines})


_KEYS = sorted({key for key, _ in FIXTURES.values()})


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_KEYS), st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_cxkit_errors(key: str, data: bytes) -> None:
    with contextlib.suppress(CxkitError):
        adapters.read(data, "input", source_format=key)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(FIXTURES)), st.data())
def test_fixture_splices_raise_only_cxkit_errors(name: str, data: st.DataObject) -> None:
    key, text = FIXTURES[name]
    raw = text.encode()
    at = data.draw(st.integers(0, len(raw)))
    cut = data.draw(st.integers(0, 8))
    junk = data.draw(st.binary(max_size=8))
    with contextlib.suppress(CxkitError):
        adapters.read(raw[:at] + junk + raw[at + cut :], name, source_format=key)


# =========================================================================== encrypted keyring
def _encrypt_keyring(
    name: str,
    items: list[tuple[int, int, str, bytes, list[tuple[str, str | int]]]],
    password: str,
    *,
    salt: bytes = b"\x01\x02\x03\x04\x05\x06\x07\x08",
    iterations: int = 1234,
) -> bytes:
    """An encrypted keyring of *items* ``(id, type, display name, secret, attributes)``, written
    here from gnome-keyring's ``docs/file-format.txt`` (hashed attributes left empty)."""

    def u32(n: int) -> bytes:
        return struct.pack(">I", n)

    def text(s: str) -> bytes:
        raw = s.encode()
        return u32(len(raw)) + raw

    def attributes(attrs: list[tuple[str, str | int]]) -> bytes:
        out = u32(len(attrs))
        for attr, value in attrs:
            out += text(attr) + (u32(1) + u32(value) if isinstance(value, int)
                                 else u32(0) + text(value))  # fmt: skip
        return out

    head = MAGIC + bytes(4) + text(name) + u32(0) + u32(1) + u32(0) + u32(2)
    head += u32(0) + u32(0) + u32(iterations) + salt + bytes(16) + u32(len(items))
    body = b""
    for item_id, kind, title, secret, attrs in items:
        head += u32(item_id) + u32(kind) + u32(0)
        body += text(title) + u32(len(secret)) + secret + u32(0) + u32(3) + u32(0) + u32(4)
        body += u32(_NONE) + bytes(16) + attributes(attrs) + u32(0)
    body += bytes(-(len(body) + 16) % 16)
    plain = hashlib.md5(body, usedforsecurity=False).digest() + body
    key, iv = derive(password.encode("utf-8"), salt, iterations)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return head + u32(len(plain)) + encryptor.update(plain) + encryptor.finalize()


_NONE = 0xFFFFFFFF
_KEYRING_ITEMS: list[tuple[int, int, str, bytes, list[tuple[str, str | int]]]] = [
    (1, 1, "ann@imap", b"Sup3r-s3cret!", [("user", "ann"), ("server", "imap.example"),
                                           ("protocol", "imaps"), ("port", 993)]),
    (2, 0, "Wi-Fi key", b"\xff\xfe-not-text", []),
    (3, 2, "Memo", b"first\nsecond", [("xdg:schema", "org.gnome.keyring.Note")]),
]  # fmt: skip
_KEYRING_PASSWORD = "keyring-pw"


def _encrypted_keyring(**kwargs: Any) -> bytes:
    return _encrypt_keyring("Login", _KEYRING_ITEMS, _KEYRING_PASSWORD, **kwargs)


def test_encrypted_keyring_reads_with_its_password() -> None:
    data = _encrypted_keyring()
    assert detection.detect(detection.make_sample(data, "login.keyring")).adapter.info.key == (
        "gnome-keyring-encrypted"
    )
    options = adapters.ReadOptions(password=lambda _prompt: _KEYRING_PASSWORD)
    doc, report = adapters.read(data, "login.keyring", options=options)
    assert report.encrypted
    items = _items(doc)
    login = _cred(items["ann@imap"], m.BasicAuth)
    assert (login.username.value, login.password.value) == ("ann", "Sup3r-s3cret!")
    assert items["ann@imap"].scope.urls == ("imaps://imap.example:993",)
    binary = _cred(items["Wi-Fi key"], m.CustomFields).fields[0]
    assert (binary.label, binary.value) == ("binary secret", "fffe2d6e6f742d74657874")
    assert _cred(items["Memo"], m.Note).content.value == "first\nsecond"
    assert [c.title for c in doc.accounts[0].collections] == ["Login"]


def test_encrypted_keyring_key_derivation_is_the_documented_one() -> None:
    """SHA-256(password ‖ salt), then SHA-256 of the digest iterations − 1 times."""
    digest = hashlib.sha256(b"pw" + b"saltsalt").digest()
    for _ in range(2):
        digest = hashlib.sha256(digest).digest()
    assert derive(b"pw", b"saltsalt", 3) == (digest[:16], digest[16:])


def test_encrypted_keyring_wrong_password_and_bounds() -> None:
    data = _encrypted_keyring()
    wrong = adapters.ReadOptions(password=lambda _prompt: "not-it")
    with pytest.raises(DecryptionError, match="wrong password") as caught:
        adapters.read(data, "login.keyring", options=wrong)
    assert "keyring-pw" not in str(caught.value)
    with pytest.raises(CxkitError, match="encrypted"):
        adapters.read(data, "login.keyring")
    greedy = _encrypted_keyring(iterations=MAX_ITERATIONS + 1)
    right = adapters.ReadOptions(password=lambda _prompt: _KEYRING_PASSWORD)
    with pytest.raises(CxkitError, match="1,000,000"):
        adapters.read(greedy, "login.keyring", options=right)
    assert greedy.startswith(MAGIC)


def test_encrypted_keyring_contract() -> None:
    from cxkit.adapters import registry

    adapter = registry.get("gnome-keyring-encrypted")
    sample = contract.Sample("login.keyring", _encrypted_keyring(iterations=3), _KEYRING_PASSWORD)
    problems = (
        contract.check_accounting(adapter, sample)
        + contract.check_mutations(adapter, sample, rounds=200)
        + contract.check_secrets(adapter, sample)
    )
    assert not problems, "\n".join(problems)


def test_passman_csv_without_the_files_column() -> None:
    text = "label,username,password,email,description,tags,url,custom_fields\n"
    text += "Mail,ann,Sup3r-s3cret!,,,[Work],https://m.example,[]\n"
    sample = detection.make_sample(text.encode(), "passman.csv")
    assert detection.detect(sample).adapter.info.key == "passman-csv"
    doc, report = adapters.read(text.encode(), "passman.csv")
    assert _items(doc)["Mail"].tags == ("Work",) and not report.items_skipped


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("upm.csv", "Mail,ann,Sup3r-s3cret!,https://m.example,\nBad,row,0ne,too,many,cells\n"
                    "Note,,,,hello\n"),
        ("zoho.vault.csv", _ZOHO_VAULT + "Bad,row\n" + _ZOHO_VAULT.split("\n", 1)[1]),
        ("buttercup.csv", _BUTTERCUP + "entry,g1,,,Bad,x,y,z,e9,n,o,extra\n"),
    ],
)  # fmt: skip
def test_a_row_of_another_width_is_skipped_by_number(name: str, text: str) -> None:
    key = FIXTURES[name][0]
    doc, report = adapters.read(text.encode(), name, source_format=key)
    assert (
        len(report.items_skipped) == 1
        and "cells where the header has" in report.items_skipped[0][1]
    )
    assert len(list(doc.items())) >= 2
    assert "0ne" not in report.render()
