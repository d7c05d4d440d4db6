import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N D"], p: int) -> Float32[Tensor, "4 D"]:
    w = x[p:p + 4]
    reveal_type(w)  # R: float32 4 D
    reveal_type(x[p - 2:p + 6, :])  # R: float32 8 D
    reveal_type(x[:, p:p + 1])  # R: float32 N 1
    return x[p:p + 4]
