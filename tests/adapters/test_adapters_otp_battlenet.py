"""Battle.net Authenticator's shared preferences (``../shared/formats/totp-apps.md`` §12):
Blizzard's masked secret and serial → a TOTP of 8 digits."""

from __future__ import annotations

import base64

import pyotp
import pytest
from _otp_read import mutate_all, read, rows
from hypothesis import given
from hypothesis import strategies as st

from cxkit.adapters.detection import detect, make_sample
from cxkit.adapters.otp.battlenet import MASK, unmask
from cxkit.cxf import model as m
from cxkit.errors import UnsupportedVersionError
from shared_evidence import shared_path

_SEED = bytes(range(100, 120))


def _mask(text: str) -> str:
    return bytes(a ^ b for a, b in zip(text.encode(), MASK, strict=False)).hex()


def _prefs(*strings: tuple[str, str]) -> bytes:
    body = "".join(f'    <string name="{k}">{v}</string>\n' for k, v in strings)
    return ("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n" + body
            + '    <long name="x" value="1" />\n</map>\n').encode()  # fmt: skip


_NEW = "com.blizzard.messenger.AUTHENTICATOR_"


def test_shared_sample() -> None:
    data = shared_path("exports", "battle-net/aegis/battle_net_authenticator.xml").read_bytes()
    assert detect(make_sample(data, "prefs.xml")).adapter.info.key == "battle-net"
    doc, report = read(data, "prefs.xml")
    ((kind, issuer, account, secret, algorithm, digits, period),) = rows(doc)
    assert (kind, issuer, account, algorithm, digits, period) == (
        "totp",
        "Battle.net",
        "US-2211-2050-3346",
        "sha1",
        8,
        30,
    )
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)).hex() == (
        "0b0d1bbcc5046102f0cc9eba904d7aae16038c28"
    )
    assert report.items_read == 1
    assert "0b0d1bbcc5046102" not in report.render()


@pytest.mark.parametrize("layout", ["new", "old"])
def test_own_preferences_give_the_codes_of_the_seed(layout: str) -> None:
    serial = "EU-1111-2222-3333"
    if layout == "new":
        data = _prefs((_NEW + "CREDENTIALS_ENCRYPTION_TYPE", "MASK"),
                      (_NEW + "DEVICE_SECRET", _mask(_SEED.hex())),
                      (_NEW + "SERIAL", _mask(serial)), ("other", "x"))  # fmt: skip
    else:
        data = _prefs(("com.blizzard.bma.AUTH_STORE.HASH", _mask(_SEED.hex() + serial)))
    doc, _ = read(data, "p.xml")
    totp = doc.header.accounts[0].items[0].credentials[0]
    assert isinstance(totp, m.Totp) and totp.username == serial
    independent = pyotp.TOTP(base64.b32encode(_SEED).decode(), digits=8)
    for at in (0, 1_700_000_000, 2_000_000_029):
        assert independent.at(at) == pyotp.TOTP(totp.secret, digits=8).at(at)


def test_other_protection_is_refused_clearly() -> None:
    data = _prefs((_NEW + "CREDENTIALS_ENCRYPTION_TYPE", "KEYSTORE"),
                  (_NEW + "DEVICE_SECRET", "00" * 40))  # fmt: skip
    with pytest.raises(UnsupportedVersionError, match="mask"):
        read(data, "p.xml", "battle-net")


def test_a_secret_that_does_not_unmask_is_skipped() -> None:
    data = _prefs((_NEW + "DEVICE_SECRET", "zz"), (_NEW + "SERIAL", _mask("US-1")))
    doc, report = read(data, "p.xml", "battle-net")
    assert doc.header.accounts[0].items == ()
    assert report.items_skipped[0][1] == "the Battle.net secret does not unmask to a seed"


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=56))
def test_unmask_inverts_the_mask(text: str) -> None:
    assert unmask(_mask(text)) == (text or None)


@given(st.text(max_size=120))
def test_unmask_takes_any_text(text: str) -> None:
    found = unmask(text)
    assert found is None or isinstance(found, str)


def test_mutations_raise_only_cxkit_errors() -> None:
    data = shared_path("exports", "battle-net/aegis/battle_net_authenticator.xml").read_bytes()
    assert mutate_all(data, lambda d: read(d, "x.xml", "battle-net"), rounds=60) > 0
