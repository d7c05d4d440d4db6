"""Linear algebra: `matmul` (the `@` operator) and `matrix_transpose`."""

from __future__ import annotations

from typing import Any

import numpy as np

from dsl._core import as_array, fmt_shape
from dsl._eager_array import wrap
from dsl._operators import matmul_arrays
from dsl._tensor import Tensor
from typecheck.errors import ShapeError

__all__ = ["matmul", "matrix_transpose"]


def matmul(x1: Tensor[Any, Any], x2: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The matrix product `x1 @ x2`, with the array API's rules.

    A 1-D first operand is a row vector and a 1-D second operand a column vector (the added
    dim is removed again); leading batch dims broadcast. The inner dims must agree, the dtypes
    promote within one kind, and the 16-bit floats accumulate in float32.
    """
    return wrap(matmul_arrays(x1, x2))


def matrix_transpose(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """Swap the last two dims of a tensor of rank 2 or more (batch dims are kept)."""
    arr = as_array("matrix_transpose()", x)
    if arr.ndim < 2:
        raise ShapeError(f"matrix_transpose() needs rank >= 2, got shape {fmt_shape(arr.shape)}")
    return wrap(np.swapaxes(arr, -1, -2))
