"""An ``android://<hash>@<package>/`` URL whose hash is no SHA-256/512 digest (#13 audit): it
was read as an Android app with the hash silently dropped. It is kept whole as a URL now —
nothing lost, converted back as it was — while a real fingerprint still makes an app."""

from __future__ import annotations

import base64

from cxkit import adapters

_BAD = "android://c2hvcnQ=@com.example.app/"  # "short": 5 bytes, no digest
_GOOD = f"android://{base64.b64encode(bytes(range(32))).decode()}@com.example.good/"


def _chrome(*urls: str) -> bytes:
    rows = "".join(f"App {i},{url},ann,pw{i},\n" for i, url in enumerate(urls))
    return ("name,url,username,password,note\n" + rows).encode()


def test_an_unusable_hash_keeps_the_url_whole() -> None:
    doc, report = adapters.read(_chrome(_BAD, _GOOD), "c.csv", source_format="chrome-csv")
    scopes = {item.title: item.scope for _, item in doc.items()}
    bad, good = scopes["App 0"], scopes["App 1"]
    assert bad is not None and bad.urls == (_BAD,) and bad.android_apps == ()
    assert good is not None and good.urls == ()
    (app,) = good.android_apps
    assert app.bundle_id == "com.example.good" and app.certificate is not None
    assert app.certificate.hash_alg == "sha256"
    # nothing of the URL was dropped: its field went into a member, no loss to report
    assert report.field_counts()["not-carried"] == 0
    # and it is written back as it was read
    data, _ = adapters.write(doc, "chrome-csv")
    assert _BAD in data.decode()
