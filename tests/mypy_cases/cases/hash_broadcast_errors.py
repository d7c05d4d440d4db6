import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "#B N"], y: Float32[Tensor, "C N"], z: Float32[Tensor, "B M"]) -> Float32[Tensor, "B N"]:
    a = x + y  # E: shape "(#B N) and (C N)"
    b = x + z  # E: shape "(#B N) and (B M)"
    return x  # E: shape "(#B N)"
