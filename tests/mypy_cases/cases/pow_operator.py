import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], p: Float32[Tensor, "N"], i: Int64[Tensor, "N"]) -> None:
    reveal_type(x ** 2)  # R: float32 B N
    reveal_type(2.0 ** x)  # R: float32 B N
    reveal_type(x ** p)  # R: float32 B N
    reveal_type(i ** 2)  # R: int64 N
    y = x ** i  # E: dtype "float32"
    z = i ** 0.5  # E: dtype "int64"
