import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


def gelu(x: Float32[Tensor, "*b N"]) -> Float32[Tensor, "*b N"]:
    return 0.5 * x * (1.0 + dsl.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


def layernorm(x: Float32[Tensor, "*b D"], g: Float32[Tensor, "D"], eps: float) -> Float32[Tensor, "*b D"]:
    mu = dsl.mean(x, axis=-1, keepdims=True)
    var = dsl.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) * dsl.rsqrt(var + eps) * g


@kernel
def block(x: Float32[Tensor, "B T D"], g: Float32[Tensor, "D"], w1: Float32[Tensor, "D 4*D"],
          w2: Float32[Tensor, "4*D D"]) -> Float32[Tensor, "B T D"]:
    h = layernorm(x, g, 1e-5)
    reveal_type(h)  # R: float32 B T D
    u = gelu(h @ w1)
    reveal_type(u)  # R: float32 B T 4*D
    return x + u @ w2


@kernel
def wrong_block(x: Float32[Tensor, "B T D"], g: Float32[Tensor, "D"], w1: Float32[Tensor, "D 4*D"]) -> Float32[Tensor, "B T D"]:
    u = gelu(layernorm(x, g, 1e-5) @ w1)
    return x + u  # E: shape "(B T D) and (B T 4*D)"


def wrong_helper(x: Float32[Tensor, "*b D"]) -> Float32[Tensor, "*b D"]:
    return dsl.mean(x, axis=-1)  # E: shape "the return value has shape (*b) but the annotation says (*b D)"
