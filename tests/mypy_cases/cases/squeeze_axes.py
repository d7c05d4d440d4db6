import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B 1 N 1"]) -> Float32[Tensor, "B N"]:
    reveal_type(dsl.squeeze(x, axis=1))  # R: float32 B N 1
    reveal_type(dsl.squeeze(x, axis=-1))  # R: float32 B 1 N
    reveal_type(dsl.squeeze(x, (1, 3)))  # R: float32 B N
    return dsl.squeeze(x, axis=(1, -1))
