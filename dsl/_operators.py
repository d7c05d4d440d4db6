"""The language's operator semantics on plain numpy arrays.

Shared by the operator overloads of `EagerArray` (`x + y` inside an eager kernel) and by the
functions that behave like operators (`dsl.maximum`, `dsl.where`, `dsl.matmul`). Rules, as in
`typecheck.rules`: Python scalars are weakly typed; tensors of different kinds do not mix;
`/` needs floats; arithmetic is not defined on bool; `& |` need bool or integer tensors.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from dsl._core import (NDArray, as_array, broadcast, cast, compute_dtype, dtype_of, fmt_shape,
                       quiet, scalar_array, scalar_kind)
from typecheck.dtypes import DType, promote
from typecheck.errors import DTypeError, ShapeError
from typecheck.rules.elementwise import COMPARE, LOGICAL, check_operator_kind


SYMBOL = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%",
          "pow": "**", "matmul": "@", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
          "eq": "==", "ne": "!=", "and": "&", "or": "|", "neg": "unary -", "pos": "unary +",
          "invert": "~"}

_UFUNCS: dict[str, Callable[..., NDArray]] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "lt": np.less,
    "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal, "eq": np.equal,
    "ne": np.not_equal, "and": np.bitwise_and, "or": np.bitwise_or, "maximum": np.maximum,
    "minimum": np.minimum, "neg": np.negative, "pos": np.positive, "invert": np.invert,
    "abs": np.absolute,
}


def label(op: str) -> str:
    """How an op is named in messages: "`+`" for operators, "maximum()" for functions."""
    sym = SYMBOL.get(op)
    return f"`{sym}`" if sym is not None else f"{op}()"


def operands(op: str, a: object, b: object) -> tuple[NDArray, NDArray, DType]:
    """Two operands (tensors or weak Python scalars) as arrays of their common dtype."""
    where = label(op)
    a_kind, b_kind = scalar_kind(a), scalar_kind(b)
    if a_kind is not None and b_kind is not None:
        raise DTypeError(f"{where} needs at least one tensor operand, got two Python scalars")
    if a_kind is None and b_kind is None:
        x, y = as_array(where, a, "operand 1"), as_array(where, b, "operand 2")
        dx, dy = dtype_of(x), dtype_of(y)
        try:
            dtype = dx if dx is dy else promote(dx, dy)
        except DTypeError as exc:
            raise DTypeError(f"{where}: {exc}") from None
        if x.shape != y.shape:
            broadcast(where, x.shape, y.shape)
        return cast(x, dtype), cast(y, dtype), dtype
    if a_kind is None:
        x = as_array(where, a, "operand 1")
        assert isinstance(b, (int, float, bool))
        return x, scalar_array(where, b, dtype_of(x)), dtype_of(x)
    y = as_array(where, b, "operand 2")
    assert isinstance(a, (int, float, bool))
    return scalar_array(where, a, dtype_of(y)), y, dtype_of(y)


def binary(op: str, a: object, b: object) -> NDArray:
    """`a <op> b` with broadcasting; comparisons give bool tensors."""
    x, y, dtype = operands(op, a, b)
    check_operator_kind(op, dtype)
    ufunc = _UFUNCS[op]
    if op in COMPARE or op in LOGICAL:
        with quiet():
            return np.asarray(ufunc(x, y))
    work = compute_dtype(dtype)
    if work != x.dtype:
        x, y = x.astype(work), y.astype(work)
    with quiet():
        out = ufunc(x, y)
    return cast(np.asarray(out), dtype)


def unary(op: str, a: object) -> NDArray:
    """`-x`, `+x`, `~x` and `abs(x)` on a tensor."""
    x = as_array(label(op), a)
    dtype = dtype_of(x)
    if op in ("neg", "abs") and dtype.kind == "b":
        raise DTypeError(f"{label(op)} is not defined on bool tensors")
    if op == "invert" and dtype.kind == "f":
        raise DTypeError(f"`~` needs a bool (or integer) tensor, got {dtype}")
    with quiet():
        return np.asarray(_UFUNCS[op](x))


def matmul_arrays(a: object, b: object) -> NDArray:
    """`a @ b` with array-API rules: 1-D promotion, broadcast batch dims."""
    x, y = as_array("`@`", a, "operand 1"), as_array("`@`", b, "operand 2")
    try:
        dtype = promote(dtype_of(x), dtype_of(y))
    except DTypeError as exc:
        raise DTypeError(f"`@`: {exc}") from None
    if dtype.kind == "b":
        raise DTypeError("`@` is not defined on bool tensors")
    _check_matmul_shapes(x.shape, y.shape)
    work = compute_dtype(dtype)
    with quiet():
        out = np.matmul(x.astype(work, copy=False), y.astype(work, copy=False))
    return cast(np.asarray(out), dtype)


def _check_matmul_shapes(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    where = f"`@` of {fmt_shape(a)} and {fmt_shape(b)}"
    if not a or not b:
        raise ShapeError(f"{where}: matmul needs tensors of rank 1 or more, got a 0-d tensor")
    ka = a[-1]
    kb = b[0] if len(b) == 1 else b[-2]
    if ka != kb:
        raise ShapeError(f"{where}: contraction dims differ: {ka} vs {kb}")
    if len(a) > 2 or len(b) > 2:
        try:
            np.broadcast_shapes(a[:-2], b[:-2])
        except ValueError:
            raise ShapeError(f"{where}: batch dims {fmt_shape(a[:-2])} and "
                             f"{fmt_shape(b[:-2])} do not broadcast") from None
