import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Int32[Tensor, "B N"], b: Int32[Tensor, "N"]) -> Int32[Tensor, "B N"]:
    reveal_type(a // b)  # R: int32 B N
    reveal_type(a % 3)  # R: int32 B N
    reveal_type(7 // a)  # R: int32 B N
    return a // b + a % b
