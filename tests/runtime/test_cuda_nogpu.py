"""The CUDA runtime on a machine without a GPU or driver: clear `dsl.DeviceError`s, never a
crash; GPU-array descriptions; `kernel.compile(..., target="cuda")` still gives the PTX."""

from __future__ import annotations

import ctypes
import json
import pathlib
import shutil
import subprocess
from typing import Any

import numpy as np
import pytest

import dsl
from dsl import Float32, Tensor
from dsl._runtime import cuda_arrays, cuda_driver
from dsl._runtime.abi import KernelABI, ParamSpec, ResultSpec
from dsl._runtime.cuda_call import load_cuda_kernel
from dsl._runtime.cuda_shim import compile_flags, shim_source_path


def _has_driver() -> bool:
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    return True


needs_no_driver = pytest.mark.skipif(_has_driver(), reason="this machine has a CUDA driver")


class FakeGpuArray:
    """Exposes `__cuda_array_interface__` like a cupy array (the memory is never touched)."""

    def __init__(self, shape: tuple[int, ...], typestr: str = "<f4",
                 strides: tuple[int, ...] | None = None) -> None:
        self.__cuda_array_interface__ = {"shape": shape, "typestr": typestr,
                                         "strides": strides, "data": (0x10000, False),
                                         "version": 3}
        self.ndim = len(shape)
        self.dtype = np.dtype(typestr)


def test_device_error_is_exported() -> None:
    assert issubclass(dsl.DeviceError, RuntimeError)
    assert "DeviceError" in dsl.__all__


@needs_no_driver
def test_driver_missing_is_a_device_error() -> None:
    with pytest.raises(dsl.DeviceError, match="libcuda.so.1.*NVIDIA driver"):
        cuda_driver.driver()
    with pytest.raises(dsl.DeviceError, match="libcuda"):
        cuda_driver.device_count()


def test_describe_cuda_array_interface() -> None:
    a = FakeGpuArray((3, 4), "<f4", (4, 12))  # a transposed view: strides in bytes
    assert cuda_arrays.is_device_array(a)
    assert not cuda_arrays.is_device_array(np.zeros(3))
    d = cuda_arrays.describe(a)
    assert (d.pointer, d.shape, d.strides, d.dtype) == (0x10000, (3, 4), (1, 3),
                                                         np.dtype(np.float32))
    assert not d.contiguous
    c = cuda_arrays.describe(FakeGpuArray((3, 1, 4), "<i8"))
    assert c.strides == (4, 4, 1) and c.contiguous
    proxy = cuda_arrays.shape_proxy(c)
    assert proxy.shape == (3, 1, 4) and proxy.dtype == np.int64 and proxy.nbytes == 96


# --- a hand-made CUDA kernel library (no MLIR): entry + shim, as the compiler links it ---
_ENTRY = r"""
#include <stdint.h>
void *mgpuStreamCreate(void);
void *mgpuMemAlloc(uint64_t, void *, _Bool);
void mgpuMemFree(void *, void *);
__attribute__((visibility("default"))) int32_t sk_fake(int64_t *slots) {
  void *stream = mgpuStreamCreate();
  mgpuMemFree(mgpuMemAlloc(64, stream, 0), stream);
  (void)slots;
  return 0;
}
__attribute__((visibility("default"))) void *sk_fake_hooks[4];
"""


