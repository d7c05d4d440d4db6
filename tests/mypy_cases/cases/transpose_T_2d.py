import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "M N"]) -> Float32[Tensor, "N M"]:
    reveal_type(x.T)  # R: float32 N M
    reveal_type(x.T.T)  # R: float32 M N
    reveal_type(x.T @ x)  # R: float32 N N
    return x.T
