"""Kernels for the cache tests (compiled in subprocesses too)."""

import dsl
from dsl import Float32, Tensor


@dsl.kernel
def scale_add(x: Float32[Tensor, "N"], y: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return x * 2.0 + y
