import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"]) -> Float32[Tensor, ""]:
    return dsl.sum(x, keepdims=True)  # E: shape "(1) but the annotation says ()"
