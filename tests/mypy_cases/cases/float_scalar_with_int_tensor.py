import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(i: Int32[Tensor, "N"]) -> None:
    a = i + 1.5  # E: dtype "int32"
    b = 0.5 * i  # E: dtype "int32"
    reveal_type(i + 1)  # R: int32 N
    m = 0.5 < i  # E: dtype "int32"
    reveal_type(1 < i)  # R: bool N
    k = i > 0.5  # E: dtype "int32"
