import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N N"], v: Float32[Tensor, "N"]) -> None:
    y: Float32[Tensor, "N N"] = x
    y = x.T
    y = x @ x
    y = v  # E: shape "variable 'y' has shape (N N) but is assigned shape (N)"
