"""Reductions (`sum max min mean argmax`) and `matmul` as `linalg.generic`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from mlir import ir
from mlir.dialects import arith, tensor

from lowering import tir
from lowering.emit import linalg_ops as linalg
from lowering.emit import scalars
from lowering.emit.context import dims_of, element_type, empty, index_const, is_float
from lowering.emit.generic import PARALLEL, REDUCTION, affine_map, generic
from typecheck.values import NoneV, TensorV

if TYPE_CHECKING:
    from lowering.emit.exprs import ExprEmitter


def _axes(e: tir.Op, rank: int) -> list[int]:
    axis = e.args[1]
    if isinstance(axis, tir.Const) and axis.value is None:
        return list(range(rank))
    if isinstance(axis, tir.TupleExpr):
        vals = [scalars.static_int(i) for i in axis.items]
    else:
        assert isinstance(axis, tir.Const)
        vals = [scalars.static_int(axis)]
    return sorted({a % rank for a in vals})


def _keepdims(e: tir.Op) -> bool:
    k = e.args[2]
    return bool(isinstance(k, tir.Const) and k.value)


def _init(kind: str, t: ir.Type) -> ir.Value:
    if kind == "sum":
        return scalars.const_like(t, 0)
    if is_float(t):
        return arith.ConstantOp(t, float("-inf") if kind == "max" else float("inf")).result
    width = ir.IntegerType(t).width
    if width == 1:
        return scalars.const_like(t, kind == "min")
    big = (1 << (width - 1)) - 1
    return arith.ConstantOp(t, -big - 1 if kind == "max" else big).result


def reduce(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    x = em.value(e.args[0])
    xt = e.args[0].type
    out = e.type
    assert isinstance(xt, TensorV) and isinstance(out, TensorV) and out.dtype is not None
    rank = len(xt.shape.prefix)
    axes = _axes(e, rank)
    kind = e.op
    acc_t = element_type(out.dtype)
    if kind == "mean" or (kind == "sum" and isinstance(acc_t, (ir.F16Type, ir.BF16Type))):
        acc_t = ir.F32Type.get() if not isinstance(acc_t, ir.F64Type) else acc_t
    keep = [d for d in range(rank) if d not in axes]
    sizes = dims_of(x)
    init = empty([sizes[d] for d in keep], acc_t)
    init = linalg.fill(_init("sum" if kind == "mean" else kind, acc_t), outs=[init])
    ident = affine_map(rank, list(range(rank)))
    out_map = affine_map(rank, keep)
    kinds = [REDUCTION if d in axes else PARALLEL for d in range(rank)]
    if kind == "argmax":
        return _argmax(x, sizes, keep, axes, rank, e, keepdims=_keepdims(e))

    def body(args: list[ir.Value]) -> list[ir.Value]:
        v = scalars.convert(args[0], acc_t)
        op = {"sum": "add", "mean": "add", "max": "maximum", "min": "minimum"}[kind]
        return [scalars.binary(op, v, args[1])]
    red = generic([(x, ident)], [(init, out_map)], kinds, body)[0]
    if kind == "mean":
        count = index_const(1)
        for d in axes:
            count = arith.MulIOp(count, sizes[d]).result
        n = arith.UIToFPOp(acc_t, arith.IndexCastOp(ir.IntegerType.get_signless(64),
                                                    count).result).result
        red = _map1(red, lambda v: arith.DivFOp(v, n).result, acc_t)
    final_t = element_type(out.dtype)
    if acc_t != final_t:
        red = _map1(red, lambda v: scalars.convert(v, final_t), final_t)
    if _keepdims(e):
        red = _expand(red, keep, rank, sizes)
    return red


def _map1(x: ir.Value, fn: Callable[[ir.Value], ir.Value], out_t: ir.Type) -> ir.Value:
    rank = ir.RankedTensorType(x.type).rank
    out = empty(dims_of(x), out_t)
    ident = affine_map(rank, list(range(rank)))
    return generic([(x, ident)], [(out, ident)], [PARALLEL] * rank, lambda a: [fn(a[0])])[0]


def _expand(red: ir.Value, keep: list[int], rank: int, sizes: list[ir.Value]) -> ir.Value:
    """Re-insert reduced dims as size 1 (keepdims)."""
    elem = ir.RankedTensorType(red.type).element_type
    dyn = ir.ShapedType.get_dynamic_size()
    static = [dyn if d in keep else 1 for d in range(rank)]
    result_t = ir.RankedTensorType.get(static, elem)
    # each kept dim is a group; a reduced dim joins the group of the kept dim before it
    # (leading reduced dims join the first kept dim's group); no kept dims: no groups (0-d)
    groups: list[list[int]] = []
    pending: list[int] = []
    for d in range(rank):
        if d in keep:
            groups.append(pending + [d])
            pending = []
        elif groups:
            groups[-1].append(d)
        else:
            pending.append(d)
    reassoc = ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(
        ir.IntegerType.get_signless(64), i) for i in g]) for g in groups])
    out_dyn = [sizes[d] for d in range(rank) if d in keep]
    expanded = tensor.ExpandShapeOp(result_t, red, reassoc, out_dyn,
                                    ir.DenseI64ArrayAttr.get(static)).result
    full_t = ir.RankedTensorType.get([dyn] * rank, elem)
    return tensor.CastOp(full_t, expanded).result


def _argmax(x: ir.Value, sizes: list[ir.Value], keep: list[int], axes: list[int], rank: int,
            e: tir.Op, keepdims: bool) -> ir.Value:
    elem = ir.RankedTensorType(x.type).element_type
    i64 = ir.IntegerType.get_signless(64)
    best = linalg.fill(_init("max", elem), outs=[empty([sizes[d] for d in keep], elem)])
    idx = linalg.fill(arith.ConstantOp(i64, 0).result,
                      outs=[empty([sizes[d] for d in keep], i64)])
    ident = affine_map(rank, list(range(rank)))
    out_map = affine_map(rank, keep)
    kinds = [REDUCTION if d in axes else PARALLEL for d in range(rank)]

    def body(args: list[ir.Value]) -> list[ir.Value]:
        v, b, bi = args
        flat = index_const(0)
        for d in axes:  # flattened index over the reduced dims (C order)
            flat = arith.AddIOp(arith.MulIOp(flat, sizes[d]).result,
                                linalg.index(d)).result
        flat64 = arith.IndexCastOp(i64, flat).result
        if is_float(elem):
            better = arith.CmpFOp(arith.CmpFPredicate.OGT, v, b).result
            nan_new = arith.CmpFOp(arith.CmpFPredicate.UNO, v, v).result
            nan_old = arith.CmpFOp(arith.CmpFPredicate.UNO, b, b).result
            better = arith.OrIOp(better, arith.AndIOp(nan_new, arith.XOrIOp(
                nan_old, scalars.const_like(nan_old.type, True)).result).result).result
        else:
            pred = arith.CmpIPredicate.ugt if ir.IntegerType(elem).width == 1 else \
                arith.CmpIPredicate.sgt
            better = arith.CmpIOp(pred, v, b).result
        # The first element always wins (handles an all -inf or all-NaN row).
        first = arith.CmpIOp(arith.CmpIPredicate.eq, flat64,
                             arith.ConstantOp(i64, 0).result).result
        take = arith.OrIOp(better, first).result
        return [arith.SelectOp(take, v, b).result, arith.SelectOp(take, flat64, bi).result]
    res = generic([(x, ident)], [(best, out_map), (idx, out_map)], kinds, body)[1]
    out = e.type
    assert isinstance(out, TensorV) and out.dtype is not None
    final_t = element_type(out.dtype)
    if final_t != i64:
        res = _map1(res, lambda v: scalars.convert(v, final_t), final_t)
    if keepdims:
        res = _expand(res, keep, rank, sizes)
    return res


def matmul(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    """Array-API matmul: 1-D operands promoted, batch dims broadcast; loops ordered (batch,
    i, k, j) so the innermost loop runs along contiguous rows of `b` and the result."""
    a_e, b_e = e.args
    at, bt, out = a_e.type, b_e.type, e.type
    assert isinstance(at, TensorV) and isinstance(bt, TensorV) and isinstance(out, TensorV)
    assert out.dtype is not None
    a, b = em.value(a_e), em.value(b_e)
    ra, rb = len(at.shape.prefix), len(bt.shape.prefix)
    elem = element_type(out.dtype)
    acc_t = ir.F32Type.get() if isinstance(elem, (ir.F16Type, ir.BF16Type)) else elem
    a_sizes, b_sizes = dims_of(a), dims_of(b)
    # Loop dims: batch..., i, k, j  (i absent when a is 1-D, j absent when b is 1-D)
    batch = max(ra - 2, rb - 2, 0)
    has_i, has_j = ra >= 2, rb >= 2
    n = batch + int(has_i) + 1 + int(has_j)
    i_d = batch if has_i else None
    k_d = batch + int(has_i)
    j_d = k_d + 1 if has_j else None

    def batch_exprs(r: int, t: TensorV) -> list[int | None]:
        nb = r - 2
        ones = [isinstance(d, type(None)) is False and getattr(d, "const_value", None) == 1
                for d in t.shape.prefix[:nb]]
        return [None if ones[q] else batch - nb + q for q in range(nb)]
    a_map = (batch_exprs(ra, at) if ra > 2 else []) + ([i_d] if has_i else []) + [k_d]
    b_map = (batch_exprs(rb, bt) if rb > 2 else []) + [k_d] + ([j_d] if has_j else [])
    out_dims = list(range(batch)) + ([i_d] if has_i else []) + ([j_d] if has_j else [])
    sizes: list[ir.Value] = []
    for q in range(batch):
        qa, qb = q - (batch - (ra - 2)), q - (batch - (rb - 2))
        if qa >= 0 and a_map[qa] is not None:
            sizes.append(a_sizes[qa])
        elif qb >= 0 and b_map[qb] is not None:
            sizes.append(b_sizes[qb])
        else:
            sizes.append(index_const(1))
    if has_i:
        sizes.append(a_sizes[ra - 2])
    if has_j:
        sizes.append(b_sizes[rb - 1])
    init = linalg.fill(scalars.const_like(acc_t, 0), outs=[empty(sizes, acc_t)])
    kinds = [PARALLEL] * n
    kinds[k_d] = REDUCTION

    def body(args: list[ir.Value]) -> list[ir.Value]:
        x, y, acc = (scalars.convert(args[0], acc_t), scalars.convert(args[1], acc_t), args[2])
        return [scalars.binary("add", acc, scalars.binary("mul", x, y))]
    res = generic([(a, affine_map(n, a_map)), (b, affine_map(n, b_map))],
                  [(init, affine_map(n, out_dims))], kinds, body)[0]
    if acc_t != elem:
        res = _map1(res, lambda v: scalars.convert(v, elem), elem)
    return res


def all_nonneg(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    """Whether every element of an integer tensor is >= 0 (an i1)."""
    x = em.value(e.args[0])
    rank = ir.RankedTensorType(x.type).rank
    i8 = ir.IntegerType.get_signless(8)  # no i1 tensors (see lowering.widen_i1)
    init = linalg.fill(scalars.const_like(i8, 1), outs=[empty([], i8)])

    def body(args: list[ir.Value]) -> list[ir.Value]:
        ok = arith.CmpIOp(arith.CmpIPredicate.sge, args[0],
                          scalars.const_like(args[0].type, 0)).result
        return [arith.AndIOp(args[1], arith.ExtUIOp(i8, ok).result).result]
    red = generic([(x, affine_map(rank, list(range(rank))))], [(init, affine_map(rank, []))],
                  [REDUCTION] * rank, body)[0]
    flag = tensor.ExtractOp(red, []).result
    result: ir.Value = arith.CmpIOp(arith.CmpIPredicate.ne, flag,
                                    scalars.const_like(i8, 0)).result
    return result


def handlers(em: "ExprEmitter") -> dict[str, Callable[[tir.Op], Any]]:
    out: dict[str, Callable[[tir.Op], Any]] = {
        k: (lambda e: reduce(em, e)) for k in ("sum", "max", "min", "mean", "argmax")}
    out["matmul"] = lambda e: matmul(em, e)
    out["all_nonneg"] = lambda e: all_nonneg(em, e)
    return out


__all__ = ["handlers", "NoneV"]
