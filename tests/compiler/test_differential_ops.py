"""Differential tests, compiled vs `dsl.eager`: reductions (axis int/tuple/None/negative,
keepdims), matmul (1-D promotion, broadcast batch dims), shape operations, creation and
indexing, for every dtype the operation accepts. Elementwise: `test_differential.py`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import diff_kernels_ops as K
from diff_helpers import (ALL, BOOL, FLOATS, NUMERIC, SETTINGS, check, dims, ids, seeds,
                          strided, values)

hows = st.sampled_from([0, 1, 2])
# one dtype per storage width (bool is stored as i8)
WIDTHS = [BOOL, FLOATS[1], np.dtype(np.float32),
          np.dtype(np.int64)]
pos = st.sampled_from([1, 2, 3, 5])


def arr(seed: int, shape: tuple[int, ...], dtype: np.dtype[Any], how: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return strided(rng, values(rng, shape, dtype, -3, 3), how)


# --- reductions -------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_sum(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    check(K.sum2, arr(seed, (a, b), dtype, how))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_mean(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    with np.errstate(all="ignore"):
        check(K.mean2, arr(seed, (a, b), dtype, how))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=pos, b=pos, seed=seeds, how=hows)
def test_max_min_argmax(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    x = arr(seed, (a, b), dtype, how)
    check(K.max_min2, x)


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_max_argmax_nan(dtype: np.dtype[Any]) -> None:
    x = np.array([[1, np.nan, 3], [-np.inf, -1, -2]]).astype(dtype)
    check(K.max_min2, x)


@pytest.mark.parametrize("dtype", [np.dtype(np.float32), np.dtype(np.int32)], ids=str)
def test_max_of_empty_raises(dtype: np.dtype[Any]) -> None:
    check(K.max_min2, np.zeros((0, 3), dtype))
    check(K.max_min2, np.zeros((2, 0), dtype))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=pos, b=dims, c=pos, seed=seeds, how=hows)
def test_reduce_rank3(dtype: np.dtype[Any], a: int, b: int, c: int, seed: int, how: int
                      ) -> None:
    check(K.reduce3, arr(seed, (a, b, c), dtype, how))


# --- matmul -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(m=dims, k=dims, n=dims, bb=pos, seed=seeds, how=hows)
def test_matmul(dtype: np.dtype[Any], m: int, k: int, n: int, bb: int, seed: int, how: int
                ) -> None:
    check(K.matmuls, arr(seed, (m, k), dtype, how), arr(seed + 1, (k, n), dtype, 2 - how),
          arr(seed + 2, (k,), dtype, how), arr(seed + 3, (m,), dtype),
          arr(seed + 4, (bb, m, k), dtype, how), arr(seed + 5, (bb, k, n), dtype),
          arr(seed + 6, (1, m, k), dtype), arr(seed + 7, (2, 1, m, k), dtype))


# --- shape ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@SETTINGS
@given(a=dims, b=dims, c=dims, seed=seeds, how=hows)
def test_shape_ops(dtype: np.dtype[Any], a: int, b: int, c: int, seed: int, how: int
                   ) -> None:
    check(K.shapes_a, arr(seed, (a, b), dtype, how), arr(seed, (a, b, c), dtype, how),
          arr(seed, (a, 1, b, 1), dtype, how))
    if dtype in WIDTHS:  # broadcast_to/concat/stack move elements: one dtype per width
        check(K.shapes_b, arr(seed, (1, b), dtype, how), arr(seed, (b,), dtype), c,
              arr(seed, (a, b), dtype, how), arr(seed + 1, (c, b), dtype),
              arr(seed + 2, (a, b), dtype, 2 - how))


# --- creation ---------------------------------------------------------------------------
@SETTINGS
@given(n=dims, m=dims, v=st.floats(-10, 10))
def test_creation(n: int, m: int, v: float) -> None:
    check(K.create, n, m)
    check(K.create_f64, n, v)


# --- indexing ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@SETTINGS
@given(a=pos, b=pos, c=pos, seed=seeds, how=hows, data=st.data())
def test_indexing(dtype: np.dtype[Any], a: int, b: int, c: int, seed: int, how: int,
                  data: st.DataObject) -> None:
    x = arr(seed, (a, b), dtype, how)
    i = data.draw(st.integers(-a, a - 1))
    j = data.draw(st.integers(-b, b - 1))
    lo = data.draw(st.integers(0, a))
    hi = data.draw(st.integers(lo, a))
    check(K.indexing, x, i, j, lo, hi, arr(seed, (a, b, c), dtype, how),
          data.draw(st.integers(-a, a - 1)))


@pytest.mark.parametrize("i,j", [(2, 0), (-3, 0), (0, 3), (0, -4), (5, 5)])
def test_index_out_of_bounds_raises(i: int, j: int) -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.raises(IndexError):
        K.indexing(x, i, j, 0, 1, np.zeros((2, 3, 4), np.float32), 0)


@pytest.mark.parametrize("shapes", [((2, 3), (4, 5), (1, 2, 3), (1, 3, 5)),
                                    ((2, 3), (3, 5), (2, 2, 3), (3, 3, 5))])
def test_matmul_unknown_dims_mismatch(shapes: tuple[tuple[int, ...], ...]) -> None:
    import dsl
    args = [np.ones(s, np.float32) for s in shapes]
    with pytest.raises(dsl.ShapeError):
        K.matmul_unknown(*args)


def test_matmul_unknown_dims_match() -> None:
    rng = np.random.default_rng(0)
    args = [values(rng, s, np.dtype(np.float32)) for s in ((2, 3), (3, 5), (4, 2, 3),
                                                          (4, 3, 5))]
    check(K.matmul_unknown, *args)
