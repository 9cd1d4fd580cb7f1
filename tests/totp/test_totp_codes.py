"""TOTP codes (``cxkit.totp``): RFC 6238 appendix B and RFC 4226 appendix D vectors, agreement
with an independent implementation (pyotp) on random seeds, Steam Guard codes, and the proof
that compares two documents' codes (a seed changed by one bit is caught)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pyotp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.adapters.base import converted_document
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.totp import INSTANTS, STEAM_ALPHABET, credential_codes, hotp, prove, totp, totp_problem

# RFC 6238 appendix B: the seeds are the ASCII digits repeated to the hash's length
SEED1 = b"12345678901234567890"
SEED256 = b"12345678901234567890123456789012"
SEED512 = b"1234567890123456789012345678901234567890123456789012345678901234"
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
RFC4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
           "399871", "520489"]  # fmt: skip


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC6238)
def test_rfc6238_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    assert totp(SEED1, at, digits=8, algorithm="sha1") == sha1
    assert totp(SEED256, at, digits=8, algorithm="sha256") == sha256
    assert totp(SEED512, at, digits=8, algorithm="sha512") == sha512


def test_rfc4226_vectors() -> None:
    assert [hotp(SEED1, counter) for counter in range(10)] == RFC4226


def test_the_instants_are_the_rfc_ones() -> None:
    assert tuple(row[0] for row in RFC6238) == INSTANTS


@settings(max_examples=200, deadline=None)
@given(
    seed=st.binary(min_size=16, max_size=64),
    at=st.integers(min_value=0, max_value=2**34),
    digits=st.sampled_from([6, 7, 8]),
    period=st.integers(min_value=1, max_value=120),  # pyotp allows at most 120 s
    algorithm=st.sampled_from(["sha1", "sha256", "sha512"]),
)
def test_agrees_with_pyotp(seed: bytes, at: int, digits: int, period: int, algorithm: str) -> None:
    secret = base64.b32encode(seed).decode().rstrip("=")
    padded = secret + "=" * (-len(secret) % 8)  # pyotp wants padding
    digest = getattr(hashlib, algorithm)
    other = pyotp.TOTP(padded, digits=digits, interval=period, digest=digest)
    assert totp(seed, at, period=period, digits=digits, algorithm=algorithm) == other.at(at)
    assert hotp(seed, at, digits, algorithm) == pyotp.HOTP(padded, digits=digits,
                                                           digest=digest).at(at)  # fmt: skip


def _steam(key: bytes, at: int) -> str:
    """Steam Guard as its published clients compute it (independent of cxkit.totp)."""
    digest = hmac.new(key, (at // 30).to_bytes(8, "big"), "sha1").digest()
    start = digest[19] & 0xF
    value = int.from_bytes(digest[start : start + 4], "big") & 0x7FFFFFFF
    chars = ""
    for _ in range(5):
        chars += "23456789BCDFGHJKMNPQRTVWXY"[value % 26]
        value //= 26
    return chars


@given(seed=st.binary(min_size=10, max_size=40), at=st.integers(min_value=0, max_value=2**33))
def test_steam_codes(seed: bytes, at: int) -> None:
    code = totp(seed, at, algorithm="steam")
    assert code == _steam(seed, at)
    assert len(code) == 5 and set(code) <= set(STEAM_ALPHABET)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError):
        hotp(SEED1, 0, 6, "md5")
    with pytest.raises(ValueError):
        hotp(SEED1, -1)
    with pytest.raises(ValueError):
        totp(SEED1, 0, period=0)
    with pytest.raises(ValueError):
        hotp(SEED1, 0, 11)


@pytest.mark.parametrize(
    "text", ["JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp", "JBSW Y3DP EHPK 3PXP", "JBSW-Y3DP-EHPK-3PXP",
             "JBSWY3DPEHPK3PXP====", " jbsw y3dp ehpk 3pxp== "],
)  # fmt: skip
def test_base32_spellings_give_the_same_codes(text: str) -> None:
    cred = m.Totp(secret=text, period=30, digits=6, algorithm="sha1")
    plain = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    assert totp_problem(cred) == ""
    assert credential_codes(cred) == credential_codes(plain)
    assert b64.canonical_base32(text) == "JBSWY3DPEHPK3PXP"


def test_unusable_totps_are_named_not_computed() -> None:
    for cred in (
        m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="md5"),
        m.Totp(secret="not base32!", period=30, digits=6, algorithm="sha1"),
        m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=12, algorithm="sha1"),
    ):
        assert totp_problem(cred)
        assert credential_codes(cred) is None


# --------------------------------------------------------------------------- the proof


def _doc(*totps: m.Totp, titles: tuple[str, ...] = ()) -> cxf.Document:
    items = tuple(
        m.Item(
            id=b64.encode(bytes([i + 1]) * 16),
            title=(titles or ("x",) * len(totps))[i],
            credentials=(t,),
        )
        for i, t in enumerate(totps)
    )
    account = m.Account(id="YWNjb3VudA", username="", email="", items=items, collections=())
    return converted_document(account, rp_id="test", app="test")


def _flip(secret: str, bit: int) -> str:
    raw = bytearray(b64.normalize_base32(secret)[1])
    raw[bit // 8 % len(raw)] ^= 1 << (bit % 8)
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


@settings(max_examples=100, deadline=None)
@given(seed=st.binary(min_size=10, max_size=40), bit=st.integers(min_value=0, max_value=10**6))
def test_a_seed_changed_by_one_bit_is_caught(seed: bytes, bit: int) -> None:
    secret = base64.b32encode(seed).decode().rstrip("=")
    source = _doc(m.Totp(secret=secret, period=30, digits=6, algorithm="sha1", issuer="Site"))
    same = _doc(m.Totp(secret=secret.lower(), period=30, digits=6, algorithm="sha1"),
                titles=("renamed",))  # fmt: skip
    changed = _doc(m.Totp(secret=_flip(secret, bit), period=30, digits=6, algorithm="sha1"))
    assert prove(source, same).ok
    proof = prove(source, changed)
    assert not proof.ok and proof.checked == 1 and proof.unmatched[0].item == "x"


def test_changed_parameters_are_caught_and_duplicates_counted() -> None:
    base = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    for other in (
        m.Totp(secret="JBSWY3DPEHPK3PXP", period=60, digits=6, algorithm="sha1"),
        m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=8, algorithm="sha1"),
        m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha256"),
    ):
        assert not prove(_doc(base), _doc(other)).ok
    # two source TOTPs with one seed need two in the other document
    proof = prove(_doc(base, base), _doc(base))
    assert (proof.matched, len(proof.unmatched)) == (1, 1)
    # a TOTP the writer did not carry is not compared
    skipped = prove(_doc(base), _doc(), carried=lambda _i, _n: False)
    assert skipped.ok and skipped.skipped == 1 and skipped.checked == 0
    assert prove(_doc(base), _doc(base)).to_json()["matched"] == 1


def test_unmatched_totps_name_their_credential() -> None:
    base = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    (unmatched,) = prove(_doc(base), _doc()).unmatched
    assert (unmatched.item_id, unmatched.index) == (b64.encode(b"\x01" * 16), 0)
    assert "different codes" in unmatched.why


def test_the_convert_proof_spares_totps_the_writer_kept_in_another_shape() -> None:
    """A TOTP the write report calls transformed (e.g. kept as a custom field) need not read back
    as a TOTP; one it calls carried must."""
    from cxkit import adapters
    from cxkit.adapters.report import MigrationReport, Outcome

    base = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    source = _doc(base)
    empty = cxf.encode(_doc())
    item_id = b64.encode(b"\x01" * 16)
    for outcome, failed in ((Outcome.TRANSFORMED, 0), (Outcome.CARRIED, 1)):
        report = MigrationReport()
        report.add_credential("write", "totp", "x", outcome, "", key=(item_id, 0))
        adapters.prove_totp(source, empty, "cxf-json", report)
        assert report.totp is not None and report.totp["state"] == "checked"
        assert report.totp_failed() == failed
