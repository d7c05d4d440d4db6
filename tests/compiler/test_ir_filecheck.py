"""FileCheck tests of the key lowerings, on `kernel.compile(...).ir[stage]` (the pinned
`filecheck` Python port, run as the `filecheck` command of this environment)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pytest


import cfk_ir as K

from filecheck_run import filecheck  # noqa: E402
X = np.ones(8, np.float32)
X2 = np.ones((2, 3), np.float32)


def ir_of(kernel: Any, *args: Any) -> dict[str, str]:
    texts: dict[str, str] = kernel.compile(*args).ir
    return texts


def impl(text: str) -> str:
    """Just the kernel's implementation function (not the ABI glue)."""
    start = text.index("__impl(")
    start = text.rindex("func.func", 0, start)
    end = text.index("\n  }", start)  # the function's closing brace (maybe with a loc)
    end = text.index("\n", end + 1)
    return text[start:end]


def test_elementwise_chain_is_one_generic(tmp_path: Path) -> None:
    text = impl(ir_of(K.chain, X, X)["fused"])
    filecheck(text, """
// CHECK: func.func private @{{.*}}__impl
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.fma
// CHECK: arith.subf
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
""", tmp_path)
    assert ir_of(K.chain, X, X)["mlir"].count("linalg.generic") > 1  # there was a chain


def test_reduction_iterator(tmp_path: Path) -> None:
    filecheck(impl(ir_of(K.row_sum, X2)["fused"]), """
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf %in, %out
""", tmp_path)


def test_for_with_runtime_bounds_is_scf_for(tmp_path: Path) -> None:
    filecheck(impl(ir_of(K.loop, X, 3)["mlir"]), """
// CHECK: func.func private @{{.*}}__impl(%[[X:[a-z0-9_]+]]: memref<?xf32>{{.*}}, %[[N:[a-z0-9_]+]]: i64
// CHECK: %[[STOP:.*]] = arith.index_cast %[[N]] : i64 to index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[STOP]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<?xf32>)
// CHECK: linalg.generic
// CHECK: scf.yield %{{.*}} : tensor<?xf32>
""", tmp_path)


def test_break_is_scf_while(tmp_path: Path) -> None:
    filecheck(impl(ir_of(K.breaks, X)["mlir"]), """
// CHECK-NOT: scf.for
// CHECK: scf.while
// CHECK: scf.condition
// CHECK: } do {
// CHECK: scf.if
// CHECK: scf.yield
""", tmp_path)


def test_if_is_scf_if(tmp_path: Path) -> None:
    filecheck(impl(ir_of(K.branch, X, 1.0)["mlir"]), """
// CHECK: %[[C:.*]] = arith.cmpf ogt
// CHECK: scf.if %[[C]] -> (tensor<?xf32>) {
// CHECK: arith.addf
// CHECK: scf.yield %{{.*}} : tensor<?xf32>
// CHECK: } else {
// CHECK: arith.subf
// CHECK: scf.yield %{{.*}} : tensor<?xf32>
""", tmp_path)


def test_index_assignment(tmp_path: Path) -> None:
    filecheck(impl(ir_of(K.writes, X2, X2[0], 1)["mlir"]), """
// CHECK: %[[X:.*]] = bufferization.to_tensor %arg0 restrict writable
// CHECK: %[[S:.*]] = tensor.insert_slice %{{.*}} into %[[X]][%{{.*}}, %{{.*}}] [1, %{{.*}}] [1, 1] : tensor<?xf32> into tensor<?x?xf32>
// CHECK: tensor.insert %{{.*}} into %[[S]][%{{.*}}, %{{.*}}] : tensor<?x?xf32>
// CHECK: bufferization.materialize_in_destination {{.*}} in restrict writable %arg0
""", tmp_path)


def test_mlir_has_python_locations(tmp_path: Path) -> None:
    fn = K.branch.fn
    file = inspect.getsourcefile(fn)
    lines, first = inspect.getsourcelines(fn)
    add_line = first + next(i for i, t in enumerate(lines) if "y = x + t" in t)
    def_line = first + next(i for i, t in enumerate(lines) if t.startswith("def "))
    text = ir_of(K.branch, X, 1.0)["mlir"]  # `.ir["mlir"]` is printed with locations
    filecheck(text, f"""
// CHECK-DAG: loc("{file}":{def_line}:1)
// CHECK-DAG: loc("{file}":{add_line}:13)
// CHECK-DAG: loc("{file}":{add_line - 1}:8)
""", tmp_path)


def test_exp_f32_is_inline_and_vectorized(tmp_path: Path) -> None:
    text = ir_of(K.exp_only, np.ones(64, np.float32))["llvm-opt"]
    filecheck(text, """
// CHECK-NOT: expf
// CHECK: fmul {{.*}}<{{8|16}} x float>
// CHECK-NOT: expf
""", tmp_path)
    assert "expf" not in text and "@exp" not in text
    assert "<16 x float>" in text or "<8 x float>" in text


@pytest.mark.parametrize("stage", ["mlir", "fused", "bufferized", "loops", "llvm-dialect",
                                   "llvm", "llvm-opt"])
def test_every_stage_has_text(stage: str) -> None:
    assert ir_of(K.chain, X, X)[stage].strip()
