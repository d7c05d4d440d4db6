import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32

HEADS = 4


@kernel
def causal_attention(q: Float32[Tensor, "B 4 T D"], k: Float32[Tensor, "B 4 T D"],
                     v: Float32[Tensor, "B 4 T D"]) -> Float32[Tensor, "B T 4*D"]:
    t = q.shape[2]
    pos = dsl.arange(t)
    mask = dsl.expand_dims(pos, 1) >= dsl.expand_dims(pos, 0)
    reveal_type(mask)  # R: bool T T
    scores = q @ dsl.matrix_transpose(k) / (q.shape[3] ** 0.5)
    reveal_type(scores)  # R: float32 B 4 T T
    scores = dsl.where(mask, scores, -1e9)
    p = dsl.exp(scores - dsl.max(scores, axis=-1, keepdims=True))
    p = p / dsl.sum(p, axis=-1, keepdims=True)
    out = dsl.permute_dims(p @ v, (0, 2, 1, 3))
    reveal_type(out)  # R: float32 B T 4 D
    return dsl.reshape(out, (q.shape[0], t, HEADS * q.shape[3]))


@kernel
def wrong_mask(q: Float32[Tensor, "B 4 T D"], k: Float32[Tensor, "B 4 S D"]) -> None:
    pos = dsl.arange(q.shape[2])
    mask = dsl.expand_dims(pos, 1) >= dsl.expand_dims(pos, 0)
    scores = q @ dsl.matrix_transpose(k)
    scores = dsl.where(mask, scores, -1e9)  # E: shape "(T T) and (B 4 T S)"
