"""Issue #17 item 4: slow-but-allowed key derivations are announced before any work
(``cxkit._kdfcost``), with an estimate from the file's parameters; the library is silent unless
a front end registers an announcer. No slow derivation runs here: the estimates are checked
for large parameters directly, and the call sites run with tiny parameters while the
per-unit constants are raised (or the derivation is replaced by a recorder)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from cxkit import _kdfcost
from cxkit._kdfcost import KdfEstimate, announce, estimate, set_announcer
from cxkit.errors import AdapterError


@pytest.fixture
def heard() -> Iterator[list[object]]:
    """Events in order: each announcement (its estimate), then ``"derive"`` from recorders."""
    events: list[object] = []
    previous = set_announcer(events.append)
    yield events
    set_announcer(previous)


@pytest.fixture
def everything_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every derivation estimated at hours: tiny real parameters cross the threshold."""
    for key in list(_kdfcost.SECONDS_PER_UNIT):
        monkeypatch.setitem(_kdfcost.SECONDS_PER_UNIT, key, 10.0)


class _StopError(Exception):
    """Raised by a derivation recorder: the work is not done."""


def _recorder(events: list[object]) -> object:
    def derive(*args: object, **kwargs: object) -> bytes:
        events.append("derive")
        raise _StopError

    return derive


# --------------------------------------------------------------------------- estimates


def test_argon2id_one_gib_ten_passes_is_announced_with_its_parameters() -> None:
    est = estimate("Argon2id", memory_kib=1 << 20, iterations=10, lanes=1)
    assert est.algorithm == "Argon2id"
    assert est.seconds == pytest.approx((1 << 20) * 10 * _kdfcost.SECONDS_PER_UNIT["Argon2id"])
    assert 5 < est.seconds < 60  # seconds to tens of seconds on the reference machine
    seconds = round(est.seconds)
    assert est.message() == f"deriving the key (Argon2id, 1 GiB, 10 passes): about {seconds} s"


@pytest.mark.parametrize(
    ("algorithm", "params", "detail"),
    [
        ("Argon2d", {"memory_kib": 256 << 10, "iterations": 20, "lanes": 2},
         "256 MiB, 20 passes, 2 lanes"),
        ("AES-KDF", {"iterations": 60_000_000}, "60,000,000 rounds"),
        ("PBKDF2-HMAC-SHA512", {"iterations": 10_000_000}, "10,000,000 iterations"),
        ("scrypt", {"iterations": 1 << 20, "r": 16, "lanes": 2}, "N=1,048,576, r=16, p=2"),
        ("Argon2id/libsodium", {"memory_kib": 1 << 20, "iterations": 8}, "1 GiB, 8 passes"),
    ],
)  # fmt: skip
def test_large_parameters_give_a_proportional_estimate(
    algorithm: str, params: dict[str, int], detail: str
) -> None:
    est = estimate(algorithm, **params)
    assert est.detail == detail
    assert est.algorithm == algorithm.split("/")[0]
    assert est.seconds >= _kdfcost.THRESHOLD_SECONDS
    double = dict(params, iterations=params["iterations"] * 2)
    assert estimate(algorithm, **double).seconds == pytest.approx(2 * est.seconds)


def test_an_unknown_hash_gets_its_family_s_slowest_constant() -> None:
    slowest = max(v for k, v in _kdfcost.SECONDS_PER_UNIT.items() if k.startswith("PBKDF2"))
    assert estimate("PBKDF2-HMAC-MD5", iterations=1000).seconds == pytest.approx(1000 * slowest)


def test_long_waits_are_said_in_minutes() -> None:
    assert KdfEstimate("AES-KDF", "x", 1.2).message().endswith("about 1 s")
    assert KdfEstimate("AES-KDF", "x", 20.4).message().endswith("about 20 s")
    assert KdfEstimate("AES-KDF", "x", 150).message().endswith("about 3 min")


def test_silent_by_default_and_below_the_threshold(heard: list[object]) -> None:
    announce("PBKDF2-HMAC-SHA256", iterations=1000)  # milliseconds: not worth a word
    assert heard == []
    set_announcer(None)
    est = announce("Argon2id", memory_kib=1 << 20, iterations=10)  # nobody listening
    assert est.seconds > _kdfcost.THRESHOLD_SECONDS
    assert heard == []


