"""GPU arrays from other libraries, without importing them: torch tensors and cupy arrays (or
anything with `__cuda_array_interface__`) described as pointer, shape, element strides,
dtype and device, plus what a kernel call needs from their library: results of the same kind,
contiguous copies, the current stream.

torch tensors are read through their own methods (`data_ptr`, `stride`, `dtype`), which also
covers bfloat16 (which `__cuda_array_interface__` cannot name); everything else through
`__cuda_array_interface__` (version 2+: strides in bytes, or None for C-contiguous).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from dsl._runtime.hooks import NUMPY_DTYPES

__all__ = ["DeviceArray", "current_stream", "describe", "empty_like_kind", "is_device_array",
           "shape_proxy"]


@dataclass(frozen=True)
class DeviceArray:
    """One GPU array argument: `kind` is "torch" or "cupy" (any other CAI object counts as
    cupy-like but cannot be allocated), `strides` in elements."""

    obj: Any
    kind: str
    pointer: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: np.dtype[Any]
    device: int
    readonly: bool = False

    @property
    def contiguous(self) -> bool:
        """C-contiguous (strides of size-1 axes do not matter)."""
        expected = 1
        for size, stride in zip(reversed(self.shape), reversed(self.strides)):
            if size != 1 and stride != expected:
                return False
            expected *= size
        return True


def _is_torch_cuda(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith("torch") and bool(getattr(value, "is_cuda", False))


def is_device_array(value: Any) -> bool:
    """A torch CUDA tensor or an object exposing `__cuda_array_interface__`."""
    if isinstance(value, (np.ndarray, int, float, bool)):
        return False
    return _is_torch_cuda(value) or hasattr(value, "__cuda_array_interface__")


def _torch_dtype(value: Any) -> np.dtype[Any]:
    name = str(value.dtype).removeprefix("torch.")
    if name not in NUMPY_DTYPES:
        raise TypeError(f"torch dtype {value.dtype} is not supported by kernels (use one of "
                        f"{', '.join(NUMPY_DTYPES)})")
    return NUMPY_DTYPES[name]


def describe(value: Any) -> DeviceArray:
    """The description of a device array (`is_device_array(value)` must hold)."""
    if _is_torch_cuda(value):
        return DeviceArray(value, "torch", int(value.data_ptr()), tuple(value.shape),
                           tuple(value.stride()), _torch_dtype(value),
                           int(value.get_device()))
    cai = value.__cuda_array_interface__
    dtype = np.dtype(cai["typestr"])
    shape = tuple(int(n) for n in cai["shape"])
    raw = cai.get("strides")
    if raw is None:
        strides = _c_strides(shape)
    else:
        if any(s % dtype.itemsize for s in raw):
            raise TypeError("a GPU array whose strides are not multiples of its item size "
                            "cannot be passed to a kernel")
        strides = tuple(int(s) // dtype.itemsize for s in raw)
    pointer, readonly = cai["data"]
    device = getattr(getattr(value, "device", None), "id", 0)
    return DeviceArray(value, "cupy", int(pointer), shape, strides, dtype, int(device),
                       bool(readonly))


def _c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def shape_proxy(arr: DeviceArray) -> np.ndarray[Any, np.dtype[Any]]:
    """A numpy array with the device array's dtype and shape that owns no memory (all
    strides 0): what the eager call-boundary checks look at."""
    return np.lib.stride_tricks.as_strided(np.zeros(1, arr.dtype), arr.shape,
                                           (0,) * len(arr.shape), writeable=False)


def _module(name: str) -> Any:
    module = sys.modules.get(name)
    if module is None:  # an array of this library exists, so it was imported
        raise TypeError(f"{name} is not imported")
    return module


def empty_like_kind(like: DeviceArray, shape: tuple[int, ...], dtype: np.dtype[Any]) -> Any:
    """A new uninitialised C-contiguous array of `like`'s library, on its device."""
    if like.kind == "torch":
        torch = _module("torch")
        return torch.empty(shape, dtype=getattr(torch, _dtype_name(dtype)),
                           device=like.obj.device)
    if type(like.obj).__module__.split(".")[0] != "cupy":
        raise TypeError(f"kernel results cannot be allocated like a {type(like.obj).__name__}"
                        ": pass torch tensors or cupy arrays")
    cupy = _module("cupy")
    with cupy.cuda.Device(like.device):
        return cupy.empty(shape, dtype=dtype)


def _dtype_name(dtype: np.dtype[Any]) -> str:
    for name, known in NUMPY_DTYPES.items():
        if known == dtype:
            return name
    raise TypeError(f"dtype {dtype} has no GPU array equivalent")


def contiguous_copy(arr: DeviceArray) -> Any:
    """A C-contiguous copy of the array, in its own library."""
    if arr.kind == "torch":
        return arr.obj.contiguous()
    return _module("cupy").ascontiguousarray(arr.obj)


def copy_into(target: Any, kind: str, source: Any) -> None:
    """Write `source` (same shape) into the array `target`."""
    if kind == "torch":
        target.copy_(source)
    else:
        _module("cupy").copyto(target, source)


def current_stream(arr: DeviceArray) -> int:
    """The handle of the current stream of `arr`'s library on its device (0: the legacy
    default stream)."""
    if arr.kind == "torch":
        torch = _module("torch")
        raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
        if raw is not None:
            return int(raw(arr.device))
        return int(torch.cuda.current_stream(arr.device).cuda_stream)
    cupy = sys.modules.get("cupy")
    if cupy is None:
        return 0
    with cupy.cuda.Device(arr.device):
        return int(cupy.cuda.get_current_stream().ptr)
