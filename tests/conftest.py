"""Shared fixtures; the helpers themselves live in ``shared_evidence.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_evidence import PROJECT_ROOT, SHARED, shared_files, shared_path

__all__ = ["PROJECT_ROOT", "SHARED", "shared_files", "shared_path"]


@pytest.fixture
def shared() -> Path:
    """The ``../shared`` folder, or skip."""
    if not SHARED.is_dir():
        pytest.skip(f"outside evidence not found at {SHARED} (CI provides ../shared)")
    return SHARED
