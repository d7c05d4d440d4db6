import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], w: Float32[Tensor, "N M"], steps: int) -> Float32[Tensor, "B N"]:
    h = x
    for _ in range(steps):
        h = h @ w  # E: shape "variable 'h' has shape (B N) but is assigned shape (B M)"
    return h
