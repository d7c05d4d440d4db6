"""`x[idx]` and `x[idx] = v`: indices in a canonical form, with run-time bounds checks.

Canonical index items, one per consumed dim (plus `None` for a new axis): an int index is
`Op("index_norm", (i, size))` (a negative index counts from the end), a slice is a
`SliceExpr` with explicit `lo`/`hi` and a literal positive step. A compiled kernel never reads
or writes outside a buffer: every index and slice bound that the checker cannot prove in range
is checked at run time (slices are not clamped as in Python: an out-of-range bound raises
`IndexError`, because the shapes the checker inferred must hold at run time).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from lowering import tir
from typecheck.dims import Dim
from typecheck.values import (EllipsisV, NoneV, ScalarV, SliceV, TensorV, TupleV, Value)

if TYPE_CHECKING:
    from lowering.frontend.exprs import ExprBuilder

INT = ScalarV("int")
BOOL = ScalarV("bool")


def index_items(b: "ExprBuilder", node: ast.expr) -> list[ast.expr]:
    """The items of an index expression."""
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _abstract(b: "ExprBuilder", item: ast.expr) -> tuple[Value, tir.Expr | None,
                                                          tuple[tir.Expr | None, ...] | None]:
    """The item's abstract value, and its built expression(s)."""
    if isinstance(item, ast.Slice):
        parts = tuple(b.expr(p) if p is not None else None
                      for p in (item.lower, item.upper, item.step))
        return SliceV(*(p.type if p is not None else None for p in parts)), None, parts
    e = b.expr(item)
    return e.type, e, None


def build_getitem(b: "ExprBuilder", node: ast.Subscript, x: tir.Expr) -> tir.Expr:
    """`x[idx]` as `Op("getitem", (x, canonical index))`."""
    index, idx_value = canonical_index(b, node, x)
    t = b.apply(node, "getitem", [x.type, idx_value])
    return tir.Op(b.loc(node), t, "getitem", (x, index))


def canonical_index(b: "ExprBuilder", node: ast.Subscript, x: tir.Expr
                    ) -> tuple[tir.TupleExpr, Value]:
    """The canonical index of `x[...]` (with its checks added) and the index's abstract value
    for the shape rule."""
    t = x.type
    if not isinstance(t, TensorV) or t.shape.var is not None:
        raise b.error(node, "indexing needs a tensor of known rank")
    items = [_abstract(b, i) for i in index_items(b, node.slice)]
    values = [v for v, _, _ in items]
    idx_value: Value = TupleV(tuple(values)) if len(values) != 1 or isinstance(
        node.slice, ast.Tuple) else values[0]
    dims = t.shape.prefix
    consumed = sum(1 for v in values if isinstance(v, (ScalarV, SliceV, TensorV)))
    if consumed > len(dims):
        raise b.error(node, f"too many indices for a tensor of rank {len(dims)}")
    out: list[tir.Expr] = []
    axis = 0
    loc = b.loc(node)
    for (value, expr, parts), item in zip(items, index_items(b, node.slice)):
        if isinstance(value, EllipsisV):
            for _ in range(len(dims) - consumed):
                out.append(_full_slice(b, loc, x, axis))
                axis += 1
        elif isinstance(value, NoneV):
            out.append(tir.Const(loc, NoneV(), None))
        elif isinstance(value, SliceV):
            assert parts is not None
            out.append(_slice(b, item, x, axis, parts))
            axis += 1
        elif isinstance(value, ScalarV) and expr is not None:
            if value.kind == "float":
                raise b.error(item, "tensor indices must be ints, not floats")
            out.append(_int_index(b, item, x, axis, expr))
            axis += 1
        else:
            raise b.error(item, "only ints, slices, `None` and `...` can index a tensor in a "
                          "compiled kernel")
    while axis < len(dims):
        out.append(_full_slice(b, loc, x, axis))
        axis += 1
    return tir.TupleExpr(loc, TupleV(tuple(e.type for e in out)), tuple(out)), idx_value


