import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(s: Float32[Tensor, ""], x: Float32[Tensor, "N"]) -> None:
    y = s @ x  # E: shape "0-d"
    reveal_type(s * x)  # R: float32 N
