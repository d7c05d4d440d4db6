"""Rules for sum, max, min, mean and argmax (`axis`, `keepdims`)."""

from __future__ import annotations

from typing import Callable

from typecheck.dims import Dim
from typecheck.dtypes import DType
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import ONE, SDim, Shape
from typecheck.values import NoneV, ScalarV, TensorV, TupleV, UnknownV, Value
from typecheck.rules._common import (Args, Kwargs, arg, axes_arg, axis_position, bool_arg,
                                     literal_int, tensor_arg)


def _result_dtype(op: str, dtype: DType | None) -> DType | None:
    if dtype is None:
        return DType.int64 if op == "argmax" else None
    if op == "argmax":
        if dtype.kind == "b":
            raise DTypeError("argmax() is not defined on bool tensors")
        return DType.int64
    if op == "mean" and dtype.kind != "f":
        raise DTypeError(f"mean() needs a floating tensor, got {dtype} (use dsl.astype)")
    if op == "sum" and dtype.kind != "f":
        return DType.int64
    return dtype


def _reduce_fixed(op: str, dims: tuple[SDim, ...], axes: list[int], keepdims: bool) -> Shape:
    if op in ("max", "min", "argmax"):
        for a in axes:
            if dims[a] is not None and getattr(dims[a], "const_value", None) == 0:
                raise ShapeError(f"{op}() over axis {a}, which has size 0")
    out: list[SDim] = []
    for i, d in enumerate(dims):
        if i in axes:
            if keepdims:
                out.append(ONE)
        else:
            out.append(d)
    return Shape(tuple(out))


ZERO = Dim.const(0)


def _reduce_variadic(op: str, shape: Shape, axis: Value, keepdims: bool) -> Shape:
    """Reduce a shape with a variadic segment: only axes that land in its known ends."""
    items = list(axis.items) if isinstance(axis, TupleV) else [axis]
    if isinstance(axis, NoneV):
        return Shape(()) if not keepdims else Shape.unknown()
    pre, suf = list(shape.prefix), list(shape.suffix)
    drop_p: set[int] = set()
    drop_s: set[int] = set()
    for item in items:
        a = literal_int(op, item, "axis")
        pos = None if a is None else axis_position(shape, a)
        if pos is None:
            return Shape.unknown()
        (drop_p if pos[0] == "p" else drop_s).add(pos[1])
    reduced = [pre[i] for i in drop_p] + [suf[j] for j in drop_s]
    if op in ("max", "min", "argmax") and any(d == ZERO for d in reduced):
        raise ShapeError(f"{op}() over an axis of size 0 of ({shape})")
    new_p = [ONE if i in drop_p else d for i, d in enumerate(pre) if keepdims or i not in drop_p]
    new_s = [ONE if i in drop_s else d for i, d in enumerate(suf) if keepdims or i not in drop_s]
    return Shape(tuple(new_p), shape.var, tuple(new_s))


def reduction(op: str, args: Args, kwargs: Kwargs) -> Value:
    """A reduction: `axis` int, tuple or None (all); `keepdims` keeps size-1 dims."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    axis = arg(op, args, kwargs, 1, "axis", NoneV())
    keep = bool_arg(op, arg(op, args, kwargs, 2, "keepdims", ScalarV("bool", ONE * 0)),
                    "keepdims")
    if t is None:
        return UnknownV()
    dtype = _result_dtype(op, t.dtype)
    if keep is None:
        return TensorV(dtype, Shape.unknown())
    if t.shape.var is not None:
        if op == "argmax" and isinstance(axis, TupleV):
            raise ShapeError("argmax(): axis must be an int or None, not a tuple")
        return TensorV(dtype, _reduce_variadic(op, t.shape, axis, keep))
    rank = len(t.shape.prefix)
    axes = axes_arg(op, axis, rank, allow_tuple=op != "argmax", shape=t.shape)
    if axes is None:
        return TensorV(dtype, Shape.unknown() if not keep else Shape((None,) * rank))
    if op == "argmax" and isinstance(axis, NoneV):
        if rank and any(d is not None and getattr(d, "const_value", None) == 0
                        for d in t.shape.prefix):
            raise ShapeError("argmax() of an empty tensor")
        return TensorV(dtype, Shape((ONE,) * rank if keep else ()))
    return TensorV(dtype, _reduce_fixed(op, t.shape.prefix, axes, keep))


def rules() -> dict[str, Callable[[Args, Kwargs], Value]]:
    """The reduction rules by op name."""
    def bind(op: str) -> Callable[[Args, Kwargs], Value]:
        return lambda args, kwargs: reduction(op, args, kwargs)
    return {op: bind(op) for op in ("sum", "max", "min", "mean", "argmax")}

