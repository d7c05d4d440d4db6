import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Int32[Tensor, "N"], b: Int64[Tensor, "N"]) -> Int32[Tensor, "N"]:
    acc = a
    acc += b  # E: dtype "int32 but `+=` makes it int64"
    return acc
