import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B K"], w: Float32[Tensor, "N K"]) -> Float32[Tensor, "B N"]:
    y = x @ w  # E: shape "(B K) and (N K)"
    z = dsl.matmul(x, w)  # E: shape "contraction dims differ: K vs N"
    return x @ w.T
