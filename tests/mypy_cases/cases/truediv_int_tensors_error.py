import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Int32[Tensor, "N"], b: Int32[Tensor, "N"]) -> None:
    c = a / b  # E: dtype "int32"
    d = a / 2  # E: dtype "int32"
    e = dsl.astype(a, dsl.float32) / dsl.astype(b, dsl.float32)
    reveal_type(e)  # R: float32 N
