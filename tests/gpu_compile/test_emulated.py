"""The CUDA mapping run on the CPU (`gpu_emulate`): kernels mapped to thread-per-element
launches and host code with device buffers and staged scalar copies give the same results
as eager Python (control flow, broadcasting, strided views, reductions, matmul, indexing,
writes into arguments, printing, failing checks, the examples)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dsl
import gpu_cases
import gpu_emulate
from gpu_cases import F16, F32, F64, I32, I64, I8
from lowering.frontend.params import ArgSpec

import cfk_control  # noqa: E402  (gpu_cases put tests/compiler on sys.path)
import cfk_effects  # noqa: E402
import diff_kernels_elem as E  # noqa: E402
import diff_kernels_ops as O  # noqa: E402
import test_control_flow  # noqa: E402
from layernorm import layernorm  # noqa: E402
from kv_cache import decode_step  # noqa: E402
from attention import attention  # noqa: E402
from mlp import mlp_block  # noqa: E402
from softmax import softmax  # noqa: E402

RNG = np.random.default_rng(7)


def arr(shape: tuple[int, ...], dtype: Any = F32, lo: float = -3, hi: float = 3) -> Any:
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(lo, hi, shape).astype(dtype)
    return RNG.uniform(lo, hi, shape).astype(dtype)


def _spec(a: Any) -> ArgSpec:
    from dsl._dtypes import language_dtype
    if isinstance(a, np.ndarray):
        return ArgSpec("tensor", language_dtype(a.dtype).value, a.ndim)
    return ArgSpec({bool: "bool", int: "int", float: "float"}[type(a)])


def same(kernel: Any, *args: Any, tol: float = 1e-5) -> None:
    """The emulated CUDA build and eager Python agree (values, dtypes, shapes, effects)."""
    eager_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    emu_args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    want = dsl.eager(kernel)(*eager_args)
    run = gpu_emulate.compile_emulated(kernel.fn, [_spec(a) for a in args], "sk_emu")
    got = run(*emu_args)
    _close(got, want, tol)
    for a, b in zip(emu_args, eager_args):  # writes into arguments
        _close(a, b, tol)


def _close(got: Any, want: Any, tol: float) -> None:
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _close(g, w, tol)
    elif isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype, (got, want)
        assert got.shape == want.shape
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                   rtol=tol, atol=tol)
    elif want is None:
        assert got is None
    else:
        assert type(got) is type(want) and got == pytest.approx(want, rel=tol, abs=tol)


@pytest.mark.parametrize("name,args", test_control_flow.CASES[::2],
                         ids=[n for n, _ in test_control_flow.CASES[::2]])
def test_control_flow(name: str, args: tuple[Any, ...]) -> None:
    same(getattr(cfk_control, name), *args)


def test_elementwise_broadcasting_and_views() -> None:
    x, y = arr((3, 5)), arr((3, 5), lo=1, hi=4)
    same(E.arith, x, y)
    same(E.arith, arr((4, 6), I8, -9, 9), arr((4, 6), I8, -9, 9))
    same(E.truediv, x[:, ::2].copy(), y[:, ::2].copy())
    same(E.float_fns, x, y, tol=1e-4)
    same(E.float_fns, x.astype(F16), y.astype(F16), tol=1e-2)
    same(E.bcast, x, arr((5,)), arr((3, 1)), arr((1, 5)), arr((2, 3, 5)))
    same(E.where_bcast, arr((3, 1)) > 0, arr((5,)), x)
    same(E.unknown_dims, x, arr((1, 5)))
    same(E.broadcastable, x, arr((1, 5)))
    same(E.astype_all, x)
    same(E.compare, arr((2, 7), I32), arr((2, 7), I32))


def test_reductions_matmul_shapes_indexing() -> None:
    x = arr((4, 6))
    same(O.sum2, x, tol=1e-4)
    same(O.max_min2, arr((5, 3), I64, -50, 50))
    same(O.reduce3, arr((2, 3, 4), F64))
    same(O.matmuls, arr((3, 4)), arr((4, 5)), arr((4,)), arr((3,)), arr((2, 3, 4)),
         arr((2, 4, 5)), arr((1, 3, 4)), arr((2, 1, 3, 4)), tol=1e-4)
    same(O.shapes_a, x, arr((4, 6, 2)), arr((4, 1, 6, 1)))
    same(O.shapes_b, arr((1, 6)), arr((6,)), 3, x, arr((2, 6)), arr((4, 6)))
    same(O.indexing, x, 1, -2, 1, 3, arr((4, 6, 3)), 2)
    same(O.create, 3, 4)


def test_effects(capsys: pytest.CaptureFixture[str]) -> None:
    x = arr((3, 4))
    same(cfk_effects.fill_row, x, 1, 2.5)
    same(cfk_effects.write_region, x, arr((4,)), 0, 2)
    same(cfk_effects.write_elems, arr((5,), I64, 0, 9))
    same(cfk_effects.kv_append, arr((4, 3)), arr((3,)), 2)
    same(cfk_effects.read_at, arr((5,)), 3)
    same(cfk_effects.write_at, arr((5,)), 1, 7.0)
    same(cfk_effects.slice_sum, arr((6,)), 1, 4, tol=1e-5)
    capsys.readouterr()
    same(cfk_effects.print_tensors, x, x > 0, arr((4,)).astype(gpu_cases.bf16()),
         arr((4,), I64, -5, 5))
    out = capsys.readouterr().out
    assert out.count("[") >= 3, out


def test_failing_check_is_reported() -> None:
    run = gpu_emulate.compile_emulated(cfk_effects.check_positive.fn,
                                       [ArgSpec("tensor", "float32", 1), ArgSpec("int")],
                                       "sk_emu_check")
    with pytest.raises(dsl.KernelAssertionError):
        run(-np.ones(4, np.float32), 1)


def test_examples() -> None:
    same(softmax, arr((4, 7)), tol=1e-5)
    same(layernorm, arr((3, 8)), arr((8,)), arr((8,)), tol=1e-4)
    same(attention, arr((2, 3, 8)), arr((8, 8)), arr((8, 8)), arr((8, 8)), arr((8, 8)),
         tol=1e-4)
    same(mlp_block, arr((3, 4)), arr((4, 16)), arr((16,)), arr((16, 4)), arr((4,)),
         tol=1e-4)
    same(decode_step, arr((2, 4)), arr((2, 4)), arr((2, 4)), arr((6, 2, 4)), arr((6, 2, 4)),
         3, tol=1e-4)
