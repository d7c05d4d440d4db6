"""Abstract values: what the shape rules take and return.

The mypy plugin converts mypy types to these and back; the eager runtime (and later the
compiler) builds them from concrete arrays. A rule never sees mypy or numpy objects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Union

from typecheck.dims import Dim
from typecheck.dtypes import DType
from typecheck.shapes import Shape


@dataclass(frozen=True)
class TensorV:
    """A tensor; `dtype` None means any dtype (a bare `Tensor` annotation)."""

    dtype: DType | None
    shape: Shape

    def __str__(self) -> str:
        return f"{self.dtype or 'Tensor'}[{self.shape}]"

    def __hash__(self) -> int:
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:  # tensors are memo keys of every rule: hash each one once
        return hash((self.dtype, self.shape))


@dataclass(frozen=True)
class ScalarV:
    """A Python scalar: kind 'int', 'float' or 'bool'; `value` when known (ints and bools,
    as a dim: `x.shape[0] // 4` is the dim `B//4`, True is 1)."""

    kind: str
    value: Dim | None = None

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}({self.value})"


@dataclass(frozen=True)
class TupleV:
    """A tuple or list of values (shapes, axes, lists of tensors)."""

    items: tuple["Value", ...]

    def __str__(self) -> str:
        return "(" + ", ".join(str(i) for i in self.items) + ")"


@dataclass(frozen=True)
class DTypeV:
    """A dtype object (`dsl.float32`)."""

    dtype: DType


@dataclass(frozen=True)
class SliceV:
    """`lo:hi:step` in an index; None for an omitted part."""

    lo: "Value | None"
    hi: "Value | None"
    step: "Value | None"


@dataclass(frozen=True)
class NoneV:
    """`None` (as in `axis=None`, or `x[None]`)."""


@dataclass(frozen=True)
class EllipsisV:
    """`...` in an index."""


@dataclass(frozen=True)
class UnknownV:
    """A value the checker knows nothing about; rules accept it and return unknowns."""


Value = Union[TensorV, ScalarV, TupleV, DTypeV, SliceV, NoneV, EllipsisV, UnknownV]


def int_value(v: Value) -> int | None:
    """The integer a value denotes when it is a literal int/bool, else None."""
    if isinstance(v, ScalarV) and v.value is not None:
        return v.value.const_value
    return None


def tensor(dtype: DType | None, dims: "list[int] | tuple[int, ...]") -> TensorV:
    """A concrete tensor value (for tests and the eager runtime)."""
    return TensorV(dtype, Shape.of(dims))


def int_scalar(value: int | Dim | None = None) -> ScalarV:
    """An int scalar, with a literal or symbolic value when known."""
    if isinstance(value, int):
        value = Dim.const(value)
    return ScalarV("int", value)
