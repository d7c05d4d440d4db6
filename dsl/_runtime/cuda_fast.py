"""The fast path of a CUDA kernel call with torch tensors (the launch-overhead path).

It handles the common case only: every tensor argument a C-contiguous torch CUDA tensor on
one device, scalars of the Python types an earlier call was checked with, and a shape key
(torch dtypes and sizes, the values of the `int` parameters that size results) that an
earlier call already checked. Anything else returns `MISS` and the kernel takes its general
path (`CudaKernel._device_call`), which checks fully; a miss on the shape key alone runs the
full checks once and remembers the key.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from dsl._runtime.call import check_status

if TYPE_CHECKING:
    from dsl._runtime.cuda_call import CudaKernel

__all__ = ["MISS", "TorchFastPath"]

MISS = object()  # "not handled here": take the general path
_SCALARS = (int, float, bool)
_LIMIT = 1024


class TorchFastPath:
    """`fast(args)`: the call's result, or `MISS`."""

    def __init__(self, kernel: "CudaKernel") -> None:
        self.kernel = kernel
        self.tensor = tuple(p.kind == "tensor" for p in kernel.abi.params)
        self.shape_ints = kernel._plan.shape_ints
        self.shapes: dict[tuple[Any, ...], tuple[tuple[int, ...], ...]] = {}
        self.torch: Any = None
        self.tensor_type: Any = None
        self.result_dtypes: list[Any] = []
        self.raw_stream: Any = None
        self.plain = kernel._plan.scalar_results == 0

    def _bind_torch(self, sample: Any) -> bool:
        """Remember torch (already imported, as a tensor exists) on the first call."""
        torch = sys.modules.get("torch")
        if torch is None or type(sample).__module__.split(".")[0] != "torch":
            return False
        raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
        if raw is None:
            return False
        self.torch, self.tensor_type, self.raw_stream = torch, type(sample), raw
        self.result_dtypes = [getattr(torch, d.name)  # numpy names are torch's names
                              for d in self.kernel._plan.result_dtypes if d is not None]
        return True

    def __call__(self, args: tuple[Any, ...]) -> Any:
        if len(args) != len(self.tensor):
            return MISS
        tensor_type = self.tensor_type
        if tensor_type is None:
            first = next((a for a, t in zip(args, self.tensor) if t), None)
            if first is None or not self._bind_torch(first):
                return MISS
            tensor_type = self.tensor_type
        key: list[Any] = []
        head: list[Any] = []
        device = -1
        for a, is_tensor in zip(args, self.tensor):
            if is_tensor:
                if type(a) is not tensor_type or not a.is_contiguous():
                    return MISS
                d = a.get_device()  # -1 for a CPU tensor
                if d != device:
                    if device >= 0 or d < 0:
                        return MISS
                    device = d
                shape = a.shape
                key.append(a.dtype)
                key.append(shape)
                head.append(a.data_ptr())
                head.extend(shape)
            else:
                kind = type(a)
                if kind not in _SCALARS:
                    return MISS
                key.append(kind)
                head.append(a)
        for i in self.shape_ints:
            key.append(args[i])
        if device < 0:
            return MISS
        return self._launch(args, tuple(key), head, device)

    def _launch(self, args: tuple[Any, ...], key: tuple[Any, ...], head: list[Any],
                device: int) -> Any:
        k = self.kernel
        shapes = self.shapes.get(key)
        if shapes is None:
            shapes = k._checked_device_shapes(args)  # full checks; raises on bad arguments
            if len(self.shapes) >= _LIMIT:
                self.shapes.clear()
            self.shapes[key] = shapes
        plan = k._plan
        empty = self.torch.empty
        k._begin(device, self.raw_stream(device))
        try:
            outputs = [empty(s, dtype=t, device=device)
                       for s, t in zip(shapes, self.result_dtypes)]
            if self.plain:
                tail: list[Any] = []
                for o in outputs:
                    tail.append(o.data_ptr())
                    tail.extend(o.shape)
                slots = None
            else:
                slots, tail = k._result_slots([o.data_ptr() for o in outputs], shapes)
            status = k._entry(plan.pack(*head, *tail))
        finally:
            k._end(k._sync)
        if status:
            check_status(k.abi, status)
        elif k._pending[0]:
            check_status(k.abi, 0)
        return plan.result_value(outputs, slots)
