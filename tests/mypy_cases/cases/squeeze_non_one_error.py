import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B 1 N"]) -> None:
    a = dsl.squeeze(x, axis=2)  # E: shape "dim 2 of (B 1 N) is N, not 1"
    b = dsl.squeeze(x, axis=5)  # E: shape "out of range"
