"""The kit's example record readers: Passman JSON (``passman-json``, on
``kit/records.py``) and Password Safe XML (``pwsafe-xml``, on ``kit/xmlrecords.py``).

Each pass-import sample is read to its reference vault (``main.yml``, as ``tests.yml`` pairs
them: ``PassmanJSON`` and ``Pwsafe``). The differences, each explained:

* Passman has tags, not folders; pass-import turns the first tag into its ``group`` (``\\`` as
  ``/``), cxkit keeps tags as CXF item tags, so the reference's group is compared with the tag.
* Members pass-import leaves out are kept by cxkit as custom fields: Passman's custom field
  ``pin`` (``aib``); Password Safe's ``email`` and ``pmtimex`` ("password modified"), and the
  password history of ``note`` (hidden "old password N" fields, CXF 1.0 has no history).
* Password Safe's item order is its export's (by group), the reference's is another: entries
  are matched, not zipped.

Then project-made fixtures (OTP, custom fields, trash, history, two-factor key) and a mutation
fuzz on each sample where only cxkit errors escape.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from test_adapters_pass_import_refs import _project, _same, _yaml_entries

from cxkit import adapters
from cxkit.adapters import contract
from cxkit.adapters.detection import make_sample
from cxkit.adapters.kit.values import json_leaves
from cxkit.adapters.passman import PassmanJsonAdapter
from cxkit.adapters.pwsafe import PwsafeXmlAdapter
from cxkit.adapters.report import Disposition
from cxkit.cxf import model as m
from cxkit.errors import CxkitError
from shared_evidence import shared_files, shared_path

SECRET = "Pm-Secret-8Hv"
PASSMAN_EXTRA = {"aib": {"pin"}}
PWSAFE_EXTRA_ALWAYS = {"email", "password modified"}


def _reference() -> list[dict[str, str]]:
    refs = shared_path("exports", "pass-import-references", "main.yml")
    return list(_yaml_entries(Path(refs).read_text(encoding="utf-8")))


def _match(expected: list[dict[str, str]], got: list[dict[str, Any]], extra: Any) -> None:
    assert len(got) == len(expected)
    unmatched = list(got)
    for ref in expected:
        allowed = extra(ref)
        matches = [g for g in unmatched
                   if set(ref) <= set(g) and set(g) - set(ref) <= allowed
                   and all(_same(k, g[k], v) for k, v in ref.items())]  # fmt: skip
        assert matches, f"no entry matches reference {ref['title']!r}"
        unmatched.remove(matches[0])


@pytest.mark.shared
def test_passman_sample_reads_to_the_pass_import_reference() -> None:
    path = shared_path("exports", "passman", "pass-import", "passman.json")
    doc, report = adapters.read(Path(path).read_bytes(), "passman.json")
    assert report.source_format == "passman-json" and not report.items_skipped
    got = _project(doc)
    for (_, item), entry in zip(doc.items(), got, strict=True):
        if item.tags:  # Passman's tag stands for pass-import's group
            entry["group"] = item.tags[0].replace("\\", "/")
    _match(_reference(), got, lambda ref: PASSMAN_EXTRA.get(ref["title"], set()))
    # every JSON leaf accounted for; the report names no password
    paths = set(report.fields.paths())
    data = json.loads(Path(path).read_bytes())
    assert all(contract._covered(leaf, paths) for leaf in json_leaves(data, "$"))
    assert data[0]["password"] not in json.dumps(report.to_json())


@pytest.mark.shared
def test_pwsafe_sample_reads_to_the_pass_import_reference() -> None:
    path = shared_path("exports", "pwsafe", "pass-import", "pwsafe.xml")
    doc, report = adapters.read(Path(path).read_bytes(), "pwsafe.xml")
    assert report.source_format == "pwsafe-xml" and not report.items_skipped
    got = _project(doc)

    def extra(ref: dict[str, str]) -> set[str]:
        allowed = set(PWSAFE_EXTRA_ALWAYS)
        if ref["title"] == "note":
            allowed |= {f"old password {n} (until 2017-01-01T00:00:00)" for n in (1, 2, 3)}
        return allowed

    _match(_reference(), got, extra)
    paths = {r.path for r in report.fields}
    assert "pwsafe.xml:/passwordsafe/entry[1]/password" in paths
    assert "pwsafe.xml:/passwordsafe/entry[4]/pwhistory" in paths
    old = {r.path: r for r in report.fields}["pwsafe.xml:/passwordsafe/entry[4]/pwhistory"]
    assert old.disposition is Disposition.CUSTOM_FIELD


# --------------------------------------------------------------------------- fixtures


def _passman(records: list[dict[str, Any]]) -> bytes:
    base = {"credential_id": 1, "guid": "G", "label": "x", "user_id": "u"}
    return json.dumps([{**base, **r} for r in records]).encode()


def test_passman_otp_custom_fields_trash_and_ids() -> None:
    data = _passman([
        {"guid": "A", "label": "site", "username": "u", "password": SECRET,
         "otp": {"secret": "JBSWY3DPEHPK3PXP", "issuer": "Site", "digits": 8, "period": 60},
         "custom_fields": [{"label": "pin", "value": "1234", "secret": True, "field_type": "text"},
                           {"label": "f", "value": {"id": 1}, "field_type": "file"}],
         "expire_time": 1700000000, "delete_time": 0, "tags": [{"text": "A\\B"}]},
        {"guid": "B", "label": "gone", "delete_time": 1569370456},
        {"guid": "C", "label": "bad", "custom_fields": "no"},
    ])  # fmt: skip
    doc, report = adapters.read(data, "p.json")
    assert report.source_format == "passman-json"
    (item,) = [i for _, i in doc.items()]
    totp = next(c for c in item.credentials if isinstance(c, m.Totp))
    assert (totp.digits, totp.period, totp.issuer) == (8, 60, "Site")
    custom = next(c for c in item.credentials if isinstance(c, m.CustomFields))
    fields = {f.label: (f.value, f.field_type) for f in custom.fields}
    assert fields["pin"] == ("1234", "concealed-string") and "expire_time" in fields
    assert item.tags == ("A\\B",)
    again, _ = adapters.read(data, "other-name.json")
    assert [i.id for _, i in again.items()] == [item.id]  # ids from the guid, not the file
    reasons = [r for _, r in report.items_skipped]
    assert any("trash" in r for r in reasons)
    assert any("custom_fields is not a list" in r for r in reasons)
    assert SECRET not in json.dumps(report.to_json())


def test_pwsafe_two_factor_key_notes_delimiter_and_history() -> None:
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<passwordsafe delimiter="#">
<entry id="1"><title>t</title><password>{SECRET}</password><notes>a#b</notes>
<group>A.B\\.C</group><twofactorkey>JBSWY3DPEHPK3PXP</twofactorkey><totplength>8</totplength>
<pwhistory><status>1</status><max>3</max><num>0</num></pwhistory>
<autotype>\\u\\t\\p</autotype></entry>
</passwordsafe>""".encode()
    doc, report = adapters.read(data, "p.xml")
    assert report.source_format == "pwsafe-xml"
    (item,) = [i for _, i in doc.items()]
    totp = next(c for c in item.credentials if isinstance(c, m.Totp))
    assert totp.digits == 8
    note = next(c for c in item.credentials if isinstance(c, m.Note))
    assert note.content.value == "a\nb"
    (a,) = doc.accounts[0].collections
    assert (a.title, a.sub_collections[0].title) == ("A", "B.C")  # an escaped dot
    custom = next(c for c in item.credentials if isinstance(c, m.CustomFields))
    assert [f.label for f in custom.fields] == ["autotype"]  # a leftover
    paths = {r.path: r.disposition for r in report.fields}
    assert paths["p.xml:/passwordsafe/entry[1]/pwhistory"] is Disposition.NOT_CARRIED
    assert paths["p.xml:/passwordsafe/entry[1]/totplength"] is Disposition.MEMBER


# --------------------------------------------------------------------------- mutation fuzz


@pytest.mark.parametrize(
    ("adapter", "folder", "name"),
    [(PassmanJsonAdapter(), "exports/passman/pass-import", "passman.json"),
     (PwsafeXmlAdapter(), "exports/pwsafe/pass-import", "pwsafe.xml")],
)  # fmt: skip
def test_mutations_of_the_sample_raise_only_cxkit_errors(
    adapter: Any, folder: str, name: str
) -> None:
    found = shared_files(folder, name)
    if not found:
        pytest.skip("../shared is absent")
    data = found[0].read_bytes()
    rng = random.Random(5)
    mutants = list(contract.mutations(data, 250, seed=5))
    for _ in range(60):  # structure-aware: a member or element duplicated or dropped
        cut, size = rng.randrange(len(data)), rng.randrange(1, 200)
        mutants.append(data[:cut] + data[cut + size :])
    for mutant in mutants:
        report = adapters.MigrationReport()
        try:
            doc = adapter.read(make_sample(mutant, name), adapters.ReadOptions(), report)
        except CxkitError as exc:
            assert exc.message
            continue
        assert report.items_read == len(list(doc.items()))
