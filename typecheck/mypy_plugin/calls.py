"""Calls between annotated functions: bind the callee's dim names to the argument shapes at
the call site, check every tensor argument, and give the call its instantiated result type."""

from __future__ import annotations

from mypy.nodes import CallExpr, Decorator, FuncDef, RefExpr
from mypy.plugin import CheckerPluginInterface, FunctionContext, MethodContext, MethodSigContext
from mypy.types import (AnyType, CallableType, FunctionLike, TupleType, Type, TypeOfAny,
                        UnionType, get_proper_type)

from typecheck.annotations import ShapeSpec, parse_shape
from typecheck.binding import Bindings, bind_shape, instantiate
from typecheck.errors import DTypeError, ShapeError
from typecheck.values import TensorV, TupleV, UnknownV, Value
from typecheck.mypy_plugin.convert import instance, tensor_type, tensor_value, value_of
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


def bind_values(name: str, sig: CallableType, actuals: dict[str, Value]) -> Bindings:
    """Bind the callee's dim names to the actual argument values (by formal name) and check
    every tensor argument; raises `ShapeError`/`DTypeError` naming the callee and argument."""
    b = Bindings()
    for fname, declared in zip(sig.arg_names, sig.arg_types):
        expected = tensor_value(declared)
        actual = actuals.get(fname) if fname else None
        if expected is None or not isinstance(actual, TensorV):
            continue
        try:
            _check_dtype(fname or "?", expected, actual)
            bind_shape(parse_shape(str(expected.shape)), actual.shape, b, fname or "?")
        except (ShapeError, DTypeError) as exc:
            raise type(exc)(f"in call to {name}(): {exc}") from None
    return b


def _check_dtype(param: str, expected: TensorV, actual: TensorV) -> None:
    if expected.dtype is not None and actual.dtype is not None \
            and expected.dtype != actual.dtype:
        raise DTypeError(f"argument '{param}' has dtype {actual.dtype} but the annotation "
                         f"expects {expected.dtype}")


def _existentials_unknown(t: TensorV, b: Bindings) -> ShapeSpec:
    """The result's spec; names no argument bound (only the result mentions them) become
    unknown dims rather than leaking the callee's names into the caller."""
    spec = parse_shape(str(t.shape))
    for name in spec.symbols():
        b.dims.setdefault(name, None)
    return spec


def result_value(declared: Type, b: Bindings) -> Value:
    """The callee's declared result as an abstract value under the call's bindings."""
    p = get_proper_type(declared)
    t = tensor_value(p)
    if t is not None:
        return TensorV(t.dtype, instantiate(_existentials_unknown(t, b), b))
    if isinstance(p, TupleType):
        return TupleV(tuple(result_value(i, b) for i in p.items))
    return UnknownV()


def result_type(api: CheckerPluginInterface, declared: Type, b: Bindings, default: Type) -> Type:
    """The callee's declared result type with the call's bindings substituted."""
    p = get_proper_type(declared)
    t = tensor_value(p)
    if t is not None:
        return tensor_type(api, TensorV(t.dtype, instantiate(_existentials_unknown(t, b), b)))
    if isinstance(p, TupleType):
        return p.copy_modified(items=[result_type(api, i, b, i) for i in p.items])
    return default


def call_hook(ctx: FunctionContext | MethodContext) -> Type:
    """Any call: when the callee has tensor annotations, bind and instantiate."""
    found = callee_signature(ctx.context)
    if found is None or not has_tensor_params(found[1]):
        return ctx.default_return_type
    name, sig = found
    actuals: dict[str, Value] = {}
    for fname, types, nodes in zip(ctx.callee_arg_names, ctx.arg_types, ctx.args):
        if fname is not None and len(types) == 1:
            actuals[fname] = value_of(types[0], nodes[0] if nodes else None, ctx.api)
    try:
        b = bind_values(name, sig, actuals)
    except (ShapeError, DTypeError) as exc:
        report(ctx.api, exc, ctx.context)
        return AnyType(TypeOfAny.from_error)
    return result_type(ctx.api, sig.ret_type, b, ctx.default_return_type)


def kernel_call_signature(ctx: MethodSigContext) -> FunctionLike:
    """Calling a `@kernel` also accepts numpy arrays (and other array objects) for tensor
    parameters: they have no static shape, so their dims are checked at run time."""
    sig = ctx.default_signature
    ndarray: Type = AnyType(TypeOfAny.special_form)
    try:
        ndarray = instance(ctx.api, "numpy.ndarray", [ndarray, ndarray])
    except (AssertionError, KeyError):
        pass
    widened = [UnionType([t, ndarray]) if tensor_value(t) is not None else t
               for t in sig.arg_types]
    return sig.copy_modified(arg_types=widened)
