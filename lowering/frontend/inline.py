"""Calls between kernels: the callee's body is inlined into the caller's typed IR.

The callee's parameters become variables bound to the arguments; writes the callee makes into
a tensor parameter are written back to the caller's variable, so `x[i] = v` in a callee is
visible to the caller as in Python. A callee that returns only at the end of its body is
inlined as plain statements; one that may return before (in a branch or a loop) becomes a
`tir.Inlined` block, whose jumps `lowering.structure` confines to the call.
"""

from __future__ import annotations

import ast
import inspect
from typing import TYPE_CHECKING, Any

from dsl._check import Signature, TensorSpec
from lowering import tir
from lowering.frontend.params import rank_matches
from lowering.frontend.values import describe, join
from lowering.source import FunctionSource, read_source
from typecheck.dims import Dim
from typecheck.values import NoneV, ScalarV, TensorV, Value

if TYPE_CHECKING:
    from lowering.frontend.stmts import StmtBuilder

_MAX_DEPTH = 16


def inline_call(b: "StmtBuilder", node: ast.Call, kernel: Any) -> tir.Expr:
    """Inline `kernel(...)`; its statements go to `b.pre`, the result is an expression."""
    from lowering.frontend.stmts import StmtBuilder
    if b.depth >= _MAX_DEPTH:
        raise b.error(node, "kernel calls nest too deeply (recursion is not supported)")
    fn = kernel.fn
    src = read_source(fn)
    sig = Signature.of(fn)
    args = [b.expr(a) for a in node.args]
    kwargs = {k.arg: b.expr(k.value) for k in node.keywords if k.arg is not None}
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as exc:
        raise b.error(node, f"{src.tree.name}(): {exc}") from None
    b.inline_count += 1
    prefix = f"{b.prefix}{src.tree.name}.{b.inline_count}."
    callee = StmtBuilder(src, b.sites, b.env, prefix, b.depth + 1)
    loc = b.loc(node)
    for p in sig.params:
        if p.name not in bound.arguments:
            raise b.error(node, f"{src.tree.name}(): parameter '{p.name}' needs a value "
                          "(defaults are not supported in kernel calls)")
        arg = bound.arguments[p.name]
        _check_arg(b, node, src.tree.name, p.name, p.spec, arg.type)
        b.env[prefix + p.name] = arg.type
        b.pre.append(tir.Assign(loc, prefix + p.name, arg))
    body = src.tree.body
    last = body[-1] if body else None
    if _returns_early(body):
        result = _inline_scoped(b, callee, node, src)
    else:
        stmts = callee.block(body[:-1] if isinstance(last, ast.Return) else body)
        callee.pre = []
        result = tir.Const(loc, NoneV(), None)
        if isinstance(last, ast.Return) and last.value is not None:
            result = callee.expr(last.value)
            stmts.extend(callee.pre)
        b.pre.extend(stmts)
    _write_back(b, node, sig, bound.arguments, callee.written, prefix)
    if isinstance(result, (tir.Const, tir.Var)):
        return result
    name = prefix + "%result"
    b.env[name] = result.type
    b.pre.append(tir.Assign(loc, name, result))
    return tir.Var(loc, result.type, name)


def _returns_early(body: list[ast.stmt]) -> bool:
    """Whether a `return` may run before the end of `body`."""
    last = body[-1] if body else None
    return any(isinstance(n, ast.Return) for s in body[:-1] for n in ast.walk(s)) or (
        last is not None and not isinstance(last, ast.Return) and
        any(isinstance(n, ast.Return) for n in ast.walk(last)))


def _inline_scoped(b: "StmtBuilder", callee: "StmtBuilder", node: ast.Call,
                   src: FunctionSource) -> tir.Expr:
    """A callee that may return early: its body becomes a `tir.Inlined` block, whose
    returns store into one result variable; the result expression is that variable."""
    loc = b.loc(node)
    stmts = callee.block(src.tree.body)
    callee.pre = []
    rtype: Value | None = callee.returns[0] if callee.returns else NoneV()
    for r in callee.returns[1:]:
        rtype = join(rtype, r) if rtype is not None else None
    if rtype is None:
        raise b.error(node, f"kernel '{src.tree.name}' returns different types on different "
                      "paths: " + ", ".join(describe(r) for r in callee.returns))
    if not isinstance(rtype, NoneV) and not _always_returns(stmts):
        end = src.loc(src.tree)
        site = b.sites.add_error("KernelAssertionError", f"kernel '{src.tree.name}' reached "
                                 "its end without returning a value", end)
        stmts.append(tir.Check(end, tir.Const(end, ScalarV("bool", Dim.const(0)), False),
                               site))
    if isinstance(rtype, NoneV):
        b.pre.append(tir.Inlined(loc, callee.prefix, stmts, None, None))
        return tir.Const(loc, rtype, None)
    name = callee.prefix + "%result"
    b.env[name] = rtype
    b.pre.append(tir.Inlined(loc, callee.prefix, stmts, name, rtype))
    return tir.Var(loc, rtype, name)


def _always_returns(stmts: list[tir.Stmt]) -> bool:
    """Whether no path through `stmts` reaches their end (it returns, or loops in a
    `while True` without `break`); other loops are not looked into."""
    for s in stmts:
        if isinstance(s, tir.Return):
            return True
        if isinstance(s, tir.If) and _always_returns(s.then) and _always_returns(s.orelse):
            return True
        if isinstance(s, tir.While) and isinstance(s.cond, tir.Const) and s.cond.value is True \
                and not _breaks(s.body):
            return True
    return False


def _breaks(stmts: list[tir.Stmt]) -> bool:
    """Whether `stmts` hold a `break` of the loop around them (not of a nested loop)."""
    for s in stmts:
        if isinstance(s, tir.Break):
            return True
        if isinstance(s, tir.If) and (_breaks(s.then) or _breaks(s.orelse)):
            return True
    return False


def _check_arg(b: "StmtBuilder", node: ast.AST, callee: str, name: str, spec: Any,
               value: Value) -> None:
    if not isinstance(spec, TensorSpec):
        return
    if not isinstance(value, TensorV):
        raise b.error(node, f"{callee}(): argument '{name}' must be a tensor, got "
                      f"{describe(value)}")
    rank = len(value.shape.prefix) if value.shape.var is None else None
    if rank is not None and not rank_matches(spec.shape, rank):
        raise b.error(node, f"{callee}(): argument '{name}' has rank {rank}, which does not "
                      f"match the annotation '{spec.shape}'")


def _write_back(b: "StmtBuilder", node: ast.AST, sig: Signature, arguments: dict[str, Any],
                written: set[str], prefix: str) -> None:
    """Writes into a callee's tensor parameter update the caller's variable."""
    loc = b.loc(node)
    for p in sig.params:
        if prefix + p.name not in written:
            continue
        arg = arguments[p.name]
        if not isinstance(arg, tir.Var):
            continue  # a temporary: nobody can observe the write
        t = join(b.env[arg.name], b.env[prefix + p.name])
        if t is None:
            raise b.error(node, f"argument '{p.name}' changes type in the callee")
        b.env[arg.name] = t
        b.pre.append(tir.Assign(loc, arg.name, tir.Var(loc, b.env[prefix + p.name],
                                                      prefix + p.name)))
        b.written.add(arg.name)
