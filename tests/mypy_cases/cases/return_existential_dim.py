import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"]) -> Float32[Tensor, "K"]:
    return x[2:]

def g(a: Float32[Tensor, "8"]) -> None:
    reveal_type(f(a))  # R: float32 _
