import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"], i: Int32[Tensor, "N"]) -> None:
    a = x + i  # E: dtype "float32 and int32"
    b = i * x  # E: dtype "int32 and float32"
    c = x + dsl.astype(i, dsl.float32)
    reveal_type(c)  # R: float32 N
