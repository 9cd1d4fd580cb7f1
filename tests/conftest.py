"""Shared fixtures; the helpers themselves live in ``shared_evidence.py``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from shared_evidence import PROJECT_ROOT, SHARED, shared_files, shared_path

# Property tests run the same examples every time (a failure reproduces; nothing fails "one run
# in N") and have no per-example time limit (CI's 2-core machine is slower than a desk one;
# speed is measured in benchmarks/, not here). A test may still ask for more or fewer examples.
settings.register_profile(
    "cxkit", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("cxkit")

# `cxkit formats` keeps a cache of the format list: the tests' goes to a temporary folder.
os.environ.setdefault("CXKIT_CACHE_DIR", tempfile.mkdtemp(prefix="cxkit-test-cache-"))

__all__ = ["PROJECT_ROOT", "SHARED", "shared_files", "shared_path"]


@pytest.fixture
def shared() -> Path:
    """The ``../shared`` folder, or skip."""
    if not SHARED.is_dir():
        pytest.skip(f"outside evidence not found at {SHARED} (CI provides ../shared)")
    return SHARED
