"""Abstract values for the front end: constants, parameter types, and joins at merges."""

from __future__ import annotations

from typing import Any

from dsl._dtypes import DTypeObject
from typecheck.dims import Dim
from typecheck.shapes import Shape
from typecheck.values import (DTypeV, EllipsisV, NoneV, ScalarV, TensorV, TupleV, UnknownV,
                              Value)


def const_value(v: object) -> Value | None:
    """The abstract value of a compile-time constant, or None if it is not one."""
    if isinstance(v, bool):
        return ScalarV("bool", Dim.const(int(v)))
    if isinstance(v, int):
        return ScalarV("int", Dim.const(v))
    if isinstance(v, float):
        return ScalarV("float")
    if isinstance(v, DTypeObject):
        return DTypeV(v.type)
    if v is None:
        return NoneV()
    if v is Ellipsis:
        return EllipsisV()
    if isinstance(v, (tuple, list)):
        items = [const_value(i) for i in v]
        if any(i is None for i in items):
            return None
        return TupleV(tuple(i for i in items if i is not None))
    return None


def join(a: Value, b: Value) -> Value | None:
    """The value of a variable after a merge of two paths, None when they cannot merge
    (different kinds, dtypes or ranks). Differing dims become unknown."""
    if a == b:
        return a
    if isinstance(a, ScalarV) and isinstance(b, ScalarV):
        if a.kind != b.kind:
            return None
        return ScalarV(a.kind, a.value if a.value == b.value else None)
    if isinstance(a, TensorV) and isinstance(b, TensorV):
        if a.dtype != b.dtype or a.shape.var is not None or b.shape.var is not None:
            return None
        if len(a.shape.prefix) != len(b.shape.prefix):
            return None
        dims = tuple(x if x == y else None for x, y in zip(a.shape.prefix, b.shape.prefix))
        return TensorV(a.dtype, Shape(dims))
    if isinstance(a, TupleV) and isinstance(b, TupleV) and len(a.items) == len(b.items):
        items = [join(x, y) for x, y in zip(a.items, b.items)]
        if any(i is None for i in items):
            return None
        return TupleV(tuple(i for i in items if i is not None))
    return None


def describe(v: Value) -> str:
    """A short text for error messages."""
    if isinstance(v, TensorV):
        return f"a {v.dtype.value if v.dtype else 'any'} tensor of shape ({v.shape})"
    if isinstance(v, ScalarV):
        return f"a Python {v.kind}"
    return type(v).__name__.removesuffix("V").lower()


def rank(v: Value) -> int:
    """The rank of a fixed-rank tensor value."""
    assert isinstance(v, TensorV) and v.shape.var is None
    return len(v.shape.prefix)


def unknown() -> Value:
    """The value of something the compiler does not track."""
    return UnknownV()


def is_static(v: Any) -> bool:
    """Whether a Python object may be used as a compile-time constant."""
    return const_value(v) is not None
