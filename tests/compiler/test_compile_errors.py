"""Unsupported constructs raise `dsl.CompileError` at the offending node's file position:
`file:line:col: error: msg`, the source line and a caret; no compiler internals in the message
and a short traceback. MLIR failures are re-rendered at a Python position too."""

from __future__ import annotations

import ast
import inspect
import traceback
from typing import Any

import numpy as np
import pytest
from mlir import ir

import dsl
from dsl._errors import SourceLoc
from lowering.passes import run_pipeline

import cfk_errors as K

FILE = inspect.getsourcefile(K)
assert FILE is not None
SOURCE = open(FILE).read()
LINES = SOURCE.splitlines()
INTERNAL = ("lowering/", "dsl/_", "typecheck/")

# kernel name -> a fragment of the expected message
CASES = {
    "uses_with": "`with` statements are not supported",
    "uses_try": "`try` statements are not supported",
    "uses_lambda": "Lambda",
    "uses_listcomp": "ListComp",
    "loops_over_list": "only loop over range",
    "for_else": "for ... else",
    "uses_global": "`global`",
    "nested_def": "nested functions",
    "fstring_print": "f-strings",
    "calls_python": "cannot call plain_python",
    "dtype_changes": "different types",
    "tensor_and": "a condition must be a scalar",
    "rank_changes": "changes type",
    "calls_mixed_returns": "returns different types on different paths",
}


def expected_loc(name: str) -> tuple[int, int]:
    """The (line, col) of the node marked `# <- NodeType` in kernel `name` (1-based)."""
    fn = getattr(K, name).fn
    lines, first = inspect.getsourcelines(fn)
    for off, text in enumerate(lines):
        if "# <- " in text:
            kind = text.split("# <- ")[1].strip()
            lineno = first + off
            break
    else:
        raise AssertionError(f"no marker in {name}")
    tree = ast.parse(SOURCE)
    cands = [n for n in ast.walk(tree) if type(n).__name__ == kind and
             getattr(n, "lineno", None) == lineno]
    assert cands, (name, kind, lineno)
    node = min(cands, key=lambda n: n.col_offset)
    return lineno, node.col_offset + 1


def args_for(kernel: Any) -> list[Any]:
    params = list(inspect.signature(kernel.fn).parameters.values())
    out: list[Any] = [np.ones(3, np.float32)]
    for p in params[1:]:
        out.append(1.0 if p.annotation in (float, "float") else 1)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_compile_error(name: str) -> None:
    kernel = getattr(K, name)
    with pytest.raises(dsl.CompileError) as info:
        kernel(*args_for(kernel))
    err = info.value
    line, col = expected_loc(name)
    assert (err.loc.file, err.loc.line, err.loc.col) == (FILE, line, col)
    text = str(err)
    head, src_line, caret = text.split("\n")
    assert head.startswith(f"{FILE}:{line}:{col}: error: ")
    assert CASES[name] in head
    assert src_line.strip() == LINES[line - 1].strip()
    # The caret sits under the column (the source line is indented by 4 in the message).
    assert src_line.startswith("    ") and caret == "    " + " " * (col - 1) + "^"
    assert len(caret) - 4 == col
    for internal in INTERNAL:
        assert internal not in text
    # A short traceback: no chained internal exception, no compiler frames.
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__
    frames = [f.filename for f in traceback.extract_tb(info.tb)]
    assert not any("/lowering/" in f or "/typecheck/" in f for f in frames), frames


def test_compile_method_reports_the_same_error() -> None:
    with pytest.raises(dsl.CompileError) as info:
        K.uses_with.compile(np.ones(3, np.float32))
    assert info.value.loc.line == expected_loc("uses_with")[0]


def test_eager_still_runs_python() -> None:
    # Only compilation rejects these: eager runs the Python as written.
    x = np.ones(3, np.float32)
    np.testing.assert_array_equal(dsl.eager(K.calls_python)(x, 2.0), x * 4.0)


MLIR_TEXT = '''
func.func @f(%t: tensor<?xf32>, %n: index) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%a = %t) -> tensor<?xf32> {
    %e = tensor.empty(%n) : tensor<?xf32>
    scf.yield %e : tensor<?xf32> loc("FILE":LINE:9)
  }
  return %r : tensor<?xf32>
}
'''


def test_mlir_failure_has_python_location() -> None:
    line = expected_loc("calls_python")[0]
    text = MLIR_TEXT.replace("FILE", FILE).replace("LINE", str(line))
    with ir.Context():
        module = ir.Module.parse(text)
        with pytest.raises(dsl.CompileError) as info:
            run_pipeline(module, "builtin.module(one-shot-bufferize{"
                         "bufferize-function-boundaries=1})", "bufferized",
                         SourceLoc(FILE, 1, 1))
    err = info.value
    assert (err.loc.line, err.loc.col) == (line, 9)
    assert str(err).startswith(f"{FILE}:{line}:9: error: internal compiler error in stage "
                               "'bufferized': ")
    assert "plain_python(v)" in str(err).splitlines()[1]
