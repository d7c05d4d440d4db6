"""Run-time tests of the cooperative reductions and the tiled matmul on an NVIDIA GPU: the
kernels of the CPU differential suite called on CUDA torch tensors, compared with
`dsl.eager` on numpy. Skipped without torch or without a GPU."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import os

import ml_dtypes
import numpy as np
import pytest

# Precompile mode (conftest.py): only compile each kernel's CUDA specialisation (no torch).
PRECOMPILE = os.environ.get("SHAPEKIT_GPU_PRECOMPILE", "") not in ("", "0")
if PRECOMPILE:
    pytestmark = pytest.mark.precompile
else:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU", allow_module_level=True)

import dsl  # noqa: E402
from dsl import Tensor  # noqa: E402
from jaxtyping import Float32  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests" / "compiler") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "compiler"))
import diff_kernels_ops as ops  # noqa: E402

BF16 = np.dtype(ml_dtypes.bfloat16)
F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
I8, I32 = np.dtype(np.int8), np.dtype(np.int32)
FLOATS = [F32, F16, BF16, F64]


def _to_device(a: np.ndarray) -> Any:
    if a.dtype == BF16:
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16).cuda()
    return torch.from_numpy(np.ascontiguousarray(a)).cuda()


def _to_host(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            return np.asarray(x.float().cpu().numpy()).astype(BF16)
        return np.asarray(x.cpu().numpy())
    if hasattr(x, "get"):  # cupy
        return np.asarray(x.get())
    return np.asarray(x)


def _tolerance(dtype: np.dtype[Any], n: int) -> tuple[float, float]:
    if dtype.kind in "iub":
        return 0.0, 0.0
    eps = {F16: 1e-3, BF16: 8e-3, F32: 1e-6, F64: 1e-14}.get(dtype, 1e-6)
    return 8 * eps * max(n, 1) ** 0.5, 8 * eps * max(n, 1)


def _run_and_compare(kernel: Any, args: list[np.ndarray], n: int) -> None:
    """`kernel` on CUDA tensors against eager numpy: dtype, shape, values."""
    if PRECOMPILE:
        kernel.compile(*args, target="cuda")
        return
    expected = dsl.eager(kernel)(*args)
    got = kernel(*[_to_device(a) for a in args])
    exp_list = expected if isinstance(expected, tuple) else (expected,)
    got_list = got if isinstance(got, tuple) else (got,)
    assert len(exp_list) == len(got_list)
    for e, g in zip(exp_list, got_list):
        e, g = np.asarray(e), _to_host(g)
        assert g.shape == e.shape
        assert g.dtype == e.dtype, (g.dtype, e.dtype)
        rtol, atol = _tolerance(e.dtype, n)
        np.testing.assert_allclose(g.astype(np.float64), e.astype(np.float64),
                                   rtol=rtol, atol=atol)


def _values(shape: tuple[int, ...], dtype: np.dtype[Any], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype.kind == "i":
        return rng.integers(-4, 5, size=shape).astype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    return rng.uniform(-4, 4, size=shape).astype(dtype)


SHAPES = [(1, 1), (3, 5), (17, 33), (1, 1000), (300, 257), (2, 4099), (5, 1)]


@pytest.mark.parametrize("dtype", FLOATS + [I32, I8], ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_sum_mean_max_min_argmax(dtype: np.dtype[Any], shape: tuple[int, int]) -> None:
    x = _values(shape, dtype)
    _run_and_compare(ops.sum2, [x], x.size)
    _run_and_compare(ops.max_min2, [x], x.size)
    if dtype.kind == "f":
        _run_and_compare(ops.mean2, [x], x.size)


@pytest.mark.parametrize("shape", [(0, 5), (4, 0), (0, 0)], ids=str)
def test_sums_over_empty_dims(shape: tuple[int, int]) -> None:
    x = np.zeros(shape, np.float32)
    _run_and_compare(ops.sum2, [x], 1)


@pytest.mark.parametrize("dtype", [F32, F16], ids=str)
@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 1, 1), (7, 65, 3), (33, 2, 129)], ids=str)
def test_rank3_axis_variants(dtype: np.dtype[Any], shape: tuple[int, int, int]) -> None:
    x = _values(shape, dtype, seed=1)
    _run_and_compare(ops.reduce3, [x], x.size)


def test_bool_sum() -> None:
    _run_and_compare(ops.sum2, [_values((37, 300), np.dtype(np.bool_))], 1)


@pytest.mark.parametrize("dtype", [F32, F16, BF16, I32], ids=str)
def test_argmax_ties_take_the_first_index(dtype: np.dtype[Any]) -> None:
    x = np.zeros((5, 1000), dtype)
    x[1, [3, 700, 999]] = 2        # ties spread over threads and warps
    x[2, [999, 256, 512]] = 1
    x[3, :] = 7                    # all equal: index 0
    x[4, [31, 32, 33]] = -1
    _run_and_compare(ops.max_min2, [x], x.size)


def test_argmax_and_max_with_nans_and_infinities() -> None:
    x = np.full((4, 600), -np.inf, np.float32)   # row 0: all -inf -> index 0
    x[1, [5, 400]] = np.nan                      # first NaN wins
    x[2, 300] = np.inf
    x[3, :] = np.nan
    _run_and_compare(ops.max_min2, [x], x.size)


MATMUL_SHAPES = [(1, 1, 1), (17, 33, 65), (128, 256, 64), (65, 1, 63), (64, 64, 64),
                 (3, 100, 2), (0, 5, 4), (4, 0, 5), (4, 5, 0)]


@pytest.mark.parametrize("dtype", FLOATS + [I32], ids=str)
@pytest.mark.parametrize("mkn", MATMUL_SHAPES, ids=str)
def test_matmul_shapes(dtype: np.dtype[Any], mkn: tuple[int, int, int]) -> None:
    m, k, n = mkn
    bb = 3
    args = [_values(s, dtype, seed=q) for q, s in enumerate(
        [(m, k), (k, n), (k,), (m,), (bb, m, k), (bb, k, n), (1, m, k), (2, 1, m, k)])]
    _run_and_compare(ops.matmuls, args, k)


@dsl.kernel
def bmm(x: Float32[Tensor, "B M K"], y: Float32[Tensor, "B K N"]) -> Float32[Tensor, "B M N"]:
    return x @ y


def test_matmul_large_batched() -> None:
    a = _values((4, 200, 300), F32, seed=3)
    b = _values((4, 300, 130), F32, seed=4)
    _run_and_compare(bmm, [a, b], 300)


def test_inputs_are_unchanged() -> None:
    if PRECOMPILE:
        pytest.skip("its kernel is compiled by the tests above")
    x = _values((8, 40), F32)
    xt = _to_device(x)
    ops.sum2(xt)
    np.testing.assert_array_equal(_to_host(xt), x)
