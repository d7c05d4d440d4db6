"""Calls between annotated functions: bind the callee's dim names to the argument shapes at
the call site, check every tensor argument, and give the call its instantiated result type."""

from __future__ import annotations

import functools

from mypy.nodes import CallExpr, Decorator, FuncDef, RefExpr
from mypy.plugin import (CheckerPluginInterface, FunctionContext, FunctionSigContext,
                         MethodContext, MethodSigContext)
from mypy.types import (AnyType, CallableType, FunctionLike, TupleType, Type, TypeOfAny,
                        UnionType, get_proper_type)

from typecheck.annotations import parse_shape
from typecheck.binding import Bindings, bind_shape, instantiate
from typecheck.errors import DTypeError, ShapeError
from typecheck.values import TensorV, TupleV, UnknownV, Value
from typecheck.mypy_plugin.convert import instance, tensor_type, tensor_value, value_of
from typecheck.mypy_plugin.names import DSL_PREFIX
from typecheck.mypy_plugin.report import report


def callee_signature(context: object) -> tuple[str, CallableType] | None:
    """The declared signature of the function a call expression calls, when it is one."""
    if not isinstance(context, CallExpr):
        return None
    callee = context.callee
    if isinstance(callee, CallExpr) and isinstance(callee.callee, RefExpr) \
            and callee.callee.fullname.startswith(DSL_PREFIX) \
            and callee.callee.fullname.endswith(".eager") and len(callee.args) == 1:
        callee = callee.args[0]  # `dsl.eager(k)(x)` calls k's signature
    if not isinstance(callee, RefExpr):
        return None
    sig = ref_signature(callee)
    node = callee.node
    name = node.name if isinstance(node, (Decorator, FuncDef)) else "?"
    return (name, sig) if sig is not None else None


def ref_signature(ref: RefExpr) -> CallableType | None:
    """The declared signature of the function (or `@kernel`) a name refers to."""
    node = ref.node
    if isinstance(node, Decorator):
        node = node.func
    if isinstance(node, FuncDef) and isinstance(node.type, CallableType):
        return node.type
    return None


def has_tensor_params(sig: CallableType) -> bool:
    return any(tensor_value(t) is not None for t in sig.arg_types) or \
        tensor_value(sig.ret_type) is not None


def call_result(name: str, sig: CallableType, actuals: dict[str, Value]) -> Value:
    """Bind the callee's dim names to the actual argument values (by formal name), check
    every tensor argument, and return the declared result under those bindings; raises
    `ShapeError`/`DTypeError` naming the callee and the argument."""
    params = tuple((f, tv) for f, t in zip(sig.arg_names, sig.arg_types)
                   if f and (tv := tensor_value(t)) is not None)
    acts = tuple(a if isinstance(a := actuals.get(f), TensorV) else None for f, _ in params)
    outcome = _call_result(params, acts, _declared(sig.ret_type))
    if isinstance(outcome, (ShapeError, DTypeError)):
        raise type(outcome)(f"in call to {name}(): {outcome}")
    return outcome


def _declared(t: Type) -> Value:
    p = get_proper_type(t)
    tv = tensor_value(p)
    if tv is not None:
        return tv
    if isinstance(p, TupleType):
        return TupleV(tuple(_declared(i) for i in p.items))
    return UnknownV()


@functools.lru_cache(maxsize=8192)
def _call_result(params: tuple[tuple[str, TensorV], ...],
                 acts: tuple[TensorV | None, ...], ret: Value
                 ) -> Value | ShapeError | DTypeError:
    b = Bindings()
    for (fname, expected), actual in zip(params, acts):
        if actual is None:
            continue
        try:
            _check_dtype(fname, expected, actual)
        except DTypeError as exc:
            return exc
        try:
            bind_shape(parse_shape(str(expected.shape)), actual.shape, b, fname)
        except ShapeError as exc:
            why = str(exc).removeprefix(f"argument '{fname}': ")
            if f"({actual.shape})" in why:  # the message shows both shapes already
                return exc
            return ShapeError(f"argument '{fname}' has shape "
                              f"({actual.shape}), annotated ({expected.shape}): {why}")
    return _instantiate(ret, b)


def _check_dtype(param: str, expected: TensorV, actual: TensorV) -> None:
    if expected.dtype is not None and actual.dtype is not None \
            and expected.dtype != actual.dtype:
        raise DTypeError(f"argument '{param}' has dtype {actual.dtype} but the annotation "
                         f"expects {expected.dtype}")


def _instantiate(ret: Value, b: Bindings) -> Value:
    """The declared result under the bindings; names no argument bound (only the result
    mentions them) become unknown dims rather than leaking the callee's names."""
    if isinstance(ret, TensorV):
        spec = parse_shape(str(ret.shape))
        for sym in spec.symbols():
            b.dims.setdefault(sym, None)
        return TensorV(ret.dtype, instantiate(spec, b))
    if isinstance(ret, TupleV):
        return TupleV(tuple(_instantiate(i, b) for i in ret.items))
    return ret


def _result_type(api: CheckerPluginInterface, declared: Type, value: Value,
                 default: Type) -> Type:
    """The mypy type of a call's result: tensors from the value, the rest as declared."""
    p = get_proper_type(declared)
    if isinstance(value, TensorV):
        return tensor_type(api, value)
    if isinstance(p, TupleType) and isinstance(value, TupleV) \
            and len(value.items) == len(p.items):
        return p.copy_modified(items=[_result_type(api, i, v, i)
                                      for i, v in zip(p.items, value.items)])
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
        result = call_result(name, sig, actuals)
    except (ShapeError, DTypeError) as exc:
        report(ctx.api, exc, ctx.context)
        return AnyType(TypeOfAny.from_error)
    return _result_type(ctx.api, sig.ret_type, result, ctx.default_return_type)


def kernel_call_signature(ctx: MethodSigContext | FunctionSigContext) -> FunctionLike:
    """Calling a `@kernel` (or a `dsl` operation) also accepts numpy arrays for tensor
    parameters: they have no static shape, so their dims are checked at run time."""
    sig = ctx.default_signature
    hit = _WIDENED.get(id(sig))
    if hit is not None and hit[0] is sig:  # a function's signature object is reused
        return hit[1]
    ndarray: Type = AnyType(TypeOfAny.special_form)
    try:
        ndarray = instance(ctx.api, "numpy.ndarray", [ndarray, ndarray])
    except (AssertionError, KeyError):
        pass
    widened = [UnionType([t, ndarray]) if tensor_value(t) is not None else t
               for t in sig.arg_types]
    if len(_WIDENED) > 8192:
        _WIDENED.clear()
    widened_sig = _WIDENED[id(sig)] = (sig, sig.copy_modified(arg_types=widened))
    return widened_sig[1]


# Each widened signature, by the identity of the default one (kept alive: ids stay unique).
_WIDENED: dict[int, tuple[FunctionLike, FunctionLike]] = {}
