"""Scalar math functions as MLIR ops that LLVM can vectorize.

`emit_math(fn, x)` emits `fn(x)` for a scalar `x` of type f16, bf16, f32 or f64 at the current
insertion point and location, and returns the result (same type as `x`).

Why: `math.exp`, `math.log`, `math.tanh` and `math.erf` on f32 lower to scalar libm calls
(`expf`, ...) that LLVM cannot vectorize here (no vector math library is reachable through the
C API), and the `math-polynomial-approximation` pass is not in our bindings. So for f32 (and
f16/bf16, computed in f32 and rounded back) `exp`, `log`, `tanh`, `erf` and `sigmoid` are
emitted as branch-free approximations: `arith` ops, `arith.select` for the special cases, and
`math.fma` / `math.absf` / `math.copysign`, which `convert-math-to-llvm` turns into LLVM
intrinsics (`llvm.intr.fma` etc.), not calls. Measured f32 accuracy against a higher-precision
reference on the same inputs: exp, log, tanh, erf about 1 ulp, sigmoid 2.4 ulp;
`tests/compiler/test_mathfns.py` asserts 4 ulp. Special values (infinities, NaN, zeros of
either sign, overflow, denormal results and arguments) follow C's `expf`, `logf`, etc.

`sqrt`, `rsqrt` (a correctly rounded `1 / sqrt(x)`, never an approximate reciprocal
instruction), `sin`, `cos` and `abs` use `math` ops, which lower to LLVM intrinsics (sin and
cos end up as C library calls in code generation). f64 uses `math` ops for every function
(accuracy first); `sigmoid` is composed from `math.exp` in its overflow-free form.

Pass order matters to callers: run `convert-math-to-llvm` *before* `convert-math-to-libm`
(the latter is only needed for f64 `math.erf`). The other way round, `math-to-libm` turns
`math.fma` into calls to `fmaf` and fails on `math.copysign`.

Design choice: the approximations are emitted inline, not as private `func.func` helpers
called with `func.call`. Inline code vectorizes whatever the optimisation level and the LLVM
inliner's cost model decide, keeps `linalg.generic` bodies free of calls (MLIR's own linalg
vectorizer rejects `func.call`), and needs no module-level state (the insertion point may be in
a function that is not yet in a module). The price is IR size: 30 (exp) to 50 (erf) ops per
call plus their constants, each constant emitted once per call.

The polynomial coefficients were fitted offline (near-minimax by Lawson's iteratively
reweighted least squares, against mpmath references, each coefficient rounded to f32 in turn
with the later ones refitted); each block of constants names its interval and error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# The typed stubs live with the native module; `mlir.ir` re-exports the same classes but has no
# py.typed marker. Importing `mlir._mlir_libs` also registers the dialects with new contexts.
import mlir._mlir_libs._mlir.ir as ir

__all__ = ["MATH_FUNCTIONS", "emit_math"]

Value = ir.Value[ir.Type]

#: The function names `emit_math` accepts.
MATH_FUNCTIONS: frozenset[str] = frozenset(
    {"exp", "log", "tanh", "erf", "sigmoid", "sqrt", "rsqrt", "sin", "cos", "abs"}
)

# ---------------------------------------------------------------------------------------------
# Op construction. Ops are built generically (`Operation.create`) so that only the typed `ir`
# stubs are needed; the generated dialect builders have no type information.
# ---------------------------------------------------------------------------------------------

# arith.cmpf predicates (mlir::arith::CmpFPredicate).
_OEQ, _OGT, _OGE, _OLT, _ULT, _UNO = 1, 2, 3, 4, 11, 14


class _Emitter:
    """Creates ops at the current insertion point and location.

    One emitter serves one `emit_math` call and emits each distinct constant once (they are
    all created in the same block, before their uses), which keeps the IR readable before
    any CSE.
    """

    def __init__(self) -> None:
        self._constants: dict[tuple[str, str], Value] = {}

    def op(self, name: str, operands: Sequence[Value], result: ir.Type,
           attributes: dict[str, ir.Attribute] | None = None) -> Value:
        """Create op `name` and return its single result."""
        return ir.Operation.create(name, results=[result], operands=list(operands),
                                   attributes=attributes).result

    def _constant(self, ty: ir.Type, key: str, attr: Callable[[], ir.Attribute]) -> Value:
        cached = self._constants.get((str(ty), key))
        if cached is None:
            cached = self.op("arith.constant", [], ty, {"value": attr()})
            self._constants[(str(ty), key)] = cached
        return cached

    def f(self, value: float, ty: ir.Type | None = None) -> Value:
        """A float constant of type `ty` (default f32)."""
        t = ir.F32Type.get() if ty is None else ty
        # float.hex tells -0.0 from 0.0, which compare (and hash) equal.
        return self._constant(t, float.hex(value), lambda: ir.FloatAttr.get(t, value))

    def i(self, value: int) -> Value:
        """An i32 constant."""
        t = ir.IntegerType.get_signless(32)
        return self._constant(t, str(value), lambda: ir.IntegerAttr.get(t, value))

    def unary(self, name: str, a: Value) -> Value:
        return self.op(name, [a], a.type)

    def binary(self, name: str, a: Value, b: Value) -> Value:
        return self.op(name, [a, b], a.type)

    def add(self, a: Value, b: Value) -> Value:
        return self.binary("arith.addf", a, b)

    def sub(self, a: Value, b: Value) -> Value:
        return self.binary("arith.subf", a, b)

    def mul(self, a: Value, b: Value) -> Value:
        return self.binary("arith.mulf", a, b)

    def div(self, a: Value, b: Value) -> Value:
        return self.binary("arith.divf", a, b)

    def fma(self, a: Value, b: Value, c: Value) -> Value:
        """a * b + c with one rounding (`math.fma` becomes `llvm.intr.fma`)."""
        return self.op("math.fma", [a, b, c], a.type)

    def neg(self, a: Value) -> Value:
        return self.unary("arith.negf", a)

    def abs(self, a: Value) -> Value:
        return self.unary("math.absf", a)

    def copysign(self, magnitude: Value, sign: Value) -> Value:
        return self.binary("math.copysign", magnitude, sign)

    def cmp(self, predicate: int, a: Value, b: Value) -> Value:
        i64 = ir.IntegerType.get_signless(64)
        return self.op("arith.cmpf", [a, b], ir.IntegerType.get_signless(1),
                       {"predicate": ir.IntegerAttr.get(i64, predicate)})

    def select(self, cond: Value, a: Value, b: Value) -> Value:
        return self.op("arith.select", [cond, a, b], a.type)

    def as_int(self, x: Value) -> Value:
        """The bits of an f32 as an i32."""
        return self.op("arith.bitcast", [x], ir.IntegerType.get_signless(32))

    def as_float(self, n: Value) -> Value:
        """An i32 reinterpreted as an f32."""
        return self.op("arith.bitcast", [n], ir.F32Type.get())

    def horner(self, x: Value, coeffs: Sequence[float]) -> Value:
        """coeffs[0] + coeffs[1]*x + ... by Horner's rule with fused multiply-adds (f32)."""
        acc = self.f(coeffs[-1])
        for c in reversed(coeffs[:-1]):
            acc = self.fma(acc, x, self.f(c))
        return acc

    def keep_nan(self, x: Value, result: Value) -> Value:
        """`x` where it is NaN, else `result` (the clamps below map NaN to a finite value)."""
        return self.select(self.cmp(_UNO, x, x), x, result)

    def min(self, x: Value, bound: float) -> Value:
        """min(x, bound) with NaN -> bound (one x86 `minps`)."""
        b = self.f(bound)
        return self.select(self.cmp(_OLT, x, b), x, b)

    def max(self, x: Value, bound: float) -> Value:
        """max(x, bound) with NaN -> bound."""
        b = self.f(bound)
        return self.select(self.cmp(_OGT, x, b), x, b)


