"""The CUDA shim compiles warning-free, exports only its control functions, and without a
CUDA driver reports a clear error instead of crashing (this machine has no libcuda)."""

from __future__ import annotations

import ctypes
import ctypes.util
import pathlib
import shutil
import subprocess

import pytest

from dsl._runtime.cuda_shim import compile_flags, control_names, shim_source_path

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")

# A stand-in for a kernel's host code: calls the mgpu* functions as the generated code does.
_PROGRAM = r"""
#include <stdint.h>
#include <stddef.h>
#include <string.h>
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *);
void mgpuStreamSynchronize(void *);
void *mgpuMemAlloc(uint64_t, void *, _Bool);
void mgpuMemFree(void *, void *);
void mgpuMemcpy(void *, void *, size_t, void *);
void *mgpuModuleLoad(void *, size_t);
void mgpuModuleUnload(void *);
void *mgpuModuleGetFunction(void *, const char *);
void mgpuLaunchKernel(void *, intptr_t, intptr_t, intptr_t, intptr_t, intptr_t, intptr_t,
                      int32_t, void *, void **, void **, size_t);
static const char blob[] = "not a cubin";

__attribute__((visibility("default"))) int32_t test_entry(int64_t *slots) {
  double host[4] = {1, 2, 3, 4};
  void *stream = mgpuStreamCreate();
  void *module = mgpuModuleLoad((void *)blob, sizeof blob);
  void *device = mgpuMemAlloc(32, stream, 0);
  mgpuMemcpy(host, device, 32, stream);
  void *f = mgpuModuleGetFunction(module, "f");
  mgpuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, stream, NULL, NULL, 0);
  mgpuMemFree(device, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
  slots[0] = device == NULL && f == NULL;
  slots[1] = host[0] == 1.0; /* not prepared: no driver call, host memory untouched */
  return 0;
}
"""


@pytest.fixture(scope="module")
def shim_library(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("shim")
    (out / "entry.c").write_text(_PROGRAM)
    subprocess.run(["cc", "-c", "-std=c99", "-Wall", "-Wextra", "-Werror",
                    *compile_flags("test"), str(shim_source_path()),
                    "-o", str(out / "shim.o")], check=True, capture_output=True, text=True)
    subprocess.run(["cc", "-c", "-Wall", "-Werror", "-fPIC", "-fvisibility=hidden",
                    str(out / "entry.c"), "-o", str(out / "entry.o")], check=True)
    so = out / "libtest.so"
    subprocess.run(["cc", "-shared", str(out / "entry.o"), str(out / "shim.o"),
                    "-o", str(so)], check=True)
    return so


def _has_libcuda() -> bool:
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    return True


def test_only_control_functions_are_exported(shim_library: pathlib.Path) -> None:
    if shutil.which("nm") is None:
        pytest.skip("needs nm")
    listing = subprocess.run(["nm", "-D", "--defined-only", str(shim_library)],
                             check=True, capture_output=True, text=True).stdout
    names = {line.split()[-1] for line in listing.splitlines() if " T " in line}
    assert names == {"test_entry", *control_names("test")}


def test_calls_without_prepare_do_nothing_and_report(shim_library: pathlib.Path) -> None:
    lib = ctypes.CDLL(str(shim_library))
    slots = (ctypes.c_int64 * 2)()
    assert lib.test_entry(slots) == 0
    assert list(slots) == [1, 1]
    lib.test_cuda_finish.restype = ctypes.c_int32
    lib.test_cuda_error.restype = ctypes.c_char_p
    assert lib.test_cuda_finish(ctypes.c_int32(1)) == -4
    assert b"prepare" in lib.test_cuda_error()
    assert lib.test_cuda_finish(ctypes.c_int32(1)) == 0  # the error was taken


def test_prepare_without_driver_reports_libcuda(shim_library: pathlib.Path) -> None:
    if _has_libcuda():
        pytest.skip("this machine has a CUDA driver")
    lib = ctypes.CDLL(str(shim_library))
    lib.test_cuda_prepare.restype = ctypes.c_int32
    lib.test_cuda_prepare.argtypes = [ctypes.c_void_p]
    lib.test_cuda_error.restype = ctypes.c_char_p
    lib.test_cuda_finish.restype = ctypes.c_int32
    assert lib.test_cuda_prepare(None) == -1
    message = lib.test_cuda_error().decode()
    assert "libcuda.so.1" in message and "NVIDIA driver" in message
    # The entry after a failed prepare is harmless; finish reports the pending error.
    slots = (ctypes.c_int64 * 2)()
    assert lib.test_entry(slots) == 0 and list(slots) == [1, 1]
    assert lib.test_cuda_finish(ctypes.c_int32(1)) == -1
    assert lib.test_cuda_prepare(None) == -1  # the same answer every time, no crash
