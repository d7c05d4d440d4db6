"""Local variables assigned more than once (`n = x.shape[0]` ... `n = n // 2`).

mypy keeps a variable's first type (here `SymInt[B]`) wherever the later value does not
narrow it, e.g. after a loop, so a re-assigned int would claim a dim it no longer has. The
checker therefore knows an int variable's dim only when the function assigns it exactly once.
"""

from __future__ import annotations

from mypy.nodes import (LDEF, AssignmentStmt, Block, Expression, ForStmt, FuncItem, IfStmt,
                        NameExpr, OperatorAssignmentStmt, Statement, StarExpr, TryStmt,
                        TupleExpr, ListExpr, WhileStmt, WithStmt)
from mypy.plugin import CheckerPluginInterface

_CACHE: dict[int, tuple[FuncItem, frozenset[str]]] = {}


def reassigned_names(func: FuncItem) -> frozenset[str]:
    """The names the function's own body (not nested functions) assigns more than once."""
    cached = _CACHE.get(id(func))
    if cached is None or cached[0] is not func:
        counts = count_assignments(func.body)
        cached = (func, frozenset(n for n, c in counts.items() if c > 1))
        _CACHE[id(func)] = cached
    return cached[1]


def is_reassigned_local(node: Expression | None, api: CheckerPluginInterface) -> bool:
    """Whether `node` names a local variable that its function assigns more than once."""
    if not isinstance(node, NameExpr) or node.kind != LDEF:
        return False
    scope = getattr(api, "scope", None)
    func = scope.current_function() if scope is not None else None
    return isinstance(func, FuncItem) and node.name in reassigned_names(func)


def targets(e: Expression) -> list[str]:
    """The names an assignment target binds."""
    if isinstance(e, NameExpr):
        return [e.name]
    if isinstance(e, (TupleExpr, ListExpr)):
        return [n for item in e.items for n in targets(item)]
    if isinstance(e, StarExpr):
        return targets(e.expr)
    return []


def count_assignments(block: Block) -> dict[str, int]:
    """How often each name is assigned in the block (loop targets and `+=` count twice)."""
    counts: dict[str, int] = {}
    _count_block(block, counts)
    return counts


def statements(block: Block) -> list[Statement]:
    """The block's statements in source order, nested blocks included (not nested
    functions or classes)."""
    out: list[Statement] = []
    for s in block.body:
        out.append(s)
        for inner in blocks_of(s):
            out.extend(statements(inner))
    return out


def _count_block(block: Block, counts: dict[str, int]) -> None:
    for s in block.body:
        _count(s, counts)


def _count(s: Statement, counts: dict[str, int]) -> None:
    names: list[str] = []
    weight = 1
    if isinstance(s, AssignmentStmt):
        names = [n for lv in s.lvalues for n in targets(lv)]
    elif isinstance(s, OperatorAssignmentStmt):
        names, weight = targets(s.lvalue), 2
    elif isinstance(s, ForStmt):
        names, weight = targets(s.index), 2
    elif isinstance(s, WithStmt):
        names = [n for t in s.target if t is not None for n in targets(t)]
    for n in names:
        counts[n] = counts.get(n, 0) + weight
    for block in blocks_of(s):
        _count_block(block, counts)


def blocks_of(s: Statement) -> list[Block]:
    """The blocks nested in a compound statement."""
    if isinstance(s, IfStmt):
        return [*s.body, *([s.else_body] if s.else_body else [])]
    if isinstance(s, (ForStmt, WhileStmt)):
        return [s.body, *([s.else_body] if s.else_body else [])]
    if isinstance(s, WithStmt):
        return [s.body]
    if isinstance(s, TryStmt):
        return [s.body, *s.handlers, *([s.else_body] if s.else_body else []),
                *([s.finally_body] if s.finally_body else [])]
    if isinstance(s, Block):
        return [s]
    return []
