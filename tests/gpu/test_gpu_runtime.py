"""The CUDA runtime on a real GPU: torch and cupy arrays in place (zero copy, writes visible,
strides honoured), results of the caller's kind and device, streams, bfloat16, the
DeviceError paths, and the launch overhead per call (printed, not asserted)."""

from __future__ import annotations

import importlib
import time
from typing import Any

import numpy as np
import pytest

import dsl
from dsl import Float32, Int64, Tensor, kernel


@kernel
def axpy(a: float, x: Float32[Tensor, "N"], y: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return a * x + y


@kernel
def put_row(cache: Float32[Tensor, "S D"], row: Float32[Tensor, "D"], pos: int) -> None:
    cache[pos] = row


@kernel
def total(x: Float32[Tensor, "R C"]) -> float:
    return float(dsl.sum(x))


@kernel
def tiny(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return x + 1.0


@kernel
def count_positive(x: Int64[Tensor, "N"]) -> int:
    n = 0
    for i in range(x.shape[0]):
        if x[i] > 0:
            n += 1
    return n


def _precompiled(gpu_mode: str, calls: list[tuple[Any, tuple[Any, ...]]]) -> None:
    """In precompile mode: compile the kernels these tests call (their numpy example
    arguments select the same specialisations), then skip."""
    if gpu_mode == "precompile":
        for k, args in calls:
            k.compile(*args, target="cuda")
        pytest.skip("precompile mode")


def _lib(name: str, gpu_mode: str) -> Any:
    """The array library `name`; the test runs once, in the mode of that name."""
    if gpu_mode != name:
        pytest.skip(f"runs in the {name} mode")
    try:
        return importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} is not installed")


X = np.arange(8, dtype=np.float32)


def test_torch_in_torch_out_zero_copy(gpu_mode: str) -> None:
    _precompiled(gpu_mode, [(axpy, (2.0, X, X)), (put_row, (np.zeros((4, 3), np.float32),
                                                            np.ones(3, np.float32), 1))])
    torch = _lib("torch", gpu_mode)
    x = torch.arange(8, dtype=torch.float32, device="cuda")
    out = axpy(2.0, x, x)
    assert isinstance(out, torch.Tensor) and out.device == x.device
    torch.testing.assert_close(out, 3 * x)
    cache = torch.zeros((4, 3), device="cuda")
    put_row(cache, torch.ones(3, device="cuda"), 2)  # written in place: visible here
    assert cache.sum().item() == 3.0 and cache[2].sum().item() == 3.0
    view = torch.zeros((3, 4), device="cuda").t()  # non-contiguous: written back
    put_row(view, torch.full((3,), 5.0, device="cuda"), 1)
    assert view[1].tolist() == [5.0, 5.0, 5.0]


def test_torch_streams_and_strides(gpu_mode: str) -> None:
    _precompiled(gpu_mode, [(axpy, (2.0, X, X))])
    torch = _lib("torch", gpu_mode)
    big = torch.arange(32, dtype=torch.float32, device="cuda")
    x, y = big[::4], big[1::4]  # strided inputs
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        out = axpy(1.0, x, y)
    stream.synchronize()
    torch.testing.assert_close(out, x + y)


def test_cupy_in_cupy_out(gpu_mode: str) -> None:
    _precompiled(gpu_mode, [(axpy, (2.0, X, X)), (total, (np.ones((2, 3), np.float32),))])
    cupy = _lib("cupy", gpu_mode)
    x = cupy.arange(8, dtype=cupy.float32)
    out = axpy(0.5, x, x)
    assert isinstance(out, cupy.ndarray)
    np.testing.assert_allclose(out.get(), 1.5 * np.arange(8))
    assert total(cupy.ones((3, 5), dtype=cupy.float32)) == pytest.approx(15.0)


def test_scalar_results_and_loops(gpu_mode: str) -> None:
    v = np.array([3, -1, 0, 7, 2])
    _precompiled(gpu_mode, [(count_positive, (v,)), (total, (np.ones((2, 3), np.float32),))])
    torch = _lib("torch", gpu_mode)
    assert count_positive(torch.tensor(v, device="cuda")) == 3
    assert total(torch.ones((64, 33), device="cuda")) == pytest.approx(64 * 33)


def test_numpy_target_cuda_copies_in_and_out(gpu_mode: str) -> None:
    cache = np.zeros((4, 3), np.float32)
    _precompiled(gpu_mode, [(put_row, (cache, np.ones(3, np.float32), 1))])
    if gpu_mode != "numpy":
        pytest.skip("runs in the numpy mode")
    compiled = put_row.compile(cache, np.ones(3, np.float32), 1, target="cuda")
    compiled(cache, np.full(3, 2.0, np.float32), 3)
    assert cache[3].tolist() == [2.0, 2.0, 2.0] and cache[:3].sum() == 0


def test_mixed_host_and_device_arrays(gpu_mode: str) -> None:
    _precompiled(gpu_mode, [(axpy, (2.0, X, X))])
    torch = _lib("torch", gpu_mode)
    with pytest.raises((dsl.DeviceError, TypeError), match="GPU|device"):
        axpy(1.0, torch.ones(8, device="cuda"), np.ones(8, np.float32))


def test_shape_errors_on_gpu_arrays(gpu_mode: str) -> None:
    _precompiled(gpu_mode, [(axpy, (2.0, X, X))])
    torch = _lib("torch", gpu_mode)
    with pytest.raises(dsl.ShapeError):
        axpy(1.0, torch.ones(8, device="cuda"), torch.ones(9, device="cuda"))
    with pytest.raises(dsl.DTypeError):
        axpy(1.0, torch.ones(8, device="cuda", dtype=torch.float64),
             torch.ones(8, device="cuda", dtype=torch.float64))


def test_launch_overhead(gpu_mode: str) -> None:
    _precompiled(gpu_mode, [(tiny, (X,))])
    torch = _lib("torch", gpu_mode)
    x = torch.ones(1, device="cuda")
    for _ in range(20):
        tiny(x)
    torch.cuda.synchronize()
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        tiny(x)
    torch.cuda.synchronize()
    per_call = (time.perf_counter() - start) / n * 1e6
    print(f"\nlaunch overhead: {per_call:.2f} us per call of a 1-element kernel (torch)")
