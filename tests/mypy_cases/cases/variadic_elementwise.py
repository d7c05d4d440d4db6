import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "*b N"], g: Float32[Tensor, "N"], y: Float32[Tensor, "*b N"]) -> Float32[Tensor, "*b N"]:
    reveal_type(x * g)  # R: float32 *b N
    reveal_type(x + y)  # R: float32 *b N
    reveal_type(dsl.sum(x, axis=-1, keepdims=True))  # R: float32 *b 1
    reveal_type(dsl.sum(x, axis=-1))  # R: float32 *b
    return x * g + y
