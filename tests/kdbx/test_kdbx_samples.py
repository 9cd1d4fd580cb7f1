"""Every KDBX sample in ../shared/exports opens with the credentials of its README, and reads
the same as pykeepass (a GPL test-only dependency, never imported by cxkit itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxkit.errors import CxkitError, InvalidKeyError
from cxkit.kdbx import KdbxCredentialsError, read_kdbx
from shared_evidence import KDBX_CREDENTIALS, SHARED, shared_files, shared_path

pykeepass = pytest.importorskip("pykeepass")

CREDENTIALS = KDBX_CREDENTIALS

SAMPLES = shared_files("exports", "*.kdbx")
PARAMS = [pytest.param(p, id=p.name) for p in SAMPLES] or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"no KDBX samples under {SHARED}"))
]


def _creds(path: Path) -> tuple[str, Path | None]:
    assert path.name in CREDENTIALS, f"new KDBX sample without credentials: {path}"
    password, key = CREDENTIALS[path.name]
    return password, (path.parent / key if key else None)


@pytest.mark.shared
@pytest.mark.parametrize("path", PARAMS)
def test_kdbx_sample_opens_like_pykeepass(path: Path) -> None:
    password, key = _creds(path)
    db = read_kdbx(path, password=password, keyfile=key)  # Twofish too (issue #17)
    assert db.info is not None
    kp = pykeepass.PyKeePass(str(path), password=password, keyfile=str(key) if key else None)
    mine = {e.uuid: e for _path, e in db.iter_entries()}
    assert len(mine) == len(kp.entries)
    for ke in kp.entries:
        e = mine[ke.uuid]
        for attr, field in (
            ("title", "Title"),
            ("username", "UserName"),
            ("password", "Password"),
            ("url", "URL"),
            ("notes", "Notes"),
        ):
            assert (e.get(field) or None) == (getattr(ke, attr) or None), (path.name, attr)
        assert {k: e.get(k) for k in ke.custom_properties} == ke.custom_properties
        assert sorted((a.name, a.data) for a in e.attachments) == sorted(
            (a.filename, a.data) for a in ke.attachments
        )
        assert len(e.history) == len(ke.history)
        assert e.tags == (ke.tags or [])
        assert e.times.expires == ke.expires
    groups = {g.uuid: g for _p, g in db.walk()}
    assert len(groups) == len(kp.groups)
    for kg in kp.groups:
        assert groups[kg.uuid].name == (kg.name or "")
    rb = kp.recyclebin_group
    assert (db.recycle_bin() is None) == (rb is None)


@pytest.mark.shared
def test_kdbx_pass_import_sample_holds_reference_entries() -> None:
    path = shared_path("exports", "keepass", "pass-import", "keepass.kdbx")
    db = read_kdbx(path, password="correct horse battery staple")
    assert db.info is not None and db.info.version == (3, 1) and db.info.inner_stream == "salsa20"
    by_title = {e.title: e for _p, e in db.iter_entries()}
    assert by_title["KeePass 2.47"].get("TimeOtp-Secret-Base32") == "JBSWY3DPEHPK3PXP"
    assert (by_title["KeeWeb"].get("otp") or "").startswith("otpauth://totp/")
    assert {a.name for a in by_title["aib"].attachments} == {"pass.png", "tomb.jpg"}
    assert by_title["aib"].get("pin") == "462916"
    paths = {"/".join(g.name for g in p) for p, _e in db.iter_entries()}
    assert "Root/Emails/WS" in paths


@pytest.mark.shared
def test_kdbx_wrong_credentials_are_one_clear_error() -> None:
    base = shared_path("exports", "keepass", "pykeepass")
    for name, key in (("test4_keyx.kdbx", "test4_keyx.keyx"), ("test3.kdbx", "test3.key")):
        with pytest.raises(KdbxCredentialsError, match="wrong password or key file") as exc:
            read_kdbx(base / name, password="not the password", keyfile=base / key)
        assert "not the password" not in exc.value.diagnostics()
        with pytest.raises(KdbxCredentialsError):
            read_kdbx(base / name, password="password")  # key file missing
    with pytest.raises(InvalidKeyError, match="key file version"):
        read_kdbx(
            base / "test4_keyx.kdbx", password="password", keyfile=base / "test_invalidversion.key"
        )


@pytest.mark.shared
def test_kdbx_missing_file_is_a_cxkit_error(tmp_path: Path) -> None:
    with pytest.raises(CxkitError, match="cannot read"):
        read_kdbx(tmp_path / "nope.kdbx", password="x")
    base = shared_path("exports", "keepass", "pykeepass")
    with pytest.raises(CxkitError, match="key file"):
        read_kdbx(base / "test4_keyx.kdbx", password="password", keyfile=tmp_path / "missing.key")
