"""Kernels with effects for test_effects.py: print, assert, index assignment, calls between
kernels, scalar and tuple returns, run-time errors."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import BFloat16, Bool, Float32, Int64


@kernel
def print_scalars(n: int, f: float, b: bool) -> None:
    print("n =", n, "f =", f, "b =", b)
    print(n, f, b, sep=", ", end=";\n")
    print()
    print("no newline", end="")
    print("|", 2.5, True, -7)


@kernel
def print_loop(x: Float32[Tensor, "N"]) -> None:
    for i in range(x.shape[0]):
        if x[i] > 0:
            print("pos", i, x[i], sep=":")
        else:
            print("neg", i, end=" / ")
    print("done")


@kernel
def print_tensors(x: Float32[Tensor, "R C"], m: Bool[Tensor, "R C"],
                  h: BFloat16[Tensor, "C"], k: Int64[Tensor, "C"]) -> None:
    print("x:", x)
    print("row:", x[0], "el:", x[0, 1])
    print(m)
    print(h, k, sep=" | ")
    print(dsl.sum(x))


@kernel
def check_positive(x: Float32[Tensor, "N"], i: int) -> float:
    assert i >= 0, "index must be non-negative"
    assert x[i] > 0, "value must be positive"
    return float(x[i])


@kernel
def check_plain(n: int) -> int:
    assert n < 10
    return n


@kernel
def fill_row(x: Float32[Tensor, "R C"], r: int, v: float) -> None:
    x[r] = v


@kernel
def write_region(x: Float32[Tensor, "R C"], row: Float32[Tensor, "C"], a: int, b: int) -> None:
    x[a:b] = row
    x[0, 0] = 42.0
    x[-1, 1:3] = 7.0


@kernel
def write_elems(x: Int64[Tensor, "N"]) -> None:
    for i in range(x.shape[0]):
        x[i] = x[i] * 2 + i


@kernel
def kv_append(cache: Float32[Tensor, "S D"], k: Float32[Tensor, "D"], pos: int
              ) -> Float32[Tensor, "D"]:
    cache[pos] = k
    return dsl.sum(cache[:pos + 1], axis=0)


@kernel
def read_at(x: Float32[Tensor, "N"], i: int) -> float:
    return float(x[i])


@kernel
def write_at(x: Float32[Tensor, "N"], i: int, v: float) -> None:
    x[i] = v


@kernel
def slice_sum(x: Float32[Tensor, "N"], a: int, b: int) -> float:
    return float(dsl.sum(x[a:b]))


@kernel
def floordiv(a: int, b: int) -> int:
    return a // b


@kernel
def modulo(a: int, b: int) -> int:
    return a % b


@kernel
def helper_scale(x: Float32[Tensor, "N"], s: float) -> Float32[Tensor, "N"]:
    return x * s


@kernel
def helper_write(x: Float32[Tensor, "N"], v: float) -> None:
    x[0] = v


@kernel
def helper_nested(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    y = helper_scale(x, 2.0)
    return helper_scale(y, 3.0) + 1.0


@kernel
def caller(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    y = helper_nested(x)
    helper_write(y, -1.0)
    helper_write(x, 5.0)
    return y + helper_scale(x, 0.5)


@kernel
def helper_early(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    if x[0] > 0:
        return x
    return -x


@kernel
def calls_early(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return helper_early(x)


@kernel
def ret_int(n: int) -> int:
    return n * 2 + 1


@kernel
def ret_float(x: Float32[Tensor, "N"]) -> float:
    return float(dsl.sum(x)) / 2.0


@kernel
def ret_bool(x: Float32[Tensor, "N"], t: float) -> bool:
    return bool(dsl.max(x) > t)


@kernel
def ret_tuple(x: Float32[Tensor, "N"]) -> tuple[Float32[Tensor, "N"], float, int]:
    return x + 1.0, float(dsl.sum(x)), x.shape[0]


@kernel
def only_writes(x: Float32[Tensor, "N"], y: Float32[Tensor, "N"]) -> None:
    for i in range(x.shape[0]):
        y[i] = x[i] * 3.0


@kernel
def add_rows(x: Float32[Tensor, "B N"], y: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    return x + y
