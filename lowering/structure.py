"""Structured control flow: `return`, `break`, `continue` and failing checks become flags.

MLIR's `scf` regions have no early exits, so this stage rewrites the typed IR: a jump sets a
flag (`%ret`: the kernel has returned or failed; `%brkN`/`%contN`: loop N breaks or continues),
the statements after it run under `if not flags`, a loop that can be left early becomes a
`while` whose condition tests the flags, and a return stores its value in `%retvalK`. After this
stage the IR has no `Return`, `Break`, `Continue` or `Check`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lowering import tir
from typecheck.dims import Dim
from typecheck.values import ScalarV, TensorV, TupleV, Value

BOOL = ScalarV("bool")
INT = ScalarV("int")
RET = "%ret"
STATUS = "%status"


def retval_name(k: int) -> str:
    """The variable holding result `k` of the kernel."""
    return f"%retval{k}"


@dataclass
class _Loop:
    brk: str
    cont: str
    num: int


class _Structurer:
    def __init__(self, results: list[Value]) -> None:
        self.results = results
        self.loops = 0

    # --- helpers ------------------------------------------------------------------------
    def flag(self, loc: tir.SourceLoc, name: str) -> tir.Expr:
        return tir.Var(loc, BOOL, name)

    def set(self, loc: tir.SourceLoc, name: str, value: bool) -> tir.Assign:
        return tir.Assign(loc, name, tir.Const(loc, ScalarV("bool", Dim.const(int(value))),
                                              value))

    def none_set(self, loc: tir.SourceLoc, loop: _Loop | None) -> tir.Expr:
        names = [RET] + ([loop.brk, loop.cont] if loop else [])
        expr: tir.Expr = self.flag(loc, names[0])
        for n in names[1:]:
            expr = tir.Op(loc, BOOL, "bool_or", (expr, self.flag(loc, n)))
        return tir.Op(loc, BOOL, "not", (expr,))

    # --- blocks -------------------------------------------------------------------------
    def block(self, stmts: list[tir.Stmt], loop: _Loop | None) -> tuple[list[tir.Stmt], bool]:
        out: list[tir.Stmt] = []
        for i, s in enumerate(stmts):
            built, jumps = self.stmt(s, loop)
            out.extend(built)
            if jumps:
                rest, _ = self.block(stmts[i + 1:], loop)
                if rest:
                    out.append(tir.If(s.loc, self.none_set(s.loc, loop), rest, []))
                return out, True
        return out, False

    def stmt(self, s: tir.Stmt, loop: _Loop | None) -> tuple[list[tir.Stmt], bool]:
        loc = s.loc
        if isinstance(s, tir.Return):
            return self.ret(s) + [self.set(loc, RET, True)], True
        if isinstance(s, tir.Check):
            fail: list[tir.Stmt] = [tir.Fail(loc, s.site, s.a, s.b), self.set(loc, RET, True)]
            return [tir.If(loc, tir.Op(loc, BOOL, "not", (s.cond,)), fail, [])], True
        if isinstance(s, tir.Break):
            assert loop is not None
            return [self.set(loc, loop.brk, True)], True
        if isinstance(s, tir.Continue):
            assert loop is not None
            return [self.set(loc, loop.cont, True)], True
        if isinstance(s, tir.If):
            then, jt = self.block(s.then, loop)
            orelse, je = self.block(s.orelse, loop)
            return [tir.If(loc, s.cond, then, orelse)], jt or je
        if isinstance(s, tir.For):
            return self.for_loop(s)
        if isinstance(s, tir.While):
            return self.while_loop(s)
        return [s], False

    def ret(self, s: tir.Return) -> list[tir.Stmt]:
        if s.value is None:
            return []
        if len(self.results) == 1 and not isinstance(s.value.type, TupleV):
            return [tir.Assign(s.loc, retval_name(0), s.value)]
        out: list[tir.Stmt] = [tir.Assign(s.loc, "%rettuple", s.value)]
        for k, t in enumerate(self.results):
            item = tir.Op(s.loc, t, "tuple_get",
                          (tir.Var(s.loc, s.value.type, "%rettuple"),
                           tir.Const(s.loc, ScalarV("int", Dim.const(k)), k)))
            out.append(tir.Assign(s.loc, retval_name(k), item))
        return out

    # --- loops --------------------------------------------------------------------------
    def new_loop(self) -> _Loop:
        self.loops += 1
        return _Loop(f"%brk{self.loops}", f"%cont{self.loops}", self.loops)

    def for_loop(self, s: tir.For) -> tuple[list[tir.Stmt], bool]:
        loop = self.new_loop()
        body, jumps = self.block(s.body, loop)
        positive = isinstance(s.step, tir.Const) and isinstance(s.step.value, int) and \
            s.step.value > 0
        if not jumps and positive:
            return [tir.For(s.loc, s.var, s.start, s.stop, s.step, body)], False
        loc = s.loc
        # Named by this loop's number: nested loops in the body have raised `self.loops`.
        it = f"%it{loop.num}"
        stop, step = f"%stop{loop.num}", f"%step{loop.num}"
        more = tir.Op(loc, BOOL, "range_more", (tir.Var(loc, INT, it), tir.Var(loc, INT, stop),
                                                tir.Var(loc, INT, step)))
        cond = tir.Op(loc, BOOL, "bool_and", (more, self.not_left(loc, loop)))
        advance = tir.Assign(loc, it, tir.Op(loc, INT, "add", (tir.Var(loc, INT, it),
                                                               tir.Var(loc, INT, step))))
        inner: list[tir.Stmt] = [self.set(loc, loop.cont, False),
                                 tir.Assign(loc, s.var, tir.Var(loc, INT, it)), advance] + body
        return [tir.Assign(loc, it, s.start), tir.Assign(loc, stop, s.stop),
                tir.Assign(loc, step, s.step), self.set(loc, loop.brk, False),
                self.set(loc, loop.cont, False),
                tir.While(loc, cond, inner)], jumps

    def not_left(self, loc: tir.SourceLoc, loop: _Loop) -> tir.Expr:
        either = tir.Op(loc, BOOL, "bool_or", (self.flag(loc, RET), self.flag(loc, loop.brk)))
        return tir.Op(loc, BOOL, "not", (either,))

    def while_loop(self, s: tir.While) -> tuple[list[tir.Stmt], bool]:
        loop = self.new_loop()
        body, jumps = self.block(s.body, loop)
        if not jumps:
            return [s.__class__(s.loc, s.cond, body)], False
        loc = s.loc
        cond = tir.Op(loc, BOOL, "bool_and", (self.not_left(loc, loop), s.cond))
        inner: list[tir.Stmt] = [self.set(loc, loop.cont, False)] + body
        return [self.set(loc, loop.brk, False), self.set(loc, loop.cont, False),
                tir.While(loc, cond, inner)], jumps


def structure(fn: tir.Function, results: list[Value]) -> tir.Function:
    """Remove every jump from `fn`'s body (see the module docstring)."""
    st = _Structurer(results)
    body, _ = st.block(fn.body, None)
    loc = fn.loc
    init: list[tir.Stmt] = [st.set(loc, RET, False),
                            tir.Assign(loc, STATUS, tir.Const(loc, ScalarV("int", Dim.const(0)),
                                                              0))]
    for k, t in enumerate(results):
        init.append(tir.Assign(loc, retval_name(k), tir.Op(loc, t, "placeholder", ())))
    return tir.Function(fn.name, fn.loc, fn.params, init + body, fn.result, fn.written)


__all__ = ["structure", "retval_name", "RET", "STATUS", "TensorV"]
