"""docs/findings.md is generated from CODES, and every code the CXF layer can emit is registered."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cxkit.cxf import findings
from cxkit.cxf.b64 import decode_lenient
from cxkit.cxf.findings import CODES, findings_markdown, make_finding

ROOT = Path(__file__).resolve().parents[2]
CXF_SOURCES = sorted((ROOT / "src" / "cxkit" / "cxf").glob("*.py"))
CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*")
#: calls whose first argument is a finding code
EMITTERS = {"add", "make_finding", "UnusableError", "Finding"}


def test_findings_doc_is_generated_from_codes() -> None:
    doc = ROOT / "docs" / "findings.md"
    assert doc.read_text("utf-8") == findings_markdown(), (
        "docs/findings.md is stale: uv run python -m cxkit.cxf.findings > docs/findings.md"
    )


def _emitted_codes() -> dict[str, str]:
    """code → file:line for every literal code passed to an emitter, or stored in a table of
    codes (dict values / tuple members that look like codes) in src/cxkit/cxf."""
    found: dict[str, str] = {}
    for source in CXF_SOURCES:
        if source.name == "findings.py":
            continue
        tree = ast.parse(source.read_text("utf-8"))
        for node in ast.walk(tree):
            candidates: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                if name in EMITTERS and node.args:
                    candidates.append(node.args[0])
                    if isinstance(node.args[0], ast.IfExp):
                        candidates += [node.args[0].body, node.args[0].orelse]
            elif isinstance(node, ast.Dict):
                candidates += [v for v in node.values if v is not None]
                for value in node.values:
                    if isinstance(value, ast.Tuple):
                        candidates += value.elts
            for candidate in candidates:
                if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                    text = candidate.value
                    if CODE.fullmatch(text) and text.split(".")[0] in FAMILIES:
                        found.setdefault(text, f"{source.name}:{candidate.lineno}")
    return found


FAMILIES = {code.split(".")[0] for code in CODES}


def test_every_emitted_code_is_registered() -> None:
    emitted = _emitted_codes()
    assert len(emitted) > 40  # the scan does find them
    unknown = {code: where for code, where in emitted.items() if code not in CODES}
    assert unknown == {}, f"codes used in src/cxkit/cxf but missing from CODES: {unknown}"


def test_dynamic_b64_codes_are_registered() -> None:
    """_lenient adds f"b64.{tolerance}" for each tolerance decode_lenient reports."""
    _, tolerances = decode_lenient("+/8=")
    _, more = decode_lenient("QR")
    for tolerance in {*tolerances, *more, "padded", "standard-alphabet", "trailing-bits"}:
        assert f"b64.{tolerance}" in CODES


def test_unregistered_code_cannot_be_emitted() -> None:
    """make_finding looks the code up, so an unregistered code fails loudly in any test."""
    with pytest.raises(KeyError):
        make_finding("no-such.code", "$")


def test_registered_codes_are_emitted_somewhere() -> None:
    """Registered but never emitted codes (documented as reserved)."""
    text = "\n".join(s.read_text("utf-8") for s in CXF_SOURCES if s.name != "findings.py")
    referenced = {c for c in CODES if f'"{c}"' in text}
    dynamic = {c for c in CODES if c.startswith("b64.") and f'"{c.split(".")[1]}"' in text}
    unused = set(CODES) - referenced - dynamic
    assert unused <= RESERVED, sorted(unused - RESERVED)


#: codes in CODES that no code path emits yet (kept for the exporter side, spec §7.6 #27)
RESERVED = {"passkey.nonzero-counter"}


def test_codes_table_shape() -> None:
    for code, (severity, section, meaning) in CODES.items():
        assert CODE.fullmatch(code), code
        assert severity in findings.Severity
        assert section.startswith("§") or "§" in section, code
        assert meaning.endswith((".", ")")), code
