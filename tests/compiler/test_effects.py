"""Effects compiled vs eager: print (ordering with Python's prints), assert, index assignment
into the caller's arrays, calls between kernels, scalar/tuple returns, run-time errors."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dsl

import cfk_effects as K

X = np.array([1.0, -2.0, 0.5, -0.1, 3.0], np.float32)
X2 = np.arange(12, dtype=np.float32).reshape(3, 4)


def _copy(args: tuple[Any, ...]) -> list[Any]:
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def same(kernel: Any, *args: Any) -> None:
    want = dsl.eager(kernel)(*_copy(args))
    got = kernel(*args)
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        pairs = list(zip(got, want))
    else:
        pairs = [(got, want)]
    for g, w in pairs:
        if isinstance(w, np.ndarray):
            assert isinstance(g, np.ndarray) and g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-6)
        else:
            assert type(g) is type(w) and g == pytest.approx(w, rel=1e-6)


def printed(capsys: pytest.CaptureFixture[str], kernel: Any, *args: Any) -> None:
    """The compiled kernel prints exactly what eager Python prints, interleaved in order
    with the test's own prints."""
    print("<before>")
    dsl.eager(kernel)(*_copy(args))
    print("<after>")
    want = capsys.readouterr().out
    print("<before>")
    kernel(*args)
    print("<after>")
    got = capsys.readouterr().out
    assert got == want


# --- print ------------------------------------------------------------------------------
def test_print_scalars(capsys: pytest.CaptureFixture[str]) -> None:
    printed(capsys, K.print_scalars, 3, 1.5, True)
    printed(capsys, K.print_scalars, -10, -0.1, False)


def test_print_in_loop(capsys: pytest.CaptureFixture[str]) -> None:
    printed(capsys, K.print_loop, X)


def test_print_tensors(capsys: pytest.CaptureFixture[str]) -> None:
    h = np.array([1.5, 2, 3, 4], ml_dtypes.bfloat16)
    printed(capsys, K.print_tensors, X2, X2 > 4, h, np.arange(4))


# --- assert -----------------------------------------------------------------------------
@pytest.mark.parametrize("kernel,args", [(K.check_positive, (X, 1)),
                                         (K.check_positive, (X, -1)),
                                         (K.check_plain, (12,))])
def test_assert_message(kernel: Any, args: tuple[Any, ...]) -> None:
    with pytest.raises(dsl.KernelAssertionError) as eager_err:
        dsl.eager(kernel)(*args)
    with pytest.raises(dsl.KernelAssertionError) as compiled_err:
        kernel(*args)
    # The compiled message is eager's plus the assert's source position.
    assert str(compiled_err.value).startswith(str(eager_err.value))
    assert "cfk_effects.py:" in str(compiled_err.value)


def test_assert_passes() -> None:
    same(K.check_positive, X, 0)
    same(K.check_plain, 3)


# --- index assignment -------------------------------------------------------------------
def _writes(kernel: Any, make: Any, *rest: Any) -> None:
    """The kernel's writes into its array arguments match eager's."""
    a, b = make(), make()
    dsl.eager(kernel)(a, *rest)
    kernel(b, *rest)
    np.testing.assert_array_equal(b, a)


def test_fill_row_broadcasts_scalar() -> None:
    _writes(K.fill_row, lambda: X2.copy(), 1, 2.5)
    _writes(K.fill_row, lambda: X2.copy(), -1, -1.0)


def test_write_region_broadcasts_row() -> None:
    row = np.array([9, 8, 7, 6], np.float32)
    _writes(K.write_region, lambda: np.zeros((5, 4), np.float32), row, 1, 3)
    _writes(K.write_region, lambda: np.zeros((5, 4), np.float32), row, 2, 2)


def test_write_elems_in_loop() -> None:
    _writes(K.write_elems, lambda: np.arange(6, dtype=np.int64))


