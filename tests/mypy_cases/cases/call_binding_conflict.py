import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def add(x: Float32[Tensor, "N"], y: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return x + y

def g(a: Float32[Tensor, "3"], b: Float32[Tensor, "4"], c: Float32[Tensor, "M"], d: Float32[Tensor, "K"]) -> None:
    add(a, b)  # E: shape "argument 'y' has shape (4), annotated (N): dim 0 is 4 but the annotation expects N = 3 (N from 'x' dim 0)"
    add(c, d)  # E: shape "dim 0 is K but the annotation expects N = M"
    reveal_type(add(c, c))  # R: float32 M
