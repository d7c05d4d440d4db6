"""One decode step with a KV cache: append this position's key and value to the caches (in
place, in the caller's buffers), then attend over the first `length` positions."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def decode_step(q: Float32[Tensor, "H D"], k: Float32[Tensor, "H D"],
                v: Float32[Tensor, "H D"], cache_k: Float32[Tensor, "S H D"],
                cache_v: Float32[Tensor, "S H D"], pos: int) -> Float32[Tensor, "H D"]:
    """Write k, v at `pos`, attend q over positions 0..pos, return one vector per head."""
    cache_k[pos] = k
    cache_v[pos] = v
    length = pos + 1
    keys = dsl.permute_dims(cache_k[:length], (1, 0, 2))      # H T D
    values = dsl.permute_dims(cache_v[:length], (1, 0, 2))    # H T D
    scale = 1.0 / (q.shape[1] ** 0.5)
    scores = dsl.squeeze(keys @ dsl.expand_dims(q, axis=2), axis=2) * scale   # H T
    m = dsl.max(scores, axis=-1, keepdims=True)
    w = dsl.exp(scores - m)
    w = w / dsl.sum(w, axis=-1, keepdims=True)
    out = dsl.squeeze(dsl.expand_dims(w, axis=1) @ values, axis=1)           # H D
    return out
