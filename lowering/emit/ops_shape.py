"""Shape operations and creation functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from mlir import ir
from mlir.dialects import arith, tensor

from lowering import tir
from lowering.emit import linalg_ops as linalg
from lowering.emit import scalars
from lowering.emit.context import (dims_of, element_type, empty, index_const, tensor_type,
                                   to_i64, to_index)
from lowering.emit.generic import PARALLEL, affine_map, generic
from typecheck.values import DTypeV, TensorV

if TYPE_CHECKING:
    from lowering.emit.exprs import ExprEmitter


def _out(e: tir.Op) -> TensorV:
    assert isinstance(e.type, TensorV) and e.type.dtype is not None
    return e.type


def transpose(x: ir.Value, perm: list[int]) -> ir.Value:
    sizes = dims_of(x)
    init = empty([sizes[p] for p in perm], ir.RankedTensorType(x.type).element_type)
    rank = len(perm)
    # out[i] = x[j] where out dim d is x dim perm[d]
    in_map = [0] * rank
    for d, p in enumerate(perm):
        in_map[p] = d
    return generic([(x, affine_map(rank, in_map))], [(init, affine_map(rank, list(range(rank))))],
                   [PARALLEL] * rank, lambda a: [a[0]])[0]


def _static_ints(e: tir.Expr) -> list[int]:
    if isinstance(e, tir.TupleExpr):
        return [scalars.static_int(i) for i in e.items]
    assert isinstance(e, tir.Const)
    return [scalars.static_int(e)]


def _shape_values(em: "ExprEmitter", e: tir.Expr) -> list[ir.Value]:
    items = e.items if isinstance(e, tir.TupleExpr) else (e,)
    return [to_index(em.value(i)) for i in items]


def _element_counts(em: "ExprEmitter", e: tir.Op
                    ) -> tuple[ir.Value, list[ir.Value], ir.Value, ir.Value]:
    """For `reshape(x, shape)`: x, the requested sizes, x's element count, and the product
    of the requested sizes other than -1."""
    x = em.value(e.args[0])
    new = _shape_values(em, e.args[1])
    total = index_const(1)
    for s in dims_of(x):
        total = arith.MulIOp(total, s).result
    known = index_const(1)
    for s in new:
        known = arith.MulIOp(known, arith.SelectOp(_is_minus1(s), index_const(1), s).result
                             ).result
    return x, new, total, known


def _is_minus1(s: ir.Value) -> ir.Value:
    return arith.CmpIOp(arith.CmpIPredicate.eq, s, index_const(-1)).result


def reshape(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    x, new, total, known = _element_counts(em, e)
    # -1 takes the remaining size
    rest = arith.DivUIOp(total, arith.MaxUIOp(known, index_const(1)).result).result
    sizes = [arith.SelectOp(_is_minus1(s), rest, s).result for s in new]
    elem = ir.RankedTensorType(x.type).element_type
    contiguous = linalg.copy(x, outs=[empty(dims_of(x), elem)])
    return _via_flat(contiguous, sizes, elem)


def _via_flat(x: ir.Value, sizes: list[ir.Value], elem: ir.Type) -> ir.Value:
    """Reshape a contiguous tensor by collapsing it to 1-D and expanding to `sizes` (the
    front end has checked that the element counts agree)."""
    dyn = ir.ShapedType.get_dynamic_size()
    i64 = ir.IntegerType.get_signless(64)
    rank_in = ir.RankedTensorType(x.type).rank
    flat_t = ir.RankedTensorType.get([dyn], elem)
    if rank_in == 0:
        flat = tensor.FromElementsOp(ir.RankedTensorType.get([1], elem),
                                     [tensor.ExtractOp(x, []).result]).result
        flat = tensor.CastOp(flat_t, flat).result
    else:
        group = ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(i64, d)
                                                    for d in range(rank_in)])])
        flat = tensor.CollapseShapeOp(flat_t, x, group).result
    if not sizes:
        return tensor.FromElementsOp(ir.RankedTensorType.get([], elem),
                                     [tensor.ExtractOp(flat, [index_const(0)]).result]).result
    # `tensor.expand_shape` into several dynamic dims is not lowerable here (one dynamic size
    # per group), so the result gathers from the flat tensor at its row-major offset.
    rank = len(sizes)

    def body(args: list[ir.Value]) -> list[ir.Value]:
        lin = index_const(0)
        for d in range(rank):
            lin = arith.AddIOp(arith.MulIOp(lin, sizes[d]).result,
                               linalg.index(d)).result
        return [tensor.ExtractOp(flat, [lin]).result]
    return generic([], [(empty(sizes, elem), affine_map(rank, list(range(rank))))],
                   [PARALLEL] * rank, body)[0]


def reshape_ok(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    """Whether `reshape(x, shape)` keeps the element count (one -1 takes the rest)."""
    _, new, total, known = _element_counts(em, e)
    holes = index_const(0)
    ok = arith.ConstantOp(ir.IntegerType.get_signless(1), 1).result
    for s in new:
        is_m1 = _is_minus1(s)
        holes = arith.AddIOp(holes, arith.IndexCastOp(ir.IndexType.get(), arith.ExtUIOp(
            ir.IntegerType.get_signless(64), is_m1).result).result).result
        nonneg = arith.CmpIOp(arith.CmpIPredicate.sge, s, index_const(0)).result
        ok = arith.AndIOp(ok, arith.OrIOp(nonneg, is_m1).result).result
    exact = arith.CmpIOp(arith.CmpIPredicate.eq, known, total).result
    safe = arith.MaxSIOp(known, index_const(1)).result
    divides = arith.AndIOp(
        arith.CmpIOp(arith.CmpIPredicate.ne, known, index_const(0)).result,
        arith.CmpIOp(arith.CmpIPredicate.eq, arith.RemUIOp(total, safe).result,
                     index_const(0)).result).result
    none = arith.CmpIOp(arith.CmpIPredicate.eq, holes, index_const(0)).result
    one = arith.CmpIOp(arith.CmpIPredicate.eq, holes, index_const(1)).result
    fits = arith.OrIOp(arith.AndIOp(none, exact).result, arith.AndIOp(one, divides).result)
    return arith.AndIOp(ok, fits.result).result


def numel(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    """The element count of a tensor (i64)."""
    total = index_const(1)
    for s in dims_of(em.value(e.args[0])):
        total = arith.MulIOp(total, s).result
    return to_i64(total)


def expand_dims(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    x = em.value(e.args[0])
    rank = ir.RankedTensorType(x.type).rank
    axis = _static_ints(e.args[1])[0] % (rank + 1)
    return insert_unit_dims(x, [axis])


def insert_unit_dims(x: ir.Value, axes: list[int]) -> ir.Value:
    """`x` with size-1 dims inserted at `axes` (positions in the result)."""
    src_rank = ir.RankedTensorType(x.type).rank
    rank = src_rank + len(axes)
    elem = ir.RankedTensorType(x.type).element_type
    sizes = dims_of(x)
    dyn = ir.ShapedType.get_dynamic_size()
    static = [1 if d in axes else dyn for d in range(rank)]
    groups: list[list[int]] = []
    pending: list[int] = []
    for d in range(rank):
        if d in axes:
            pending.append(d)
        else:
            groups.append(pending + [d])
            pending = []
    if pending:
        if groups:
            groups[-1].extend(pending)
    reassoc = ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(
        ir.IntegerType.get_signless(64), i) for i in g]) for g in groups])
    res_t = ir.RankedTensorType.get(static, elem)
    out = tensor.ExpandShapeOp(res_t, x, reassoc, sizes, ir.DenseI64ArrayAttr.get(static)).result
    return tensor.CastOp(ir.RankedTensorType.get([dyn] * rank, elem), out).result


def squeeze(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    x = em.value(e.args[0])
    rank = ir.RankedTensorType(x.type).rank
    axes = {a % rank for a in _static_ints(e.args[1])}
    sizes = dims_of(x)
    keep = [d for d in range(rank) if d not in axes]
    elem = ir.RankedTensorType(x.type).element_type
    dyn = ir.ShapedType.get_dynamic_size()
    res_t = ir.RankedTensorType.get([dyn] * len(keep), elem)
    slice_sizes: Mixed = [sizes[d] if d in keep else 1 for d in range(rank)]
    return extract_slice(x, [0] * rank, slice_sizes, [1] * rank, res_t)


Mixed = list["int | ir.Value"]


def _split(items: Mixed, dynamic: int) -> tuple[list[ir.Value], ir.DenseI64ArrayAttr]:
    """Static entries as ints in the attribute, dynamic ones as SSA operands."""
    values = [i for i in items if isinstance(i, ir.Value)]
    static = [dynamic if isinstance(i, ir.Value) else int(i) for i in items]
    return values, ir.DenseI64ArrayAttr.get(static)


def extract_slice(x: ir.Value, offsets: Mixed, sizes: Mixed, strides: Mixed,
                  result_t: ir.Type) -> ir.Value:
    """`tensor.extract_slice`; static 1 sizes allow rank-reducing result types."""
    dyn_i = ir.ShapedType.get_dynamic_stride_or_offset()
    dyn_s = ir.ShapedType.get_dynamic_size()
    o, so = _split(offsets, dyn_i)
    z, sz = _split(sizes, dyn_s)
    t, st = _split(strides, dyn_i)
    return tensor.ExtractSliceOp(result_t, x, o, z, t, so, sz, st).result


def insert_slice(src: ir.Value, dest: ir.Value, offsets: Mixed, sizes: Mixed,
                 strides: Mixed) -> ir.Value:
    """`tensor.insert_slice` (the source may be rank-reduced over static 1 sizes)."""
    dyn_i = ir.ShapedType.get_dynamic_stride_or_offset()
    dyn_s = ir.ShapedType.get_dynamic_size()
    o, so = _split(offsets, dyn_i)
    z, sz = _split(sizes, dyn_s)
    t, st = _split(strides, dyn_i)
    return tensor.InsertSliceOp(src, dest, o, z, t, so, sz, st).result


def broadcast_to(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    from lowering.emit.exprs import known_ones
    x = em.value(e.args[0])
    xt = e.args[0].type
    assert isinstance(xt, TensorV)
    sizes = _shape_values(em, e.args[1])
    rank = len(sizes)
    ones = known_ones(xt)
    offset = rank - len(ones)
    in_map = [None if ones[k] else offset + k for k in range(len(ones))]
    init = empty(sizes, ir.RankedTensorType(x.type).element_type)
    return generic([(x, affine_map(rank, in_map))], [(init, affine_map(rank, list(range(rank))))],
                   [PARALLEL] * rank, lambda a: [a[0]])[0]


def concat(em: "ExprEmitter", e: tir.Op, stack: bool = False) -> ir.Value:
    parts_e = e.args[0]
    assert isinstance(parts_e, tir.TupleExpr)
    out = _out(e)
    elem = element_type(out.dtype)  # type: ignore[arg-type]
    parts = []
    for p in parts_e.items:
        v = em.value(p)
        pt = p.type
        assert isinstance(pt, TensorV) and pt.dtype is not None
        if element_type(pt.dtype) != elem:
            v = _convert_tensor(v, elem)
        parts.append(v)
    rank = len(out.shape.prefix)
    axis = _static_ints(e.args[1])[0] % rank
    if stack:
        parts = [insert_unit_dims(p, [axis]) for p in parts]
    sizes = dims_of(parts[0])
    total = index_const(0)
    for p in parts:
        total = arith.AddIOp(total, tensor.DimOp(p, index_const(axis)).result).result
    sizes[axis] = total
    result = empty(sizes, elem)
    at = index_const(0)
    for p in parts:
        psizes = dims_of(p)
        offsets: Mixed = [at if d == axis else 0 for d in range(rank)]
        result = insert_slice(p, result, offsets, list(psizes), [1] * rank)
        at = arith.AddIOp(at, psizes[axis]).result
    return result


def _convert_tensor(v: ir.Value, elem: ir.Type) -> ir.Value:
    rank = ir.RankedTensorType(v.type).rank
    init = empty(dims_of(v), elem)
    ident = affine_map(rank, list(range(rank)))
    return generic([(v, ident)], [(init, ident)], [PARALLEL] * rank,
                   lambda a: [scalars.convert(a[0], elem)])[0]


def filled(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    out = _out(e)
    elem = element_type(out.dtype)  # type: ignore[arg-type]
    if e.op == "zeros_like":
        sizes = dims_of(em.value(e.args[0]))
        value = scalars.const_like(elem, 0)
    else:
        sizes = _shape_values(em, e.args[0])
        if e.op == "full":
            value = scalars.convert(em.value(e.args[1]), elem)
        else:
            value = scalars.const_like(elem, 1 if e.op == "ones" else 0)
    filled: ir.Value = linalg.fill(value, outs=[empty(sizes, elem)])
    return filled


def arange(em: "ExprEmitter", e: tir.Op) -> ir.Value:
    out = _out(e)
    elem = element_type(out.dtype)  # type: ignore[arg-type]
    n = to_index(em.value(e.args[0]))
    init = empty([n], elem)
    i64 = ir.IntegerType.get_signless(64)

    def body(a: list[ir.Value]) -> list[ir.Value]:
        i = arith.IndexCastOp(i64, linalg.index(0)).result
        return [scalars.convert(i, elem)]
    return generic([], [(init, affine_map(1, [0]))], [PARALLEL], body)[0]


def handlers(em: "ExprEmitter") -> dict[str, Callable[[tir.Op], Any]]:
    def perm(e: tir.Op) -> ir.Value:
        x = em.value(e.args[0])
        rank = ir.RankedTensorType(x.type).rank
        if e.op == "permute_dims":
            p = [a % rank for a in _static_ints(e.args[1])]
        else:
            p = list(range(rank - 2)) + [rank - 1, rank - 2]
        return transpose(x, p)
    return {
        "T": perm, "matrix_transpose": perm, "permute_dims": perm,
        "reshape": lambda e: reshape(em, e), "reshape_ok": lambda e: reshape_ok(em, e),
        "numel": lambda e: numel(em, e), "expand_dims": lambda e: expand_dims(em, e),
        "squeeze": lambda e: squeeze(em, e), "broadcast_to": lambda e: broadcast_to(em, e),
        "concat": lambda e: concat(em, e), "stack": lambda e: concat(em, e, stack=True),
        "zeros": lambda e: filled(em, e), "ones": lambda e: filled(em, e),
        "full": lambda e: filled(em, e), "zeros_like": lambda e: filled(em, e),
        "arange": lambda e: arange(em, e),
    }


__all__ = ["handlers", "DTypeV"]
