"""A transformer MLP block: x @ W1 + b1, GELU, @ W2 + b2, with a residual connection."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def gelu(x: Float32[Tensor, "*b"]) -> Float32[Tensor, "*b"]:
    """GELU, tanh approximation."""
    inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    return 0.5 * x * (1.0 + dsl.tanh(inner))


@kernel
def mlp_block(x: Float32[Tensor, "T D"], w1: Float32[Tensor, "D 4*D"],
              b1: Float32[Tensor, "4*D"], w2: Float32[Tensor, "4*D D"],
              b2: Float32[Tensor, "D"]) -> Float32[Tensor, "T D"]:
    """x + W2(gelu(W1 x + b1)) + b2: the hidden width is four times the model width."""
    h = gelu(x @ w1 + b1)
    return x + h @ w2 + b2
