import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], b: Float32[Tensor, "N"], i: Int32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    reveal_type(dsl.maximum(x, b))  # R: float32 B N
    reveal_type(dsl.minimum(b, x))  # R: float32 B N
    reveal_type(dsl.maximum(x, 0.0))  # R: float32 B N
    reveal_type(dsl.minimum(i, 3))  # R: int32 N
    a = dsl.maximum(x, i)  # E: dtype "float32 and int32"
    return dsl.maximum(x, 0.0)
