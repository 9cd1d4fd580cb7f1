"""The migration report as one self-contained HTML page (issue 19)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ui_canaries import assert_no_secret, planted_sample

from cxkit import adapters
from cxkit.adapters import MigrationReport, ReadOptions, WriteOptions
from cxkit.ui import render_report_html
from cxkit.ui.report_html import MAX_ROWS, content_security_policy


def _convert(to: str = "keepass-kdbx") -> dict[str, Any]:
    data, _ = planted_sample()
    report = MigrationReport()
    adapters.convert(
        data,
        "planted.json",
        to=to,
        read_options=ReadOptions(),
        write_options=WriteOptions(password=lambda _p: "pw-for-the-test"),
        report=report,
    )
    report.destination = "out"
    return report.to_json()


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of script/style blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.blocks else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[self._in].append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


def test_a_real_report_renders_without_secrets() -> None:
    _, keys = planted_sample()
    html = render_report_html(_convert())
    assert_no_secret(html, keys)
    assert html.startswith("<!DOCTYPE html>")
    # the parts the issue names
    for needle in ("Credentials per type", "Passkeys to re-create", "Passkey proof",
                   "TOTP proof", 'id="items"', "<svg", "prefers-color-scheme"):  # fmt: skip
        assert needle in html
    assert "2 verified" in html  # the sample's two passkeys


def test_the_totp_proof_is_shown() -> None:
    report = _convert()
    report["totp"] = {"state": "checked", "checked": 2, "matched": 1, "failed": 1,
                      "instants": [59, 1111111109], "unusable": [],
                      "failures": [{"item": "Code Forge", "why": "other digits"}]}  # fmt: skip
    html = render_report_html(report)
    assert "1 give the same codes" in html and "1 differ" in html and "other digits" in html
    report["totp"] = {"state": "skipped", "why": "--no-verify"}
    assert "not proven: --no-verify" in render_report_html(report)


def test_self_contained_and_policy_matches_the_inline_blocks() -> None:
    html = render_report_html(_convert())
    page = _parse(html)
    for tag, attrs in page.tags:
        assert "src" not in attrs or tag == "svg", tag  # no external script/img/iframe
        assert tag not in ("link", "img", "iframe", "object", "embed", "form", "base")
        assert not any(k.startswith("on") for k in attrs), "no inline event handlers"
        assert "style" not in attrs, "no style attributes (the policy allows none)"
        href = attrs.get("href")
        assert href is None or href.startswith("#")
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", html)
    metas = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert metas and metas[0]["content"] == content_security_policy()
    policy = content_security_policy()
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    import base64
    import hashlib

    for kind in ("script", "style"):
        (text,) = page.blocks[kind]
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in policy


def test_controls_are_labelled() -> None:
    page = _parse(render_report_html(_convert()))
    ids = {a.get("id") for t, a in page.tags}
    labelled = {a.get("for") for t, a in page.tags if t == "label"}
    controls = [a.get("id") for t, a in page.tags if t in ("input", "select")]
    assert controls and all(c in labelled for c in controls)
    assert all(f in ids for f in labelled)
    assert ("html", {"lang": "en"}) in page.tags


def test_passkeys_to_recreate_are_listed() -> None:
    report = _convert()
    report["passkeys"]["to_recreate"] = [
        {"item": "Shop", "rp_id": "shop.example", "username": "sam", "why": "no private key"}
    ]
    html = render_report_html(report)
    assert "shop.example" in html and "1 passkeys could not travel" in html


def test_a_writer_that_loses_things_shows_them() -> None:
    html = render_report_html(_convert("chrome-csv"))
    assert 'data-outcome="not-carried"' in html
    assert "not carried" in html


def test_hostile_names_are_escaped() -> None:
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    report = {
        "source": {"file": evil, "format": evil},
        "credentials": {evil: {"carried": 1, "transformed": 1, "not_carried": 1,
                               "transformed_items": [{"item": evil, "how": evil}],
                               "not_carried_items": [{"item": evil, "why": evil}]}},
        "passkeys": {"checked": True, "list": [{"item": evil, "rp_id": evil, "ok": False,
                                                "codes": [evil]}],
                     "to_recreate": [{"item": evil, "rp_id": evil, "username": evil,
                                      "why": evil}]},
        "warnings": [evil],
    }  # fmt: skip
    html = render_report_html(report)
    page = _parse(html)
    assert len(page.blocks["script"]) == 1
    assert all(t != "img" for t, _ in page.tags)
    assert "<script>alert" not in html


def test_the_item_table_is_capped() -> None:
    records = [{"path": f"$.items[{i}].x", "item": f"i{i}", "disposition": "not-carried",
                "note": "n"} for i in range(MAX_ROWS + 10)]  # fmt: skip
    html = render_report_html({"fields": {"records": records}})
    assert html.count("<tr data-stage=") == MAX_ROWS
    assert f"The first {MAX_ROWS} of {MAX_ROWS + 10} rows" in html


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=12,
)  # fmt: skip
_keys = st.sampled_from(["source", "destination", "items", "credentials", "fields",
                         "written_fields", "totp", "passkeys", "warnings", "dry_run"])  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _json, max_size=10))
def test_any_shape_renders(report: dict[str, Any]) -> None:
    """A report of the wrong shape (an old or hand-edited file) renders, never raises, and
    keeps exactly one script and no stray tags."""
    page = _parse(render_report_html(report))
    assert len(page.blocks["script"]) == 1
    assert {t for t, _ in page.tags} <= {
        "html", "head", "meta", "title", "style", "body", "a", "main", "h1", "h2", "p", "ul",
        "li", "b", "span", "strong", "svg", "text", "rect", "table", "caption", "thead", "tr",
        "th", "tbody", "td", "div", "label", "input", "select", "option", "script",
    }  # fmt: skip
