import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "16"]) -> Float32[Tensor, "16"]:
    return x

def g(a: Float32[Tensor, "16"], b: Float32[Tensor, "8"], n: Float32[Tensor, "N"]) -> None:
    reveal_type(f(a))  # R: float32 16
    f(b)  # E: shape "dim 0 is 8 but the annotation expects 16"
    f(n)  # E: shape "dim 0 is N"
