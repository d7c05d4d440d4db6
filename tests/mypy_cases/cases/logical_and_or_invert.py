import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Bool[Tensor, "B N"], b: Bool[Tensor, "N"], x: Float32[Tensor, "B N"]) -> Bool[Tensor, "B N"]:
    reveal_type(a & b)  # R: bool B N
    reveal_type(a | b)  # R: bool B N
    reveal_type(~a)  # R: bool B N
    reveal_type((x > 0.0) & a)  # R: bool B N
    return ~(a | b)
