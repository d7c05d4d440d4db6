"""Reductions: sum, max, min, mean and argmax over `axis` (int, tuple or None = all axes).

Dtypes follow the array API and the static rules: `sum` of an integer or bool tensor is int64,
`mean` needs a floating tensor, `argmax` gives int64; other results keep the input dtype, the
16-bit floats accumulating in float32.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from dsl._core import (NDArray, as_array, cast, compute_dtype, describe, dtype_of, fmt_shape,
                       int_arg, normalize_axis, quiet)
from dsl._eager_array import wrap
from dsl._tensor import Tensor
from typecheck.dtypes import DType
from typecheck.errors import DTypeError, ShapeError

__all__ = ["argmax", "max", "mean", "min", "sum"]

Axis = int | tuple[int, ...] | None


def _axes(op: str, axis: object, rank: int) -> tuple[int, ...]:
    """Normalized axes; `ShapeError` for bad, out-of-range or repeated axes."""
    if axis is None:
        return tuple(range(rank))
    items = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    axes = tuple(normalize_axis(f"{op}()", int_arg(f"{op}()", a, "axis"), rank) for a in items)
    if len(set(axes)) != len(axes):
        raise ShapeError(f"{op}(): repeated axis in {tuple(items)}")
    return axes


def _keepdims(op: str, keepdims: object) -> bool:
    if isinstance(keepdims, (bool, np.bool_)):
        return bool(keepdims)
    raise ShapeError(f"{op}(): 'keepdims' must be a bool, got {describe(keepdims)}")


def _reduce(op: str, x: object, axis: object, keepdims: object,
            fn: Callable[..., Any], out_dtype: Callable[[DType], DType]) -> Tensor[Any, Any]:
    arr = as_array(f"{op}()", x)
    dtype = dtype_of(arr)
    result_dtype = out_dtype(dtype)
    axes = _axes(op, axis, arr.ndim)
    keep = _keepdims(op, keepdims)
    work = arr.astype(compute_dtype(dtype), copy=False) if dtype.kind == "f" else arr
    with quiet():
        out = fn(work, axis=axes, keepdims=keep)
    return wrap(cast(np.asarray(out), result_dtype))


def _same(dtype: DType) -> DType:
    return dtype


def _sum_dtype(dtype: DType) -> DType:
    return dtype if dtype.kind == "f" else DType.int64


def _mean_dtype(dtype: DType) -> DType:
    if dtype.kind != "f":
        raise DTypeError(f"mean() needs a floating tensor, got {dtype} (use dsl.astype)")
    return dtype


def _check_nonempty(op: str, arr: NDArray, axes: tuple[int, ...]) -> None:
    for a in axes:
        if arr.shape[a] == 0:
            raise ShapeError(f"{op}() over axis {a}, which has size 0 "
                             f"(shape {fmt_shape(arr.shape)})")


def sum(x: Tensor[Any, Any], axis: Axis = None, keepdims: bool = False) -> Tensor[Any, Any]:
    """The sum over `axis` (all axes when None); integer and bool tensors sum to int64."""
    return _reduce("sum", x, axis, keepdims, np.sum, _sum_dtype)


def mean(x: Tensor[Any, Any], axis: Axis = None, keepdims: bool = False) -> Tensor[Any, Any]:
    """The arithmetic mean over `axis` of a floating tensor (its dtype is kept)."""
    return _reduce("mean", x, axis, keepdims, np.mean, _mean_dtype)


def _extremum(op: str, x: object, axis: object, keepdims: object,
              fn: Callable[..., Any]) -> Tensor[Any, Any]:
    arr = as_array(f"{op}()", x)
    _check_nonempty(op, arr, _axes(op, axis, arr.ndim))
    return _reduce(op, arr, axis, keepdims, fn, _same)


def max(x: Tensor[Any, Any], axis: Axis = None, keepdims: bool = False) -> Tensor[Any, Any]:
    """The largest element over `axis` (NaN propagates); an empty axis is a `ShapeError`."""
    return _extremum("max", x, axis, keepdims, np.max)


def min(x: Tensor[Any, Any], axis: Axis = None, keepdims: bool = False) -> Tensor[Any, Any]:
    """The smallest element over `axis` (NaN propagates); an empty axis is a `ShapeError`."""
    return _extremum("min", x, axis, keepdims, np.min)


def argmax(x: Tensor[Any, Any], axis: int | None = None,
           keepdims: bool = False) -> Tensor[Any, Any]:
    """The int64 index of the first largest element along `axis`.

    With `axis=None` the index is into the flattened tensor (and `keepdims` keeps every dim
    as size 1).
    """
    arr = as_array("argmax()", x)
    if dtype_of(arr) == DType.bool:
        raise DTypeError("argmax() is not defined on bool tensors")
    if isinstance(axis, (tuple, list)):
        raise ShapeError("argmax(): axis must be an int or None, not a tuple")
    axes = _axes("argmax", axis, arr.ndim)
    keep = _keepdims("argmax", keepdims)
    if axis is None and arr.size == 0:
        raise ShapeError(f"argmax() of an empty tensor (shape {fmt_shape(arr.shape)})")
    _check_nonempty("argmax", arr, axes if axis is not None else ())
    flat_axis = None if axis is None else axes[0]
    out = np.argmax(arr.astype(compute_dtype(dtype_of(arr)), copy=False), axis=flat_axis,
                    keepdims=keep)
    return wrap(np.asarray(out).astype(np.int64, copy=False))
