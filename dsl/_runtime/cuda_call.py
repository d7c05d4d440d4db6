"""Calling a kernel compiled for CUDA: `load_cuda_kernel` and `CudaKernel`.

The shared object has the CPU entry ABI (`abi`), but its tensor slots hold device pointers,
and it exports `<symbol>_cuda_prepare/finish/error/set_device` (the shim, `cuda_shim.c`).
A call is: check the arguments (the eager checks, so the same messages), `set_device`,
`prepare(stream)`, the entry, `finish(sync)`; then the kernel's status as on the CPU.

* GPU arrays (torch tensors, cupy arrays): used in place (non-contiguous ones through a
  contiguous copy, written back), results of the same library on the same device, the work
  queued on the library's current stream without waiting (as torch does).
* numpy arrays: copied to the device and back (also into written parameters), waiting for
  the kernel; results are numpy arrays.

Nothing here imports MLIR, torch or cupy: precompiled kernels run wherever a driver is.
"""

from __future__ import annotations

import ctypes
import os
import pathlib
from typing import Any

import numpy as np

from dsl._errors import DeviceError
from dsl._runtime import cuda_arrays, cuda_driver, hooks
from dsl._runtime.abi import KernelABI
from dsl._runtime.call import CallPlan, check_status, data_pointer
from dsl._runtime.cuda_arrays import DeviceArray, describe, is_device_array
from dsl._runtime.cuda_fast import MISS, TorchFastPath
from dsl._runtime.library import (ReadOnlyArgumentError, _dim_values, _entry, _library,
                                  _scalar, _signature)
from typecheck.errors import ShapeError

__all__ = ["CudaKernel", "load_cuda_kernel"]

NDArray = np.ndarray[Any, np.dtype[Any]]
_SHAPE_CACHE_LIMIT = 1024


def _control(lib: ctypes.CDLL, name: str, argtypes: list[Any], restype: Any) -> Any:
    try:
        fn = getattr(lib, name)
    except AttributeError:
        raise ValueError(f"the shared object does not export '{name}': not a CUDA "
                         "kernel") from None
    fn.argtypes = argtypes
    fn.restype = restype
    return fn


