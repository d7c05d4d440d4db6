"""Run-time GPU tests: skipped unless torch or cupy sees a CUDA device.

Every test that uses the `gpu_mode` fixture runs once per array kind ("torch", "cupy",
"numpy"); it redirects each `@dsl.kernel` call made with numpy arrays to the kernel's CUDA
specialisation, the arrays converted to that kind (same strides pattern), the writes copied
back into the numpy arguments, the results converted to numpy. So the compiler's own
differential, control-flow and effect tests are reused unchanged (`test_gpu_suite.py`).

The GPU machine may have no MLIR: compile the kernels beforehand on a machine with it,
    SHAPEKIT_GPU_PRECOMPILE=1 SHAPEKIT_CACHE_DIR=.device/gpu-cache pytest tests/gpu
(every kernel call of the tests that use `gpu_mode` compiles its CUDA specialisation into
the cache and then runs on the CPU; modules marked `precompile` compile theirs directly;
other tests are skipped), then run the tests where the GPU is with the same SHAPEKIT_CACHE_DIR.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT / "tests" / "gpu", ROOT / "tests" / "compiler", ROOT / "examples"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

PRECOMPILE = os.environ.get("SHAPEKIT_GPU_PRECOMPILE", "") not in ("", "0")
if PRECOMPILE:  # the cache travels to the GPU machine: only the PTX of each kernel's IR
    os.environ.setdefault("SHAPEKIT_CUDA_KEEP_IR", "0")
# SHAPEKIT_GPU_MODES=torch (a comma-separated subset) runs only those modes: for chunks
# that each fit in one call on the GPU machine (tools/gpu_session/run_gpu.sh).
MODES = tuple(os.environ.get("SHAPEKIT_GPU_MODES", "torch,cupy,numpy").split(","))


@functools.lru_cache(maxsize=None)
def available(kind: str) -> bool:
    """Whether the array library `kind` is installed and sees a CUDA device."""
    try:
        if kind == "torch":
            torch = importlib.import_module("torch")
            return bool(torch.cuda.is_available())
        if kind == "cupy":
            cupy = importlib.import_module("cupy")
            return bool(cupy.cuda.runtime.getDeviceCount() > 0)
    except Exception:  # noqa: BLE001 - any failure to import or to query means no device
        return False
    return available("torch") or available("cupy")  # "numpy": needs a device all the same


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the folder cleanly without a GPU (in precompile mode: the tests that do not
    use `gpu_mode`)."""
    here = Path(__file__).parent
    if available("numpy"):
        return
    skip = pytest.mark.skip(reason="no CUDA device visible to torch or cupy")
    for item in items:
        if here not in Path(str(item.fspath)).parents:
            continue
        if not PRECOMPILE or not _precompiles(item):
            item.add_marker(skip)


def _precompiles(item: pytest.Item) -> bool:
    """Whether precompile mode runs `item`: it uses `gpu_mode`, or its module is marked
    `precompile` (it then compiles its kernels itself instead of calling them)."""
    return ("gpu_mode" in getattr(item, "fixturenames", ())
            or item.get_closest_marker("precompile") is not None)


def pytest_configure(config: pytest.Config) -> None:
    """Register the `precompile` marker."""
    config.addinivalue_line("markers", "precompile: a module that compiles its CUDA kernels "
                            "itself in precompile mode (SHAPEKIT_GPU_PRECOMPILE=1)")


@pytest.fixture(params=("precompile",) if PRECOMPILE else MODES)
def gpu_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Redirect kernel calls to the GPU with arrays of kind `request.param`."""
    import gpu_redirect
    mode = str(request.param)
    if mode != "precompile" and not available(mode):
        pytest.skip(f"{mode} with a CUDA device is not available")
    with gpu_redirect.redirect(mode):
        yield mode

