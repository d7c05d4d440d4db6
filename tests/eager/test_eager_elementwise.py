"""Elementwise functions against numpy: values, dtype preservation, errors."""

from __future__ import annotations

import math
from typing import Any, Callable

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dsl
from eager_helpers import FLOAT_DTYPES, INT_DTYPES, f64, rand, tol

BF16 = np.dtype(ml_dtypes.bfloat16)


def _sigmoid_ref(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


FLOAT_FUNCS: list[tuple[str, Callable[[np.ndarray], np.ndarray], float, float]] = [
    ("exp", np.exp, -3, 3), ("log", np.log, 0.1, 5), ("sqrt", np.sqrt, 0, 9),
    ("sin", np.sin, -3, 3), ("cos", np.cos, -3, 3), ("tanh", np.tanh, -3, 3),
    ("sigmoid", _sigmoid_ref, -8, 8), ("rsqrt", lambda a: 1 / np.sqrt(a), 0.1, 9),
    ("erf", np.vectorize(math.erf), -4, 4),
]


@pytest.mark.parametrize("name,ref,low,high", FLOAT_FUNCS, ids=[f[0] for f in FLOAT_FUNCS])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_float_function_matches_numpy_and_keeps_dtype(
        name: str, ref: Callable[[np.ndarray], np.ndarray], low: float, high: float,
        dtype: Any) -> None:
    x = rand((3, 5), dtype, low, high)
    out = getattr(dsl, name)(x)
    assert isinstance(out, np.ndarray) and type(out) is np.ndarray
    assert out.dtype == np.dtype(dtype)
    assert out.shape == x.shape
    np.testing.assert_allclose(f64(out), ref(f64(x)), **tol(dtype))


@pytest.mark.parametrize("name", [f[0] for f in FLOAT_FUNCS])
@pytest.mark.parametrize("dtype", INT_DTYPES + [np.bool_], ids=lambda d: np.dtype(d).name)
def test_float_function_rejects_integer_and_bool(name: str, dtype: Any) -> None:
    with pytest.raises(dsl.DTypeError, match=rf"{name}\(\) needs a floating tensor"):
        getattr(dsl, name)(np.ones(3, dtype))


@pytest.mark.parametrize("value", [1.5, 2, [1.0, 2.0], None, "x"])
def test_float_function_rejects_non_tensors(value: Any) -> None:
    with pytest.raises(dsl.DTypeError, match="must be a tensor"):
        dsl.exp(value)


def test_unsupported_dtype_is_a_dtype_error() -> None:
    with pytest.raises(dsl.DTypeError, match="uint8"):
        dsl.exp(np.ones(3, np.uint8))


def test_zero_d_input_gives_zero_d_output() -> None:
    out = dsl.exp(np.asarray(0.0, np.float32))
    assert out.shape == () and out.dtype == np.float32 and float(out) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-30, 30, allow_nan=False), min_size=1, max_size=20))
def test_erf_matches_math_erf(values: list[float]) -> None:
    x = np.asarray(values, np.float64)
    out = dsl.erf(x)
    expected = np.asarray([math.erf(v) for v in values])
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-300)


def test_erf_small_arguments_are_relatively_accurate() -> None:
    x = np.asarray([1e-10, -3e-7, 1e-3, 0.0, 2.5, 2.5000001, 6.0, -40.0])
    np.testing.assert_allclose(dsl.erf(x), [math.erf(v) for v in x], rtol=1e-9)


def test_sigmoid_does_not_overflow() -> None:
    x = np.asarray([-1000.0, -50.0, 0.0, 50.0, 1000.0], np.float32)
    out = dsl.sigmoid(x)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, [0.0, 1.9287499e-22, 0.5, 1.0, 1.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_abs_keeps_dtype(dtype: Any) -> None:
    x = rand((4,), dtype)
    out = dsl.abs(x)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(f64(out), np.abs(f64(x)))


def test_abs_rejects_bool() -> None:
    with pytest.raises(dsl.DTypeError, match="bool"):
        dsl.abs(np.ones(2, np.bool_))


@pytest.mark.parametrize("fn,ref", [(dsl.maximum, np.maximum), (dsl.minimum, np.minimum)])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_maximum_minimum_broadcast_and_keep_dtype(fn: Any, ref: Any, dtype: Any) -> None:
    a, b = rand((2, 3), dtype), rand((3,), dtype)
    out = fn(a, b)
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 3)
    np.testing.assert_array_equal(f64(out), ref(f64(a), f64(b)))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_maximum_with_python_scalar_is_weak(dtype: Any) -> None:
    x = rand((5,), dtype)
    for out in (dsl.maximum(x, 0.0), dsl.maximum(0, x)):
        assert out.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(f64(out), np.maximum(f64(x), 0.0))


