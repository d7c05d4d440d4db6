"""Float functions on one element: our vectorizable approximations when available
(`lowering.emit.mathfns`), else the `math` dialect."""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, math

_MATH = {"exp": math.ExpOp, "log": math.LogOp, "sqrt": math.SqrtOp, "sin": math.SinOp,
         "cos": math.CosOp, "tanh": math.TanhOp, "rsqrt": math.RsqrtOp, "erf": math.ErfOp}


def float_function(op: str, x: ir.Value) -> ir.Value:
    """`op(x)` for a float element."""
    try:
        from lowering.emit.mathfns import emit_math
    except ImportError:
        emit_math = None
    if emit_math is not None:
        result: ir.Value = emit_math(op, x)
        return result
    if op == "sigmoid":
        one = arith.ConstantOp(x.type, 1.0).result
        e = math.ExpOp(arith.NegFOp(x).result).result
        return arith.DivFOp(one, arith.AddFOp(one, e).result).result
    if op == "rsqrt":
        one = arith.ConstantOp(x.type, 1.0).result
        return arith.DivFOp(one, math.SqrtOp(x).result).result
    return _MATH[op](x).result
