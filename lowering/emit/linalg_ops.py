"""The `linalg` ops the emitters build, without importing any `linalg` Python module.

`mlir.dialects.linalg` builds its named-op helpers (`linalg.fill`, `linalg.copy`, ...) with the
opdsl machinery at import time, and even its generated op classes take milliseconds to import:
time every cold compile would pay. The ops are created generically instead (as the generated
classes do), and the two named ops we use get their bodies from the native
`fill_builtin_region` (what opdsl calls too), so the IR is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlir import ir
from mlir._mlir_libs._mlirDialectsLinalg import fill_builtin_region

__all__ = ["copy", "fill", "generic_op", "index", "yield_"]


def _segments(n_inputs: int, n_outputs: int) -> ir.Attribute:
    return ir.DenseI32ArrayAttr.get([n_inputs, n_outputs])


def generic_op(result_types: Sequence[ir.Type], inputs: Sequence[ir.Value],
               outputs: Sequence[ir.Value], indexing_maps: ir.ArrayAttr,
               iterator_types: ir.ArrayAttr) -> Any:
    """A `linalg.generic` with an empty body region (the caller adds its block)."""
    return ir.Operation.create(
        "linalg.generic", results=list(result_types), operands=[*inputs, *outputs],
        attributes={"indexing_maps": indexing_maps, "iterator_types": iterator_types,
                    "operandSegmentSizes": _segments(len(inputs), len(outputs))},
        regions=1)


def yield_(values: Sequence[ir.Value]) -> None:
    """`linalg.yield values`, the terminator of a generic's body."""
    ir.Operation.create("linalg.yield", operands=list(values))


def index(dim: int) -> ir.Value:
    """`linalg.index dim`: the current iteration's index along loop dim `dim`."""
    attr = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), dim)
    return ir.Operation.create("linalg.index", results=[ir.IndexType.get()],
                               attributes={"dim": attr}).result


def _named(name: str, source: ir.Value, out: ir.Value,
           attributes: dict[str, ir.Attribute]) -> ir.Value:
    op = ir.Operation.create(
        name, results=[out.type], operands=[source, out],
        attributes={**attributes, "operandSegmentSizes": _segments(1, 1)}, regions=1)
    fill_builtin_region(op)
    return op.result


def fill(value: ir.Value, *, outs: Sequence[ir.Value]) -> ir.Value:
    """`linalg.fill ins(value) outs(outs[0])`: the tensor `outs[0]` with every element
    `value`."""
    (out,) = outs
    return _named("linalg.fill", value, out, {})


def copy(source: ir.Value, *, outs: Sequence[ir.Value]) -> ir.Value:
    """`linalg.copy ins(source) outs(outs[0])`: a copy of the tensor `source` into
    `outs[0]`."""
    (out,) = outs
    return _named("linalg.copy", source, out,
                  {"cast": ir.Attribute.parse("#linalg.type_fn<cast_signed>")})
