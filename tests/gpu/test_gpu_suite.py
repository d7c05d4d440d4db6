"""The compiler's differential, control-flow and effect tests and the example tests, run on
the GPU: conftest's `gpu_mode` redirects each kernel call to the CUDA specialisation with
torch tensors, cupy arrays, or numpy arrays copied in and out, and compares against eager
numpy exactly as on the CPU (same tolerances, same error types and messages)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("gpu_mode")

ROOT = Path(__file__).resolve().parents[2]
for _p in (ROOT / "tests" / "compiler", ROOT / "tests" / "examples", ROOT / "examples"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from test_control_flow import *  # noqa: E402,F401,F403
from test_differential import *  # noqa: E402,F401,F403
from test_differential_ops import *  # noqa: E402,F401,F403
from test_effects import *  # noqa: E402,F401,F403

if "mypy.api" not in sys.modules:  # the GPU machine may have no mypy: test_examples imports it
    try:
        import mypy.api  # noqa: F401
    except ImportError:
        import types
        _stub = types.ModuleType("mypy")
        _stub.api = types.ModuleType("mypy.api")  # type: ignore[attr-defined]
        sys.modules["mypy"], sys.modules["mypy.api"] = _stub, _stub.api  # type: ignore

# The examples' kernels (their mypy checks are not about the GPU).
from test_examples import (test_attention,  # noqa: E402,F401
                           test_attention_rejects_width_not_divisible_by_heads,
                           test_kv_cache_decode_step_writes_in_place_and_attends,
                           test_layernorm, test_mlp_block, test_softmax)
