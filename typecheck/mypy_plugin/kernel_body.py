"""Statement checks inside a `@kernel`: every assignment and every `return`.

mypy has no hook for statements, and shaped tensors deliberately pass mypy's own
compatibility checks (see `dsl._tensor.Tag`), so the hook on the `@kernel` decorator walks the
function body with the abstract evaluator and reports with codes `shape`/`dtype`: a variable
keeps one dtype and shape on every path (loop-carried and branch-dependent re-assignments
included, since each assignment is compared with the variable's first value or annotation),
and each `return` fits the annotation.
"""

from __future__ import annotations

import functools

from typing import Iterable

from mypy.nodes import (AssignmentStmt, Block, CallExpr, Context, Decorator, Expression,
                        ForStmt, FuncDef, IfStmt, NameExpr, OperatorAssignmentStmt,
                        RefExpr, ReturnStmt, Statement, TryStmt, TupleExpr, WhileStmt,
                        WithStmt)
from mypy.plugin import CheckerPluginInterface, FunctionContext
from mypy.types import CallableType, Type

from typecheck import rules
from typecheck.annotations import ExprDim, ShapeSpec, parse_shape
from typecheck.binding import Bindings, bind_shape
from typecheck.dims import Dim
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import ANON, ONE, BDim, Shape, shapes_agree
from typecheck.values import ScalarV, TensorV, TupleV, UnknownV, Value
from typecheck.mypy_plugin.convert import tensor_value, value_of
from typecheck.mypy_plugin.evaluate import BINARY, Evaluator
from typecheck.mypy_plugin.reassigned import reassigned_names
from typecheck.mypy_plugin.report import report


def kernel_decorator_hook(ctx: FunctionContext) -> Type:
    """The hook on `kernel(f)`: check f's statements, keep the decorator's result type."""
    if isinstance(ctx.context, Decorator):
        func = ctx.context.func
        if isinstance(func.type, CallableType):
            BodyChecker(ctx.api, func, func.type).check(func.body)
    return ctx.default_return_type


class BodyChecker:
    """Walks one function body; `declared` holds each variable's one value (shape, dtype)."""

    def __init__(self, api: CheckerPluginInterface, func: FuncDef, sig: CallableType) -> None:
        self.api = api
        self.sig = sig
        self.declared: dict[str, Value] = {}
        for name, t in zip(sig.arg_names, sig.arg_types):
            if name:
                self.declared[name] = value_of(t, None, api)
        self.reassigned = reassigned_names(func)
        self.evaluator = Evaluator(self.declared, getattr(api, "modules", {}))

    def check(self, block: Block) -> None:
        for stmt in block.body:
            self.statement(stmt)

    def statement(self, s: Statement) -> None:
        if isinstance(s, AssignmentStmt):
            annotated = value_of(s.type, None, self.api) if s.type is not None else None
            value = self.evaluator.eval(s.rvalue)
            for lv in s.lvalues:
                self.assign(lv, value, annotated, s)
        elif isinstance(s, OperatorAssignmentStmt):
            self.aug_assign(s)
        elif isinstance(s, ReturnStmt) and s.expr is not None:
            self.check_return(self.evaluator.eval(s.expr), s)
        elif isinstance(s, ForStmt):
            self.assign(s.index, _loop_index(s.expr), None, s)
        for block in _child_blocks(s):
            self.check(block)

    def assign(self, lv: Expression, value: Value, annotated: Value | None,
               ctx: Context) -> None:
        if isinstance(lv, TupleExpr):
            items = value.items if isinstance(value, TupleV) and \
                len(value.items) == len(lv.items) else (UnknownV(),) * len(lv.items)
            for sub, v in zip(lv.items, items):
                self.assign(sub, v, None, ctx)
            return
        if not isinstance(lv, NameExpr):
            return
        name = lv.name
        if isinstance(value, ScalarV) and name in self.reassigned:
            value = ScalarV(value.kind)  # its first dim does not hold on every path
        if annotated is not None:
            self.compare(f"variable '{name}'", annotated, value, ctx, "is assigned")
            self.declared[name] = annotated
        elif name in self.declared:
            self.compare(f"variable '{name}'", self.declared[name], value, ctx,
                         "is assigned")
        else:
            self.declared[name] = value

    def aug_assign(self, s: OperatorAssignmentStmt) -> None:
        if not isinstance(s.lvalue, NameExpr) or s.op not in BINARY:
            return
        left = self.declared.get(s.lvalue.name, UnknownV())
        right = self.evaluator.eval(s.rvalue)
        try:
            result = rules.apply(BINARY[s.op], [left, right])
        except (ShapeError, DTypeError):
            return  # the operator hook reports this one
        self.compare(f"variable '{s.lvalue.name}'", left, result, s, f"`{s.op}=` makes it")

    def compare(self, what: str, declared: Value, actual: Value, ctx: Context,
                verb: str) -> None:
        if isinstance(declared, TupleV) and isinstance(actual, TupleV) \
                and len(declared.items) == len(actual.items):
            for i, (d, a) in enumerate(zip(declared.items, actual.items)):
                self.compare(f"{what} item {i}", d, a, ctx, verb)
            return
        if not isinstance(declared, TensorV) or not isinstance(actual, TensorV):
            return
        if declared.dtype is not None and actual.dtype is not None \
                and declared.dtype != actual.dtype:
            report(self.api, DTypeError(
                f"{what} has dtype {declared.dtype} but {verb} {actual.dtype} here; a "
                "variable keeps one dtype on every path"), ctx)
        elif not shapes_agree(actual.shape, declared.shape):
            report(self.api, ShapeError(
                f"{what} has shape ({declared.shape}) but {verb} shape ({actual.shape}) "
                "here; a variable keeps one shape on every path"), ctx)

    def check_return(self, actual: Value, ctx: Context) -> None:
        declared = value_of(self.sig.ret_type, None, self.api)
        pairs = [(declared, actual)]
        if isinstance(declared, TupleV) and isinstance(actual, TupleV) \
                and len(declared.items) == len(actual.items):
            pairs = list(zip(declared.items, actual.items))
        for i, (d, a) in enumerate(pairs):
            label = "the return value" if len(pairs) == 1 else f"return value {i}"
            if isinstance(d, TensorV) and isinstance(a, TensorV):
                self.return_fits(label, d, a, ctx)

    def return_fits(self, label: str, d: TensorV, a: TensorV, ctx: Context) -> None:
        if d.dtype is not None and a.dtype is not None and d.dtype != a.dtype:
            report(self.api, DTypeError(f"{label} has dtype {a.dtype} but the annotation "
                                        f"says {d.dtype}"), ctx)
            return
        params = tuple(v for t in self.sig.arg_types if (v := tensor_value(t)) is not None)
        if not _return_fits(d.shape, a.shape, params):
            report(self.api, ShapeError(f"{label} has shape ({a.shape}) but the annotation "
                                        f"says ({d.shape})"), ctx)


