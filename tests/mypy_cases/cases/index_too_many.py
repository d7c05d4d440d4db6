import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    a = x[0, 0, 0]  # E: shape "too many indices"
    b = x[..., 0, 0, 0]  # E: shape "(B N)"
    c = x[0, ..., 0, ...]  # E: shape "single ellipsis"
