"""Shared data for the passkey tests: the fixed keys in ``fixtures/passkey_keys.json``."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "passkey_keys.json"
KEYS: dict[str, Any] = json.loads(FIXTURES.read_text())
SUPPORTED = sorted(KEYS["supported"])


def b64u(text: str) -> bytes:
    """Test-side base64url decoding (independent of cxkit's helper)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
