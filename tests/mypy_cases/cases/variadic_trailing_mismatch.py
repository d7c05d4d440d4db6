import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "*b N"], g: Float32[Tensor, "M"]) -> None:
    y = x * g  # E: shape "(*b N) and (M)"
