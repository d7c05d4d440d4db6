"""FileCheck tests of results written in place on the CUDA path ("gpu" stage): softmax and
layernorm store their result from the launch that computes it into the caller's buffer
(`lowering.emit.inplace`), and no launch copies a temporary into it."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import gpu_cases  # noqa: F401  (puts tests/compiler on sys.path)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from layernorm import layernorm  # noqa: E402
from softmax import softmax  # noqa: E402

from filecheck_run import filecheck  # noqa: E402
KERNELS: dict[str, Any] = {"softmax": softmax, "layernorm": layernorm}

IN_PLACE = """
// CHECK: func.func private @{{.*}}__impl({{.*}}%[[OUT:arg[0-9]+]]: memref<?x?xf32>) -> i32
// CHECK: %[[D:[0-9]+]] = scf.if %{{.*}} -> (memref<?x?xf32>) {
// CHECK-NEXT: scf.yield %[[OUT]] : memref<?x?xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: gpu.alloc
// CHECK: gpu.launch
// CHECK: memref.store %{{.*}}, %[[D]][%{{.*}}, %{{.*}}] : memref<?x?xf32>
// CHECK: gpu.terminator
"""


@functools.cache
def gpu_stage(name: str) -> str:
    from lowering.pipeline import compile_kernel_cuda
    kernel = KERNELS[name]
    specs = gpu_cases.specs(kernel, gpu_cases.F32)
    assert specs is not None
    text: str = compile_kernel_cuda(kernel.fn, specs, f"sk_{name}").ir["gpu"]
    start = text.rindex("func.func", 0, text.index("__impl("))
    return text[start:text.index("\n  }", start)]


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_result_stored_in_the_callers_buffer(name: str, tmp_path: Path) -> None:
    text = gpu_stage(name)
    filecheck(text, IN_PLACE, tmp_path)
    m = re.search(r"(%arg\d+): memref<\?x\?xf32>\) -> i32", text)
    assert m is not None
    out = re.compile(re.escape(m.group(1)) + r"\b")
    # the slot is only measured and chosen as the destination: no launch copies into it
    uses = [line.strip() for line in text.splitlines()[1:] if out.search(line)]
    assert uses and all(u.startswith("%dim") or u.startswith("scf.yield") for u in uses), uses
