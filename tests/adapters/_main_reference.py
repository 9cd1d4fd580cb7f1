"""pass-import's reference vault (``exports/pass-import-references/main.yml``) and a projection
of a CXF document onto its keys, for the NordPass, Keeper, Enpass and RoboForm reader tests."""

from __future__ import annotations

from collections import Counter
from typing import Any

import yaml

from cxkit import cxf
from cxkit.cxf import model as m
from shared_evidence import shared_path


def reference(without: frozenset[str] = frozenset()) -> Counter[tuple[tuple[str, str], ...]]:
    """The reference entries as a multiset of sorted (key, value) tuples."""
    entries = yaml.safe_load(
        shared_path("exports", "pass-import-references", "main.yml").read_text()
    )
    return Counter(
        tuple(sorted((k, _clean(str(v))) for k, v in e.items() if k not in without))
        for e in entries
    )


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def _paths(doc: cxf.Document) -> dict[str, str]:
    homes: dict[str, str] = {}

    def walk(col: m.Collection, parent: str) -> None:
        path = f"{parent}/{col.title}" if parent else col.title
        for link in col.items:
            homes.setdefault(link.item, path)
        for sub in col.sub_collections:
            walk(sub, path)

    for account in doc.accounts:
        for col in account.collections:
            walk(col, "")
    return homes


def project(
    doc: cxf.Document, without: frozenset[str] = frozenset()
) -> Counter[tuple[tuple[str, str], ...]]:
    """Each item as pass-import's keys (title, login, password, url, comments, group and the
    custom fields by label)."""
    homes = _paths(doc)
    out: Counter[tuple[tuple[str, str], ...]] = Counter()
    for _, item in doc.items():
        keys: dict[str, Any] = {"title": item.title}
        for cred in item.credentials:
            if isinstance(cred, m.BasicAuth):
                if cred.username is not None:
                    keys["login"] = cred.username.value
                if cred.password is not None:
                    keys["password"] = cred.password.value
            elif isinstance(cred, m.Note):
                keys["comments"] = cred.content.value
            elif isinstance(cred, m.CustomFields):
                for field in cred.fields:
                    keys[field.label or ""] = field.value
        if item.scope is not None and item.scope.urls:
            keys["url"] = item.scope.urls[0]
        if item.id in homes:
            keys["group"] = homes[item.id]
        out[tuple(sorted((k, _clean(v)) for k, v in keys.items() if k not in without))] += 1
    return out
