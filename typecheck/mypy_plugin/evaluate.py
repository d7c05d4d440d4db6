"""Abstract evaluation of expressions inside a kernel body, with the shared rules.

The statement checks (`kernel_body`) run when mypy checks the `@kernel` decorator, which in
mypy 2 can be before the body itself is checked, so they cannot read mypy's inferred types:
this evaluator computes each expression's abstract value from the semantically analysed tree
(names are resolved) and the values of the kernel's variables. Expressions it does not model
are unknown, and unknown values are accepted everywhere. Errors inside expressions are left to
the operation hooks, which report them with mypy's own types.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from mypy.nodes import (CallExpr, ComparisonExpr, EllipsisExpr, Expression, FloatExpr,
                        IndexExpr, IntExpr, ListExpr, MemberExpr, MypyFile, NameExpr, OpExpr,
                        RefExpr, SliceExpr, TupleExpr, UnaryExpr)
from mypy.types import CallableType

from typecheck import rules
from typecheck.dims import Dim
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import BDim
from typecheck.values import (DTypeV, EllipsisV, NoneV, ScalarV, SliceV, TensorV, TupleV,
                              UnknownV, Value)
from typecheck.mypy_plugin.calls import call_result, has_tensor_params, ref_signature
from typecheck.mypy_plugin.constants import module_constant
from typecheck.mypy_plugin.convert import LOCAL_PREFIX, clean_shape, dtype_of_ref
from typecheck.mypy_plugin.names import DSL_PREFIX, NOT_OPS

BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod",
          "**": "pow", "@": "matmul", "&": "and", "|": "or"}
COMPARE = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
UNARY = {"-": "neg", "+": "pos", "~": "invert"}
_INT_BUILTINS = ("builtins.len", "builtins.int", "builtins.round", "builtins.min",
                 "builtins.max", "builtins.abs")


def _safe(fn: Callable[[], Value]) -> Value:
    try:
        return fn()
    except (ShapeError, DTypeError):
        return UnknownV()


class Evaluator:
    """Evaluates expressions given the abstract values of local variables (`env`)."""

    def __init__(self, env: dict[str, Value],
                 modules: Mapping[str, MypyFile] | None = None) -> None:
        self.env = env
        self.modules: Mapping[str, MypyFile] = modules or {}

    def eval(self, e: Expression, index: bool = False) -> Value:
        method = _METHODS.get(type(e))
        if method is None:
            return UnknownV()
        result: Value = method(self, e, index)
        return result

    def _NameExpr(self, e: NameExpr, index: bool) -> Value:
        dtype = dtype_of_ref(e)
        if dtype is not None:
            return DTypeV(dtype)
        if e.fullname in ("builtins.True", "builtins.False"):
            return ScalarV("bool", Dim.const(int(e.fullname == "builtins.True")))
        if e.fullname == "builtins.None":
            return NoneV()
        if e.name not in self.env:
            const = module_constant(e, self.modules)
            if const is not None:
                return ScalarV("int", Dim.const(const))
        v = self.env.get(e.name, UnknownV())
        if index and isinstance(v, ScalarV) and v.kind == "int" and v.value is None:
            return ScalarV("int", Dim.sym(LOCAL_PREFIX + e.name))
        return v

    def _IntExpr(self, e: IntExpr, index: bool) -> Value:
        return ScalarV("int", Dim.const(e.value))

    def _FloatExpr(self, e: FloatExpr, index: bool) -> Value:
        return ScalarV("float")

    def _EllipsisExpr(self, e: EllipsisExpr, index: bool) -> Value:
        return EllipsisV()

    def _TupleExpr(self, e: TupleExpr, index: bool) -> Value:
        return TupleV(tuple(self.eval(i, index) for i in e.items))

    def _ListExpr(self, e: ListExpr, index: bool) -> Value:
        return TupleV(tuple(self.eval(i, index) for i in e.items))

    def _SliceExpr(self, e: SliceExpr, index: bool) -> Value:
        parts = (e.begin_index, e.end_index, e.stride)
        return SliceV(*(None if p is None else self.eval(p, True) for p in parts))

    def _UnaryExpr(self, e: UnaryExpr, index: bool) -> Value:
        if e.op == "not":
            return ScalarV("bool")
        inner = self.eval(e.expr, index)
        return _safe(lambda: rules.apply(UNARY[e.op], [inner])) if e.op in UNARY else UnknownV()

    def _OpExpr(self, e: OpExpr, index: bool) -> Value:
        if e.op in ("and", "or"):
            return UnknownV()
        a, b = self.eval(e.left, index), self.eval(e.right, index)
        op = BINARY.get(e.op)
        return _safe(lambda: rules.apply(op, [a, b])) if op else UnknownV()

    def _ComparisonExpr(self, e: ComparisonExpr, index: bool) -> Value:
        if len(e.operators) != 1 or e.operators[0] not in COMPARE:
            return ScalarV("bool")
        a, b = (self.eval(x, index) for x in e.operands)
        return _safe(lambda: rules.apply(COMPARE[e.operators[0]], [a, b]))

    def _MemberExpr(self, e: MemberExpr, index: bool) -> Value:
        dtype = dtype_of_ref(e)
        if dtype is not None:
            return DTypeV(dtype)
        const = module_constant(e, self.modules)
        if const is not None:
            return ScalarV("int", Dim.const(const))
        base = self.eval(e.expr, index)
        if not isinstance(base, TensorV):
            return UnknownV()
        if e.name == "T":
            return _safe(lambda: rules.apply("T", [base]))
        if e.name == "shape" and base.shape.var is None:
            return TupleV(tuple(ScalarV("int", None if isinstance(d, BDim) else d)
                                for d in base.shape.prefix))
        if e.name == "ndim":
            return ScalarV("int", Dim.const(base.shape.rank) if base.shape.rank is not None
                           else None)
        return UnknownV()

    def _IndexExpr(self, e: IndexExpr, index: bool) -> Value:
        base = self.eval(e.base, index)
        idx = self.eval(e.index, True)
        if isinstance(base, TensorV):
            result = _safe(lambda: rules.apply("getitem", [base, idx]))
            # `x[:n]` for a run-time n: the index-local symbol means nothing outside.
            return TensorV(result.dtype, clean_shape(result.shape)) \
                if isinstance(result, TensorV) else result
        if isinstance(base, TupleV) and isinstance(idx, ScalarV) and idx.value is not None:
            k = idx.value.const_value
            if k is not None and -len(base.items) <= k < len(base.items):
                return base.items[k]
        if isinstance(e.base, MemberExpr) and e.base.name == "shape":
            return self._variadic_shape_item(self.eval(e.base.expr, index), idx)
        return UnknownV()

    @staticmethod
    def _variadic_shape_item(t: Value, idx: Value) -> Value:
        """`x.shape[k]` of a tensor with a variadic segment: known when `k` falls into the
        fixed dims before it (k >= 0) or after it (k < 0)."""
        k = idx.value.const_value if isinstance(idx, ScalarV) and idx.value is not None \
            else None
        if not isinstance(t, TensorV) or t.shape.var is None or k is None:
            return ScalarV("int") if isinstance(t, TensorV) else UnknownV()
        part = t.shape.prefix if k >= 0 else t.shape.suffix
        if -len(part) <= k < len(part):
            d = part[k]
            return ScalarV("int", d if isinstance(d, Dim) else None)
        return ScalarV("int")

    def _CallExpr(self, e: CallExpr, index: bool) -> Value:
        callee = e.callee
        if not isinstance(callee, RefExpr):
            return UnknownV()
        name = callee.fullname or ""
        if name in _INT_BUILTINS:
            return ScalarV("int")
        if name == "builtins.float":
            return ScalarV("float")
        sig = ref_signature(callee)
        if sig is None:
            return UnknownV()
        actuals = self._actuals(e, sig)
        short = name.rsplit(".", 1)[-1]
        if name.startswith(DSL_PREFIX) and short in rules.known_ops() and short not in NOT_OPS:
            args: list[Value | None] = [actuals.get(n) if n else None for n in sig.arg_names]
            while args and args[-1] is None:
                args.pop()
            return _safe(lambda: rules.apply(short, args))
        if has_tensor_params(sig):
            return _safe(lambda: call_result(short, sig, actuals))
        return UnknownV()

    def _actuals(self, e: CallExpr, sig: CallableType) -> dict[str, Value]:
        """Actual argument values by formal name (positional then keyword)."""
        out: dict[str, Value] = {}
        positional = [a for a, k in zip(e.args, e.arg_names) if k is None]
        for formal, arg in zip(sig.arg_names, positional):
            if formal:
                out[formal] = self.eval(arg)
        for arg, kw in zip(e.args, e.arg_names):
            if kw is not None:
                out[kw] = self.eval(arg)
        return out


# The method that evaluates each kind of expression node (`_NameExpr` for a `NameExpr`).
_METHODS: dict[type, Callable[[Evaluator, Any, bool], Value]] = {
    t: getattr(Evaluator, "_" + t.__name__)
    for t in (NameExpr, IntExpr, FloatExpr, EllipsisExpr, TupleExpr, ListExpr, SliceExpr,
              UnaryExpr, OpExpr, ComparisonExpr, MemberExpr, IndexExpr, CallExpr)}

