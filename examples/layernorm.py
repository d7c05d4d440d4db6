"""Layer normalisation over the last axis, with a learned scale and shift."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32

EPS = 1e-5


@kernel
def layernorm(x: Float32[Tensor, "B N"], gamma: Float32[Tensor, "N"],
              beta: Float32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    """(x - mean) / sqrt(var + eps) * gamma + beta, per row."""
    mu = dsl.mean(x, axis=-1, keepdims=True)
    centered = x - mu
    var = dsl.mean(centered * centered, axis=-1, keepdims=True)
    return centered * dsl.rsqrt(var + EPS) * gamma + beta
