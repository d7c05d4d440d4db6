"""Kernels for the ahead-of-time tests: print, assert, scalar and tuple results, arithmetic
dims, a variadic annotation (exported with --sig)."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32, Shaped


@kernel
def report(x: Float32[Tensor, "N"], n: int, f: float, b: bool) -> None:
    print("n =", n, "f =", f, "b =", b)
    print(x, -0.25, 1e-7, 1e16, 3.0, sep=" | ", end=";\n")


@kernel
def pick(x: Float32[Tensor, "N"], i: int) -> float:
    assert i >= 0, "index must be non-negative"
    return float(x[i])


@kernel
def stats(x: Float32[Tensor, "N"], t: float) -> tuple[Float32[Tensor, "N"], float, int, bool]:
    return x * 2.0, float(dsl.sum(x)), x.shape[0], bool(dsl.max(x) > t)


@kernel
def project(x: Float32[Tensor, "B 4*D"], w: Float32[Tensor, "4*D D"]) -> Float32[Tensor, "B D"]:
    return x @ w


@kernel
def double(x: Shaped[Tensor, "*b"]) -> Shaped[Tensor, "*b"]:
    return x + x


@kernel
def first_col(x: Float32[Tensor, "N _"]) -> Float32[Tensor, "N"]:
    return x[:, 0]


@kernel
def fill(x: Float32[Tensor, "N"], n: int) -> Float32[Tensor, "n"]:
    return dsl.zeros((n,), dsl.float32) + x[0]
