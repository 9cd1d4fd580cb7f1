"""Fixtures for the passkey tests."""

from __future__ import annotations

from typing import Any

import pytest
from _passkey_data import KEYS, SUPPORTED, b64u


@pytest.fixture(params=SUPPORTED)
def key_case(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], bytes]:
    """(algorithm name, fixture entry, PKCS#8 DER) for every supported algorithm."""
    entry = KEYS["supported"][request.param]
    return request.param, entry, b64u(entry["pkcs8_b64url"])
