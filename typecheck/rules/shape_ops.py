"""Rules for reshape, permute_dims, expand_dims, squeeze, broadcast_to, concat and stack."""

from __future__ import annotations

from typing import Callable

from typecheck.dims import Dim
from typecheck.dtypes import DType, promote
from typecheck.errors import ShapeError
from typecheck.shapes import ONE, BDim, SDim, Shape, dim_text
from typecheck.values import NoneV, ScalarV, TensorV, TupleV, UnknownV, Value
from typecheck.rules._common import (Args, Kwargs, arg, checked_axis, dim_product,
                                     dims_from_value, literal_int, plain, tensor_arg)

MINUS_ONE = Dim.const(-1)


def reshape(op: str, args: Args, kwargs: Kwargs) -> Value:
    """reshape(x, shape): the element count must stay the same (checked symbolically)."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    dims = dims_from_value(op, arg(op, args, kwargs, 1, "shape"))
    if t is None or dims is None:
        return UnknownV() if t is None else TensorV(t.dtype, Shape.unknown())
    if sum(d == MINUS_ONE for d in dims) > 1:
        raise ShapeError("reshape(): at most one dim may be -1")
    total = dim_product(t.shape.prefix) if t.shape.var is None else None
    known = dim_product([d for d in dims if d != MINUS_ONE])
    out = list(dims)
    if MINUS_ONE in dims:
        i = dims.index(MINUS_ONE)
        out[i] = _infer_minus_one(t.shape, total, known, dims)
    elif total is not None and known is not None and total != known:
        raise ShapeError(f"reshape() from ({t.shape}) to ({Shape(tuple(out))}) changes the "
                         f"element count: {total} vs {known}")
    return TensorV(t.dtype, Shape(tuple(out)))


def _infer_minus_one(shape: Shape, total: Dim | None, known: Dim | None,
                     dims: tuple[SDim, ...]) -> SDim:
    if total is None or known is None:
        return None
    if known.const_value == 0:
        raise ShapeError(f"reshape(): cannot infer -1 with a zero-size dim in "
                         f"({', '.join(dim_text(d) for d in dims)})")
    exact = total.exact_div(known)
    if exact is not None:
        return exact
    if total.is_const and known.is_const:
        raise ShapeError(f"reshape() from ({shape}): {total} elements do not divide into "
                         f"({', '.join(dim_text(d) for d in dims)})")
    return total // known


def _literal_axes(op: str, t: TensorV, v: Value, name: str
                  ) -> tuple[list[int], list[int]] | None:
    """An int or tuple of literal axes of a fixed-rank tensor, as written and normalized
    (out-of-range axes raise); None when the axes or the rank are not known statically."""
    items = list(v.items) if isinstance(v, TupleV) else [v]
    raw = [literal_int(op, item, name) for item in items]
    if t.shape.var is not None:
        return None
    written = [a for a in raw if a is not None]
    if len(written) != len(raw):
        return None
    rank = len(t.shape.prefix)
    return written, [checked_axis(op, a, rank, t.shape) for a in written]


def permute_dims(op: str, args: Args, kwargs: Kwargs) -> Value:
    """permute_dims(x, axes): axes must be a permutation of range(rank)."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    axes_v = arg(op, args, kwargs, 1, "axes")
    if t is None:
        return UnknownV()
    found = _literal_axes(op, t, axes_v, "axes")
    if found is None:
        return TensorV(t.dtype, Shape.unknown())
    axes, norm = found
    rank = len(t.shape.prefix)
    if sorted(norm) != list(range(rank)):
        raise ShapeError(f"permute_dims(): axes {axes} are not a permutation of the "
                         f"{rank} dims of ({t.shape})")
    return TensorV(t.dtype, Shape(tuple(t.shape.prefix[a] for a in norm)))


