import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def double(x: Float32[Tensor, "N"]) -> Float32[Tensor, "2*N"]:
    return dsl.concat([x, x])

def grow(x: Float32[Tensor, "M"]) -> Float32[Tensor, "M+1"]:
    return dsl.concat([x, x[:1]])

def g(a: Float32[Tensor, "5"], s: Float32[Tensor, "S"]) -> None:
    reveal_type(double(a))  # R: float32 10
    reveal_type(grow(double(a)))  # R: float32 11
    reveal_type(grow(double(s)))  # R: float32 2*S+1
    reveal_type(double(grow(s)))  # R: float32 2*S+2
