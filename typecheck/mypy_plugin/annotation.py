"""The type-analyze hook: `Float32[Tensor, "B N"]` becomes `Tensor[float32, "B N"]`.

jaxtyping's dtype classes are `typing.Annotated` for a static checker, so mypy calls this hook
for every `Float32[...]`-like annotation with the name as written and the dim string.
"""

from __future__ import annotations

from mypy.nodes import TypeInfo
from mypy.nodes import ImportFrom
from mypy.plugin import AnalyzeTypeContext
from mypy.types import AnyType, LiteralType, RawExpressionType, Type, TypeOfAny, UnboundType

from typecheck.dtypes import JAXTYPING_CATEGORIES, JAXTYPING_CLASSES
from typecheck.errors import AnnotationError
from typecheck.shapes import shape_from_text
from typecheck.mypy_plugin.names import ANY_DTYPE, TAG, TENSOR
from typecheck.mypy_plugin.report import SHAPE


def _dim_string(arg: Type) -> str | None:
    """The dim string argument as written (mypy may have parsed `"N"` as a forward ref)."""
    if isinstance(arg, RawExpressionType) and isinstance(arg.literal_value, str):
        return arg.literal_value
    if isinstance(arg, UnboundType) and arg.original_str_expr is not None:
        return arg.original_str_expr
    return None


def _is_bare_tensor(ctx: AnalyzeTypeContext, arg: Type) -> bool:
    """Whether the array type is `dsl.Tensor` written without type arguments. Looked up by
    name rather than analysed, so `--disallow-any-generics` does not ask for arguments."""
    if not isinstance(arg, UnboundType) or arg.args:
        return False
    lookup = getattr(ctx.api, "lookup_qualified", None)
    sym = lookup(arg.name, ctx.context, suppress_errors=True) if lookup is not None else None
    node = sym.node if sym is not None else None
    return isinstance(node, TypeInfo) and node.fullname == TENSOR


def _imported_name(ctx: AnalyzeTypeContext, written: str) -> str:
    """The dtype class's own name when the module imported it under another one
    (`from dsl import Float32 as F32`): mypy only tells us that it is `Annotated`."""
    if written in JAXTYPING_CLASSES or written in JAXTYPING_CATEGORIES:
        return written
    module = getattr(getattr(ctx.api, "api", None), "cur_mod_node", None)
    for imp in getattr(module, "imports", ()):
        if isinstance(imp, ImportFrom) and imp.id.split(".")[0] in ("jaxtyping", "dsl"):
            for name, as_name in imp.names:
                if as_name == written:
                    return name
    return written


def analyze_annotated(ctx: AnalyzeTypeContext) -> Type:
    """Turn a jaxtyping annotation into a shaped `Tensor` type; other `Annotated` uses keep
    mypy's meaning (the first argument)."""
    t = ctx.type
    written = _imported_name(ctx, t.name.rsplit(".", 1)[-1])
    dtype = JAXTYPING_CLASSES.get(written)
    if dtype is None and written not in JAXTYPING_CATEGORIES:
        if not t.args:
            return AnyType(TypeOfAny.from_error)
        return ctx.api.analyze_type(t.args[0])
    if len(t.args) != 2:
        ctx.api.fail(f'{written}[...] takes an array type and a dim string, e.g. '
                     f'{written}[Tensor, "B N"]', ctx.context, code=SHAPE)
        return AnyType(TypeOfAny.from_error)
    if not _is_bare_tensor(ctx, t.args[0]):
        return ctx.api.analyze_type(t.args[0])
    text = _dim_string(t.args[1])
    if text is None:
        ctx.api.fail(f'{written}[...] needs a dim string as its second argument, e.g. "B N"',
                     ctx.context, code=SHAPE)
        return AnyType(TypeOfAny.from_error)
    try:
        shape = shape_from_text(text)  # cached: the same dim strings recur
    except AnnotationError as exc:
        ctx.api.fail(f"bad shape annotation: {exc}", ctx.context, code=SHAPE)
        return AnyType(TypeOfAny.from_error)
    str_type = ctx.api.named_type("builtins.str", [])
    dtype_name = dtype.value if dtype is not None else ANY_DTYPE
    tags: list[Type] = [ctx.api.named_type(TAG, [LiteralType(text, str_type)])
            for text in (dtype_name, str(shape))]
    return ctx.api.named_type(TENSOR, tags)

