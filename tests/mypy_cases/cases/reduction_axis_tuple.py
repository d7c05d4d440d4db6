import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "A B C"]) -> Float32[Tensor, "B"]:
    reveal_type(dsl.sum(x, axis=(0, 2)))  # R: float32 B
    reveal_type(dsl.mean(x, axis=(1, 2)))  # R: float32 A
    reveal_type(dsl.max(x, axis=(0, 2), keepdims=True))  # R: float32 1 B 1
    reveal_type(dsl.min(x, axis=(0, -1)))  # R: float32 B
    return dsl.sum(x, axis=(0, 2))
