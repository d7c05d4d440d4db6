"""Kernels timed by `benchmarks/compiler.py` (kernels are compiled from their source file)."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32

EPS = 1e-5


@kernel
def gelu_affine(x: Float32[Tensor, "N"], w: Float32[Tensor, "N"],
                b: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    """gelu(x * w + b), tanh approximation (as examples/mlp.py)."""
    y = x * w + b
    inner = 0.7978845608028654 * (y + 0.044715 * y * y * y)
    return 0.5 * y * (1.0 + dsl.tanh(inner))


@kernel
def softmax(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    """Softmax over the last axis (as examples/softmax.py)."""
    m = dsl.max(x, axis=1, keepdims=True)
    e = dsl.exp(x - m)
    return e / dsl.sum(e, axis=1, keepdims=True)


@kernel
def layernorm(x: Float32[Tensor, "B N"], gamma: Float32[Tensor, "N"],
              beta: Float32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    """Layer normalisation over the last axis (as examples/layernorm.py)."""
    mu = dsl.mean(x, axis=-1, keepdims=True)
    centered = x - mu
    var = dsl.mean(centered * centered, axis=-1, keepdims=True)
    return centered * dsl.rsqrt(var + EPS) * gamma + beta


@kernel
def matmul(a: Float32[Tensor, "M K"], b: Float32[Tensor, "K N"]) -> Float32[Tensor, "M N"]:
    """a @ b."""
    return a @ b


@kernel
def affine(x: Float32[Tensor, "N"], w: Float32[Tensor, "N"],
           b: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    """x * w + b (for per-call overhead on tiny inputs)."""
    return x * w + b
