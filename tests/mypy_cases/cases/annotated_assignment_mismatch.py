import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    ok: Float32[Tensor, "B N"] = x + 1.0
    y: Float32[Tensor, "N B"] = x  # E: shape "variable 'y' has shape (N B) but is assigned shape (B N)"
    z: Int32[Tensor, "B N"] = x  # E: dtype "int32 but is assigned float32"
    w: Float32[Tensor, "B"] = dsl.sum(x, axis=1)
