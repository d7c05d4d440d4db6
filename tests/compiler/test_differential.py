"""Differential tests: every elementwise operation of the language, compiled vs `dsl.eager`,
for every dtype the operation accepts; shapes with 0- and 1-size dims, negative values and
zeros, non-contiguous inputs, weakly typed Python scalars and broadcasting.

Other operations: `test_differential_ops.py` (reductions, matmul, shape, creation, indexing).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dsl
import diff_kernels_elem as K
from diff_helpers import (ALL, BOOL, FLOATS, INTS, NUMERIC, SETTINGS, check, dims, ids, seeds,
                          strided, values)

hows = st.sampled_from([0, 1, 2])


def pair(seed: int, shape: tuple[int, ...], dtype: np.dtype[Any], how: int, **kw: Any
         ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (strided(rng, values(rng, shape, dtype), how),
            strided(rng, values(rng, shape, dtype, **kw), (how + 1) % 3))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_arith(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    check(K.arith, *pair(seed, (a, b), dtype, how))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_truediv(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    check(K.truediv, *pair(seed, (a, b), dtype, how, nonzero=True))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows, zeros=st.booleans())
def test_floordiv_mod(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int,
                      zeros: bool) -> None:
    # integer division by zero is 0 in both (numpy semantics, with a warning in eager)
    nonzero = dtype.kind == "f" or not zeros
    with np.errstate(all="ignore"):
        check(K.floordiv_mod, *pair(seed, (a, b), dtype, how, nonzero=nonzero))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_pow(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    rng = np.random.default_rng(seed)
    x = values(rng, (a, b), dtype, -3, 3)
    y = values(rng, (a, b), dtype, 0 if dtype in INTS else -2, 3)
    if dtype in FLOATS:  # negative bases need integral exponents (else NaN)
        y = np.where(rng.random((a, b)) < 0.5, np.round(y.astype(np.float64)), y).astype(dtype)
    with np.errstate(all="ignore"):
        check(K.power, strided(rng, x, how), y, loose=True)


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_pow_special_values(dtype: np.dtype[Any]) -> None:
    inf, nan = np.inf, np.nan
    x = np.array([[-2, -3, -0.5, 0, 0, -2, -0., -0., nan, 1, inf, -inf, -inf, 2, 0.5]])
    y = np.array([[2, 3, -2, 0, -1, 0.5, -1, -2, 0, nan, -1, 3, 2, inf, -inf]])
    with np.errstate(all="ignore"):
        check(K.power, x.astype(dtype), y.astype(dtype), loose=True)


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_compare(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    x, y = pair(seed, (a, b), dtype, how, low=-2, high=2)
    check(K.compare, x, y)


@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_logical(a: int, b: int, seed: int, how: int) -> None:
    check(K.logical, *pair(seed, (a, b), BOOL, how))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_negate_abs(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    check(K.negate, pair(seed, (a, b), dtype, how)[0])


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_float_functions(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    rng = np.random.default_rng(seed)
    check(K.float_fns, pair(seed, (a, b), dtype, how)[0],
          strided(rng, values(rng, (a, b), dtype, 0.01, 50), how), loose=True)


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows, s=st.floats(-8, 8, width=16))
def test_weak_float_scalars(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int,
                            s: float) -> None:
    x = pair(seed, (a, b), dtype, how)[0]
    check(K.weak_float, x, s, int(s), loose=True)


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows, n=st.integers(-5, 5).filter(lambda n: n != 0))
def test_weak_int_scalars(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int,
                          n: int) -> None:
    x = pair(seed, (a, b), dtype, how)[0]
    check(K.weak_int, x, n)


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_where(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    rng = np.random.default_rng(seed)
    c = strided(rng, values(rng, (a, b), BOOL), how)
    x, y = pair(seed, (a, b), dtype, how)
    check(K.where, c, x, y)
    if dtype != BOOL:  # `where(c, y, 0)`: an int scalar with a bool tensor is a dtype error
        check(K.where_bcast, values(rng, (a, 1), BOOL), values(rng, (b,), dtype), y)


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_broadcasting(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    rng = np.random.default_rng(seed)
    x = strided(rng, values(rng, (a, b), dtype), how)
    check(K.bcast, x, strided(rng, values(rng, (b,), dtype), how),
          strided(rng, values(rng, (a, 1), dtype), how), values(rng, (1, b), dtype),
          values(rng, (2, a, b), dtype))


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_astype(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int) -> None:
    # values in int8 range (float -> int of an out-of-range value is undefined)
    rng = np.random.default_rng(seed)
    x = values(rng, (a, b), dtype, -100, 100)
    check(K.astype_all, strided(rng, x, how))


PROMOTIONS = [("float16", "float32"), ("bfloat16", "float16"), ("int32", "int64"),
              ("int8", "int32"), ("float32", "float64"), ("bfloat16", "float64")]


@pytest.mark.parametrize("dx,dy", PROMOTIONS)
@SETTINGS
@given(a=dims, b=dims, seed=seeds)
def test_promotion(dx: str, dy: str, a: int, b: int, seed: int) -> None:
    from diff_helpers import BF16
    dts = {d: (BF16 if d == "bfloat16" else np.dtype(d)) for d in (dx, dy)}
    rng = np.random.default_rng(seed)
    check(K.mixed_promote, values(rng, (a, b), dts[dx]), values(rng, (a, b), dts[dy]))


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@SETTINGS
@given(n=dims, seed=seeds)
def test_rank0_rank1(dtype: np.dtype[Any], n: int, seed: int) -> None:
    if dtype == BOOL:
        return
    rng = np.random.default_rng(seed)
    check(K.ranks01, strided(rng, values(rng, (n,), dtype), n % 2 * 2),
          values(rng, (n,), dtype), values(rng, (), dtype), values(rng, (), dtype))


# --- dims the checker cannot prove equal: broadcast at run time (sizes equal or 1), else a
# run-time ShapeError, never a bad read ---------------------------------------------------
@pytest.mark.parametrize("kernel,yshape", [
    (K.unknown_dims, (2, 4)), (K.unknown_dims, (3, 3)), (K.unknown_dims, (0, 3)),
    (K.unknown_cmp, (5, 3)), (K.unknown_max, (2, 7)), (K.unknown_max, (2, 0)),
    (K.broadcastable, (5, 3)), (K.broadcastable, (0, 3))])
def test_unknown_dims_mismatch(kernel: Any, yshape: tuple[int, ...]) -> None:
    x = np.ones((2, 3), np.float32)
    y = np.ones(yshape, np.float32)
    with pytest.raises(dsl.ShapeError):
        kernel(x, y)


def test_unknown_where_mismatch() -> None:
    x = np.ones((2, 3), np.float32)
    with pytest.raises(dsl.ShapeError):
        K.unknown_where(np.ones((4, 3), bool), x, x)
    with pytest.raises(dsl.ShapeError):
        K.unknown_where(np.ones((2, 3), bool), x, np.ones((2, 9), np.float32))
    with pytest.raises(dsl.ShapeError):  # the output would need to grow: not the result's A
        K.unknown_dims(np.ones((1, 3), np.float32), np.ones((2, 3), np.float32))


@pytest.mark.parametrize("dtype", [np.dtype(np.float32), BOOL], ids=str)
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows, data=st.data())
def test_unknown_dims_broadcast(dtype: np.dtype[Any], a: int, b: int, seed: int, how: int,
                                data: st.DataObject) -> None:
    """Operands whose dims the checker cannot relate: equal sizes, or 1 (run-time
    broadcasting), in any combination."""
    rng = np.random.default_rng(seed)
    pick = st.sampled_from([True, False])
    ya, yb = (1 if data.draw(pick) else a), (1 if data.draw(pick) else b)
    x = strided(rng, values(rng, (a, b), dtype), how)
    y = strided(rng, values(rng, (ya, yb), dtype), how)
    c = values(rng, (1 if data.draw(pick) else a, b), BOOL)
    if dtype != BOOL:
        check(K.unknown_dims, x, y)
        check(K.unknown_max, x, values(rng, (a, yb), dtype))
        check(K.broadcastable, x, values(rng, (ya, b), dtype))
    check(K.unknown_cmp, x, values(rng, (ya, b), dtype))
    check(K.unknown_where, c, x, values(rng, (a, yb), dtype))
    check(K.unknown_chain, x, y, values(rng, (ya, 1), dtype))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, how=hows)
def test_scalars_in_comparisons_and_functions(dtype: np.dtype[Any], a: int, b: int, seed: int,
                                              how: int) -> None:
    rng = np.random.default_rng(seed)
    x = strided(rng, values(rng, (a, b), dtype, -3, 3), how)
    check(K.scalar_mix, x, values(rng, (a, b), BOOL))


@pytest.mark.parametrize("dx,dy", PROMOTIONS[1:4])
def test_where_promotion(dx: str, dy: str) -> None:
    from diff_helpers import BF16
    dts = {d: (BF16 if d == "bfloat16" else np.dtype(d)) for d in (dx, dy)}
    rng = np.random.default_rng(1)
    check(K.where_promote, values(rng, (3, 4), BOOL), values(rng, (3, 4), dts[dx]),
          values(rng, (3, 4), dts[dy]))


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
@SETTINGS
@given(a=dims, b=dims, seed=seeds)
def test_int_extremes(dtype: np.dtype[Any], a: int, b: int, seed: int) -> None:
    """Full-range ints (wrap-around like numpy; INT_MIN // -1 wraps; // and % by 0 give 0)."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    special = np.array([info.min, info.max, -1, 0, 1], dtype=dtype)

    def full(shape: tuple[int, ...]) -> np.ndarray:
        v = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
        return np.where(rng.random(shape) < 0.5, rng.choice(special, size=shape), v)
    x, y = full((a, b)), full((a, b))
    with np.errstate(all="ignore"):
        check(K.arith, x, y)
        check(K.floordiv_mod, x, y)
        check(K.negate, x)
        check(K.compare, x, y)
        check(K.astype_all, x)


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
@SETTINGS
@given(a=dims, b=dims, seed=seeds, n=st.integers(-2, 3))
def test_int_pow_negative_exponent_raises(dtype: np.dtype[Any], a: int, b: int, seed: int,
                                          n: int) -> None:
    """Integer `**` with any negative exponent raises ValueError in both (numpy's rule)."""
    rng = np.random.default_rng(seed)
    x, y = values(rng, (a, b), dtype, -3, 3), values(rng, (a, b), dtype, -1, 3)
    check(K.power, x, y)
    check(K.pow_param, x, n)


SPECIAL = [0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0, 20.0, -20.0, 88.0, -88.0, 100.0, -100.0,
           1e4, -1e4, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_special_values(dtype: np.dtype[Any]) -> None:
    x = np.array([SPECIAL], np.float64).astype(dtype)
    with np.errstate(all="ignore"):
        check(K.float_fns, x, x, loose=True)
        check(K.negate, x)
        check(K.compare, x, x[:, ::-1])
        check(K.floordiv_mod, x, x[:, ::-1])
        check(K.truediv, x, x[:, ::-1])
    y = np.array([[0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 1e-30, np.inf, -np.inf, np.nan]], dtype)
    check(K.astype_bool_float, y)


def test_broadcastable_dim_of_size_one() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    check(K.broadcastable, x, np.full((1, 3), 2.0, np.float32))
    check(K.broadcastable, x[:, ::2], np.full((2, 2), 3.0, np.float32)[::-1])
