import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "*b M K"], c: Float32[Tensor, "*b N K"]) -> Float32[Tensor, "*b M N"]:
    r = a @ c  # E: shape "contraction dims differ: K vs N"
    return a @ dsl.matrix_transpose(c)
