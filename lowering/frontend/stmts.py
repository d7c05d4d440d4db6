"""Statements: assignments, index assignment, control flow, print, assert, kernel inlining."""

from __future__ import annotations

import ast
import copy
import inspect
from typing import Any

from lowering import tir
from lowering.frontend.exprs import ExprBuilder, Static
from lowering.frontend.resolve import builtin_name
from lowering.frontend.sites import Sites
from lowering.frontend.values import describe, join
from lowering.source import FunctionSource, read_source
from typecheck.dims import Dim
from typecheck.values import NoneV, ScalarV, TensorV, TupleV, Value

BOOL = ScalarV("bool")
INT = ScalarV("int")
_MAX_INLINE_DEPTH = 16
_UNSUPPORTED = {
    "With": "`with` statements", "AsyncWith": "`async with` statements",
    "Try": "`try` statements", "TryStar": "`try` statements", "Raise": "`raise` statements",
    "Global": "`global` declarations", "Nonlocal": "`nonlocal` declarations",
    "FunctionDef": "nested functions (`def`)", "AsyncFunctionDef": "nested functions (`def`)",
    "ClassDef": "class definitions", "Import": "imports", "ImportFrom": "imports",
    "Delete": "`del` statements", "Match": "`match` statements",
    "AsyncFor": "`async for` loops",
}


