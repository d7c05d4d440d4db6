import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "N"]:
    acc = dsl.zeros((x.shape[1],), dsl.float32)
    acc += x  # E: shape "`+=` makes it shape (B N)"
    return acc
