"""Issue #17 items 3 and 4: required members are errors, repeated findings are summarised, and a
million damaged credentials cost one finding instead of 1.2 GB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _docs import document, dumps

from cxkit import cxf
from cxkit.cli.main import main
from cxkit.cxf._lenient import DEFAULT_MAX_ELEMENTS, max_elements, set_max_elements
from cxkit.cxf.findings import Finding, Severity, summarize


@pytest.fixture(autouse=True)
def _reset_limit() -> Iterator[None]:
    yield
    set_max_elements(DEFAULT_MAX_ELEMENTS)


@pytest.mark.parametrize(
    "header",
    [{"version": "1.0"}, {"version": {"major": 1}}, {"exporterRpId": 5}, {"timestamp": "x"}],
)
def test_unusable_required_header_member_is_an_error(header: dict[str, object]) -> None:
    findings = cxf.validate(cxf.decode(dumps(document(**header))))
    assert any(f.severity is Severity.ERROR for f in findings)


def test_missing_required_item_member_is_an_error(tmp_path: Path) -> None:
    doc = document()
    del doc["accounts"][0]["items"][0]["title"]
    src = tmp_path / "doc.json"
    src.write_text(json.dumps(doc))
    assert main(["validate", str(src)]) == 1


def test_clean_document_is_valid(tmp_path: Path) -> None:
    src = tmp_path / "doc.json"
    src.write_bytes(dumps(document()))
    assert main(["validate", str(src)]) == 0


def _many(n: int) -> bytes:
    text = json.dumps(document(item={"credentials": ["@@"]}))
    return text.replace('"@@"', ",".join(["{}"] * n)).encode()


def test_summarize_keeps_the_first_of_each_code() -> None:
    found = [Finding(Severity.ERROR, "a", f"$[{i}]", "m") for i in range(30)]
    found.insert(3, Finding(Severity.INFO, "b", "$", "m"))
    shown, left = summarize(found, per_code=5)
    assert [f.code for f in shown] == ["a", "a", "a", "b", "a", "a"]
    assert left == {"a": 25}


def test_validate_prints_a_summary_and_all_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "doc.json"
    src.write_bytes(_many(500))
    assert main(["validate", str(src)]) == 1
    out = capsys.readouterr().out
    assert out.count("[credential.missing-type]") == 21  # 20 lines and the summary
    assert "480 more findings [credential.missing-type] (--all lists them)" in out
    assert main(["validate", "--all", str(src)]) == 1
    assert capsys.readouterr().out.count("[credential.missing-type]") == 500
    assert main(["validate", "--json", str(src)]) == 1
    assert len(json.loads(capsys.readouterr().out)["findings"]) == 500


def test_a_million_damaged_credentials_cost_one_finding() -> None:
    doc = cxf.decode(_many(1_000_000))
    findings = cxf.validate(doc)
    assert [f.code for f in findings] == ["member.invalid-element"]
    assert "1,000,000 elements, over the limit of 10,000" in findings[0].message
    assert doc.accounts[0].items == ()


def test_damaged_fields_are_bounded_too() -> None:
    cred = {"type": "custom-fields", "fields": ["@@"]}
    text = json.dumps(document(cred)).replace('"@@"', ",".join(["{}"] * 20_000))
    findings = cxf.validate(cxf.decode(text))
    assert len(findings) < 10
    assert any("over the limit" in f.message for f in findings)


def test_the_limit_can_be_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "doc.json"
    src.write_bytes(_many(12_000))
    assert main(["validate", "--max-elements", "20000", str(src)]) == 1
    assert max_elements() == 20_000
    assert "11980 more findings [credential.missing-type]" in capsys.readouterr().out
