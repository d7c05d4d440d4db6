"""Statement checks inside a `@kernel`: every assignment and every `return`.

mypy has no hook for statements, and shaped tensors deliberately pass mypy's own
compatibility checks (see `dsl._tensor`), so the `@kernel` decorator's hook walks the
function body after mypy has checked it, reads the inferred expression types, and reports
with codes `shape`/`dtype`: a variable keeps one dtype and shape on every path (loop-carried
and branch-dependent re-assignments included), and each `return` fits the annotation.
"""

from __future__ import annotations

from typing import Iterable

from mypy.nodes import (AssignmentStmt, Block, Context, Decorator, Expression, ForStmt, FuncDef,
                        IfStmt, NameExpr, OperatorAssignmentStmt, ReturnStmt, Statement,
                        TryStmt, TupleExpr, Var, WhileStmt, WithStmt)
from mypy.plugin import CheckerPluginInterface, FunctionContext
from mypy.types import CallableType, NoneType, TupleType, Type, get_proper_type

from typecheck import rules
from typecheck.annotations import parse_shape
from typecheck.binding import Bindings, bind_shape
from typecheck.dims import Dim
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import Shape, shapes_agree
from typecheck.values import TensorV, Value
from typecheck.mypy_plugin.convert import tensor_value, value_of
from typecheck.mypy_plugin.report import report

_AUG_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv",
            "%": "mod", "**": "pow", "@": "matmul", "&": "and", "|": "or"}


def kernel_decorator_hook(ctx: FunctionContext) -> Type:
    """The hook on `kernel(f)`: check f's statements, keep the decorator's result type."""
    if isinstance(ctx.context, Decorator):
        func = ctx.context.func
        if isinstance(func.type, CallableType):
            _BodyChecker(ctx.api, func, func.type).check(func.body)
    return ctx.default_return_type


