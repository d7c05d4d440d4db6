import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"], y: Float32[Tensor, "M"]) -> None:
    reveal_type(x // 2.0)  # R: float32 N
    reveal_type(x % 1.5)  # R: float32 N
    z = x % y  # E: shape "(N) and (M)"
