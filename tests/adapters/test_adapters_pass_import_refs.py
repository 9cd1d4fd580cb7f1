"""pass-import reference vaults (``exports/pass-import-references/``): every sample that
``tests.yml`` (or the reference's own name) ties to a reference and that a built-in reader
handles is read, projected onto pass-import's keys, and compared with the reference entry by
entry — one-to-one, every key the reference gives.

Deliberate differences (each asserted, not ignored):

* cxkit carries more than pass-import's reference lists: the Bitwarden CSV/JSON ``aib`` entry
  has custom fields ``pin`` and ``oldpin`` that pass-import's reference omits — cxkit keeps them
  as a custom-fields credential. Extra keys are allowed only where listed in ``_EXTRA``.
* TOTP values are compared as TOTP parameters (secret, period, digits, algorithm), not as text:
  CXF stores the parts of an ``otpauth`` URI, not its spelling. A value that is not a TOTP secret
  (``1019`` in ``bitwarden-other``) is kept verbatim as a custom field naming ``login.totp``.
* Card expiry: CXF holds a year-month (``2024-04``); it is compared with pass-import's
  ``expMonth``/``expYear`` as numbers (``'4'`` and ``'04'`` are the same month).
* ``bitwarden-other.csv`` has no reference of its own (``tests.yml`` names only the JSON); its
  three rows are compared with the matching ``bitwarden-other.yml`` entries without ``group``
  (the CSV puts "Some Note" in no folder while the JSON puts it in CornerCases).
* Line breaks: the pass-import CSV samples use CRLF throughout, so a multi-line cell holds
  ``\\r\\n``; cxkit keeps the text as read, pass-import's reference has ``\\n``. Text is
  compared with line breaks normalised.
* The KeePass samples are compared in their own adapters' tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxkit import adapters, cxf
from cxkit.adapters.bitwarden.mapping import _ext
from cxkit.adapters.kit.values import parse_totp
from cxkit.cxf import model as m
from shared_evidence import shared_path

#: sample (under exports/bitwarden/pass-import) → (reference, keys dropped before comparing)
_CASES: dict[str, tuple[str, frozenset[str]]] = {
    "bitwarden.csv": ("main.yml", frozenset()),
    "bitwarden-org.csv": ("main.yml", frozenset()),
    "bitwarden.json": ("main.yml", frozenset()),
    "bitwarden-org.json": ("main.yml", frozenset()),
    "bitwarden-other.json": ("bitwarden-other.yml", frozenset()),
    "bitwarden-other.csv": ("bitwarden-other.yml", frozenset({"group"})),
}
#: keys cxkit carries beyond the reference, by (sample, title)
_EXTRA: dict[tuple[str, str], frozenset[str]] = {
    (s, "aib"): frozenset({"pin", "oldpin"})
    for s in ("bitwarden.csv", "bitwarden-org.csv", "bitwarden.json", "bitwarden-org.json")
}
#: keys of the projection that are bookkeeping, not pass-import data
_IGNORED = frozenset({"favorite"})
#: Bitwarden members kept as custom fields → pass-import's key
_MEMBER_KEYS = {"login.totp": "otpauth", "identity.email": "email"}


def _yaml_entries(text: str) -> Iterator[dict[str, str]]:
    """The YAML subset of pass-import's reference vaults: a list of flat mappings of strings
    (plain, single- or double-quoted, or ``|-`` blocks)."""
    entry: dict[str, str] = {}
    block: str | None = None
    for line in text.splitlines():
        if line.startswith("---"):
            continue
        if line.startswith("- "):
            if entry:
                yield entry
            entry, block, line = {}, None, "  " + line[2:]
        if block is not None and line.startswith("    "):
            entry[block] = (entry[block] + "\n" if entry[block] else "") + line[4:]
            continue
        if not line.strip():
            continue
        match = re.match(r"  ([^:]+): ?(.*)\Z", line)
        assert match, line
        key, raw = match.group(1), match.group(2)
        block = None
        if raw in ("|-", "|"):
            entry[key], block = "", key
        elif raw[:1] == '"':
            entry[key] = raw[1:-1].encode().decode("unicode_escape")
        elif raw[:1] == "'":
            entry[key] = raw[1:-1].replace("''", "'")
        else:
            entry[key] = raw
    if entry:
        yield entry


def _value(ef: Any) -> str:
    return "" if ef is None else str(ef.value)


def _groups(doc: cxf.Document) -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(c: m.Collection, parent: str) -> None:
        path = f"{parent}/{c.title}" if parent else c.title
        for link in c.items:
            found.setdefault(link.item, path)
        for sub in c.sub_collections:
            walk(sub, path)

    for account in doc.accounts:
        for c in account.collections:
            walk(c, "")
    return found


def _project(doc: cxf.Document) -> list[dict[str, Any]]:
    """Each CXF item as pass-import would list it (its key names; empty values left out)."""
    groups = _groups(doc)
    out: list[dict[str, Any]] = []
    for _, item in doc.items():
        e: dict[str, Any] = {"title": item.title}
        if item.id in groups:
            e["group"] = groups[item.id]
        for i, url in enumerate(item.scope.urls if item.scope else ()):
            e["url" if i == 0 else f"url{i + 1}"] = url
        for c in item.credentials:
            if isinstance(c, m.BasicAuth):
                e["login"], e["password"] = _value(c.username), _value(c.password)
            elif isinstance(c, m.Note):
                e["comments"] = c.content.value
            elif isinstance(c, m.Totp):
                e["otpauth"] = c
            elif isinstance(c, m.CreditCard):
                e["brand"], e["cardholderName"] = _value(c.card_type), _value(c.full_name)
                e["number"], e["code"] = _value(c.number), _value(c.verification_number)
                if c.expiry_date is not None:
                    year, _, month = str(c.expiry_date.value).partition("-")
                    e["expYear"], e["expMonth"] = year, month
            elif isinstance(c, m.PersonName):
                e["title_"], e["firstName"] = _value(c.title), _value(c.given)
                e["middleName"], e["lastName"] = _value(c.given2), _value(c.surname)
            elif isinstance(c, m.Address):
                e["address1"], e["city"] = _value(c.street_address), _value(c.city)
            elif isinstance(c, m.CustomFields):
                for f in c.fields:
                    member = str(_ext(f).get("member", ""))
                    key = _MEMBER_KEYS.get(member, f.label or member)
                    e[key] = f.value
        out.append({k: v for k, v in e.items() if v not in ("", None) and k not in _IGNORED})
    return out


def _same(key: str, got: Any, want: str) -> bool:
    if isinstance(got, m.Totp):
        return parse_totp(want)[0] == got
    if key in ("expMonth", "expYear"):
        return int(got) == int(want)
    if isinstance(got, str):
        return got.replace("\r\n", "\n") == want
    return bool(got == want)


@pytest.mark.shared
@pytest.mark.parametrize("sample", sorted(_CASES))
def test_bitwarden_sample_reads_to_its_reference_vault(sample: str) -> None:
    path = shared_path("exports", "bitwarden", "pass-import", sample)
    refs = shared_path("exports", "pass-import-references")
    reference_name, without = _CASES[sample]
    expected = [
        {k: v for k, v in e.items() if k not in without}
        for e in _yaml_entries((refs / reference_name).read_text(encoding="utf-8"))
    ]
    doc, report = adapters.read(Path(path).read_bytes(), sample)
    assert not report.items_skipped
    got = [{k: v for k, v in e.items() if k not in without} for e in _project(doc)]
    if sample == "bitwarden-other.csv":  # three rows of the JSON's six (see the docstring)
        titles = {g["title"] for g in got}
        expected = [e for e in expected if e["title"] in titles]
        assert len(expected) == 3
    assert len(got) == len(expected)
    unmatched = list(got)
    for ref in expected:
        matches = [
            g
            for g in unmatched
            if set(g) - set(ref) <= _EXTRA.get((sample, ref["title"]), frozenset())
            and set(ref) <= set(g)
            and all(_same(k, g[k], v) for k, v in ref.items())
        ]
        assert matches, f"{sample}: no entry matches reference {ref['title']!r}: " + repr(
            [sorted(g) for g in unmatched if g["title"] == ref["title"]]
        )
        unmatched.remove(matches[0])
    assert unmatched == []
