"""Element-level arithmetic: one scalar op on MLIR values of one element type.

Used for Python scalars (i64/f64/i1) and inside `linalg.generic` bodies (any dtype). Integer
division and modulo follow Python (floor) semantics and never trap: a zero divisor gives 0 (as
numpy does for arrays; Python-int divisions are checked before by the front end).
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, math

from lowering.emit.context import is_bool, is_float


def const_like(t: ir.Type, value: float | int | bool) -> ir.Value:
    """A constant of element type `t`."""
    if is_float(t):
        return arith.ConstantOp(t, float(value)).result
    if is_bool(t):
        return arith.ConstantOp(t, 1 if value else 0).result
    return arith.ConstantOp(t, int(value)).result


def convert(v: ir.Value, to: ir.Type) -> ir.Value:
    """Numeric conversion between element types (astype semantics; to bool is `!= 0`)."""
    src = v.type
    if src == to:
        return v
    if is_bool(to):
        zero = const_like(src, 0)
        if is_float(src):
            return arith.CmpFOp(arith.CmpFPredicate.UNE, v, zero).result
        return arith.CmpIOp(arith.CmpIPredicate.ne, v, zero).result
    if is_float(src) and is_float(to):
        if _width(src) < _width(to) or (_width(src) == _width(to) and _width(src) == 16):
            if _width(src) == _width(to):  # f16 <-> bf16 through f32
                return arith.TruncFOp(to, arith.ExtFOp(ir.F32Type.get(), v).result).result
            return arith.ExtFOp(to, v).result
        return arith.TruncFOp(to, v).result
    if is_float(to):
        if is_bool(src):
            return arith.UIToFPOp(to, v).result
        return arith.SIToFPOp(to, v).result
    if is_float(src):
        return arith.FPToSIOp(to, v).result
    if is_bool(src):
        return arith.ExtUIOp(to, v).result
    if _width(src) < _width(to):
        return arith.ExtSIOp(to, v).result
    return arith.TruncIOp(to, v).result


def _width(t: ir.Type) -> int:
    if isinstance(t, (ir.F16Type, ir.BF16Type)):
        return 16
    if isinstance(t, ir.F32Type):
        return 32
    if isinstance(t, ir.F64Type):
        return 64
    return int(ir.IntegerType(t).width)


_FLOAT_BIN = {"add": arith.AddFOp, "sub": arith.SubFOp, "mul": arith.MulFOp,
              "truediv": arith.DivFOp, "maximum": arith.MaximumFOp,
              "minimum": arith.MinimumFOp}
_INT_BIN = {"add": arith.AddIOp, "sub": arith.SubIOp, "mul": arith.MulIOp,
            "maximum": arith.MaxSIOp, "minimum": arith.MinSIOp, "and": arith.AndIOp,
            "or": arith.OrIOp}
_FCMP = {"lt": arith.CmpFPredicate.OLT, "le": arith.CmpFPredicate.OLE,
         "gt": arith.CmpFPredicate.OGT, "ge": arith.CmpFPredicate.OGE,
         "eq": arith.CmpFPredicate.OEQ, "ne": arith.CmpFPredicate.UNE}
_UCMP = {"lt": arith.CmpIPredicate.ult, "le": arith.CmpIPredicate.ule,
         "gt": arith.CmpIPredicate.ugt, "ge": arith.CmpIPredicate.uge,
         "eq": arith.CmpIPredicate.eq, "ne": arith.CmpIPredicate.ne}
_ICMP = {"lt": arith.CmpIPredicate.slt, "le": arith.CmpIPredicate.sle,
         "gt": arith.CmpIPredicate.sgt, "ge": arith.CmpIPredicate.sge,
         "eq": arith.CmpIPredicate.eq, "ne": arith.CmpIPredicate.ne}


def binary(op: str, a: ir.Value, b: ir.Value) -> ir.Value:
    """`a op b` on two values of one element type."""
    t = a.type
    if op in _FCMP:
        if is_float(t):
            return arith.CmpFOp(_FCMP[op], a, b).result
        if is_bool(t):
            return arith.CmpIOp(_UCMP[op], a, b).result
        return arith.CmpIOp(_ICMP[op], a, b).result
    if is_float(t):
        if op in _FLOAT_BIN:
            return _FLOAT_BIN[op](a, b).result
        if op == "floordiv":
            return math.FloorOp(arith.DivFOp(a, b).result).result
        if op == "mod":
            return _float_mod(a, b)
        if op == "pow":
            return math.PowFOp(a, b).result
        raise NotImplementedError(op)
    if op in _INT_BIN:
        if is_bool(t) and op == "add":
            return arith.OrIOp(a, b).result
        return _INT_BIN[op](a, b).result
    if op in ("floordiv", "mod"):
        return _int_divmod(op, a, b)
    if op == "pow":
        return math.IPowIOp(a, b).result
    raise NotImplementedError(op)


def _float_mod(a: ir.Value, b: ir.Value) -> ir.Value:
    """Python's `a % b` for floats: the result has the sign of b."""
    r = arith.RemFOp(a, b).result
    zero = const_like(a.type, 0.0)
    r_neg = arith.CmpFOp(arith.CmpFPredicate.OLT, r, zero).result
    b_neg = arith.CmpFOp(arith.CmpFPredicate.OLT, b, zero).result
    r_nz = arith.CmpFOp(arith.CmpFPredicate.ONE, r, zero).result
    fix = arith.AndIOp(r_nz, arith.XOrIOp(r_neg, b_neg).result).result
    return arith.SelectOp(fix, arith.AddFOp(r, b).result, r).result


