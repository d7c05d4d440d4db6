"""Fully qualified names the plugin recognises."""

from __future__ import annotations

TENSOR = "dsl._tensor.Tensor"
SYMINT = "dsl._tensor.SymInt"
TAG = "dsl._tensor.Tag"
DSL_PREFIX = "dsl."
ANY_DTYPE = "any"

# Operator dunders on Tensor (and reflected ones) mapped to rule names.
DUNDER_OPS = {
    "__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "truediv",
    "__floordiv__": "floordiv", "__mod__": "mod", "__pow__": "pow", "__matmul__": "matmul",
    "__and__": "and", "__or__": "or", "__lt__": "lt", "__le__": "le", "__gt__": "gt",
    "__ge__": "ge", "__eq__": "eq", "__ne__": "ne",
}
REFLECTED_OPS = {
    "__radd__": "add", "__rsub__": "sub", "__rmul__": "mul", "__rtruediv__": "truediv",
    "__rfloordiv__": "floordiv", "__rmod__": "mod", "__rpow__": "pow", "__rmatmul__": "matmul",
    "__rand__": "and", "__ror__": "or",
}
UNARY_OPS = {"__neg__": "neg", "__pos__": "pos", "__invert__": "invert"}
SYMINT_OPS = {"__add__": "add", "__sub__": "sub", "__mul__": "mul", "__floordiv__": "floordiv",
              "__radd__": "add", "__rsub__": "sub", "__rmul__": "mul",
              "__rfloordiv__": "floordiv"}

# Functions under `dsl.` that are not operations.
NOT_OPS = frozenset({"kernel", "eager"})
