import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "4 6"]) -> None:
    reveal_type(dsl.reshape(x, (2, 12)))  # R: float32 2 12
    reveal_type(dsl.reshape(x, (24,)))  # R: float32 24
    bad = dsl.reshape(x, (5, 5))  # E: shape "(4 6) to (5 5)"
