import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B"]:
    reveal_type(dsl.sum(x, axis=0))  # R: float32 N
    reveal_type(dsl.sum(x, axis=1))  # R: float32 B
    reveal_type(dsl.sum(x, 1))  # R: float32 B
    reveal_type(dsl.sum(x, axis=1, keepdims=True))  # R: float32 B 1
    reveal_type(dsl.sum(x, axis=0, keepdims=True))  # R: float32 1 N
    return dsl.sum(x, axis=1)
