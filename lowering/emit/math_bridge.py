"""Float functions on one element, through `lowering.emit.mathfns` (vectorizable
approximations for f32/f16/bf16, the `math` dialect for f64)."""

from __future__ import annotations

from typing import Any

from lowering.emit.mathfns import emit_math


def float_function(op: str, x: Any) -> Any:
    """`op(x)` for a float element (exp, log, sqrt, sin, cos, tanh, sigmoid, rsqrt, erf)."""
    return emit_math(op, x)
