"""Creation functions and dtype objects."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np
import pytest

import dsl

DTYPE_NAMES = ["float16", "bfloat16", "float32", "float64", "int8", "int32", "int64", "bool"]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_objects(name: str) -> None:
    dt = getattr(dsl, name)
    assert isinstance(dt, dsl.DTypeObject)
    assert dt.name == name and str(dt) == name and repr(dt) == f"dsl.{name}"
    assert dt.numpy == np.dtype(ml_dtypes.bfloat16 if name == "bfloat16" else name)
    assert np.dtype(dt) == dt.numpy
    assert np.zeros(1, dt.numpy).dtype == dt


def test_dtype_object_types_are_the_checker_dtypes() -> None:
    from typecheck.dtypes import DType
    assert dsl.float32.type is DType.float32
    assert dsl.bool.type is DType.bool


def test_jaxtyping_classes_are_reexported() -> None:
    import jaxtyping
    for name in ["Float16", "BFloat16", "Float32", "Float64", "Int8", "Int32", "Int64", "Bool"]:
        assert getattr(dsl, name) is getattr(jaxtyping, name)


@pytest.mark.parametrize("fn,value", [(dsl.zeros, 0), (dsl.ones, 1)])
def test_zeros_ones(fn: Any, value: int) -> None:
    out = fn((2, 3))
    assert out.dtype == np.float32 and out.shape == (2, 3) and np.all(out == value)
    assert fn(4, dsl.int8).dtype == np.int8
    assert fn((), dsl.bfloat16).dtype == np.dtype(ml_dtypes.bfloat16)
    assert fn((0, 2)).shape == (0, 2)


def test_creation_errors() -> None:
    with pytest.raises(dsl.ShapeError, match="negative dim"):
        dsl.zeros((2, -1))
    with pytest.raises(dsl.ShapeError, match="must be an int"):
        dsl.ones((2.5,))  # type: ignore[arg-type]
    with pytest.raises(dsl.DTypeError, match="dsl dtype"):
        dsl.zeros((2,), "float32")  # type: ignore[arg-type]


def test_full() -> None:
    out = dsl.full((2, 2), 1.5)
    assert out.dtype == np.float32 and np.all(out == 1.5)
    assert dsl.full(3, 7).dtype == np.int64
    assert dsl.full(3, True).dtype == np.bool_
    assert dsl.full(3, 2, dsl.bfloat16).dtype == np.dtype(ml_dtypes.bfloat16)
    with pytest.raises(dsl.DTypeError, match="float scalar"):
        dsl.full(3, 1.5, dsl.int32)
    with pytest.raises(dsl.DTypeError, match="does not fit int8"):
        dsl.full(3, 300, dsl.int8)
    with pytest.raises(dsl.DTypeError, match="fill_value"):
        dsl.full(3, np.ones(2))  # type: ignore[arg-type]


def test_zeros_like() -> None:
    x = np.ones((2, 3), ml_dtypes.bfloat16)
    out = dsl.zeros_like(x)
    assert out.shape == (2, 3) and out.dtype == x.dtype and not np.any(out)
    assert dsl.zeros_like(x, dsl.int32).dtype == np.int32
    with pytest.raises(dsl.DTypeError, match="must be a tensor"):
        dsl.zeros_like([1, 2])  # type: ignore[arg-type]


def test_arange() -> None:
    out = dsl.arange(5)
    assert out.dtype == np.int64 and out.tolist() == [0, 1, 2, 3, 4]
    assert dsl.arange(3, dsl.float32).dtype == np.float32
    assert dsl.arange(0).shape == (0,) and dsl.arange(-2).shape == (0,)
    with pytest.raises(dsl.DTypeError, match="must be an int"):
        dsl.arange(2.5)  # type: ignore[arg-type]