def test_the_cli_registration_prints_on_stderr_or_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    previous = set_announcer(None)
    try:
        _kdfcost.announce_to_stderr(True)
        announce("Argon2id", memory_kib=1 << 20, iterations=10)
        _kdfcost.announce_to_stderr(False)
        announce("Argon2id", memory_kib=1 << 20, iterations=10)
    finally:
        set_announcer(previous)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("cxkit: deriving the key (Argon2id, 1 GiB, 10 passes): about ") == 1


# --------------------------------------------------------------------------- call sites


@pytest.mark.parametrize("kdf", ["argon2id", "argon2d", "aes-kdf"])
def test_kdbx_announces_before_deriving(
    kdf: str, heard: list[object], everything_slow: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxkit.kdbx import (
        Database,
        KdbxCredentialsError,
        WriteOptions,
        _crypto,
        read_kdbx,
        write_kdbx,
    )

    options = WriteOptions(
        kdf=kdf,  # type: ignore[arg-type]
        argon2_memory_kib=64,
        argon2_iterations=2,
        argon2_parallelism=1,
        aes_rounds=1000,
    )
    data = write_kdbx(Database(), password="pw", options=options)
    heard.clear()  # writing derives too (and may announce): only reading is looked at here
    real = _crypto.aes_kdf if kdf == "aes-kdf" else None

    def aes_recorder(composite: bytes, seed: bytes, rounds: int) -> bytes:
        heard.append("derive")
        assert real is not None
        return real(composite, seed, rounds)

    if kdf == "aes-kdf":
        monkeypatch.setattr(_crypto, "aes_kdf", aes_recorder)
    read_kdbx(data, password="pw")
    assert len(heard) >= 1
    est = heard[0]
    assert isinstance(est, KdfEstimate)
    if kdf == "aes-kdf":
        assert (est.algorithm, est.detail) == ("AES-KDF", "1,000 rounds")
        assert heard[1] == "derive"
    else:
        assert est.algorithm == ("Argon2d" if kdf == "argon2d" else "Argon2id")
        assert est.detail == "64 KiB, 2 passes"
        assert est.seconds == pytest.approx(64 * 2 * 10.0)
    with pytest.raises(KdbxCredentialsError):
        read_kdbx(data, password="not it")  # announced, derived, then refused


def test_p0_sealed_archive_announces_before_deriving(
    heard: list[object], everything_slow: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxkit.crypto import passphrase

    params = passphrase.Argon2Params(memory_kib=64, iterations=1, lanes=1).with_fresh_salt()
    sealed = passphrase.seal_with_secret(b"data", "a passphrase", params=params)
    heard.clear()
    monkeypatch.setattr(passphrase, "Argon2id", _recorder(heard))
    with pytest.raises(_StopError):
        passphrase.open_with_secret(sealed, "a passphrase", enforce_minimums=False)
    assert heard[1:] == ["derive"]
    est = heard[0]
    assert isinstance(est, KdfEstimate)
    assert (est.algorithm, est.detail) == ("Argon2id", "64 KiB, 1 pass")


@pytest.mark.parametrize("argon2", [False, True])
def test_bitwarden_encrypted_json_announces_before_deriving(
    argon2: bool, heard: list[object], everything_slow: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxkit.adapters.bitwarden import json_export as bw

    if argon2:
        params = bw.KdfParams(bw.ARGON2ID, 3, 64, 4)
        monkeypatch.setattr(bw, "Argon2id", _recorder(heard))
    else:
        params = bw.KdfParams(bw.PBKDF2, 600_000)
        monkeypatch.setattr(bw, "PBKDF2HMAC", _recorder(heard))
    with pytest.raises(_StopError):
        bw._master_key("master password", "salt@example.com", params)
    assert heard[1:] == ["derive"]
    est = heard[0]
    assert isinstance(est, KdfEstimate)
    if argon2:
        assert (est.algorithm, est.detail) == ("Argon2id", "64 MiB, 3 passes, 4 lanes")
    else:
        assert (est.algorithm, est.detail) == ("PBKDF2-HMAC-SHA256", "600,000 iterations")


def test_opvault_announces_before_deriving(
    heard: list[object], everything_slow: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    from cxkit.adapters.onepassword import opvault

    b64 = base64.b64encode
    profile = {
        "iterations": 100_000,
        "salt": b64(bytes(16)).decode(),
        "masterKey": b64(b"opdata01" + bytes(100)).decode(),
        "overviewKey": b64(b"opdata01" + bytes(100)).decode(),
    }
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", _recorder(heard))
    with pytest.raises(_StopError):
        opvault.open_profile(profile, "master password")
    assert heard[1:] == ["derive"]
    assert isinstance(heard[0], KdfEstimate)
    assert heard[0].detail == "100,000 iterations"
    assert heard[0].algorithm == "PBKDF2-HMAC-SHA512"


def test_authenticator_backups_announce_before_deriving(
    heard: list[object], everything_slow: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxkit.adapters.otp import _unlock, aegis

    # andOTP / Authy / FreeOTP: PBKDF2 through _unlock.pbkdf2
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", _recorder(heard))
    with pytest.raises(_StopError):
        _unlock.pbkdf2("sha1", "pw", bytes(12), 140_000, "$")
    assert [getattr(e, "detail", e) for e in heard] == ["140,000 iterations", "derive"]
    # Aegis: scrypt of the password slot
    heard.clear()
    monkeypatch.setattr(hashlib, "scrypt", _recorder(heard))
    slot = {"n": 1 << 15, "r": 8, "p": 1, "salt": "00" * 32}
    with pytest.raises(_StopError):
        aegis._scrypt("pw", slot, "$.header.slots[0]")
    assert [getattr(e, "detail", e) for e in heard] == ["N=32,768, r=8, p=1", "derive"]
    # Ente / Proton Authenticator: libsodium Argon2id
    heard.clear()
    from nacl import bindings

    monkeypatch.setattr(bindings, "crypto_pwhash_alg", _recorder(heard))
    with pytest.raises(AdapterError):  # the recorder's stop, reported as a failed derivation
        _unlock.argon2id_sodium("pw", bytes(16), 4, 256 << 20, "the backup", "$")
    assert [getattr(e, "detail", e) for e in heard] == ["256 MiB, 4 passes", "derive"]


@pytest.mark.parametrize("quiet", [[], ["--quiet"], ["--json"]])
def test_the_cli_announces_on_stderr_unless_quiet_or_json(
    quiet: list[str],
    everything_slow: None,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pathlib import Path

    from cxkit.cli.main import main
    from cxkit.kdbx import Database, Entry, WriteOptions, write_kdbx

    assert isinstance(tmp_path, Path)
    previous = set_announcer(None)  # an earlier main() of this process left its announcer
    db = Database()
    entry = Entry()
    entry.set("Title", "site")
    db.root.entries.append(entry)
    options = WriteOptions(argon2_memory_kib=64, argon2_iterations=2, argon2_parallelism=1)
    src = tmp_path / "vault.kdbx"
    src.write_bytes(write_kdbx(db, password="pw", options=options))
    monkeypatch.setenv("CXKIT_TEST_PW", "pw")
    try:
        code = main(["inspect", str(src), "--password-env", "CXKIT_TEST_PW", *quiet])
    finally:
        set_announcer(previous)
    out, err = capsys.readouterr()
    assert code == 0, err
    said = "cxkit: deriving the key (Argon2id, 64 KiB, 2 passes): about "
    assert (said in err) == (not quiet)
    assert said not in out


def test_the_cli_announces_through_the_console_and_gives_the_announcer_back(
    everything_slow: None,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The announcement goes through ``_console.err`` (which erases a progress line first), and
    ``main()`` leaves the announcer it found (a library caller's) registered when it returns."""
    from pathlib import Path

    from cxkit.cli import _console
    from cxkit.cli.main import main
    from cxkit.kdbx import Database, WriteOptions, write_kdbx

    assert isinstance(tmp_path, Path)
    said: list[str] = []
    monkeypatch.setattr(_console, "err", said.append)
    options = WriteOptions(argon2_memory_kib=64, argon2_iterations=2, argon2_parallelism=1)
    src = tmp_path / "vault.kdbx"
    src.write_bytes(write_kdbx(Database(), password="pw", options=options))
    monkeypatch.setenv("CXKIT_TEST_PW", "pw")
    mine: list[object] = []
    previous = set_announcer(mine.append)
    try:
        assert main(["inspect", str(src), "--password-env", "CXKIT_TEST_PW"]) == 0
        assert set_announcer(None) == mine.append  # given back
    finally:
        set_announcer(previous)
    assert any(s.startswith("cxkit: deriving the key (Argon2id") for s in said)
    assert mine == []  # main's own announcer was used while it ran
