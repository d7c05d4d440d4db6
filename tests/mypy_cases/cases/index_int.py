import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], i: int, j: int) -> Float32[Tensor, "N"]:
    reveal_type(x[0])  # R: float32 N
    reveal_type(x[i])  # R: float32 N
    reveal_type(x[i, j])  # R: float32
    reveal_type(x[-1, 0])  # R: float32
    return x[i]
