import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def project(x: Float32[Tensor, "B D"], w: Float32[Tensor, "D E"]) -> Float32[Tensor, "B E"]:
    return x @ w

@kernel
def outer(x: Float32[Tensor, "B D"], w: Float32[Tensor, "H D"]) -> Float32[Tensor, "B H"]:
    y = project(x, w)  # E: shape "in call to project(): argument 'w' has shape (H D), annotated (D E)"
    return project(x, w.T)
