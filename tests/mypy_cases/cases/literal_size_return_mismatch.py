import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "4 8"]) -> Float32[Tensor, "8 4"]:
    return a  # E: shape "(4 8) but the annotation says (8 4)"
