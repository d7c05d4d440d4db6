import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], eps: float, n: int, i: Int32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    reveal_type(x + eps)  # R: float32 B N
    reveal_type(x * n)  # R: float32 B N
    reveal_type(i * n)  # R: int32 N
    bad = i * eps  # E: dtype "int32"
    return x / (dsl.sqrt(dsl.mean(x * x, axis=1, keepdims=True)) + eps)