class CudaKernel:
    """A kernel specialisation compiled for CUDA, loaded from its shared object.

    Call it with the arguments in the ABI's order: all tensors GPU arrays (torch / cupy), or
    all numpy arrays (copied in and out). Problems with the GPU raise `dsl.DeviceError`.
    """

    def __init__(self, so_path: pathlib.Path, abi: KernelABI) -> None:
        abi.check_version()
        self.abi = abi
        self.so_path = pathlib.Path(so_path)
        lib = _library(self.so_path)
        self._entry = _entry(lib, abi)
        hooks.install_hooks(lib, abi)
        s = abi.symbol
        self._prepare = _control(lib, f"{s}_cuda_prepare", [ctypes.c_void_p], ctypes.c_int32)
        self._finish = _control(lib, f"{s}_cuda_finish", [ctypes.c_int32], ctypes.c_int32)
        self._error = _control(lib, f"{s}_cuda_error", [], ctypes.c_char_p)
        self._set_device = _control(lib, f"{s}_cuda_set_device", [ctypes.c_int32],
                                    ctypes.c_int32)
        self._plan = CallPlan.of(abi)
        self._signature = _signature(abi)
        self._tensors = tuple(i for i, p in enumerate(abi.params) if p.kind == "tensor")
        self._shapes: dict[tuple[Any, ...], tuple[tuple[int, ...], ...]] = {}
        self._sync = os.environ.get("SHAPEKIT_CUDA_SYNC", "") not in ("", "0")
        self._pending = hooks.PENDING
        self._fast = TorchFastPath(self)

    def __repr__(self) -> str:
        return f"<CudaKernel {self.abi.name} ({self.abi.symbol}) from {self.so_path}>"

    def __call__(self, *args: Any) -> Any:
        """Run the kernel on the GPU (see the class docstring)."""
        result = self._fast(args)
        if result is not MISS:
            return result
        devices = [describe(a) if is_device_array(a) else None for a in args]
        if any(d is not None for d in devices):
            return self._device_call(args, devices)
        return self._host_call(args)

    # --- checks -------------------------------------------------------------------------
    def _checked(self, values: tuple[Any, ...]) -> tuple[list[Any], tuple[tuple[int, ...], ...]]:
        """The eager call-boundary checks, then the result shapes."""
        checked, _, state = self._signature.check_args(values, {})
        for i in self._tensors:
            p, value = self.abi.params[i], checked[i]
            if value.ndim != p.rank:
                raise ShapeError(f"argument '{p.name}': this compiled specialisation of "
                                 f"'{self.abi.name}' takes rank {p.rank} ({p.annotation}), "
                                 f"got rank {value.ndim}")
        env = _dim_values(state.bindings)
        for i in self._plan.shape_ints:
            env[self.abi.params[i].name] = int(checked[i])
        shapes = []
        for k, dims in enumerate(self._plan.result_dims):
            if self._plan.result_dtypes[k] is not None:
                try:
                    shapes.append(tuple(d.evaluate(env) for d in dims))
                except KeyError as exc:
                    raise ShapeError(f"kernel '{self.abi.name}': cannot size result {k}: dim "
                                     f"{exc.args[0]} is not bound by the arguments") from None
        return checked, tuple(shapes)

    def _result_shapes(self, args: tuple[Any, ...], devices: list[DeviceArray | None]
                       ) -> tuple[tuple[int, ...], ...]:
        """Result shapes of a device call; a call with already checked shapes skips the
        checks (a dict lookup)."""
        key = tuple((d.dtype, d.shape) if d is not None else type(a)
                    for a, d in zip(args, devices))
        key += tuple(args[i] for i in self._plan.shape_ints)
        shapes = self._shapes.get(key)
        if shapes is None:
            proxies = tuple(cuda_arrays.shape_proxy(d) if d is not None else a
                            for a, d in zip(args, devices))
            _, shapes = self._checked(proxies)
            if len(self._shapes) >= _SHAPE_CACHE_LIMIT:
                self._shapes.clear()
            self._shapes[key] = shapes
        return shapes

    def _checked_device_shapes(self, args: tuple[Any, ...]) -> tuple[tuple[int, ...], ...]:
        """The full checks of a call with GPU arrays (for the fast path's first call)."""
        devices = [describe(a) if is_device_array(a) else None for a in args]
        return self._result_shapes(args, devices)

    # --- the two call paths -------------------------------------------------------------
    def _begin(self, device: int, stream: int) -> None:
        """prepare: the device's primary context current, the call's stream set."""
        self._set_device(device)
        if self._prepare(stream or None):
            message = self._error().decode(errors="replace")
            self._finish(0)
            raise DeviceError(f"kernel '{self.abi.name}': {message}")

    def _end(self, sync: bool) -> None:
        """finish: DeviceError for anything that failed since `_begin`."""
        if self._finish(1 if sync else 0):
            hooks.reset_print()
            raise DeviceError(f"kernel '{self.abi.name}': "
                              f"{self._error().decode(errors='replace')}")

    def _device_call(self, args: tuple[Any, ...], devices: list[DeviceArray | None]) -> Any:
        shapes = self._result_shapes(args, devices)
        first = self._check_placement(devices)
        plan = self._plan
        head: list[Any] = []
        write_back: list[tuple[DeviceArray, Any]] = []
        for i, (p, a, d) in enumerate(zip(self.abi.params, args, devices)):
            if d is None:
                head.append(_scalar(p, a))
                continue
            if p.written and d.readonly:
                raise ReadOnlyArgumentError(f"argument '{p.name}': kernel '{self.abi.name}' "
                                            "writes into it, but the array is read-only")
            if not d.contiguous:
                copy = cuda_arrays.contiguous_copy(d)
                if p.written:
                    write_back.append((d, copy))
                d = describe(copy)
                devices[i] = d  # keeps the copy alive until the call returns
            head += [d.pointer, *d.shape]
        self._begin(first.device, cuda_arrays.current_stream(first))
        try:
            outputs = [cuda_arrays.empty_like_kind(first, shape, dtype) for shape, dtype in
                       zip(shapes, (t for t in plan.result_dtypes if t is not None))]
            slots, tail = self._result_slots([describe(o).pointer for o in outputs], shapes)
            status: int = self._entry(plan.pack(*head, *tail))
        finally:
            self._end(self._sync)
        for target, copy in write_back:
            cuda_arrays.copy_into(target.obj, target.kind, copy)
        check_status(self.abi, status)
        return plan.result_value(outputs, slots)

    def _check_placement(self, devices: list[DeviceArray | None]) -> DeviceArray:
        """All tensor arguments are GPU arrays on one device; returns the first."""
        placed = [d for d in devices if d is not None]
        for i in self._tensors:
            if i < len(devices) and devices[i] is None:
                raise DeviceError(f"kernel '{self.abi.name}': argument "
                                  f"'{self.abi.params[i].name}' is not on the GPU while other "
                                  "arguments are: pass all arrays on the same device")
        if len({d.device for d in placed}) > 1:
            raise DeviceError(f"kernel '{self.abi.name}': the arguments are on different "
                              f"GPUs ({sorted({d.device for d in placed})})")
        return placed[0]

    def _result_slots(self, pointers: list[int], shapes: tuple[tuple[int, ...], ...]
                      ) -> tuple[NDArray | None, list[int]]:
        """The result part of the packed slots: device pointers and sizes of the tensors,
        host addresses of the scalar slots."""
        n = self._plan.scalar_results
        slots = np.zeros(n, np.int64) if n else None
        tail: list[int] = []
        tensors, scalar = iter(zip(pointers, shapes)), 0
        for dtype in self._plan.result_dtypes:
            if dtype is not None:
                pointer, shape = next(tensors)
                tail += [pointer, *shape]
            else:
                assert slots is not None
                tail.append(data_pointer(slots) + 8 * scalar)
                scalar += 1
        return slots, tail

    def _host_call(self, args: tuple[Any, ...]) -> Any:
        """numpy arguments: copied to the GPU and back."""
        checked, shapes = self._checked(args)
        self._begin(0, 0)  # makes the context current for the copies below
        self._end(False)
        cuda_driver.driver()
        buffers: list[cuda_driver.DeviceBuffer] = []
        try:
            return self._host_run(args, checked, shapes, buffers)
        finally:
            for b in buffers:
                b.free()

    def _host_run(self, args: tuple[Any, ...], checked: list[Any],
                  shapes: tuple[tuple[int, ...], ...],
                  buffers: list[cuda_driver.DeviceBuffer]) -> Any:
        plan = self._plan
        head: list[Any] = []
        written: list[tuple[NDArray, cuda_driver.DeviceBuffer, np.dtype[Any]]] = []
        for i, (p, value) in enumerate(zip(self.abi.params, checked)):
            if p.kind != "tensor":
                head.append(_scalar(p, value))
                continue
            target = args[i] if isinstance(args[i], np.ndarray) else value
            if p.written and not target.flags.writeable:
                raise ReadOnlyArgumentError(f"argument '{p.name}': kernel '{self.abi.name}' "
                                            "writes into it, but the array is read-only")
            host = np.ascontiguousarray(value, dtype=plan.param_dtypes[i])
            buffer = cuda_driver.DeviceBuffer(host.nbytes)
            buffers.append(buffer)
            buffer.upload(data_pointer(host))
            if p.written:
                written.append((target, buffer, host.dtype))
            head += [buffer.pointer, *host.shape]
        outputs = [np.empty(shape, dtype) for shape, dtype in
                   zip(shapes, (t for t in plan.result_dtypes if t is not None))]
        out_buffers = [cuda_driver.DeviceBuffer(o.nbytes) for o in outputs]
        buffers.extend(out_buffers)
        slots, tail = self._result_slots([b.pointer for b in out_buffers], shapes)
        self._begin(0, 0)
        try:
            status: int = self._entry(plan.pack(*head, *tail))
        finally:
            self._end(True)
        for target, buffer, dtype in written:
            landing = np.empty(target.shape, dtype)
            buffer.download(data_pointer(landing))
            np.copyto(target, landing, casting="unsafe")
        for out, buffer in zip(outputs, out_buffers):
            buffer.download(data_pointer(out))
        check_status(self.abi, status)
        return plan.result_value(outputs, slots)


def load_cuda_kernel(so_path: pathlib.Path, abi: KernelABI) -> CudaKernel:
    """Load the CUDA kernel `abi.symbol` from `so_path` (no GPU needed until it is called)."""
    return CudaKernel(so_path, abi)
