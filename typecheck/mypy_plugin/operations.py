"""Hooks for the language's operations: `dsl.*` functions, Tensor operators and attributes,
and int arithmetic on symbolic dims. Each hook converts its arguments to abstract values,
applies the shared rule, and turns the result back into a mypy type."""

from __future__ import annotations

from typing import Callable, Sequence

from mypy.nodes import ComparisonExpr, OpExpr, TempNode
from mypy.plugin import AttributeContext, CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import AnyType, TupleType, Type, TypeOfAny, UnpackType

from typecheck import rules
from typecheck.dims import Dim
from typecheck.errors import DTypeError, ShapeError
from typecheck.values import ScalarV, TensorV, TupleV, Value
from typecheck.mypy_plugin.convert import (tensor_value, type_of_value, value_of)
from typecheck.mypy_plugin.reassigned import is_reassigned_local
from typecheck.mypy_plugin.report import report, report_past_operator_probe


def _formal_values(ctx: FunctionContext | MethodContext, index_context: bool = False
                   ) -> tuple[list[Value | None], dict[str, Value]]:
    """Arguments by formal position (None where the caller left a default)."""
    args: list[Value | None] = []
    kwargs: dict[str, Value] = {}
    for types, nodes, name in zip(ctx.arg_types, ctx.args, ctx.callee_arg_names):
        if not types:
            args.append(None)
            continue
        if len(types) > 1:  # a *args formal: pass the actuals as a tuple
            v: Value = TupleV(tuple(value_of(t, n, ctx.api, index_context)
                                    for t, n in zip(types, nodes)))
        else:
            v = value_of(types[0], nodes[0] if nodes else None, ctx.api, index_context)
        args.append(v)
        if name:
            kwargs[name] = v
    while args and args[-1] is None:
        args.pop()
    return args, kwargs


def run_rule(api: CheckerPluginInterface, op: str, args: Sequence[Value | None],
             kwargs: dict[str, Value], default: Type, context: object,
             past_probe: bool = False) -> Type:
    """Apply `op`'s rule; report its error (then the result is an error Any)."""
    try:
        result = rules.apply(op, args, kwargs)
    except (ShapeError, DTypeError) as exc:
        (report_past_operator_probe if past_probe else report)(
            api, exc, context)  # type: ignore[arg-type]
        return AnyType(TypeOfAny.from_error)
    return type_of_value(api, result, default)


def function_op_hook(op: str) -> Callable[[FunctionContext], Type]:
    """The hook for a `dsl.<op>(...)` call."""
    def hook(ctx: FunctionContext) -> Type:
        # Every formal by position (None for a default): the dsl functions and the rules
        # order their parameters alike, and a short key keeps the rule memo cheap.
        args, _ = _formal_values(ctx)
        return run_rule(ctx.api, op, args, {}, ctx.default_return_type, ctx.context)
    return hook


def binary_method_hook(op: str, reflected: bool) -> Callable[[MethodContext], Type]:
    """The hook for `a <op> b` where `a` (or `b`, when reflected) is a Tensor."""
    def hook(ctx: MethodContext) -> Type:
        self_v = value_of(ctx.type, None, ctx.api)
        other = _first_value(ctx)
        args = [other, self_v] if reflected else [self_v, other]
        # `2.5 * t`, `0.5 < t`: the left operand's own method failed already (report.py).
        past_probe = not isinstance(other, TensorV) and _is_left_operand(ctx)
        return run_rule(ctx.api, op, args, {}, ctx.default_return_type, ctx.context,
                        past_probe)
    return hook


def _is_left_operand(ctx: MethodContext) -> bool:
    """Whether mypy is trying the right operand's reflected method (`__rmul__`, or `__gt__`
    for `a < t`): it then passes the left operand as a `TempNode`."""
    node = ctx.args[0][0] if ctx.args and ctx.args[0] else None
    return isinstance(node, TempNode) and isinstance(ctx.context, (OpExpr, ComparisonExpr))


def _first_value(ctx: MethodContext, index_context: bool = False) -> Value:
    types, nodes = ctx.arg_types[0], ctx.args[0]
    return value_of(types[0] if types else None, nodes[0] if nodes else None, ctx.api,
                    index_context)


def unary_method_hook(op: str) -> Callable[[MethodContext], Type]:
    """The hook for `-x`, `+x`, `~x`."""
    def hook(ctx: MethodContext) -> Type:
        return run_rule(ctx.api, op, [value_of(ctx.type, None, ctx.api)], {},
                        ctx.default_return_type, ctx.context)
    return hook


def getitem_hook(ctx: MethodContext) -> Type:
    """`x[idx]`."""
    idx = _first_value(ctx, index_context=True)
    return run_rule(ctx.api, "getitem", [value_of(ctx.type, None, ctx.api), idx], {},
                    ctx.default_return_type, ctx.context)


def setitem_hook(ctx: MethodContext) -> Type:
    """`x[idx] = value`: checked, and the write goes into the caller's buffer."""
    idx = _first_value(ctx, index_context=True)
    types, nodes = ctx.arg_types[1], ctx.args[1]
    value = value_of(types[0] if types else None, nodes[0] if nodes else None, ctx.api)
    return run_rule(ctx.api, "setitem", [value_of(ctx.type, None, ctx.api), idx, value], {},
                    ctx.default_return_type, ctx.context)


def symint_method_hook(op: str, reflected: bool) -> Callable[[MethodContext], Type]:
    """Int arithmetic on symbolic dims stays symbolic: `x.shape[2] // 4` is `D`."""
    def hook(ctx: MethodContext) -> Type:
        c = ctx.context
        if isinstance(c, OpExpr) and (is_reassigned_local(c.left, ctx.api)
                                      or is_reassigned_local(c.right, ctx.api)):
            return ctx.default_return_type  # a re-assigned variable's dim is not known
        self_v = value_of(ctx.type, None, ctx.api)
        other = _first_value(ctx)
        if not isinstance(other, ScalarV) or not isinstance(self_v, ScalarV):
            return ctx.default_return_type
        args = [other, self_v] if reflected else [self_v, other]
        return run_rule(ctx.api, op, args, {}, ctx.default_return_type, ctx.context)
    return hook


def transpose_attr_hook(ctx: AttributeContext) -> Type:
    """`x.T` (2-D only)."""
    return run_rule(ctx.api, "T", [value_of(ctx.type, None, ctx.api)], {},
                    ctx.default_attr_type, ctx.context)


def shape_attr_hook(ctx: AttributeContext) -> Type:
    """`x.shape`: a tuple of symbolic ints; with a variadic segment (`*b N`), a variadic tuple
    `tuple[*tuple[int, ...], N]`, so that `x.shape[-1]` is still `N`."""
    t = tensor_value(ctx.type)
    if t is None:
        return ctx.default_attr_type
    int_type = ctx.api.named_generic_type("builtins.int", [])

    def item(d: object) -> Type:
        dim = d if isinstance(d, Dim) else None
        return type_of_value(ctx.api, ScalarV("int", dim), int_type)

    fallback = ctx.api.named_generic_type("builtins.tuple", [int_type])
    items = [item(d) for d in t.shape.prefix]
    if t.shape.var is not None:
        items.append(UnpackType(fallback))
        items += [item(d) for d in t.shape.suffix]
    return TupleType(items, fallback)