def test_write_into_non_contiguous_view() -> None:
    base = np.arange(40, dtype=np.float32).reshape(5, 8)
    ref = base.copy()
    view = base[::2, 1::3]            # 3 x 3, non-contiguous
    K.fill_row(view, 1, -5.0)
    dsl.eager(K.fill_row)(ref[::2, 1::3], 1, -5.0)
    np.testing.assert_array_equal(base, ref)
    col = np.arange(12, dtype=np.int64).reshape(6, 2)
    K.write_elems(col[:, 1])
    np.testing.assert_array_equal(col[:, 1], np.arange(1, 12, 2) * 2 + np.arange(6))
    np.testing.assert_array_equal(col[:, 0], np.arange(0, 12, 2))


def test_kv_cache_append_then_read() -> None:
    cache_c = np.zeros((4, 3), np.float32)
    cache_e = np.zeros((4, 3), np.float32)
    for pos in range(4):
        k = np.full(3, pos + 1, np.float32)
        got = K.kv_append(cache_c, k, pos)
        want = dsl.eager(K.kv_append)(cache_e, k, pos)
        np.testing.assert_allclose(got, want)
        np.testing.assert_array_equal(cache_c, cache_e)


def test_none_kernel_only_writes() -> None:
    y = np.zeros(5, np.float32)
    assert K.only_writes(X, y) is None
    np.testing.assert_allclose(y, X * 3.0)


# --- calls between kernels and returns --------------------------------------------------
def test_calls_between_kernels() -> None:
    x = X.copy()
    ref = X.copy()
    np.testing.assert_allclose(K.caller(x), dsl.eager(K.caller)(ref), rtol=1e-6)
    np.testing.assert_array_equal(x, ref)  # the helper's write reached the caller's array


def test_callee_with_early_return() -> None:
    same(K.calls_early, X)
    same(K.calls_early, -X)


@pytest.mark.parametrize("kernel,args", [
    (K.ret_int, (4,)), (K.ret_int, (-4,)), (K.ret_float, (X,)), (K.ret_bool, (X, 2.0)),
    (K.ret_bool, (X, 5.0)), (K.ret_tuple, (X,)), (K.helper_nested, (X,)),
    (K.floordiv, (-7, 2)), (K.modulo, (-7, 3))])
def test_returns(kernel: Any, args: tuple[Any, ...]) -> None:
    same(kernel, *args)


# --- run-time errors --------------------------------------------------------------------
@pytest.mark.parametrize("i", [5, 6, -6, 1 << 40])
def test_index_out_of_bounds(i: int) -> None:
    with pytest.raises(IndexError):
        dsl.eager(K.read_at)(X, i)
    with pytest.raises(IndexError):
        K.read_at(X, i)
    x = X.copy()
    with pytest.raises(IndexError):
        K.write_at(x, i, 1.0)
    np.testing.assert_array_equal(x, X)


@pytest.mark.parametrize("a,b", [(2, 9), (-9, 2), (0, 6)])
def test_slice_out_of_bounds(a: int, b: int) -> None:
    # A compiled kernel does not clamp slices: it raises instead of reading past the buffer.
    with pytest.raises(IndexError, match="out of bounds"):
        K.slice_sum(X, a, b)


def test_slice_in_bounds() -> None:
    same(K.slice_sum, X, 1, 4)
    same(K.slice_sum, X, -3, 5)


def test_kv_cache_position_out_of_bounds() -> None:
    cache = np.zeros((4, 3), np.float32)
    with pytest.raises(IndexError):
        K.kv_append(cache, np.ones(3, np.float32), 4)
    assert not cache.any()


def test_integer_division_by_zero() -> None:
    with pytest.raises(ZeroDivisionError):
        K.floordiv(7, 0)
    with pytest.raises(ZeroDivisionError):
        K.modulo(7, 0)


def test_wrong_argument_shape() -> None:
    with pytest.raises(dsl.ShapeError, match="'y'.*dim 0") as err:
        K.add_rows(X2, X2[:2])
    assert "B" in str(err.value)
    y = np.zeros(4, np.float32)
    with pytest.raises(dsl.ShapeError):
        K.only_writes(X, y)
    assert not y.any()


@settings(max_examples=25, deadline=None)
@given(st.integers(-8, 8))
def test_index_property(i: int) -> None:
    if -5 <= i < 5:
        same(K.read_at, X, i)
    else:
        with pytest.raises(IndexError):
            K.read_at(X, i)
