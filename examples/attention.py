"""Multi-head self-attention with HEADS heads: the model width is HEADS * head width."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32

HEADS = 4


@kernel
def split_heads(x: Float32[Tensor, "B L 4*D"]) -> Float32[Tensor, "B 4 L D"]:
    """(B, L, 4*D) -> (B, 4, L, D): the checker knows x.shape[2] // 4 is D."""
    d = x.shape[2] // HEADS
    return dsl.permute_dims(dsl.reshape(x, (x.shape[0], x.shape[1], HEADS, d)), (0, 2, 1, 3))


@kernel
def merge_heads(x: Float32[Tensor, "B 4 L D"]) -> Float32[Tensor, "B L 4*D"]:
    """(B, 4, L, D) -> (B, L, 4*D)."""
    t = dsl.permute_dims(x, (0, 2, 1, 3))
    return dsl.reshape(t, (x.shape[0], x.shape[2], HEADS * x.shape[3]))


@kernel
def attention(x: Float32[Tensor, "B L 4*D"], wq: Float32[Tensor, "4*D 4*D"],
              wk: Float32[Tensor, "4*D 4*D"], wv: Float32[Tensor, "4*D 4*D"],
              wo: Float32[Tensor, "4*D 4*D"]) -> Float32[Tensor, "B L 4*D"]:
    """softmax(Q K^T / sqrt(D)) V per head, then the output projection."""
    q = split_heads(x @ wq)
    k = split_heads(x @ wk)
    v = split_heads(x @ wv)
    scale = 1.0 / (q.shape[3] ** 0.5)
    scores = (q @ dsl.matrix_transpose(k)) * scale
    m = dsl.max(scores, axis=-1, keepdims=True)
    p = dsl.exp(scores - m)
    p = p / dsl.sum(p, axis=-1, keepdims=True)
    return merge_heads(p @ v) @ wo
