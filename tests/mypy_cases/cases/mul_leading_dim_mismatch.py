import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], y: Float32[Tensor, "N N"]) -> None:
    z = x * y  # E: shape "(B N) and (N N)"
    w = x[0] * y
    reveal_type(w)  # R: float32 N N
