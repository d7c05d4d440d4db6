"""The cooperative reduction and tiled matmul rewrites (`lowering.gpu.reduce`,
`lowering.gpu.matmul`) on the bufferized IR of real kernels: the rewritten module survives
`gpu-kernel-outlining`, `convert-gpu-to-nvvm` and `gpu-module-to-binary{format=isa}`, and
`ptxas -arch=sm_90a` accepts the PTX. (Run-time checks on a GPU: tests/gpu/.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest
from mlir import ir
from mlir.dialects import gpu
from mlir.passmanager import PassManager

from lowering.gpu.matmul import is_matmul, lower_matmul
from lowering.gpu.reduce import lower_reduction

ROOT = Path(__file__).resolve().parents[2]
for _p in (ROOT / "tests" / "compiler", ROOT / "examples"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import diff_kernels_ops as ops  # noqa: E402
from layernorm import layernorm  # noqa: E402
from mlp import mlp_block  # noqa: E402
from softmax import softmax  # noqa: E402

BF16 = np.dtype(ml_dtypes.bfloat16)
DEVICE = ("builtin.module(gpu-kernel-outlining,"
          "nvvm-attach-target{chip=sm_90a features=+ptx80},"
          "gpu.module(expand-strided-metadata,lower-affine,convert-scf-to-cf,"
          "convert-gpu-to-nvvm,canonicalize,cse,reconcile-unrealized-casts),"
          "gpu-module-to-binary{format=isa})")


def _bufferized(kernel: Any, *args: Any) -> str:
    return str(kernel.compile(*args).ir["bufferized"])


def _generics(module: ir.Module) -> list[ir.Operation]:
    found: list[ir.Operation] = []

    def visit(op: ir.Operation) -> ir.WalkResult:
        if op.name == "linalg.generic" and "reduction" in str(op.attributes["iterator_types"]):
            found.append(op)
        return ir.WalkResult.ADVANCE
    module.operation.walk(visit)
    return found


def _rewrite(text: str) -> tuple[ir.Context, ir.Module, dict[str, int]]:
    """Parse `text`, rewrite every reduction generic, count what each rewrite took."""
    ctx = ir.Context()
    module = ir.Module.parse(text, ctx)
    module.operation.attributes["gpu.container_module"] = ir.UnitAttr.get(ctx)
    counts = {"matmul": 0, "reduction": 0}
    for op in _generics(module):
        if is_matmul(op):
            lower_matmul(op)
            counts["matmul"] += 1
        else:
            lower_reduction(op)
            counts["reduction"] += 1
    assert module.operation.verify()
    return ctx, module, counts


def _ptx(module: ir.Module) -> list[str]:
    PassManager.parse(DEVICE, module.context).run(module.operation)
    out: list[str] = []
    for op in module.body.operations:
        if op.operation.name == "gpu.binary":
            for obj in ir.ArrayAttr(op.operation.attributes["objects"]):
                out.append(gpu.ObjectAttr(obj).object.decode())
    return out


def _ptxas(ptx: str) -> None:
    if shutil.which("ptxas") is None:
        pytest.skip("ptxas is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "k.ptx"
        src.write_text(ptx)
        res = subprocess.run(["ptxas", "-arch=sm_90a", str(src), "-o", str(Path(tmp) / "k.o")],
                             capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def _check(kernel: Any, *args: Any) -> tuple[dict[str, int], str]:
    ctx, module, counts = _rewrite(_bufferized(kernel, *args))
    with ctx:
        ptx = _ptx(module)
    assert len(ptx) == counts["matmul"] + counts["reduction"]
    for text in ptx:  # one gpu.module per launch
        assert ".entry" in text
        _ptxas(text)
    return counts, "\n".join(ptx)


def _a(*shape: int, dtype: Any = np.float32) -> np.ndarray:
    return np.ones(shape, dtype)


# (bf16 shares the f16 path: shuffles through f32; i32 the f32 one; bf16 is in test_matmuls)
DTYPES = [np.dtype(np.float32), np.dtype(np.float16), np.dtype(np.float64), np.dtype(np.int8)]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_sum_mean_max_min_argmax(dtype: np.dtype[Any]) -> None:
    counts, ptx = _check(ops.max_min2, _a(3, 4, dtype=dtype))
    assert counts == {"matmul": 0, "reduction": 10}
    assert "shfl.sync.bfly" in ptx and "bar.sync" in ptx
    counts, _ = _check(ops.sum2, _a(3, 4, dtype=dtype))
    assert counts["reduction"] >= 4  # (equal reductions are merged by cse)


@pytest.mark.parametrize("dtype", [np.dtype(np.float32), np.dtype(np.float16)], ids=str)
def test_mean_and_rank3(dtype: np.dtype[Any]) -> None:
    assert _check(ops.mean2, _a(3, 4, dtype=dtype))[0]["reduction"] >= 3
    assert _check(ops.reduce3, _a(2, 3, 4, dtype=dtype))[0]["reduction"] >= 3


def test_bool_reductions() -> None:
    _check(ops.sum2, _a(3, 4, dtype=np.bool_))


def test_examples_softmax_layernorm() -> None:
    assert _check(softmax, _a(4, 8))[0] == {"matmul": 0, "reduction": 2}
    assert _check(layernorm, _a(4, 8), _a(8), _a(8))[0]["reduction"] >= 2


@pytest.mark.parametrize("dtype", [np.dtype(np.float32), BF16, np.dtype(np.int64)], ids=str)
def test_matmuls(dtype: np.dtype[Any]) -> None:
    args = [_a(*s, dtype=dtype) for s in
            [(2, 3), (3, 4), (3,), (2,), (5, 2, 3), (5, 3, 4), (1, 2, 3), (6, 1, 2, 3)]]
    counts, ptx = _check(ops.matmuls, *args)
    # a@b, a3@b3, matmul(a3, b), a1@b3, a4@b3 are tiled; the matrix-vector ones reduce
    assert counts == {"matmul": 5, "reduction": 4}
    assert "bar.sync" in ptx


def test_mlp_example() -> None:
    counts, _ = _check(mlp_block, _a(4, 8), _a(8, 32), _a(32), _a(32, 8), _a(8))
    assert counts["matmul"] == 2


def test_rewrite_refuses_unknown_bodies() -> None:
    text = """
    func.func @f(%x: memref<?xf32>, %o: memref<f32>) {
      linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>],
                      iterator_types = ["reduction"]} ins(%x : memref<?xf32>)
                      outs(%o : memref<f32>) {
      ^bb0(%in: f32, %out: f32):
        %0 = arith.subf %in, %out : f32
        linalg.yield %0 : f32
      }
      return
    }"""
    ctx = ir.Context()
    module = ir.Module.parse(text, ctx)
    op = _generics(module)[0]
    assert not is_matmul(op)
    before = str(module)
    with pytest.raises(NotImplementedError):
        lower_reduction(op)
    assert str(module) == before
