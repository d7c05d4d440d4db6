import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "3 4"], b: Float32[Tensor, "4 5"], c: Float32[Tensor, "128"]) -> Float32[Tensor, "3 5"]:
    reveal_type(a @ b)  # R: float32 3 5
    reveal_type(c * 2.0)  # R: float32 128
    bad = a @ a  # E: shape "contraction dims differ: 4 vs 3"
    bad2 = a + b  # E: shape "(3 4) and (4 5)"
    return a @ b
