"""Rules for `x[idx]` and `x[idx] = value` (ints, slices, `None`, `...`)."""

from __future__ import annotations

from typing import Callable

from typecheck.dims import Dim
from typecheck.dtypes import promote, promote_scalar
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import ONE, SDim, Shape, broadcast_shapes, shapes_agree
from typecheck.values import (EllipsisV, NoneV, ScalarV, SliceV, TensorV, TupleV, UnknownV,
                              Value)
from typecheck.rules._common import Args, Kwargs, arg, plain, tensor_arg

# What an index item does to the dims: consume one dim (int, slice, tensor) or not.
_CONSUMES = (ScalarV, SliceV, TensorV, UnknownV)


def _items(idx: Value) -> list[Value]:
    return list(idx.items) if isinstance(idx, TupleV) else [idx]


def _slice_dim(d: SDim, s: SliceV) -> SDim:
    """The length of `d[lo:hi:step]`; symbolic when the bounds are (`x[p:p+4]` is 4)."""
    base = plain(d)
    vals = [_bound(v) for v in (s.lo, s.hi, s.step)]
    if any(v is False for v in vals):
        return None
    lo, hi, step = (v if isinstance(v, Dim) else None for v in vals)
    concrete = base.const_value if isinstance(base, Dim) else None
    ints = [x.const_value if x is not None else None for x in (lo, hi, step)]
    if concrete is not None and all(x is not None or v is None
                                    for x, v in zip(ints, (lo, hi, step))):
        if ints[2] == 0:
            raise ShapeError("slice step cannot be zero")
        return Dim.const(len(range(*slice(*ints).indices(concrete))))
    if step is not None and (step.const_value is None or step.const_value < 1):
        return None
    start = _resolve(lo, base, Dim.const(0))
    stop = _resolve(hi, base, base)
    if start is None or stop is None:
        return None
    length = stop - start
    k = step.const_value if step is not None else 1
    if k is not None and k > 1:
        length = (length + (k - 1)) // k
    c = length.const_value
    return Dim.const(0) if c is not None and c < 0 else length


def _bound(v: Value | None) -> Dim | None | bool:
    """A slice bound as a dim; None when omitted; False when not known."""
    if v is None or isinstance(v, NoneV):
        return None
    if isinstance(v, ScalarV) and v.kind in ("int", "bool") and v.value is not None:
        return v.value
    return False


def _resolve(b: Dim | None, d: SDim, default: SDim) -> Dim | None:
    if b is None:
        return default if isinstance(default, Dim) else None
    c = b.const_value
    if c is not None and c < 0:
        return d + b if isinstance(d, Dim) else None
    return b


def _index_int(d: SDim, v: ScalarV, axis: int) -> None:
    if v.kind == "float":
        raise DTypeError("tensor indices must be ints, not floats")
    c = v.value.const_value if v.value is not None else None
    size = d.const_value if isinstance(d, Dim) else None
    if c is not None and size is not None and not -size <= c < size:
        raise ShapeError(f"index {c} is out of bounds for dim {axis} of size {size}")


def _apply(dims: list[SDim], items: list[Value], first_axis: int) -> list[SDim]:
    out: list[SDim] = []
    pos = 0
    for item in items:
        if isinstance(item, NoneV):
            out.append(ONE)
            continue
        d = dims[pos]
        if isinstance(item, ScalarV):
            _index_int(d, item, first_axis + pos)
        elif isinstance(item, SliceV):
            out.append(_slice_dim(d, item))
        elif isinstance(item, TensorV):
            raise _advanced()
        else:
            out.append(None)
        pos += 1
    return out + dims[pos:]


def _advanced() -> ShapeError:
    return ShapeError("indexing with a tensor is not supported; use dsl.where")


def index_shape(shape: Shape, idx: Value) -> Shape:
    """The shape of `x[idx]`; raises `ShapeError` for too many indices or a literal index
    out of bounds."""
    items = _items(idx)
    if sum(isinstance(i, EllipsisV) for i in items) > 1:
        raise ShapeError("an index can only have a single ellipsis ('...')")
    consuming = sum(isinstance(i, _CONSUMES) for i in items)
    if any(isinstance(i, TensorV) for i in items):
        raise _advanced()
    if EllipsisV() in items:
        k = items.index(EllipsisV())
        before, after = items[:k], items[k + 1:]
    else:
        before, after = items, []
    n_before = sum(isinstance(i, _CONSUMES) for i in before)
    n_after = sum(isinstance(i, _CONSUMES) for i in after)
    if shape.var is None:
        rank = len(shape.prefix)
        if consuming > rank:
            raise ShapeError(f"too many indices for a tensor of shape ({shape}): "
                             f"{consuming} indices, rank {rank}")
        dims = list(shape.prefix)
        head = _apply(dims[:n_before], before, 0)
        mid = dims[n_before:rank - n_after]
        tail = _apply(dims[rank - n_after:], after, rank - n_after) if after else []
        return Shape(tuple(head + mid + tail))
    if n_before > len(shape.prefix) or n_after > len(shape.suffix):
        return Shape.unknown()
    head = _apply(list(shape.prefix[:n_before]), before, 0)
    rest_p = list(shape.prefix[n_before:])
    cut = len(shape.suffix) - n_after
    tail = _apply(list(shape.suffix[cut:]), after, -n_after) if after else []
    return Shape(tuple(head + rest_p), shape.var, tuple(list(shape.suffix[:cut]) + tail))


def getitem(op: str, args: Args, kwargs: Kwargs) -> Value:
    """`x[idx]`."""
    t = tensor_arg("indexing", arg(op, args, kwargs, 0, "x"))
    idx = arg(op, args, kwargs, 1, "index")
    if t is None:
        return UnknownV()
    return TensorV(t.dtype, index_shape(t.shape, idx))


def setitem(op: str, args: Args, kwargs: Kwargs) -> Value:
    """`x[idx] = value`: value broadcasts to `x[idx]`'s shape and keeps x's dtype kind."""
    t = tensor_arg("index assignment", arg(op, args, kwargs, 0, "x"))
    idx = arg(op, args, kwargs, 1, "index")
    value = arg(op, args, kwargs, 2, "value")
    if t is None:
        return NoneV()
    target = index_shape(t.shape, idx)
    if isinstance(value, ScalarV):
        if t.dtype is not None:
            promote_scalar(t.dtype, value.kind)
        return NoneV()
    v = tensor_arg("index assignment", value, "value")
    if v is None:
        return NoneV()
    if t.dtype is not None and v.dtype is not None and v.dtype != t.dtype:
        if promote(t.dtype, v.dtype) != t.dtype:
            raise DTypeError(f"cannot write a {v.dtype} value into a {t.dtype} tensor "
                             "(use dsl.astype)")
    try:
        result = broadcast_shapes(v.shape, target)
    except ShapeError:
        result = None
    if result is None or not shapes_agree(result, target):
        raise ShapeError(f"cannot assign a value of shape ({v.shape}) to a slice of shape "
                         f"({target})")
    return NoneV()


def rules() -> dict[str, Callable[[Args, Kwargs], Value]]:
    """The indexing rules by op name."""
    return {"getitem": lambda a, k: getitem("getitem", a, k),
            "setitem": lambda a, k: setitem("setitem", a, k)}



