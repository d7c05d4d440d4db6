"""The few CUDA driver calls the Python side makes itself: device discovery and the copies of
numpy arguments to and from the GPU.

The driver library (libcuda.so.1) is opened with ctypes at first use: nothing here needs the
CUDA toolkit, MLIR or `cuda-bindings`, so precompiled kernels run on any machine with an
NVIDIA driver. Every call runs in the context that is current on the calling thread (the
kernel's `<symbol>_cuda_prepare` makes the device's primary context current first).
"""

from __future__ import annotations

import ctypes
import functools
import threading
from typing import Any

from dsl._errors import DeviceError

__all__ = ["DeviceBuffer", "chip_for_device", "device_count", "driver"]

_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75
_CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76
_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _load() -> ctypes.CDLL | str:
    """The initialised driver library, or why it cannot be used."""
    try:
        lib = ctypes.CDLL("libcuda.so.1")
    except OSError as exc:
        return (f"cannot load the CUDA driver library libcuda.so.1 ({exc}): is an NVIDIA "
                "driver installed on this machine?")
    status = lib.cuInit(0)
    if status != 0:
        return f"cuInit failed with CUDA error {status}: the CUDA driver found no usable GPU"
    return lib


def driver() -> ctypes.CDLL:
    """The CUDA driver library; `DeviceError` when it is missing or finds no GPU."""
    with _LOCK:
        lib = _load()
    if isinstance(lib, str):
        raise DeviceError(lib)
    return lib


def _check(status: int, what: str) -> None:
    if status == 0:
        return
    name = ctypes.c_char_p()
    driver().cuGetErrorName(status, ctypes.byref(name))
    label = name.value.decode() if name.value else "CUDA error"
    raise DeviceError(f"{what} failed: {label} ({status})")


def device_count() -> int:
    """How many CUDA devices the driver sees (`DeviceError` without a driver)."""
    count = ctypes.c_int(0)
    _check(driver().cuDeviceGetCount(ctypes.byref(count)), "cuDeviceGetCount")
    return count.value


@functools.lru_cache(maxsize=None)
def chip_for_device(ordinal: int) -> str:
    """The compilation target for device `ordinal`: "sm_90a" on Hopper (the arch-specific
    features), "sm_<major><minor>" elsewhere."""
    lib = driver()
    device = ctypes.c_int()
    _check(lib.cuDeviceGet(ctypes.byref(device), ordinal), f"cuDeviceGet({ordinal})")
    major, minor = ctypes.c_int(), ctypes.c_int()
    _check(lib.cuDeviceGetAttribute(ctypes.byref(major),
                                    _CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
           "cuDeviceGetAttribute")
    _check(lib.cuDeviceGetAttribute(ctypes.byref(minor),
                                    _CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
           "cuDeviceGetAttribute")
    suffix = "a" if (major.value, minor.value) == (9, 0) else ""
    return f"sm_{major.value}{minor.value}{suffix}"


class DeviceBuffer:
    """Device memory of `nbytes` bytes in the current context (freed by `free`)."""

    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes
        pointer = ctypes.c_uint64(0)
        if nbytes:
            _check(driver().cuMemAlloc_v2(ctypes.byref(pointer), ctypes.c_size_t(nbytes)),
                   f"cuMemAlloc ({nbytes} bytes)")
        self.pointer = pointer.value

    def upload(self, host_pointer: int) -> None:
        """Copy `nbytes` from host memory at `host_pointer` into the buffer."""
        if self.nbytes:
            _check(driver().cuMemcpyHtoD_v2(ctypes.c_uint64(self.pointer),
                                            ctypes.c_void_p(host_pointer),
                                            ctypes.c_size_t(self.nbytes)),
                   "cuMemcpyHtoD (copying an argument to the GPU)")

    def download(self, host_pointer: int) -> None:
        """Copy the buffer into host memory at `host_pointer` (waits for the copy)."""
        if self.nbytes:
            _check(driver().cuMemcpyDtoH_v2(ctypes.c_void_p(host_pointer),
                                            ctypes.c_uint64(self.pointer),
                                            ctypes.c_size_t(self.nbytes)),
                   "cuMemcpyDtoH (copying a result from the GPU)")

    def free(self) -> None:
        """Release the memory (idempotent)."""
        if self.pointer:
            pointer, self.pointer = self.pointer, 0
            driver().cuMemFree_v2(ctypes.c_uint64(pointer))

    def __enter__(self) -> "DeviceBuffer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.free()
