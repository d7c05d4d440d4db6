"""The mypy plugin: `plugins = ["typecheck.mypy_plugin"]`.

A thin dispatcher from fully qualified names to the hooks of one feature module each:
`annotation` (jaxtyping annotations), `operations` (dsl functions, Tensor operators and
attributes, symbolic int arithmetic), `calls` (binding dims at calls between annotated
functions) and `kernel_body` (assignments and returns inside a `@kernel`). Every check is done
by the pure-Python algebra in `typecheck`, which the compiler shares.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from mypy.plugin import (AnalyzeTypeContext, AttributeContext, FunctionContext,
                         FunctionSigContext, MethodContext, MethodSigContext, Plugin)
from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.types import AnyType, FunctionLike, Type, TypeOfAny

from typecheck import rules
from typecheck.mypy_plugin import annotation, calls, kernel_body, operations, plain_functions
from typecheck.mypy_plugin.report import SHAPE
from typecheck.mypy_plugin.names import (DSL_PREFIX, DUNDER_OPS, NOT_OPS, REFLECTED_OPS,
                                         SYMINT, SYMINT_OPS, TENSOR, UNARY_OPS)

KERNEL_CLASSES = (".Kernel", ".EagerKernel")
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
    if _is_kernel_call(fullname):
        return calls.call_hook
    return None


H = TypeVar("H")


def _guarded(hook: Callable[[H], Type]) -> Callable[[H], Type]:
    """A hook that can never crash mypy: an unexpected exception in the checker becomes a
    `shape` error at the expression, and mypy's default type is kept."""
    def run(ctx: H) -> Type:
        try:
            return hook(ctx)
        except Exception as exc:  # noqa: BLE001 - the user must get an error, not a crash
            api, context = getattr(ctx, "api"), getattr(ctx, "context")
            api.fail(f"shape checker internal error ({type(exc).__name__}: {exc}); please "
                     "report it", context, code=SHAPE)
            default = getattr(ctx, "default_return_type", None) or \
                getattr(ctx, "default_attr_type", None) or getattr(ctx, "default_signature",
                                                                   None)
            return default if default is not None else AnyType(TypeOfAny.from_error)
    return run


class ShapePlugin(Plugin):
    """Dispatches mypy's hooks to the shape/dtype checks (every hook guarded, see above)."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        # One table per hook kind (mypy asks for hooks once per expression: keep it cheap).
        self._hooks: dict[str, dict[str, Callable[..., Type] | None]] = {}

    def _pick(self, kind: str, fullname: str, choose: Callable[[str], Callable[..., Type] | None]
              ) -> Callable[..., Type] | None:
        table = self._hooks.setdefault(kind, {})
        try:
            return table[fullname]
        except KeyError:
            hook = choose(fullname)
            table[fullname] = _guarded(hook) if hook is not None else None
            return table[fullname]

    def get_type_analyze_hook(self, fullname: str
                              ) -> Callable[[AnalyzeTypeContext], Type] | None:
        return self._pick("type", fullname, _type_hook_for)

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        return self._pick("function", fullname, _function_hook_for)

    def get_function_signature_hook(self, fullname: str
                                    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        return self._pick("function_sig", fullname, _function_sig_hook_for)  # type: ignore

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        return self._pick("method", fullname, _method_hook_for)

    def get_method_signature_hook(self, fullname: str
                                  ) -> Callable[[MethodSigContext], FunctionLike] | None:
        return self._pick("method_sig", fullname, _method_sig_hook_for)  # type: ignore

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        return self._pick("attribute", fullname, _attribute_hook_for)

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """No extra dependencies; the plugin's one look at a parsed module, used to give
        annotated functions without `@kernel` their statement checks (plain_functions)."""
        try:
            plain_functions.instrument(file)
        except Exception:  # noqa: BLE001 - never break mypy's build over an optional check
            pass
        return []


def _type_hook_for(fullname: str) -> Callable[[AnalyzeTypeContext], Type] | None:
    if fullname in ("typing.Annotated", "typing_extensions.Annotated"):
        return annotation.analyze_annotated
    return None


def _is_op(fullname: str) -> bool:
    short = fullname.rsplit(".", 1)[-1]
    return fullname.startswith(DSL_PREFIX) and short in rules.known_ops() \
        and short not in NOT_OPS


def _function_hook_for(fullname: str) -> Callable[[FunctionContext], Type] | None:
    if fullname == plain_functions.MARKER_CALLEE:
        return plain_functions.marker_hook
    if fullname.startswith(DSL_PREFIX):
        short = fullname.rsplit(".", 1)[-1]
        if short == "kernel":
            return kernel_body.kernel_decorator_hook
        if _is_op(fullname):
            return operations.function_op_hook(short)
        if short in NOT_OPS:
            return None
    if fullname.startswith(_SKIP_PREFIXES):
        return None
    return calls.call_hook


def _function_sig_hook_for(fullname: str) -> Callable[[FunctionSigContext], FunctionLike] | None:
    return calls.kernel_call_signature if _is_op(fullname) else None


def _is_kernel_call(fullname: str) -> bool:
    cls, _, method = fullname.rpartition(".")
    return cls.startswith(DSL_PREFIX) and cls.endswith(KERNEL_CLASSES) and method == "__call__"


def _method_sig_hook_for(fullname: str) -> Callable[[MethodSigContext], FunctionLike] | None:
    return calls.kernel_call_signature if _is_kernel_call(fullname) else None


def _attribute_hook_for(fullname: str) -> Callable[[AttributeContext], Type] | None:
    if fullname == TENSOR + ".T":
        return operations.transpose_attr_hook
    if fullname == TENSOR + ".shape":
        return operations.shape_attr_hook
    return None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return ShapePlugin
