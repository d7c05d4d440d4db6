import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def softmax(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    m = dsl.max(x, axis=1, keepdims=True)
    reveal_type(m)  # R: float32 B 1
    e = dsl.exp(x - m)
    s = dsl.sum(e, axis=1, keepdims=True)
    reveal_type(e / s)  # R: float32 B N
    return e / s