def test_maximum_promotes_within_kind() -> None:
    assert dsl.maximum(np.ones(2, np.float16), np.ones(2, np.float32)).dtype == np.float32
    assert dsl.maximum(np.ones(2, ml_dtypes.bfloat16), np.ones(2, np.float16)).dtype == \
        np.float32
    assert dsl.minimum(np.ones(2, np.int32), np.ones(2, np.int64)).dtype == np.int64


@pytest.mark.parametrize("fn", [dsl.maximum, dsl.minimum])
def test_maximum_minimum_reject_int_float_mix(fn: Any) -> None:
    with pytest.raises(dsl.DTypeError, match="cannot mix float32 and int32"):
        fn(np.ones(2, np.float32), np.ones(2, np.int32))
    with pytest.raises(dsl.DTypeError, match="float scalar"):
        fn(np.ones(2, np.int32), 0.5)
    with pytest.raises(dsl.DTypeError, match="two Python scalars"):
        fn(1.0, 2.0)


def test_maximum_broadcast_failure_is_shape_error() -> None:
    with pytest.raises(dsl.ShapeError, match=r"\(2, 3\) and \(4,\) do not broadcast"):
        dsl.maximum(np.ones((2, 3), np.float32), np.ones(4, np.float32))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_where_matches_numpy(dtype: Any) -> None:
    cond = rand((2, 1, 4), np.bool_)
    a, b = rand((3, 4), dtype), rand((4,), dtype)
    out = dsl.where(cond, a, b)
    assert out.dtype == np.dtype(dtype) and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(f64(out), np.where(cond, f64(a), f64(b)))


def test_where_with_scalars() -> None:
    x = rand((4,), ml_dtypes.bfloat16)
    out = dsl.where(x > 0, x, 0.0)
    assert out.dtype == BF16
    np.testing.assert_array_equal(f64(out), np.where(f64(x) > 0, f64(x), 0.0))
    with pytest.raises(dsl.DTypeError, match="at least one tensor"):
        dsl.where(np.ones(2, np.bool_), 1.0, 0.0)


def test_where_errors() -> None:
    f, i = np.ones(3, np.float32), np.ones(3, np.int32)
    with pytest.raises(dsl.DTypeError, match="bool condition"):
        dsl.where(f, f, f)
    with pytest.raises(dsl.DTypeError, match="cannot mix"):
        dsl.where(np.ones(3, np.bool_), f, i)
    with pytest.raises(dsl.ShapeError, match="do not broadcast"):
        dsl.where(np.ones(2, np.bool_), f, f)


@pytest.mark.parametrize("src", FLOAT_DTYPES + INT_DTYPES + [np.bool_],
                         ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("target", ["float16", "bfloat16", "float32", "float64", "int8",
                                    "int32", "int64", "bool"])
def test_astype_all_pairs(src: Any, target: str) -> None:
    x = rand((5,), src, 0, 5)
    dt = getattr(dsl, target)
    out = dsl.astype(x, dt)
    assert out.dtype == dt.numpy
    np.testing.assert_array_equal(out, x.astype(dt.numpy))


def test_astype_copies_and_rejects_non_dtypes() -> None:
    x = np.ones(3, np.float32)
    out = dsl.astype(x, dsl.float32)
    out[0] = 5
    assert x[0] == 1
    with pytest.raises(dsl.DTypeError, match="dtype must be a dsl dtype"):
        dsl.astype(x, np.float64)  # type: ignore[arg-type]
