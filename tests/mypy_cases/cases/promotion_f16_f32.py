import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(h: Float16[Tensor, "N"], x: Float32[Tensor, "N"], d: Float64[Tensor, "N"]) -> Float32[Tensor, "N"]:
    reveal_type(h + x)  # R: float32 N
    reveal_type(x * h)  # R: float32 N
    reveal_type(x + d)  # R: float64 N
    reveal_type(h * 2.0)  # R: float16 N
    return h + x
