import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def decode(q: Float32[Tensor, "H D"], k: Float32[Tensor, "H D"], cache_k: Float32[Tensor, "S H D"],
           cache_v: Float32[Tensor, "S H D"], pos: int) -> Float32[Tensor, "H D"]:
    cache_k[pos] = k
    cache_v[pos] = k
    length = pos + 1
    keys = dsl.permute_dims(cache_k[:length], (1, 0, 2))
    reveal_type(keys)  # R: float32 H _ D
    scores = dsl.squeeze(keys @ dsl.expand_dims(q, axis=2), axis=2)
    reveal_type(scores)  # R: float32 H _
    w = dsl.exp(scores - dsl.max(scores, axis=-1, keepdims=True))
    w = w / dsl.sum(w, axis=-1, keepdims=True)
    values = dsl.permute_dims(cache_v[:length], (1, 0, 2))
    return dsl.squeeze(dsl.expand_dims(w, axis=1) @ values, axis=1)


@kernel
def wrong_write(k: Float32[Tensor, "H D"], cache_k: Float32[Tensor, "S H D"], pos: int) -> None:
    cache_k[pos] = k.T  # E: shape "value of shape (D H) to a slice of shape (H D)"
    cache_k[pos:pos + 2] = k
    cache_k[pos, 0] = k[0]
