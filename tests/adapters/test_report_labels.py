"""The report's lines never show an empty item label (#13 audit): an item without a title is
"(untitled)", so a line reads "skipped: (untitled): record at line 44 …", not "skipped: : …"."""

from __future__ import annotations

from cxkit.adapters.report import Disposition, MigrationReport, Outcome


def test_a_skipped_item_without_a_title_has_a_label() -> None:
    report = MigrationReport(source="k.txt", source_format="apple-keychain")
    report.skip_item("", "record at line 44 cannot be read: no class")
    report.skip_item("Forge", "record at line 50 cannot be read: no class")
    text = report.render()
    assert "  skipped: (untitled): record at line 44 cannot be read" in text
    assert "  skipped: Forge: record at line 50" in text
    assert ": : " not in text
    # the JSON keeps the data as it is: no title is an empty title
    assert report.to_json()["items"]["skipped"][0]["item"] == ""


def test_other_lines_naming_an_item_label_an_untitled_one() -> None:
    report = MigrationReport()
    report.add_field("k.txt:3:", "", Disposition.NOT_CARRIED, "", "unreadable")
    report.add_credential("read", "passkey", " ", Outcome.NOT_CARRIED, "no key")
    report.passkey_to_recreate("", "forge.example", "ann", "no key")
    text = report.render()
    assert "not carried: (untitled): k.txt:3:: unreadable" in text
    assert "not carried: (untitled): no key" in text
    assert "forge.example (ann) — (untitled): no key" in text
    assert ": : " not in text.replace("k.txt:3:: ", "")
