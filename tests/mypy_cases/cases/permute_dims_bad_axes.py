import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "A B C"]) -> Float32[Tensor, "C A B"]:
    a = dsl.permute_dims(x, (0, 1))  # E: shape "not a permutation"
    b = dsl.permute_dims(x, (0, 0, 1))  # E: shape "(A B C)"
    return dsl.permute_dims(x, (1, 2, 0))  # E: shape "(B C A)"
