import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], y: Float32[Tensor, "N B"]) -> None:
    a = dsl.maximum(x, y)  # E: shape "(B N) and (N B)"
    b = dsl.minimum(x, y.T)
    reveal_type(b)  # R: float32 B N
