import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "_ N"]) -> Float32[Tensor, "N"]:
    reveal_type(x)  # R: float32 _ N
    return x[0]

def g(a: Float32[Tensor, "7 4"], b: Float32[Tensor, "B 4"], c: Float32[Tensor, "4"]) -> None:
    reveal_type(f(a))  # R: float32 4
    reveal_type(f(b))  # R: float32 4
    f(c)  # E: shape "rank 2"
