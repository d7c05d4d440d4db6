"""The mypy plugin: `plugins = ["typecheck.mypy_plugin"]`.

A thin dispatcher from fully qualified names to the hooks of one feature module each:
`annotation` (jaxtyping annotations), `operations` (dsl functions, Tensor operators and
attributes, symbolic int arithmetic), `calls` (binding dims at calls between annotated
functions) and `kernel_body` (assignments and returns inside a `@kernel`). Every check is done
by the pure-Python algebra in `typecheck`, which the compiler shares.
"""

from __future__ import annotations

from typing import Callable

from mypy.plugin import (AnalyzeTypeContext, AttributeContext, FunctionContext, MethodContext,
                         MethodSigContext, Plugin)
from mypy.types import FunctionLike, Type

from typecheck import rules
from typecheck.mypy_plugin import annotation, calls, kernel_body, operations
from typecheck.mypy_plugin.names import (DSL_PREFIX, DUNDER_OPS, NOT_OPS, REFLECTED_OPS,
                                         SYMINT, SYMINT_OPS, TENSOR, UNARY_OPS)

_SKIP_PREFIXES = ("builtins.", "typing.", "typing_extensions.", "numpy.", "jaxtyping.",
                  "mypy.", "_typeshed.", "abc.", "collections.", "functools.")


def _method_hook_for(fullname: str) -> Callable[[MethodContext], Type] | None:
    cls, _, method = fullname.rpartition(".")
    if cls == TENSOR:
        if method in DUNDER_OPS:
            return operations.binary_method_hook(DUNDER_OPS[method], reflected=False)
        if method in REFLECTED_OPS:
            return operations.binary_method_hook(REFLECTED_OPS[method], reflected=True)
        if method in UNARY_OPS:
            return operations.unary_method_hook(UNARY_OPS[method])
        if method == "__getitem__":
            return operations.getitem_hook
        if method == "__setitem__":
            return operations.setitem_hook
        return None
    if cls == SYMINT and method in SYMINT_OPS:
        return operations.symint_method_hook(SYMINT_OPS[method], method.startswith("__r"))
    if cls.startswith(DSL_PREFIX) and cls.endswith(".Kernel") and method == "__call__":
        return calls.call_hook
    return None


class ShapePlugin(Plugin):
    """Dispatches mypy's hooks to the shape/dtype checks."""

    def get_type_analyze_hook(self, fullname: str
                              ) -> Callable[[AnalyzeTypeContext], Type] | None:
        if fullname in ("typing.Annotated", "typing_extensions.Annotated"):
            return annotation.analyze_annotated
        return None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if fullname.startswith(DSL_PREFIX):
            short = fullname.rsplit(".", 1)[-1]
            if short == "kernel":
                return kernel_body.kernel_decorator_hook
            if short in NOT_OPS:
                return None
            if short in rules.known_ops():
                return operations.function_op_hook(short)
        if fullname.startswith(_SKIP_PREFIXES):
            return None
        return calls.call_hook

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        return _method_hook_for(fullname)

    def get_method_signature_hook(self, fullname: str
                                  ) -> Callable[[MethodSigContext], FunctionLike] | None:
        cls, _, method = fullname.rpartition(".")
        if cls.startswith(DSL_PREFIX) and cls.endswith(".Kernel") and method == "__call__":
            return calls.kernel_call_signature
        return None

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        if fullname == TENSOR + ".T":
            return operations.transpose_attr_hook
        if fullname == TENSOR + ".shape":
            return operations.shape_attr_hook
        return None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return ShapePlugin
