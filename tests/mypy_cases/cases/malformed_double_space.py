import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "B  N+"]) -> None:  # E: shape "'B  N+'"
    y = x + 1.0

def g(x: Float32[Tensor, "B N+"]) -> None:  # E: shape "'N+'"
    pass
