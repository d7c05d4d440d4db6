"""The public surface of `dsl`: names, errors, docstrings and annotations."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import dsl
import typecheck.errors

OPS = ["abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "maximum", "minimum", "where",
       "astype", "sigmoid", "rsqrt", "erf", "sum", "max", "min", "mean", "argmax", "matmul",
       "reshape", "permute_dims", "matrix_transpose", "expand_dims", "squeeze", "broadcast_to",
       "concat", "stack", "zeros", "ones", "full", "zeros_like", "arange"]


@pytest.mark.parametrize("name", OPS)
def test_every_op_is_a_documented_annotated_module_function(name: str) -> None:
    fn = getattr(dsl, name)
    assert inspect.isfunction(fn) and fn.__name__ == name
    assert fn.__module__.startswith("dsl._")
    assert fn.__doc__ and fn.__doc__.strip()
    sig = inspect.signature(fn)
    assert sig.return_annotation == "Tensor[Any, Any]"
    for p in sig.parameters.values():
        assert p.annotation is not inspect.Parameter.empty, (name, p.name)


def test_errors_are_the_checker_classes() -> None:
    assert dsl.ShapeError is typecheck.errors.ShapeError
    assert dsl.DTypeError is typecheck.errors.DTypeError
    assert issubclass(dsl.ShapeError, ValueError)
    assert issubclass(dsl.DTypeError, TypeError)
    assert issubclass(dsl.KernelAssertionError, AssertionError)


def test_compile_error_shows_location_source_and_caret(tmp_path: Path) -> None:
    src = tmp_path / "k.py"
    src.write_text("def f(x):\n    return x @ y\n")
    err = dsl.CompileError(dsl.SourceLoc(str(src), 2, 16), "name 'y' is not defined")
    assert str(err) == (f"{src}:2:16: error: name 'y' is not defined\n"
                        "        return x @ y\n"
                        "                   ^")
    assert err.loc.line == 2 and err.msg == "name 'y' is not defined"
    with pytest.raises(dsl.CompileError):
        raise err


def test_compile_error_without_readable_source() -> None:
    err = dsl.CompileError(dsl.SourceLoc("<nowhere>", 3, 1), "bad")
    assert str(err) == "<nowhere>:3:1: error: bad"


def test_all_is_complete() -> None:
    for name in dsl.__all__:
        assert hasattr(dsl, name), name
    for name in OPS + ["Tensor", "kernel", "eager", "Float32", "BFloat16", "bool", "float32"]:
        assert name in dsl.__all__
