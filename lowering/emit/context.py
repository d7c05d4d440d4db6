"""State shared while emitting one kernel: MLIR types, locations, the variable environment."""

from __future__ import annotations

from typing import Any, Union

from mlir import ir
from mlir.dialects import arith, tensor

from dsl._errors import SourceLoc
from typecheck.dtypes import DType
from typecheck.values import ScalarV, TensorV, Value

# A variable's SSA value: one MLIR value, or a tuple of them for tuple-typed variables.
SSA = Union[ir.Value, tuple[Any, ...]]

_ELEMENT = {
    DType.float16: "f16", DType.bfloat16: "bf16", DType.float32: "f32", DType.float64: "f64",
    DType.int8: "i8", DType.int32: "i32", DType.int64: "i64", DType.bool: "i8",
}


def element_type(dtype: DType) -> ir.Type:
    """The MLIR element type a dtype is stored as (bool as i8: see `lowering.widen_i1`)."""
    return ir.Type.parse(_ELEMENT[dtype])


def compute_type(dtype: DType) -> ir.Type:
    """The MLIR type elements are computed in (bool as i1)."""
    return ir.IntegerType.get_signless(1) if dtype == DType.bool else element_type(dtype)


def scalar_type(kind: str) -> ir.Type:
    """Python scalars: int -> i64, float -> f64, bool -> i1."""
    return ir.Type.parse({"int": "i64", "float": "f64", "bool": "i1"}[kind])


def tensor_type(v: TensorV) -> ir.RankedTensorType:
    """Every tensor is fully dynamic in the IR (`tensor<?x?xf32>`)."""
    assert v.dtype is not None and v.shape.var is None
    dyn = ir.ShapedType.get_dynamic_size()
    return ir.RankedTensorType.get([dyn] * len(v.shape.prefix), element_type(v.dtype))


def value_type(v: Value) -> ir.Type:
    """The MLIR type of a scalar or tensor value."""
    if isinstance(v, TensorV):
        return tensor_type(v)
    assert isinstance(v, ScalarV)
    return scalar_type(v.kind)


def is_float(t: ir.Type) -> bool:
    return isinstance(t, (ir.F16Type, ir.BF16Type, ir.F32Type, ir.F64Type))


def is_bool(t: ir.Type) -> bool:
    return isinstance(t, ir.IntegerType) and t.width == 1


def location(loc: SourceLoc) -> ir.Location:
    """The MLIR location of a source position."""
    return ir.Location.file(loc.file, loc.line, loc.col)


class Env:
    """Variables to SSA values, with scoped copies for regions."""

    def __init__(self, values: dict[str, SSA] | None = None) -> None:
        self.values: dict[str, SSA] = dict(values or {})

    def copy(self) -> "Env":
        return Env(self.values)


# --- small builders ---------------------------------------------------------------------
def index_const(n: int) -> ir.Value:
    return arith.ConstantOp(ir.IndexType.get(), n).result


def i64_const(n: int) -> ir.Value:
    return arith.ConstantOp(ir.IntegerType.get_signless(64), n).result


def to_index(v: ir.Value) -> ir.Value:
    """An i64 as an index."""
    if isinstance(v.type, ir.IndexType):
        return v
    return arith.IndexCastOp(ir.IndexType.get(), v).result


def to_i64(v: ir.Value) -> ir.Value:
    """An index (or narrower int) as an i64."""
    t = v.type
    if isinstance(t, ir.IndexType):
        return arith.IndexCastOp(ir.IntegerType.get_signless(64), v).result
    if isinstance(t, ir.IntegerType) and t.width < 64:
        if t.width == 1:
            return arith.ExtUIOp(ir.IntegerType.get_signless(64), v).result
        return arith.ExtSIOp(ir.IntegerType.get_signless(64), v).result
    return v


def dims_of(t: ir.Value) -> list[ir.Value]:
    """The run-time sizes (index) of a tensor value."""
    rank = ir.RankedTensorType(t.type).rank
    return [tensor.DimOp(t, index_const(i)).result for i in range(rank)]


def empty(sizes: list[ir.Value], elem: ir.Type) -> ir.Value:
    """`tensor.empty` with dynamic sizes."""
    dyn = ir.ShapedType.get_dynamic_size()
    return tensor.EmptyOp([dyn] * len(sizes), elem, loc=None).result if not sizes else \
        tensor.EmptyOp(list(sizes), elem).result


def elem_of(t: ir.Value) -> ir.Type:
    return ir.RankedTensorType(t.type).element_type
