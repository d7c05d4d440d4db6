import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N M+"]:  # E: shape "'N M+'"
    return x

@kernel
def g(x: Float32[Tensor, "N"]) -> None:
    y: Float32[Tensor, "N  N"] = x  # E: shape "'N  N'"
    z = f(x)
    w = y + z
