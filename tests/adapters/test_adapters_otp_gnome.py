"""GNOME Authenticator's backup is andOTP's JSON layout (``../shared/formats/totp-apps.md``
§4): the andOTP reader takes it; checked here against pass-import's GNOME Authenticator reader
(an independent reader, dev dependency)."""

from __future__ import annotations

from _otp_read import pass_import_rows, read, rows

from cxkit.adapters.detection import detect, make_sample
from shared_evidence import shared_path

_PATH = "gnome-authenticator/pass-import/gnomeauthenticator.json"


def test_read_through_the_andotp_reader() -> None:
    data = shared_path("exports", _PATH).read_bytes()
    assert detect(make_sample(data, "gnomeauthenticator.json")).adapter.info.key == "andotp"
    doc, report = read(data, "gnomeauthenticator.json")
    assert rows(doc) == [
        ("hotp", "", "bob@google.com", "JBSWY3DPEHPK3PXP", "sha1", 6, 10),
        ("totp", "", "alice@google.com", "JBSWY3DPEHPK3PXP", "sha1", 6, 30),
    ]
    tags = {i.title: i.tags for i in doc.header.accounts[0].items}
    assert tags == {"alice@google.com": ("work",), "bob@google.com": ("hack", "work")}
    assert report.items_read == 2


def test_same_entries_as_pass_import() -> None:
    from pass_import.managers.gnomeauthenticator import GnomeAuthenticator

    file = shared_path("exports", _PATH)
    ours = sorted((r[0], r[3], r[4], r[5]) for r in rows(read(file.read_bytes(), file.name)[0]))
    assert ours == pass_import_rows(GnomeAuthenticator, str(file))
