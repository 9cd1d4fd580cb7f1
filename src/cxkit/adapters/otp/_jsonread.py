"""Small readers of JSON values shared by the JSON authenticator readers of this package (Aegis,
2FAS): tolerant numbers and text, and the leaves of a member the reader does not know (kept as
custom fields, ``formats/totp-apps.md``)."""

from __future__ import annotations

from typing import Any

from cxkit.adapters.kit.builder import Val
from cxkit.adapters.kit.values import scalar_text

__all__ = ["as_int", "as_number", "as_text", "leaves"]


def as_int(value: Any) -> int | None:
    """A JSON integer, or a short string of digits, as int; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value)
    return None


def as_number(value: Any, default: int) -> int:
    found = as_int(value)
    return default if found is None else found


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def leaves(value: Any, path: str) -> list[Val]:
    """The non-empty scalar leaves under *value* (at *path*) as values to keep (objects and
    lists flattened; a member's name is used as it is, dots and brackets included)."""
    if isinstance(value, dict):
        return [v for k, x in value.items() for v in leaves(x, f"{path}.{k}")]
    if isinstance(value, list):
        return [v for i, x in enumerate(value) for v in leaves(x, f"{path}[{i}]")]
    text = scalar_text(value)
    return [Val(text, path)] if text else []
