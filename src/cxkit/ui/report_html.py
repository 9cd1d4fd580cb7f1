"""The migration report as one self-contained HTML page (issue 19, "the report as a page").

:func:`render_report_html` takes the data of :meth:`cxkit.adapters.MigrationReport.to_json` (the
``--report`` JSON) and returns a page that needs nothing else: inline CSS, inline JS, an inline
SVG chart, and a Content-Security-Policy meta tag that allows only those two inline blocks (by
their SHA-256) — no network, no images, no forms. The page works without its script (the filters
only hide rows). Every text from the report is HTML-escaped; the report holds item titles, field
paths and member names, never a value, so the page holds no secret either.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any, Final

__all__ = ["MAX_ROWS", "content_security_policy", "render_report_html"]

#: The per-item table lists at most this many rows (the JSON report holds them all).
MAX_ROWS: Final = 5000

_CSS: Final = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1f;--muted:#555a64;--line:#c9ccd3;
--card:#f4f5f7;--ok:#1d7a3a;--warn:#9a5b00;--bad:#b3261e;--focus:#0b57d0}
@media (prefers-color-scheme:dark){:root{--bg:#141518;--fg:#e8e9ec;--muted:#aab0bb;
--line:#3b3f47;--card:#1f2126;--ok:#5fd08a;--warn:#f0b45a;--bad:#ff8a80;--focus:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,sans-serif}
main{max-width:70rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin-top:2rem}
a{color:var(--focus)}
.skip{position:absolute;left:-100rem}.skip:focus{left:1rem;top:1rem;background:var(--bg)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;padding:0;list-style:none}
.cards li{background:var(--card);border:1px solid var(--line);border-radius:.5rem;
padding:.5rem 1rem;min-width:9rem}
.cards b{display:block;font-size:1.4rem}
.notice{border:2px solid var(--bad);border-radius:.5rem;padding:.5rem 1rem}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;
vertical-align:top;overflow-wrap:anywhere}
th{background:var(--card)}.n{text-align:right;font-variant-numeric:tabular-nums}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;margin:.5rem 0}
.filters label{display:flex;flex-direction:column;font-weight:600}
input,select{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);
border-radius:.3rem;padding:.25rem .4rem}
svg{max-width:100%;height:auto}
svg text{fill:var(--fg);font:14px system-ui,sans-serif}
.c-carried{fill:var(--ok)}.c-transformed{fill:var(--warn)}.c-not-carried{fill:var(--bad)}
.legend{display:flex;gap:1rem;flex-wrap:wrap;padding:0;list-style:none}
.sw{display:inline-block;width:1em;height:1em;vertical-align:-.15em;margin-right:.3em}
.sw.carried{background:var(--ok)}.sw.transformed{background:var(--warn)}
.sw.not-carried{background:var(--bad)}
[hidden]{display:none!important}
""".strip()

_JS: Final = """
(function(){
var q=document.getElementById('f-text'),o=document.getElementById('f-outcome'),
s=document.getElementById('f-stage'),n=document.getElementById('f-count');
if(!q||!o||!s||!n)return;
var rows=Array.prototype.slice.call(document.querySelectorAll('#items tbody tr'));
function apply(){var t=q.value.toLowerCase(),ov=o.value,sv=s.value,shown=0;
rows.forEach(function(r){var ok=(!ov||r.dataset.outcome===ov)&&(!sv||r.dataset.stage===sv)&&
(!t||r.textContent.toLowerCase().indexOf(t)>=0);r.hidden=!ok;if(ok)shown++;});
n.textContent=shown+' of '+rows.length+' rows shown';}
[q,o,s].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
apply();})();
""".strip()


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def content_security_policy() -> str:
    """The page's policy: nothing but its own inline style and script (by hash); no fetch, no
    images, no forms, no base URL, no plug-ins."""
    return (
        "default-src 'none'; "
        f"style-src '{_sha256(_CSS)}'; script-src '{_sha256(_JS)}'; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'; "
        "object-src 'none'"
    )


_OUTCOMES: Final = ("carried", "transformed", "not-carried")
_LABEL: Final = {"carried": "carried", "transformed": "transformed", "not-carried": "not carried"}


