"""Calls between kernels whose callee returns early (in branches, `for`/`while` loops with
break/continue around, tuples, tensors, None with in-place writes, nested calls, asserts):
compiled vs eager, and the typed IR stays free of flags when a callee returns at its end."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dsl
from lowering import structure, tir
from lowering.frontend.build import build
from lowering.frontend.params import ArgSpec

import cfk_inline as K

X = np.array([1.0, -2.0, 0.0, 3.0], np.float32)
I = np.array([3, -1, 5, 2, 0, 9, 4, 1])
M = np.array([[1, 2, -1, 5], [7, 3, 4, 5], [0, 8, 11, 9]])
ints = st.lists(st.integers(-3, 12), min_size=0, max_size=8).map(
    lambda v: np.array(v, dtype=np.int64))


def _copy(args: tuple[Any, ...]) -> list[Any]:
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def same(kernel: Any, *args: Any) -> None:
    """Compiled and eager agree on the result and on the writes into array arguments."""
    eager_args = _copy(args)
    want = dsl.eager(kernel)(*eager_args)
    got = kernel(*args)
    for a, b in zip(args, eager_args):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
    pairs = list(zip(got, want)) if isinstance(want, tuple) else [(got, want)]
    assert not isinstance(want, tuple) or len(got) == len(want)
    for g, w in pairs:
        if isinstance(w, np.ndarray):
            assert isinstance(g, np.ndarray) and g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-6)
        elif w is None:
            assert g is None
        else:
            assert type(g) is type(w) and g == pytest.approx(w, rel=1e-6)


CASES = [
    ("signs", (X,)), ("find_all", (I, 6)), ("find_all", (I, 100)), ("collatz_sum", (10, 8)),
    ("pairs", (I, 2)), ("pairs", (I, 20)), ("heads", (X, 2)), ("heads", (X, 0)),
    ("heads", (X, 9)), ("heads", (X, 1)), ("fills", (X, 2)), ("fills", (X, 0)),
    ("fills", (X, 9)), ("nested", (I, 0, 4, 10)), ("nested", (I, 0, 4, 100)),
    ("sum_checked", (np.abs(X) + 1, 3)), ("while_cond_call", (X,)),
    ("while_cond_call", (np.abs(X),)), ("after_call", (2.0,)), ("after_call", (-0.5,)),
    ("calls_plain", (X,)), ("calls_no_value", (3,)), ("after_loop_call", (I, 9)),
    ("grid_search", (M, 12)), ("grid_search", (-M, 3)), ("tuple_tensor", (X, 2.0)),
    ("tuple_tensor", (X, -3.0)), ("tuple_tensor", (X, -0.5)), ("ignore_result", (X, 0.5)),
    ("ignore_result", (X, 9.0)),
]


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                   enumerate(CASES)])
def test_compiled_matches_eager(name: str, args: tuple[Any, ...]) -> None:
    same(getattr(K, name), *args)


@settings(max_examples=25, deadline=None)
@given(ints, st.integers(-1, 13))
def test_return_in_for_with_break_continue(x: np.ndarray, stop: int) -> None:
    same(K.find_all, x, stop)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 30), st.integers(0, 20))
def test_return_in_while(n: int, cap: int) -> None:
    same(K.collatz_sum, n, cap)


@settings(max_examples=20, deadline=None)
@given(ints, st.integers(-4, 14))
def test_tuple_returns_in_while_true(x: np.ndarray, t: int) -> None:
    same(K.pairs, x, t)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-4, 4, width=32), min_size=1, max_size=6), st.integers(-2, 8))
def test_tensor_results_of_different_lengths(v: list[float], k: int) -> None:
    same(K.heads, np.array(v, np.float32), k)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.integers(-2, 8))
def test_none_callee_writes_before_and_after_return(n: int, stop: int) -> None:
    same(K.fills, np.arange(n, dtype=np.float32), stop)


@settings(max_examples=25, deadline=None)
@given(ints, st.integers(-2, 6), st.integers(0, 12), st.integers(-5, 60))
def test_nested_calls_returning_early(x: np.ndarray, lo: int, hi: int, limit: int) -> None:
    same(K.nested, x, lo, hi, limit)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-2, 9), min_size=6, max_size=6), st.integers(0, 10))
def test_return_from_nested_loops(v: list[int], n: int) -> None:
    same(K.grid_search, np.array(v, np.int64).reshape(2, 3), n)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-4, 4, width=32), min_size=1, max_size=5), st.floats(-4, 4))
def test_writes_before_return_in_a_loop(v: list[float], t: float) -> None:
    same(K.ignore_result, np.array(v, np.float32), t)


def test_assert_in_callee_stops_the_caller(capsys: pytest.CaptureFixture[str]) -> None:
    x = np.array([1.0, -1.0, 2.0], np.float32)
    with pytest.raises(dsl.KernelAssertionError) as eager_err:
        dsl.eager(K.print_around)(x, 1)
    want = capsys.readouterr().out
    with pytest.raises(dsl.KernelAssertionError) as compiled_err:
        K.print_around(x, 1)
    assert capsys.readouterr().out == want == "before 1\n"
    assert str(compiled_err.value).startswith(str(eager_err.value))
    assert "cfk_inline.py:" in str(compiled_err.value)
    with pytest.raises(dsl.KernelAssertionError):
        K.sum_checked(x, 3)


def test_callee_without_a_value_on_some_path_fails_at_run_time() -> None:
    with pytest.raises(dsl.KernelAssertionError, match="'no_value_on_some_path' reached its "
                       "end without returning a value"):
        K.calls_no_value(-3)


def test_callee_returning_different_types_is_compile_error() -> None:
    with pytest.raises(dsl.CompileError, match="returns different types") as err:
        K.calls_mixed(1)
    assert "cfk_inline.py:" in str(err.value)


# --- the structured IR ------------------------------------------------------------------
def _structured(kernel: Any, *specs: ArgSpec) -> tuple[list[tir.Stmt], list[tir.Stmt]]:
    """The kernel's typed IR body before and after `lowering.structure`."""
    front = build(kernel.fn, list(specs), "k")
    body = list(front.function.body)
    return body, structure.structure(front.function, front.results).body


