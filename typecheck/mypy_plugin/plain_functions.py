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

from mypy.nodes import (ARG_POS, Block, CallExpr, ClassDef, Decorator, Expression,
                        ExpressionStmt, FuncDef, IfStmt, IntExpr, MemberExpr, MypyFile,
                        NameExpr, Statement, StrExpr)
from mypy.plugin import FunctionContext
from mypy.semanal import is_trivial_body
from mypy.types import CallableType, Type, UnboundType

from typecheck.mypy_plugin.kernel_body import BodyChecker

MARKER_CALLEE = "builtins.callable"

# The inserted calls (kept alive, so their ids stay unique) and the function of each.
_MARKERS: dict[int, tuple[CallExpr, FuncDef]] = {}
_OWN_PACKAGES = ("dsl", "typecheck", "jaxtyping")


def instrument(tree: MypyFile) -> None:
    """Add the marker call to every candidate function of a freshly parsed user module."""
    if tree.fullname.split(".")[0] in _OWN_PACKAGES:
        return
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
            _instrument_function(s)
            _walk(s.body.body)
        elif isinstance(s, Decorator):
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
