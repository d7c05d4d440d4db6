"""Make the repository importable when the project is not installed (`pip install -e .`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("dsl") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
