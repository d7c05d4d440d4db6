import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "N B"]:
    return x.T

def g(v: Float32[Tensor, "4"], t: Float32[Tensor, "2 3 4"]) -> None:
    f(v)  # E: shape "expected rank 2"
    f(t)  # E: shape "(2 3 4)"
