import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def half(x: Float32[Tensor, "2*N"]) -> Float32[Tensor, "N"]:
    return x[:x.shape[0] // 2]

def pop(x: Float32[Tensor, "N+1"]) -> Float32[Tensor, "N"]:
    return x[1:]

def g(a: Float32[Tensor, "8"], b: Float32[Tensor, "7"], c: Float32[Tensor, "2*M"], d: Float32[Tensor, "M+1"], e: Float32[Tensor, "0"]) -> None:
    reveal_type(half(a))  # R: float32 4
    reveal_type(half(c))  # R: float32 M
    half(b)  # E: shape "7"
    reveal_type(pop(a))  # R: float32 7
    reveal_type(pop(d))  # R: float32 M
    reveal_type(pop(c))  # R: float32 2*M-1
    pop(e)  # E: shape "dim 0 is 0"
