"""Expressions of the typed IR to MLIR values."""

from __future__ import annotations

from typing import Any, Callable

from mlir import ir
from mlir.dialects import arith, tensor

from lowering import tir
from lowering.emit import scalars
from lowering.emit.context import (SSA, Env, compute_type, element_type, i64_const, index_const, is_float,
                                   location, scalar_type, tensor_type, to_i64, to_index, empty)
from lowering.emit.generic import elementwise
from typecheck.dims import Dim
from typecheck.dtypes import DType, promote, promote_scalar
from typecheck.values import ScalarV, TensorV, Value

_ELEMENTWISE_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "maximum",
                       "minimum", "and", "or")
_COMPARE = ("lt", "le", "gt", "ge", "eq", "ne")
_UNARY = ("neg", "pos", "invert", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh",
          "sigmoid", "rsqrt", "erf")


class ExprEmitter:
    """Emits expressions against an environment of variables."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.table: dict[str, Callable[[tir.Op], Any]] = {}
        from lowering.emit import ops_shape, ops_reduce, ops_index
        for module in (ops_shape, ops_reduce, ops_index):
            self.table.update(module.handlers(self))

    # --- entry --------------------------------------------------------------------------
    def emit(self, e: tir.Expr) -> SSA:
        with location(e.loc):
            if isinstance(e, tir.Const):
                return self.const(e)
            if isinstance(e, tir.Var):
                return self.env.values[e.name]
            if isinstance(e, tir.TupleExpr):
                return tuple(self.emit(i) for i in e.items)
            if isinstance(e, tir.Op):
                return self.op(e)
        raise NotImplementedError(type(e).__name__)

    def value(self, e: tir.Expr) -> ir.Value:
        v = self.emit(e)
        assert isinstance(v, ir.Value), e
        return v

    def const(self, e: tir.Const) -> SSA:
        v = e.value
        if isinstance(v, bool):
            return arith.ConstantOp(ir.IntegerType.get_signless(1), int(v)).result
        if isinstance(v, int):
            return i64_const(v)
        if isinstance(v, float):
            return arith.ConstantOp(ir.F64Type.get(), v).result
        return ()  # static (None, dtype, ...): read by the op handlers from the IR

    # --- ops ----------------------------------------------------------------------------
    def op(self, e: tir.Op) -> SSA:
        handler = self.table.get(e.op)
        if handler is not None:
            result: SSA = handler(e)
            return result
        if e.op == "tuple_get":
            tup = self.emit(e.args[0])
            assert isinstance(tup, tuple)
            item: SSA = tup[scalars.static_int(e.args[1])]
            return item
        if isinstance(e.type, ScalarV) and all(isinstance(a.type, ScalarV) for a in e.args):
            return self.scalar_op(e)
        if e.op in _ELEMENTWISE_BINARY or e.op in _COMPARE:
            return self.binary(e)
        if e.op in _UNARY:
            return self.unary(e)
        if e.op == "where":
            return self.where(e)
        if e.op == "astype":
            return self.astype(e)
        if e.op == "select":
            c, a, b = (self.value(x) for x in e.args)
            return arith.SelectOp(c, a, b).result
        raise NotImplementedError(f"no emitter for op {e.op!r}")

    # --- scalars ------------------------------------------------------------------------
    def scalar_op(self, e: tir.Op) -> ir.Value:
        op = e.op
        args = [self.value(a) for a in e.args]
        if op == "not":
            return arith.XOrIOp(args[0], scalars.const_like(args[0].type, True)).result
        if op in ("bool_and", "bool_or"):
            cls = arith.AndIOp if op == "bool_and" else arith.OrIOp
            return cls(args[0], args[1]).result
        if op == "index_norm":
            i, n = args
            neg = arith.CmpIOp(arith.CmpIPredicate.slt, i, i64_const(0)).result
            return arith.SelectOp(neg, arith.AddIOp(i, n).result, i).result
        if op == "range_more":
            it, stop, step = args
            up = arith.CmpIOp(arith.CmpIPredicate.slt, it, stop).result
            down = arith.CmpIOp(arith.CmpIPredicate.sgt, it, stop).result
            pos = arith.CmpIOp(arith.CmpIPredicate.sgt, step, i64_const(0)).result
            return arith.SelectOp(pos, up, down).result
        if op == "scalar_cast":
            assert isinstance(e.type, ScalarV)
            return scalars.convert(args[0], scalar_type(e.type.kind))
        if op in ("scalar_min", "scalar_max", "scalar_abs"):
            assert isinstance(e.type, ScalarV)
            t = scalar_type(e.type.kind)
            vals = [scalars.convert(a, t) for a in args]
            if op == "scalar_abs":
                return scalars.unary("abs", vals[0])
            return scalars.binary("minimum" if op == "scalar_min" else "maximum", *vals)
        if op == "select":
            return arith.SelectOp(*args).result
        kinds = [a.type.kind for a in e.args]  # type: ignore[union-attr]
        assert isinstance(e.type, ScalarV)
        if op in _COMPARE:
            kind = "float" if "float" in kinds else ("int" if "int" in kinds else "bool")
        elif op == "truediv":
            kind = "float"
        else:
            kind = e.type.kind
        t = scalar_type(kind)
        vals = [scalars.convert(a, t) for a in args]
        if len(vals) == 1:
            return scalars.unary(op, vals[0])
        return scalars.binary(op, vals[0], vals[1])

    # --- elementwise --------------------------------------------------------------------
    def operand(self, e: tir.Expr, compute: ir.Type) -> tuple[ir.Value | None, ir.Value | None,
                                                             list[bool]]:
        """(tensor, None, known-1 dims) for a tensor; (None, scalar converted, []) else."""
        v = self.value(e)
        if isinstance(e.type, TensorV):
            return v, None, known_ones(e.type)
        return None, scalars.convert(v, compute), []

    def map_elements(self, args: list[tir.Expr], compute: ir.Type, out_elem: ir.Type,
                     out_rank: int, fn: Callable[[list[ir.Value]], ir.Value]) -> ir.Value:
        """Elementwise over tensor and scalar operands; each element converted to `compute`."""
        tensors: list[tuple[ir.Value, list[bool]]] = []
        statics: list[list[Dim | None]] = []
        slots: list[tuple[str, Any]] = []
        for a in args:
            t, s, ones = self.operand(a, compute)
            if t is not None:
                slots.append(("t", len(tensors)))
                tensors.append((t, ones))
                statics.append(static_dims(a.type))
            else:
                slots.append(("s", s))

        def body(elems: list[ir.Value]) -> ir.Value:
            vals = [scalars.convert(elems[x], compute) if kind == "t" else x
                    for kind, x in slots]
            return fn(vals)
        return elementwise(tensors, out_rank, out_elem, body, statics)

    def binary(self, e: tir.Op) -> ir.Value:
        a, b = e.args
        compute = compute_type(operand_dtype(a.type, b.type))
        out = e.type
        assert isinstance(out, TensorV) and out.dtype is not None
        return self.map_elements([a, b], compute, element_type(out.dtype), rank_of(out),
                                 lambda v: scalars.binary(e.op, v[0], v[1]))

    def unary(self, e: tir.Op) -> ir.Value:
        out = e.type
        assert isinstance(out, TensorV) and out.dtype is not None
        return self.map_elements([e.args[0]], compute_type(out.dtype), element_type(out.dtype),
                                 rank_of(out),
                                 lambda v: scalars.unary(e.op, v[0]))

    def where(self, e: tir.Op) -> ir.Value:
        c, a, b = e.args
        out = e.type
        assert isinstance(out, TensorV) and out.dtype is not None
        elem = compute_type(out.dtype)
        i1 = ir.IntegerType.get_signless(1)

        def body(v: list[ir.Value]) -> ir.Value:
            return arith.SelectOp(v[0], v[1], v[2]).result
        return self.map_elements_mixed([(c, i1), (a, elem), (b, elem)], element_type(out.dtype),
                                       rank_of(out), body)

    def map_elements_mixed(self, args: list[tuple[tir.Expr, ir.Type]], out_elem: ir.Type,
                           out_rank: int, fn: Callable[[list[ir.Value]], ir.Value]) -> ir.Value:
        tensors: list[tuple[ir.Value, list[bool]]] = []
        statics: list[list[Dim | None]] = []
        slots: list[tuple[str, Any, ir.Type]] = []
        for a, t in args:
            v, s, ones = self.operand(a, t)
            if v is not None:
                slots.append(("t", len(tensors), t))
                tensors.append((v, ones))
                statics.append(static_dims(a.type))
            else:
                slots.append(("s", s, t))

        def body(elems: list[ir.Value]) -> ir.Value:
            return fn([scalars.convert(elems[x], t) if k == "t" else x for k, x, t in slots])
        return elementwise(tensors, out_rank, out_elem, body, statics)

    def astype(self, e: tir.Op) -> ir.Value:
        out = e.type
        assert isinstance(out, TensorV) and out.dtype is not None
        x = e.args[0]
        assert isinstance(x.type, TensorV) and x.type.dtype is not None
        src = compute_type(x.type.dtype)
        dst = compute_type(out.dtype)
        return self.map_elements([x], src, element_type(out.dtype), rank_of(out),
                                 lambda v: scalars.convert(v[0], dst))


def rank_of(t: Value) -> int:
    assert isinstance(t, TensorV) and t.shape.var is None
    return len(t.shape.prefix)


def static_dims(t: Value) -> list[Dim | None]:
    """A tensor's dims as the checker knows them (None: unknown)."""
    assert isinstance(t, TensorV)
    return [d if isinstance(d, Dim) else None for d in t.shape.prefix]


def known_ones(t: TensorV) -> list[bool]:
    """Which dims the checker knows to be 1."""
    return [isinstance(d, Dim) and d.const_value == 1 for d in t.shape.prefix]


def operand_dtype(a: Value, b: Value) -> DType:
    """The dtype two operands are computed in (weak Python scalars take the tensor's)."""
    if isinstance(a, TensorV) and isinstance(b, TensorV):
        assert a.dtype is not None and b.dtype is not None
        return promote(a.dtype, b.dtype)
    t, s = (a, b) if isinstance(a, TensorV) else (b, a)
    assert isinstance(t, TensorV) and t.dtype is not None and isinstance(s, ScalarV)
    return promote_scalar(t.dtype, s.kind)


__all__ = ["ExprEmitter", "to_i64", "to_index", "index_const", "is_float", "tensor_type",
           "empty", "tensor"]
