"""The migration report's compact field storage behaves as the list of FieldRecord it replaced;
the Bitwarden writer's fast JSON layout is the one json.dumps(indent=2) gives."""

from __future__ import annotations

import json

from _bw_adapter_data import personal_export

from cxkit import adapters
from cxkit.adapters import Disposition, FieldRecord, MigrationReport, Outcome
from cxkit.adapters.bitwarden.json_export import dump_json
from cxkit.adapters.report import FieldRecords


def test_field_records_are_a_list_of_field_records() -> None:
    report = MigrationReport()
    report.add_field("$.a", "A", Disposition.MEMBER, "item.title")
    report.fields.append(FieldRecord("$.b", "B", Disposition.NOT_CARRIED, "", "why"))
    report.fields.extend([FieldRecord("$.c", "C", Disposition.CUSTOM_FIELD, "x")])
    assert len(report.fields) == 3
    assert all(isinstance(r, FieldRecord) for r in report.fields)
    assert [r.path for r in report.fields] == ["$.a", "$.b", "$.c"]
    assert report.fields[1] == FieldRecord("$.b", "B", Disposition.NOT_CARRIED, "", "why")
    assert report.fields[-1].target == "x"
    assert [r.item for r in report.fields[:2]] == ["A", "B"]
    assert report.fields == list(report.fields)
    assert report.field_counts() == {
        "member": 1,
        "custom-field": 1,
        "extension": 0,
        "not-carried": 1,
    }
    other = MigrationReport()
    other.fields.extend(report.fields)
    assert other.fields == report.fields
    del other.fields[0]
    assert len(other.fields) == 2
    out = report.to_json()["fields"]
    assert out["total"] == 3
    assert out["not_carried"] == [{"item": "B", "path": "$.b", "why": "why"}]
    assert out["records"][0] == {
        "path": "$.a",
        "item": "A",
        "disposition": "member",
        "target": "item.title",
    }
    assert "not carried: B: $.b: why" in report.render()


def test_a_plain_list_given_by_a_caller_is_taken_over() -> None:
    records = [FieldRecord("$.x", "X", Disposition.EXTENSION, "extension.x")]
    report = MigrationReport(fields=records)  # type: ignore[arg-type]
    assert isinstance(report.fields, FieldRecords)
    assert report.fields == records
    report.fields = list(records)  # type: ignore[assignment]
    report.add_field("$.y", "Y", Disposition.MEMBER)
    assert [r.path for r in report.fields] == ["$.x", "$.y"]


def test_reader_paths_are_whole_paths() -> None:
    _, report = adapters.read(json.dumps(personal_export()).encode(), "bw.json")
    paths = [r.path for r in report.fields]
    assert all(p.startswith("$.") for p in paths)
    assert "$.items[0].name" in paths


def test_bitwarden_layout_is_json_dumps_indent_2() -> None:
    obj = personal_export()
    obj["items"][0]["notes"] = 'quote " backslash \\ tab \t control \x01 é 😀 \u2028'
    assert dump_json(obj) == json.dumps(obj, indent=2, ensure_ascii=False).encode()


def test_every_cut_list_says_how_many_more() -> None:
    report = MigrationReport(source="in.json", source_format="bitwarden-json")
    for n in range(13):
        report.skip_item(f"skipped {n}", "not a JSON object")
        report.warnings.append(f"warning {n}")
        report.add_field(f"$.items[{n}].x", f"item {n}", Disposition.NOT_CARRIED, "", "why")
        report.add_credential("write", "file", f"item {n}", Outcome.NOT_CARRIED, "no files")
        report.add_credential("write", "wifi", f"item {n}", Outcome.TRANSFORMED, "as fields")
        report.passkeys.append({"item": f"pk {n}", "rp_id": "x.example", "ok": False, "codes": []})
        report.written_fields.add(f"$.accounts[0].items[{n}].tags[0]", f"item {n}",
                                  Outcome.NOT_CARRIED, "no tags", f"member{n}")  # fmt: skip
    report.passkeys_checked = True
    text = report.render(limit=10)
    # skipped items, file and wifi credentials, source fields, written members, passkeys
    assert text.count("… and 3 more (--report FILE)") == 7
    assert "… and 3 more (--report FILE)\nPLAINTEXT" not in text
    assert text.splitlines().count("… and 3 more (--report FILE)") == 1  # the warnings
    assert "skipped 9" in text and "skipped 10" not in text
    assert "FAILED: pk 9" in text and "FAILED: pk 10" not in text
    assert "warning 9" in text and "warning 10" not in text
    whole = report.render(limit=100)
    assert "more (--report FILE)" not in whole and "warning 12" in whole


def test_written_fields_in_the_json_report() -> None:
    report = MigrationReport()
    report.written_fields.add("$.accounts[0].items[0].tags[0]", "A", Outcome.NOT_CARRIED,
                              "no tags", "tags")  # fmt: skip
    report.written_fields.add("$.accounts[0].items[0].title", "A", Outcome.CARRIED, "", "title")
    out = report.to_json()
    assert set(out) >= {"source", "destination", "items", "credentials", "fields", "passkeys"}
    written = out["written_fields"]
    assert written["counts"] == {"carried": 1, "transformed": 0, "not-carried": 1}
    assert written["total"] == 2
    assert written["not_carried"] == [
        {"item": "A", "path": "$.accounts[0].items[0].tags[0]", "member": "tags", "why": "no tags"}
    ]
    assert written["lost"][0]["what"] == "tags" and written["lost"][0]["items"] == ["A"]
    assert [r["member"] for r in written["records"]] == ["tags"]  # carried ones are counted only
    assert "not carried: tags: 1 item (A): no tags" in report.render()
