import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], c: Float32[Tensor, "B N"], m: Bool[Tensor, "M"], i: Int32[Tensor, "B N"]) -> None:
    a = dsl.where(c, x, 0.0)  # E: dtype "float32"
    b = dsl.where(m, x, 0.0)  # E: shape "(M) and (B N)"
    d = dsl.where(x > 0.0, x, i)  # E: dtype "float32 and int32"
