import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(out: Float32[Tensor, "N"]) -> None:
    out[0, 1] = 0.0  # E: shape "too many indices"
