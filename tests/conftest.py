"""Test-wide setup: compiled kernels go to a fresh disk cache per test session (never the
user's cache), so the suite always exercises the compiler and never reads stale entries."""

from __future__ import annotations

import os
import tempfile

_CACHE = tempfile.mkdtemp(prefix="shapekit-test-cache-")
os.environ.setdefault("SHAPEKIT_CACHE_DIR", _CACHE)