@functools.lru_cache(maxsize=8192)
def _return_fits(declared: Shape, actual: Shape, params: tuple[TensorV, ...]) -> bool:
    """Whether a returned shape fits the annotation, the parameters' dims being in scope."""
    spec = parse_shape(str(declared))
    try:
        bind_shape(spec, actual, _own_dims(params), "return")
    except ShapeError:
        return False
    return not _broadcastable_where_plain(spec, actual)


def _own_dims(params: tuple[TensorV, ...]) -> Bindings:
    """The signature's dim names bound to themselves: inside the body they are in scope;
    names only the return annotation mentions bind to whatever the body returns."""
    b = Bindings()
    for v in params:
        for part in v.shape.prefix + v.shape.suffix:
            inner = part.dim if isinstance(part, BDim) else part
            if isinstance(inner, Dim):
                for sym in inner.free_symbols():
                    b.dims.setdefault(sym, Dim.sym(sym))
        if v.shape.var is not None and v.shape.var != ANON:
            b.variadics.setdefault(v.shape.var, Shape((), v.shape.var, ()))
    return b


def _broadcastable_where_plain(spec: ShapeSpec, actual: Shape) -> bool:
    """Whether a `#N` dim (1 or N) of `actual` stands where `spec` wants a plain dim."""
    vi = spec.variadic_index
    before = spec.dims if vi is None else spec.dims[:vi]
    after = () if vi is None else spec.dims[vi + 1:]
    pairs = list(zip(before, actual.prefix))
    if after:
        tail = actual.suffix if actual.var is not None else actual.prefix[len(before):]
        pairs += list(zip(reversed(after), reversed(tail)))
    return any(isinstance(got, BDim) and isinstance(want, ExprDim) and not want.broadcastable
               and want.dim != ONE for want, got in pairs)


def _loop_index(it: Expression) -> Value:
    if isinstance(it, CallExpr) and isinstance(it.callee, RefExpr) \
            and it.callee.fullname == "builtins.range":
        return ScalarV("int")
    return UnknownV()


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
