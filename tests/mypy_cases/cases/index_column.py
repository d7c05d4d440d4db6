import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], j: int) -> Float32[Tensor, "B"]:
    reveal_type(x[:, j])  # R: float32 B
    reveal_type(x[:, 0])  # R: float32 B
    reveal_type(x[:, :])  # R: float32 B N
    return x[:, j]
