import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "2*N D"], y: Float32[Tensor, "N D"]) -> Float32[Tensor, "2*N D"]:
    reveal_type(x.shape[0] // 2)  # R: int N
    both = dsl.concat([y, y], axis=0)
    reveal_type(both)  # R: float32 2*N D
    reveal_type(x + both)  # R: float32 2*N D
    reveal_type(x[:y.shape[0]])  # R: float32 N D
    bad = x + y  # E: shape "(2*N D) and (N D)"
    return both
