"""Rules for operators, elementwise functions, `where` and `astype`."""

from __future__ import annotations

from typing import Callable

from typecheck.dtypes import DType, promote, promote_scalar
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import Shape, broadcast_shapes
from typecheck.values import ScalarV, TensorV, UnknownV, Value
from typecheck.rules._common import Args, Kwargs, arg, dtype_arg, tensor_arg

ARITH = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")
COMPARE = ("lt", "le", "gt", "ge", "eq", "ne")
LOGICAL = ("and", "or")
SYMBOL = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%",
          "pow": "**", "matmul": "@", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
          "eq": "==", "ne": "!=", "and": "&", "or": "|"}

FLOAT_FUNCS = ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "rsqrt", "erf")


def _operand_dtype(op: str, a: Value, b: Value) -> DType | None:
    """The dtype two operands combine to (weak Python scalars take the tensor's dtype)."""
    if isinstance(a, TensorV) and isinstance(b, TensorV):
        if a.dtype is None or b.dtype is None:
            return None
        return promote(a.dtype, b.dtype)
    t, s = (a, b) if isinstance(a, TensorV) else (b, a)
    assert isinstance(t, TensorV)
    if not isinstance(s, ScalarV):
        return t.dtype
    if t.dtype is None:
        return None
    return promote_scalar(t.dtype, s.kind)


def _shape_of(v: Value) -> Shape:
    return v.shape if isinstance(v, TensorV) else Shape(())


def check_operator_kind(op: str, dtype: DType | None) -> None:
    """Dtype restrictions of each operator family (array-API); the eager runtime applies
    the same function, so both raise the same errors."""
    if dtype is None:
        return
    sym = SYMBOL.get(op, op)
    if op == "truediv" and dtype.kind != "f":
        raise DTypeError(f"`/` needs floating tensors, got {dtype} (use `//` or dsl.astype)")
    if op in ARITH and dtype.kind == "b":
        raise DTypeError(f"`{sym}` is not defined on bool tensors (use dsl.astype)")
    if op in LOGICAL and dtype.kind == "f":
        raise DTypeError(f"`{sym}` needs bool (or integer) tensors, got {dtype}")


def binary(op: str, args: Args, kwargs: Kwargs) -> Value:
    """`a <op> b` for tensors and weak Python scalars, with broadcasting."""
    a, b = arg(op, args, kwargs, 0, "x1"), arg(op, args, kwargs, 1, "x2")
    if isinstance(a, ScalarV) and isinstance(b, ScalarV):
        return scalar_binary(op, a, b)
    if isinstance(a, UnknownV) or isinstance(b, UnknownV):
        return UnknownV()
    for v in (a, b):
        if not isinstance(v, (TensorV, ScalarV)):
            raise DTypeError(f"unsupported operand for `{SYMBOL.get(op, op)}`")
    try:
        dtype = _operand_dtype(op, a, b)
    except DTypeError as exc:
        raise DTypeError(f"`{SYMBOL.get(op, op)}`: {exc}") from None
    check_operator_kind(op, dtype)
    try:
        shape = broadcast_shapes(_shape_of(a), _shape_of(b))
    except ShapeError as exc:
        raise ShapeError(f"`{SYMBOL.get(op, op)}`: {exc}") from None
    if op in COMPARE:
        return TensorV(DType.bool, shape)
    return TensorV(dtype, shape)


