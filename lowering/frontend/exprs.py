"""Expressions: Python AST to typed IR, typed with the shared shape/dtype rules."""

from __future__ import annotations

import ast
import inspect
from typing import Any, Callable

import dsl
from dsl._errors import CompileError, SourceLoc
from lowering import tir
from lowering.frontend import resolve
from lowering.frontend.sites import Sites
from lowering.frontend.values import const_value, describe, join
from lowering.source import FunctionSource
from typecheck import rules
from typecheck.dims import Dim
from typecheck.errors import DTypeError, ShapeError
from typecheck.values import (NoneV, ScalarV, SliceV, TensorV, TupleV, UnknownV, Value)

_BINOPS: dict[type, str] = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
    ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul",
    ast.BitAnd: "and", ast.BitOr: "or",
}
_CMPOPS: dict[type, str] = {
    ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq", ast.NotEq: "ne",
}
INT = ScalarV("int")
BOOL = ScalarV("bool")


class Static:
    """A name or attribute that denotes a Python object, not a run-time value."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj


class ExprBuilder:
    """Builds typed expressions; checks it needs become `pre` statements."""

    def __init__(self, src: FunctionSource, sites: Sites, env: dict[str, Value],
                 prefix: str = "") -> None:
        self.src = src
        self.sites = sites
        self.env = env
        self.prefix = prefix
        self.pre: list[tir.Stmt] = []
        self._tmp = 0

    # --- helpers ------------------------------------------------------------------------
    def loc(self, node: ast.AST) -> SourceLoc:
        return self.src.loc(node)

    def error(self, node: ast.AST, msg: str) -> CompileError:
        return self.src.error(node, msg)

    def local(self, name: str) -> str:
        """The IR name of a source variable (callees inlined into a caller get a prefix)."""
        return self.prefix + name

    def temp(self, hint: str) -> str:
        self._tmp += 1
        return f"{self.prefix}%{hint}{self._tmp}"

    def apply(self, node: ast.AST, op: str, args: list[Value],
              kwargs: dict[str, Value] | None = None) -> Value:
        """The rule's result for `op`, a `CompileError` at `node` on a shape/dtype error."""
        try:
            return rules.apply(op, args, kwargs or {})
        except (ShapeError, DTypeError) as exc:
            kind = "shape" if isinstance(exc, ShapeError) else "dtype"
            raise self.error(node, f"{kind} error: {exc}") from None

    def const(self, node: ast.AST, value: object) -> tir.Const:
        v = const_value(value)
        if v is None:
            raise self.error(node, f"{type(value).__name__} values cannot be used in a kernel")
        return tir.Const(self.loc(node), v, value)

    def int_const(self, loc: SourceLoc, value: int) -> tir.Const:
        return tir.Const(loc, ScalarV("int", Dim.const(value)), value)

    def check(self, loc: SourceLoc, cond: tir.Expr, exception: str, message: str,
              a: tir.Expr | None = None, b: tir.Expr | None = None) -> None:
        """Add a run-time check before the current statement."""
        site = self.sites.add_error(exception, message, loc)
        self.pre.append(tir.Check(loc, cond, site, a, b))

    def scalar_op(self, loc: SourceLoc, op: str, *args: tir.Expr) -> tir.Op:
        """An internal scalar op (`dim`, `index_norm`, `le`, `bool_and`, ...) typed here."""
        kind = "bool" if op in ("lt", "le", "gt", "ge", "eq", "ne", "bool_and", "bool_or",
                                "not") else "int"
        value: Dim | None = None
        if op == "dim":
            t = args[0].type
            axis = args[1]
            if isinstance(t, TensorV) and isinstance(axis, tir.Const) and t.shape.var is None:
                d = t.shape.prefix[int(axis.value)]  # type: ignore[call-overload]
                value = d if isinstance(d, Dim) else None
        return tir.Op(loc, ScalarV(kind, value), op, tuple(args))

    # --- entry --------------------------------------------------------------------------
    def expr(self, node: ast.expr) -> tir.Expr:
        """A run-time (or constant) value."""
        got = self.value_or_static(node)
        if isinstance(got, Static):
            raise self.error(node, f"{_static_text(got.obj)} is not a value a kernel can use "
                             "here")
        return got

    def value_or_static(self, node: ast.expr) -> tir.Expr | Static:
        method: Callable[[Any], tir.Expr | Static] | None = getattr(
            self, "_" + type(node).__name__, None)
        if method is None:
            raise self.error(node, f"{type(node).__name__} expressions are not supported in "
                             "kernels")
        return method(node)

    # --- leaves -------------------------------------------------------------------------
    def _Constant(self, node: ast.Constant) -> tir.Expr | Static:
        if isinstance(node.value, str):
            return Static(node.value)
        return self.const(node, node.value)

    def _Name(self, node: ast.Name) -> tir.Expr | Static:
        name = self.local(node.id)
        if name in self.env:
            return tir.Var(self.loc(node), self.env[name], name)
        found, obj = self.src.lookup(node.id)
        if not found:
            raise self.error(node, f"name '{node.id}' is not defined")
        if const_value(obj) is not None and not isinstance(obj, (tuple, list)):
            return self.const(node, obj)
        if isinstance(obj, (tuple, list)) and const_value(obj) is not None:
            return self._static_tuple(node, obj)
        return Static(obj)

    def _static_tuple(self, node: ast.AST, obj: tuple[Any, ...] | list[Any]) -> tir.Expr:
        items = tuple(self.const(node, v) for v in obj)
        return tir.TupleExpr(self.loc(node), TupleV(tuple(i.type for i in items)), items)

    def _Attribute(self, node: ast.Attribute) -> tir.Expr | Static:
        base = self.value_or_static(node.value)
        if isinstance(base, Static):
            try:
                obj = getattr(base.obj, node.attr)
            except AttributeError:
                raise self.error(node, f"{_static_text(base.obj)} has no attribute "
                                 f"'{node.attr}'") from None
            if const_value(obj) is not None and not isinstance(obj, (tuple, list)):
                return self.const(node, obj)
            return Static(obj)
        if node.attr == "T":
            return tir.Op(self.loc(node), self.apply(node, "T", [base.type]), "T", (base,))
        if node.attr == "shape":
            return Static(_ShapeOf(base))
        if node.attr == "ndim" and isinstance(base.type, TensorV) and base.type.shape.var is None:
            return self.int_const(self.loc(node), len(base.type.shape.prefix))
        raise self.error(node, f"attribute '.{node.attr}' is not supported in kernels (use "
                         "the dsl functions)")

    def _Tuple(self, node: ast.Tuple | ast.List) -> tir.Expr:
        items = tuple(self.expr(e) for e in node.elts)
        return tir.TupleExpr(self.loc(node), TupleV(tuple(i.type for i in items)), items)

    _List = _Tuple

    # --- operators ----------------------------------------------------------------------
    def _BinOp(self, node: ast.BinOp) -> tir.Expr:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.error(node, f"operator {type(node.op).__name__} is not supported")
        a, b = self.expr(node.left), self.expr(node.right)
        return self.binary(node, op, a, b)

    def binary(self, node: ast.AST, op: str, a: tir.Expr, b: tir.Expr) -> tir.Expr:
        folded = _fold(op, a, b)
        if folded is not None:
            return self.const(node, folded)
        t = self.apply(node, op, [a.type, b.type])
        if op in ("floordiv", "mod") and _is_int_scalar(b.type) and _is_int_scalar(a.type):
            zero = self.int_const(self.loc(node), 0)
            self.check(self.loc(node), self.scalar_op(self.loc(node), "ne", b, zero),
                       "ZeroDivisionError", "integer division or modulo by zero")
        if op == "pow" and isinstance(t, TensorV) and _kind_of(t) == "int":
            self.int_pow_check(self.loc(node), b)
        if op == "matmul":
            self.matmul_checks(self.loc(node), a, b)
        else:
            self.broadcast_checks(self.loc(node), op, [a, b])
        return tir.Op(self.loc(node), t, op, (a, b))

    def int_pow_check(self, loc: SourceLoc, exponent: tir.Expr) -> None:
        """Integer `**` with a negative exponent raises ValueError (as numpy does)."""
        if isinstance(exponent, tir.Const):
            if isinstance(exponent.value, int) and exponent.value >= 0:
                return
            cond: tir.Expr = tir.Const(loc, BOOL, False)
        elif isinstance(exponent.type, TensorV):
            cond = tir.Op(loc, BOOL, "all_nonneg", (exponent,))
        else:
            cond = self.scalar_op(loc, "ge", exponent, self.int_const(loc, 0))
        self.check(loc, cond, "ValueError",
                   "Integers to negative integer powers are not allowed.")

    def matmul_checks(self, loc: SourceLoc, a: tir.Expr, b: tir.Expr) -> None:
        """Run-time checks of `a @ b`: the contracted dims agree, and the batch dims
        (broadcast only where known to be 1) agree, where the checker cannot prove it."""
        at, bt = a.type, b.type
        if not (isinstance(at, TensorV) and isinstance(bt, TensorV) and at.shape.var is None
                and bt.shape.var is None):
            return
        ra, rb = len(at.shape.prefix), len(bt.shape.prefix)
        if ra == 0 or rb == 0:
            return
        pairs = [(ra - 1, rb - 2 if rb >= 2 else 0)]
        for j in range(1, min(ra, rb) - 1):
            pairs.append((ra - 2 - j, rb - 2 - j))
        for ka, kb in pairs:
            da, db = at.shape.prefix[ka], bt.shape.prefix[kb]
            batch = (ka, kb) != pairs[0]
            if batch and any(isinstance(d, Dim) and d.const_value == 1 for d in (da, db)):
                continue
            if isinstance(da, Dim) and da == db:
                continue
            sa = self.scalar_op(loc, "dim", a, self.int_const(loc, ka))
            sb = self.scalar_op(loc, "dim", b, self.int_const(loc, kb))
            what = "batch dims" if batch else "contracted dims"
            self.check(loc, self.scalar_op(loc, "eq", sa, sb), "ShapeError",
                       f"`@`: {what} {{a}} and {{b}} do not match", sa, sb)

    def broadcast_checks(self, loc: SourceLoc, op: str, args: list[tir.Expr]) -> None:
        """Run-time checks that the tensor operands of an elementwise op broadcast together
        in every dim the checker cannot prove equal (numpy's rule: the sizes there are equal
        or 1; the emitter broadcasts a size-1 operand at run time)."""
        tensors = [a for a in args if isinstance(a.type, TensorV) and a.type.shape.var is None]
        if len(tensors) < 2:
            return
        ranks = [len(t.type.shape.prefix) for t in tensors]  # type: ignore[union-attr]
        for j in range(1, max(ranks) + 1):
            cands: list[tuple[tir.Expr, int, Dim | None]] = []
            for t, rank in zip(tensors, ranks):
                if j > rank:
                    continue
                d = t.type.shape.prefix[rank - j]  # type: ignore[union-attr]
                dim = d if isinstance(d, Dim) else None
                if dim is not None and dim.const_value == 1:
                    continue
                cands.append((t, rank - j, dim))
            if len(cands) < 2 or all(c[2] is not None and c[2] == cands[0][2] for c in cands):
                continue
            one = self.int_const(loc, 1)
            sizes = [self.scalar_op(loc, "dim", t, self.int_const(loc, k)) for t, k, _ in cands]
            out: tir.Expr = sizes[0]
            for size in sizes[1:]:
                out = tir.Op(loc, INT, "select", (self.scalar_op(loc, "eq", out, one), size, out))
            for size in sizes[1:]:
                ok = tir.Op(loc, BOOL, "bool_or", (self.scalar_op(loc, "eq", size, one),
                                                   self.scalar_op(loc, "eq", size, out)))
                self.check(loc, ok, "ShapeError",
                           f"`{op}`: operand dims {{a}} and {{b}} do not broadcast (axis {-j})",
                           sizes[0], size)

    def _UnaryOp(self, node: ast.UnaryOp) -> tir.Expr:
        x = self.expr(node.operand)
        if isinstance(node.op, ast.Not):
            return tir.Op(self.loc(node), BOOL, "not", (self.truth(node.operand, x),))
        op = {ast.USub: "neg", ast.UAdd: "pos", ast.Invert: "invert"}[type(node.op)]
        if isinstance(x, tir.Const) and type(x.value) in (int, float) and op != "invert":
            return self.const(node, -x.value if op == "neg" else x.value)  # type: ignore[operator]
        return tir.Op(self.loc(node), self.apply(node, op, [x.type]), op, (x,))

    def _Compare(self, node: ast.Compare) -> tir.Expr:
        left = self.expr(node.left)
        result: tir.Expr | None = None
        for op_node, right_node in zip(node.ops, node.comparators):
            op = _CMPOPS.get(type(op_node))
            if op is None:
                raise self.error(node, f"comparison {type(op_node).__name__} is not supported")
            right = self.expr(right_node)
            cmp = tir.Op(self.loc(node), self.apply(node, op, [left.type, right.type]), op,
                         (left, right))
            self.broadcast_checks(self.loc(node), op, [left, right])
            result = cmp if result is None else self._logical(node, "bool_and", result, cmp)
            left = right
        assert result is not None
        return result

    def _logical(self, node: ast.AST, op: str, a: tir.Expr, b: tir.Expr) -> tir.Expr:
        if isinstance(a.type, TensorV) or isinstance(b.type, TensorV):
            raise self.error(node, "`and`/`or` need scalar conditions; use `&`/`|` on tensors")
        return tir.Op(self.loc(node), BOOL, op, (a, b))

    def _BoolOp(self, node: ast.BoolOp) -> tir.Expr:
        # Short-circuit: the right operand (and its checks) runs only when needed.
        op = "bool_and" if isinstance(node.op, ast.And) else "bool_or"
        loc = self.loc(node)
        name = self.temp("cond")
        first = self.truth(node.values[0], self.expr(node.values[0]))
        self.env[name] = BOOL
        self.pre.append(tir.Assign(loc, name, first))
        for value in node.values[1:]:
            saved, self.pre = self.pre, []
            rhs = self.truth(value, self.expr(value))
            inner = self.pre + [tir.Assign(loc, name, rhs)]
            self.pre = saved
            cond: tir.Expr = tir.Var(loc, BOOL, name)
            if op == "bool_or":
                cond = tir.Op(loc, BOOL, "not", (cond,))
            self.pre.append(tir.If(loc, cond, inner, []))
        return tir.Var(loc, BOOL, name)

    def truth(self, node: ast.AST, x: tir.Expr) -> tir.Expr:
        """`x` as a run-time bool scalar (a condition)."""
        t = x.type
        if isinstance(t, ScalarV):
            if t.kind == "bool":
                return x
            zero = tir.Const(x.loc, ScalarV(t.kind, Dim.const(0) if t.kind == "int" else None),
                             0 if t.kind == "int" else 0.0)
            return tir.Op(x.loc, BOOL, "ne", (x, zero))
        if isinstance(t, TensorV) and t.shape.var is None and not t.shape.prefix:
            return self.truth(node, tir.Op(x.loc, ScalarV(_kind_of(t)), "item", (x,)))
        raise self.error(node, f"a condition must be a scalar or a 0-d tensor, got "
                         f"{describe(t)}")

    def _IfExp(self, node: ast.IfExp) -> tir.Expr:
        cond = self.truth(node.test, self.expr(node.test))
        a, b = self.expr(node.body), self.expr(node.orelse)
        t = join(a.type, b.type)
        if t is None:
            raise self.error(node, f"both branches of a conditional expression must have one "
                             f"type: {describe(a.type)} vs {describe(b.type)}")
        return tir.Op(self.loc(node), t, "select", (cond, a, b))

    # --- subscripts ---------------------------------------------------------------------
    def _Subscript(self, node: ast.Subscript) -> tir.Expr | Static:
        base = self.value_or_static(node.value)
        if isinstance(base, Static) and isinstance(base.obj, _ShapeOf):
            return self.shape_item(node, base.obj.x)
        if isinstance(base, Static):
            raise self.error(node, f"cannot index {_static_text(base.obj)}")
        from lowering.frontend.indexing import build_getitem
        return build_getitem(self, node, base)

    def shape_item(self, node: ast.Subscript, x: tir.Expr) -> tir.Expr:
        t = x.type
        if not isinstance(t, TensorV) or t.shape.var is not None:
            raise self.error(node, "`.shape` needs a tensor of known rank")
        idx = self.expr(node.slice)
        if not isinstance(idx, tir.Const) or not isinstance(idx.value, int):
            raise self.error(node, "`x.shape[i]` needs a literal index")
        n = len(t.shape.prefix)
        if not -n <= idx.value < n:
            raise self.error(node, f"axis {idx.value} is out of range for a tensor of rank {n}")
        axis = self.int_const(self.loc(node), idx.value % n)
        return self.scalar_op(self.loc(node), "dim", x, axis)

    # --- calls --------------------------------------------------------------------------
    def _Call(self, node: ast.Call) -> tir.Expr | Static:
        from lowering.frontend.calls import build_call
        return build_call(self, node)


