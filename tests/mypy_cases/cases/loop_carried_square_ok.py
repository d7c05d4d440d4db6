import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], w: Float32[Tensor, "N N"], steps: int) -> Float32[Tensor, "B N"]:
    h = x
    for _ in range(0, steps, 2):
        h = dsl.tanh(h @ w)
    return h
