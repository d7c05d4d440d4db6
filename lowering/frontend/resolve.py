"""What a free name or attribute in a kernel denotes: a `dsl` operation, another kernel, a
builtin the language supports, or a compile-time constant."""

from __future__ import annotations

import builtins
import functools
from typing import Any

import dsl

# dsl functions -> the rule/emitter op name (the same as the function name).
_DSL_OPS = ("abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "maximum", "minimum", "where",
            "astype", "sigmoid", "rsqrt", "erf", "sum", "max", "min", "mean", "argmax",
            "matmul", "matrix_transpose", "reshape", "permute_dims", "expand_dims", "squeeze",
            "broadcast_to", "concat", "stack", "zeros", "ones", "full", "zeros_like", "arange")

# Python builtins that mean something inside a kernel.
BUILTINS = ("print", "range", "int", "float", "bool", "min", "max", "abs", "len")


@functools.lru_cache(maxsize=1)
def _dsl_table() -> dict[int, str]:
    return {id(getattr(dsl, name)): name for name in _DSL_OPS}


def dsl_op(obj: Any) -> str | None:
    """The op name when `obj` is a `dsl` operation."""
    return _dsl_table().get(id(obj))


def builtin_name(obj: Any) -> str | None:
    """The name when `obj` is one of the supported Python builtins."""
    for name in BUILTINS:
        if obj is getattr(builtins, name):
            return name
    return None


def is_kernel(obj: Any) -> bool:
    """Whether `obj` is a `@dsl.kernel` (or a plain function we may inline like one)."""
    return isinstance(obj, dsl.Kernel)
