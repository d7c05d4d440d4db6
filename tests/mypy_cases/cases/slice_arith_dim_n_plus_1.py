import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N+1 D"]) -> Float32[Tensor, "N D"]:
    reveal_type(x)  # R: float32 N+1 D
    reveal_type(x[1:])  # R: float32 N D
    reveal_type(x[:-1])  # R: float32 N D
    reveal_type(x[1:] - x[:-1])  # R: float32 N D
    return x[1:] - x[:-1]