def scalar_binary(op: str, a: ScalarV, b: ScalarV) -> Value:
    """Python int arithmetic on known dims stays symbolic (`x.shape[2] // 4` is `D`)."""
    if op in COMPARE:
        return ScalarV("bool")
    kinds = {a.kind, b.kind}
    if "float" in kinds or op == "truediv":
        return ScalarV("float")
    if op == "pow" or a.value is None or b.value is None:
        return ScalarV("int")
    if op == "add":
        return ScalarV("int", a.value + b.value)
    if op == "sub":
        return ScalarV("int", a.value - b.value)
    if op == "mul":
        return ScalarV("int", a.value * b.value)
    if op == "floordiv" and b.value.const_value != 0:
        return ScalarV("int", a.value // b.value)
    return ScalarV("int")


def unary(op: str, args: Args, kwargs: Kwargs) -> Value:
    """`-x`, `+x`, `~x` and `dsl.abs(x)`."""
    x = arg(op, args, kwargs, 0, "x")
    if isinstance(x, ScalarV):
        return ScalarV("int" if x.kind == "bool" else x.kind,
                       -x.value if op == "neg" and x.value is not None else
                       x.value if op == "pos" else None)
    t = tensor_arg(op, x)
    if t is None or t.dtype is None:
        return t or UnknownV()
    if op in ("neg", "abs") and t.dtype.kind == "b":
        raise DTypeError(f"{_name(op)} is not defined on bool tensors")
    if op == "invert" and t.dtype.kind == "f":
        raise DTypeError(f"`~` needs a bool (or integer) tensor, got {t.dtype}")
    return t


def _name(op: str) -> str:
    return {"neg": "unary `-`", "pos": "unary `+`", "invert": "`~`"}.get(op, f"{op}()")


def float_func(op: str, args: Args, kwargs: Kwargs) -> Value:
    """exp, log, sqrt, ...: floating tensors in, same dtype and shape out."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    if t is None:
        return UnknownV()
    if t.dtype is not None and t.dtype.kind != "f":
        raise DTypeError(f"{op}() needs a floating tensor, got {t.dtype} (use dsl.astype)")
    return t


def extremum(op: str, args: Args, kwargs: Kwargs) -> Value:
    """maximum/minimum: like a binary operator."""
    return binary(op, args, kwargs)


def where(op: str, args: Args, kwargs: Kwargs) -> Value:
    """where(cond, x1, x2): cond must be bool; the result broadcasts all three."""
    cond = tensor_arg(op, arg(op, args, kwargs, 0, "condition"), "condition")
    a, b = arg(op, args, kwargs, 1, "x1"), arg(op, args, kwargs, 2, "x2")
    if cond is not None and cond.dtype is not None and cond.dtype != DType.bool:
        raise DTypeError(f"where() needs a bool condition, got {cond.dtype}")
    if isinstance(a, ScalarV) and isinstance(b, ScalarV):
        raise DTypeError("where() needs at least one tensor among x1 and x2")
    picked = binary("where", [a, b], {})
    if cond is None or not isinstance(picked, TensorV):
        return picked
    try:
        shape = broadcast_shapes(cond.shape, picked.shape)
    except ShapeError as exc:
        raise ShapeError(f"where(): {exc}") from None
    return TensorV(picked.dtype, shape)


def astype(op: str, args: Args, kwargs: Kwargs) -> Value:
    """astype(x, dtype): same shape, the new dtype."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    dtype = dtype_arg(op, arg(op, args, kwargs, 1, "dtype"))
    if t is None:
        return UnknownV()
    return TensorV(dtype, t.shape)


def _bind(fn: Callable[[str, Args, Kwargs], Value], op: str) -> Callable[[Args, Kwargs], Value]:
    return lambda args, kwargs: fn(op, args, kwargs)


def rules() -> dict[str, Callable[[Args, Kwargs], Value]]:
    """The elementwise rules by op name."""
    table: dict[str, Callable[[Args, Kwargs], Value]] = {}
    for op in ARITH + COMPARE + LOGICAL:
        table[op] = _bind(binary, op)
    for op in ("neg", "pos", "invert", "abs"):
        table[op] = _bind(unary, op)
    for op in FLOAT_FUNCS:
        table[op] = _bind(float_func, op)
    table["maximum"] = _bind(extremum, "maximum")
    table["minimum"] = _bind(extremum, "minimum")
    table["where"] = _bind(where, "where")
    table["astype"] = _bind(astype, "astype")
    return table
