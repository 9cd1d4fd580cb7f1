"""cxkit.merge and ``cxkit merge`` (issue #16): a browser CSV, an authenticator export and a
password manager's export with passkeys become one vault with each TOTP and passkey on its
login; conflicts are named and both values kept; ``--into`` is atomic and keeps a backup.
The fixtures are generated here with cxkit's own writers (never copied from ../shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _compare_vault import CANARY, TOTP_SECRETS, ident, login, passkey, passkey_key, totp
from hypothesis import given
from hypothesis import strategies as st

from cxkit import adapters, compare, cxf
from cxkit.cli.main import main
from cxkit.compare._view import norm_secret

KEY = passkey_key()
PW = f"{CANARY}-vault-password"


def _doc(items: list[dict[str, Any]]) -> cxf.Document:
    return cxf.decode(
        json.dumps(
            {
                "version": {"major": 1, "minor": 0},
                "exporterRpId": "cxkit.test",
                "exporterDisplayName": "cxkit tests",
                "timestamp": 1700000000,
                "accounts": [
                    {
                        "id": ident("a"),
                        "username": "",
                        "email": "",
                        "collections": [],
                        "items": items,
                    }
                ],
            }
        )
    )


CHROME_CSV = (
    "name,url,username,password,note\n"
    f"forge.example,https://forge.example/login,alice,{CANARY}-forge,\n"
    f"mail.example,https://www.mail.example/,bob@mail.example,{CANARY}-mail,\n"
    f"shop.example,https://shop.example,carol,{CANARY}-shop,\n"
    f"shop.example,https://shop.example,carol2,{CANARY}-shop2,\n"
)


def aegis_json() -> bytes:
    doc = _doc(
        [
            {"id": ident("t1"), "title": "Forge", "credentials": [totp(TOTP_SECRETS[0], "Forge", "alice")]},
            {"id": ident("t2"), "title": "Orphan", "credentials": [totp(TOTP_SECRETS[1], "Nowhere", "zed")]},
            {"id": ident("t3"), "title": "Shop", "credentials": [totp("MFRGGZDFMZTWQ2LK", "Shop", "")]},
        ]
    )  # fmt: skip
    data, _ = adapters.write(doc, "aegis-json")
    return data


def bitwarden_json(password: str = f"{CANARY}-mail") -> bytes:
    doc = _doc(
        [
            login(10, "Mail", "https://mail.example", "bob@mail.example", password,
                  passkey("mail.example", "bob@mail.example", KEY)),
            login(11, "Forge", "https://forge.example/login", "alice", f"{CANARY}-forge"),
        ]
    )  # fmt: skip
    data, _ = adapters.write(doc, "bitwarden-json")
    return data


@pytest.fixture
def sources(tmp_path: Path) -> list[str]:
    (tmp_path / "chrome.csv").write_text(CHROME_CSV)
    (tmp_path / "aegis.json").write_bytes(aegis_json())
    (tmp_path / "bitwarden.json").write_bytes(bitwarden_json())
    return [str(tmp_path / n) for n in ("chrome.csv", "aegis.json", "bitwarden.json")]


def _read(name: str, fmt: str | None = None) -> cxf.Document:
    doc, _ = adapters.read(Path(name).read_bytes(), name, source_format=fmt)
    return doc


def _by_title(doc: cxf.Document) -> dict[str, list[cxf.Item]]:
    found: dict[str, list[cxf.Item]] = {}
    for _, item in doc.items():
        found.setdefault(item.title, []).append(item)
    return found


def test_three_sources_become_one_vault(sources: list[str]) -> None:
    docs = [(Path(s).name, _read(s)) for s in sources]
    result = compare.merge(docs)
    items = _by_title(result.document)
    forge = items["forge.example"]
    assert len(forge) == 1
    secrets = [norm_secret(c.secret) for c in forge[0].credentials if isinstance(c, cxf.Totp)]
    assert secrets == [TOTP_SECRETS[0]]
    mail = items["mail.example"]
    assert len(mail) == 1
    assert [c.rp_id for c in mail[0].credentials if isinstance(c, cxf.Passkey)] == ["mail.example"]
    assert "Mail" not in items  # the Bitwarden login merged into the Chrome one
    # the TOTP of no login, and the one of two logins (carol, carol2 with no account named)
    apart = {e.item.split(" ")[0]: e.note for e in result.events if e.action == "kept-apart"}
    assert apart == {"'Nowhere'": "no login of its site and account",
                     "'Shop'": "2 logins match its site and account"}  # fmt: skip
    assert result.conflicts == []
    # every source item is traceable
    assert sorted((e.source, e.index) for e in result.events) == sorted(
        (name, i) for name, doc in docs for i in range(len(list(doc.items())))
    )
    assert result.count("attached") == 1 and result.count("merged") == 2
    text = result.render() + json.dumps(result.to_json())
    assert CANARY not in text and TOTP_SECRETS[0] not in text


def test_merge_is_deterministic(sources: list[str]) -> None:
    docs = [(Path(s).name, _read(s)) for s in sources]
    assert compare.merge(docs).document.encode() == compare.merge(docs).document.encode()


def test_conflicting_passwords_are_kept_side_by_side(tmp_path: Path) -> None:
    chrome = tmp_path / "chrome.csv"
    chrome.write_text(CHROME_CSV)
    bw = _doc([login(10, "Mail", "https://mail.example", "bob@mail.example", f"{CANARY}-new")])
    result = compare.merge([("chrome.csv", _read(str(chrome))), ("bw.json", bw)])
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.fields == ("password",)
    assert conflict.first == ("chrome.csv", 1) and conflict.second == ("bw.json", 0)
    passwords = {
        c.password.value
        for _, item in result.document.items()
        for c in item.credentials
        if isinstance(c, cxf.BasicAuth) and c.password is not None
    }
    assert {f"{CANARY}-mail", f"{CANARY}-new"} <= passwords
    text = result.render()
    assert "password differ between chrome.csv #2 and bw.json #1" in text
    assert CANARY not in text


def test_identical_items_are_kept_once() -> None:
    doc = _doc([login(1, "A", "https://a.example", "u", "p")])
    result = compare.merge([("one", doc), ("two", doc)])
    assert len(result.document.accounts[0].items) == 1
    assert [e.action for e in result.events] == ["added", "identical"]


def test_cli_merge_verifies_and_writes(sources: list[str], tmp_path: Path, capsys: Any) -> None:
    dest = tmp_path / "merged.cxf.json"
    code = main(["merge", *sources, "-o", str(dest), "--plaintext", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)
    assert report["passkeys_failed"] == 0
    assert report["items"] == len(list(cxf.decode(dest.read_bytes()).items()))
    assert CANARY not in captured.out + captured.err


def test_cli_merge_source_with_format(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "export.txt").write_text(CHROME_CSV)
    code = main(["merge", f"{tmp_path / 'export.txt'}:chrome-csv", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and "dry run: nothing written" in out


def test_cli_merge_refuses_plaintext_without_flag(sources: list[str], tmp_path: Path) -> None:
    assert main(["merge", *sources, "-o", str(tmp_path / "m.cxf.json")]) == 2
    assert not (tmp_path / "m.cxf.json").exists()


def _existing_cxf(tmp_path: Path) -> Path:
    path = tmp_path / "vault.cxf.json"
    doc = _doc([login(20, "Bank", "https://bank.example", "eve", f"{CANARY}-bank")])
    path.write_bytes(doc.encode())
    return path


def test_into_keeps_a_backup(sources: list[str], tmp_path: Path, capsys: Any) -> None:
    existing = _existing_cxf(tmp_path)
    before = existing.read_bytes()
    assert main(["merge", *sources, "--into", str(existing), "--plaintext"]) == 0
    backup = tmp_path / "vault.cxf.json.bak"
    assert backup.read_bytes() == before
    titles = set(_by_title(cxf.decode(existing.read_bytes())))
    assert {"Bank", "forge.example", "mail.example"} <= titles
    assert "Bank" in capsys.readouterr().out  # what changed was shown


def test_into_dry_run_changes_nothing(sources: list[str], tmp_path: Path) -> None:
    existing = _existing_cxf(tmp_path)
    before = existing.read_bytes()
    assert main(["merge", *sources, "--into", str(existing), "--dry-run"]) == 0
    assert existing.read_bytes() == before
    assert not (tmp_path / "vault.cxf.json.bak").exists()


def test_into_leaves_the_original_on_failure(sources: list[str], tmp_path: Path) -> None:
    existing = _existing_cxf(tmp_path)
    before = existing.read_bytes()
    broken = tmp_path / "broken.json"
    broken.write_text('{"items": [')
    assert main(["merge", *sources, str(broken), "--into", str(existing), "--plaintext"]) == 2
    assert existing.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["aegis.json", "bitwarden.json", "broken.json", "chrome.csv", "vault.cxf.json"]
    )


def test_into_keepass_keeps_its_password(sources: list[str], tmp_path: Path) -> None:
    existing = tmp_path / "vault.kdbx"
    pw_file = tmp_path / "pw"
    pw_file.write_text(PW + "\n")
    doc = _doc([login(20, "Bank", "https://bank.example", "eve", f"{CANARY}-bank")])

    def password(_prompt: str) -> str:
        return PW

    data, _ = adapters.write(doc, "keepass-kdbx", options=adapters.WriteOptions(password=password))
    existing.write_bytes(data)
    args = ["merge", *sources, "--into", str(existing), "--password-file", str(pw_file)]
    assert main(args) == 0
    back, _ = adapters.read(
        existing.read_bytes(), "x", options=adapters.ReadOptions(password=password)
    )
    titles = set(_by_title(back))
    assert {"Bank", "forge.example", "mail.example"} <= titles
    assert (tmp_path / "vault.kdbx.bak").read_bytes() == data


_POOL = [
    login(30, "A", "https://a.example", "u", f"{CANARY}-a"),
    login(31, "A again", "https://www.a.example/", "u", f"{CANARY}-a"),
    login(32, "A other", "https://a.example", "u", f"{CANARY}-a2"),
    login(33, "B", "https://b.example", "v", f"{CANARY}-b"),
    {"id": ident(34), "title": "A", "credentials": [totp(TOTP_SECRETS[0], "A", "u")]},
    {"id": ident(35), "title": "B", "credentials": [totp(TOTP_SECRETS[1], "B", "")]},
    {"id": ident(36), "title": "pk", "credentials": [passkey("b.example", "v", KEY)]},
    {"id": ident(37), "title": "note", "credentials": [{"type": "note",
                                                         "content": {"fieldType": "string",
                                                                     "value": "n"}}]},
]  # fmt: skip


def _keys(doc: cxf.Document) -> set[object]:
    from cxkit.compare._merge import _cred_key

    return {_cred_key(c) for _, item in doc.items() for c in item.credentials}


@given(st.lists(st.lists(st.sampled_from(range(len(_POOL))), max_size=6), min_size=1, max_size=3))
def test_merge_never_drops_a_credential(picks: list[list[int]]) -> None:
    """Whatever the sources, every credential of every source is in the output; every source
    item has exactly one event; the output is valid CXF and the same on a second run."""
    sources = [(f"s{n}", _doc([_POOL[i] for i in pick])) for n, pick in enumerate(picks)]
    result = compare.merge(sources)
    wanted: set[object] = set()
    for _, doc in sources:
        wanted |= _keys(doc)
    assert wanted <= _keys(result.document)
    assert len(result.events) == sum(len(p) for p in picks)
    assert not [f for f in cxf.validate(result.document) if f.severity.name == "ERROR"]
    assert compare.merge(sources).document.encode() == result.document.encode()


def test_cli_merge_to_an_encrypted_database(sources: list[str], tmp_path: Path) -> None:
    dest = tmp_path / "merged.kdbx"
    (tmp_path / "pw").write_text(PW + "\n")
    assert (
        main(["merge", *sources, "-o", str(dest), "--new-password-file", str(tmp_path / "pw")]) == 0
    )

    def password(_prompt: str) -> str:
        return PW

    back, _ = adapters.read(dest.read_bytes(), "x", options=adapters.ReadOptions(password=password))
    assert CANARY.encode() not in dest.read_bytes()
    mail = _by_title(back)["mail.example"]
    assert [c.rp_id for c in mail[0].credentials if isinstance(c, cxf.Passkey)] == ["mail.example"]


def test_nested_folders_survive_a_merge() -> None:
    data = json.loads(_doc([login(40, "A", "https://a.example", "u", "p")]).encode())
    data["accounts"][0]["collections"] = [
        {"id": ident("w"), "title": "Work/Home", "items": [],
         "subCollections": [{"id": ident("s"), "title": "Servers", "items": [{"item": ident(40)}]}]}
    ]  # fmt: skip
    result = compare.merge([("one", cxf.decode(json.dumps(data)))])
    (top,) = result.document.accounts[0].collections
    assert top.title == "Work/Home" and top.items == ()
    assert [(c.title, [x.item for x in c.items]) for c in top.sub_collections] == [
        ("Servers", [ident(40)])
    ]
