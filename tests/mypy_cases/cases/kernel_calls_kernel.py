import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def project(x: Float32[Tensor, "B D"], w: Float32[Tensor, "D E"]) -> Float32[Tensor, "B E"]:
    return x @ w

@kernel
def two_layers(x: Float32[Tensor, "B D"], w1: Float32[Tensor, "D H"], w2: Float32[Tensor, "H D"]) -> Float32[Tensor, "B D"]:
    h = project(x, w1)
    reveal_type(h)  # R: float32 B H
    y = project(dsl.tanh(h), w2)
    reveal_type(y)  # R: float32 B D
    return x + y

@kernel
def wrong(x: Float32[Tensor, "B D"], w1: Float32[Tensor, "D H"]) -> Float32[Tensor, "B D"]:
    return project(x, w1)  # E: shape "the return value has shape (B H) but the annotation says (B D)"
