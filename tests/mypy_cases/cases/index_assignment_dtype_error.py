import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(i: Int32[Tensor, "N"], x: Float32[Tensor, "N"], h: Float16[Tensor, "N"]) -> None:
    i[0] = 1.5  # E: dtype "int32"
    i[:] = x  # E: dtype "int32 and float32"
    h[:] = x  # E: dtype "float32 value into a float16"
    x[:] = h
    x[0] = 2
