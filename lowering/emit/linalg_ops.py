"""The `linalg` ops the emitters build, without importing `mlir.dialects.linalg`.

That package builds its named-op helpers (`linalg.fill`, `linalg.copy`, ...) with the opdsl
machinery at import time, which costs tens of milliseconds of every cold compile. The op
classes come from the generated module instead, and the two named ops we use get their bodies
from the native `fill_builtin_region` (what opdsl calls too), so the IR is the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlir import ir
from mlir._mlir_libs._mlirDialectsLinalg import fill_builtin_region
from mlir.dialects._linalg_ops_gen import CopyOp, FillOp, GenericOp, IndexOp, YieldOp

__all__ = ["GenericOp", "IndexOp", "YieldOp", "copy", "fill"]


def fill(value: ir.Value, *, outs: Sequence[ir.Value]) -> ir.Value:
    """`linalg.fill ins(value) outs(outs[0])`: the tensor `outs[0]` with every element
    `value`."""
    (out,) = outs
    op = FillOp([out.type], [value], [out])
    fill_builtin_region(op.operation)
    return op.result


def copy(source: ir.Value, *, outs: Sequence[ir.Value]) -> ir.Value:
    """`linalg.copy ins(source) outs(outs[0])`: a copy of the tensor `source` into
    `outs[0]`."""
    (out,) = outs
    op = CopyOp([out.type], [source], [out],
                cast=ir.Attribute.parse("#linalg.type_fn<cast_signed>"))
    fill_builtin_region(op.operation)
    return op.result
