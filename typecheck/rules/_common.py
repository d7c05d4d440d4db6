"""Helpers shared by the shape rules: argument access, axes, dim products."""

from __future__ import annotations

from typing import Mapping, Sequence

from typecheck.dims import Dim
from typecheck.dtypes import DType
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import ANON, ONE, BDim, SDim, Shape
from typecheck.values import (DTypeV, NoneV, ScalarV, TensorV, TupleV, UnknownV, Value,
                              int_value)

Args = Sequence["Value | None"]
Kwargs = Mapping[str, Value]


def arg(op: str, args: Args, kwargs: Kwargs, index: int, name: str,
        default: Value | None = None) -> Value:
    """The argument at `index` or keyword `name`; `default` when absent."""
    if index < len(args) and args[index] is not None:
        found = args[index]
        assert found is not None
        return found
    if name in kwargs:
        return kwargs[name]
    if default is not None:
        return default
    raise ShapeError(f"{op}() is missing its argument '{name}'")


def tensor_arg(op: str, v: Value, what: str = "argument") -> TensorV | None:
    """`v` as a tensor; None when unknown; a scalar is not accepted."""
    if isinstance(v, TensorV):
        return v
    if isinstance(v, UnknownV):
        return None
    raise DTypeError(f"{op}() expects a tensor as its {what}, got {_describe(v)}")


def _describe(v: Value) -> str:
    if isinstance(v, ScalarV):
        return f"a Python {v.kind}"
    if isinstance(v, TupleV):
        return "a tuple"
    if isinstance(v, NoneV):
        return "None"
    if isinstance(v, DTypeV):
        return "a dtype"
    return type(v).__name__


def dtype_arg(op: str, v: Value) -> DType | None:
    """A dtype argument (`dsl.float32`); None when unknown."""
    if isinstance(v, DTypeV):
        return v.dtype
    if isinstance(v, (UnknownV, NoneV)):
        return None
    raise DTypeError(f"{op}() expects a dtype such as dsl.float32, got {_describe(v)}")


def bool_arg(op: str, v: Value, name: str) -> bool | None:
    """A literal bool argument (`keepdims=True`); None when not a literal."""
    if isinstance(v, ScalarV) and v.kind in ("bool", "int"):
        value = int_value(v)
        return None if value is None else bool(value)
    if isinstance(v, UnknownV):
        return None
    raise ShapeError(f"{op}(): '{name}' must be a bool, got {_describe(v)}")


def literal_int(op: str, v: Value, name: str) -> int | None:
    """A literal int argument; None when its value is not known statically."""
    if isinstance(v, ScalarV) and v.kind in ("int", "bool"):
        return int_value(v)
    if isinstance(v, UnknownV):
        return None
    raise ShapeError(f"{op}(): '{name}' must be an int, got {_describe(v)}")


def checked_axis(op: str, axis: int, n: int, shape: Shape) -> int:
    """`axis` normalized for `n` positions (the rank, or rank + 1 where a dim is inserted);
    `ShapeError` naming the op and the shape when out of range."""
    if not -n <= axis < n:
        valid = f"valid axes: {-n} to {n - 1}" if n else "a 0-d tensor has no axes"
        raise ShapeError(f"{op}(): axis {axis} is out of range for shape ({shape}) ({valid})")
    return axis % n


def axes_arg(op: str, v: Value, rank: int | None, allow_tuple: bool = True,
             shape: Shape | None = None) -> list[int] | None:
    """Axes from `axis=` (int, tuple of ints, or None = all), normalized and deduplicated.

    Returns None when the axes are not known statically (or the rank is unknown and an axis
    is needed); raises `ShapeError` for out-of-range or repeated axes.
    """
    if isinstance(v, NoneV):
        return None if rank is None else list(range(rank))
    items: list[Value]
    if isinstance(v, TupleV):
        if not allow_tuple:
            raise ShapeError(f"{op}(): axis must be an int or None, not a tuple")
        items = list(v.items)
    else:
        items = [v]
    raw = [literal_int(op, item, "axis") for item in items]
    if any(a is None for a in raw) or rank is None:
        return None
    where = shape if shape is not None else Shape((None,) * rank)
    out = [checked_axis(op, a, rank, where) for a in raw if a is not None]
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}(): repeated axis in {[a for a in raw]}")
    return out


def axis_position(shape: Shape, axis: int) -> tuple[str, int] | None:
    """Where `axis` falls in a shape with a variadic segment: ('p', i) in the prefix or
    ('s', j) in the suffix; None when it falls into the segment."""
    if axis >= 0:
        return ("p", axis) if axis < len(shape.prefix) else None
    j = len(shape.suffix) + axis
    return ("s", j) if j >= 0 else None


def dim_product(dims: Sequence[SDim]) -> Dim | None:
    """The product of dims, None when any is unknown or broadcastable."""
    total = ONE
    for d in dims:
        if not isinstance(d, Dim):
            return None
        total = total * d
    return total


def plain(d: SDim) -> SDim:
    """A broadcastable dim `#N` seen as a plain value: unknown (1 or N)."""
    return None if isinstance(d, BDim) else d


def is_unknown_rank(shape: Shape) -> bool:
    return shape.var == ANON and not shape.prefix and not shape.suffix


def dims_from_value(op: str, v: Value) -> tuple[SDim, ...] | None:
    """A shape argument (tuple of ints, or one int) as dims; None when its length is unknown."""
    items = list(v.items) if isinstance(v, TupleV) else [v]
    if isinstance(v, UnknownV):
        return None
    out: list[SDim] = []
    for item in items:
        if isinstance(item, ScalarV) and item.kind == "int":
            if item.value is not None and item.value.const_value is not None \
                    and item.value.const_value < -1:
                raise ShapeError(f"{op}(): negative dim {item.value} in shape")
            out.append(item.value)
        elif isinstance(item, UnknownV):
            out.append(None)
        else:
            raise ShapeError(f"{op}(): a shape is a tuple of ints, got {_describe(item)}")
    return tuple(out)
