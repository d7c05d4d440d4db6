"""Reductions against numpy: axes (negative, tuples, None), keepdims, dtypes, errors."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dsl
from eager_helpers import FLOAT_DTYPES, INT_DTYPES, f64, rand, tol

AXES: list[Any] = [None, 0, 1, -1, -3, (0, 2), (-1, 0), (), (0, 1, 2)]


@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name", ["sum", "max", "min", "mean"])
def test_reduction_matches_numpy_float32(name: str, axis: Any, keepdims: bool) -> None:
    x = rand((2, 3, 4), np.float32)
    out = getattr(dsl, name)(x, axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(f64(x), axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ["sum", "max", "min", "mean"])
def test_float_reductions_keep_dtype(name: str, dtype: Any) -> None:
    x = rand((3, 8), dtype)
    out = getattr(dsl, name)(x, axis=-1)
    assert out.dtype == np.dtype(dtype) and type(out) is np.ndarray
    expected = getattr(np, name)(f64(x), axis=-1)
    np.testing.assert_allclose(f64(out), expected, **tol(dtype))


def test_mean_float32_does_not_upcast() -> None:
    out = dsl.mean(np.ones((4, 4), np.float32))
    assert out.dtype == np.float32 and out.shape == () and isinstance(out, np.ndarray)


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.bool_], ids=lambda d: np.dtype(d).name)
def test_sum_of_integers_and_bools_is_int64(dtype: Any) -> None:
    x = rand((3, 4), dtype)
    out = dsl.sum(x, axis=0)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, np.sum(x.astype(np.int64), axis=0))


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.bool_], ids=lambda d: np.dtype(d).name)
def test_max_min_keep_integer_and_bool_dtypes(dtype: Any) -> None:
    x = rand((3, 4), dtype)
    assert dsl.max(x, axis=1).dtype == np.dtype(dtype)
    np.testing.assert_array_equal(dsl.min(x, axis=1), np.min(x, axis=1))


@pytest.mark.parametrize("dtype", INT_DTYPES + [np.bool_], ids=lambda d: np.dtype(d).name)
def test_mean_needs_float(dtype: Any) -> None:
    with pytest.raises(dsl.DTypeError, match="mean\\(\\) needs a floating tensor"):
        dsl.mean(np.ones(3, dtype))


@pytest.mark.parametrize("axis", [None, 0, 1, -1, -2])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, ml_dtypes.bfloat16, np.int32],
                         ids=lambda d: np.dtype(d).name)
def test_argmax_matches_numpy(axis: Any, keepdims: bool, dtype: Any) -> None:
    x = rand((3, 5), dtype, -50, 50)
    out = dsl.argmax(x, axis=axis, keepdims=keepdims)
    expected = np.argmax(f64(x), axis=axis, keepdims=keepdims)
    assert out.dtype == np.int64 and out.shape == expected.shape
    np.testing.assert_array_equal(out, expected)


def test_argmax_errors() -> None:
    with pytest.raises(dsl.DTypeError, match="bool"):
        dsl.argmax(np.ones(3, np.bool_))
    with pytest.raises(dsl.ShapeError, match="not a tuple"):
        dsl.argmax(np.ones((2, 2), np.float32), axis=(0, 1))  # type: ignore[arg-type]
    with pytest.raises(dsl.ShapeError, match="empty"):
        dsl.argmax(np.ones((0, 2), np.float32))
    assert dsl.argmax(np.ones((3, 0), np.float32), axis=0).shape == (0,)


@pytest.mark.parametrize("name", ["sum", "max", "min", "mean", "argmax"])
def test_axis_out_of_range(name: str) -> None:
    x = np.ones((2, 3), np.float32)
    with pytest.raises(dsl.ShapeError, match="axis 2 is out of range for a tensor of rank 2"):
        getattr(dsl, name)(x, axis=2)
    with pytest.raises(dsl.ShapeError, match="axis -3 is out of range"):
        getattr(dsl, name)(x, axis=-3)


def test_bad_axis_arguments() -> None:
    x = np.ones((2, 3), np.float32)
    with pytest.raises(dsl.ShapeError, match="repeated axis"):
        dsl.sum(x, axis=(0, -2))
    with pytest.raises(dsl.ShapeError, match="'axis' must be an int"):
        dsl.sum(x, axis=1.0)  # type: ignore[arg-type]
    with pytest.raises(dsl.ShapeError, match="'keepdims' must be a bool"):
        dsl.sum(x, axis=0, keepdims=1)  # type: ignore[arg-type]


def test_max_of_empty_axis_is_shape_error() -> None:
    with pytest.raises(dsl.ShapeError, match="size 0"):
        dsl.max(np.ones((0, 3), np.float32), axis=0)
    assert dsl.sum(np.ones((0, 3), np.float32), axis=0).tolist() == [0, 0, 0]


def test_reductions_reject_non_tensors() -> None:
    with pytest.raises(dsl.DTypeError, match="must be a tensor"):
        dsl.sum([1.0, 2.0])  # type: ignore[arg-type]


@st.composite
def _array_and_axis(draw: st.DrawFn) -> tuple[np.ndarray, Any, bool]:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-100, 100)))
    axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), max_size=len(shape),
                         unique_by=lambda a: a % len(shape)))
    axis: Any = draw(st.sampled_from([None, tuple(axes), axes[0] if axes else None]))
    return x, axis, draw(st.booleans())


@settings(max_examples=80, deadline=None)
@given(_array_and_axis(), st.sampled_from(["sum", "max", "min", "mean"]))
def test_reductions_agree_with_numpy(case: tuple[np.ndarray, Any, bool], name: str) -> None:
    x, axis, keepdims = case
    out = getattr(dsl, name)(x, axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-9)