def _int_divmod(op: str, a: ir.Value, b: ir.Value) -> ir.Value:
    """Floor division / modulo that never traps (0 for a zero divisor; wraps at INT_MIN/-1)."""
    t = a.type
    zero, one, minus1 = const_like(t, 0), const_like(t, 1), const_like(t, -1)
    is_zero = arith.CmpIOp(arith.CmpIPredicate.eq, b, zero).result
    is_m1 = arith.CmpIOp(arith.CmpIPredicate.eq, b, minus1).result
    safe_b = arith.SelectOp(arith.OrIOp(is_zero, is_m1).result, one, b).result
    if op == "floordiv":
        q = arith.FloorDivSIOp(a, safe_b).result
        q = arith.SelectOp(is_m1, arith.SubIOp(zero, a).result, q).result
        return arith.SelectOp(is_zero, zero, q).result
    r = arith.RemSIOp(a, safe_b).result
    r_nz = arith.CmpIOp(arith.CmpIPredicate.ne, r, zero).result
    sign_differs = arith.XOrIOp(arith.CmpIOp(arith.CmpIPredicate.slt, r, zero).result,
                                arith.CmpIOp(arith.CmpIPredicate.slt, safe_b, zero).result).result
    r = arith.SelectOp(arith.AndIOp(r_nz, sign_differs).result, arith.AddIOp(r, safe_b).result,
                       r).result
    return arith.SelectOp(arith.OrIOp(is_zero, is_m1).result, zero, r).result


def unary(op: str, x: ir.Value) -> ir.Value:
    """`neg`, `pos`, `invert`, `abs` and the float functions."""
    t = x.type
    if op == "pos":
        return x
    if op == "neg":
        if is_float(t):
            return arith.NegFOp(x).result
        return arith.SubIOp(const_like(t, 0), x).result
    if op == "invert":
        return arith.XOrIOp(x, const_like(t, True) if is_bool(t) else const_like(t, -1)).result
    if op == "abs":
        if is_float(t):
            return math.AbsFOp(x).result
        if is_bool(t):
            return x
        return math.AbsIOp(x).result
    from lowering.emit.math_bridge import float_function
    return float_function(op, x)


def select(c: ir.Value, a: ir.Value, b: ir.Value) -> ir.Value:
    return arith.SelectOp(c, a, b).result
