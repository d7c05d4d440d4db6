"""Elementwise kernels for the differential tests (compiled vs `dsl.eager`).

Each kernel is generic over the dtype (`Shaped`) so that one kernel covers every dtype; the
compiler specialises it per dtype and rank.
"""

import dsl
from dsl import Bool, Tensor, kernel
from jaxtyping import Shaped

T2 = Shaped[Tensor, "A B"]


@kernel
def arith(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]) -> tuple[T2, T2, T2, T2, T2]:
    return x + y, x - y, x * y, dsl.maximum(x, y), dsl.minimum(x, y)


@kernel
def truediv(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]) -> Shaped[Tensor, "A B"]:
    return x / y


@kernel
def floordiv_mod(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]) -> tuple[T2, T2]:
    return x // y, x % y


@kernel
def power(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]) -> Shaped[Tensor, "A B"]:
    return x ** y


@kernel
def compare(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]
            ) -> tuple[Bool[Tensor, "A B"], Bool[Tensor, "A B"], Bool[Tensor, "A B"],
                       Bool[Tensor, "A B"], Bool[Tensor, "A B"], Bool[Tensor, "A B"]]:
    return x < y, x <= y, x > y, x >= y, x == y, x != y


@kernel
def logical(x: Bool[Tensor, "A B"], y: Bool[Tensor, "A B"]
            ) -> tuple[Bool[Tensor, "A B"], Bool[Tensor, "A B"], Bool[Tensor, "A B"]]:
    return x & y, x | y, ~x


@kernel
def negate(x: Shaped[Tensor, "A B"]) -> tuple[T2, T2]:
    return -x, dsl.abs(x)


@kernel
def float_fns(x: Shaped[Tensor, "A B"], p: Shaped[Tensor, "A B"]
              ) -> tuple[T2, T2, T2, T2, T2, T2, T2, T2, T2, T2]:
    """`p` is positive: log, sqrt, rsqrt."""
    return (dsl.exp(x), dsl.sin(x), dsl.cos(x), dsl.tanh(x), dsl.sigmoid(x), dsl.erf(x),
            dsl.abs(x), dsl.log(p), dsl.sqrt(p), dsl.rsqrt(p))


@kernel
def weak_float(x: Shaped[Tensor, "A B"], s: float, n: int
               ) -> tuple[T2, T2, T2, T2, T2, T2, T2, T2, T2, T2]:
    return (x * 2.5, 2 - x, x + 3, 1.5 / (dsl.abs(x) + 1), -0.5 * x, x * s, x + n, s - x,
            x ** 2, dsl.abs(x) ** 0.5)


@kernel
def weak_int(x: Shaped[Tensor, "A B"], n: int) -> tuple[T2, T2, T2, T2, T2, T2, T2, T2, T2]:
    return x * 3, 2 - x, x // 3, x % -3, -x + 1, x * n, n - x, x // n, x ** 2


@kernel
def bcast(x: Shaped[Tensor, "A B"], r: Shaped[Tensor, "B"], c: Shaped[Tensor, "A 1"],
          o: Shaped[Tensor, "1 B"], x3: Shaped[Tensor, "C A B"]
          ) -> tuple[T2, T2, T2, T2, T2, Shaped[Tensor, "C A B"]]:
    return x + r, r * x, x - c, dsl.maximum(c, x), c * o, x3 - c


@kernel
def unknown_dims(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "_ _"]) -> Shaped[Tensor, "A B"]:
    return x + y


@kernel
def unknown_cmp(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "_ B"]) -> Bool[Tensor, "A B"]:
    return x < y


@kernel
def unknown_max(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A _"]) -> Shaped[Tensor, "A B"]:
    return dsl.maximum(x, y)


@kernel
def unknown_where(c: Bool[Tensor, "_ B"], x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A _"]
                  ) -> Shaped[Tensor, "A B"]:
    return dsl.where(c, x, y)


@kernel
def broadcastable(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "#A B"]) -> Shaped[Tensor, "A B"]:
    return x * y


@kernel
def where(c: Bool[Tensor, "A B"], x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]
          ) -> Shaped[Tensor, "A B"]:
    return dsl.where(c, x, y)


@kernel
def where_bcast(c: Bool[Tensor, "A 1"], x: Shaped[Tensor, "B"], y: Shaped[Tensor, "A B"]
                ) -> tuple[T2, T2]:
    return dsl.where(c, x, y), dsl.where(c, y, 0)


@kernel
def astype_all(x: Shaped[Tensor, "A B"]) -> tuple[
        Shaped[Tensor, "A B"], Shaped[Tensor, "A B"], Shaped[Tensor, "A B"],
        Shaped[Tensor, "A B"], Shaped[Tensor, "A B"], Shaped[Tensor, "A B"],
        Shaped[Tensor, "A B"], Shaped[Tensor, "A B"]]:
    return (dsl.astype(x, dsl.float16), dsl.astype(x, dsl.bfloat16),
            dsl.astype(x, dsl.float32), dsl.astype(x, dsl.float64), dsl.astype(x, dsl.int8),
            dsl.astype(x, dsl.int32), dsl.astype(x, dsl.int64), dsl.astype(x, dsl.bool))


@kernel
def mixed_promote(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]) -> tuple[T2, T2]:
    return x + y, x * y


@kernel
def ranks01(x: Shaped[Tensor, "N"], y: Shaped[Tensor, "N"], u: Shaped[Tensor, ""],
            v: Shaped[Tensor, ""]) -> tuple[Shaped[Tensor, "N"], Shaped[Tensor, ""]]:
    return x * y - x, u * v + u


@kernel
def scalar_mix(x: Shaped[Tensor, "A B"], c: Bool[Tensor, "A B"]) -> tuple[
        Bool[Tensor, "A B"], Bool[Tensor, "A B"], Bool[Tensor, "A B"], T2, T2, T2]:
    return x < 1, 2 >= x, x == 0, dsl.where(c, 1, x), dsl.maximum(x, 0), dsl.minimum(2, x)


@kernel
def where_promote(c: Bool[Tensor, "A B"], x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "A B"]
                  ) -> Shaped[Tensor, "A B"]:
    return dsl.where(c, x, y)


@kernel
def pow_param(x: Shaped[Tensor, "A B"], n: int) -> tuple[T2, T2]:
    return x ** n, 2 ** x


@kernel
def astype_bool_float(x: Shaped[Tensor, "A B"]) -> tuple[
        Shaped[Tensor, "A B"], Shaped[Tensor, "A B"], Shaped[Tensor, "A B"],
        Shaped[Tensor, "A B"], Shaped[Tensor, "A B"]]:
    return (dsl.astype(x, dsl.bool), dsl.astype(x, dsl.float16), dsl.astype(x, dsl.bfloat16),
            dsl.astype(x, dsl.float32), dsl.astype(x, dsl.float64))


@kernel
def unknown_chain(x: Shaped[Tensor, "A B"], y: Shaped[Tensor, "_ _"], z: Shaped[Tensor, "_ 1"]
                  ) -> Shaped[Tensor, "A B"]:
    return dsl.where(x == y, z, y)
