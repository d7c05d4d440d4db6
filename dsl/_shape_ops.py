"""Shape manipulation: reshape, permute_dims, expand_dims, squeeze, broadcast_to, concat, stack.

reshape, permute_dims, expand_dims and squeeze return views where numpy can, as the array API
allows; broadcast_to, concat and stack return new arrays.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from dsl._core import (NDArray, as_array, cast, describe, dtype_of, fmt_shape, int_arg,
                       normalize_axis, shape_arg)
from dsl._eager_array import wrap
from dsl._tensor import Tensor
from typecheck.dtypes import DType, promote
from typecheck.errors import DTypeError, ShapeError

__all__ = ["broadcast_to", "concat", "expand_dims", "permute_dims", "reshape", "squeeze",
           "stack"]


def reshape(x: Tensor[Any, Any], shape: int | tuple[int, ...]) -> Tensor[Any, Any]:
    """`x` with a new shape of the same element count; one dim may be -1 (inferred)."""
    arr = as_array("reshape()", x)
    dims = shape_arg("reshape()", shape, allow_minus_one=True)
    if dims.count(-1) > 1:
        raise ShapeError(f"reshape(): at most one dim may be -1, got {fmt_shape(dims)}")
    total = arr.size
    known = math.prod(d for d in dims if d != -1)
    where = f"reshape() from {fmt_shape(arr.shape)} to {fmt_shape(dims)}"
    if -1 in dims:
        if known == 0 or total % known:
            raise ShapeError(f"{where}: {total} elements do not divide into the known dims "
                             f"(product {known})")
        dims = tuple(total // known if d == -1 else d for d in dims)
    elif known != total:
        raise ShapeError(f"{where} changes the element count: {total} vs {known}")
    return wrap(arr.reshape(dims))


def permute_dims(x: Tensor[Any, Any], axes: tuple[int, ...]) -> Tensor[Any, Any]:
    """`x` with its dims reordered: result dim `i` is input dim `axes[i]`."""
    arr = as_array("permute_dims()", x)
    raw = list(axes) if isinstance(axes, (tuple, list)) else [axes]
    norm = [normalize_axis("permute_dims()", int_arg("permute_dims()", a, "axes"), arr.ndim)
            for a in raw]
    if sorted(norm) != list(range(arr.ndim)):
        raise ShapeError(f"permute_dims(): axes {tuple(raw)} are not a permutation of the "
                         f"{arr.ndim} dims of {fmt_shape(arr.shape)}")
    return wrap(np.transpose(arr, norm))


def expand_dims(x: Tensor[Any, Any], axis: int = 0) -> Tensor[Any, Any]:
    """`x` with a new dim of size 1 at `axis` (in `[-rank-1, rank]`)."""
    arr = as_array("expand_dims()", x)
    a = normalize_axis("expand_dims()", int_arg("expand_dims()", axis, "axis"), arr.ndim + 1)
    return wrap(np.expand_dims(arr, a))


def squeeze(x: Tensor[Any, Any], axis: int | tuple[int, ...]) -> Tensor[Any, Any]:
    """`x` without the dims at `axis`, each of which must have size 1."""
    arr = as_array("squeeze()", x)
    raw = list(axis) if isinstance(axis, (tuple, list)) else [axis]
    norm = [normalize_axis("squeeze()", int_arg("squeeze()", a, "axis"), arr.ndim)
            for a in raw]
    if len(set(norm)) != len(norm):
        raise ShapeError(f"squeeze(): repeated axis in {tuple(raw)}")
    for a in sorted(norm):
        if arr.shape[a] != 1:
            raise ShapeError(f"squeeze(): dim {a} of {fmt_shape(arr.shape)} is "
                             f"{arr.shape[a]}, not 1")
    return wrap(np.squeeze(arr, axis=tuple(norm)))


def broadcast_to(x: Tensor[Any, Any], shape: tuple[int, ...]) -> Tensor[Any, Any]:
    """`x` broadcast to `shape` (a new array): each dim of x is 1 or the target's."""
    arr = as_array("broadcast_to()", x)
    dims = shape_arg("broadcast_to()", shape)
    where = f"broadcast_to(): {fmt_shape(arr.shape)} does not broadcast to {fmt_shape(dims)}"
    if arr.ndim > len(dims):
        raise ShapeError(f"{where}: it has more dims")
    for i, (s, d) in enumerate(zip(arr.shape, dims[len(dims) - arr.ndim:])):
        if s != 1 and s != d:
            raise ShapeError(f"{where}: dim {i} is {s}, target {d}")
    return wrap(np.broadcast_to(arr, dims).copy())


def _tensor_list(op: str, arrays: object) -> tuple[list[NDArray], DType]:
    """The tensors of a list/tuple argument, cast to their common dtype."""
    if not isinstance(arrays, (list, tuple)):
        raise DTypeError(f"{op}: takes a list or tuple of tensors, got {describe(arrays)}")
    if not arrays:
        raise ShapeError(f"{op}: needs at least one tensor")
    out = [as_array(op, a, f"element {i}") for i, a in enumerate(arrays)]
    dtype = dtype_of(out[0])
    try:
        for a in out[1:]:
            dtype = promote(dtype, dtype_of(a))
    except DTypeError as exc:
        raise DTypeError(f"{op}: {exc}") from None
    return [cast(a, dtype) for a in out], dtype


def concat(arrays: Sequence[Tensor[Any, Any]], axis: int | None = 0) -> Tensor[Any, Any]:
    """Join tensors along an existing `axis` (None: flatten each first).

    The tensors have the same rank and equal dims except along `axis`; dtypes promote within
    one kind.
    """
    ts, _ = _tensor_list("concat()", arrays)
    if axis is None:
        return wrap(np.concatenate([t.reshape(-1) for t in ts]))
    first = ts[0]
    if first.ndim == 0:
        raise ShapeError("concat(): cannot join 0-d tensors")
    ax = normalize_axis("concat()", int_arg("concat()", axis, "axis"), first.ndim)
    for i, t in enumerate(ts[1:], 1):
        if t.ndim != first.ndim or any(p != q for j, (p, q) in
                                       enumerate(zip(first.shape, t.shape)) if j != ax):
            raise ShapeError(f"concat() along axis {axis}: tensor {i} has shape "
                             f"{fmt_shape(t.shape)} but tensor 0 has {fmt_shape(first.shape)}")
    return wrap(np.concatenate(ts, axis=ax))


def stack(arrays: Sequence[Tensor[Any, Any]], axis: int = 0) -> Tensor[Any, Any]:
    """Join tensors of equal shape along a new dim at `axis` (size `len(arrays)`)."""
    ts, _ = _tensor_list("stack()", arrays)
    first = ts[0]
    for i, t in enumerate(ts[1:], 1):
        if t.shape != first.shape:
            raise ShapeError(f"stack(): tensor {i} has shape {fmt_shape(t.shape)} but tensor 0 "
                             f"has {fmt_shape(first.shape)}")
    ax = normalize_axis("stack()", int_arg("stack()", axis, "axis"), first.ndim + 1)
    return wrap(np.stack(ts, axis=ax))
