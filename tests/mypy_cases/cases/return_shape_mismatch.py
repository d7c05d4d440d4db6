import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], w: Float32[Tensor, "N M"]) -> Float32[Tensor, "B N"]:
    return x @ w  # E: shape "the return value has shape (B M) but the annotation says (B N)"

@kernel
def g(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B"]:
    return dsl.sum(x, axis=0)  # E: shape "(N) but the annotation says (B)"