# ---------------------------------------------------------------------------------------------
# f32 approximations.
# ---------------------------------------------------------------------------------------------

_LOG2E = 1.4426950216293335                 # f32(log2(e))
_LN2_HI = 0.693147182464599609375           # f32(ln 2)
_LN2_LO = -1.9046542121259336e-09           # f32(ln 2 - _LN2_HI)
_ROUND_MAGIC = 12582912.0                   # 1.5 * 2**23: adding it rounds to an integer
_ROUND_MAGIC_BITS = 0x4B400000

# exp(r) = 1 + r + r^2 * P(r) on |r| <= ln2/2; max relative error 0.05 * 2**-24.
_EXP_P = (0.4999999403953552, 0.1666652113199234, 0.04166826233267784,
          0.008368670009076595, 0.0013820910826325417)

# log(1 + f) = f + f^2 * (-1/2 + f * P(f)) on sqrt(1/2) - 1 <= f < sqrt(2) - 1;
# max relative error 0.1 * 2**-24.
_LOG_P = (0.3333333134651184, -0.2500081956386566, 0.2000124156475067, -0.166234090924263,
          0.14201579988002777, -0.13159610331058502, 0.12762217223644257, -0.07636439055204391)

# tanh(x) = x + x^3 * P(x^2) on |x| < 0.625; max relative error 0.08 * 2**-24.
_TANH_SMALL = 0.625
_TANH_P = (-0.3333328068256378, 0.13331405818462372, -0.05373651534318924,
           0.02062816731631756, -0.0056922961957752705)

