"""Ahead-of-time cuda libraries on a GPU: the C caller and `dsl.load_library`, against numpy.

The libraries are built into `<cache dir>/aot-cuda` (`dsl._runtime.cache.default_cache_dir`):
in precompile mode (SHAPEKIT_GPU_PRECOMPILE=1, see conftest.py) on a machine with MLIR, the
build and the C caller's compilation happen there and the tests skip; on the GPU machine the
pre-built files are only loaded and run (built there only when they are missing and the
compiler is importable).
"""

from __future__ import annotations

import importlib
import os
import pathlib
import shutil
import subprocess
from typing import Any

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBS = {"cu_softmax": "softmax", "cu_layernorm": "layernorm"}
X = np.array([[1, 2, 3], [4, 5, 7]], np.float32)


def _folder() -> pathlib.Path:
    from dsl._runtime.cache import default_cache_dir
    return default_cache_dir() / "aot-cuda"


def _build(folder: pathlib.Path) -> None:
    from dsl.__main__ import main
    folder.mkdir(parents=True, exist_ok=True)
    for lib, example in LIBS.items():
        assert main(["build", str(ROOT / "examples" / f"{example}.py"), "--target", "cuda",
                     "--name", lib, "-o", str(folder)]) == 0
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is not None:
        subprocess.run([cc, "-std=c11", f"-I{folder}", "-o", str(folder / "cuda_caller"),
                        str(ROOT / "tests" / "aot" / "cuda_caller.c"), f"-L{folder}",
                        "-lcu_softmax", "-lcu_layernorm", "-ldl", "-Wl,-rpath,$ORIGIN"],
                       check=True, timeout=120)


@pytest.fixture
def aot_dir(gpu_mode: str) -> pathlib.Path:
    """The folder with the cuda libraries (and the C caller where a compiler was)."""
    folder = _folder()
    if gpu_mode == "precompile":
        _build(folder)
        pytest.skip("precompile mode: the cuda libraries are built")
    if not all((folder / f"lib{lib}.so").exists() for lib in LIBS):
        try:
            importlib.import_module("lowering.pipeline")
        except ImportError:
            pytest.skip(f"no pre-built cuda libraries in {folder} and no compiler here")
        _build(folder)
    return folder


def _softmax(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _layernorm(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5)  # type: ignore[no-any-return]


def test_c_program_on_the_gpu(aot_dir: pathlib.Path, gpu_mode: str) -> None:
    if gpu_mode != "numpy":
        pytest.skip("runs in the numpy mode")
    exe = aot_dir / "cuda_caller"
    if not exe.exists():
        pytest.skip("the C caller was not compiled (no C compiler)")
    done = subprocess.run([str(exe), "gpu"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    got = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()}
    assert got["softmax"][0] == "0" and got["layernorm"][0] == "0", done.stdout
    for name, want in (("softmax", _softmax(X)), ("layernorm", _layernorm(X))):
        values = np.array([float(v) for v in got[name][1:]], np.float32).reshape(2, 3)
        np.testing.assert_allclose(values, want, rtol=1e-4, atol=1e-4)
    done = subprocess.run([str(exe), "checks"], capture_output=True, text=True, timeout=120)
    codes = [line.split()[:2] for line in done.stdout.splitlines()]
    assert codes[:3] == [["sizes", "2"], ["null", "1"], ["strides", "3"]]


def test_load_library_on_the_gpu(aot_dir: pathlib.Path, gpu_mode: str) -> None:
    import dsl
    softmax = dsl.load_library(aot_dir / "libcu_softmax.so")
    layernorm = dsl.load_library(aot_dir / "libcu_layernorm.so")
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    args: tuple[Any, ...] = (X,)
    if gpu_mode == "numpy":
        convert: Any = np.asarray
        back: Any = np.asarray
    elif gpu_mode == "torch":
        torch = importlib.import_module("torch")
        convert = lambda a: torch.from_numpy(a).cuda()  # noqa: E731
        back = lambda t: t.cpu().numpy()  # noqa: E731
    else:
        cupy = importlib.import_module("cupy")
        convert, back = cupy.asarray, cupy.asnumpy
    args = tuple(convert(a) for a in args)
    np.testing.assert_allclose(back(softmax.softmax(*args)), _softmax(X), rtol=1e-4,
                               atol=1e-5)
    y = layernorm.layernorm(convert(X), convert(gamma), convert(beta))
    np.testing.assert_allclose(back(y), _layernorm(X), rtol=1e-4, atol=1e-4)
    with pytest.raises(dsl.ShapeError):
        layernorm.layernorm(convert(X), convert(np.ones(4, np.float32)), convert(beta))
