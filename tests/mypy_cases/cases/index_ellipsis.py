import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "A B C"], y: Float32[Tensor, "*b N"], i: int) -> Float32[Tensor, "A B"]:
    reveal_type(x[..., i])  # R: float32 A B
    reveal_type(x[0, ...])  # R: float32 B C
    reveal_type(x[..., 1:3])  # R: float32 A B 2
    reveal_type(y[..., 0])  # R: float32 *b
    return x[..., i]