def _fold(op: str, a: tir.Expr, b: tir.Expr) -> int | float | None:
    """Compile-time arithmetic on two int/float constants (module constants, literals)."""
    if not (isinstance(a, tir.Const) and isinstance(b, tir.Const)):
        return None
    x, y = a.value, b.value
    if type(x) not in (int, float) or type(y) not in (int, float):
        return None
    try:
        if op == "add":
            return x + y  # type: ignore[operator, no-any-return]
        if op == "sub":
            return x - y  # type: ignore[operator, no-any-return]
        if op == "mul":
            return x * y  # type: ignore[operator, no-any-return]
        if op == "floordiv" and y != 0:
            return x // y  # type: ignore[operator, no-any-return]
        if op == "truediv" and y != 0:
            return x / y  # type: ignore[operator, no-any-return]
    except (OverflowError, TypeError):
        return None
    return None


class _ShapeOf:
    """`x.shape` (only indexed, `x.shape[i]`)."""

    def __init__(self, x: tir.Expr) -> None:
        self.x = x


def _is_int_scalar(v: Value) -> bool:
    return isinstance(v, ScalarV) and v.kind in ("int", "bool")


def _kind_of(t: TensorV) -> str:
    if t.dtype is None:
        return "float"
    if t.dtype.value == "bool":
        return "bool"
    return "int" if t.dtype.value.startswith("int") else "float"


def _static_text(obj: Any) -> str:
    if inspect.ismodule(obj):
        return f"module '{obj.__name__}'"
    name = getattr(obj, "__name__", None)
    return f"'{name}'" if name else repr(obj)


def static_signature(fn: Callable[..., Any]) -> inspect.Signature:
    """The signature of a dsl operation (its parameter names are the rules' names)."""
    return inspect.signature(fn)


__all__ = ["ExprBuilder", "Static", "NoneV", "SliceV", "UnknownV", "dsl", "resolve"]
