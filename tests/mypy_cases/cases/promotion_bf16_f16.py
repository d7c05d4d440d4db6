import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(b: BFloat16[Tensor, "N"], h: Float16[Tensor, "N"]) -> Float32[Tensor, "N"]:
    reveal_type(b + h)  # R: float32 N
    reveal_type(h - b)  # R: float32 N
    reveal_type(b * b)  # R: bfloat16 N
    return b * h
