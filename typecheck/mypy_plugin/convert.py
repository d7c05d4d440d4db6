"""Converting between mypy's types (and expression nodes) and the algebra's abstract values.

A shaped tensor is `dsl._tensor.Tensor[Literal[dtype], Literal[shape]]`, where the shape is
the canonical text of a `typecheck.shapes.Shape`; a symbolic int (`x.shape[0]`) is
`dsl._tensor.SymInt[Literal[dim]]`.
"""

from __future__ import annotations

import functools

from mypy.nodes import (TypeInfo, EllipsisExpr, Expression, IntExpr, ListExpr, NameExpr, OpExpr, RefExpr,
                        SliceExpr, TupleExpr, UnaryExpr)
from mypy.plugin import CheckerPluginInterface
from mypy.types import (Instance, LiteralType, NoneType, ProperType, TupleType, Type,
                        get_proper_type)

from typecheck.annotations import parse_shape
from typecheck.dims import Dim
from typecheck.dtypes import DType
from typecheck.errors import ShapeError
from typecheck.shapes import BDim, SDim, Shape, shape_from_text
from typecheck.values import (DTypeV, EllipsisV, NoneV, ScalarV, SliceV, TensorV, TupleV,
                              UnknownV, Value)
from typecheck.mypy_plugin.constants import module_constant
from typecheck.mypy_plugin.reassigned import is_reassigned_local
from typecheck.mypy_plugin.names import ANY_DTYPE, DSL_PREFIX, SYMINT, TAG, TENSOR

# Symbols standing for plain run-time ints inside one index expression (`x[p:p+4]`).
LOCAL_PREFIX = "%"


def _str_literal(t: Type) -> str | None:
    """The string in `Tag[Literal["..."]]` (or a bare string literal)."""
    p = get_proper_type(t)
    if isinstance(p, Instance) and p.type.fullname == TAG and p.args:
        p = get_proper_type(p.args[0])
    if isinstance(p, LiteralType) and isinstance(p.value, str):
        return p.value
    return None


def tensor_value(t: Type) -> TensorV | None:
    """The abstract tensor a mypy type denotes, or None when it is no tensor."""
    p = get_proper_type(t)
    hit = _VALUES.get(id(p))
    if hit is not None and hit[0] is p:
        return hit[1]
    if not isinstance(p, Instance) or p.type.fullname != TENSOR:
        return None
    if len(p.args) != 2:
        return TensorV(None, Shape.unknown())
    value = _tensor_from_texts(_str_literal(p.args[0]), _str_literal(p.args[1]))
    # Checked types are never mutated: remember this one's value by identity too (a
    # parameter's declared type is looked up at every use of the parameter).
    _remember(p, value)
    return value


@functools.lru_cache(maxsize=8192)
def _tensor_from_texts(dtype_text: str | None, shape_text: str | None) -> TensorV:
    dtype = None
    if dtype_text is not None and dtype_text != ANY_DTYPE:
        dtype = DType(dtype_text)
    try:
        shape = shape_from_text(shape_text) if shape_text is not None else Shape.unknown()
    except ShapeError:
        shape = Shape.unknown()
    return TensorV(dtype, shape)


def symint_dim(t: Type) -> Dim | None:
    """The dim a `SymInt[...]` type carries."""
    p = get_proper_type(t)
    if isinstance(p, Instance) and p.type.fullname == SYMINT and p.args:
        text = _str_literal(p.args[0])
        if text is not None:
            try:
                spec = parse_shape(text)
            except ShapeError:
                return None
            d = spec.dims[0] if len(spec.dims) == 1 else None
            return getattr(d, "dim", None)
    return None


def _literal_int(p: ProperType) -> int | None:
    if isinstance(p, LiteralType) and isinstance(p.value, int):
        return int(p.value)
    if isinstance(p, Instance) and p.last_known_value is not None:
        return _literal_int(p.last_known_value)
    return None


