import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], i: Int32[Tensor, "N"]) -> None:
    reveal_type(x - 1.0)  # R: float32 B N
    reveal_type(2 * x)  # R: float32 B N
    reveal_type(x * 2.5)  # R: float32 B N
    reveal_type(1.0 - x)  # R: float32 B N
    reveal_type(i + 1)  # R: int32 N
    reveal_type(3 * i)  # R: int32 N
