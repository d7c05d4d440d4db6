import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B K"], w: Float32[Tensor, "K N"]) -> Float32[Tensor, "B N"]:
    y = x @ w
    reveal_type(y)  # R: float32 B N
    reveal_type(dsl.matmul(x, w))  # R: float32 B N
    return y
