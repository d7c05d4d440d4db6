import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], b: Float32[Tensor, "N"], s: Float32[Tensor, "B 1"]) -> Float32[Tensor, "B N"]:
    reveal_type(x + b)  # R: float32 B N
    reveal_type(b + x)  # R: float32 B N
    reveal_type(s + b)  # R: float32 B N
    reveal_type(x - s)  # R: float32 B N
    return x + b - s