def _e(value: object) -> str:
    return escape(str(value if value is not None else ""), quote=True)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _counts(report: Mapping[str, Any]) -> list[tuple[str, int, int, int]]:
    """(credential type, carried, transformed, not carried) per type, as the report counts them."""
    out = []
    for ctype, entry in sorted(_map(report.get("credentials")).items()):
        e = _map(entry)
        out.append((str(ctype), _int(e.get("carried")), _int(e.get("transformed")),
                    _int(e.get("not_carried"))))  # fmt: skip
    return out


def _chart(counts: Sequence[tuple[str, int, int, int]]) -> str:
    """A horizontal stacked bar per credential type (the table below says the same in words)."""
    if not counts:
        return "<p>No credentials were read.</p>"
    label_w, bar_w, row_h, pad = 150, 420, 28, 8
    most = max(c + t + n for _, c, t, n in counts) or 1
    height = len(counts) * (row_h + pad) + pad
    width = label_w + bar_w + 70
    parts = [
        f'<svg role="img" aria-labelledby="chart-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Credentials per type: carried, transformed, not carried</title>',
    ]
    for row, (ctype, *values) in enumerate(counts):
        y = pad + row * (row_h + pad)
        parts.append(f'<text x="0" y="{y + row_h * 0.7:.0f}">{_e(ctype[:20])}</text>')
        x = float(label_w)
        for outcome, value in zip(_OUTCOMES, values, strict=True):
            if not value:
                continue
            w = bar_w * value / most
            parts.append(
                f'<rect class="c-{outcome}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                f'height="{row_h}"><title>{_e(ctype)}: {value} {_LABEL[outcome]}</title></rect>'
            )
            x += w
        parts.append(f'<text x="{x + 6:.0f}" y="{y + row_h * 0.7:.0f}">{sum(values)}</text>')
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="sw {o}" aria-hidden="true"></span>{_LABEL[o]}</li>' for o in _OUTCOMES
    )
    return "".join(parts) + f'<ul class="legend">{legend}</ul>'


