"""`@kernel` and `dsl.eager`: boundary checks on arguments and results, assertions, nesting."""

from __future__ import annotations

import re
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jaxtyping import Float, Shaped

import dsl
from dsl import BFloat16, Bool, Float32, Int64, Tensor, kernel


def f32(*shape: int) -> np.ndarray:
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)


@kernel
def softmax(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    m = dsl.max(x, axis=1, keepdims=True)
    e = dsl.exp(x - m)
    return e / dsl.sum(e, axis=1, keepdims=True)


@kernel
def add_rows(x: Float32[Tensor, "B N"], y: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    return x + y


@kernel
def linear(x: Float32[Tensor, "B K"], w: Float32[Tensor, "K N"],
           b: Float32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    return x @ w + b


@kernel
def split_heads(x: Float32[Tensor, "T 4*D"]) -> Float32[Tensor, "T 4 D"]:
    d = x.shape[1] // 4
    return dsl.reshape(x, (x.shape[0], 4, d))


@kernel
def pair(x: Float32[Tensor, "N"], y: Float32[Tensor, "2*N"],
         z: Float32[Tensor, "N+1"]) -> Float32[Tensor, "N"]:
    return x + y[: x.shape[0]] + z[1:]


@kernel
def halve(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N//2"]:
    return x[: x.shape[0] // 2]


@kernel
def batched_t(x: Float32[Tensor, "*b M N"]) -> Float32[Tensor, "*b N M"]:
    return dsl.matrix_transpose(x)


@kernel
def same_batch(x: Float32[Tensor, "*b N"], y: Float32[Tensor, "*b N"]) -> Float32[Tensor, "*b"]:
    return dsl.sum(x * y, axis=-1)


@kernel
def scale_cols(x: Float32[Tensor, "B N"], s: Float32[Tensor, "#B N"]) -> Float32[Tensor, "B N"]:
    return x * s


@kernel
def anything(x: Float32[Tensor, "... _ 3"]) -> Float32[Tensor, "..."]:
    return dsl.sum(x, axis=-1)


@kernel
def literal(x: Float32[Tensor, "128 N"]) -> Float32[Tensor, "N"]:
    return dsl.sum(x, axis=0)


@kernel
def scalar_out(x: Float32[Tensor, "N"]) -> float:
    return float(dsl.sum(x))


@kernel
def scaled(x: Float32[Tensor, "N"], alpha: float, n: int, flag: bool) -> Float32[Tensor, "N"]:
    return x * alpha if flag else x * float(n)


@kernel
def wrong_result(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return dsl.concat([x, x], 0)


@kernel
def wrong_result_dtype(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return dsl.astype(x, dsl.float64)


@kernel
def two_outputs(x: Float32[Tensor, "B N"]) -> tuple[Float32[Tensor, "B"], Int64[Tensor, "B"]]:
    return dsl.max(x, axis=1), dsl.argmax(x, axis=1)


@kernel
def bad_tuple(x: Float32[Tensor, "B N"]) -> tuple[Float32[Tensor, "B"], Float32[Tensor, "N"]]:
    return dsl.max(x, axis=1), dsl.max(x, axis=1)


@kernel
def write_into(x: Float32[Tensor, "N"], out: Float32[Tensor, "N"]) -> None:
    out[:] = x * 2.0


@kernel
def forgets_none(x: Float32[Tensor, "N"]) -> None:
    return x  # type: ignore[return-value]


@kernel
def checked(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    assert x.shape[0] > 2, "need more than two elements"
    return x


@kernel
def checked_bare(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    assert float(dsl.min(x)) >= 0
    return x


@kernel
def calls_checked(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return checked(x) + 1.0


@kernel
def two_layers(x: Float32[Tensor, "B K"], w1: Float32[Tensor, "K H"], b1: Float32[Tensor, "H"],
               w2: Float32[Tensor, "H N"], b2: Float32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    h = dsl.maximum(linear(x, w1, b1), 0.0)
    return softmax(linear(h, w2, b2))


@kernel
def inner_wrong(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return add_rows(dsl.reshape(x, (1, x.shape[0])), dsl.zeros((1, 3)))[0]


@kernel
def bf16_kernel(x: BFloat16[Tensor, "N"]) -> BFloat16[Tensor, "N"]:
    return dsl.exp(x) * 2.0 + 1


@kernel
def mask(x: Float32[Tensor, "N"]) -> Bool[Tensor, "N"]:
    return x > 0.5


@kernel
def category(x: Float[Tensor, "N"]) -> Shaped[Tensor, "N"]:
    return x


@kernel
def bare(x: Tensor) -> Tensor:
    return x


@kernel
def with_default(x: Float32[Tensor, "N"], k: int = 2) -> Float32[Tensor, "N"]:
    return x * float(k)


def plain_function(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    assert x.shape[0] < 100, "too long"
    return x + 1.0


# --- happy paths --------------------------------------------------------------------------

def test_softmax_runs_eagerly_and_returns_numpy() -> None:
    x = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    out = softmax(x)
    assert type(out) is np.ndarray and out.dtype == np.float32
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(out, e / e.sum(1, keepdims=True), rtol=1e-6)


def test_kernel_object() -> None:
    assert isinstance(softmax, dsl.Kernel)
    assert softmax.__name__ == "softmax"
    assert "softmax" in repr(softmax)
    compiled = softmax.compile(f32(2, 2), target="cpu")
    assert "mlir" in compiled.ir


def test_linear_binds_dims_across_parameters() -> None:
    out = linear(f32(2, 3), f32(3, 4), f32(4))
    np.testing.assert_allclose(out, f32(2, 3) @ f32(3, 4) + f32(4))


def test_arithmetic_dims() -> None:
    assert split_heads(f32(3, 8)).shape == (3, 4, 2)
    assert pair(f32(3), f32(6), f32(4)).shape == (3,)
    assert halve(f32(6)).shape == (3,)


def test_variadic_and_broadcastable_dims() -> None:
    assert batched_t(f32(2, 5, 3, 4)).shape == (2, 5, 4, 3)
    assert batched_t(f32(3, 4)).shape == (4, 3)
    assert same_batch(f32(2, 3, 4), f32(2, 3, 4)).shape == (2, 3)
    assert scale_cols(f32(3, 4), f32(1, 4)).shape == (3, 4)
    assert scale_cols(f32(3, 4), f32(3, 4)).shape == (3, 4)
    # A `...` result has no shape the caller can allocate: eager only (compiled: CompileError).
    assert dsl.eager(anything)(f32(2, 7, 3)).shape == (2, 7)
    assert literal(f32(128, 2)).shape == (2,)


def test_scalars_and_scalar_results() -> None:
    assert scalar_out(f32(4)) == 6.0
    np.testing.assert_array_equal(scaled(f32(3), 2.0, 3, True), f32(3) * 2)
    np.testing.assert_array_equal(scaled(f32(3), 2, 3, False), f32(3) * 3)
    np.testing.assert_array_equal(scaled(f32(3), alpha=1.0, n=np.int64(4), flag=False),
                                  f32(3) * 4)
    np.testing.assert_array_equal(with_default(f32(2)), f32(2) * 2)
    np.testing.assert_array_equal(with_default(f32(2), k=3), f32(2) * 3)


def test_tuple_results_and_writes_into_arguments() -> None:
    values, index = two_outputs(f32(2, 3))
    assert type(values) is np.ndarray and values.tolist() == [2.0, 5.0]
    assert index.tolist() == [2, 2] and index.dtype == np.int64
    out = np.zeros(3, np.float32)
    assert write_into(f32(3), out) is None
    assert out.tolist() == [0.0, 2.0, 4.0]


def test_bf16_stays_bf16_through_operators() -> None:
    x = np.zeros(3, ml_dtypes.bfloat16)
    out = bf16_kernel(x)
    assert out.dtype == np.dtype(ml_dtypes.bfloat16) and out.tolist() == [3.0, 3.0, 3.0]


def test_category_and_bare_annotations() -> None:
    assert category(np.ones(2, np.float16)).dtype == np.float16
    with pytest.raises(dsl.DTypeError):
        category(np.ones(2, np.int32))
    assert dsl.eager(bare)(np.ones((2, 2, 2), np.int8)).shape == (2, 2, 2)
    assert mask(np.asarray([0.0, 1.0], np.float32)).tolist() == [False, True]


def test_kernels_call_kernels() -> None:
    x, w1, b1 = f32(2, 3) / 10, f32(3, 4) / 10, f32(4) / 10
    w2, b2 = f32(4, 5) / 10, f32(5) / 10
    out = two_layers(x, w1, b1, w2, b2)
    h = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    e = np.exp(h - h.max(1, keepdims=True))
    np.testing.assert_allclose(out, e / e.sum(1, keepdims=True), rtol=1e-5)
    assert type(out) is np.ndarray


def test_inner_kernel_checks_its_own_arguments() -> None:
    with pytest.raises(dsl.ShapeError, match="argument 'y': dim 1 is 3 but the annotation "
                                             "expects N = 4"):
        dsl.eager(inner_wrong)(f32(4))  # compiled: a CompileError at the inner call


# --- argument errors --------------------------------------------------------------------------

def test_wrong_dim_names_parameter_dim_and_sizes() -> None:
    with pytest.raises(dsl.ShapeError) as info:
        add_rows(f32(2, 3), f32(2, 4))
    msg = str(info.value)
    assert "argument 'y'" in msg and "dim 1" in msg and "4" in msg and "N = 3" in msg
    assert "from 'x' dim 1" in msg
    assert isinstance(info.value, ValueError)


def test_wrong_dim_in_matmul_kernel() -> None:
    with pytest.raises(dsl.ShapeError, match=r"argument 'w': dim 0 is 5 but the annotation "
                                             r"expects K = 3"):
        linear(f32(2, 3), f32(5, 4), f32(4))


@pytest.mark.parametrize("args,pattern", [
    ((f32(3, 9),), r"argument 'x': dim 1 is 9, which does not fit 4\*D"),
])
def test_arithmetic_dim_that_does_not_divide(args: tuple[Any, ...], pattern: str) -> None:
    with pytest.raises(dsl.ShapeError, match=pattern):
        split_heads(*args)


def test_arithmetic_dim_mismatch() -> None:
    with pytest.raises(dsl.ShapeError, match=r"argument 'y': dim 0 is 7 but the annotation "
                                             r"expects 2\*N = 6"):
        pair(f32(3), f32(7), f32(4))
    with pytest.raises(dsl.ShapeError, match=r"argument 'z': dim 0 is 3 .* N\+1 = 4"):
        pair(f32(3), f32(6), f32(3))


def test_rank_mismatch() -> None:
    with pytest.raises(dsl.ShapeError, match="argument 'x': expected rank 2"):
        softmax(f32(3))
    with pytest.raises(dsl.ShapeError, match="argument 'x'"):
        batched_t(f32(3))


def test_variadic_mismatch() -> None:
    with pytest.raises(dsl.ShapeError, match=r"argument 'y': \*b"):
        same_batch(f32(2, 3, 4), f32(3, 2, 4))


def test_broadcastable_dim_mismatch() -> None:
    with pytest.raises(dsl.ShapeError, match="argument 's': dim 0 is 2"):
        scale_cols(f32(3, 4), f32(2, 4))


def test_literal_dim_mismatch() -> None:
    with pytest.raises(dsl.ShapeError, match="argument 'x': dim 0 is 64 but the annotation "
                                             "expects 128"):
        literal(f32(64, 2))


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, ml_dtypes.bfloat16])
def test_wrong_dtype_names_parameter_and_both_dtypes(dtype: Any) -> None:
    with pytest.raises(dsl.DTypeError) as info:
        softmax(np.ones((2, 2), dtype))
    msg = str(info.value)
    assert "argument 'x'" in msg and "float32" in msg and np.dtype(dtype).name in msg
    assert isinstance(info.value, TypeError)


def test_unsupported_dtype_argument() -> None:
    with pytest.raises(dsl.DTypeError, match="argument 'x' has dtype uint8"):
        bare(np.ones(2, np.uint8))


@pytest.mark.parametrize("value", [[[1.0, 2.0]], 3.0, None, "x", (1, 2), np.float32])
def test_non_tensor_arguments(value: Any) -> None:
    with pytest.raises(dsl.DTypeError, match="argument 'x': expected Float32"):
        softmax(value)


@pytest.mark.parametrize("args,pattern", [
    ((f32(3), "2.0", 1, True), "argument 'alpha': expected float"),
    ((f32(3), 2.0, 1.5, True), "argument 'n': expected int"),
    ((f32(3), 2.0, 1, None), "argument 'flag': expected bool"),
    ((f32(3), f32(3), 1, True), "argument 'alpha': expected float"),
])
def test_scalar_parameters_are_checked(args: tuple[Any, ...], pattern: str) -> None:
    with pytest.raises(dsl.DTypeError, match=pattern):
        scaled(*args)


def test_bad_call_signature_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="softmax"):
        softmax(f32(2, 2), f32(2, 2))  # type: ignore[call-arg]


# --- result errors ---------------------------------------------------------------------------
# The eager runner checks results at run time; the compiler rejects these kernels when it
# compiles them (tests/compiler), so these tests run them with dsl.eager.

def test_result_shape_is_checked_with_the_call_bindings() -> None:
    with pytest.raises(dsl.ShapeError, match=r"the return value: dim 0 is 6 but the annotation "
                                             r"expects N = 3 \(N from 'x' dim 0\)"):
        dsl.eager(wrong_result)(f32(3))


def test_result_dtype_is_checked() -> None:
    with pytest.raises(dsl.DTypeError, match="the return value: expected Float32.*float64"):
        dsl.eager(wrong_result_dtype)(f32(3))


def test_tuple_result_items_are_checked() -> None:
    with pytest.raises(dsl.ShapeError, match=r"the return value\[1\]: dim 0 is 2 .* N = 3"):
        dsl.eager(bad_tuple)(f32(2, 3))


def test_none_result_is_checked() -> None:
    with pytest.raises(dsl.DTypeError, match="the return value should be None"):
        dsl.eager(forgets_none)(f32(2))


def test_scalar_result_is_checked() -> None:
    @kernel
    def gives_tensor(x: Float32[Tensor, "N"]) -> float:
        return dsl.sum(x)  # type: ignore[return-value]

    with pytest.raises(dsl.DTypeError, match="the return value: expected float"):
        dsl.eager(gives_tensor)(f32(3))


# --- assertions and eager -------------------------------------------------------------------

def test_failed_assert_is_kernel_assertion_error() -> None:
    with pytest.raises(dsl.KernelAssertionError, match="need more than two elements") as info:
        dsl.eager(checked)(f32(2))
    assert isinstance(info.value, AssertionError)
    assert isinstance(info.value.__cause__, AssertionError)
    with pytest.raises(dsl.KernelAssertionError, match="need more than two elements"):
        checked(f32(2))  # compiled: the same message, with the assert's line
    with pytest.raises(dsl.KernelAssertionError, match="checked_bare"):
        checked_bare(-f32(3))
    assert checked(f32(3)).shape == (3,)


def test_assertion_in_inner_kernel_is_not_wrapped_twice() -> None:
    with pytest.raises(dsl.KernelAssertionError, match="kernel 'checked'"):
        calls_checked(f32(2))


def test_eager_of_kernel_and_of_function() -> None:
    run = dsl.eager(softmax)
    assert isinstance(run, dsl.EagerKernel)
    np.testing.assert_allclose(run(f32(2, 3)), softmax(f32(2, 3)))
    with pytest.raises(dsl.ShapeError, match="argument 'y'"):
        dsl.eager(add_rows)(f32(2, 3), f32(3, 3))
    plain = dsl.eager(plain_function)
    assert plain(f32(2)).tolist() == [1.0, 2.0]
    with pytest.raises(dsl.DTypeError, match="argument 'x'"):
        plain(np.ones(2, np.int32))
    with pytest.raises(dsl.KernelAssertionError, match="too long"):
        plain(f32(100))
    assert dsl.eager(dsl.eager(plain_function))(f32(1)).tolist() == [1.0]


def test_bad_annotation_is_reported_on_first_call() -> None:
    @kernel
    def malformed(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
        return x

    malformed.__annotations__["x"] = type("Fake", (), {"dim_str": "B  N+", "dtypes": ("float32",),
                                                       "__name__": "Fake"})
    with pytest.raises(dsl.ShapeError, match="parameter 'x'.*malformed"):
        malformed(f32(2))


# --- property-based: the binding agrees with a direct check ------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_add_rows_accepts_exactly_equal_shapes(b1: int, n1: int, b2: int, n2: int) -> None:
    x, y = np.ones((b1, n1), np.float32), np.ones((b2, n2), np.float32)
    if (b1, n1) == (b2, n2):
        assert add_rows(x, y).shape == (b1, n1)
        return
    with pytest.raises(dsl.ShapeError) as info:
        add_rows(x, y)
    dim = 0 if b1 != b2 else 1
    got, want = (b2, b1) if dim == 0 else (n2, n1)
    assert re.search(rf"argument 'y': dim {dim} is {got} but the annotation expects "
                     rf"[BN] = {want}", str(info.value))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(0, 30))
def test_split_heads_accepts_multiples_of_four(t: int, width: int) -> None:
    x = np.ones((t, width), np.float32)
    if width % 4 == 0:
        assert split_heads(x).shape == (t, 4, width // 4)
    else:
        with pytest.raises(dsl.ShapeError, match="argument 'x': dim 1"):
            split_heads(x)
