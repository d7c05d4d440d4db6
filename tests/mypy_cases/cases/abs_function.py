import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], i: Int32[Tensor, "N"], m: Bool[Tensor, "N"]) -> None:
    reveal_type(dsl.abs(x))  # R: float32 B N
    reveal_type(dsl.abs(i))  # R: int32 N
    a = dsl.abs(m)  # E: dtype "bool"
