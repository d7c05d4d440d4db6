"""Module-level int constants (`BLOCK = 128`): the language treats them as compile-time
constants, so `x[p:p+BLOCK]` has dim 128 and `dsl.zeros((BLOCK,))` has shape (128)."""

from __future__ import annotations

from typing import Mapping

from mypy.nodes import (GDEF, AssignmentStmt, Expression, IntExpr, MypyFile, NameExpr,
                        OperatorAssignmentStmt, OpExpr, RefExpr, TupleExpr, UnaryExpr, Var)

_CACHE: dict[int, tuple[MypyFile, dict[str, int]]] = {}


def module_constant(node: Expression, modules: Mapping[str, MypyFile]) -> int | None:
    """The value of a reference to a module-level name that is assigned exactly once, at the
    top level, from an int expression over literals and other such constants."""
    if not isinstance(node, RefExpr) or node.kind != GDEF or not isinstance(node.node, Var):
        return None
    module, _, name = node.fullname.rpartition(".")
    tree = modules.get(module)
    if tree is None:
        return None
    cached = _CACHE.get(id(tree))
    if cached is None or cached[0] is not tree:
        cached = (tree, _constants(tree))
        _CACHE[id(tree)] = cached
    return cached[1].get(name)


def _constants(tree: MypyFile) -> dict[str, int]:
    counts: dict[str, int] = {}
    values: dict[str, int] = {}
    for s in tree.defs:
        if isinstance(s, AssignmentStmt):
            for lv in s.lvalues:
                for n in _names(lv):
                    counts[n] = counts.get(n, 0) + 1
            lv0 = s.lvalues[0]
            if len(s.lvalues) == 1 and isinstance(lv0, NameExpr):
                value = _int_value(s.rvalue, values)
                if value is not None:
                    values.setdefault(lv0.name, value)
        elif isinstance(s, OperatorAssignmentStmt):
            for n in _names(s.lvalue):
                counts[n] = counts.get(n, 0) + 2
    return {k: v for k, v in values.items() if counts.get(k) == 1}


def _names(lv: Expression) -> list[str]:
    if isinstance(lv, NameExpr):
        return [lv.name]
    if isinstance(lv, TupleExpr):
        return [n for item in lv.items for n in _names(item)]
    return []


def _int_value(e: Expression, known: Mapping[str, int]) -> int | None:
    if isinstance(e, IntExpr):
        return e.value
    if isinstance(e, NameExpr):
        return known.get(e.name)
    if isinstance(e, UnaryExpr) and e.op == "-":
        inner = _int_value(e.expr, known)
        return -inner if inner is not None else None
    if isinstance(e, OpExpr) and e.op in ("+", "-", "*", "//"):
        a, b = _int_value(e.left, known), _int_value(e.right, known)
        if a is None or b is None or (e.op == "//" and b == 0):
            return None
        return a + b if e.op == "+" else a - b if e.op == "-" else a * b if e.op == "*" \
            else a // b
    return None
