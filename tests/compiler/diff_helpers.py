"""Helpers for the differential tests: inputs, and comparing a compiled kernel with
`dsl.eager` of the same kernel (dtype, shape and values)."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import dsl

BF16 = np.dtype(ml_dtypes.bfloat16)
FLOATS = [np.dtype(np.float16), BF16, np.dtype(np.float32), np.dtype(np.float64)]
INTS = [np.dtype(np.int8), np.dtype(np.int32), np.dtype(np.int64)]
BOOL = np.dtype(np.bool_)
NUMERIC = FLOATS + INTS
ALL = NUMERIC + [BOOL]

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

dims = st.sampled_from([0, 1, 1, 2, 3, 5, 7])
seeds = st.integers(0, 2**32 - 1)


def ids(dtypes: list[np.dtype[Any]]) -> list[str]:
    return [str(d) for d in dtypes]


def values(rng: np.random.Generator, shape: tuple[int, ...], dtype: np.dtype[Any],
           low: float = -4.0, high: float = 4.0, nonzero: bool = False) -> np.ndarray:
    """Random values of `dtype` in [low, high] (ints include negatives and zeros)."""
    if dtype == BOOL:
        return rng.random(shape) < 0.5
    if dtype.kind == "i":
        a = rng.integers(int(low), int(high) + 1, size=shape)
        if nonzero:
            a = np.where(a == 0, 1, a)
        return a.astype(dtype)
    a = rng.uniform(low, high, size=shape)
    if nonzero:
        a = np.where(np.abs(a) < 0.25, 0.5, a)
    return a.astype(dtype)


def strided(rng: np.random.Generator, a: np.ndarray, how: int) -> np.ndarray:
    """The same values as `a` as a non-contiguous view (how: 0 contiguous, 1 transposed,
    2 every other element of a larger array)."""
    if how == 0 or a.ndim == 0:
        return a
    if how == 1 and a.ndim >= 2:
        return np.ascontiguousarray(np.swapaxes(a, -1, -2)).swapaxes(-1, -2)
    big = np.empty(tuple(2 * s for s in a.shape), dtype=a.dtype)
    view = big[tuple(slice(None, None, 2) for _ in a.shape)]
    view[...] = a
    return view


def tolerance(dtype: np.dtype[Any], loose: bool = False) -> dict[str, float]:
    """rtol/atol by dtype; `loose` for transcendental functions (a few ulp)."""
    if dtype in (np.dtype(np.float16), BF16):
        return {"rtol": 1e-2, "atol": 1e-2} if dtype == np.float16 else \
            {"rtol": 2e-2, "atol": 2e-2}
    if dtype == np.float32:
        return {"rtol": 4e-6 if loose else 1e-5, "atol": 1e-6 if loose else 1e-6}
    return {"rtol": 1e-12, "atol": 1e-12}


def assert_same(got: Any, want: Any, loose: bool = False, where: str = "") -> None:
    """Same structure, dtype, shape; exact for ints/bools, close for floats."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), (where, got, want)
        for k, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, loose, f"{where}[{k}]")
        return
    if not isinstance(want, np.ndarray):
        assert type(got) is type(want) and (got == want or (got != got and want != want)), (
            where, got, want)
        return
    assert isinstance(got, np.ndarray), (where, type(got))
    assert got.dtype == want.dtype, (where, got.dtype, want.dtype)
    assert got.shape == want.shape, (where, got.shape, want.shape)
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want, err_msg=where)
    else:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                   equal_nan=True, err_msg=where, **tolerance(want.dtype, loose))


def check(kernel: Any, *args: Any, loose: bool = False) -> Any:
    """Run `kernel` compiled and eagerly on copies of `args`; compare the results (or that
    both raise the same kind of error)."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        want = dsl.eager(kernel)(*copies)
    except (ValueError, TypeError, IndexError) as exc:
        want_exc: Exception | None = exc
    else:
        want_exc = None
    if want_exc is not None:
        try:
            kernel(*args)
        except type(want_exc) if not isinstance(want_exc, ValueError) else ValueError:
            return None
        raise AssertionError(f"eager raised {want_exc!r}, compiled did not")
    got = kernel(*args)
    assert_same(got, want, loose)
    return want
