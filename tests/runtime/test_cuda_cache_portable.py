"""CUDA cache entries travel: a kernel compiled for CUDA in one copy of the project is found
by a copy at another absolute path that cannot compile (the GPU machine has no MLIR), through
the same SHAPEKIT_CACHE_DIR. This is what tools/gpu_session relies on (the cache key holds no
absolute path; nor the Python or numpy version, which a test here cannot vary)."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(importlib.util.find_spec("mlir") is None,
                                reason="compiling needs the MLIR bindings")

KERNEL = textwrap.dedent('''
    from dsl import Float32, Tensor, kernel

    @kernel
    def scale(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
        return x * 2.0
''')

# Run in a copy: compile for CUDA, or (BLOCK set) make the compiler unimportable first.
SCRIPT = textwrap.dedent('''
    import os, sys
    if os.environ.get("BLOCK"):
        sys.modules["lowering.pipeline"] = None  # importing it now raises ImportError
    import numpy as np
    import dsl, portable_kernel
    compiled = portable_kernel.scale.compile(np.zeros(4, np.float32), target="cuda")
    print(dsl.__file__)
    print(compiled.abi.symbol)
''')


def _copy(dest: pathlib.Path) -> pathlib.Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("dsl", "lowering", "typecheck"):
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    (dest / "portable_kernel.py").write_text(KERNEL)
    return dest


def _run(copy: pathlib.Path, cache: pathlib.Path, block: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHAPEKIT_")}
    env.update(SHAPEKIT_CACHE_DIR=str(cache), PYTHONPATH=str(copy), SHAPEKIT_CUDA_KEEP_IR="0")
    if block:
        env["BLOCK"] = "1"
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=copy, env=env, text=True,
                          capture_output=True, timeout=300)


def test_cuda_entry_found_from_another_path_without_the_compiler(tmp_path: pathlib.Path
                                                                 ) -> None:
    cache = tmp_path / "cache"
    first = _copy(tmp_path / "here" / "repo")
    second = _copy(tmp_path / "there" / "elsewhere" / "checkout")
    built = _run(first, cache, block=False)
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines()[0].startswith(str(first))
    found = _run(second, cache, block=True)
    assert found.returncode == 0, found.stderr  # a miss: DeviceError "no precompiled ..."
    assert found.stdout.splitlines()[0].startswith(str(second))
    assert found.stdout.splitlines()[1] == built.stdout.splitlines()[1]


def test_without_the_entry_the_copy_says_what_to_do(tmp_path: pathlib.Path) -> None:
    second = _copy(tmp_path / "there")
    missing = _run(second, tmp_path / "empty-cache", block=True)
    assert missing.returncode != 0
    assert "no precompiled CUDA specialisation" in missing.stderr
