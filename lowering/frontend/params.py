"""The abstract values of a kernel's parameters for one specialisation (dtypes and ranks)."""

from __future__ import annotations

from dataclasses import dataclass

from typecheck.annotations import AnyDim, ExprDim, ShapeSpec, VariadicDim
from typecheck.dims import Dim
from typecheck.dtypes import DType
from typecheck.shapes import SDim, Shape
from typecheck.values import ScalarV, TensorV, Value


@dataclass(frozen=True)
class ArgSpec:
    """What one argument of a call looks like to the compiler: a tensor's dtype and rank, or
    a scalar's kind. A kernel is compiled once per tuple of these."""

    kind: str            # "tensor", "int", "float", "bool"
    dtype: str = ""      # DType value for tensors
    rank: int = 0

    def __str__(self) -> str:
        return f"{self.dtype}[{self.rank}]" if self.kind == "tensor" else self.kind


def tensor_value(dtype: DType, rank: int, spec: ShapeSpec | None) -> TensorV:
    """The tensor value of a parameter: annotation dims where the annotation fixes them
    (`N`, `4*D`, `128`); unknown for `_`, `...` and `#N` (size 1 or N at run time)."""
    if spec is None:
        return TensorV(dtype, Shape(tuple(None for _ in range(rank))))
    fixed = [d for d in spec.dims if not isinstance(d, VariadicDim)]
    extra = rank - len(fixed)
    dims: list[SDim] = []
    for d in spec.dims:
        if isinstance(d, VariadicDim):
            dims.extend(Dim.sym(f"{d.name}[{i}]") if d.name else None for i in range(extra))
        elif isinstance(d, ExprDim) and not d.broadcastable:
            dims.append(d.dim)
        else:
            assert isinstance(d, (ExprDim, AnyDim))
            dims.append(None)
    return TensorV(dtype, Shape(tuple(dims)))


def scalar_value(name: str, kind: str) -> Value:
    """An `int` parameter is the symbol `%name` (so `dsl.zeros((n,))` has a known dim); other
    scalars are plain."""
    if kind == "int":
        return ScalarV("int", Dim.sym(f"%{name}"))
    return ScalarV(kind)


def rank_matches(spec: ShapeSpec | None, rank: int) -> bool:
    """Whether a tensor of `rank` can match the annotation at all."""
    if spec is None:
        return True
    fixed = sum(1 for d in spec.dims if not isinstance(d, VariadicDim))
    if spec.variadic_index is None:
        return rank == fixed
    return rank >= fixed
