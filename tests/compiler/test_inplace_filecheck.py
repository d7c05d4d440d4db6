"""FileCheck tests of results written in place (`lowering.emit.inplace`): softmax (whose
result comes out of the `scf.if` of its check) and layernorm compute their result in the
caller's buffer, with no final copy into it, on the CPU ("bufferized" stage)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from layernorm import layernorm  # noqa: E402
from softmax import softmax  # noqa: E402

FILECHECK = Path(sys.executable).parent / "filecheck"
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


def filecheck(text: str, checks: str, tmp_path: Path) -> None:
    """Run FileCheck with `checks` (CHECK lines) on `text`; fail with its report."""
    check_file = tmp_path / "checks.txt"
    check_file.write_text(checks)
    proc = subprocess.run([str(FILECHECK), str(check_file)], input=text, text=True,
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr + "\n--- input ---\n" + text[:20000]


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
