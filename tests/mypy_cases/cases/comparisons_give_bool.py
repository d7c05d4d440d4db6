import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], y: Float32[Tensor, "N"]) -> Bool[Tensor, "B N"]:
    reveal_type(x < y)  # R: bool B N
    reveal_type(x <= 0.0)  # R: bool B N
    reveal_type(x > y)  # R: bool B N
    reveal_type(x >= 1)  # R: bool B N
    reveal_type(x == y)  # R: bool B N
    reveal_type(x != y)  # R: bool B N
    return x > y