class _BodyChecker:
    def __init__(self, api: CheckerPluginInterface, func: FuncDef, sig: CallableType) -> None:
        self.api = api
        self.func = func
        self.sig = sig

    def type_of(self, e: Expression) -> Type | None:
        lookup = getattr(self.api, "lookup_type_or_none", None)
        return lookup(e) if lookup is not None else None

    def check(self, block: Block) -> None:
        for stmt in block.body:
            self.statement(stmt)

    def statement(self, s: Statement) -> None:
        if isinstance(s, AssignmentStmt):
            for lv in s.lvalues:
                self.assignment(lv, s.rvalue, self.type_of(s.rvalue), s)
        elif isinstance(s, OperatorAssignmentStmt):
            self.aug_assignment(s)
        elif isinstance(s, ReturnStmt):
            self.return_stmt(s)
        for block in _child_blocks(s):
            self.check(block)

    def assignment(self, lv: Expression, rv: Expression | None, rv_type: Type | None,
                   stmt: Context) -> None:
        if isinstance(lv, TupleExpr):
            p = get_proper_type(rv_type) if rv_type is not None else None
            if isinstance(p, TupleType) and len(p.items) == len(lv.items):
                items = rv.items if isinstance(rv, TupleExpr) else [None] * len(p.items)
                for sub, sub_rv, t in zip(lv.items, items, p.items):
                    self.assignment(sub, sub_rv, t, stmt)
            return
        if not isinstance(lv, NameExpr) or not isinstance(lv.node, Var) or rv_type is None:
            return
        if lv.is_inferred_def or lv.node.type is None:
            return
        self.compare(f"variable '{lv.name}'", lv.node.type, rv_type, stmt,
                     "an assignment gives it")

    def aug_assignment(self, s: OperatorAssignmentStmt) -> None:
        if not isinstance(s.lvalue, NameExpr) or not isinstance(s.lvalue.node, Var):
            return
        declared = s.lvalue.node.type
        rv_type = self.type_of(s.rvalue)
        op = _AUG_OPS.get(s.op)
        if declared is None or rv_type is None or op is None:
            return
        left = value_of(declared, None, self.api)
        if not isinstance(left, TensorV):
            return
        try:
            result = rules.apply(op, [left, value_of(rv_type, s.rvalue, self.api)], {})
        except (ShapeError, DTypeError):
            return  # the operator hook reports this one
        if isinstance(result, TensorV):
            self.compare_values(f"variable '{s.lvalue.name}'", left, result, s,
                                f"`{s.op}=` gives it")

    def compare(self, what: str, declared: Type, actual: Type, ctx: Context, verb: str) -> None:
        d, a = tensor_value(declared), tensor_value(actual)
        if d is not None and a is not None:
            self.compare_values(what, d, a, ctx, verb)

    def compare_values(self, what: str, d: TensorV, a: TensorV, ctx: Context,
                       verb: str) -> None:
        if d.dtype is not None and a.dtype is not None and d.dtype != a.dtype:
            report(self.api, DTypeError(f"{what} has dtype {d.dtype} but {verb} {a.dtype}; "
                                        "a variable keeps one dtype on every path"), ctx)
        elif not shapes_agree(a.shape, d.shape):
            report(self.api, ShapeError(f"{what} has shape ({d.shape}) but {verb} shape "
                                        f"({a.shape}); a variable keeps one shape on every "
                                        "path"), ctx)

    def return_stmt(self, s: ReturnStmt) -> None:
        declared = get_proper_type(self.sig.ret_type)
        if s.expr is None:
            return
        actual = self.type_of(s.expr)
        if actual is None:
            return
        if isinstance(declared, NoneType):
            return
        pairs: list[tuple[Type, Type]] = [(declared, actual)]
        pa = get_proper_type(actual)
        if isinstance(declared, TupleType) and isinstance(pa, TupleType) \
                and len(declared.items) == len(pa.items):
            pairs = list(zip(declared.items, pa.items))
        for i, (dt, at) in enumerate(pairs):
            label = "the return value" if len(pairs) == 1 else f"return value {i}"
            self.check_return(label, dt, at, s)

    def check_return(self, label: str, declared: Type, actual: Type, ctx: Context) -> None:
        d, a = tensor_value(declared), tensor_value(actual)
        if d is None or a is None:
            return
        if d.dtype is not None and a.dtype is not None and d.dtype != a.dtype:
            report(self.api, DTypeError(f"{label} has dtype {a.dtype} but the annotation "
                                        f"says {d.dtype}"), ctx)
            return
        try:
            bind_shape(parse_shape(str(d.shape)), a.shape, self.param_bindings(), "return")
        except ShapeError:
            report(self.api, ShapeError(f"{label} has shape ({a.shape}) but the annotation "
                                        f"says ({d.shape})"), ctx)

    def param_bindings(self) -> Bindings:
        """The signature's own dim names, bound to themselves (they are in scope)."""
        b = Bindings()
        for t in self.sig.arg_types:
            v = tensor_value(t)
            if v is None:
                continue
            for part in v.shape.prefix + v.shape.suffix:
                inner = getattr(part, "dim", part)
                if isinstance(inner, Dim):
                    for name in inner.free_symbols():
                        b.dims.setdefault(name, Dim.sym(name))
            if v.shape.var is not None and v.shape.var != "...":
                b.variadics.setdefault(v.shape.var, Shape((), v.shape.var, ()))
        return b


def _child_blocks(s: Statement) -> Iterable[Block]:
    if isinstance(s, IfStmt):
        yield from s.body
        if s.else_body is not None:
            yield s.else_body
    elif isinstance(s, (ForStmt, WhileStmt)):
        yield s.body
        if s.else_body is not None:
            yield s.else_body
    elif isinstance(s, WithStmt):
        yield s.body
    elif isinstance(s, TryStmt):
        yield s.body
        yield from s.handlers
        if s.else_body is not None:
            yield s.else_body
        if s.finally_body is not None:
            yield s.finally_body
    elif isinstance(s, Block):
        yield s


__all__ = ["kernel_decorator_hook", "Value"]
