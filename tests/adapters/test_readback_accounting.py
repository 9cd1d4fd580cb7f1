"""``ReadOptions.accounting``: the TOTP proof reads a destination back without the reader's own
walk of per-field records (nobody reads that report), and gets the same document.
"""

from __future__ import annotations

from typing import Any

import pytest
from _rich_cxf import rich_document

from cxkit import adapters, cxf
from cxkit.adapters import cxfjson
from cxkit.adapters.base import ReadOptions
from cxkit.adapters.report import MigrationReport, Outcome

_TOTP = "JBSWY3DPEHPK3PXP"


def test_the_same_document_without_the_field_records() -> None:
    data = cxf.encode(rich_document(), normalize=True)
    with_records, counted = adapters.read(data, "v.cxf.json", source_format="cxf-json")
    bare = MigrationReport()
    without, _ = adapters.read(
        data, "v.cxf.json", source_format="cxf-json", options=ReadOptions(accounting=False),
        report=bare,
    )  # fmt: skip
    assert cxf.encode(without, normalize=True) == cxf.encode(with_records, normalize=True)
    assert len(counted.fields) > 0 and len(bare.fields) == 0
    assert bare.items_read == counted.items_read == len(list(with_records.items()))


def _bitwarden_with_totp() -> bytes:
    import json

    item = {
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "type": 1, "name": "mail", "notes": None,
        "favorite": False, "folderId": None, "reprompt": 0,
        "login": {"username": "me", "password": "pw", "totp": _TOTP, "uris": []},
    }  # fmt: skip
    return json.dumps({"encrypted": False, "folders": [], "items": [item]}).encode()


def test_the_proof_reads_back_without_accounting(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []
    real = cxfjson.CxfJsonAdapter.read

    def spy(self: Any, sample: Any, options: ReadOptions, report: MigrationReport) -> Any:
        asked.append(options.accounting)
        return real(self, sample, options, report)

    monkeypatch.setattr(cxfjson.CxfJsonAdapter, "read", spy)
    conversion = adapters.convert(_bitwarden_with_totp(), "bw.json", to="cxf-json")
    assert asked == [False]  # the read-back, not the conversion's own read
    totp = conversion.report.totp
    assert totp is not None and totp["state"] == "checked"
    assert totp["checked"] == totp["matched"] == 1 and totp["failed"] == 0
    # the conversion's report is untouched by the read-back
    assert conversion.report.items_read == 1 and conversion.report.source_format == "bitwarden-json"


def test_a_changed_secret_is_still_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The read-back without accounting still sees what the writer wrote."""
    real = cxfjson.CxfJsonAdapter.write

    def lossy(self: Any, doc: cxf.Document, options: Any, report: MigrationReport) -> bytes:
        return real(self, doc, options, report).replace(_TOTP.encode(), b"GEZDGNBVGY3TQOJQ")

    monkeypatch.setattr(cxfjson.CxfJsonAdapter, "write", lossy)
    conversion = adapters.convert(_bitwarden_with_totp(), "bw.json", to="cxf-json")
    totp = conversion.report.totp
    assert totp is not None and totp["state"] == "checked" and totp["failed"] == 1


def test_credential_keys_agree_with_the_records() -> None:
    """``CredentialRecords.keys`` (what the proof asks) from the compact rows, pending or not."""
    from cxkit.cxf import model as m

    report = MigrationReport()
    totp = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    note = m.Note(content=m.EditableField(field_type="string", value="n"))
    report.add_credential("write", "totp", "a", Outcome.CARRIED, key=("A", 0))
    report.add_credential("write", "totp", "b", Outcome.TRANSFORMED, key=("B", 1))
    report.add_credential("write", "totp", "c", Outcome.NOT_CARRIED, key=("C", 0))
    report.add_credential("write", "totp", "d", Outcome.CARRIED)  # no key: left out
    report.add_credential("read", "totp", "e", Outcome.CARRIED, key=("E", 0))
    report.add_credentials(
        "write", "f", "F", [("note", Outcome.CARRIED, ""), ("totp", Outcome.CARRIED, "")]
    )
    report.credentials.add_made("write", "g", "G", [note, totp], [(Outcome.CARRIED, "")] * 2)
    expected: dict[Outcome, set[tuple[str, int]]] = {}
    for r in report.credentials:
        if r.stage == "write" and r.credential_type == "totp" and r.key is not None:
            expected.setdefault(r.outcome, set()).add(r.key)
    assert report.credentials.keys("write", "totp") == expected
    assert expected[Outcome.CARRIED] == {("A", 0), ("F", 1), ("G", 1)}
    assert expected[Outcome.TRANSFORMED] == {("B", 1)}
    assert report.credentials.keys("write", "passkey") == {}


def test_a_compact_credential_row_is_the_record() -> None:
    """``CredentialRecords.add`` (the Bitwarden writer's way) records what ``add_credential``
    does, after pending records too."""
    from cxkit.cxf import model as m

    totp = m.Totp(secret="JBSWY3DPEHPK3PXP", period=30, digits=6, algorithm="sha1")
    made, added = MigrationReport(), MigrationReport()
    for report in (made, added):
        report.credentials.add_made("read", "t", "I", [totp], [(Outcome.CARRIED, "")])
    made.add_credential("write", "totp", "t", Outcome.TRANSFORMED, "why", key=("I", 0))
    made.add_credential("write", "note", "u", Outcome.CARRIED)
    added.credentials.add("write", "totp", "t", Outcome.TRANSFORMED, "why", "I", 0)
    added.credentials.add("write", "note", "u", Outcome.CARRIED)
    assert list(added.credentials) == list(made.credentials)
    assert len(added.credentials) == 3
