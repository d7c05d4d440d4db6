"""Shared helpers for the eager tests."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np

FLOAT_DTYPES = [np.float16, ml_dtypes.bfloat16, np.float32, np.float64]
INT_DTYPES = [np.int8, np.int32, np.int64]
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + [np.bool_]

RNG = np.random.default_rng(0)


def rand(shape: tuple[int, ...], dtype: Any = np.float32, low: float = -3.0,
         high: float = 3.0) -> np.ndarray:
    """Random values of `dtype` (ints in [low, high], bools uniform)."""
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return RNG.random(shape) < 0.5
    if dt.kind in "iu":
        return RNG.integers(int(low), int(high) + 1, size=shape).astype(dt)
    return RNG.uniform(low, high, size=shape).astype(dt)


def tol(dtype: Any) -> dict[str, float]:
    """Comparison tolerances suited to `dtype`."""
    dt = np.dtype(dtype)
    if dt == np.dtype(ml_dtypes.bfloat16):
        return {"rtol": 2e-2, "atol": 2e-2}
    if dt == np.float16:
        return {"rtol": 2e-3, "atol": 2e-3}
    if dt == np.float32:
        return {"rtol": 1e-5, "atol": 1e-6}
    return {"rtol": 1e-12, "atol": 1e-12}


def f64(a: Any) -> np.ndarray:
    """`a` as float64 (bfloat16 too)."""
    return np.asarray(a).astype(np.float64)
