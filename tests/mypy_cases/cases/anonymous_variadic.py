import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "... N"], w: Float32[Tensor, "N M"]) -> Float32[Tensor, "... M"]:
    reveal_type(x @ w)  # R: float32 ... M
    reveal_type(x[..., 0])  # R: float32 ...
    bad = x @ w.T  # E: shape "contraction dims differ: N vs M"
    return x @ w
