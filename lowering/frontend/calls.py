"""Calls inside a kernel: `dsl` operations, supported builtins, and other kernels (inlined)."""

from __future__ import annotations

import ast
import inspect
from typing import TYPE_CHECKING, Any

from lowering import tir
from lowering.frontend import resolve
from lowering.frontend.values import const_value, describe
from typecheck.dims import Dim
from typecheck.values import ScalarV, TensorV, TupleV

if TYPE_CHECKING:
    from lowering.frontend.exprs import ExprBuilder

INT = ScalarV("int")


def build_call(b: "ExprBuilder", node: ast.Call) -> tir.Expr:
    """The typed expression of a call."""
    from lowering.frontend.exprs import Static
    callee = b.value_or_static(node.func)
    if not isinstance(callee, Static):
        raise b.error(node, "only dsl operations, other kernels and a few builtins can be "
                      "called in a kernel")
    obj = callee.obj
    op = resolve.dsl_op(obj)
    if op is not None:
        return dsl_call(b, node, op, obj)
    if resolve.is_kernel(obj):
        return b.inline_kernel(node, obj)  # type: ignore[attr-defined,no-any-return]
    name = resolve.builtin_name(obj)
    if name in ("int", "float", "bool", "min", "max", "abs", "len"):
        return builtin_call(b, node, name)
    if name == "print":
        raise b.error(node, "print(...) must be a statement of its own")
    if name == "range":
        raise b.error(node, "range(...) can only be iterated by a `for` loop")
    raise b.error(node, f"cannot call {getattr(obj, '__name__', repr(obj))} in a kernel")


def dsl_call(b: "ExprBuilder", node: ast.Call, op: str, fn: Any) -> tir.Expr:
    """A dsl operation: arguments bound to its parameters in order (defaults filled in)."""
    if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords):
        raise b.error(node, "*args and **kwargs are not supported in kernel calls")
    sig = inspect.signature(fn)
    args = [b.expr(a) for a in node.args]
    kwargs = {k.arg: b.expr(k.value) for k in node.keywords if k.arg is not None}
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise b.error(node, f"dsl.{op}(): {exc}") from None
    ordered: list[tir.Expr] = []
    for p in sig.parameters.values():
        if p.name in bound.arguments:
            ordered.append(bound.arguments[p.name])
        else:
            ordered.append(b.const(node, p.default))
    t = b.apply(node, op, [e.type for e in ordered])
    _require_static(b, node, op, ordered)
    if op in ("maximum", "minimum", "where"):
        b.broadcast_checks(b.loc(node), op, ordered)
    if op == "matmul":
        b.matmul_checks(b.loc(node), ordered[0], ordered[1])
    if op in ("max", "min", "argmax"):
        _nonempty_check(b, node, op, ordered)
    if op == "reshape":
        _reshape_check(b, node, ordered)
    return tir.Op(b.loc(node), t, op, tuple(ordered))


def _nonempty_check(b: "ExprBuilder", node: ast.Call, op: str, args: list[tir.Expr]) -> None:
    """`max`/`min`/`argmax` over an axis of size 0 raise ShapeError (as eager does): each
    reduced dim that the checker does not know to be non-zero is checked at run time."""
    x, axis = args[0], args[1]
    t = x.type
    if not isinstance(t, TensorV) or t.shape.var is not None:
        return
    rank = len(t.shape.prefix)
    if isinstance(axis, tir.Const) and axis.value is None:
        axes = list(range(rank))
    else:
        items = axis.items if isinstance(axis, tir.TupleExpr) else (axis,)
        axes = sorted({i.value % rank for i in items
                       if isinstance(i, tir.Const) and isinstance(i.value, int)} if rank else ())
    loc = b.loc(node)
    for ax in axes:
        d = t.shape.prefix[ax]
        if isinstance(d, Dim) and d.const_value is not None and d.const_value > 0:
            continue
        size = b.scalar_op(loc, "dim", x, b.int_const(loc, ax))
        b.check(loc, b.scalar_op(loc, "gt", size, b.int_const(loc, 0)), "ShapeError",
                f"{op}() over axis {ax}, which has size {{a}}", size)