# erf(x) = x + x * P(x^2) on |x| < 0.875; max relative error 0.015 * 2**-24.
_ERF_SMALL = 0.875
_ERF_P = (0.12837916612625122, -0.3761262893676758, 0.11283621937036514,
          -0.026855282485485077, 0.0051906355656683445, -0.0008021723479032516,
          7.842241757316515e-05)
# erf(x) = 1 - exp(-x^2 + R(x)) on 0.875 <= x <= 4 (erf(x) rounds to 1 beyond 3.92);
# R(x) = log(erfc(x)) + x^2, fitted with weight erfc(x): max error 0.03 * 2**-24 in erf.
_ERF_BIG = 4.0
_ERF_R = (-0.00014421052765101194, -1.1278893947601318, 0.36317938566207886,
          -0.10425026714801788, 0.022381087765097618, -0.0030820206739008427,
          0.00019990549481008202)


def _exp_core(b: _Emitter, x: Value) -> Value:
    """exp(x) for x in [-104, 89] (not NaN): results overflow to inf and underflow through
    the denormals to 0 correctly."""
    k = b.fma(x, b.f(_LOG2E), b.f(_ROUND_MAGIC))      # MAGIC + round(x / ln 2)
    n = b.sub(k, b.f(_ROUND_MAGIC))
    # x - n ln2 in two steps; the first fma is exact (its result is below 0.5 in magnitude and
    # a multiple of 2**-24 here), the second rounds once.
    r = b.fma(n, b.f(-_LN2_HI), x)
    r = b.fma(n, b.f(-_LN2_LO), r)
    p = b.add(b.fma(b.horner(r, _EXP_P), b.mul(r, r), r), b.f(1.0))
    # Scale by 2^n as 2^(n/2) * 2^(n - n/2): both factors are normal floats for n in
    # [-150, 128], so results near FLT_MAX and in the denormal range are rounded once.
    ni = b.binary("arith.subi", b.as_int(k), b.i(_ROUND_MAGIC_BITS))
    n1 = b.binary("arith.shrsi", ni, b.i(1))
    n2 = b.binary("arith.subi", ni, n1)
    return b.mul(b.mul(p, _pow2(b, n1)), _pow2(b, n2))


def _pow2(b: _Emitter, n: Value) -> Value:
    """2.0**n for an i32 n in [-126, 127], built from its exponent bits."""
    biased = b.binary("arith.addi", n, b.i(127))
    return b.as_float(b.binary("arith.shli", biased, b.i(23)))


def _expf(b: _Emitter, x: Value) -> Value:
    # Beyond the clamps exp is inf (x > 88.73) or rounds to 0 (x < -103.98).
    return b.keep_nan(x, _exp_core(b, b.max(b.min(x, 89.0), -104.0)))


def _logf(b: _Emitter, x: Value) -> Value:
    # Denormals: scale into the normal range first.
    tiny = b.cmp(_OLT, x, b.f(2.0**-126))
    xs = b.select(tiny, b.mul(x, b.f(2.0**23)), x)
    e_adj = b.select(tiny, b.f(-23.0), b.f(0.0))
    # x = 2^e * m with m in [sqrt(1/2), sqrt(2)): subtracting the bits of sqrt(1/2) before
    # taking the exponent field moves the split point of the mantissa there.
    bits = b.as_int(xs)
    e_int = b.binary("arith.shrsi", b.binary("arith.subi", bits, b.i(0x3F3504F3)), b.i(23))
    m = b.as_float(b.binary("arith.subi", bits, b.binary("arith.shli", e_int, b.i(23))))
    f = b.sub(m, b.f(1.0))                              # exact (Sterbenz)
    e = b.add(b.op("arith.sitofp", [e_int], ir.F32Type.get()), e_adj)
    inner = b.fma(f, b.horner(f, _LOG_P), b.f(-0.5))
    log1p = b.fma(b.mul(f, f), inner, f)
    result = b.fma(e, b.f(_LN2_HI), b.fma(e, b.f(_LN2_LO), log1p))
    result = b.select(b.cmp(_OEQ, x, b.f(float("inf"))), x, result)
    result = b.select(b.cmp(_OEQ, x, b.f(0.0)), b.f(float("-inf")), result)
    return b.select(b.cmp(_ULT, x, b.f(0.0)), b.f(float("nan")), result)   # x < 0 or NaN


