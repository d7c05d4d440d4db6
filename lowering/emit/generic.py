"""`linalg.generic` construction: elementwise maps with broadcasting, and reductions."""

from __future__ import annotations

from typing import Callable, Sequence

from mlir import ir
from mlir.dialects import linalg, tensor

from lowering.emit.context import dims_of, empty, index_const

PARALLEL = "parallel"
REDUCTION = "reduction"


def iterator_attr(kinds: Sequence[str]) -> ir.ArrayAttr:
    return ir.ArrayAttr.get([ir.Attribute.parse(f"#linalg.iterator_type<{k}>")
                             for k in kinds])


def affine_map(n_dims: int, exprs: Sequence[int | None]) -> ir.AffineMap:
    """A map from `n_dims` loop dims: an int picks loop dim i, None is the constant 0."""
    return ir.AffineMap.get(n_dims, 0, [ir.AffineDimExpr.get(e) if e is not None
                                        else ir.AffineConstantExpr.get(0) for e in exprs])


def generic(inputs: Sequence[tuple[ir.Value, ir.AffineMap]],
            outputs: Sequence[tuple[ir.Value, ir.AffineMap]], kinds: Sequence[str],
            body: Callable[[list[ir.Value]], list[ir.Value]]) -> list[ir.Value]:
    """Build a `linalg.generic`; `body` gets the block arguments (inputs then outputs) and
    returns the values to yield."""
    maps = ir.ArrayAttr.get([ir.AffineMapAttr.get(m) for _, m in list(inputs) + list(outputs)])
    op = linalg.GenericOp([o.type for o, _ in outputs], [v for v, _ in inputs],
                          [o for o, _ in outputs], maps, iterator_attr(kinds))
    types = [ir.RankedTensorType(v.type).element_type if isinstance(v.type, ir.RankedTensorType)
             else v.type for v, _ in list(inputs) + list(outputs)]
    block = op.regions[0].blocks.append(*types)
    with ir.InsertionPoint(block):
        linalg.YieldOp(body(list(block.arguments)))
    return list(op.results)


def broadcast_map(rank: int, out_rank: int, static_ones: Sequence[bool],
                  out_static_ones: Sequence[bool]) -> ir.AffineMap:
    """The map of an operand of `rank` into an output of `out_rank` (numpy alignment from
    the right); an operand dim known to be 1 where the output's is not is broadcast."""
    offset = out_rank - rank
    exprs: list[int | None] = []
    for k in range(rank):
        j = offset + k
        exprs.append(None if static_ones[k] and not out_static_ones[j] else j)
    return affine_map(out_rank, exprs)


def elementwise(operands: Sequence[tuple[ir.Value, Sequence[bool]]], out_rank: int,
                out_elem: ir.Type, fn: Callable[[list[ir.Value]], ir.Value]) -> ir.Value:
    """Apply `fn` elementwise over broadcast tensor operands (each with its known-1 dims).

    The output's size in each dim comes from the first operand that is not broadcast there
    (the front end has checked, or proven, that the others agree)."""
    out_ones = [all(_one_at(ones, len(ones), out_rank, j) for _, ones in operands)
                for j in range(out_rank)]
    sizes: list[ir.Value] = []
    for j in range(out_rank):
        size = None
        for v, ones in operands:
            k = j - (out_rank - len(ones))
            if k >= 0 and not ones[k]:
                size = tensor.DimOp(v, index_const(k)).result
                break
        sizes.append(size if size is not None else index_const(1))
    out = empty(sizes, out_elem)
    ins = [(v, broadcast_map(len(ones), out_rank, ones, out_ones)) for v, ones in operands]
    ident = affine_map(out_rank, list(range(out_rank)))
    from lowering.emit.scalars import convert
    return generic(ins, [(out, ident)], [PARALLEL] * out_rank,
                   lambda args: [convert(fn(args[:-1]), out_elem)])[0]


def _one_at(ones: Sequence[bool], rank: int, out_rank: int, j: int) -> bool:
    k = j - (out_rank - rank)
    return k < 0 or ones[k]


__all__ = ["generic", "elementwise", "affine_map", "dims_of"]
