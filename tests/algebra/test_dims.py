"""Normal-form properties of symbolic dims (`typecheck.dims.Dim`).

Expressions are generated as small trees so that the same tree can be built as a `Dim` and
evaluated with plain Python ints: the normal form must agree with integer arithmetic.
"""

from __future__ import annotations

import functools
from typing import Union

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from typecheck.annotations import ExprDim, parse_shape
from typecheck.dims import Dim, solve_for

from ._settings import examples

SETTINGS = examples(200)

# Upper- and lower-case names, so that the printer's term order (by atom key) is exercised:
# "N//2" sorts before "n", "(M+1)//2" before every name.
NAMES = ("N", "M", "K", "n", "b2")

# An expression tree: ("sym", name) | ("int", k) | (op, left, right) with op in + - * //.
Tree = Union[tuple[str, str], tuple[str, int], tuple[str, "Tree", "Tree"]]


def leaves(names: tuple[str, ...] = NAMES) -> st.SearchStrategy[Tree]:
    return st.one_of(st.sampled_from(names).map(lambda n: ("sym", n)),
                     st.integers(0, 5).map(lambda k: ("int", k)))


def positive_trees(names: tuple[str, ...] = NAMES) -> st.SearchStrategy[Tree]:
    """Trees whose value is >= 1 whenever every name is >= 1 (used as divisors)."""
    base = st.one_of(st.sampled_from(names).map(lambda n: ("sym", n)),
                     st.integers(1, 4).map(lambda k: ("int", k)))
    return st.recursive(base, lambda kids: st.tuples(st.sampled_from(["+", "*"]), kids, kids),
                        max_leaves=3)