def _tanhf(b: _Emitter, x: Value) -> Value:
    a = b.abs(x)
    x2 = b.mul(x, x)
    small = b.fma(b.mul(x, x2), b.horner(x2, _TANH_P), x)    # relative accuracy down to 0
    # 1 - 2 / (exp(2|x|) + 1); tanh(10) rounds to 1, so clamping there avoids overflow.
    e = _exp_core(b, b.mul(b.min(a, 10.0), b.f(2.0)))
    big = b.sub(b.f(1.0), b.div(b.f(2.0), b.add(e, b.f(1.0))))
    # tanh is odd; copysign also makes tanh(-0) = -0 (the fma above gives +0 there).
    result = b.copysign(b.select(b.cmp(_OLT, a, b.f(_TANH_SMALL)), small, big), x)
    return b.keep_nan(x, result)


def _erff(b: _Emitter, x: Value) -> Value:
    a = b.abs(x)
    small = b.fma(x, b.horner(b.mul(x, x), _ERF_P), x)
    ac = b.min(a, _ERF_BIG)
    q = b.fma(b.neg(ac), ac, b.horner(ac, _ERF_R))     # -a^2 + R(a) with one rounding
    big = b.sub(b.f(1.0), _exp_core(b, q))
    result = b.copysign(b.select(b.cmp(_OLT, a, b.f(_ERF_SMALL)), small, big), x)
    return b.keep_nan(x, result)


def _sigmoid(b: _Emitter, x: Value, exp: Callable[[Value], Value]) -> Value:
    """1 / (1 + exp(-x)) as (x >= 0 ? 1 : e) / (1 + e) with e = exp(-|x|) <= 1: no overflow,
    and for x < 0 the result keeps exp's relative accuracy down through the denormals."""
    e = exp(b.neg(b.abs(x)))
    one = b.f(1.0, x.type)
    num = b.select(b.cmp(_OGE, x, b.f(0.0, x.type)), one, e)
    return b.keep_nan(x, b.div(num, b.add(one, e)))


def _sigmoidf(b: _Emitter, x: Value) -> Value:
    # exp(-|x|) only needs the lower clamp (NaN -> -104 here, restored by _sigmoid).
    return _sigmoid(b, x, lambda v: _exp_core(b, b.max(v, -104.0)))


def _libm_op(name: str) -> Callable[[_Emitter, Value], Value]:
    """A `math` dialect op: an LLVM intrinsic or a C library call after lowering."""
    return lambda b, x: b.unary(f"math.{name}", x)


def _rsqrt(b: _Emitter, x: Value) -> Value:
    # Not math.rsqrt: spell out the correctly rounded division.
    return b.div(b.f(1.0, x.type), b.unary("math.sqrt", x))


_COMMON: dict[str, Callable[[_Emitter, Value], Value]] = {
    "sqrt": _libm_op("sqrt"), "rsqrt": _rsqrt, "sin": _libm_op("sin"), "cos": _libm_op("cos"),
    "abs": _libm_op("absf"),
}

_F32_FNS: dict[str, Callable[[_Emitter, Value], Value]] = {
    "exp": _expf, "log": _logf, "tanh": _tanhf, "erf": _erff, "sigmoid": _sigmoidf, **_COMMON,
}

_F64_FNS: dict[str, Callable[[_Emitter, Value], Value]] = {
    **{name: _libm_op(name) for name in ("exp", "log", "tanh", "erf")},
    "sigmoid": lambda b, x: _sigmoid(b, x, lambda v: b.unary("math.exp", v)),
    **_COMMON,
}


def emit_math(fn: str, x: Value) -> Value:
    """Emit `fn(x)` at the current insertion point and location; return the result.

    `fn` is one of `MATH_FUNCTIONS`; `x` is a scalar f16, bf16, f32 or f64 value and the
    result has the same type. f16 and bf16 are computed in f32 (`arith.extf`, then
    `arith.truncf` of the f32 result; on AVX512-BF16 hosts LLVM's f32 to bf16 conversion
    flushes denormal results to zero). Raises `ValueError` for an unknown `fn` and
    `TypeError` for another type of `x`.
    """
    if fn not in MATH_FUNCTIONS:
        raise ValueError(f"emit_math: unknown function {fn!r}; expected one of "
                         f"{sorted(MATH_FUNCTIONS)}")
    ty = x.type
    b = _Emitter()
    if isinstance(ty, ir.F64Type):
        return _F64_FNS[fn](b, x)
    if isinstance(ty, ir.F32Type):
        return _F32_FNS[fn](b, x)
    if isinstance(ty, (ir.F16Type, ir.BF16Type)):
        wide = b.op("arith.extf", [x], ir.F32Type.get())
        return b.op("arith.truncf", [_F32_FNS[fn](b, wide)], ty)
    raise TypeError(f"emit_math: {fn} of a {ty} value; expected f16, bf16, f32 or f64")