def expand_dims(op: str, args: Args, kwargs: Kwargs) -> Value:
    """expand_dims(x, axis): insert a size-1 dim; axis in [-rank-1, rank]."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    a = literal_int(op, arg(op, args, kwargs, 1, "axis", ScalarV("int", Dim.const(0))), "axis")
    if t is None:
        return UnknownV()
    if a is None or t.shape.var is not None:
        return TensorV(t.dtype, _expand_variadic(t.shape, a))
    dims = list(t.shape.prefix)
    pos = checked_axis(op, a, len(dims) + 1, t.shape)
    dims.insert(pos, ONE)
    return TensorV(t.dtype, Shape(tuple(dims)))


def _expand_variadic(shape: Shape, a: int | None) -> Shape:
    if a is not None and shape.var is not None:
        if 0 <= a <= len(shape.prefix):
            return Shape(shape.prefix[:a] + (ONE,) + shape.prefix[a:], shape.var, shape.suffix)
        j = len(shape.suffix) + a + 1
        if a < 0 and j >= 0:
            return Shape(shape.prefix, shape.var, shape.suffix[:j] + (ONE,) + shape.suffix[j:])
    return Shape.unknown()


def squeeze(op: str, args: Args, kwargs: Kwargs) -> Value:
    """squeeze(x, axis): remove dims that are 1 (an int or a tuple of axes)."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    axis = arg(op, args, kwargs, 1, "axis")
    if t is None:
        return UnknownV()
    found = _literal_axes(op, t, axis, "axis")
    if found is None:
        return TensorV(t.dtype, Shape.unknown())
    raw, norm = found
    axes = set(norm)
    if len(axes) != len(raw):
        raise ShapeError(f"squeeze(): repeated axis in {raw}")
    for a in sorted(axes):
        d = t.shape.prefix[a]
        if d is not None and d != ONE:
            raise ShapeError(f"squeeze(): dim {a} of ({t.shape}) is {dim_text(d)}, not 1")
    return TensorV(t.dtype, Shape(tuple(d for i, d in enumerate(t.shape.prefix)
                                        if i not in axes)))