def trees(names: tuple[str, ...] = NAMES, ops: tuple[str, ...] = ("+", "-", "*", "//"),
          max_leaves: int = 6) -> st.SearchStrategy[Tree]:
    def extend(kids: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
        arith = [o for o in ops if o != "//"]
        options = [st.tuples(st.sampled_from(arith), kids, kids)]
        if "//" in ops:
            options.append(st.tuples(st.just("//"), kids, positive_trees(names)))
        return st.one_of(options)
    return st.recursive(leaves(names), extend, max_leaves=max_leaves)


def build(t: Tree) -> Dim:
    if t[0] == "sym":
        return Dim.sym(t[1])  # type: ignore[arg-type]
    if t[0] == "int":
        return Dim.const(t[1])  # type: ignore[arg-type]
    op, a, b = t  # type: ignore[misc]
    x, y = build(a), build(b)
    return {"+": x + y, "-": x - y, "*": x * y}[op] if op != "//" else x // y


def py_eval(t: Tree, env: dict[str, int]) -> int:
    if t[0] == "sym":
        return env[t[1]]  # type: ignore[index]
    if t[0] == "int":
        return t[1]  # type: ignore[return-value]
    op, a, b = t  # type: ignore[misc]
    x, y = py_eval(a, env), py_eval(b, env)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    return x // y


def envs(names: tuple[str, ...] = NAMES, lo: int = 1) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries({n: st.integers(lo, 9) for n in names})


POLY = trees(ops=("+", "-", "*"))
ANY = trees()


def reparse(text: str) -> Dim:
    spec = parse_shape(text)
    assert len(spec.dims) == 1 and isinstance(spec.dims[0], ExprDim), (text, spec)
    return spec.dims[0].dim


# --- ring laws of the normal form ------------------------------------------------------------

@SETTINGS
@given(ANY, ANY)
def test_addition_and_multiplication_commute(a: Tree, b: Tree) -> None:
    x, y = build(a), build(b)
    assert x + y == y + x
    assert x * y == y * x
    # Equal dims are interchangeable as dict keys (bindings, caches).
    assert hash(x + y) == hash(y + x) and hash(x * y) == hash(y * x)
    assert str(x + y) == str(y + x)


@SETTINGS
@given(ANY, ANY, ANY)
def test_associativity(a: Tree, b: Tree, c: Tree) -> None:
    x, y, z = build(a), build(b), build(c)
    assert (x + y) + z == x + (y + z)
    assert (x * y) * z == x * (y * z)


@SETTINGS
@given(ANY, ANY, ANY)
def test_distributivity(a: Tree, b: Tree, c: Tree) -> None:
    x, y, z = build(a), build(b), build(c)
    assert x * (y + z) == x * y + x * z
    assert (x - y) * z == x * z - y * z


@SETTINGS
@given(ANY)
def test_identities_and_inverses(a: Tree) -> None:
    x = build(a)
    assert x + 0 == x == 0 + x
    assert x * 1 == x == 1 * x
    assert x * 0 == Dim.const(0)
    assert x - x == Dim.const(0)
    assert -(-x) == x
    assert (x - x).const_value == 0


@SETTINGS
@given(st.sampled_from(NAMES), st.integers(1, 9))
def test_repeated_addition_is_multiplication(name: str, k: int) -> None:
    n = Dim.sym(name)
    total = functools.reduce(lambda acc, _: acc + n, range(k), Dim.const(0))
    assert total == k * n == n * k == Dim.const(k) * n
    assert str(total) == (name if k == 1 else f"{k}*{name}")


def test_two_n_spellings_are_equal() -> None:
    n = Dim.sym("N")
    assert 2 * n == n + n == n * 2
    assert reparse("2*N") == reparse("N+N") == reparse("N*2") == 2 * n
    d = Dim.sym("D")
    assert (4 * d) // 4 == d
    assert reparse("(4*D)//4") == reparse("4*D//4") == d


@SETTINGS
@given(POLY, st.integers(1, 9))
def test_exact_division_simplifies(a: Tree, k: int) -> None:
    x = build(a)
    assert (k * x) // k == x
    assert (x * k) // Dim.const(k) == x


@SETTINGS
@given(st.sampled_from(NAMES), POLY)
def test_division_by_a_symbol_that_divides_every_term(name: str, a: Tree) -> None:
    n = Dim.sym(name)
    x = build(a)
    assert (n * x) // n == x


# --- evaluation agrees with Python ints -------------------------------------------------------

@SETTINGS
@given(ANY, envs())
def test_evaluation_matches_python_ints(a: Tree, env: dict[str, int]) -> None:
    assert build(a).evaluate(env) == py_eval(a, env)


@SETTINGS
@given(POLY, positive_trees(), envs(lo=0))
def test_floor_division_of_non_divisible_expressions(a: Tree, b: Tree, env: dict[str, int]
                                                     ) -> None:
    """`x // y` stays symbolic when it does not divide; evaluation is Python's floor."""
    env = {k: v + 1 for k, v in env.items()}  # divisors >= 1
    q = build(a) // build(b)
    assert q.evaluate(env) == py_eval(a, env) // py_eval(b, env)


def test_floor_division_examples() -> None:
    n = Dim.sym("N")
    half = n // 2
    assert half.const_value is None and str(half) == "N//2"
    assert [half.evaluate({"N": v}) for v in range(6)] == [0, 0, 1, 1, 2, 2]
    assert ((n + 1) // 2).evaluate({"N": 4}) == 2
    assert ((2 * n + 4) // 2) == n + 2
    assert (n // 2) * 2 != n
    assert (Dim.const(7) // 2).const_value == 3


def test_evaluate_names_the_missing_dim() -> None:
    with pytest.raises(KeyError, match="M"):
        (Dim.sym("N") + Dim.sym("M")).evaluate({"N": 1})


# --- substitution -------------------------------------------------------------------------------

@st.composite
def substitutions(draw: st.DrawFn) -> tuple[dict[str, Tree], dict[str, int]]:
    """Replace some names by positive trees over (possibly) other names and fresh ones."""
    replaced = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    pool = NAMES + ("P", "Q")
    sub = {n: draw(positive_trees(pool)) for n in replaced}
    env = draw(envs(pool))
    return sub, env


@SETTINGS
@given(ANY, substitutions())
def test_subst_then_evaluate_is_evaluate_with_merged_env(
        a: Tree, sub_env: tuple[dict[str, Tree], dict[str, int]]) -> None:
    sub, env = sub_env
    d = build(a)
    substituted = d.subst({k: build(v) for k, v in sub.items()})
    merged = {**env, **{k: py_eval(v, env) for k, v in sub.items()}}
    assert substituted.evaluate(env) == d.evaluate(merged) == py_eval(a, merged)


@SETTINGS
@given(ANY, envs())
def test_subst_with_constants_is_evaluate(a: Tree, env: dict[str, int]) -> None:
    d = build(a)
    assert d.subst({k: Dim.const(v) for k, v in env.items()}) == Dim.const(d.evaluate(env))


def test_subst_is_simultaneous() -> None:
    n, m = Dim.sym("N"), Dim.sym("M")
    assert (n - 2 * m).subst({"N": m, "M": n}) == m - 2 * n
    assert (n // m).subst({"N": m, "M": n}) == m // n


# --- solving linear dims ----------------------------------------------------------------------

@SETTINGS
@given(st.sampled_from(NAMES), st.integers(-4, 4).filter(bool), st.data())
def test_solve_for_round_trips_linear_expressions(unknown: str, coef: int, data: st.DataObject
                                                  ) -> None:
    others = tuple(n for n in NAMES if n != unknown) + ("P",)
    rest = build(data.draw(trees(others), label="rest"))
    value = build(data.draw(trees(others, ops=("+", "-", "*")), label="value"))
    expr = coef * Dim.sym(unknown) + rest
    target = expr.subst({unknown: value})
    assert solve_for(expr, target, unknown) == value


@SETTINGS
@given(st.integers(1, 5), st.integers(0, 20), st.integers(0, 20))
def test_solve_for_constants(coef: int, offset: int, target: int) -> None:
    expr = coef * Dim.sym("N") + offset
    solved = solve_for(expr, Dim.const(target), "N")
    if (target - offset) % coef:
        assert solved is None
    else:
        assert solved == Dim.const((target - offset) // coef)


def test_solve_for_rejects_non_linear_expressions() -> None:
    n, m = Dim.sym("N"), Dim.sym("M")
    assert solve_for(n * n, Dim.const(4), "N") is None
    assert solve_for(n * m, Dim.const(4), "N") is None
    assert solve_for(n // 2, Dim.const(4), "N") is None
    assert solve_for(m + 1, Dim.const(4), "N") is None
    assert solve_for(2 * n, Dim.const(7), "N") is None
    assert solve_for(4 * n, 8 * m + 4, "N") == 2 * m + 1


# --- printing re-parses --------------------------------------------------------------------------

def _printable(d: Dim) -> bool:
    """A dim string may not denote a negative constant (the parser rejects those)."""
    c = d.const_value
    return c is None or c >= 0


@SETTINGS
@given(POLY)
def test_str_reparses_to_an_equal_dim(a: Tree) -> None:
    d = build(a)
    assume(_printable(d))
    text = str(d)
    assert " " not in text
    assert reparse(text) == d
    assert str(reparse(text)) == text


# Known bug: a floor-division atom printed first with coefficient -1 loses its grouping.
# `n - N//2` prints as "-N//2+n", which (like Python) parses as `(-N)//2 + n`; for N=1, n=0 the
# dim is 0 but the re-parsed one is -1. The printer must write "-(N//2)+n" (or put a positive
# term first).
@SETTINGS
@example(("-", ("sym", "n"), ("//", ("sym", "N"), ("int", 2))))
@example(("-", ("int", 0), ("//", ("+", ("sym", "M"), ("int", 1)), ("int", 2))))
@given(ANY)
def test_str_reparses_with_floor_division(a: Tree) -> None:
    d = build(a)
    assume(_printable(d))
    assert reparse(str(d)) == d