def _size(b: "ExprBuilder", loc: tir.SourceLoc, x: tir.Expr, axis: int) -> tir.Expr:
    return b.scalar_op(loc, "dim", x, b.int_const(loc, axis))


def _full_slice(b: "ExprBuilder", loc: tir.SourceLoc, x: tir.Expr, axis: int) -> tir.SliceExpr:
    zero, one = b.int_const(loc, 0), b.int_const(loc, 1)
    return tir.SliceExpr(loc, SliceV(None, None, None), zero, _size(b, loc, x, axis), one)


def _normalized(b: "ExprBuilder", loc: tir.SourceLoc, i: tir.Expr, size: tir.Expr) -> tir.Expr:
    """`i` with a negative value counted from the end (a literal non-negative stays)."""
    if isinstance(i, tir.Const) and isinstance(i.value, int) and i.value >= 0:
        return i
    return tir.Op(loc, INT, "index_norm", (_as_int(b, i), size))


def _as_int(b: "ExprBuilder", i: tir.Expr) -> tir.Expr:
    if isinstance(i.type, ScalarV) and i.type.kind == "bool":
        return tir.Op(i.loc, INT, "scalar_cast", (i,))
    if isinstance(i.type, TensorV):
        return tir.Op(i.loc, INT, "item", (i,))
    return i


def _int_index(b: "ExprBuilder", node: ast.AST, x: tir.Expr, axis: int, i: tir.Expr
               ) -> tir.Expr:
    loc = b.loc(node)
    size = _size(b, loc, x, axis)
    n = _normalized(b, loc, i, size)
    if not _provably_in_range(x, axis, i):
        ok = tir.Op(loc, BOOL, "bool_and", (
            b.scalar_op(loc, "le", b.int_const(loc, 0), n), b.scalar_op(loc, "lt", n, size)))
        b.check(loc, ok, "IndexError",
                f"index {{a}} is out of bounds for dim {axis} of size {{b}}", i, size)
    return n


def _provably_in_range(x: tir.Expr, axis: int, i: tir.Expr) -> bool:
    t = x.type
    assert isinstance(t, TensorV)
    d = t.shape.prefix[axis]
    if not isinstance(i, tir.Const) or not isinstance(d, Dim) or d.const_value is None:
        return False
    c = i.value
    return isinstance(c, int) and -d.const_value <= c < d.const_value


def _slice(b: "ExprBuilder", node: ast.AST, x: tir.Expr, axis: int,
           parts: tuple[tir.Expr | None, ...]) -> tir.SliceExpr:
    loc = b.loc(node)
    lo, hi, step = parts
    if step is not None and not (isinstance(step, tir.Const) and isinstance(step.value, int)
                                 and step.value >= 1):
        raise b.error(node, "slice steps must be literal positive ints in a compiled kernel")
    size = _size(b, loc, x, axis)
    lo_e = b.int_const(loc, 0) if lo is None else _normalized(b, loc, lo, size)
    hi_e = size if hi is None else _normalized(b, loc, hi, size)
    step_e = step if step is not None else b.int_const(loc, 1)
    if lo is not None or hi is not None:
        ok = tir.Op(loc, BOOL, "bool_and", (
            b.scalar_op(loc, "le", b.int_const(loc, 0), lo_e),
            tir.Op(loc, BOOL, "bool_and", (b.scalar_op(loc, "le", lo_e, hi_e),
                                           b.scalar_op(loc, "le", hi_e, size)))))
        b.check(loc, ok, "IndexError",
                f"slice {{a}}:{{b}} is out of bounds for dim {axis} (a compiled kernel does "
                "not clamp slices)", lo_e, hi_e)
    t = SliceV(*(p.type if p is not None else None for p in parts))
    return tir.SliceExpr(loc, t, lo_e, hi_e, step_e)