def _summary_table(counts: Sequence[tuple[str, int, int, int]]) -> str:
    if not counts:
        return ""
    rows = "".join(
        f'<tr><th scope="row">{_e(t)}</th><td class="n">{c}</td><td class="n">{tr}</td>'
        f'<td class="n">{n}</td></tr>'
        for t, c, tr, n in counts
    )
    return (
        "<table><caption>Credentials per type</caption><thead><tr>"
        '<th scope="col">type</th><th scope="col" class="n">carried</th>'
        '<th scope="col" class="n">transformed</th><th scope="col" class="n">not carried</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _item_rows(report: Mapping[str, Any]) -> Iterable[tuple[str, str, str, str, str]]:
    """(stage, item, what, outcome, note) for the per-item table: the credentials transformed or
    not carried, the source fields not carried or kept elsewhere, the values the destination
    changed or lost (never a value: titles, paths, member names and reasons)."""
    for ctype, entry in sorted(_map(report.get("credentials")).items()):
        e = _map(entry)
        for t in _list(e.get("transformed_items")):
            t = _map(t)
            yield (
                "credential",
                str(t.get("item", "")),
                str(ctype),
                "transformed",
                str(t.get("how", "")),
            )
        for t in _list(e.get("not_carried_items")):
            t = _map(t)
            yield (
                "credential",
                str(t.get("item", "")),
                str(ctype),
                "not-carried",
                str(t.get("why", "")),
            )
    for s in _list(_map(report.get("items")).get("skipped")):
        s = _map(s)
        yield "read", str(s.get("item", "")), "item", "not-carried", str(s.get("reason", ""))
    dispositions = {"member": "carried", "custom-field": "transformed", "extension": "carried"}
    for r in _list(_map(report.get("fields")).get("records")):
        r = _map(r)
        disposition = str(r.get("disposition", ""))
        outcome = dispositions.get(disposition, "not-carried")
        target = str(r.get("target", ""))
        note = str(r.get("note", "")) or (f"{disposition} {target}".strip())
        yield "read", str(r.get("item", "")), str(r.get("path", "")), outcome, note
    for r in _list(_map(report.get("written_fields")).get("records")):
        r = _map(r)
        outcome = str(r.get("outcome", ""))
        yield (
            "write",
            str(r.get("item", "")),
            str(r.get("member", "") or r.get("path", "")),
            outcome if outcome in _OUTCOMES else "not-carried",
            str(r.get("note", "")),
        )


def _items_table(report: Mapping[str, Any]) -> str:
    rows: list[str] = []
    total = 0
    for stage, item, what, outcome, note in _item_rows(report):
        total += 1
        if len(rows) >= MAX_ROWS:
            continue
        rows.append(
            f'<tr data-stage="{_e(stage)}" data-outcome="{_e(outcome)}"><td>{_e(stage)}</td>'
            f'<td>{_e(item)}</td><td>{_e(what)}</td><td class="{_e(_CLASS[outcome])}">'
            f"{_e(_LABEL[outcome])}</td><td>{_e(note)}</td></tr>"
        )
    if not rows:
        return "<p>Nothing to list.</p>"
    more = (
        f"<p>The first {MAX_ROWS} of {total} rows; the JSON report (--report FILE.json) holds "
        "them all.</p>"
        if total > MAX_ROWS
        else ""
    )
    options = "".join(f'<option value="{o}">{_LABEL[o]}</option>' for o in _OUTCOMES)
    stages = "".join(f'<option value="{s}">{s}</option>' for s in ("credential", "read", "write"))
    return (
        '<div class="filters" role="search">'
        '<label for="f-text">Search items<input id="f-text" type="search" autocomplete="off">'
        "</label>"
        f'<label for="f-outcome">Outcome<select id="f-outcome"><option value="">all</option>'
        f"{options}</select></label>"
        f'<label for="f-stage">Stage<select id="f-stage"><option value="">all</option>'
        f"{stages}</select></label>"
        f'<p id="f-count" role="status" aria-live="polite">{len(rows)} rows</p></div>'
        f"{more}"
        '<table id="items"><caption>What happened to every item: credentials (read and '
        "written), source fields (read) and values the destination changed or lost (write)"
        '</caption><thead><tr><th scope="col">stage</th><th scope="col">item</th>'
        '<th scope="col">credential, field or member</th><th scope="col">outcome</th>'
        f'<th scope="col">how / why</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


_CLASS: Final = {"carried": "ok", "transformed": "warn", "not-carried": "bad"}


def _passkeys(report: Mapping[str, Any]) -> str:
    p = _map(report.get("passkeys"))
    listed = [_map(x) for x in _list(p.get("list"))]
    if not p.get("checked"):
        head = "<p>Passkeys were not verified (--no-verify).</p>" if listed or p else ""
    else:
        failed = _int(p.get("failed"))
        head = (
            f"<p>{len(listed)} passkeys checked (a WebAuthn assertion signed and verified with "
            f'each): <span class="ok">{len(listed) - failed} verified</span>, '
            f'<span class="{"bad" if failed else "ok"}">{failed} failed</span>.</p>'
        )
    if not listed:
        return head or "<p>No passkeys.</p>"
    rows = "".join(
        f"<tr><td>{_e(x.get('item'))}</td><td>{_e(x.get('rp_id'))}</td>"
        f"<td>{_e(x.get('username'))}</td><td>{_e(x.get('algorithm'))}</td>"
        f'<td class="{"ok" if x.get("ok") else "bad"}">'
        f"{'verified' if x.get('ok') else 'FAILED ' + _e(', '.join(map(str, _list(x.get('codes')))))}"
        "</td></tr>"
        for x in listed
    )
    return (
        head + '<table><caption>Passkey proof</caption><thead><tr><th scope="col">item</th>'
        '<th scope="col">site</th><th scope="col">user</th><th scope="col">algorithm</th>'
        f'<th scope="col">result</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _totp(report: Mapping[str, Any]) -> str:
    proof = _map(report.get("totp"))
    if not proof:
        return "<p>No one-time-password seeds.</p>"
    if proof.get("state") != "checked":
        return f"<p>TOTP codes not proven: {_e(proof.get('why', ''))}.</p>"
    failed = _int(proof.get("failed"))
    text = (
        f"<p>{_int(proof.get('checked'))} TOTP seeds checked (the destination read back, codes "
        f"compared at {len(_list(proof.get('instants')))} fixed instants): "
        f'<span class="ok">{_int(proof.get("matched"))} give the same codes</span>, '
        f'<span class="{"bad" if failed else "ok"}">{failed} differ</span>'
        + (f", {_int(proof.get('not_compared'))} not carried" if proof.get("not_compared") else "")
        + ".</p>"
    )
    rows = [
        f'<li><span class="bad">different</span>: {_e(_map(f).get("item"))}: '
        f"{_e(_map(f).get('why'))}</li>"
        for f in _list(proof.get("failures"))
    ] + [
        f"<li>not checked: {_e(_map(f).get('item'))}: {_e(_map(f).get('why'))}</li>"
        for f in _list(proof.get("unusable"))
    ]
    return text + (f"<ul>{''.join(rows)}</ul>" if rows else "")


def _recreate(report: Mapping[str, Any]) -> str:
    lost = [_map(x) for x in _list(_map(report.get("passkeys")).get("to_recreate"))]
    if not lost:
        return "<p>Every passkey travelled: none to re-create.</p>"
    rows = "".join(
        f"<tr><td>{_e(x.get('rp_id') or '(no site named)')}</td><td>{_e(x.get('username'))}</td>"
        f"<td>{_e(x.get('item'))}</td><td>{_e(x.get('why'))}</td></tr>"
        for x in lost
    )
    return (
        f"<p>{len(lost)} passkeys could not travel. On each site, sign in with the password, "
        "then add a new passkey in the site's security settings.</p>"
        '<table><caption>Passkeys to re-create</caption><thead><tr><th scope="col">site</th>'
        '<th scope="col">user</th><th scope="col">item</th><th scope="col">why</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def render_report_html(report_json: Mapping[str, Any], *, title: str = "") -> str:
    """One self-contained HTML page of a migration report (the data of
    :meth:`MigrationReport.to_json`): summary cards, the chart and table of credentials per
    type, the passkeys to re-create, the passkey and TOTP proofs, the per-item table with its
    filters, skipped items and warnings. Unknown or missing members are shown as empty."""
    r = report_json
    source, dest = _map(r.get("source")), _map(r.get("destination"))
    items = _map(r.get("items"))
    counts = _counts(r)
    heading = title or "Migration report"
    arrow = f"{_e(source.get('file'))} ({_e(source.get('format'))}) → " + (
        f"{_e(dest.get('file'))} ({_e(dest.get('format'))})"
        if dest.get("file")
        else f"— ({_e(dest.get('format'))}, nothing written)"
    )
    totals = [sum(c[1] for c in counts), sum(c[2] for c in counts), sum(c[3] for c in counts)]
    cards = "".join(
        f"<li><b>{v}</b>{_e(k)}</li>"
        for k, v in (
            ("items read", _int(items.get("read"))),
            ("items written" if not r.get("dry_run") else "items would be written",
             _int(items.get("written"))),
            ("items skipped", len(_list(items.get("skipped")))),
            ("credentials carried", totals[0]),
            ("transformed", totals[1]),
            ("not carried", totals[2]),
        )
    )  # fmt: skip
    notice = dest.get("plaintext_notice")
    warnings = _list(r.get("warnings"))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(content_security_policy())}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(heading)}</title><style>{_CSS}</style></head><body>",
        '<a class="skip" href="#items-h">Skip to the item table</a><main>',
        f"<h1>{_e(heading)}</h1><p>{arrow}</p>",
        f'<p class="notice" role="note"><strong>Plain text:</strong> {_e(notice)}</p>'
        if notice
        else "",
        f'<ul class="cards" aria-label="summary">{cards}</ul>',
        '<h2 id="chart-h">Credentials per type</h2>',
        _chart(counts),
        _summary_table(counts),
        '<h2 id="recreate-h">Passkeys to re-create</h2>',
        _recreate(r),
        '<h2 id="passkeys-h">Passkey proof</h2>',
        _passkeys(r),
        '<h2 id="totp-h">TOTP proof</h2>',
        _totp(r),
        '<h2 id="items-h" tabindex="-1">Items</h2>',
        _items_table(r),
    ]
    if warnings:
        parts.append('<h2 id="warnings-h">Warnings</h2><ul>')
        parts.extend(f"<li>{_e(w)}</li>" for w in warnings)
        parts.append("</ul>")
    parts.append(f"</main><script>{_JS}</script></body></html>\n")
    return "".join(parts)
