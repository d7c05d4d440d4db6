"""Control flow compiled vs eager: if/elif/else on run-time values, range loops with run-time
bounds and steps, while, break/continue, early return, loop-carried tensors and dims."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dsl

import cfk_control as K

X = np.array([1.0, -2.0, 0.5, -0.1, 3.0], np.float32)
M = np.array([[1, 2, 0, 5], [-1, 3, 4, 5], [200, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]])


def same(kernel: Any, *args: Any) -> None:
    """The compiled kernel and eager Python agree (value, dtype, shape)."""
    want = dsl.eager(kernel)(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    got = kernel(*args)
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    else:
        assert type(got) is type(want)
        assert got == pytest.approx(want, rel=1e-6)


CASES = [
    ("branch_scalar", (X, 2.0)), ("branch_scalar", (X, 0.5)), ("branch_scalar", (X, -3.0)),
    ("branch_elem", (X,)), ("range_sum", (X, 4, -1, -2)), ("range_sum", (X, 0, 5, 2)),
    ("range_sum", (X, 3, 3, 1)), ("range1", (5,)), ("range1", (0,)), ("range1", (-3,)),
    ("range2", (2, 6)), ("range2", (6, 2)), ("range3", (10, 2, -3)), ("range3", (2, 10, 3)),
    ("range3", (2, 10, -1)), ("range_neg_const", (7,)), ("range_neg_const", (-5,)),
    ("loop_var_after", (0, 10, 3)), ("loop_var_after", (5, 0, 1)),
    ("loop_var_after", (5, 0, -2)), ("while_collatz", (27,)), ("while_collatz", (1,)),
    ("first_nonpos", (np.ones(3, np.float32),)), ("first_nonpos", (X,)),
    ("first_nonpos", (np.zeros(0, np.float32),)), ("any_or", (X, 7)), ("any_or", (X, 1)),
    ("any_or", (X, 0)),
    ("break_continue", (np.array([3, -1, 5, 7, 100, 2]), 10)),
    ("break_continue", (np.array([3, -1, 5]), 100)),
    ("nested_break", (M,)), ("while_break", (50,)), ("while_break", (0,)),
    ("find_first", (X, 0.5)), ("find_first", (X, 9.0)), ("early_ret_branch", (X, -1.0)),
    ("early_ret_branch", (X, 11.0)), ("early_ret_branch", (X, 1.0)),
    ("early_ret_nested", (np.arange(12).reshape(3, 4), 7)),
    ("early_ret_nested", (np.arange(12).reshape(3, 4), 70)),
    ("loop_acc", (np.arange(12, dtype=np.float32).reshape(3, 4),)),
    ("loop_acc", (np.zeros((0, 4), np.float32),)),
    ("halve", (X, 3)), ("halve", (X, 0)), ("shrink", (X, 2)), ("shrink", (X, 5)),
    ("shrink_while", (X[1:],)), ("shrink_while", (-np.ones(4, np.float32),)),
    ("bool_tensor_branch", (X > 0,)),
    ("mixed_static", (X, 1.0)), ("mixed_static", (X, -1.0)), ("static_then_dyn", (X, 1.0)),
    ("static_then_dyn", (X, -1.0)), ("static_shrink", (2,)), ("static_shrink", (0,)),
    ("new_in_loop", (X,)),
]


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                   enumerate(CASES)])
def test_compiled_matches_eager(name: str, args: tuple[Any, ...]) -> None:
    same(getattr(K, name), *args)


def test_zero_step_raises_value_error() -> None:
    with pytest.raises(ValueError):
        dsl.eager(K.range3)(0, 5, 0)
    with pytest.raises(ValueError, match="must not be zero"):
        K.range3(0, 5, 0)


def test_range_out_of_bounds_is_index_error() -> None:
    with pytest.raises(IndexError):
        K.range_sum(X, 0, 6, 1)
    with pytest.raises(IndexError):
        K.range_sum(X, -6, 0, 1)


@settings(max_examples=25, deadline=None)
@given(st.integers(-8, 8), st.integers(-8, 8), st.integers(-4, 4).filter(lambda s: s != 0))
def test_range_bounds_and_steps(a: int, b: int, s: int) -> None:
    assert K.range3(a, b, s) == dsl.eager(K.range3)(a, b, s)
    assert K.loop_var_after(a, b, s) == dsl.eager(K.loop_var_after)(a, b, s)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-5, 20), min_size=0, max_size=8), st.integers(-1, 40))
def test_break_continue_property(xs: list[int], limit: int) -> None:
    same(K.break_continue, np.array(xs, dtype=np.int64), limit)
