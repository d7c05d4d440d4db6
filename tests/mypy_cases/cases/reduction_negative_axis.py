import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B T D"]) -> Float32[Tensor, "B T 1"]:
    reveal_type(dsl.max(x, axis=-1))  # R: float32 B T
    reveal_type(dsl.min(x, axis=-2))  # R: float32 B D
    reveal_type(dsl.mean(x, axis=-3))  # R: float32 T D
    return dsl.max(x, axis=-1, keepdims=True)
