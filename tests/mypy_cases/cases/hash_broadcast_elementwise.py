import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "#B N"], y: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    reveal_type(x)  # R: float32 #B N
    reveal_type(x + y)  # R: float32 B N
    reveal_type(y * x)  # R: float32 B N
    reveal_type(x + x)  # R: float32 #B N
    return x + y
