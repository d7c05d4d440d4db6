"""Element-level arithmetic: one scalar op on MLIR values of one element type.

Used for Python scalars (i64/f64/i1) and inside `linalg.generic` bodies (any dtype). Integer
division and modulo follow Python (floor) semantics and never trap: a zero divisor gives 0 (as
numpy does for arrays; Python-int divisions are checked before by the front end).
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, math

from lowering.emit.context import is_bool, is_float


def static_int(e: object) -> int:
    """The int value of a constant (`tir.Const`) argument of an op (an axis, an index)."""
    value = getattr(e, "value", None)
    assert isinstance(value, int), e
    return value


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
        if isinstance(to, ir.BF16Type) and _width(src) == 64:
            # no f64 -> bf16 truncation in the runtime libraries: round through f32 (as
            # ml_dtypes does)
            v = arith.TruncFOp(ir.F32Type.get(), v).result
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
        if op in ("floordiv", "mod"):
            return _float_divmod(op, a, b)
        if op == "pow":
            return _float_pow(a, b)
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


def _float_pow(x: ir.Value, y: ir.Value) -> ir.Value:
    """C's `pow` (as numpy): `|x| ** y` with the sign of x for an odd integral y, NaN for a
    negative x and a non-integral y, `x ** 0 == 1 ** y == 1`, `0 ** -y == inf`. f16/bf16 are
    computed in f32 and rounded once. (`math.powf` alone is expanded to `exp(y * log(x))`,
    which is NaN for every negative x and for `0 ** 0`.)"""
    t = x.type
    if isinstance(t, (ir.F16Type, ir.BF16Type)):
        f32 = ir.F32Type.get()
        wide = _float_pow(arith.ExtFOp(f32, x).result, arith.ExtFOp(f32, y).result)
        return arith.TruncFOp(t, wide).result
    zero, one = const_like(t, 0.0), const_like(t, 1.0)
    ax = math.AbsFOp(x).result
    r = math.PowFOp(ax, y).result
    # x == 0: 0 for y > 0, inf for y < 0
    x_zero = arith.CmpFOp(arith.CmpFPredicate.OEQ, ax, zero).result
    y_pos = arith.CmpFOp(arith.CmpFPredicate.OGT, y, zero).result
    inf = const_like(t, float("inf"))
    r = arith.SelectOp(x_zero, arith.SelectOp(y_pos, zero, inf).result, r).result
    # negative x (-0.0 included): the sign of an odd integral power, else NaN
    neg = arith.CmpFOp(arith.CmpFPredicate.OLT, math.CopySignOp(one, x).result, zero).result
    integral = arith.CmpFOp(arith.CmpFPredicate.OEQ, math.FloorOp(y).result, y).result
    odd = arith.CmpFOp(arith.CmpFPredicate.UNE, arith.RemFOp(y, const_like(t, 2.0)).result,
                       zero).result
    odd = arith.AndIOp(integral, odd).result
    signed = arith.SelectOp(odd, arith.NegFOp(r).result, r).result
    # a zero base is never NaN (a non-integral power of -0.0 is +0 or +inf)
    bad = arith.AndIOp(neg, arith.XOrIOp(integral, const_like(integral.type, True)).result
                       ).result
    bad = arith.AndIOp(bad, arith.XOrIOp(x_zero, const_like(x_zero.type, True)).result).result
    nan = const_like(t, float("nan"))
    r = arith.SelectOp(neg, arith.SelectOp(bad, nan, signed).result, r).result
    # y == 0 or x == 1: exactly 1 (even for NaN)
    y_zero = arith.CmpFOp(arith.CmpFPredicate.OEQ, y, zero).result
    x_one = arith.CmpFOp(arith.CmpFPredicate.OEQ, x, one).result
    return arith.SelectOp(arith.OrIOp(y_zero, x_one).result, one, r).result


def _float_divmod(op: str, a: ir.Value, b: ir.Value) -> ir.Value:
    """Python's (and numpy's) float `a // b` and `a % b`: `mod = fmod(a, b)` moved to the
    sign of b, `div = round((a - mod) / b)`; f16/bf16 are computed in f32 and rounded once."""
    t = a.type
    if isinstance(t, (ir.F16Type, ir.BF16Type)):
        f32 = ir.F32Type.get()
        wide = _float_divmod(op, arith.ExtFOp(f32, a).result, arith.ExtFOp(f32, b).result)
        return arith.TruncFOp(t, wide).result
    zero = const_like(t, 0.0)
    mod = arith.RemFOp(a, b).result
    mod_nz = arith.CmpFOp(arith.CmpFPredicate.UNE, mod, zero).result
    mod_neg = arith.CmpFOp(arith.CmpFPredicate.OLT, mod, zero).result
    b_neg = arith.CmpFOp(arith.CmpFPredicate.OLT, b, zero).result
    fix = arith.AndIOp(mod_nz, arith.XOrIOp(mod_neg, b_neg).result).result
    if op == "mod":
        fixed = arith.SelectOp(fix, arith.AddFOp(mod, b).result, mod).result
        # a zero result takes the sign of b
        signed_zero = math.CopySignOp(zero, b).result
        return arith.SelectOp(mod_nz, fixed, signed_zero).result
    div = arith.DivFOp(arith.SubFOp(a, mod).result, b).result
    div = arith.SelectOp(fix, arith.SubFOp(div, const_like(t, 1.0)).result, div).result
    floor = math.FloorOp(div).result
    up = arith.CmpFOp(arith.CmpFPredicate.OGT, arith.SubFOp(div, floor).result,
                      const_like(t, 0.5)).result
    floor = arith.SelectOp(up, arith.AddFOp(floor, const_like(t, 1.0)).result, floor).result
    # div == 0: the quotient is a zero with the sign of a / b
    div_nz = arith.CmpFOp(arith.CmpFPredicate.UNE, div, zero).result
    signed = math.CopySignOp(zero, arith.DivFOp(a, b).result).result
    quotient = arith.SelectOp(div_nz, floor, signed).result
    # b == 0: a / b (inf or nan), as numpy
    b_zero = arith.CmpFOp(arith.CmpFPredicate.OEQ, b, zero).result
    return arith.SelectOp(b_zero, arith.DivFOp(a, b).result, quotient).result


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
