"""`linalg.generic` construction: elementwise maps with broadcasting, and reductions."""

from __future__ import annotations

from typing import Callable, Sequence

from mlir import ir
from mlir.dialects import arith, scf, tensor

from lowering.emit import linalg_ops as linalg
from lowering.emit.context import dims_of, empty, index_const
from typecheck.dims import Dim

# A dim as the checker knows it: a symbolic/constant `Dim`, or None (unknown).
StaticDim = Dim | None

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
    op = linalg.generic_op([o.type for o, _ in outputs], [v for v, _ in inputs],
                          [o for o, _ in outputs], maps, iterator_attr(kinds))
    types = [ir.RankedTensorType(v.type).element_type if isinstance(v.type, ir.RankedTensorType)
             else v.type for v, _ in list(inputs) + list(outputs)]
    block = op.regions[0].blocks.append(*types)
    with ir.InsertionPoint(block):
        linalg.yield_(body(list(block.arguments)))
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
                out_elem: ir.Type, fn: Callable[[list[ir.Value]], ir.Value],
                static: Sequence[Sequence[StaticDim]] | None = None) -> ir.Value:
    """Apply `fn` elementwise over broadcast tensor operands (each with its known-1 dims).

    Dims known to be 1 broadcast statically. With `static` (each operand's dims as the
    checker knows them), dims that the checker cannot prove equal across operands broadcast
    at run time: an operand whose size there is 1 is first broadcast to the output's size
    (the front end has checked that the sizes are compatible). Then the output's size in
    each dim comes from the first operand that is not broadcast there."""
    if static is not None:
        operands = _runtime_broadcast(operands, out_rank, static)
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


def _runtime_broadcast(operands: Sequence[tuple[ir.Value, Sequence[bool]]], out_rank: int,
                       static: Sequence[Sequence[StaticDim]]
                       ) -> list[tuple[ir.Value, Sequence[bool]]]:
    """Operands with the dims that may need broadcasting at run time made full-size."""
    # for each output dim: the operands (and their local axis) that are not known to be 1
    maybe: list[list[tuple[int, int]]] = []
    for j in range(out_rank):
        cands = []
        for q, (_, ones) in enumerate(operands):
            k = j - (out_rank - len(ones))
            if k >= 0 and not ones[k]:
                cands.append((q, k))
        dims = [static[q][k] for q, k in cands]
        proven = all(isinstance(d, Dim) and d == dims[0] for d in dims)
        maybe.append([] if len(cands) < 2 or proven else cands)
    if not any(maybe):
        return list(operands)
    one = index_const(1)
    sizes = [dims_of(v) for v, _ in operands]
    out: list[ir.Value | None] = []
    for cands in maybe:
        size: ir.Value | None = None
        for q, k in cands:
            d = sizes[q][k]
            size = d if size is None else arith.SelectOp(
                arith.CmpIOp(arith.CmpIPredicate.eq, size, one).result, d, size).result
        out.append(size)
    result: list[tuple[ir.Value, Sequence[bool]]] = []
    for q, (v, ones) in enumerate(operands):
        mine = {k: out[j] for j, cands in enumerate(maybe) for qq, k in cands if qq == q}
        if not mine:
            result.append((v, ones))
            continue
        needs = arith.ConstantOp(ir.IntegerType.get_signless(1), 0).result
        for k, size in mine.items():
            assert size is not None
            is_one = arith.CmpIOp(arith.CmpIPredicate.eq, sizes[q][k], one).result
            grows = arith.CmpIOp(arith.CmpIPredicate.ne, size, one).result
            needs = arith.OrIOp(needs, arith.AndIOp(is_one, grows).result).result
        if_op = scf.IfOp(needs, [v.type], has_else=True)
        with ir.InsertionPoint(if_op.then_block):
            scf.YieldOp([_gather_broadcast(v, sizes[q], mine)])
        with ir.InsertionPoint(if_op.else_block):
            scf.YieldOp([v])
        result.append((if_op.results[0], ones))
    return result


def _gather_broadcast(v: ir.Value, sizes: list[ir.Value], grow: dict[int, ir.Value | None]
                      ) -> ir.Value:
    """`v` broadcast to `grow[k]` in each dim k of size 1 listed in `grow`."""
    rank = len(sizes)
    new_sizes = [grow[k] if k in grow and grow[k] is not None else sizes[k]
                 for k in range(rank)]
    elem = ir.RankedTensorType(v.type).element_type
    dest = empty([s for s in new_sizes if s is not None], elem)
    i64 = ir.IntegerType.get_signless(64)
    zero, one = index_const(0), index_const(1)
    # whether each listed dim is 1 in `v` (then read index 0 there)
    flat = {k: arith.CmpIOp(arith.CmpIPredicate.eq, sizes[k], one).result for k in grow}

    def body(_: list[ir.Value]) -> list[ir.Value]:
        idx = []
        for k in range(rank):
            i = linalg.index(k)
            idx.append(arith.SelectOp(flat[k], zero, i).result if k in flat else i)
        return [tensor.ExtractOp(v, idx).result]
    ident = affine_map(rank, list(range(rank)))
    return generic([], [(dest, ident)], [PARALLEL] * rank, body)[0]


def _one_at(ones: Sequence[bool], rank: int, out_rank: int, j: int) -> bool:
    k = j - (out_rank - rank)
    return k < 0 or ones[k]


__all__ = ["generic", "elementwise", "affine_map", "dims_of"]
