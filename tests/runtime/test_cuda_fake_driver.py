"""The CUDA shim and the Python call path against a stand-in driver (fake_cuda/, "device"
memory is host memory, launches only log): lazy module loading cached per context, the
call's stream, copies to the host waiting for the stream, stream-ordered allocation, driver
errors as DeviceError, no-device messages, numpy arguments copied in and out."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from dsl._runtime.abi import KernelABI, ParamSpec, ResultSpec
from dsl._runtime.cuda_shim import compile_flags, shim_source_path

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
HERE = pathlib.Path(__file__).parent

# The host code of a kernel "out = copy of x; x += 1" as the compiler would emit it: a module
# registered by a constructor, a temporary, copies, one launch (grid 13 makes it fail). The
# fake driver's device memory is host memory, so the host code plays the GPU's part: it
# increments x in place.
_ENTRY = r"""
#include <stdint.h>
#include <stddef.h>
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *);
void mgpuStreamSynchronize(void *);
void *mgpuMemAlloc(uint64_t, void *, _Bool);
void mgpuMemFree(void *, void *);
void mgpuMemcpy(void *, void *, size_t, void *);
void *mgpuModuleLoad(void *, size_t);
void *mgpuModuleGetFunction(void *, const char *);
void mgpuLaunchKernel(void *, intptr_t, intptr_t, intptr_t, intptr_t, intptr_t, intptr_t,
                      int32_t, void *, void **, void **, size_t);
static const char blob[] = "cubin-blob";
static void *module;
__attribute__((constructor)) static void load(void) {
  module = mgpuModuleLoad((void *)blob, sizeof blob);
}
__attribute__((visibility("default"))) void *sk_fake_hooks[4];
__attribute__((visibility("default"))) int32_t sk_fake(int64_t *slots) {
  void *s = mgpuStreamCreate();
  int64_t n = slots[1];
  void *tmp = mgpuMemAlloc((uint64_t)n * 4, s, 0);
  float first = -1;
  mgpuMemcpy(tmp, (void *)(intptr_t)slots[0], (size_t)n * 4, s);
  if (n > 0)
    mgpuMemcpy(&first, tmp, 4, s);
  void *params[1] = {&tmp};
  mgpuLaunchKernel(mgpuModuleGetFunction(module, "k0"), n == 13 ? 13 : n > 0, 1, 1, 128, 1, 1,
                   0, s, params, NULL, 1);
  mgpuMemcpy((void *)(intptr_t)slots[2], tmp, (size_t)n * 4, s);
  for (int64_t i = 0; i < n; i++)
    ((float *)(intptr_t)slots[0])[i] += 1.0f;
  mgpuMemFree(tmp, s);
  mgpuStreamSynchronize(s);
  mgpuStreamDestroy(s);
  return first == 99.0f ? 1 : 0;
}
"""

_ABI = KernelABI("fake", "sk_fake", (ParamSpec("x", "tensor", "float32", 1, "N", True),),
                 (ResultSpec("tensor", "float32", ("N",)),))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("fake_driver")
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1",
                    str(HERE / "fake_cuda" / "fake_libcuda.c"), "-o",
                    str(out / "libcuda.so.1")], check=True)
    (out / "entry.c").write_text(_ENTRY)
    subprocess.run(["cc", "-c", "-fPIC", "-fvisibility=hidden", str(out / "entry.c"), "-o",
                    str(out / "entry.o")], check=True)
    subprocess.run(["cc", "-c", *compile_flags("sk_fake"), str(shim_source_path()), "-o",
                    str(out / "shim.o")], check=True)
    subprocess.run(["cc", "-shared", str(out / "entry.o"), str(out / "shim.o"), "-o",
                    str(out / "kernel.so")], check=True)
    (out / "abi.json").write_text(_ABI.to_json())
    return out


def _run(folder: pathlib.Path, body: str, devices: int = 1) -> tuple[list[Any], list[str]]:
    """Run `body` in a fresh process that sees the fake driver; its JSON lines and the
    driver's log."""
    log = folder / f"log-{os.getpid()}-{devices}.txt"
    log.unlink(missing_ok=True)
    script = textwrap.dedent("""
        import json, pathlib
        import numpy as np
        import dsl
        from dsl._runtime.abi import KernelABI
        from dsl._runtime.cuda_call import load_cuda_kernel
        folder = pathlib.Path({folder!r})
        k = load_cuda_kernel(folder / "kernel.so",
                             KernelABI.from_json((folder / "abi.json").read_text()))
        def out(value):
            print(json.dumps(value), flush=True)
        """).format(folder=str(folder)) + textwrap.dedent(body)
    env = dict(os.environ, LD_LIBRARY_PATH=str(folder), FAKE_CUDA_LOG=str(log),
               FAKE_CUDA_DEVICES=str(devices))
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return lines, log.read_text().splitlines() if log.exists() else []


def test_numpy_call_round_trip_and_module_cache(built: pathlib.Path) -> None:
    lines, log = _run(built, """
        x = np.arange(5, dtype=np.float32)
        out(k(x).tolist())
        out(x.tolist())  # written in place: copied back
        out(k(x * 2).tolist())
        out(k(np.zeros(0, np.float32)).tolist())
        from dsl._runtime.cuda_driver import chip_for_device
        out(chip_for_device(0))
        """)
    assert lines == [[0.0, 1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0, 5.0],
                     [2.0, 4.0, 6.0, 8.0, 10.0], [], "sm_90a"]
    assert sum(line.startswith("load 63756269") for line in log) == 1  # lazily, once
    assert sum(line == "getfunction k0" for line in log) == 1  # cached per module
    assert "poolattr 4 max" in log
    launches = [line for line in log if line.startswith("launch")]
    assert launches == ["launch grid=1 block=128 smem=0 stream=(nil)"] * 2  # n=0: an empty grid, skipped
    # the copy into host memory waits for the stream; the copies between buffers do not
    i = log.index("memcpy host<-dev 4 stream=(nil)")
    assert log[i + 1] == "sync (nil)"
    assert "memcpy dev<-dev 20 stream=(nil)" in log and log[log.index(
        "memcpy dev<-dev 20 stream=(nil)") + 1] != "sync (nil)"
    assert any(line.startswith("allocasync 20") for line in log)


