import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "*b M N"], y: Float32[Tensor, "M N"]) -> Float32[Tensor, "*b N M"]:
    reveal_type(dsl.matrix_transpose(x))  # R: float32 *b N M
    reveal_type(dsl.matrix_transpose(y))  # R: float32 N M
    return dsl.matrix_transpose(x)
