"""The compiled-kernel caches as a user meets them: in memory, on disk across processes, a
corrupt entry rebuilt, and a cache hit that never imports the compiler (MLIR)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

HERE = pathlib.Path(__file__).parent

_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    sys.path.insert(0, {here!r})
    from cache_kernels import scale_add
    x = np.arange(5, dtype=np.float32)
    out = scale_add(x, x)
    assert np.array_equal(out, x * 3), out
    print("mlir imported:", "mlir" in sys.modules)
""")


def _run(cache: pathlib.Path) -> str:
    env = dict(os.environ, SHAPEKIT_CACHE_DIR=str(cache))
    env.pop("SHAPEKIT_NO_DISK_CACHE", None)
    done = subprocess.run([sys.executable, "-c", _SCRIPT.format(here=str(HERE))], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_second_process_loads_from_disk_without_mlir(tmp_path: pathlib.Path) -> None:
    assert "mlir imported: True" in _run(tmp_path)
    assert "mlir imported: False" in _run(tmp_path)


def test_corrupt_entry_is_rebuilt(tmp_path: pathlib.Path) -> None:
    _run(tmp_path)
    sos = list(tmp_path.rglob("*.so"))
    assert sos
    for so in sos:
        so.write_bytes(so.read_bytes()[:100])  # truncated: would crash if loaded
    assert "mlir imported: True" in _run(tmp_path)   # rebuilt, not loaded
    assert "mlir imported: False" in _run(tmp_path)


def test_two_processes_at_once(tmp_path: pathlib.Path) -> None:
    env = dict(os.environ, SHAPEKIT_CACHE_DIR=str(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", _SCRIPT.format(here=str(HERE))], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert "mlir imported: False" in _run(tmp_path)


def test_compile_returns_ir_for_every_stage() -> None:
    from cache_kernels import scale_add
    x = np.ones(3, np.float32)
    compiled = scale_add.compile(x, x)
    for stage in ("mlir", "fused", "bufferized", "loops", "llvm-dialect", "llvm", "llvm-opt"):
        assert compiled.ir[stage].strip(), stage
    assert "linalg.generic" in compiled.ir["mlir"]
    assert "define" in compiled.ir["llvm"]
    assert np.array_equal(compiled(x, x), x * 3)


def test_cuda_target_is_a_separate_specialisation() -> None:
    from cache_kernels import scale_add
    x = np.ones(3, np.float32)
    cuda = scale_add.compile(x, x, target="cuda")
    assert cuda.target == "cuda" and cuda is not scale_add.compile(x, x)


def test_one_compilation_per_dtype_and_rank_signature() -> None:
    from cache_kernels import scale_add
    a = scale_add.compile(np.ones(3, np.float32), np.ones(3, np.float32))
    b = scale_add.compile(np.ones(7, np.float32), np.ones(7, np.float32))
    assert a is b  # sizes are run-time values: one specialisation