def test_driver_errors_are_device_errors(built: pathlib.Path) -> None:
    lines, log = _run(built, """
        for n in (13, 3):
            try:
                out(k(np.ones(n, np.float32)).tolist())
            except dsl.DeviceError as e:
                out(str(e))
        """)
    assert lines[0].startswith("kernel 'fake': cuLaunchKernel failed: "
                               "CUDA_ERROR_LAUNCH_FAILED (719)")
    assert lines[1] == [1.0, 1.0, 1.0]  # the next call works again


def test_no_device(built: pathlib.Path) -> None:
    lines, _ = _run(built, """
        for _ in range(2):
            try:
                k(np.ones(3, np.float32))
            except dsl.DeviceError as e:
                out(str(e))
        """, devices=0)
    assert lines == ["kernel 'fake': no CUDA device is visible (0 of 0)"] * 2


# A stand-in for cupy: arrays are numpy arrays (the fake driver's "device" memory is host
# memory too) exposed through __cuda_array_interface__.
_FAKE_CUPY = """
import contextlib, sys, types
import numpy as np
cupy = types.ModuleType("cupy")
class ndarray:
    def __init__(self, a):
        self.a = a
        self.device = types.SimpleNamespace(id=0)
    @property
    def __cuda_array_interface__(self):
        i = self.a.__array_interface__
        return {"shape": self.a.shape, "typestr": i["typestr"], "strides": i["strides"],
                "data": i["data"], "version": 3}
    @property
    def dtype(self):
        return self.a.dtype
    @property
    def ndim(self):
        return self.a.ndim
ndarray.__module__ = "cupy"
cupy.ndarray = ndarray
cupy.empty = lambda shape, dtype: ndarray(np.empty(shape, dtype))
cupy.ascontiguousarray = lambda x: ndarray(np.ascontiguousarray(x.a))
def copyto(dst, src):
    dst.a[...] = src.a
cupy.copyto = copyto
cupy.cuda = types.SimpleNamespace(
    Device=lambda i: contextlib.nullcontext(),
    get_current_stream=lambda: types.SimpleNamespace(ptr=0x77))
sys.modules["cupy"] = cupy
"""


def test_cupy_like_arrays_in_place_and_strided(built: pathlib.Path) -> None:
    lines, log = _run(built, _FAKE_CUPY + textwrap.dedent("""
        x = cupy.ndarray(np.arange(4, dtype=np.float32))
        r = k(x)
        out([type(r).__name__, r.a.tolist(), x.a.tolist()])
        base = np.zeros(8, np.float32)
        view = cupy.ndarray(base[::2])  # strided: a contiguous copy, written back
        r = k(view)
        out([r.a.tolist(), base.tolist()])
        try:
            k(x, 1)
        except TypeError as e:
            out("TypeError")
        try:
            k(cupy.ndarray(np.zeros((2, 2), np.float32)))
        except dsl.ShapeError as e:
            out("ShapeError")
        """))
    assert lines == [["ndarray", [0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]],
                     [[0.0] * 4, [1.0, 0.0] * 4], "TypeError", "ShapeError"]
    assert any("stream=0x77" in line for line in log if line.startswith("launch"))


def test_gpu_array_without_library_for_results(built: pathlib.Path) -> None:
    # A bare __cuda_array_interface__ object: used in place, but results cannot be made.
    lines, log = _run(built, """
        from dsl._runtime.cuda_driver import DeviceBuffer
        k._begin(0, 0); k._end(False)
        buf = DeviceBuffer(12)
        class Arr:
            def __init__(self):
                self.__cuda_array_interface__ = {"shape": (3,), "typestr": "<f4",
                    "strides": None, "data": (buf.pointer, False), "version": 3}
        try:
            k(Arr())
        except TypeError as e:
            out(str(e))
        """)
    assert lines == ["kernel results cannot be allocated like a Arr: pass torch tensors or "
                     "cupy arrays"]


# --- a kernel compiled by the real pipeline, its host code run against the fake driver -----
def test_compiled_kernel_host_code(built: pathlib.Path) -> None:
    try:
        from lowering.pipeline import compile_kernel_cuda  # noqa: F401
    except ImportError:
        pytest.skip("the CUDA pipeline is not available")
    import numpy as np
    sys.path.insert(0, str(HERE.parent / "gpu"))
    from test_gpu_runtime import tiny
    compiled = tiny.compile(np.zeros(4, np.float32), target="cuda")
    loaded = compiled._loaded
    folder = built / "real"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(loaded.so_path, folder / "kernel.so")
    (folder / "abi.json").write_text(loaded.abi.to_json())
    shutil.copyfile(built / "libcuda.so.1", folder / "libcuda.so.1")
    lines, log = _run(folder, """
        for n in (1000, 0, 1000):
            r = k(np.ones(n, np.float32))
            out([r.shape[0], str(r.dtype)])
        """)
    assert lines == [[1000, "float32"], [0, "float32"], [1000, "float32"]]
    assert sum(line.startswith("load ") for line in log) == 1
    launches = [line for line in log if line.startswith("launch")]
    assert launches and all(line.endswith("stream=(nil)") for line in launches)
    assert log[-1].startswith(("sync", "dtoh", "free"))
