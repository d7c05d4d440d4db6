"""Statement checks for annotated functions without `@kernel` (helpers such as
`def gelu(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]`).

mypy has no hook for a function definition or a statement, and a plain function has no
decorator hook (nor one with another decorator). So, right after parsing (`get_additional_deps` is the plugin's one look at a
parsed file), each such function gets one harmless first statement, a call `callable(0)`; when
mypy checks that call, its hook runs the same assignment and return checks as the `@kernel`
decorator hook (`kernel_body.BodyChecker`). Only modules that import `jaxtyping` or `dsl` are
touched, and only functions with a subscripted annotation and a non-trivial body (adding a
statement to `...` would change what mypy reports about it).
"""

from __future__ import annotations

from mypy.nodes import (ARG_POS, AssignmentStmt, Block, CallExpr, ClassDef, Decorator,
                        Expression, ExpressionStmt, FuncDef, GlobalDecl, IfStmt, IndexExpr,
                        IntExpr, MemberExpr, MypyFile, NameExpr, NonlocalDecl, OpExpr,
                        Statement, StrExpr, TempNode)
from mypy.plugin import FunctionContext
from mypy.semanal import is_trivial_body
from mypy.types import AnyType, CallableType, Type, TypeOfAny, UnboundType

from typecheck.mypy_plugin.kernel_body import BodyChecker
from typecheck.mypy_plugin.reassigned import reassigned_names, statements, targets

MARKER_CALLEE = "builtins.callable"

# The inserted calls (kept alive, so their ids stay unique) and the function of each.
_MARKERS: dict[int, tuple[CallExpr, FuncDef]] = {}
_OWN_PACKAGES = ("dsl", "typecheck", "jaxtyping")
_INSTRUMENTED: dict[int, MypyFile] = {}


def instrument(tree: MypyFile) -> None:
    """Add the marker call to every candidate function of a freshly parsed user module
    (once per tree: mypy may compute a module's dependencies more than once)."""
    if tree.fullname.split(".")[0] in _OWN_PACKAGES:
        return
    done = _INSTRUMENTED.get(id(tree))
    if done is not None and done is tree:
        return
    _INSTRUMENTED[id(tree)] = tree
    if not any(imp_id.split(".")[0] in ("jaxtyping", "dsl") for imp_id in _import_ids(tree)):
        return
    _walk(tree.defs)


def _import_ids(tree: MypyFile) -> list[str]:
    ids: list[str] = []
    for imp in tree.imports:
        module = getattr(imp, "id", None)
        if isinstance(module, str):
            ids.append(module)
        for name, _ in getattr(imp, "ids", ()):
            ids.append(name)
    return ids


def _walk(stmts: list[Statement]) -> None:
    for s in stmts:
        if isinstance(s, FuncDef):
            _declare_reassigned_ints(s)
            _instrument_function(s)
            _walk(s.body.body)
        elif isinstance(s, Decorator):
            _declare_reassigned_ints(s.func)
            if not any(_is_kernel_decorator(d) for d in s.decorators):
                _instrument_function(s.func)  # `@kernel` has a hook of its own
            _walk(s.func.body.body)
        elif isinstance(s, ClassDef):
            _walk(s.defs.body)
        elif isinstance(s, IfStmt):
            for block in [*s.body, s.else_body]:
                if isinstance(block, Block):
                    _walk(block.body)


def _is_kernel_decorator(e: Expression) -> bool:
    """`@kernel`, `@dsl.kernel` (before semantic analysis: by name)."""
    if isinstance(e, CallExpr):
        e = e.callee
    return (isinstance(e, NameExpr) and e.name == "kernel") or \
        (isinstance(e, MemberExpr) and e.name == "kernel")


def _has_shaped_annotation(func: FuncDef) -> bool:
    sig = func.unanalyzed_type if func.unanalyzed_type is not None else func.type
    if not isinstance(sig, CallableType):
        return False
    return any(isinstance(t, UnboundType) and len(t.args) == 2
               for t in [*sig.arg_types, sig.ret_type])


def _declare_reassigned_ints(func: FuncDef) -> None:
    """`n = x.shape[0]` ... `n = n // 2`: mypy would give `n` the type of its first value,
    `SymInt[B]`, then reject a later plain `int` and, after a loop, still claim `B`. For such
    names (assigned more than once, first from a shape), a declaration `n: int` at the top
    lets mypy narrow `n` at each assignment instead."""
    multi = reassigned_names(func)  # (the declarations added here do not change it)
    if not multi:
        return
    excluded = {a.variable.name for a in func.arguments}
    symbolic: set[str] = set()
    seen: set[str] = set()
    for st in statements(func.body):
        if isinstance(st, (GlobalDecl, NonlocalDecl)):
            excluded.update(st.names)
        if not isinstance(st, AssignmentStmt):
            continue
        names = [n for lv in st.lvalues for n in targets(lv)]
        if st.unanalyzed_type is not None:
            excluded.update(names)
        elif isinstance(st.rvalue, MemberExpr) and st.rvalue.name == "shape":
            symbolic.update(n for n in names if n not in seen)  # `b, n = x.shape`
        elif len(st.lvalues) == 1 and isinstance(st.lvalues[0], NameExpr) \
                and st.lvalues[0].name not in seen and _symbolic_int(st.rvalue, symbolic):
            symbolic.add(st.lvalues[0].name)
        seen.update(names)
    body = func.body.body
    first = body[0] if body else None
    at = 1 if isinstance(first, ExpressionStmt) and isinstance(first.expr, StrExpr) else 0
    for name in sorted((multi & symbolic) - excluded):
        target = NameExpr(name)
        rvalue = TempNode(AnyType(TypeOfAny.special_form), no_rhs=True)
        decl = AssignmentStmt([target], rvalue, type=UnboundType("int"), new_syntax=True)
        for node in (target, rvalue, decl):
            node.set_line(func)
        body.insert(at, decl)


def _symbolic_int(e: Expression, known: set[str]) -> bool:
    """Whether an expression may have a `SymInt` type: `x.shape[i]`, names known to hold one,
    and `+ - * //` of those with int literals."""
    if isinstance(e, IndexExpr):
        return isinstance(e.base, MemberExpr) and e.base.name == "shape"
    if isinstance(e, NameExpr):
        return e.name in known
    if isinstance(e, OpExpr) and e.op in ("+", "-", "*", "//"):
        sides = (e.left, e.right)
        return all(isinstance(x, IntExpr) or _symbolic_int(x, known) for x in sides) and \
            any(_symbolic_int(x, known) for x in sides)
    return False


def _instrument_function(func: FuncDef) -> None:
    if not _has_shaped_annotation(func) or is_trivial_body(func.body):
        return
    call = CallExpr(NameExpr("callable"), [IntExpr(0)], [ARG_POS], [None])
    stmt = ExpressionStmt(call)
    for node in (call, call.callee, call.args[0], stmt):
        node.set_line(func)
    body = func.body.body
    first = body[0] if body else None
    at = 1 if isinstance(first, ExpressionStmt) and isinstance(first.expr, StrExpr) else 0
    body.insert(at, stmt)
    _MARKERS[id(call)] = (call, func)


def marker_hook(ctx: FunctionContext) -> Type:
    """The hook on `callable(...)`: for an inserted marker, check its function's body."""
    found = _MARKERS.get(id(ctx.context))
    if found is not None and found[0] is ctx.context:
        func = found[1]
        if isinstance(func.type, CallableType):
            BodyChecker(ctx.api, func, func.type).check(func.body)
    return ctx.default_return_type
