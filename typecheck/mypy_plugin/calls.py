"""Calls between annotated functions: bind the callee's dim names to the argument shapes at
the call site, check every tensor argument, and give the call its instantiated result type."""

from __future__ import annotations

from mypy.nodes import CallExpr, Decorator, FuncDef, RefExpr
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext
from mypy.types import CallableType, TupleType, Type, get_proper_type

from typecheck.annotations import parse_shape
from typecheck.binding import Bindings, bind_shape, instantiate
from typecheck.errors import DTypeError, ShapeError
from typecheck.values import TensorV
from typecheck.mypy_plugin.convert import tensor_type, tensor_value, value_of
from typecheck.mypy_plugin.report import report


def callee_signature(context: object) -> tuple[str, CallableType] | None:
    """The declared signature of the function a call expression calls, when it is one."""
    if not isinstance(context, CallExpr) or not isinstance(context.callee, RefExpr):
        return None
    node = context.callee.node
    if isinstance(node, Decorator):
        node = node.func
    if isinstance(node, FuncDef) and isinstance(node.type, CallableType):
        return node.name, node.type
    return None


def has_tensor_params(sig: CallableType) -> bool:
    return any(tensor_value(t) is not None for t in sig.arg_types) or \
        tensor_value(sig.ret_type) is not None


def _spec_text(t: Type) -> str:
    """The dim string of a declared tensor type (its canonical shape text)."""
    v = tensor_value(t)
    return str(v.shape) if v is not None else "..."


def bind_call(ctx: FunctionContext | MethodContext, name: str, sig: CallableType
              ) -> Bindings | None:
    """Bind and check every tensor argument; None after reporting an error."""
    b = Bindings()
    formals = {n: (i, t) for i, (n, t) in enumerate(zip(sig.arg_names, sig.arg_types)) if n}
    for fname, types, nodes in zip(ctx.callee_arg_names, ctx.arg_types, ctx.args):
        if fname is None or fname not in formals or len(types) != 1:
            continue
        _, declared = formals[fname]
        expected = tensor_value(declared)
        if expected is None:
            continue
        actual = value_of(types[0], nodes[0] if nodes else None, ctx.api)
        if not isinstance(actual, TensorV):
            continue
        try:
            _check_dtype(name, fname, expected, actual)
            bind_shape(parse_shape(_spec_text(declared)), actual.shape, b, fname)
        except (ShapeError, DTypeError) as exc:
            report(ctx.api, type(exc)(f"in call to {name}(): {exc}"), ctx.context)
            return None
    return b


def _check_dtype(fn: str, param: str, expected: TensorV, actual: TensorV) -> None:
    if expected.dtype is not None and actual.dtype is not None \
            and expected.dtype != actual.dtype:
        raise DTypeError(f"argument '{param}' has dtype {actual.dtype} but the annotation "
                         f"expects {expected.dtype}")


def result_type(api: CheckerPluginInterface, declared: Type, b: Bindings, default: Type) -> Type:
    """The callee's declared result with the call's bindings substituted."""
    p = get_proper_type(declared)
    t = tensor_value(p)
    if t is not None:
        shape = instantiate(parse_shape(_spec_text(p)), b)
        return tensor_type(api, TensorV(t.dtype, shape))
    if isinstance(p, TupleType):
        return p.copy_modified(items=[result_type(api, i, b, i) for i in p.items])
    return default


def call_hook(ctx: FunctionContext | MethodContext) -> Type:
    """Any call: when the callee has tensor annotations, bind and instantiate."""
    found = callee_signature(ctx.context)
    if found is None or not has_tensor_params(found[1]):
        return ctx.default_return_type
    name, sig = found
    b = bind_call(ctx, name, sig)
    if b is None:
        from mypy.types import AnyType, TypeOfAny
        return AnyType(TypeOfAny.from_error)
    return result_type(ctx.api, sig.ret_type, b, ctx.default_return_type)
