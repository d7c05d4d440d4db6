import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "*b M N"]) -> Float32[Tensor, "*b M N"]:
    return dsl.matrix_transpose(a)  # E: shape "(*b N M)"
