"""FileCheck tests of results written in place (`lowering.emit.inplace`): softmax (whose
result comes out of the `scf.if` of its check) and layernorm compute their result in the
caller's buffer, with no final copy into it, on the CPU ("bufferized" stage)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from jaxtyping import Float32

import dsl
from dsl import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from layernorm import layernorm  # noqa: E402
from softmax import softmax  # noqa: E402

from filecheck_run import filecheck  # noqa: E402
X = np.ones((4, 8), np.float32)
G = np.ones(8, np.float32)

# The slot (last argument) is the destination when the shapes agree, a temporary otherwise;
# the last generic writes that choice.
IN_PLACE = """
// CHECK: func.func private @{{.*}}__impl({{.*}}, %[[OUT:[a-z0-9_]+]]: memref<?x?xf32>) -> i32
// CHECK: %[[D:[a-z0-9_]+]] = scf.if %{{.*}} -> (memref<?x?xf32>) {
// CHECK-NEXT: scf.yield %[[OUT]] : memref<?x?xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: memref.alloc
// CHECK: linalg.generic
// CHECK: linalg.generic {{.*}} outs(%[[D]] : memref<?x?xf32>)
"""


def impl(text: str) -> str:
    """Just the kernel's implementation function (not the ABI glue)."""
    start = text.rindex("func.func", 0, text.index("__impl("))
    end = text.index("\n", text.index("\n  }", start) + 1)
    return text[start:end]


def copies_into_slot(text: str) -> list[str]:
    """The lines of `text` (an implementation function) that copy into its result slot."""
    m = re.search(r"__impl\(.*(%arg\d+): memref<[^>]*>\) -> i32", text)
    assert m is not None, text[:2000]
    out = re.escape(m.group(1))
    return [line for line in text.splitlines()
            if re.search(rf"(memref\.copy .*, {out} |linalg\.copy .*outs\({out} )", line)]


@dsl.kernel
def early_return(x: Float32[Tensor, "N"], flag: bool) -> Float32[Tensor, "N"]:
    """Each branch computes the result in an allocation of its own."""
    if flag:
        return x * 2.0
    y = x + 1.0
    return y * y


@dsl.kernel
def returns_input(x: Float32[Tensor, "N"], flag: bool) -> Float32[Tensor, "N"]:
    """One branch returns the input: that path still copies."""
    if flag:
        return x
    return x + 1.0


CASES: list[tuple[Any, tuple[Any, ...]]] = [(softmax, (X,)), (layernorm, (X, G, G))]


@pytest.mark.parametrize("kernel,args", CASES, ids=["softmax", "layernorm"])
def test_result_computed_in_the_callers_buffer(kernel: Any, args: tuple[Any, ...],
                                               tmp_path: Path) -> None:
    texts = kernel.compile(*args).ir
    text = impl(texts["bufferized"])
    filecheck(text, IN_PLACE, tmp_path)
    assert copies_into_slot(text) == []
    before = impl(texts["mlir"])  # the glue did ask for a copy into the slot
    assert "bufferization.materialize_in_destination" in before


def test_in_place_results_are_right() -> None:
    """The slot holds the result (it is not freed, nor left unwritten), call after call."""
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((5, 7)).astype(np.float32)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        np.testing.assert_allclose(softmax(x), e / e.sum(axis=1, keepdims=True), rtol=1e-5)


def test_each_branch_writes_the_slot(tmp_path: Path) -> None:
    x = np.arange(5, dtype=np.float32)
    text = impl(early_return.compile(x, True).ir["bufferized"])
    filecheck(text, """
// CHECK: func.func private @{{.*}}__impl({{.*}}, %[[OUT:[a-z0-9_]+]]: memref<?xf32>) -> i32
// CHECK: scf.if
// CHECK: %[[D1:[a-z0-9_]+]] = scf.if %{{.*}} -> (memref<?xf32>) {
// CHECK-NEXT: scf.yield %[[OUT]] : memref<?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[D1]] : memref<?xf32>)
// CHECK: } else {
// CHECK: %[[D2:[a-z0-9_]+]] = scf.if %{{.*}} -> (memref<?xf32>) {
// CHECK-NEXT: scf.yield %[[OUT]] : memref<?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[D2]] : memref<?xf32>)
""", tmp_path)
    assert copies_into_slot(text) == []
    np.testing.assert_array_equal(early_return(x, True), x * 2)
    np.testing.assert_array_equal(early_return(x, False), (x + 1) ** 2)


def test_returned_input_is_still_copied() -> None:
    x = np.arange(5, dtype=np.float32)
    text = impl(returns_input.compile(x, True).ir["bufferized"])
    assert len(copies_into_slot(text)) == 1
    assert "memref.extract_aligned_pointer_as_index" in text  # the copy is guarded
    np.testing.assert_array_equal(returns_input(x, True), x)
    np.testing.assert_array_equal(returns_input(x, False), x + 1)
