import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, ""]:
    reveal_type(dsl.sum(x))  # R: float32
    reveal_type(dsl.sum(x, axis=None))  # R: float32
    reveal_type(dsl.sum(x, axis=None, keepdims=True))  # R: float32 1 1
    return dsl.sum(x)
