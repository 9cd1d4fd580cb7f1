"""Issue #13 checked the way a user meets it: through the ``cxkit`` command line.

* Every shared sample of the issue's apps (Chrome, Firefox, Apple, 1Password, LastPass, Dashlane,
  NordPass, Keeper, Enpass, RoboForm) is detected as its app by ``cxkit detect`` (the two
  headerless CSVs, Keeper and legacy Dashlane, are refused with a reason and read with
  ``--from``), and ``cxkit convert`` takes it to CXF (every sample) and to KDBX (one per app) with
  exit 0 and a report that accounts for every item; the synthetic fixtures of the formats without
  a public sample (1PUX, Apple CSV, LastPass CSV with ``totp``, Dashlane ZIP, NordPass's current
  CSV, Keeper JSON, Enpass JSON) likewise.
* Where pass-import's reference vault covers a sample that the app's own tests compare with
  pass-import's reader on a few keys only (LastPass CSV, the three 1Password CSVs, Dashlane's
  legacy CSV and JSON), the sample is compared with the reference entry by entry, every key
  (``group`` and custom fields included) except those ``tests.yml`` leaves out.
* Every field a reader does not carry names why in the report (1PUX/1PIF section titles that are
  empty once had no reason).
* A source that names a passkey (1PUX, Enpass JSON, Keeper JSON) and a CXF file with passkeys
  converted to each CSV writer the issue names: the report closes with every site and account
  whose passkey must be re-created.
* The eight writers the issue names neutralise formula cells unless ``--csv-raw``, and their
  ``formats`` entry says how to import the file into that app. Apple's and Dashlane's files, which
  pass-import cannot read, are read by the column names the formats notes document
  (``../shared/formats/``), not by the adapters' own constants, and their TOTP by pyotp.
* A truncated or garbage copy of one input per app gives a clear cxkit error (exit 2, one
  ``cxkit: error:`` line), or a partial read that the report names — never a traceback, never a
  secret of the input.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from _main_reference import project, reference
from _op_data import onepux
from test_adapters_apple import ROWS as APPLE_ROWS
from test_adapters_apple import _csv as apple_csv
from test_adapters_dashlane import dashlane_zip
from test_adapters_enpass import _enpass_json
from test_adapters_keeper import _keeper_json
from test_adapters_lastpass import lastpass_csv
from test_adapters_nordpass import _fixture as nordpass_current

from cxkit import adapters
from cxkit.adapters import contract
from cxkit.cli.main import main
from cxkit.cxf import model as m
from shared_evidence import shared_path

pytestmark = pytest.mark.shared

#: shared sample (under exports/) → (format key, --from needed: the headerless CSVs)
_SAMPLES: dict[str, tuple[str, bool]] = {
    "chrome/pass-import/chrome.csv": ("chrome-csv", False),
    "chrome/pass-import/chromesqlite.csv": ("chrome-sqlite-csv", False),
    "firefox/pass-import/firefox.csv": ("firefox-csv", False),
    "firefox/pass-import/ff-password-exporter.csv": ("firefox-password-exporter-csv", False),
    "apple/pass-import/apple-keychain.txt": ("apple-keychain", False),
    "apple/pass-import/apple-keychain-note.txt": ("apple-keychain", False),
    "onepassword/pass-import/1password8.csv": ("1password-csv", False),
    "onepassword/pass-import/1password.csv": ("1password6-csv", False),
    "onepassword/pass-import/1password4.csv": ("1password4-csv", False),
    "lastpass/pass-import/lastpass.csv": ("lastpass-csv", False),
    "lastpass/pass-import/lpass-cli/show-5256086908408307038": ("lastpass-cli-text", False),
    "lastpass/pass-import/lpass-cli/show-5256086908408307038.json": ("lastpass-cli-json", False),
    "dashlane/pass-import/dashlane.json": ("dashlane-json", False),
    "dashlane/pass-import/dashlane.csv": ("dashlane-legacy-csv", True),
    "nordpass/pass-import/nordpass.csv": ("nordpass-csv", False),
    "keeper/pass-import/keeper.csv": ("keeper-csv", True),
    "enpass/pass-import/enpass.csv": ("enpass-csv", False),
    "roboform/pass-import/roboform.csv": ("roboform-csv", False),
}
#: one shared sample per app, taken on to KDBX as well
_KDBX = (
    "chrome/pass-import/chrome.csv",
    "firefox/pass-import/firefox.csv",
    "apple/pass-import/apple-keychain.txt",
    "onepassword/pass-import/1password.csv",
    "lastpass/pass-import/lastpass.csv",
    "dashlane/pass-import/dashlane.json",
    "nordpass/pass-import/nordpass.csv",
    "keeper/pass-import/keeper.csv",
    "enpass/pass-import/enpass.csv",
    "roboform/pass-import/roboform.csv",
)


def _synthetic() -> dict[str, tuple[bytes, str]]:
    """File name → (bytes, format key) of the fixtures the project writes itself."""
    return {
        "export.1pux": (onepux(), "1password-1pux"),
        "passwords.csv": (apple_csv(APPLE_ROWS), "apple-passwords-csv"),
        "lastpass.csv": (lastpass_csv(), "lastpass-csv"),
        "dashlane.zip": (dashlane_zip(), "dashlane-zip"),
        "nordpass.csv": (nordpass_current(), "nordpass-csv"),
        "keeper.json": (json.dumps(_keeper_json()).encode(), "keeper-json"),
        "enpass.json": (json.dumps(_enpass_json()).encode(), "enpass-json"),
    }


_SYNTHETIC = sorted(_synthetic())


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def _cxf_items(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [item for account in data["accounts"] for item in account["items"]]


def _convert_to_cxf(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    dest, report = tmp_path / "out.cxf.json", tmp_path / "report.json"
    rc, out, err = _run(["convert", str(source), "-o", str(dest), "--to", "cxf-json",
                         "--plaintext", "--report", str(report), *extra], capsys)  # fmt: skip
    assert rc == 0, err
    return out, json.loads(report.read_text(encoding="utf-8")), _cxf_items(dest)


# --------------------------------------------------------------------------- samples


@pytest.mark.parametrize("sample", sorted(_SAMPLES))
def test_shared_sample_is_detected_and_converts_to_cxf(
    sample: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, headerless = _SAMPLES[sample]
    path = shared_path("exports", *sample.split("/"))
    rc, out, _ = _run(["detect", str(path), "--json"], capsys)
    found = json.loads(out)
    if headerless:  # no header, no evidence of the app: refused with the reason, read with --from
        assert rc == 2 and found["format"] is None and "--from" in found["hint"]
        extra: tuple[str, ...] = ("--from", key)
    else:
        assert rc == 0 and found["format"] == key, found
        extra = ()
    out, report, items = _convert_to_cxf(path, tmp_path, capsys, *extra)
    assert report["source"]["format"] == key
    assert report["items"]["read"] == len(items) > 0 and not report["items"]["skipped"]
    assert report["items"]["written"] == len(items)
    assert "Traceback" not in out


@pytest.mark.parametrize("name", _SYNTHETIC)
def test_synthetic_fixture_is_detected_and_converts_to_cxf(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, key = _synthetic()[name]
    path = tmp_path / name
    path.write_bytes(data)
    rc, out, _ = _run(["detect", str(path), "--json"], capsys)
    assert rc == 0 and json.loads(out)["format"] == key
    _, report, items = _convert_to_cxf(path, tmp_path, capsys)
    assert report["source"]["format"] == key
    # what is left out (trash, archive, a broken record planted in the fixture) is named
    skipped = report["items"]["skipped"]
    assert all(s["reason"] for s in skipped)
    assert report["items"]["read"] == report["items"]["written"] == len(items) > 0


@pytest.mark.parametrize("sample", _KDBX)
def test_one_sample_per_app_converts_to_kdbx(
    sample: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, headerless = _SAMPLES[sample]
    path = shared_path("exports", *sample.split("/"))
    monkeypatch.setenv("CXKIT_TEST_PW", "audit-pass-13")
    dest = tmp_path / "vault.kdbx"
    argv = ["convert", str(path), "-o", str(dest), "--new-password-env", "CXKIT_TEST_PW"]
    rc, out, err = _run([*argv, *(("--from", key) if headerless else ())], capsys)
    assert rc == 0, err
    expected, _ = adapters.read(path.read_bytes(), path.name,
                                source_format=key if headerless else None)  # fmt: skip
    assert f"items: {sum(1 for _ in expected.items())} read" in out
    # the database opens with the password and holds every item by its title
    rc, back, err = _run(
        ["inspect", str(dest), "--items", "--password-env", "CXKIT_TEST_PW"], capsys
    )
    assert rc == 0, err
    for _, item in expected.items():
        assert item.title in back


# --------------------------------------------------------------------------- pass-import


#: sample → (format key given with --from or None, keys tests.yml leaves out)
_REFERENCE_CASES: dict[str, tuple[str | None, frozenset[str]]] = {
    "lastpass/pass-import/lastpass.csv": (None, frozenset()),
    "onepassword/pass-import/1password.csv": (None, frozenset()),
    "onepassword/pass-import/1password4.csv": (None, frozenset({"group"})),
    "onepassword/pass-import/1password8.csv": (None, frozenset({"group"})),
    "dashlane/pass-import/dashlane.csv": ("dashlane-legacy-csv", frozenset({"group"})),
    "dashlane/pass-import/dashlane.json": (None, frozenset({"group"})),
}


@pytest.mark.parametrize("sample", sorted(_REFERENCE_CASES))
def test_sample_matches_the_pass_import_reference_key_by_key(sample: str) -> None:
    fmt, without = _REFERENCE_CASES[sample]
    path = shared_path("exports", *sample.split("/"))
    doc, report = adapters.read(path.read_bytes(), path.name, source_format=fmt)
    assert not report.items_skipped
    got, want = project(doc, without), reference(without)
    if sample.endswith("dashlane.json"):
        # pass-import reads the AUTHENTIFIANT section only; cxkit also keeps the EMAIL one
        extra = got - want
        assert list(extra) == [(("email", "login@example.com"), ("title", "EMAIL"))]
        got -= extra
    assert got == want


# --------------------------------------------------------------------------- the report


def _not_carried_without_reason(report: Any) -> list[str]:
    records = report.to_json()["fields"]["records"]
    return [r["path"] for r in records if r["disposition"] == "not-carried" and not r.get("note")]


@pytest.mark.parametrize("name", [*_SYNTHETIC, "export.1pif", *sorted(_SAMPLES)])
def test_every_field_not_carried_names_why(name: str) -> None:
    if name in _SAMPLES:
        key, headerless = _SAMPLES[name]
        path = shared_path("exports", *name.split("/"))
        data, fmt, file_name = path.read_bytes(), key if headerless else None, path.name
    elif name == "export.1pif":
        from _op_data import onepif

        data, fmt, file_name = onepif(), None, name
    else:
        data, fmt, file_name = _synthetic()[name][0], None, name
    _, report = adapters.read(data, file_name, source_format=fmt)
    assert _not_carried_without_reason(report) == []


def test_an_untitled_1pux_section_is_named_empty_not_silently_dropped() -> None:
    _, report = adapters.read(onepux(), "export.1pux")
    records = report.to_json()["fields"]["records"]
    titles = [r for r in records if re.search(r"\.sections\[\d+\]\.title\Z", r["path"])]
    assert titles  # the fixture has titled and untitled sections
    untitled = [r for r in titles if r["disposition"] == "not-carried"]
    assert untitled and all(r.get("note") == "empty" and r["target"] == "" for r in untitled)
    titled = [r for r in titles if r["disposition"] == "member"]
    assert titled and all(r["target"] == "custom-fields.label" for r in titled)


# --------------------------------------------------------------------------- passkeys


@pytest.mark.parametrize("name", ["export.1pux", "enpass.json", "keeper.json"])
def test_a_named_passkey_closes_the_report_with_its_site(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = _synthetic()[name]
    path = tmp_path / name
    path.write_bytes(data)
    _, expected = adapters.read(data, name)
    assert expected.passkeys_to_recreate  # each fixture names one passkey without its key
    # every part of a named passkey gives the user the same reason (1PUX once said it twice)
    records = expected.to_json()["fields"]["records"]
    assert {r["note"] for r in records if r.get("note", "").startswith("passkey")} == {
        "passkey: the export does not hold the passkey's private key"
    }
    out, report, _ = _convert_to_cxf(path, tmp_path, capsys)
    assert report["passkeys"]["to_recreate"] == expected.passkeys_to_recreate
    tail = out[out.index("passkeys that cannot travel") :]
    for lost in expected.passkeys_to_recreate:
        assert f"{lost['rp_id']} ({lost['username']})" in tail


# --------------------------------------------------------------------------- writers

_WRITERS = ("chrome-csv", "firefox-csv", "apple-passwords-csv", "1password-csv", "lastpass-csv",
            "dashlane-csv", "nordpass-csv", "keeper-csv")  # fmt: skip
_APPS = {"chrome-csv": "Chrome", "firefox-csv": "Firefox", "apple-passwords-csv": "Passwords",
         "1password-csv": "1Password", "lastpass-csv": "LastPass", "dashlane-csv": "Dashlane",
         "nordpass-csv": "NordPass", "keeper-csv": "Keeper"}  # fmt: skip
_FORMULAS = {"title": '=HYPERLINK("http://x.example","y")', "username": "+cmd|calc",
             "password": "-pw=1+2", "note": "@SUM(A1:A2)"}  # fmt: skip


def _formula_source(tmp_path: Path) -> Path:
    """The contract's reference document (two passkeys, a login with TOTP, a note, …) with
    formula-like title, user name, password and note."""
    data, _ = adapters.write(contract.reference_document(), "cxf-json")
    doc = json.loads(data)
    for item in doc["accounts"][0]["items"]:
        for cred in item["credentials"]:
            if cred["type"] == "basic-auth":
                item["title"] = _FORMULAS["title"]
                cred["username"]["value"] = _FORMULAS["username"]
                cred["password"]["value"] = _FORMULAS["password"]
            elif cred["type"] == "note":
                cred["content"]["value"] = _FORMULAS["note"]
    path = tmp_path / "source.cxf.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_every_named_writer_has_an_import_how_to(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(["formats", "--json"], capsys)
    assert rc == 0
    rows = {f["key"]: f for f in json.loads(out)["formats"]}
    for key in _WRITERS:
        row = rows[key]
        assert row["write"] is True, key
        how = row["how_to_import"] or ""
        assert _APPS[key] in how and "Import" in how, (key, how)


@pytest.mark.parametrize("key", _WRITERS)
def test_writer_neutralises_formulas_and_lists_passkeys_to_recreate(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _formula_source(tmp_path)
    dest = tmp_path / "out.csv"
    rc, out, err = _run(["convert", str(source), "-o", str(dest), "--to", key, "--plaintext"],
                        capsys)  # fmt: skip
    assert rc == 0, err
    cells = [c for row in csv.reader(io.StringIO(dest.read_text(encoding="utf-8"))) for c in row]
    written = [v for v in _FORMULAS.values() if "'" + v in cells]
    assert {_FORMULAS["username"], _FORMULAS["password"]} <= set(written), cells
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells), cells
    assert "leading '" in out + err
    # both passkeys of the source are listed with their sites, none travels in a CSV
    tail = out[out.index("passkeys that cannot travel (2)") :]
    assert "forge.example (sam.sample)" in tail and "mail.example (sam@mail.example)" in tail
    # --csv-raw writes the cells as they are
    rc, out, err = _run(["convert", str(source), "-o", str(dest), "--to", key, "--plaintext",
                         "--csv-raw", "--force", "-q"], capsys)  # fmt: skip
    assert rc == 0, err
    raw = [c for row in csv.reader(io.StringIO(dest.read_text(encoding="utf-8"))) for c in row]
    assert all(v in raw for v in written) and not any("'" + v in raw for v in written)


def _documented_header(doc: str, pattern: str) -> list[str]:
    text = shared_path("formats", doc).read_text(encoding="utf-8")
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1).split(",")


def _login_with_totp() -> tuple[Any, m.Item, m.BasicAuth, m.Totp]:
    """The contract's reference document with its TOTP seed made 160 bits long (pyotp refuses
    seeds under 112 bits), and its login that has the TOTP."""
    data, _ = adapters.write(contract.reference_document(), "cxf-json")
    raw = json.loads(data)
    for item in raw["accounts"][0]["items"]:
        for cred in item["credentials"]:
            if cred["type"] == "totp":
                cred["secret"] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    doc, _ = adapters.read(json.dumps(raw).encode(), "source.cxf.json")
    for _, item in doc.items():
        auth = next((c for c in item.credentials if isinstance(c, m.BasicAuth)), None)
        totp = next((c for c in item.credentials if isinstance(c, m.Totp)), None)
        if auth is not None and totp is not None:
            return doc, item, auth, totp
    raise AssertionError("the reference document has a login with TOTP")


@pytest.mark.parametrize(
    ("key", "doc", "pattern", "names"),
    [("apple-passwords-csv", "browsers-and-apple.md", r"Header `(Title,URL,[^`]+)`",
      {"title": "Title", "url": "URL", "username": "Username", "password": "Password",
       "totp": "OTPAuth"}),
     ("dashlane-csv", "other-managers.md", r"`credentials\.csv`: `([^`]+)`",
      {"title": "title", "url": "url", "username": "username", "password": "password",
       "totp": "otpUrl"})],
)  # fmt: skip
def test_apple_and_dashlane_files_read_by_their_documented_columns(
    key: str, doc: str, pattern: str, names: dict[str, str]
) -> None:
    pyotp = pytest.importorskip("pyotp")
    header = _documented_header(doc, pattern)
    if key == "dashlane-csv":  # the notes: "newer: otpUrl instead of otpSecret"
        header = [("otpUrl" if c == "otpSecret" else c) for c in header]
    source, item, auth, totp = _login_with_totp()
    data, _ = adapters.write(source, key)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows and list(rows[0]) == header
    (row,) = [r for r in rows if r[names["title"]] == item.title]
    assert auth.username is not None and auth.password is not None and item.scope is not None
    assert row[names["username"]] == auth.username.value
    assert row[names["password"]] == auth.password.value
    assert row[names["url"]] == item.scope.urls[0]
    theirs = pyotp.parse_uri(row[names["totp"]])
    ours = pyotp.TOTP(totp.secret, digits=totp.digits, interval=totp.period)
    for t in (0, 1_700_000_000, 2_000_000_000):
        assert theirs.at(t) == ours.at(t)


# --------------------------------------------------------------------------- damaged inputs

#: one input per app: a shared sample or a synthetic fixture (file name, --from when needed)
_DAMAGED = (
    "chrome/pass-import/chrome.csv", "firefox/pass-import/firefox.csv",
    "apple/pass-import/apple-keychain.txt", "passwords.csv", "export.1pux",
    "onepassword/pass-import/1password8.csv", "lastpass/pass-import/lastpass.csv",
    "dashlane.zip", "dashlane/pass-import/dashlane.json", "nordpass/pass-import/nordpass.csv",
    "keeper/pass-import/keeper.csv", "keeper.json", "enpass.json",
    "enpass/pass-import/enpass.csv", "roboform/pass-import/roboform.csv",
)  # fmt: skip


def _input(name: str) -> tuple[bytes, str, str | None]:
    if name in _SAMPLES:
        key, headerless = _SAMPLES[name]
        path = shared_path("exports", *name.split("/"))
        return path.read_bytes(), path.name, key if headerless else None
    return _synthetic()[name][0], name, None


@pytest.mark.parametrize("name", _DAMAGED)
def test_damaged_copy_gives_a_clear_error_without_secrets(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, file_name, fmt = _input(name)
    doc, _ = adapters.read(data, file_name, source_format=fmt)
    secrets = {s for s in contract.document_secrets(doc) if len(s) >= 6}
    assert secrets
    rng = random.Random(13)
    variants = {
        "garbage": bytes(rng.randrange(256) for _ in range(len(data))),
        "cut-7": data[:7],
        "cut-half": data[: len(data) // 2 + 1],
        "empty": b"",
    }
    for variant, damaged in variants.items():
        path = tmp_path / f"{variant}-{file_name}"
        path.write_bytes(damaged)
        argv = ["convert", str(path), "-o", str(tmp_path / f"{variant}.json"), "--to",
                "cxf-json", "--plaintext", "--report", str(tmp_path / f"{variant}.report.json")]  # fmt: skip
        rc, out, err = _run([*argv, *(("--from", fmt) if fmt else ())], capsys)
        text = out + err
        assert "Traceback" not in text, (variant, text)
        assert not [s for s in secrets if s in text], variant
        if variant != "cut-half":
            assert rc == 2 and err.startswith("cxkit: error: "), (variant, rc, text)
            continue
        # a file cut in half may still be a whole shorter file; a cut row is named skipped
        assert rc in (0, 2), (variant, rc, text)
        if rc == 2:
            assert err.startswith("cxkit: error: ")
        else:
            report = (tmp_path / f"{variant}.report.json").read_text(encoding="utf-8")
            assert not [s for s in secrets if s in report]
