import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "*b M K"], c: Float32[Tensor, "*b K N"]) -> Float32[Tensor, "*b M N"]:
    r = a @ c
    reveal_type(r)  # R: float32 *b M N
    reveal_type(a @ dsl.matrix_transpose(a))  # R: float32 *b M M
    return r
