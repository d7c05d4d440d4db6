"""Elementwise functions: abs, exp, log, sqrt, sin, cos, tanh, sigmoid, rsqrt, erf, maximum,
minimum, where and astype.

Results keep the input dtype: the 16-bit floats are computed in float32 and rounded back, the
way accelerators do it. The transcendental functions need floating tensors (`dsl.astype` an
integer tensor first).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from dsl._core import NDArray, as_array, broadcast, cast, compute_dtype, dtype_of, quiet
from dsl._dtypes import DTypeObject, as_dtype_object
from dsl._eager_array import wrap
from dsl._operators import binary, operands, unary
from dsl._tensor import Tensor
from typecheck.dtypes import DType
from typecheck.errors import DTypeError

__all__ = ["abs", "astype", "cos", "erf", "exp", "log", "maximum", "minimum", "rsqrt",
           "sigmoid", "sin", "sqrt", "tanh", "where"]

Scalar = int | float | bool


def _float_op(op: str, x: object, fn: Callable[[NDArray], NDArray]) -> Tensor[Any, Any]:
    """Apply `fn` to a floating tensor in its compute dtype; the result keeps x's dtype."""
    arr = as_array(f"{op}()", x)
    dtype = dtype_of(arr)
    if dtype.kind != "f":
        raise DTypeError(f"{op}() needs a floating tensor, got {dtype} (use dsl.astype)")
    with quiet():
        out = fn(arr.astype(compute_dtype(dtype), copy=False))
    return wrap(cast(np.asarray(out), dtype))


def abs(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The absolute value of each element (integer or floating tensors)."""
    return wrap(unary("abs", x))


def exp(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """`e ** x` for each element of a floating tensor."""
    return _float_op("exp", x, np.exp)


def log(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The natural logarithm of each element (`-inf` at 0, `nan` below)."""
    return _float_op("log", x, np.log)


def sqrt(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The square root of each element (`nan` for negative elements)."""
    return _float_op("sqrt", x, np.sqrt)


def sin(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The sine of each element (radians)."""
    return _float_op("sin", x, np.sin)


def cos(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The cosine of each element (radians)."""
    return _float_op("cos", x, np.cos)


def tanh(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The hyperbolic tangent of each element."""
    return _float_op("tanh", x, np.tanh)


def _sigmoid(a: NDArray) -> NDArray:
    # exp(-|x|) never overflows; each branch then divides without cancellation.
    e = np.exp(-np.abs(a))
    return np.asarray(np.where(a >= 0, 1 / (1 + e), e / (1 + e)))


def sigmoid(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The logistic function `1 / (1 + exp(-x))`, computed without overflow."""
    return _float_op("sigmoid", x, _sigmoid)


def rsqrt(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The reciprocal square root `1 / sqrt(x)` of each element."""
    return _float_op("rsqrt", x, lambda a: np.asarray(1 / np.sqrt(a)))


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_SERIES_LIMIT = 2.5
_SERIES_TERMS = 40
_FRACTION_DEPTH = 80


def _erf64(a: NDArray) -> NDArray:
    """erf in float64: the Maclaurin series near 0, erfc's continued fraction in the tails."""
    x = a.astype(np.float64)
    small = np.abs(x) <= _SERIES_LIMIT
    out = np.empty_like(x)
    out[small] = _erf_series(x[small])
    big = x[~small]
    out[~small] = np.sign(big) * (1 - _erfc_fraction(np.abs(big)))
    return out


def _erf_series(x: NDArray) -> NDArray:
    # erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    x2 = x * x
    term = x.copy()
    total = x.copy()
    for n in range(1, _SERIES_TERMS):
        term = term * (-x2) / n
        total = total + term / (2 * n + 1)
    return np.asarray(_TWO_OVER_SQRT_PI * total)


def _erfc_fraction(x: NDArray) -> NDArray:
    # erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), x > 0,
    # evaluated from a fixed depth backwards.
    tail = x.copy()
    for k in range(_FRACTION_DEPTH, 0, -1):
        tail = x + (k / 2) / tail
    return np.asarray(np.exp(-x * x) / (math.sqrt(math.pi) * tail))


def erf(x: Tensor[Any, Any]) -> Tensor[Any, Any]:
    """The Gauss error function of each element (computed in float64, then rounded)."""
    return _float_op("erf", x, _erf64)


def maximum(x1: Tensor[Any, Any] | Scalar, x2: Tensor[Any, Any] | Scalar) -> Tensor[Any, Any]:
    """The larger of each pair of elements, with broadcasting (NaN propagates).

    Either argument may be a Python scalar, which takes the tensor's dtype; tensors of
    different kinds (int and float) do not mix.
    """
    return wrap(binary("maximum", x1, x2))


def minimum(x1: Tensor[Any, Any] | Scalar, x2: Tensor[Any, Any] | Scalar) -> Tensor[Any, Any]:
    """The smaller of each pair of elements, with broadcasting (NaN propagates).

    Either argument may be a Python scalar, which takes the tensor's dtype; tensors of
    different kinds (int and float) do not mix.
    """
    return wrap(binary("minimum", x1, x2))


def where(condition: Tensor[Any, Any], x1: Tensor[Any, Any] | Scalar,
          x2: Tensor[Any, Any] | Scalar) -> Tensor[Any, Any]:
    """`x1` where `condition` (a bool tensor) is true, else `x2`; all three broadcast.

    At least one of `x1`, `x2` is a tensor; a Python scalar takes the other's dtype.
    """
    cond = as_array("where()", condition, "condition")
    if dtype_of(cond) != DType.bool:
        raise DTypeError(f"where() needs a bool condition, got {dtype_of(cond)}")
    a, b, _ = operands("where", x1, x2)
    broadcast("where()", cond.shape, a.shape, b.shape)
    return wrap(np.asarray(np.where(cond, a, b)))


def astype(x: Tensor[Any, Any], dtype: DTypeObject) -> Tensor[Any, Any]:
    """`x` converted to `dtype` (a copy; floats to ints truncate toward zero)."""
    arr = as_array("astype()", x)
    target = as_dtype_object("astype", dtype)
    with quiet():
        return wrap(arr.astype(target.numpy))
