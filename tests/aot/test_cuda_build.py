"""`python -m dsl build --target cuda` without a GPU: the libraries build and link, export only
`<lib>_...` symbols, depend on libc only (libcuda is opened at run time), check their
arguments before touching the driver, and report a missing driver.

With the fake driver (tests/runtime/fake_cuda: device memory is host memory, launches only
log) the host side runs for real: the driver is loaded, modules registered, kernels launched
on the caller's stream, results copied; the GPU code itself is NOT executed, so the values
are not compared with numpy here (tests/gpu/test_gpu_aot.py does that on a GPU).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import dsl
from dsl.__main__ import main
from conftest import EXAMPLES, compile_c

FAKE = pathlib.Path(__file__).parent.parent / "runtime" / "fake_cuda" / "fake_libcuda.c"
NO_DEVICE, SHAPE, NULL, STRIDE = 9, 2, 1, 3


@pytest.fixture(scope="module")
def cudadir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """cu_softmax and cu_layernorm built for cuda, the C caller, and the fake driver in
    fake/libcuda.so.1."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    out = tmp_path_factory.mktemp("aot_cuda")
    for name in ("softmax", "layernorm"):
        assert main(["build", str(EXAMPLES / f"{name}.py"), "--target", "cuda", "--name",
                     f"cu_{name}", "-o", str(out)]) == 0
    compile_c(out, "cuda_caller", ["cu_softmax", "cu_layernorm", "dl"])
    (out / "fake").mkdir()
    subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", str(FAKE), "-o",
                    str(out / "fake" / "libcuda.so.1")], check=True, timeout=120)
    return out


def _caller(folder: pathlib.Path, mode: str, fake: bool) -> tuple[list[str], list[str]]:
    """The caller's output lines and (with the fake driver) the driver's log."""
    log = folder / f"log-{mode}.txt"
    log.unlink(missing_ok=True)
    env = dict(os.environ, FAKE_CUDA_LOG=str(log))
    env.pop("LD_LIBRARY_PATH", None)
    if fake:
        env["LD_LIBRARY_PATH"] = str(folder / "fake")
    done = subprocess.run([str(folder / "cuda_caller"), mode], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode in (0, 2), done.stderr
    return done.stdout.splitlines(), log.read_text().splitlines() if log.exists() else []


def _has_real_driver() -> bool:
    import ctypes
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    return True


def test_exports_and_dependencies(cudadir: pathlib.Path) -> None:
    for name in ("cu_softmax", "cu_layernorm"):
        lib = cudadir / f"lib{name}.so"
        nm = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True,
                            text=True, check=True).stdout
        symbols = [line.split()[-1] for line in nm.splitlines() if line.strip()]
        assert f"{name}_{name[3:]}" in symbols and f"{name}_set_device" in symbols
        assert all(s.startswith(f"{name}_") for s in symbols), symbols
        needed = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True,
                                check=True).stdout
        assert "libcuda" not in needed
        header = (cudadir / f"{name}.h").read_text()
        assert "void *stream)" in header and "DEVICE pointers" in header


@pytest.mark.skipif(_has_real_driver(), reason="a CUDA driver is installed")
def test_checks_then_no_driver(cudadir: pathlib.Path) -> None:
    lines, _ = _caller(cudadir, "checks", fake=False)
    codes = {line.split()[0]: (int(line.split()[1]), line) for line in lines}
    assert codes["sizes"][0] == SHAPE and "dim 1 (N) is 4, but N = 3" in codes["sizes"][1]
    assert codes["null"][0] == NULL and "the data pointer is NULL" in codes["null"][1]
    assert codes["strides"][0] == STRIDE and "not C-contiguous" in codes["strides"][1]
    for call in ("call", "call2"):
        assert codes[call][0] == NO_DEVICE
        assert "DeviceError: cannot load the CUDA driver library libcuda.so.1" in codes[call][1]


def test_fake_driver_runs_the_host_side(cudadir: pathlib.Path) -> None:
    lines, log = _caller(cudadir, "checks", fake=True)
    assert [line.split()[:2] for line in lines] == [
        ["sizes", str(SHAPE)], ["null", str(NULL)], ["strides", str(STRIDE)], ["call", "0"],
        ["call2", "0"]]
    launches = [line for line in log if line.startswith("launch")]
    assert launches and any("stream=0x5eed" in line for line in launches)
    assert any(line.startswith("sync 0x5eed") for line in log)  # the entry waits for it
    # both libraries registered their modules with their own copy of the shim
    assert sum(line.startswith("load ") for line in log) >= 2


def test_fake_driver_device_buffers(cudadir: pathlib.Path) -> None:
    lines, log = _caller(cudadir, "gpu", fake=True)
    assert [line.split()[:2] for line in lines] == [["softmax", "0"], ["layernorm", "0"]]
    assert any(line.startswith("launch") for line in log)


def test_load_library_without_driver(cudadir: pathlib.Path) -> None:
    script = (
        "import numpy as np, dsl, sys\n"
        f"lib = dsl.load_library({str(cudadir / 'libcu_softmax.so')!r})\n"
        "assert lib.target == 'cuda' and 'lowering' not in sys.modules\n"
        "for bad in (np.ones(3, np.float32), np.ones((2, 3), np.int32)):\n"
        "    try: lib.softmax(bad)\n"
        "    except (dsl.ShapeError, dsl.DTypeError) as e: print(type(e).__name__)\n"
        "try: lib.softmax(np.ones((2, 3), np.float32))\n"
        "except dsl.DeviceError as e: print('DeviceError', e)\n")
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["ShapeError", "DTypeError"]
    if not _has_real_driver():
        assert lines[2].startswith("DeviceError kernel 'softmax': cannot load the CUDA driver")


def test_load_library_fake_driver_numpy(cudadir: pathlib.Path) -> None:
    """numpy arrays go through device buffers (host memory here); the fake runs no GPU code,
    so only the shape of the result is checked."""
    script = (
        "import numpy as np, dsl\n"
        f"lib = dsl.load_library({str(cudadir / 'libcu_layernorm.so')!r})\n"
        "y = lib.layernorm(np.ones((4, 5), np.float32), np.ones(5, np.float32),"
        " np.zeros(5, np.float32))\n"
        "print(type(y).__name__, y.shape, y.dtype)\n")
    env = dict(os.environ, LD_LIBRARY_PATH=str(cudadir / "fake"),
               FAKE_CUDA_LOG=str(cudadir / "log-py.txt"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ndarray", "(4,", "5)", "float32"]


def test_bad_chip_is_a_clear_error(tmp_path: pathlib.Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(EXAMPLES / "softmax.py"), "--target", "cuda", "--chip",
                 "sm_12", "-o", str(tmp_path)]) == 1
    assert "--chip: unsupported CUDA chip 'sm_12'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
    assert np is not None and dsl is not None
