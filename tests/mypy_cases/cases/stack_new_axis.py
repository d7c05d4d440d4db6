import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "B N"], b: Float32[Tensor, "B N"]) -> Float32[Tensor, "B 2 N"]:
    reveal_type(dsl.stack([a, b]))  # R: float32 2 B N
    reveal_type(dsl.stack([a, b, a], axis=-1))  # R: float32 B N 3
    return dsl.stack([a, b], axis=1)
