"""The front end's entry: a kernel function and one specialisation to typed IR plus the
kernel's ABI (parameters, results, print and error tables)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable

from dsl._check import AnySpec, NoneSpec, OtherSpec, Signature, Spec, TensorSpec, TupleSpec
from dsl._errors import CompileError
from dsl._runtime.abi import KernelABI, ParamSpec, ResultSpec
from lowering import tir
from lowering.frontend.params import ArgSpec, rank_matches, scalar_value, tensor_value
from lowering.frontend.sites import Sites
from lowering.frontend.stmts import StmtBuilder
from lowering.frontend.values import describe, join
from lowering.source import FunctionSource, read_source
from typecheck.annotations import VariadicDim
from typecheck.dims import Dim
from typecheck.dtypes import DType
from typecheck.errors import AnnotationError
from typecheck.values import NoneV, ScalarV, TensorV, TupleV, Value

_SCALARS = {int: "int", float: "float", bool: "bool"}


@dataclass
class FrontEndResult:
    """The typed IR of one specialisation, its result values and its ABI."""

    function: tir.Function
    results: list[Value]
    abi: KernelABI
    source: FunctionSource


def build(fn: Callable[..., Any], specs: list[ArgSpec], symbol: str) -> FrontEndResult:
    """Parse and type `fn` for argument specs `specs`; `symbol` names the entry point."""
    src = read_source(fn)
    try:
        sig = Signature.of(fn)
    except AnnotationError as exc:
        raise src.error(src.tree, str(exc)) from None
    if len(sig.params) != len(specs):
        raise src.error(src.tree, f"kernel takes {len(sig.params)} arguments, got "
                        f"{len(specs)}")
    sites = Sites()
    env: dict[str, Value] = {}
    params: list[tuple[str, Value]] = []
    abi_params: list[ParamSpec] = []
    for p, spec in zip(sig.params, specs):
        value = _param_value(src, p.name, p.spec, spec)
        env[p.name] = value
        params.append((p.name, value))
        abi_params.append(ParamSpec(p.name, spec.kind, spec.dtype, spec.rank,
                                    _annotation(p.spec)))
    builder = StmtBuilder(src, sites, env)
    body = builder.block(src.tree.body)
    results, abi_results, is_tuple = _results(src, sig.result, builder.returns)
    if results and not (body and isinstance(body[-1], tir.Return)):
        loc = src.loc(src.tree)
        site = sites.add_error("KernelAssertionError",
                               f"kernel '{src.tree.name}' reached its end without returning "
                               "a value", loc)
        body.append(tir.Check(loc, tir.Const(loc, ScalarV("bool", Dim.const(0)), False), site))
    written = {n for n in builder.written if n in env and n in dict(params)}
    abi_params = [ParamSpec(p.name, p.kind, p.dtype, p.rank, p.annotation, p.name in written)
                  for p in abi_params]
    function = tir.Function(src.tree.name, src.loc(src.tree), params, body,
                            TupleV(tuple(results)) if is_tuple else
                            (results[0] if results else None), written)
    abi = KernelABI(src.tree.name, symbol, tuple(abi_params), tuple(abi_results), is_tuple,
                    dict(sites.prints), dict(sites.errors))
    return FrontEndResult(function, results, abi, src)


def _result_dims(shape: Any, rank: int) -> tuple[str, ...]:
    """One dim expression per result axis; a variadic `*b` becomes `b__0`, `b__1`, ... (the
    runtime binds those names to the axes of the variadic segment)."""
    dims: list[str] = []
    fixed = sum(1 for d in shape.dims if not isinstance(d, VariadicDim))
    for d in shape.dims:
        if isinstance(d, VariadicDim):
            dims.extend(f"{d.name}__{i}" for i in range(rank - fixed))
        else:
            dims.append(str(d))
    return tuple(dims)


def _annotation(spec: Spec) -> str:
    return str(spec.shape) if isinstance(spec, TensorSpec) and spec.shape is not None else ""


def _param_value(src: FunctionSource, name: str, spec: Spec, arg: ArgSpec) -> Value:
    where = src.tree
    if isinstance(spec, TensorSpec):
        if arg.kind != "tensor":
            raise src.error(where, f"parameter '{name}' is a tensor, got a {arg.kind}")
        if not rank_matches(spec.shape, arg.rank):
            raise src.error(where, f"parameter '{name}': rank {arg.rank} does not match "
                            f"'{spec.shape}'")
        return tensor_value(DType(arg.dtype), arg.rank, spec.shape)
    if isinstance(spec, OtherSpec) and spec.hint in _SCALARS:
        kind = _SCALARS[spec.hint]
        return scalar_value(name, kind)
    if isinstance(spec, AnySpec):
        raise src.error(where, f"parameter '{name}' needs an annotation (a tensor type, int, "
                        "float or bool)")
    raise src.error(where, f"parameter '{name}': unsupported annotation for a compiled kernel")


def _results(src: FunctionSource, spec: Spec, returns: list[Value]
             ) -> tuple[list[Value], list[ResultSpec], bool]:
    """The result values (joined over every `return`) and their ABI descriptions."""
    if isinstance(spec, (NoneSpec, AnySpec)) and all(isinstance(r, NoneV) for r in returns):
        return [], [], False
    items = list(spec.items) if isinstance(spec, TupleSpec) and spec.repeat is None else [spec]
    is_tuple = isinstance(spec, TupleSpec)
    joined: list[Value] = []
    for k, item in enumerate(items):
        values = [r.items[k] if is_tuple and isinstance(r, TupleV) and k < len(r.items) else r
                  for r in returns]
        if not values or any(isinstance(v, NoneV) for v in values):
            raise src.error(src.tree, "every `return` of this kernel must return a value")
        v: Value | None = values[0]
        for other in values[1:]:
            v = join(v, other) if v is not None else None
        if v is None:
            raise src.error(src.tree, "the kernel's returns have different types: "
                            + ", ".join(describe(x) for x in values))
        joined.append(v)
    return joined, [_result_spec(src, item, v) for item, v in zip(items, joined)], is_tuple


def _result_spec(src: FunctionSource, spec: Spec, value: Value) -> ResultSpec:
    if isinstance(spec, OtherSpec) and spec.hint in _SCALARS:
        kind = _SCALARS[spec.hint]
        if not isinstance(value, ScalarV):
            raise src.error(src.tree, f"the kernel returns {describe(value)} but is annotated "
                            f"-> {kind}")
        return ResultSpec(kind)
    if isinstance(spec, TensorSpec):
        if not isinstance(value, TensorV) or value.dtype is None or value.shape.var is not None:
            raise src.error(src.tree, f"the kernel returns {describe(value)} but is annotated "
                            f"with a tensor type")
        rank = len(value.shape.prefix)
        if spec.shape is None or not rank_matches(spec.shape, rank):
            raise src.error(src.tree, f"the kernel returns a tensor of rank {rank}, which does "
                            f"not match its annotation '{spec.shape}'")
        if any(isinstance(d, VariadicDim) and d.name is None for d in spec.shape.dims) or \
                "_" in str(spec.shape).split(" "):
            raise src.error(src.tree, "a compiled kernel's result annotation must name every "
                            "dim (no `_` or `...`): the caller allocates the result")
        return ResultSpec("tensor", value.dtype.value, _result_dims(spec.shape, rank))
    raise src.error(src.tree, "unsupported result annotation for a compiled kernel")


__all__ = ["build", "FrontEndResult", "ArgSpec", "CompileError", "ast"]