def broadcast_to(op: str, args: Args, kwargs: Kwargs) -> Value:
    """broadcast_to(x, shape): every dim of x (right-aligned) is 1 or the target's dim."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    dims = dims_from_value(op, arg(op, args, kwargs, 1, "shape"))
    if t is None:
        return UnknownV()
    if dims is None:
        return TensorV(t.dtype, Shape.unknown())
    target = Shape(dims)
    for d in dims:
        if isinstance(d, Dim) and d.const_value is not None and d.const_value < 0:
            raise ShapeError(f"broadcast_to(): negative dim {d} in the target shape "
                             f"({target})")
    if t.shape.var is None:
        src = t.shape.prefix
        if len(src) > len(dims):
            raise ShapeError(f"broadcast_to(): ({t.shape}) has more dims than ({target})")
        for s, d in zip(src, dims[len(dims) - len(src):]):
            if s is not None and d is not None and s != ONE and plain(s) != d \
                    and not (isinstance(s, BDim) and s.dim == d):
                raise ShapeError(f"broadcast_to(): ({t.shape}) does not broadcast to "
                                 f"({target}): dim {dim_text(s)} vs {dim_text(d)}")
    return TensorV(t.dtype, target)


def _tensor_list(op: str, v: Value) -> list[TensorV] | None:
    if isinstance(v, UnknownV):
        return None
    if not isinstance(v, TupleV):
        raise ShapeError(f"{op}() takes a list or tuple of tensors")
    out = []
    for item in v.items:
        t = tensor_arg(op, item, "list element")
        if t is None:
            return None
        out.append(t)
    if not out:
        raise ShapeError(f"{op}() needs at least one tensor")
    return out


def _common_dtype(ts: list[TensorV]) -> DType | None:
    dtype = ts[0].dtype
    for t in ts[1:]:
        if dtype is None or t.dtype is None:
            return None
        dtype = promote(dtype, t.dtype)
    return dtype


def concat(op: str, args: Args, kwargs: Kwargs) -> Value:
    """concat(tensors, axis): same rank, equal dims except along `axis`, which adds up."""
    ts = _tensor_list(op, arg(op, args, kwargs, 0, "arrays"))
    axis_v = arg(op, args, kwargs, 1, "axis", ScalarV("int", Dim.const(0)))
    if ts is None:
        return UnknownV()
    dtype = _common_dtype(ts)
    if isinstance(axis_v, NoneV):
        sizes = [dim_product(t.shape.prefix) if t.shape.var is None else None for t in ts]
        return TensorV(dtype, Shape((_sum_dims(sizes),)))
    a = literal_int(op, axis_v, "axis")
    if a is None or any(t.shape.var is not None for t in ts):
        return TensorV(dtype, Shape.unknown())
    rank = len(ts[0].shape.prefix)
    if rank == 0:
        raise ShapeError("concat() cannot join 0-d tensors")
    ax = checked_axis(op, a, rank, ts[0].shape)
    out = list(ts[0].shape.prefix)
    for i, t in enumerate(ts[1:], 1):
        if len(t.shape.prefix) != rank:
            raise ShapeError(f"concat(): tensor {i} has shape ({t.shape}), rank "
                             f"{len(t.shape.prefix)}, but tensor 0 has ({ts[0].shape})")
        for j, (p, q) in enumerate(zip(out, t.shape.prefix)):
            if j != ax and p is not None and q is not None and plain(p) != plain(q):
                raise ShapeError(f"concat() along axis {a}: tensor {i} has shape ({t.shape}) "
                                 f"but tensor 0 has ({ts[0].shape}): dim {j} differs")
    out[ax] = _sum_dims([t.shape.prefix[ax] for t in ts])
    return TensorV(dtype, Shape(tuple(out)))


def _sum_dims(dims: list[SDim] | list[Dim | None]) -> SDim:
    total = Dim.const(0)
    for d in dims:
        if not isinstance(d, Dim):
            return None
        total = total + d
    return total


def stack(op: str, args: Args, kwargs: Kwargs) -> Value:
    """stack(tensors, axis): equal shapes; a new dim of size len(tensors) at `axis`."""
    ts = _tensor_list(op, arg(op, args, kwargs, 0, "arrays"))
    a = literal_int(op, arg(op, args, kwargs, 1, "axis", ScalarV("int", Dim.const(0))), "axis")
    if ts is None:
        return UnknownV()
    dtype = _common_dtype(ts)
    first = ts[0].shape
    for i, t in enumerate(ts[1:], 1):
        if first.var is None and t.shape.var is None and (
                len(first.prefix) != len(t.shape.prefix) or any(
                    p is not None and q is not None and p != q
                    for p, q in zip(first.prefix, t.shape.prefix))):
            raise ShapeError(f"stack(): tensor {i} has shape ({t.shape}) but tensor 0 has "
                             f"({first})")
    if a is None or first.var is not None:
        return TensorV(dtype, Shape.unknown())
    dims = list(first.prefix)
    dims.insert(checked_axis(op, a, len(dims) + 1, first), Dim.const(len(ts)))
    return TensorV(dtype, Shape(tuple(dims)))


def rules() -> dict[str, Callable[[Args, Kwargs], Value]]:
    """The shape-manipulation rules by op name."""
    table = {"reshape": reshape, "permute_dims": permute_dims, "expand_dims": expand_dims,
             "squeeze": squeeze, "broadcast_to": broadcast_to, "concat": concat,
             "stack": stack}

    def bind(name: str, fn: Callable[[str, Args, Kwargs], Value]
             ) -> Callable[[Args, Kwargs], Value]:
        return lambda a, k: fn(name, a, k)
    return {name: bind(name, fn) for name, fn in table.items()}