def int_dim(node: Expression | None, t: Type | None, api: CheckerPluginInterface,
            local_names: bool) -> Dim | None:
    """The value of an int expression as a dim, when known: literals, `x.shape[i]`, sums and
    products of those; with `local_names`, plain int variables become local symbols."""
    if is_reassigned_local(node, api):
        t = api.named_generic_type("builtins.int", [])  # its type may be a stale dim
    if t is not None:
        d = symint_dim(t)
        if d is not None:
            return d
        lit = _literal_int(get_proper_type(t))
        if lit is not None:
            return Dim.const(lit)
    if node is None:
        return None
    if isinstance(node, IntExpr):
        return Dim.const(node.value)
    if isinstance(node, RefExpr):
        const = module_constant(node, getattr(api, "modules", {}))
        if const is not None:
            return Dim.const(const)
    if isinstance(node, UnaryExpr) and node.op == "-":
        inner = int_dim(node.expr, _type_of(api, node.expr), api, local_names)
        return -inner if inner is not None else None
    if isinstance(node, OpExpr) and node.op in ("+", "-", "*", "//"):
        a = int_dim(node.left, _type_of(api, node.left), api, local_names)
        b = int_dim(node.right, _type_of(api, node.right), api, local_names)
        if a is None or b is None:
            return None
        if node.op == "//":
            return a // b if b.const_value != 0 else None
        return a + b if node.op == "+" else a - b if node.op == "-" else a * b
    if local_names and isinstance(node, NameExpr) and t is not None:
        p = get_proper_type(t)
        if isinstance(p, Instance) and p.type.fullname == "builtins.int":
            return Dim.sym(LOCAL_PREFIX + node.name)
    return None


def _type_of(api: CheckerPluginInterface, node: Expression) -> Type | None:
    lookup = getattr(api, "lookup_type_or_none", None)
    return lookup(node) if lookup is not None else None


def value_of(t: Type | None, node: Expression | None, api: CheckerPluginInterface,
             index_context: bool = False) -> Value:
    """The abstract value of an argument, from its type and (when there) its expression."""
    hit = _VALUES.get(id(t))
    if hit is not None and hit[0] is t:  # a known tensor type: its expression adds nothing
        return hit[1]
    if node is not None:
        from_node = _value_from_node(node, api, index_context)
        if from_node is not None:
            return from_node
    if t is None:
        return UnknownV()
    tv = tensor_value(t)
    if tv is not None:
        return tv
    p = get_proper_type(t)
    if isinstance(p, NoneType):
        return NoneV()
    if isinstance(p, TupleType):
        nodes: list[Expression | None] = list(node.items) if isinstance(node, TupleExpr) \
            and len(node.items) == len(p.items) else [None] * len(p.items)
        return TupleV(tuple(value_of(it, n, api, index_context)
                            for it, n in zip(p.items, nodes)))
    return _scalar_value(p, node, api, index_context)


def _scalar_value(p: ProperType, node: Expression | None, api: CheckerPluginInterface,
                  index_context: bool) -> Value:
    fallback = p.fallback if isinstance(p, LiteralType) else p
    if isinstance(fallback, Instance):
        name = fallback.type.fullname
        if name == SYMINT or name == "builtins.int":
            return ScalarV("int", int_dim(node, p, api, index_context))
        if name == "builtins.bool":
            lit = p.value if isinstance(p, LiteralType) else None
            if lit is None and isinstance(p, Instance) and p.last_known_value is not None:
                lit = p.last_known_value.value
            return ScalarV("bool", Dim.const(int(lit)) if isinstance(lit, bool) else None)
        if name == "builtins.float":
            return ScalarV("float")
    return UnknownV()


def _value_from_node(node: Expression, api: CheckerPluginInterface,
                     index_context: bool) -> Value | None:
    """Values that only the expression tells: dtype objects, slices, `...`, list literals."""
    if isinstance(node, RefExpr):
        dtype = dtype_of_ref(node)
        if dtype is not None:
            return DTypeV(dtype)
    if isinstance(node, NameExpr) and node.fullname in ("builtins.True", "builtins.False"):
        return ScalarV("bool", Dim.const(int(node.fullname == "builtins.True")))
    if isinstance(node, EllipsisExpr):
        return EllipsisV()
    if isinstance(node, SliceExpr):
        parts = (node.begin_index, node.end_index, node.stride)
        return SliceV(*(None if e is None else value_of(_type_of(api, e), e, api, True)
                        for e in parts))
    if isinstance(node, (ListExpr, TupleExpr)):
        return TupleV(tuple(value_of(_type_of(api, e), e, api, index_context)
                            for e in node.items))
    return None


