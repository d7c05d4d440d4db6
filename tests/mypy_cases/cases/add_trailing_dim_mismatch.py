import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], b: Float32[Tensor, "M"]) -> Float32[Tensor, "B N"]:
    y = x + b  # E: shape "(B N) and (M)"
    return x