def _reshape_check(b: "ExprBuilder", node: ast.Call, args: list[tir.Expr]) -> None:
    """The element count must not change (a -1 takes what is left): checked at run time."""
    loc = b.loc(node)
    bool_t = ScalarV("bool")
    ok = tir.Op(loc, bool_t, "reshape_ok", (args[0], args[1]))
    count = tir.Op(loc, ScalarV("int"), "numel", (args[0],))
    b.check(loc, ok, "ShapeError", "cannot reshape a tensor of {a} elements into the "
            "requested shape", count)


# Arguments that must be compile-time constants, by op and position.
_STATIC_ARGS: dict[str, tuple[int, ...]] = {
    "sum": (1, 2), "max": (1, 2), "min": (1, 2), "mean": (1, 2), "argmax": (1, 2),
    "permute_dims": (1,), "expand_dims": (1,), "squeeze": (1,), "concat": (1,),
    "stack": (1,), "astype": (1,), "zeros": (1,), "ones": (1,), "full": (2,),
    "arange": (1,),
}


def _require_static(b: "ExprBuilder", node: ast.Call, op: str, args: list[tir.Expr]) -> None:
    for i in _STATIC_ARGS.get(op, ()):
        if i < len(args) and not _is_static(args[i]):
            raise b.error(node, f"dsl.{op}(): argument {i + 1} must be a compile-time "
                          "constant (a literal or a module-level constant)")


def _is_static(e: tir.Expr) -> bool:
    if isinstance(e, tir.Const):
        return True
    if isinstance(e, tir.TupleExpr):
        return all(_is_static(i) for i in e.items)
    return False


def builtin_call(b: "ExprBuilder", node: ast.Call, name: str) -> tir.Expr:
    """`int(x)`, `float(x)`, `bool(x)`, `min(a, b)`, `max(a, b)`, `abs(x)`, `len(x)`."""
    if node.keywords:
        raise b.error(node, f"{name}() takes no keyword arguments in a kernel")
    args = [b.expr(a) for a in node.args]
    loc = b.loc(node)
    if name == "len":
        if len(args) != 1 or not isinstance(args[0].type, TensorV):
            raise b.error(node, "len() takes one tensor")
        return b.scalar_op(loc, "dim", args[0], b.int_const(loc, 0))
    if name in ("int", "float", "bool"):
        if len(args) != 1:
            raise b.error(node, f"{name}() takes one argument in a kernel")
        x = args[0]
        if isinstance(x.type, TensorV):
            if x.type.shape.var is not None or x.type.shape.prefix:
                raise b.error(node, f"{name}() needs a scalar or a 0-d tensor, got "
                              f"{describe(x.type)}")
            x = tir.Op(loc, ScalarV(_item_kind(x.type)), "item", (x,))
        value = x.type.value if (isinstance(x.type, ScalarV) and name == "int" and
                                 x.type.kind in ("int", "bool")) else None
        return tir.Op(loc, ScalarV(name, value), "scalar_cast", (x,))
    if name in ("min", "max"):
        if len(args) < 2 or not all(isinstance(a.type, ScalarV) for a in args):
            raise b.error(node, f"{name}() takes two or more scalars in a kernel (use "
                          f"dsl.{name} for tensors)")
        result = args[0]
        for a in args[1:]:
            kind = _scalar_kind(b, node, result, a)
            result = tir.Op(loc, ScalarV(kind), f"scalar_{name}", (result, a))
        return result
    if len(args) != 1 or not isinstance(args[0].type, ScalarV):
        raise b.error(node, "abs() takes one scalar in a kernel (use dsl.abs for tensors)")
    kind = args[0].type.kind
    return tir.Op(loc, ScalarV("int" if kind == "bool" else kind), "scalar_abs", (args[0],))


def _scalar_kind(b: "ExprBuilder", node: ast.AST, x: tir.Expr, y: tir.Expr) -> str:
    kinds = {x.type.kind, y.type.kind}  # type: ignore[union-attr]
    return "float" if "float" in kinds else "int"


def _item_kind(t: TensorV) -> str:
    if t.dtype is None:
        return "float"
    v = t.dtype.value
    return "bool" if v == "bool" else ("int" if v.startswith("int") else "float")


__all__ = ["build_call", "const_value", "TupleV"]