@pytest.fixture(scope="module")
def fake_kernel(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if shutil.which("cc") is None:
        pytest.skip("needs a C compiler")
    out = tmp_path_factory.mktemp("fake_cuda")
    (out / "entry.c").write_text(_ENTRY)
    objects = []
    for name, source, flags in (("entry.o", out / "entry.c", ["-fPIC"]),
                                ("shim.o", shim_source_path(), compile_flags("sk_fake"))):
        subprocess.run(["cc", "-c", *flags, str(source), "-o", str(out / name)], check=True)
        objects.append(str(out / name))
    so = out / "fake.so"
    subprocess.run(["cc", "-shared", *objects, "-o", str(so)], check=True)
    abi = KernelABI("fake", "sk_fake",
                    (ParamSpec("x", "tensor", "float32", 1, "N", False),),
                    (ResultSpec("tensor", "float32", ("N",)),))
    return load_cuda_kernel(so, KernelABI.from_json(abi.to_json()))


@needs_no_driver
def test_numpy_call_without_driver(fake_kernel: Any) -> None:
    with pytest.raises(dsl.DeviceError, match="libcuda.so.1"):
        fake_kernel(np.zeros(4, np.float32))
    with pytest.raises(dsl.ShapeError):  # the argument checks come first
        fake_kernel(np.zeros((2, 2), np.float32))


@needs_no_driver
def test_gpu_array_call_without_driver(fake_kernel: Any) -> None:
    with pytest.raises(dsl.DeviceError, match="kernel 'fake'.*libcuda.so.1"):
        fake_kernel(FakeGpuArray((4,)))
    with pytest.raises(dsl.DeviceError, match="libcuda.so.1"):  # again: no crash, same answer
        fake_kernel(FakeGpuArray((4,)))


def test_wrong_dtype_on_gpu_array(fake_kernel: Any) -> None:
    with pytest.raises(dsl.DTypeError):
        fake_kernel(FakeGpuArray((4,), "<f8"))


# --- compiling for CUDA needs no GPU ---------------------------------------------------
@dsl.kernel
def _scale(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return x * 2.0 + 1.0


def _compile_cuda() -> Any:
    try:
        from lowering.pipeline import compile_kernel_cuda  # noqa: F401
    except ImportError:
        pytest.skip("lowering.pipeline.compile_kernel_cuda does not exist yet")
    return _scale.compile(np.zeros(8, np.float32), target="cuda")


def test_compile_cuda_gives_ptx() -> None:
    compiled = _compile_cuda()
    assert compiled.target == "cuda"
    assert ".target sm_90a" in compiled.ir["ptx"]
    assert "mlir" in compiled.ir and "llvm" in compiled.ir


@needs_no_driver
def test_compiled_cuda_kernel_raises_device_error() -> None:
    compiled = _compile_cuda()
    with pytest.raises(dsl.DeviceError, match="libcuda.so.1"):
        compiled(np.ones(8, np.float32))
    with pytest.raises(dsl.DeviceError, match="libcuda.so.1"):
        compiled(FakeGpuArray((8,)))


@needs_no_driver
def test_kernel_call_with_gpu_array_without_driver() -> None:
    with pytest.raises(dsl.DeviceError, match="libcuda.so.1"):
        _scale(FakeGpuArray((8,)))
    # the CPU path is unaffected
    np.testing.assert_allclose(_scale(np.ones(3, np.float32)), np.full(3, 3.0, np.float32))


def test_unknown_target() -> None:
    with pytest.raises(ValueError, match="unknown target"):
        _scale.compile(np.zeros(8, np.float32), target="tpu")


def test_abi_roundtrip_is_json() -> None:
    assert json.loads(KernelABI("k", "s", (), ()).to_json())["symbol"] == "s"
    assert pathlib.Path(shim_source_path()).suffix == ".c"


# --- the torch fast path, with a stand-in for torch (the entry and the shim stubbed) --------
class _FakeDtype:
    name = "float32"

    def __str__(self) -> str:
        return "torch.float32"


class _FakeTensor:
    is_cuda = True

    def __init__(self, shape: tuple[int, ...], pointer: int = 0x1000,
                 contiguous: bool = True) -> None:
        self.shape, self.dtype, self.ndim = shape, _FAKE_F32, len(shape)
        self.pointer, self.contiguous, self.device = pointer, contiguous, 0

    def data_ptr(self) -> int:
        return self.pointer

    def stride(self) -> tuple[int, ...]:
        return tuple(int(np.prod(self.shape[i + 1:])) for i in range(len(self.shape)))

    def get_device(self) -> int:
        return 0

    def is_contiguous(self) -> bool:
        return self.contiguous


_FAKE_F32 = _FakeDtype()
_FakeTensor.__module__ = "torch"


def test_torch_fast_path(fake_kernel: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import struct
    import sys
    import types
    torch = types.ModuleType("torch")
    torch.float32 = _FAKE_F32  # type: ignore[attr-defined]
    made: list[_FakeTensor] = []

    def empty(shape: tuple[int, ...], dtype: Any, device: int) -> _FakeTensor:
        made.append(_FakeTensor(tuple(shape), 0x9000))
        return made[-1]
    torch.empty = empty  # type: ignore[attr-defined]
    torch._C = types.SimpleNamespace(_cuda_getCurrentRawStream=lambda d: 77)  # type: ignore
    monkeypatch.setitem(sys.modules, "torch", torch)
    calls: list[Any] = []
    monkeypatch.setattr(fake_kernel, "_begin", lambda device, stream: calls.append(stream))
    monkeypatch.setattr(fake_kernel, "_end", lambda sync: None)
    monkeypatch.setattr(fake_kernel, "_entry", lambda packed: calls.append(packed) or 0)
    fast = fake_kernel._fast
    for _ in range(2):  # the first call checks fully, the second replays the shape key
        out = fake_kernel(_FakeTensor((5,)))
        assert out is made[-1] and out.shape == (5,)
        assert struct.unpack("=4q", calls[-1]) == (0x1000, 5, 0x9000, 5) and calls[-2] == 77
    assert len(fast.shapes) == 1
    with pytest.raises(dsl.ShapeError):
        fake_kernel(_FakeTensor((2, 3)))
    # non-contiguous: the general path (it makes a contiguous copy through torch)
    assert fast((_FakeTensor((5,), contiguous=False),)) is fast_miss()


def fast_miss() -> Any:
    from dsl._runtime.cuda_fast import MISS
    return MISS
