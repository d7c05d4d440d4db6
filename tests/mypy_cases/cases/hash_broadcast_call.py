import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "#B N"], y: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    return x + y

def g(a: Float32[Tensor, "1 4"], b: Float32[Tensor, "3 4"], c: Float32[Tensor, "2 4"], s: Float32[Tensor, "S 4"]) -> None:
    reveal_type(f(a, b))  # R: float32 3 4
    reveal_type(f(b, b))  # R: float32 3 4
    reveal_type(f(a, s))  # R: float32 S 4
    f(c, b)  # E: shape "argument 'y' has shape (3 4)"
