import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N D"], p: int) -> Float32[Tensor, "4 D"]:
    return x[p:p + 3]  # E: shape "(3 D) but the annotation says (4 D)"
