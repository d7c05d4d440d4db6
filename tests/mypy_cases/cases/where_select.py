import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], y: Float32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    reveal_type(dsl.where(x > 0.0, x, y))  # R: float32 B N
    reveal_type(dsl.where(y > 0.0, y, 0.0))  # R: float32 N
    reveal_type(dsl.where(y > 0.0, 1.0, x))  # R: float32 B N
    return dsl.where(x > y, x, y)
