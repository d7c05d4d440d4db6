"""Kernels whose IR test_ir_filecheck.py checks with FileCheck."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def chain(x: Float32[Tensor, "N"], y: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return dsl.exp(x * 2.0 + y) - 1.0


@kernel
def row_sum(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B"]:
    return dsl.sum(x, axis=1)


@kernel
def loop(x: Float32[Tensor, "N"], n: int) -> Float32[Tensor, "N"]:
    for _ in range(n):
        x = x * 0.5
    return x


@kernel
def breaks(x: Float32[Tensor, "N"]) -> int:
    k = 0
    for i in range(x.shape[0]):
        if x[i] < 0:
            break
        k += 1
    return k


@kernel
def branch(x: Float32[Tensor, "N"], t: float) -> Float32[Tensor, "N"]:
    if t > 0.0:
        y = x + t
    else:
        y = x - t
    return y


@kernel
def writes(x: Float32[Tensor, "R C"], row: Float32[Tensor, "C"], i: int) -> None:
    x[i] = row
    x[0, 0] = 1.0


@kernel
def exp_only(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return dsl.exp(x)
