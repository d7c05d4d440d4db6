import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Int32[Tensor, "N"], b: Int64[Tensor, "N"], c: Int8[Tensor, "N"]) -> Int64[Tensor, "N"]:
    reveal_type(a + b)  # R: int64 N
    reveal_type(c * a)  # R: int32 N
    reveal_type(c - b)  # R: int64 N
    return a + b