def _names(stmts: list[tir.Stmt]) -> list[str]:
    out: list[str] = []
    for s in stmts:
        if isinstance(s, tir.Assign):
            out.append(s.name)
        for attr in ("then", "orelse", "body"):
            out.extend(_names(getattr(s, attr, [])))
    return out


def test_callee_returning_at_its_end_has_no_flags() -> None:
    before, after = _structured(K.calls_plain, ArgSpec("tensor", "float32", 1))
    assert not any(isinstance(s, tir.Inlined) for s in before)
    assert {n for n in _names(after) if n.endswith("%ret")} == {structure.RET}


def test_callee_flag_does_not_leak_into_the_caller() -> None:
    _, after = _structured(K.after_loop_call, ArgSpec("tensor", "int64", 1), ArgSpec("int"))
    flags = [n for n in _names(after) if n.endswith("%ret") and n != structure.RET]
    assert flags and all(n.startswith("find.") for n in flags)
    # The caller's statements after the call are not guarded: its result is set at top level.
    assert any(isinstance(s, tir.Assign) and s.name == structure.retval_name(0) for s in after)


def test_returns_in_branches_need_no_flag() -> None:
    """`if c: return a` then more statements: the rest becomes the `else` branch."""
    _, after = _structured(K.tuple_tensor, ArgSpec("tensor", "float32", 1), ArgSpec("float"))
    assert not [n for n in _names(after) if n.endswith("%ret") and n != structure.RET]
    _, after = _structured(K.signs, ArgSpec("tensor", "float32", 1))
    assert not [n for n in _names(after) if n.endswith("%ret") and n != structure.RET]


def test_loop_with_only_continue_stays_a_for() -> None:
    _, after = _structured(K.find_all, ArgSpec("tensor", "int64", 1), ArgSpec("int"))
    outer = [s for s in after if isinstance(s, (tir.For, tir.While))]
    assert len(outer) == 1 and isinstance(outer[0], tir.While)  # it has a `break`
    _, after = _structured(K.collatz_sum, ArgSpec("int"), ArgSpec("int"))
    assert [type(s) for s in after if isinstance(s, (tir.For, tir.While))] == [tir.While]
