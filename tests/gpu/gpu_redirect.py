"""Redirecting `@dsl.kernel` calls made with numpy arrays to the kernel's CUDA
specialisation (see conftest.py): `redirect(mode)`, and conversions between numpy and GPU
arrays that keep the dtype (bfloat16 included) and the non-contiguity of views."""

from __future__ import annotations

import contextlib
import importlib
import os
from typing import Any, Iterator

import ml_dtypes
import numpy as np

from dsl._core import KERNEL_DEPTH
from dsl._kernel import Kernel

BF16 = np.dtype(ml_dtypes.bfloat16)
CHIP = os.environ.get("SHAPEKIT_GPU_CHIP", "sm_90a")
_ORIGINAL = Kernel._execute


def to_device(a: np.ndarray, mode: str) -> Any:
    """A GPU copy of `a` as a torch tensor or cupy array; a non-contiguous `a` gives a
    non-contiguous view with the same element strides (inside a larger buffer)."""
    base = a.base if a.base is not None and not a.flags.c_contiguous else None
    if mode == "torch":
        torch = importlib.import_module("torch")
        if a.dtype == BF16:
            flat = torch.from_numpy(np.ascontiguousarray(a).view(np.int16).copy())
            t = flat.view(torch.bfloat16).cuda()
        else:
            t = torch.from_numpy(np.ascontiguousarray(a).copy()).cuda()
        if base is None or a.size == 0:
            return t
        strides = tuple(s // a.itemsize for s in a.strides)
        if any(s < 0 for s in strides):
            return t
        span = 1 + sum((n - 1) * s for n, s in zip(a.shape, strides))
        big = torch.zeros(span, dtype=t.dtype, device=t.device)
        view = big.as_strided(a.shape, strides)
        view.copy_(t)
        return view
    cupy = importlib.import_module("cupy")
    if a.dtype == BF16:
        import pytest
        pytest.skip("cupy has no bfloat16")
    d = cupy.asarray(np.ascontiguousarray(a))
    strides = tuple(s // a.itemsize for s in a.strides)
    if base is None or a.size == 0 or any(s < 0 for s in strides):
        return d
    span = 1 + sum((n - 1) * s for n, s in zip(a.shape, strides))
    view = cupy.lib.stride_tricks.as_strided(cupy.zeros(span, a.dtype), a.shape, a.strides)
    view[...] = d
    return view


def to_numpy(x: Any) -> Any:
    """A result back on the host: numpy arrays (bfloat16 as ml_dtypes'), tuples, scalars."""
    if isinstance(x, tuple):
        return tuple(to_numpy(v) for v in x)
    module = type(x).__module__.split(".")[0]
    if module == "torch":
        torch = importlib.import_module("torch")
        if x.dtype == torch.bfloat16:
            return x.view(torch.int16).cpu().numpy().view(BF16)
        return x.cpu().numpy()
    if module == "cupy":
        return x.get()
    return x


def _write_back(originals: tuple[Any, ...], devices: list[Any]) -> None:
    for a, d in zip(originals, devices):
        if isinstance(a, np.ndarray) and d is not a and a.flags.writeable and a.size:
            np.copyto(a, to_numpy(d).reshape(a.shape), casting="unsafe")


@contextlib.contextmanager
def redirect(mode: str) -> Iterator[None]:
    """Within the block, kernel calls with numpy arrays run on the GPU (`mode`: "torch",
    "cupy", "numpy" for the copy-in/copy-out path) or, for "precompile", compile their
    CUDA specialisation and then run on the CPU as usual."""

    def execute(self: Kernel[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]
                ) -> Any:
        if KERNEL_DEPTH.get() > 0:
            return _ORIGINAL(self, args, kwargs)
        if kwargs:
            args = tuple(self._runner.signature.sig.bind(*args, **kwargs).args)
        if mode == "precompile":
            try:
                self.compile(*args, target="cuda", chip=CHIP)
            except Exception:  # noqa: BLE001 - the CPU call below reports bad arguments
                pass
            return _ORIGINAL(self, args, {})
        if mode == "numpy" or not any(isinstance(a, np.ndarray) for a in args):
            compiled = self.compile(*args, target="cuda", chip=CHIP)
            return compiled(*args)
        devices = [to_device(a, mode) if isinstance(a, np.ndarray) else a for a in args]
        try:
            result = _ORIGINAL(self, tuple(devices), {})
        finally:
            _write_back(args, devices)
        return to_numpy(result)

    Kernel._execute = execute  # type: ignore[method-assign]
    try:
        yield
    finally:
        Kernel._execute = _ORIGINAL  # type: ignore[method-assign]
