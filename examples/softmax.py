"""Row-wise softmax, numerically stable: the kernel from the language contract."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def softmax(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    """Softmax over the last axis of a batch of rows."""
    m = dsl.max(x, axis=1, keepdims=True)
    e = dsl.exp(x - m)
    return e / dsl.sum(e, axis=1, keepdims=True)
