"""Structured control flow: `return`, `break`, `continue` and failing checks become flags.

MLIR's `scf` regions have no early exits, so this stage rewrites the typed IR: a jump sets a
flag (`%ret`: the kernel has returned or failed; `%brkN`/`%contN`: loop N breaks or continues;
`<scope>%ret`: an inlined kernel call has returned), the statements after it run under
`if not flags` (only the flags that the jump may have set), a loop that can be left early
becomes a `while` whose condition tests the flags, and a return stores its value in
`%retvalK` (in the call's result variable inside an inlined call). A call's flag stays inside
the call: the caller goes on after it. After this stage the IR has no `Return`, `Break`,
`Continue`, `Check` or `Inlined`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lowering import tir
from typecheck.dims import Dim
from typecheck.values import NoneV, ScalarV, TensorV, TupleV, Value

BOOL = ScalarV("bool")
INT = ScalarV("int")
RET = "%ret"
Flags = set[str]  # the flags a statement may set
STATUS = "%status"


def retval_name(k: int) -> str:
    """The variable holding result `k` of the kernel."""
    return f"%retval{k}"


@dataclass
class _Loop:
    brk: str
    cont: str
    num: int


@dataclass
class _Call:
    """The inlined call that a `Return` leaves."""

    flag: str
    result: str | None


def _flag_order(name: str) -> tuple[int, str]:
    return (0 if name == RET else 1 if name.endswith(RET) else 2 if "%brk" in name else 3,
            name)


def placeholder(loc: tir.SourceLoc, t: Value) -> tir.Expr:
    """An initial value of type `t` for a variable that is read only after an assignment."""
    if isinstance(t, TupleV):
        return tir.TupleExpr(loc, t, tuple(placeholder(loc, i) for i in t.items))
    if isinstance(t, NoneV):
        return tir.Const(loc, t, None)
    return tir.Op(loc, t, "placeholder", ())


def _ends_in_return(stmts: list[tir.Stmt]) -> bool:
    """Whether every path through `stmts` ends in a `return` at their end."""
    last = stmts[-1] if stmts else None
    return isinstance(last, tir.Return) or (isinstance(last, tir.If) and
                                            _ends_in_return(last.then) and
                                            _ends_in_return(last.orelse))


class _Structurer:
    def __init__(self, results: list[Value]) -> None:
        self.results = results
        self.loops = 0
        self.call: _Call | None = None

    # --- helpers ------------------------------------------------------------------------
    def flag(self, loc: tir.SourceLoc, name: str) -> tir.Expr:
        return tir.Var(loc, BOOL, name)

    def set(self, loc: tir.SourceLoc, name: str, value: bool) -> tir.Assign:
        return tir.Assign(loc, name, tir.Const(loc, ScalarV("bool", Dim.const(int(value))),
                                              value))

    def any_set(self, loc: tir.SourceLoc, flags: Flags) -> tir.Expr:
        names = sorted(flags, key=_flag_order)
        expr: tir.Expr = self.flag(loc, names[0])
        for n in names[1:]:
            expr = tir.Op(loc, BOOL, "bool_or", (expr, self.flag(loc, n)))
        return expr

    def none_set(self, loc: tir.SourceLoc, flags: Flags) -> tir.Expr:
        return tir.Op(loc, BOOL, "not", (self.any_set(loc, flags),))

    # --- blocks -------------------------------------------------------------------------
    def block(self, stmts: list[tir.Stmt], loop: _Loop | None
              ) -> tuple[list[tir.Stmt], Flags]:
        """The block without jumps, and the flags it may set."""
        out: list[tir.Stmt] = []
        for i, s in enumerate(stmts):
            built, flags = self.stmt(s, loop)
            out.extend(built)
            if flags:
                rest, more = self.block(stmts[i + 1:], loop)
                if rest:
                    out.append(tir.If(s.loc, self.none_set(s.loc, flags), rest, []))
                return out, flags | more
        return out, set()

    def stmt(self, s: tir.Stmt, loop: _Loop | None) -> tuple[list[tir.Stmt], Flags]:
        loc = s.loc
        if isinstance(s, tir.Return):
            if self.call is not None:
                return self.ret(s) + [self.set(loc, self.call.flag, True)], {self.call.flag}
            return self.ret(s) + [self.set(loc, RET, True)], {RET}
        if isinstance(s, tir.Check):
            fail: list[tir.Stmt] = [tir.Fail(loc, s.site, s.a, s.b), self.set(loc, RET, True)]
            return [tir.If(loc, tir.Op(loc, BOOL, "not", (s.cond,)), fail, [])], {RET}
        if isinstance(s, tir.Break):
            assert loop is not None
            return [self.set(loc, loop.brk, True)], {loop.brk}
        if isinstance(s, tir.Continue):
            assert loop is not None
            return [self.set(loc, loop.cont, True)], {loop.cont}
        if isinstance(s, tir.If):
            then, ft = self.block(s.then, loop)
            orelse, fe = self.block(s.orelse, loop)
            return [tir.If(loc, s.cond, then, orelse)], ft | fe
        if isinstance(s, tir.For):
            return self.for_loop(s)
        if isinstance(s, tir.While):
            return self.while_loop(s)
        if isinstance(s, tir.Inlined):
            return self.inlined(s)
        return [s], set()

    def ret(self, s: tir.Return) -> list[tir.Stmt]:
        """The assignments of a return's value to the kernel's (or the call's) results."""
        if s.value is None:
            return []
        if self.call is not None:
            if self.call.result is None:
                return []
            return [tir.Assign(s.loc, self.call.result, s.value)]
        if len(self.results) == 1 and not isinstance(s.value.type, TupleV):
            return [tir.Assign(s.loc, retval_name(0), s.value)]
        out: list[tir.Stmt] = [tir.Assign(s.loc, "%rettuple", s.value)]
        for k, t in enumerate(self.results):
            item = tir.Op(s.loc, t, "tuple_get",
                          (tir.Var(s.loc, s.value.type, "%rettuple"),
                           tir.Const(s.loc, ScalarV("int", Dim.const(k)), k)))
            out.append(tir.Assign(s.loc, retval_name(k), item))
        return out

    def inlined(self, s: tir.Inlined) -> tuple[list[tir.Stmt], Flags]:
        """An inlined call: its returns set the call's own flag, which the caller never
        tests; only a failing check (`%ret`) leaves the caller too."""
        outer, self.call = self.call, _Call(s.scope + RET, s.result)
        stmts, flags = self.block(self.tail(s.body), None)
        flag = self.call.flag
        self.call = outer
        init: list[tir.Stmt] = [self.set(s.loc, flag, False)] if flag in flags else []
        if s.result is not None and s.type is not None:
            init.append(tir.Assign(s.loc, s.result, placeholder(s.loc, s.type)))
        return init + stmts, flags - {flag}

    def tail(self, stmts: list[tir.Stmt]) -> list[tir.Stmt]:
        """`stmts` (the end of an inlined body) with the returns that end it, in `if`
        branches too, made plain assignments: nothing runs after them, so no flag is set.
        `if c: return a` followed by more statements becomes `if c: return a else: more`."""
        for i, s in enumerate(stmts[:-1]):
            if isinstance(s, tir.If) and (_ends_in_return(s.then) or
                                          _ends_in_return(s.orelse)):
                then, orelse = (s.then, s.orelse + stmts[i + 1:]) if \
                    _ends_in_return(s.then) else (s.then + stmts[i + 1:], s.orelse)
                return stmts[:i] + self.tail([tir.If(s.loc, s.cond, then, orelse)])
        if not stmts:
            return stmts
        last = stmts[-1]
        if isinstance(last, tir.Return):
            return stmts[:-1] + self.ret(last)
        if isinstance(last, tir.If):
            return stmts[:-1] + [tir.If(last.loc, last.cond, self.tail(last.then),
                                        self.tail(last.orelse))]
        return stmts

    # --- loops --------------------------------------------------------------------------
    def new_loop(self) -> _Loop:
        self.loops += 1
        return _Loop(f"%brk{self.loops}", f"%cont{self.loops}", self.loops)

    def resets(self, loc: tir.SourceLoc, loop: _Loop, flags: Flags) -> list[tir.Stmt]:
        return [self.set(loc, n, False) for n in (loop.brk, loop.cont) if n in flags]

    def for_loop(self, s: tir.For) -> tuple[list[tir.Stmt], Flags]:
        loop = self.new_loop()
        body, flags = self.block(s.body, loop)
        positive = isinstance(s.step, tir.Const) and isinstance(s.step.value, int) and \
            s.step.value > 0
        loc = s.loc
        if flags <= {loop.cont} and positive:
            # `continue` alone only skips the rest of the body: the loop stays a `for`.
            kept = self.resets(loc, loop, flags) + body
            return [tir.For(loc, s.var, s.start, s.stop, s.step, kept)], set()
        # Named by this loop's number: nested loops in the body have raised `self.loops`.
        it = f"%it{loop.num}"
        stop, step = f"%stop{loop.num}", f"%step{loop.num}"
        cond: tir.Expr = tir.Op(loc, BOOL, "range_more", (
            tir.Var(loc, INT, it), tir.Var(loc, INT, stop), tir.Var(loc, INT, step)))
        exits = flags - {loop.cont}
        if exits:
            cond = tir.Op(loc, BOOL, "bool_and", (cond, self.none_set(loc, exits)))
        advance = tir.Assign(loc, it, tir.Op(loc, INT, "add", (tir.Var(loc, INT, it),
                                                               tir.Var(loc, INT, step))))
        inner: list[tir.Stmt] = self.resets(loc, loop, flags & {loop.cont}) + [
            tir.Assign(loc, s.var, tir.Var(loc, INT, it)), advance] + body
        return [tir.Assign(loc, it, s.start), tir.Assign(loc, stop, s.stop),
                tir.Assign(loc, step, s.step)] + self.resets(loc, loop, flags) + [
                tir.While(loc, cond, inner)], flags - {loop.brk, loop.cont}

    def while_loop(self, s: tir.While) -> tuple[list[tir.Stmt], Flags]:
        loop = self.new_loop()
        body, flags = self.block(s.body, loop)
        if not flags:
            return [tir.While(s.loc, s.cond, body)], set()
        loc = s.loc
        exits = flags - {loop.cont}
        cond = tir.Op(loc, BOOL, "bool_and", (self.none_set(loc, exits), s.cond)) if exits \
            else s.cond
        inner: list[tir.Stmt] = self.resets(loc, loop, flags & {loop.cont}) + body
        return self.resets(loc, loop, flags) + [tir.While(loc, cond, inner)], \
            flags - {loop.brk, loop.cont}


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


__all__ = ["structure", "retval_name", "placeholder", "RET", "STATUS", "TensorV"]