class StmtBuilder(ExprBuilder):
    """Builds a function body (or an inlined callee's body) into typed statements."""

    def __init__(self, src: FunctionSource, sites: Sites, env: dict[str, Value],
                 prefix: str = "", depth: int = 0, kernel_name: str = "") -> None:
        super().__init__(src, sites, env, prefix)
        self.depth = depth
        self.kernel_name = kernel_name or src.tree.name
        self.loop_depth = 0
        self.returns: list[Value] = []
        self.written: set[str] = set()
        self.inline_count = 0
        self.is_callee = depth > 0

    # --- blocks -------------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt]) -> list[tir.Stmt]:
        out: list[tir.Stmt] = []
        for s in stmts:
            self.pre = []
            built = self.stmt(s)
            out.extend(self.pre)
            out.extend(built)
            self.pre = []
        return out

    def stmt(self, node: ast.stmt) -> list[tir.Stmt]:
        method = getattr(self, "_s_" + type(node).__name__, None)
        if method is None:
            what = _UNSUPPORTED.get(type(node).__name__, f"`{type(node).__name__}` statements")
            raise self.error(node, f"{what} are not supported in kernels")
        result: list[tir.Stmt] = method(node)
        return result

    # --- assignments --------------------------------------------------------------------
    def _s_Assign(self, node: ast.Assign) -> list[tir.Stmt]:
        if len(node.targets) != 1:
            raise self.error(node, "chained assignment is not supported in kernels")
        return self.assign(node.targets[0], node.value, node)

    def _s_AnnAssign(self, node: ast.AnnAssign) -> list[tir.Stmt]:
        if node.value is None:
            return []
        return self.assign(node.target, node.value, node)

    def _s_AugAssign(self, node: ast.AugAssign) -> list[tir.Stmt]:
        from lowering.frontend.exprs import _BINOPS
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.error(node, f"operator {type(node.op).__name__} is not supported")
        if isinstance(node.target, ast.Name):
            cur = self.expr(ast.copy_location(ast.Name(node.target.id, ast.Load()), node.target))
            value = self.binary(node, op, cur, self.expr(node.value))
            return self.bind(node.target, node.target.id, value)
        if isinstance(node.target, ast.Subscript):
            load = ast.copy_location(ast.Subscript(node.target.value, node.target.slice,
                                                   ast.Load()), node.target)
            cur = self.expr(load)
            value = self.binary(node, op, cur, self.expr(node.value))
            return self.setitem(node.target, value)
        raise self.error(node, "this augmented assignment target is not supported")

    def assign(self, target: ast.expr, value_node: ast.expr, node: ast.AST) -> list[tir.Stmt]:
        if isinstance(target, ast.Name):
            return self.bind(target, target.id, self.expr(value_node))
        if isinstance(target, ast.Subscript):
            return self.setitem(target, self.expr(value_node))
        if isinstance(target, (ast.Tuple, ast.List)):
            return self.unpack(target, self.expr(value_node))
        raise self.error(target, "this assignment target is not supported in kernels")

    def bind(self, target: ast.AST, name: str, value: tir.Expr) -> list[tir.Stmt]:
        if not isinstance(value.type, (TensorV, ScalarV, TupleV)):
            raise self.error(target, f"cannot assign {describe(value.type)} to a variable")
        local = self.local(name)
        old = self.env.get(local)
        if old is not None and join(old, value.type) is None:
            raise self.error(target, f"variable '{name}' changes type: it was {describe(old)}, "
                             f"now {describe(value.type)} (a variable keeps one dtype and rank)")
        self.env[local] = value.type
        return [tir.Assign(self.loc(target), local, value)]

    def unpack(self, target: ast.Tuple | ast.List, value: tir.Expr) -> list[tir.Stmt]:
        t = value.type
        if not isinstance(t, TupleV) or len(t.items) != len(target.elts):
            raise self.error(target, f"cannot unpack {describe(t)} into {len(target.elts)} "
                             "names")
        out: list[tir.Stmt] = []
        tmp = self.temp("tuple")
        self.env[tmp] = t
        out.append(tir.Assign(self.loc(target), tmp, value))
        for i, elt in enumerate(target.elts):
            if not isinstance(elt, ast.Name):
                raise self.error(elt, "tuple targets must be plain names in kernels")
            item = tir.Op(self.loc(elt), t.items[i], "tuple_get",
                          (tir.Var(self.loc(elt), t, tmp), self.int_const(self.loc(elt), i)))
            out.extend(self.bind(elt, elt.id, item))
        return out

    def setitem(self, target: ast.Subscript, value: tir.Expr) -> list[tir.Stmt]:
        from lowering.frontend.indexing import canonical_index
        if not isinstance(target.value, ast.Name):
            raise self.error(target, "index assignment needs a variable on the left: "
                             "`x[i] = v`")
        base = self.expr(target.value)
        if not isinstance(base, tir.Var) or not isinstance(base.type, TensorV):
            raise self.error(target, "index assignment needs a tensor variable")
        index, idx_value = canonical_index(self, target, base)
        self.apply(target, "setitem", [base.type, idx_value, value.type])
        region = self.apply(target, "getitem", [base.type, idx_value])
        self._region_checks(target, base, index, region, value)
        self.written.add(base.name)
        return [tir.SetItem(self.loc(target), base.name, index, value)]

    def _region_checks(self, node: ast.AST, base: tir.Var, index: tir.TupleExpr,
                       region: Value, value: tir.Expr) -> None:
        """The value must broadcast to the indexed region: check dims not proven equal."""
        if not isinstance(value.type, TensorV) or not isinstance(region, TensorV):
            return
        loc = self.loc(node)
        vdims, rdims = value.type.shape.prefix, region.shape.prefix
        read = tir.Op(loc, region, "getitem", (base, index))
        for j in range(1, len(vdims) + 1):
            vd = vdims[-j]
            if isinstance(vd, Dim) and vd.const_value == 1:
                continue
            rd = rdims[-j] if j <= len(rdims) else None
            if vd is not None and vd == rd:
                continue
            axis_v, axis_r = len(vdims) - j, len(rdims) - j
            a = self.scalar_op(loc, "dim", value, self.int_const(loc, axis_v))
            b = self.scalar_op(loc, "dim", read, self.int_const(loc, axis_r))
            self.check(loc, self.scalar_op(loc, "eq", a, b), "ShapeError",
                       f"cannot assign a value with dim {{a}} into a region with dim {{b}} "
                       f"(axis {axis_r})", a, b)

    # --- control flow -------------------------------------------------------------------
    def _s_If(self, node: ast.If) -> list[tir.Stmt]:
        test = self.value_or_static(node.test)
        if isinstance(test, tir.Const) and isinstance(test.value, (bool, int, float)):
            return self.block(node.body if test.value else node.orelse)  # compile-time if
        if isinstance(test, Static):
            raise self.error(node.test, "this condition is not a run-time value")
        cond = self.truth(node.test, test)
        pre = self.pre
        before = dict(self.env)
        then = self.block(node.body)
        env_then, self.env = self.env, dict(before)
        orelse = self.block(node.orelse)
        self.env = self.merge(node, env_then, self.env)
        self.pre = pre
        return [tir.If(self.loc(node), cond, then, orelse)]

    def merge(self, node: ast.AST, a: dict[str, Value], b: dict[str, Value]
              ) -> dict[str, Value]:
        out: dict[str, Value] = {}
        for name in a.keys() & b.keys():
            j = join(a[name], b[name])
            if j is None:
                raise self.error(node, f"variable '{name.split('.')[-1]}' has different types "
                                 f"on different paths: {describe(a[name])} and "
                                 f"{describe(b[name])}")
            out[name] = j
        return out

    def loop_body(self, node: ast.AST, body: list[ast.stmt]) -> list[tir.Stmt]:
        """Type a loop body to a fixpoint: loop-carried variables take the join of their
        values before and after an iteration."""
        saved_sites = (dict(self.sites.prints), dict(self.sites.errors))
        for _ in range(4):
            before = dict(self.env)
            self.loop_depth += 1
            built = self.block(body)
            self.loop_depth -= 1
            merged = self.merge(node, before, self.env)
            carried = {k: v for k, v in before.items() if k in merged}
            if merged == carried:
                self.env = merged
                return built
            self.env = merged
            self.sites.prints, self.sites.errors = (dict(saved_sites[0]), dict(saved_sites[1]))
        raise self.error(node, "cannot infer the types of this loop's variables")

    def _s_For(self, node: ast.For) -> list[tir.Stmt]:
        if node.orelse:
            raise self.error(node, "`for ... else` is not supported in kernels")
        if not isinstance(node.target, ast.Name):
            raise self.error(node.target, "the loop variable must be a plain name")
        it = node.iter
        if not (isinstance(it, ast.Call) and isinstance(self.value_or_static(it.func), Static)
                and builtin_name(self.value_or_static(it.func).obj) == "range"):  # type: ignore[union-attr]
            raise self.error(it, "kernels can only loop over range(...)")
        if it.keywords or not 1 <= len(it.args) <= 3:
            raise self.error(it, "range() takes 1 to 3 positional arguments")
        bounds = [self._int_arg(a) for a in it.args]
        loc = self.loc(node)
        if len(bounds) == 1:
            bounds = [self.int_const(loc, 0), bounds[0]]
        if len(bounds) == 2:
            bounds.append(self.int_const(loc, 1))
        start, stop, step = bounds
        if not (isinstance(step, tir.Const) and step.value != 0):
            self.check(loc, self.scalar_op(loc, "ne", step, self.int_const(loc, 0)),
                       "ValueError", "range() arg 3 must not be zero")
        elif isinstance(step, tir.Const) and step.value == 0:
            raise self.error(it, "range() arg 3 must not be zero")
        pre = self.pre
        var = self.local(node.target.id)
        self.env[var] = INT
        body = self.loop_body(node, node.body)
        self.pre = pre
        self.env[var] = INT
        return [tir.For(loc, var, start, stop, step, body)]

    def _int_arg(self, node: ast.expr) -> tir.Expr:
        e = self.expr(node)
        if not isinstance(e.type, ScalarV) or e.type.kind not in ("int", "bool"):
            raise self.error(node, f"range() needs ints, got {describe(e.type)}")
        return e

    def _s_While(self, node: ast.While) -> list[tir.Stmt]:
        if node.orelse:
            raise self.error(node, "`while ... else` is not supported in kernels")
        loc = self.loc(node)
        outer = self.pre
        self.pre = []
        # Built to a fixpoint like a body, since the condition reads loop-carried variables.
        saved = dict(self.env)
        cond = self.truth(node.test, self.expr(node.test))
        cond_pre = self.pre
        body = self.loop_body(node, node.body)
        if self.env != saved:
            self.pre = []
            cond = self.truth(node.test, self.expr(node.test))
            cond_pre = self.pre
            body = self.loop_body(node, node.body)
        self.pre = outer
        if cond_pre:
            exit_ = tir.If(loc, tir.Op(loc, BOOL, "not", (cond,)), [tir.Break(loc)], [])
            true = tir.Const(loc, ScalarV("bool"), True)
            return [tir.While(loc, true, cond_pre + [exit_] + body)]
        return [tir.While(loc, cond, body)]

    def _s_Break(self, node: ast.Break) -> list[tir.Stmt]:
        if not self.loop_depth:
            raise self.error(node, "`break` outside a loop")
        return [tir.Break(self.loc(node))]

    def _s_Continue(self, node: ast.Continue) -> list[tir.Stmt]:
        if not self.loop_depth:
            raise self.error(node, "`continue` outside a loop")
        return [tir.Continue(self.loc(node))]

    def _s_Return(self, node: ast.Return) -> list[tir.Stmt]:
        value = self.expr(node.value) if node.value is not None else None
        if value is not None and not isinstance(value.type, (TensorV, ScalarV, TupleV, NoneV)):
            raise self.error(node, f"cannot return {describe(value.type)}")
        self.returns.append(value.type if value is not None else NoneV())
        return [tir.Return(self.loc(node), value)]

    def _s_Pass(self, node: ast.Pass) -> list[tir.Stmt]:
        return []

    # --- effects ------------------------------------------------------------------------
    def _s_Expr(self, node: ast.Expr) -> list[tir.Stmt]:
        v = node.value
        if isinstance(v, ast.Constant) and isinstance(v.value, str):
            return []  # docstring
        if isinstance(v, ast.Call):
            callee = self.value_or_static(v.func)
            if isinstance(callee, Static) and builtin_name(callee.obj) == "print":
                return self.print_stmt(v)
        self.expr(v)  # type-checked; a pure expression statement has no effect
        return []

    def print_stmt(self, node: ast.Call) -> list[tir.Stmt]:
        opts = {"sep": " ", "end": "\n"}
        for k in node.keywords:
            if k.arg not in opts or not (isinstance(k.value, ast.Constant) and
                                         isinstance(k.value.value, (str, type(None)))):
                raise self.error(k.value if k.arg else node,
                                 "print() in a kernel takes only literal `sep` and `end`")
            if k.value.value is not None:
                opts[k.arg] = k.value.value
        parts: list[str | None] = []
        values: list[tir.Expr] = []
        for a in node.args:
            if isinstance(a, ast.Constant) and isinstance(a.value, str):
                parts.append(a.value)
                continue
            if isinstance(a, ast.JoinedStr):
                raise self.error(a, "f-strings are not supported in kernels; pass the values "
                                 "to print() as separate arguments")
            e = self.expr(a)
            if not isinstance(e.type, (TensorV, ScalarV)):
                raise self.error(a, f"cannot print {describe(e.type)}")
            parts.append(None)
            values.append(e)
        site = self.sites.add_print(tuple(parts), opts["sep"], opts["end"])
        return [tir.Print(self.loc(node), site, tuple(values))]

    def _s_Assert(self, node: ast.Assert) -> list[tir.Stmt]:
        detail = ""
        if node.msg is not None:
            if not (isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str)):
                raise self.error(node.msg, "an assert message must be a string literal in a "
                                 "kernel")
            detail = f": {node.msg.value}"
        cond = self.truth(node.test, self.expr(node.test))
        msg = f"assertion failed in kernel '{self.kernel_name}'{detail}"
        self.check(self.loc(node), cond, "KernelAssertionError",
                   msg.replace("{", "{{").replace("}", "}}"))
        return []

    # --- calls to other kernels ---------------------------------------------------------
    def inline_kernel(self, node: ast.Call, kernel: Any) -> tir.Expr:
        from lowering.frontend.inline import inline_call
        return inline_call(self, node, kernel)


__all__ = ["StmtBuilder", "copy", "inspect", "read_source"]
