"""Creation functions: zeros, ones, full, zeros_like and arange."""

from __future__ import annotations

from typing import Any

import numpy as np

from dsl._core import as_array, describe, int_arg, scalar_array, scalar_kind, shape_arg
from dsl._dtypes import DTypeObject, as_dtype_object, numpy_dtype
from dsl._eager_array import wrap
from dsl._tensor import Tensor
from typecheck.dtypes import DType, scalar_default_dtype
from typecheck.errors import DTypeError

__all__ = ["arange", "full", "ones", "zeros", "zeros_like"]


def _dtype(op: str, dtype: object, default: DType) -> DType:
    return default if dtype is None else as_dtype_object(op, dtype).type


def zeros(shape: int | tuple[int, ...], dtype: DTypeObject | None = None) -> Tensor[Any, Any]:
    """A new tensor of `shape` filled with 0 (`dtype` defaults to float32)."""
    dims = shape_arg("zeros()", shape)
    return wrap(np.zeros(dims, dtype=numpy_dtype(_dtype("zeros", dtype, DType.float32))))


def ones(shape: int | tuple[int, ...], dtype: DTypeObject | None = None) -> Tensor[Any, Any]:
    """A new tensor of `shape` filled with 1 (`dtype` defaults to float32)."""
    dims = shape_arg("ones()", shape)
    return wrap(np.ones(dims, dtype=numpy_dtype(_dtype("ones", dtype, DType.float32))))


def full(shape: int | tuple[int, ...], fill_value: int | float | bool,
         dtype: DTypeObject | None = None) -> Tensor[Any, Any]:
    """A new tensor of `shape` filled with `fill_value`.

    Without `dtype` the value's kind decides: bool, int64 for an int, float32 for a float. A
    float value with an integer dtype (or an int with bool) is a `DTypeError`.
    """
    dims = shape_arg("full()", shape)
    kind = scalar_kind(fill_value)
    if kind is None:
        raise DTypeError(f"full(): fill_value must be a Python int, float or bool, "
                         f"got {describe(fill_value)}")
    target = _dtype("full", dtype, scalar_default_dtype(kind))
    value = scalar_array("full()", fill_value, target)
    return wrap(np.full(dims, value, dtype=numpy_dtype(target)))


def zeros_like(x: Tensor[Any, Any], dtype: DTypeObject | None = None) -> Tensor[Any, Any]:
    """A new tensor of zeros with x's shape and (unless given) x's dtype."""
    arr = as_array("zeros_like()", x)
    if dtype is None:
        return wrap(np.zeros_like(arr))
    return wrap(np.zeros(arr.shape, dtype=as_dtype_object("zeros_like", dtype).numpy))


def arange(stop: int, dtype: DTypeObject | None = None) -> Tensor[Any, Any]:
    """The 1-D tensor `0, 1, ..., stop-1` (empty when `stop <= 0`; `dtype` defaults to int64)."""
    if isinstance(stop, float):
        raise DTypeError(f"arange(): stop must be an int, got {describe(stop)}")
    n = max(int_arg("arange()", stop, "stop"), 0)
    return wrap(np.arange(n).astype(numpy_dtype(_dtype("arange", dtype, DType.int64))))