def dtype_of_ref(node: RefExpr) -> DType | None:
    """The dtype a reference to a dtype object names (`dsl.float32`; `dsl.bool` is defined
    as `bool_`)."""
    if not node.fullname.startswith(DSL_PREFIX):
        return None
    short = node.fullname.rsplit(".", 1)[-1].rstrip("_")
    return DType[short] if short in DType.__members__ else None


def _clean_dim(d: SDim) -> SDim:
    """Drop dims that mention index-local symbols: they mean nothing outside the index."""
    inner = d.dim if isinstance(d, BDim) else d
    if inner is not None and any(s.startswith(LOCAL_PREFIX) for s in inner.free_symbols()):
        return None
    return d


def clean_shape(s: Shape) -> Shape:
    """The shape with index-local symbols replaced by unknown dims."""
    if LOCAL_PREFIX not in str(s):
        return s
    return Shape(tuple(map(_clean_dim, s.prefix)), s.var, tuple(map(_clean_dim, s.suffix)))


def instance(api: CheckerPluginInterface, fullname: str, args: list[Type]) -> Instance:
    """An instance of a class by its full name, even when the checked module does not import
    the defining module by that name (mypy's `named_generic_type` needs that)."""
    info = _typeinfo(api, fullname)
    if info is not None:
        return Instance(info, args)
    return api.named_generic_type(fullname, args)


def _str_type(api: CheckerPluginInterface, text: str) -> Instance:
    return instance(api, TAG, [LiteralType(text, api.named_generic_type("builtins.str", []))])


def tensor_type(api: CheckerPluginInterface, v: TensorV) -> Instance:
    """The mypy type of an abstract tensor (one shared, never mutated instance per dtype and
    shape of a build, so that `tensor_value` finds it again without re-reading it)."""
    info = _typeinfo(api, TENSOR)
    cached = _TENSOR_TYPES.get(v)
    if cached is not None and cached.type is info:
        return cached
    dtype = v.dtype.value if v.dtype is not None else ANY_DTYPE
    shape = str(clean_shape(v.shape))
    made = instance(api, TENSOR, [_str_type(api, dtype), _str_type(api, shape)])
    _TENSOR_TYPES[v] = made
    _remember(made, _tensor_from_texts(dtype, shape))
    return made


def _remember(t: Instance, value: TensorV) -> None:
    if len(_VALUES) > _CACHE_SIZE:
        _TENSOR_TYPES.clear()
        _VALUES.clear()
    _VALUES[id(t)] = (t, value)


_CACHE_SIZE = 65536
_TENSOR_TYPES: dict[TensorV, Instance] = {}
# The value of each shared tensor instance, by identity (checked: ids can be reused).
_VALUES: dict[int, tuple[Instance, TensorV]] = {}


def _typeinfo(api: CheckerPluginInterface, fullname: str) -> TypeInfo | None:
    module, _, name = fullname.rpartition(".")
    modules = getattr(api, "modules", {})
    sym = modules[module].names.get(name) if module in modules else None
    return sym.node if sym is not None and isinstance(sym.node, TypeInfo) else None


def type_of_value(api: CheckerPluginInterface, v: Value, default: Type) -> Type:
    """The mypy type for a rule's result; `default` where the value says nothing more."""
    if isinstance(v, TensorV):
        return tensor_type(api, v)
    if isinstance(v, ScalarV):
        if v.kind == "int" and v.value is not None and (v.value.const_value or 0) >= 0 \
                and not any(s.startswith(LOCAL_PREFIX) for s in v.value.free_symbols()):
            return instance(api, SYMINT, [_str_type(api, str(v.value))])
        return api.named_generic_type(f"builtins.{v.kind}", [])
    if isinstance(v, NoneV):
        return NoneType()
    if isinstance(v, TupleV):
        items = [type_of_value(api, i, api.named_generic_type("builtins.object", []))
                 for i in v.items]
        return TupleType(items, api.named_generic_type("builtins.tuple", [
            api.named_generic_type("builtins.object", [])]))
    return default
