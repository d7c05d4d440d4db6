"""`x.shape[i]`, `x[idx]`, 0-d tensors to scalars, and result placeholders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from mlir import ir
from mlir.dialects import arith, tensor

from lowering import tir
from lowering.emit import linalg_ops as linalg
from lowering.emit import scalars
from lowering.emit.context import (element_type, empty, index_const, scalar_type, tensor_type,
                                   to_i64, to_index)
from lowering.emit.ops_shape import Mixed, extract_slice, insert_unit_dims
from typecheck.values import NoneV, ScalarV, TensorV

if TYPE_CHECKING:
    from lowering.emit.exprs import ExprEmitter


def slice_parts(em: "ExprEmitter", index: tir.TupleExpr
                ) -> tuple[Mixed, Mixed, Mixed, list[bool], list[int]]:
    """offsets, sizes, strides per consumed dim; which dims are int-indexed (dropped); the
    positions (in the result) of new axes."""
    offsets: Mixed = []
    sizes: Mixed = []
    strides: Mixed = []
    dropped: list[bool] = []
    new_axes: list[int] = []
    out_pos = 0
    for item in index.items:
        if isinstance(item, tir.Const) and item.value is None:
            new_axes.append(out_pos)
            out_pos += 1
        elif isinstance(item, tir.SliceExpr):
            assert item.lo is not None and item.hi is not None and item.step is not None
            lo, hi = to_index(em.value(item.lo)), to_index(em.value(item.hi))
            step = int(item.step.value)  # type: ignore[union-attr, arg-type]
            length = arith.SubIOp(hi, lo).result
            if step != 1:  # ceil((hi - lo) / step)
                length = arith.CeilDivSIOp(length, index_const(step)).result
            offsets.append(lo)
            sizes.append(length)
            strides.append(step)
            dropped.append(False)
            out_pos += 1
        else:
            offsets.append(to_index(em.value(item)))
            sizes.append(1)
            strides.append(1)
            dropped.append(True)
    return offsets, sizes, strides, dropped, new_axes


def getitem(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    x = em.value(e.args[0])
    index = e.args[1]
    assert isinstance(index, tir.TupleExpr)
    offsets, sizes, strides, dropped, new_axes = slice_parts(em, index)
    elem = ir.RankedTensorType(x.type).element_type
    dyn = ir.ShapedType.get_dynamic_size()
    kept = sum(1 for d in dropped if not d)
    if kept == 0 and not new_axes:
        v = tensor.ExtractOp(x, [o if isinstance(o, ir.Value) else index_const(o)
                                 for o in offsets]).result
        return tensor.FromElementsOp(ir.RankedTensorType.get([], elem), [v]).result
    res_t = ir.RankedTensorType.get([dyn] * kept, elem)
    out = extract_slice(x, offsets, sizes, strides, res_t)
    if new_axes:
        out = insert_unit_dims(out, new_axes)
    return out


def item(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    """A 0-d tensor's element as a Python-kind scalar (i64 / f64 / i1)."""
    x = em.value(e.args[0])
    v = tensor.ExtractOp(x, []).result
    assert isinstance(e.type, ScalarV)
    return scalars.convert(v, scalar_type(e.type.kind))


def dim(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    x = em.value(e.args[0])
    axis = e.args[1]
    assert isinstance(axis, tir.Const)
    return to_i64(tensor.DimOp(x, index_const(scalars.static_int(axis))).result)


def placeholder(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    """An initial value of the right type for a result variable (never read)."""
    t = e.type
    if isinstance(t, TensorV):
        assert t.dtype is not None
        return empty([index_const(0)] * len(t.shape.prefix), element_type(t.dtype))
    assert isinstance(t, ScalarV)
    return scalars.const_like(scalar_type(t.kind), 0)


def handlers(em: "ExprEmitter") -> dict[str, Callable[[tir.Op], Any]]:
    return {"getitem": lambda e: getitem(em, e), "item": lambda e: item(em, e),
            "dim": lambda e: dim(em, e), "placeholder": lambda e: placeholder(em, e)}


__all__ = ["handlers", "NoneV", "linalg", "tensor_type", "to_index"]
