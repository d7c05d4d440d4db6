import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"], i: Int32[Tensor, "N"]) -> None:
    m = x < i  # E: dtype "float32 and int32"
