import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], m: Bool[Tensor, "N"]) -> Int32[Tensor, "B"]:
    a = dsl.argmax(m, axis=0)  # E: dtype "bool"
    b = dsl.argmax(x, axis=3)  # E: shape "axis 3"
    return dsl.argmax(x, axis=1)  # E: dtype "int64"
