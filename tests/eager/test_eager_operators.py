"""Operators inside eager kernels follow the language, not numpy."""

from __future__ import annotations

from typing import Any, Callable

import ml_dtypes
import numpy as np
import pytest

import dsl
from dsl import Tensor
from dsl._eager_array import EagerArray
from eager_helpers import FLOAT_DTYPES, INT_DTYPES, f64, rand, tol


def inside(fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn` as the body of an eager kernel (arguments become EagerArrays)."""
    return dsl.eager(fn)(*args)


BINARY = [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b),
          ("mul", lambda a, b: a * b), ("floordiv", lambda a, b: a // b),
          ("mod", lambda a, b: a % b), ("max", lambda a, b: dsl.maximum(a, b))]


@pytest.mark.parametrize("name,op", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_binary_operators_keep_dtype(name: str, op: Any, dtype: Any) -> None:
    a, b = rand((2, 3), dtype, 1, 5), rand((3,), dtype, 1, 5)
    out = inside(op, a, b)
    assert type(out) is np.ndarray and out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(f64(out), op(f64(a), f64(b)), **tol(dtype))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_python_scalars_are_weak(dtype: Any) -> None:
    x = rand((4,), dtype, 1, 3)
    for op in (lambda v: v * 2.0 + 1, lambda v: 1.0 - v, lambda v: v / 3, lambda v: v ** 2,
               lambda v: v ** 0.5, lambda v: v ** -1, lambda v: -v, lambda v: 2 ** v):
        out = inside(op, x)
        assert out.dtype == np.dtype(dtype)
        np.testing.assert_allclose(f64(out), op(f64(x)), **tol(dtype))


@pytest.mark.parametrize("expr,pattern", [
    (lambda i, f: i + f, "cannot mix int32 and float32"),
    (lambda i, f: i + 1.5, "float scalar"),
    (lambda i, f: i / 2, "`/` needs floating tensors"),
    (lambda i, f: i < 0.5, "float scalar"),
    (lambda i, f: f & f, "needs bool"),
    (lambda i, f: ~f, "`~` needs"),
    (lambda i, f: (i > 0) + (i > 1), "not defined on bool"),
    (lambda i, f: -(i > 0), "not defined on bool"),
    (lambda i, f: i @ f, "cannot mix"),
    (lambda i, f: i ** 0.5, "float scalar"),
])
def test_operator_dtype_errors(expr: Any, pattern: str) -> None:
    i, f = np.ones(3, np.int32), np.ones(3, np.float32)
    with pytest.raises(dsl.DTypeError, match=pattern):
        inside(expr, i, f)


def test_operator_shape_errors() -> None:
    a, b = np.ones((2, 3), np.float32), np.ones((4,), np.float32)
    with pytest.raises(dsl.ShapeError, match=r"`\+`: shapes \(2, 3\) and \(4,\) do not "
                                             r"broadcast"):
        inside(lambda x, y: x + y, a, b)
    with pytest.raises(dsl.ShapeError, match="contraction dims differ: 3 vs 4"):
        inside(lambda x, y: x @ y, a, b)
    with pytest.raises(dsl.ShapeError, match="`.T` needs a 2-D tensor"):
        inside(lambda x: x.T, np.ones((2, 2, 2), np.float32))
    with pytest.raises(dsl.ShapeError, match="ambiguous"):
        inside(lambda x: 1 if x else 0, a)


def test_comparisons_and_logic_give_bool() -> None:
    x = np.asarray([1.0, 2.0, 3.0], np.float32)
    out = inside(lambda v: (v > 1.5) & (v <= 3) | ~(v == 2.0), x)
    assert out.dtype == np.bool_ and out.tolist() == [True, True, True]
    assert inside(lambda v: v != 2.0, x).tolist() == [True, False, True]


def test_matmul_operator_keeps_bf16() -> None:
    a, b = rand((2, 3), ml_dtypes.bfloat16), rand((3, 2), ml_dtypes.bfloat16)
    out = inside(lambda x, y: x @ y, a, b)
    assert out.dtype == np.dtype(ml_dtypes.bfloat16)
    np.testing.assert_allclose(f64(out), f64(a) @ f64(b), rtol=3e-2, atol=3e-2)


def test_indexing_gives_zero_d_tensors_and_transpose() -> None:
    x = np.arange(6, dtype=np.int32).reshape(2, 3)

    def body(v: Any) -> Any:
        first = v[1, 2]
        assert isinstance(first, EagerArray) and first.shape == ()
        assert int(first) == 5 and isinstance(v.shape[0], int)
        total = dsl.zeros((), dsl.int32)
        for i in range(v.shape[0]):
            total = total + v[i, 0]
        return v.T, total, [r.shape for r in v]

    t, total, rows = inside(body, x)
    assert type(t) is np.ndarray and t.shape == (3, 2) and int(total) == 3
    assert rows == [(3,), (3,)]


def test_index_assignment_writes_into_the_callers_array() -> None:
    out = np.zeros((2, 3), np.float32)

    def body(o: Any) -> None:
        o[0] = 1.0
        o[1, :2] = dsl.ones(2, dsl.float16)
        o[1, 2] = o[0, 0] + 5

    inside(body, out)
    assert out.tolist() == [[1, 1, 1], [1, 1, 6]]


@pytest.mark.parametrize("body,error,pattern", [
    (lambda o: o.__setitem__(0, 1.5), dsl.DTypeError, "float scalar"),
    (lambda o: o.__setitem__(0, dsl.ones(3, dsl.int64)), dsl.DTypeError,
     "cannot write a int64 value into a int32 tensor"),
    (lambda o: o.__setitem__(slice(0, 2), dsl.ones(3, dsl.int32)), dsl.ShapeError,
     r"shape \(3,\) to a slice of shape \(2,\)"),
    (lambda o: o.__setitem__(0, [1]), dsl.DTypeError, "cannot write a list"),
])
def test_index_assignment_errors(body: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        inside(body, np.zeros(3, np.int32))


def test_in_place_operators() -> None:
    acc = np.zeros(3, np.float32)

    def body(a: Any) -> None:
        a += 1.0
        a *= dsl.full(3, 3.0)
        a -= dsl.ones((), dsl.float16)

    inside(body, acc)
    assert acc.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(dsl.DTypeError, match="float scalar"):
        inside(lambda a: a.__iadd__(1.5), np.zeros(2, np.int32))
    with pytest.raises(dsl.DTypeError, match="the result is float64 but the target is "
                                             "float32"):
        inside(lambda a: a.__iadd__(dsl.ones(2, dsl.float64)), np.zeros(2, np.float32))
    with pytest.raises(dsl.ShapeError, match=r"the result has shape \(2, 2\)"):
        inside(lambda a: a.__iadd__(dsl.ones((2, 2))), np.zeros(2, np.float32))


def test_operators_outside_kernels_are_plain_numpy() -> None:
    x = dsl.exp(np.zeros(2, np.float32))
    assert type(x) is np.ndarray
    assert (x + np.ones(2, np.int32)).dtype == np.float64  # numpy's own rules


def test_printing_inside_a_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    def body(v: Tensor) -> None:
        print(v * 2.0)
        print(repr(v))

    inside(body, np.ones(2, np.float32))
    out = capsys.readouterr().out
    assert out == "[2. 2.]\narray([1., 1.], dtype=float32)\n"
